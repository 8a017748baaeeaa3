/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_COMPRESS_H
#define PF_COMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "pkgfmt.h"
#include "strbuf.h"

/*
 * Streaming compressors (xz, zstd, gzip), written straight to liblzma,
 * libzstd and zlib: libarchive's filters cannot set xz's block size and
 * switch to another encoder (other bytes) at one thread.  Here the output
 * depends only on the algorithm and level, never on the thread count:
 * xz always uses its multi-threaded encoder (fixed 8 MiB blocks, which
 * also bounds its memory: about 110 MiB a thread at level 6), zstd always
 * runs with at least one worker, gzip writes no timestamp.
 */
typedef int (*pf_zsink)(void *ctx, const void *buf, size_t len, struct pf_err *e);

struct pf_zstream;

int pf_zstream_open(struct pf_zstream **z, enum pf_comp comp, int level, int threads,
		    pf_zsink sink, void *ctx, struct pf_err *e);
int pf_zstream_write(struct pf_zstream *z, const void *buf, size_t len, struct pf_err *e);
/* Flush everything to the sink and release the encoder's memory. */
int pf_zstream_finish(struct pf_zstream *z, struct pf_err *e);
void pf_zstream_free(struct pf_zstream *z);
uint64_t pf_zstream_in_bytes(const struct pf_zstream *z);

/*
 * Compress a buffer into out (appending), for repository indexes
 * (Packages.xz, primary.xml.zst): the same stream types, with xz in
 * 256 KiB blocks so that a few megabytes still keep every thread busy.
 */
int pf_compress(const void *buf, size_t len, enum pf_comp comp, int level, int threads,
		struct strbuf *out, struct pf_err *e);

/*
 * A file compressed in parts that do not depend on one another, so that
 * a part made before can be used again (zpiece.c keeps them):
 *   xz     one block of a single stream (its dictionary no larger than
 *          the part), the stream's index and footer made by the join;
 *   gzip   a raw deflate stream ended by a sync flush, so byte-aligned;
 *          the join adds the header, an empty final block, the CRC-32
 *          (combined from the parts') and the length: one gzip member;
 *   zstd   one frame with its checksum; frames follow one another.
 * The bytes depend only on the method, the level and the part's data.
 */
struct pf_zpart {
	unsigned char *buf;             /* the compressed part */
	size_t len;
	uint64_t plain_len;
	uint64_t unpadded;              /* xz: the block's unpadded size */
	uint32_t crc;                   /* gzip: CRC-32 of the data */
};

/*
 * What one thread keeps from one part to the next: zstd's context, made
 * once instead of for every part (its tables' fresh pages each time).
 * Zero it before the first part; pf_zpart_ctx_release() after the last.
 */
struct pf_zpart_ctx {
	void *zstd;
};
void pf_zpart_ctx_release(struct pf_zpart_ctx *ctx);

/* Compress one part (may run in several threads at once, each with its
 * own ctx; NULL: nothing kept). */
int pf_compress_part(struct pf_zpart_ctx *ctx, enum pf_comp comp, int level, const void *buf,
		     size_t len, struct pf_zpart *out, struct pf_err *e);
/* Append the file made of parts (in order) to out. */
int pf_compress_join(enum pf_comp comp, int level, const struct pf_zpart *const *parts,
		     size_t n, struct strbuf *out, struct pf_err *e);

#endif
