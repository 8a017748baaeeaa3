/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_ZPIECE_H
#define PF_ZPIECE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "pkgfmt.h"
#include "strbuf.h"

/*
 * Repository indexes compressed piece by piece, so that a re-index
 * compresses again only the pieces that changed.
 *
 * An index is a run of records (a Packages stanza, an rpm-md <package>).
 * It is cut into pieces of about 64 KiB at record ends chosen by the
 * records themselves (a record closes a piece when a hash of its bytes
 * says so), so adding or removing a record changes the piece around it
 * and leaves the others as they were.  Each piece is compressed on its
 * own (compress.h: pf_compress_part) and the file joined from them is
 * one ordinary .xz stream, gzip member or run of zstd frames.  The
 * compressed pieces of the last publication are kept in a cache,
 * .pkgforge/zcache, keyed by method, level and the piece's identity: a
 * SHA-256 over the lengths and SHA-256 digests of its records (which
 * the index cache keeps, so that a re-index hashes only new records),
 * and its separator and tail.  The bytes are the same with or without
 * the cache.
 */
struct pf_zcache;

/* The cache at path; an unreadable or damaged one gives an empty cache
 * (every piece compressed again), never an error. */
struct pf_zcache *pf_zcache_load(const char *path);
/* Keep the pieces this run used (and only those); written only when
 * that changed anything. */
int pf_zcache_save(struct pf_zcache *zc, const char *path, struct pf_err *e);
void pf_zcache_free(struct pf_zcache *zc);
/* How many pieces this run compressed, and how many came from the cache. */
void pf_zcache_stats(const struct pf_zcache *zc, size_t *compressed, size_t *reused);
/* Bytes the texts' whole digests hashed in its calls, and bytes a saved
 * state let them skip. */
void pf_zcache_digest_stats(const struct pf_zcache *zc, uint64_t *hashed, uint64_t *resumed);

/*
 * The text of an index: head (a piece of its own: it names the count),
 * then every record followed by sep, then tail (with the last record).
 * The records are not copied.
 */
struct pf_zrec {
	const char *p;
	size_t len;
	const unsigned char *sha;       /* its SHA-256, or NULL: worked out */
};

struct pf_ztext {
	const char *head, *sep, *tail;          /* "" for none */
	const struct pf_zrec *rec;
	size_t n;
};

size_t pf_ztext_len(const struct pf_ztext *t);
/* The whole text, appended to out. */
void pf_ztext_flatten(const struct pf_ztext *t, struct strbuf *out);
/* The text as buffers to write (its records' own, not copied): *iov is
 * allocated, its count returned. */
struct iovec;
size_t pf_ztext_iov(const struct pf_ztext *t, struct iovec **iov);

/*
 * Compress the text into out (appended), the pieces found in zc kept,
 * up to threads at once; zc may be NULL (nothing kept).  open_sha, if
 * not NULL, gets the SHA-256 of the whole text (worked out alongside).
 */
int pf_zpiece_compress(struct pf_zcache *zc, enum pf_comp comp, int level, int threads,
		       const struct pf_ztext *t, unsigned char *open_sha, struct strbuf *out,
		       struct pf_err *e);

/* Several files at once (their pieces share the threads). */
struct pf_zfile {
	enum pf_comp comp;
	int level;
	const struct pf_ztext *text;
	unsigned char *open_sha;        /* NULL: not wanted */
	unsigned char *open_md5;        /* the same, MD5 (apt's Release) */
	struct strbuf *out;
	/* the digests of what is appended to out (NULL: not wanted), taken
	 * on the threads too, once the files are joined */
	unsigned char *out_sha, *out_md5;
};

int pf_zpiece_compress_many(struct pf_zcache *zc, struct pf_zfile *files, size_t nf, int threads,
			    struct pf_err *e);

#endif
