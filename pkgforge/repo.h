/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_REPO_H
#define PF_REPO_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "log.h"
#include "pkgfmt.h"
#include "plan.h"

/*
 * A repository: one directory holding an apt, an rpm-md and an opkg
 * feed, each indexed from the packages below it (repofmt.h), checked
 * (check.h), signed, and published so that a client never sees a
 * half-made feed.
 *
 *   pool/<component>/<l>/<name>/X.deb     dists/<suite>/...       apt
 *   rpm/Packages/<l>/X.rpm                rpm/repodata/...        rpm-md
 *   ipk/<arch>/X.ipk                      ipk/<arch>/Packages...  opkg
 *   keys/        the public keys          setup/    client snippets
 *   attic/       packages --keep moved out of the feeds
 *   .pkgforge/   lock, settings, the index cache, generations
 *
 * Settings given once (suite, keys, --keep...) are remembered in
 * .pkgforge/settings; every later run, `build --repo` included, uses them.
 */

/* An option not given is NULL (strings) or -1 (numbers): the remembered
 * setting, else the default, applies. */
struct pf_repo_opts {
	const char *suite;              /* "stable" */
	const char *codename;           /* the suite's */
	const char *component;          /* "main" */
	const char *origin;             /* "korg" */
	const char *label;              /* the origin's */
	const char *description;        /* Release's Description, or "" */
	const char *url;                /* where clients find the repository */
	const char *sign_key;           /* OpenPGP fingerprint */
	const char *gnupghome;          /* where its secret key is */
	const char *usign_key;          /* usign secret key file */
	const char *profile;            /* for the check */
	const char *rpmmd_comp;         /* "zst", "gz", "xz" */
	const char *keyring;            /* keyring package name, "none": none */
	int keep;                       /* versions per name; 0: all */
	int byhash_keep;                /* index generations kept for clients */
	bool unsigned_feed;             /* publish without signatures */
	bool allow_problems;            /* publish what check finds wrong */
	bool resign;                    /* re-sign rpms signed otherwise */
	int threads;                    /* readers (default: CPUs online) */
	bool quiet;
	struct pf_log log;
};

void pf_repo_opts_init(struct pf_repo_opts *o);

struct pf_repo;

/*
 * Open (creating it if needed) the repository at dir, waiting for
 * another run's lock, with the options merged into its settings.
 */
int pf_repo_open(struct pf_repo **out, const char *dir, const struct pf_repo_opts *o,
		 struct pf_err *e);
void pf_repo_close(struct pf_repo *r);
/* Whether pf_repo_open() and the signing would work with these options
 * (settings valid, the keys there), without taking the lock or writing
 * anything: a build checks this before its long work. */
int pf_repo_precheck(const char *dir, const struct pf_repo_opts *o, struct pf_err *e);

/* Where packages to add are written first (same file system as the
 * pool, so that adding them is a rename); removed by pf_repo_close(). */
const char *pf_repo_incoming(struct pf_repo *r);
/* A new such directory for a run that does not hold the lock yet (a
 * build); the caller removes it. */
int pf_repo_mkincoming(const char *root, char **dir, struct pf_err *e);

/*
 * Put a package file into its place in the repository (an rpm is signed
 * first), reading it once: the index that follows finds it in the
 * cache.  A package already there with the same content is left as it
 * is; one with other content is an error (a published file never
 * changes).  move: the file may be renamed away (it is pkgforge's own).
 * *placed (may be NULL) receives the path in the repository.
 */
int pf_repo_add(struct pf_repo *r, const char *path, bool move, char **placed,
		struct pf_err *e);

/* What an index run did, for the command to print. */
struct pf_repo_report {
	size_t pkgs[PF_FMT_NR];         /* in the feeds */
	size_t read, cached, moved_out, signed_now;
	int problems;
	struct pf_diag diag;            /* the check's problems */
	struct pf_strlist published;    /* top files written, in order */
	struct pf_strlist snippets;     /* setup/ files written */
	char *snippet_text;             /* every snippet, for the terminal */
};

void pf_repo_report_release(struct pf_repo_report *rep);

/*
 * Index, check and publish every feed.  A check problem is printed
 * through the log, and the run fails (exit 1, nothing published)
 * unless allow_problems.
 */
int pf_repo_index(struct pf_repo *r, struct pf_repo_report *rep, struct pf_err *e);

#endif
