// SPDX-License-Identifier: GPL-2.0-or-later
/* xz, zstd and gzip streams with output independent of the thread count. */
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "compress.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

#define OUTBUF (1 << 17)
#define XZ_BLOCK (8u << 20)

struct pf_zstream {
	enum pf_comp comp;
	pf_zsink sink;
	void *ctx;
	uint64_t in;
	bool done;
	unsigned char *out;
	lzma_stream xz;
	bool xz_live;
	ZSTD_CCtx *zstd;
	z_stream gz;
	bool gz_live;
};

static int flush_out(struct pf_zstream *z, size_t n, struct pf_err *e)
{
	return n ? z->sink(z->ctx, z->out, n, e) : 0;
}

static int zstream_open(struct pf_zstream **out, enum pf_comp comp, int level, int threads,
			uint64_t xz_block, pf_zsink sink, void *ctx, struct pf_err *e)
{
	struct pf_zstream *z = pf_calloc(1, sizeof(*z));

	z->comp = comp;
	z->sink = sink;
	z->ctx = ctx;
	z->out = pf_malloc(OUTBUF);
	if (level < 0)
		level = pf_comp_default_level(comp);
	if (threads < 1)
		threads = 1;
	switch (comp) {
	case PF_COMP_XZ: {
		lzma_mt mt;
		lzma_stream init = LZMA_STREAM_INIT;

		memset(&mt, 0, sizeof(mt));
		mt.threads = (uint32_t)threads;
		mt.block_size = xz_block;
		mt.preset = (uint32_t)level;
		mt.check = LZMA_CHECK_CRC64;
		z->xz = init;
		if (lzma_stream_encoder_mt(&z->xz, &mt) != LZMA_OK) {
			pf_err_set(e, PF_EFAIL, "cannot set up xz compression (level %d, %d threads)",
				   level, threads);
			goto fail;
		}
		z->xz_live = true;
		break;
	}
	case PF_COMP_ZSTD:
		z->zstd = ZSTD_createCCtx();
		if (!z->zstd ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_compressionLevel, level)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_nbWorkers, threads)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_checksumFlag, 1))) {
			pf_err_set(e, PF_EFAIL, "cannot set up zstd compression (level %d, %d threads)",
				   level, threads);
			goto fail;
		}
		break;
	case PF_COMP_GZIP:
		/* windowBits 15 + 16: a gzip header, with no name and no time */
		if (deflateInit2(&z->gz, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
			pf_err_set(e, PF_EFAIL, "cannot set up gzip compression (level %d)", level);
			goto fail;
		}
		z->gz_live = true;
		break;
	case PF_COMP_NONE:
	case PF_COMP_DEFAULT:
		break;
	}
	*out = z;
	return 0;
fail:
	pf_zstream_free(z);
	return -1;
}

int pf_zstream_open(struct pf_zstream **out, enum pf_comp comp, int level, int threads,
		    pf_zsink sink, void *ctx, struct pf_err *e)
{
	return zstream_open(out, comp, level, threads, XZ_BLOCK, sink, ctx, e);
}

static int xz_run(struct pf_zstream *z, const void *buf, size_t len, lzma_action act,
		  struct pf_err *e)
{
	z->xz.next_in = buf;
	z->xz.avail_in = len;
	for (;;) {
		lzma_ret r;

		z->xz.next_out = z->out;
		z->xz.avail_out = OUTBUF;
		r = lzma_code(&z->xz, act);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return pf_err_set(e, PF_EFAIL, "xz compression failed (liblzma error %d)", r);
		if (flush_out(z, OUTBUF - z->xz.avail_out, e) < 0)
			return -1;
		if (r == LZMA_STREAM_END || (act == LZMA_RUN && !z->xz.avail_in))
			return 0;
	}
}

static int zstd_run(struct pf_zstream *z, const void *buf, size_t len, ZSTD_EndDirective end,
		    struct pf_err *e)
{
	ZSTD_inBuffer in = { buf, len, 0 };

