/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_SOURCE_H
#define PF_SOURCE_H

#include <stdint.h>
#include <sys/types.h>
#include "err.h"

/*
 * The read side of libarchive: one pass over a (gz, xz, zstd, bzip2
 * compressed) tar archive, entry by entry.  The compressed bytes are
 * hashed as they are read so that the caller can check that the file did
 * not change since it was verified, and the decompressed bytes (the
 * whole uncompressed tar, padding included) can be handed to a tap, for
 * a signature made over the uncompressed tar, without decompressing
 * twice.
 */
enum pf_stype { PF_S_REG, PF_S_DIR, PF_S_SYMLINK, PF_S_HARDLINK, PF_S_OTHER };

struct pf_srcentry {
	const char *path;       /* as stored, valid until the next call */
	enum pf_stype type;
	unsigned mode;          /* full st_mode bits as stored */
	const char *typename;   /* "character device", ... for PF_S_OTHER */
	int64_t size;
	int64_t mtime;
	const char *link;       /* symlink target, or hardlink target path */
};

/*
 * Every decompressed byte, once and in order, from the first to the last
 * (pf_source_finish() reads what the tar reader did not need).  A
 * non-zero return stops the pass with e set.
 */
struct pf_source_tap {
	int (*data)(void *ctx, const void *buf, size_t len, struct pf_err *e);
	void *ctx;
};

struct pf_source;

/* tap may be NULL. */
int pf_source_open(struct pf_source **src, const char *path, int fd,
		   const struct pf_source_tap *tap, struct pf_err *e);
/* 1 with *ent filled, 0 at the end of the archive, -1 on error. */
int pf_source_next(struct pf_source *src, struct pf_srcentry *ent, struct pf_err *e);
/* Content of the current entry: bytes read, 0 at its end, -1 on error. */
ssize_t pf_source_read(struct pf_source *src, void *buf, size_t len, struct pf_err *e);
/* Compressed bytes read so far and the file's size (for progress). */
void pf_source_progress(const struct pf_source *src, uint64_t *done, uint64_t *total);
/*
 * After the end of the archive: read the rest of the stream (the tap
 * sees every decompressed byte, the digest every compressed one) and
 * give the SHA-256 of the whole compressed file.
 */
int pf_source_finish(struct pf_source *src, unsigned char sha256[32], struct pf_err *e);
/* "xz", "gzip", ... (after the first entry). */
const char *pf_source_filter(struct pf_source *src);
void pf_source_close(struct pf_source *src);

#endif
