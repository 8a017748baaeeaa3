/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PCACHE_H
#define PF_PCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "strbuf.h"

/*
 * The payload cache: what a build made from a tarball that does not
 * depend on a package's metadata (the compressed payloads, the file
 * list with its digests, the relations derived from the ELF files), so
 * that a rebuild that changes only metadata (a release bump, a
 * description, dependencies) reuses it instead of reading and
 * compressing the tarball again, and gives the same bytes.
 *
 * Items are flat files named by the sha256 of everything they depend on
 * (see convert.c), "<key>.<kind>", each written atomically: an item is
 * there whole or not at all, and a removed or damaged cache only costs
 * a full build.
 */
struct pf_pcache {
	char *dir;
};

/* dir is created when missing. */
int pf_pcache_open(struct pf_pcache *pc, const char *dir, struct pf_err *e);
void pf_pcache_release(struct pf_pcache *pc);

/* Whether item key.kind is there. */
bool pf_pcache_has(const struct pf_pcache *pc, const char *key, const char *kind);
/* Store len bytes of fd from offset off as key.kind. */
int pf_pcache_put_fd(const struct pf_pcache *pc, const char *key, const char *kind,
		     int fd, uint64_t off, uint64_t len, struct pf_err *e);
int pf_pcache_put_buf(const struct pf_pcache *pc, const char *key, const char *kind,
		      const void *buf, size_t len, struct pf_err *e);
/* Open key.kind for reading (*fd, *len). */
int pf_pcache_open_item(const struct pf_pcache *pc, const char *key, const char *kind,
			int *fd, uint64_t *len, struct pf_err *e);
/* Read a (small) item whole into out. */
int pf_pcache_read(const struct pf_pcache *pc, const char *key, const char *kind,
		   struct strbuf *out, struct pf_err *e);

/* The value of "name value" line in a small item's text, or NULL. */
char *pf_pcache_field(const char *text, const char *name);

#endif
