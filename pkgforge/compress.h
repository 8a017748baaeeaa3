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

#endif
