/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_REPO_PRIV_H
#define PF_REPO_PRIV_H

/*
 * What repo.c (opening, publishing), repo-read.c (finding, reading,
 * adding and signing packages), repo-settings.c and repocheck.c share;
 * nothing else includes this.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "profile.h"
#include "repofmt.h"
#include "sign.h"
#include "usign.h"

#define STATE ".pkgforge"
#define MAX_SETTINGS (64 << 10)

struct pf_repo {
	char *root;
	int lock_fd;
	struct pf_repo_opts opts;
	struct pf_repo_cfg cfg;
	char *incoming;
	/* every package known: the cache, then what this run read */
	struct pf_repopkg **pkgs;
	size_t nr, alloc;
	struct pf_repocache *cache;     /* the index cache, as loaded */
	struct pf_strmap by_path;       /* pkgs[] by relpath, from the load
					 * (pf_repocache_take_paths); empty
					 * once pkgs[] changes */
	bool cache_dropped;             /* unreadable: nothing is known */
	bool had_cache;                 /* published flags can be trusted */
	bool rpm_feed_existed;          /* rpm/repodata/repomd.xml was there */
	bool dirty;                     /* the cache must be saved */
	/* signing, set up on first need */
	bool keys_ready;
	struct pf_pgp *pgp;
	struct pf_pgp_keyinfo key;
	bool have_key;
	struct pf_usign_key usign;
	bool have_usign;
	size_t read, signed_now;
	struct pf_scan *scan;           /* the early scan, under way */
	pthread_t libs_th;              /* loading the formats' libraries */
	bool libs_live;
};

/* repocheck.c: what the last check that passed covered */
struct pf_checked;
struct pf_checked *pf_checked_load(const char *root);  /* NULL: none usable */
void pf_checked_free(struct pf_checked *c);
/* A package's identity there. */
uint64_t pf_checked_id(const struct pf_repopkg *p);
/* Which of the packages (ids) are fresh, and how many; SIZE_MAX when
 * the whole set must be checked: another profile or its data, or a
 * package the check passed has left. */
size_t pf_checked_fresh(const struct pf_checked *c, const char *profile,
			const struct pf_profiles *ps, const uint64_t *ids, size_t n, bool *fresh);
/* These packages passed the check against ps. */
int pf_checked_save(const char *root, const char *profile, const struct pf_profiles *ps,
		    const uint64_t *ids, size_t n, struct pf_err *e);

/* repo-settings.c: the run's configuration, from the options and what
 * .pkgforge/settings remembers (saved when save is set). */
int pf_repo_settings(struct pf_repo *r, bool save, struct pf_err *e);
void pf_repo_cfg_release(struct pf_repo_cfg *c);
/* An absolute path (settings must work from any directory). */
char *pf_repo_absolute(const char *p);

/* repo-read.c */
enum pf_fmt_id pf_repo_fmt_of(const char *path);
/* Start finding the package files on a thread (the lock is ours);
 * pf_repo_find_all uses what it finds.  Stop: wait for it and drop it
 * (before the pool changes). */
void pf_repo_scan_start(struct pf_repo *r);
void pf_repo_scan_stop(struct pf_repo *r);
/* Its thread done, what it found kept for pf_repo_find_all. */
void pf_repo_scan_wait(struct pf_repo *r);
/* Find every package file; read those the cache does not know (new
 * rpms signed first).  Temporary files a killed run left among the
 * packages go on the way (the lock is ours). */
int pf_repo_find_all(struct pf_repo *r, struct pf_err *e);
/* Read these packages (several at once) into r->pkgs; bytes is their
 * total size if known, else 0. */
int pf_repo_read_many(struct pf_repo *r, char *const *relpaths, size_t n, uint64_t bytes,
		      struct pf_err *e);
/* Sign the new rpms of the list that want the feed's signature. */
int pf_repo_sign_new(struct pf_repo *r, const struct pf_strlist *rel, struct pf_err *e);
/* Sign the known rpms that want it (--resign), and read them again. */
int pf_repo_sign_cached(struct pf_repo *r, struct pf_err *e);
ssize_t pf_repo_find_pkg(struct pf_repo *r, const char *relpath);
void pf_repo_drop_pkg(struct pf_repo *r, size_t i);

/* repo.c */
int pf_repo_keys_setup(struct pf_repo *r, struct pf_err *e);
/* --verbose: how long a phase took (t0 moves on). */
void pf_repo_phase(struct pf_repo *r, struct timespec *t0, const char *what);

#endif
