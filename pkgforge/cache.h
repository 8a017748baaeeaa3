/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CACHE_H
#define PF_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "log.h"

/*
 * The download cache, content-addressed:
 *
 *   <dir>/sha256/<hex>        a verified file: its name is its SHA-256
 *   <dir>/sha256/<hex>.part   a download in progress, resumed next time
 *   <dir>/lists/<key>.asc     signed checksum lists, as fetched (their
 *                             signature is checked at every use)
 *   <dir>/sigs/<hex>.sign     the detached signature of the tarball <hex>
 *                             (checked when the tarball is read)
 *   <dir>/lock                flock()ed by whoever downloads
 *
 * A file enters sha256/ only by rename, after its digest matched, so
 * whatever is there is complete; readers need no lock.
 */
struct pf_cache {
	char *dir;
	int lockfd;
	bool made;              /* the directories exist */
};

#define PF_CACHE_INIT { NULL, -1, false }

/* $XDG_CACHE_HOME/pkgforge, else $HOME/.cache/pkgforge; NULL if neither is set. */
char *pf_cache_default_dir(void);
/* The cache at dir, or at the default place when NULL; nothing is
 * created until pf_cache_make() (a run that writes nothing leaves no trace). */
int pf_cache_open(struct pf_cache *c, const char *dir, struct pf_err *e);
/* Create the cache's directories (once). */
int pf_cache_make(struct pf_cache *c, struct pf_err *e);
void pf_cache_close(struct pf_cache *c);

/* "<dir>/<kind>/<name>" */
char *pf_cache_path(const struct pf_cache *c, const char *kind, const char *name);
/* True when the verified file <hex> is in the cache. */
bool pf_cache_has(const struct pf_cache *c, const char *hex);

/* Take the download lock (pf_cache_make() first), waiting (and saying so on log) while another
 * process holds it. */
int pf_cache_lock(struct pf_cache *c, const struct pf_log *log, struct pf_err *e);
void pf_cache_unlock(struct pf_cache *c);

/* A download into the cache: <hex>.part, hashed as it grows. */
struct pf_cache_part {
	char *path;
	char *final;
	int fd;
	uint64_t size;          /* bytes already there when opened */
	struct pf_digest *sha;
};

#define PF_CACHE_PART_INIT { NULL, NULL, -1, 0, NULL }

/* Open or create <hex>.part and hash what it already holds. */
int pf_cache_part_open(struct pf_cache *c, const char *hex, struct pf_cache_part *p,
		       struct pf_err *e);
/* pf_fetch_job callbacks (ctx is the part). */
void pf_cache_part_data(void *ctx, const void *buf, size_t len);
void pf_cache_part_restart(void *ctx);
/*
 * The download is complete: when its SHA-256 is hex, make it durable and
 * rename it into place (0); otherwise delete it and return 1 with its
 * digest in got.  -1 on an I/O error.
 */
int pf_cache_part_commit(struct pf_cache_part *p, const char *hex, char got[65],
			 struct pf_err *e);
/* Close; the .part file stays for a later resume unless committed. */
void pf_cache_part_close(struct pf_cache_part *p);

#endif