	for (;;) {
		ZSTD_outBuffer o = { z->out, OUTBUF, 0 };
		size_t left = ZSTD_compressStream2(z->zstd, &o, &in, end);

		if (ZSTD_isError(left))
			return pf_err_set(e, PF_EFAIL, "zstd compression failed: %s",
					  ZSTD_getErrorName(left));
		if (flush_out(z, o.pos, e) < 0)
			return -1;
		if (end == ZSTD_e_end ? !left : in.pos == in.size)
			return 0;
	}
}

static int gz_run(struct pf_zstream *z, const void *buf, size_t len, int flush,
		  struct pf_err *e)
{
	z->gz.next_in = (Bytef *)buf;
	z->gz.avail_in = (uInt)len;
	for (;;) {
		int r;

		z->gz.next_out = z->out;
		z->gz.avail_out = OUTBUF;
		r = deflate(&z->gz, flush);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return pf_err_set(e, PF_EFAIL, "gzip compression failed (zlib error %d)", r);
		if (flush_out(z, OUTBUF - z->gz.avail_out, e) < 0)
			return -1;
		if (r == Z_STREAM_END || (flush == Z_NO_FLUSH && !z->gz.avail_in))
			return 0;
	}
}

int pf_zstream_write(struct pf_zstream *z, const void *buf, size_t len, struct pf_err *e)
{
	const char *p = buf;

	z->in += len;
	/* zlib counts in uInt: feed it at most 1 GiB at a time */
	while (len) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		int r;

		switch (z->comp) {
		case PF_COMP_XZ:
			r = xz_run(z, p, n, LZMA_RUN, e);
			break;
		case PF_COMP_ZSTD:
			r = zstd_run(z, p, n, ZSTD_e_continue, e);
			break;
		case PF_COMP_GZIP:
			r = gz_run(z, p, n, Z_NO_FLUSH, e);
			break;
		default:
			r = z->sink(z->ctx, p, n, e);
			break;
		}
		if (r < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void release_encoder(struct pf_zstream *z)
{
	if (z->xz_live)
		lzma_end(&z->xz);
	z->xz_live = false;
	if (z->zstd)
		ZSTD_freeCCtx(z->zstd);
	z->zstd = NULL;
	if (z->gz_live)
		deflateEnd(&z->gz);
	z->gz_live = false;
	free(z->out);
	z->out = NULL;
}

int pf_zstream_finish(struct pf_zstream *z, struct pf_err *e)
{
	int r = 0;

	if (z->done)
		return 0;
	switch (z->comp) {
	case PF_COMP_XZ:
		r = xz_run(z, NULL, 0, LZMA_FINISH, e);
		break;
	case PF_COMP_ZSTD:
		r = zstd_run(z, NULL, 0, ZSTD_e_end, e);
		break;
	case PF_COMP_GZIP:
		r = gz_run(z, NULL, 0, Z_FINISH, e);
		break;
	default:
		break;
	}
	z->done = true;
	release_encoder(z);
	return r;
}

void pf_zstream_free(struct pf_zstream *z)
{
	if (!z)
		return;
	release_encoder(z);
	free(z);
}

uint64_t pf_zstream_in_bytes(const struct pf_zstream *z)
{
	return z->in;
}

static int to_strbuf(void *ctx, const void *buf, size_t len, struct pf_err *e)
{
	strbuf_add(ctx, buf, len);
	return 0;
}

int pf_compress(const void *buf, size_t len, enum pf_comp comp, int level, int threads,
		struct strbuf *out, struct pf_err *e)
{
	struct pf_zstream *z;
	size_t start = out->len;
	int ret;

	if (zstream_open(&z, comp, level, threads, 256u << 10, to_strbuf, out, e) < 0)
		return -1;
	ret = pf_zstream_write(z, buf, len, e) < 0 || pf_zstream_finish(z, e) < 0 ? -1 : 0;
	pf_zstream_free(z);
	if (ret < 0)
		strbuf_setlen(out, start);
	return ret;
}
