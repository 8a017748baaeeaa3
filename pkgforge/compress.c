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

/* ------------------------------------------------------------ parts */

/* xz: the dictionary of a part, no larger than the level's nor than
 * needed for the part (a small one is quicker to set up, and asks less
 * memory of the client), at least liblzma's smallest */
static uint32_t xz_dict(uint32_t level_dict, size_t len)
{
	uint32_t d = LZMA_DICT_SIZE_MIN;

	while (d < len && d < level_dict)
		d <<= 1;
	return d < level_dict ? d : level_dict;
}

/*
 * liblzma's own allocation takes its match finder's tables from calloc():
 * fresh pages, mapped to the zero page when first read, then copied when
 * first written, and each copy flushes the other threads' TLBs (an
 * interrupt per page, dear in a virtual machine: perf counted ~3 ms of
 * such faults under liblzma in a deb re-index).  Given an allocator,
 * liblzma zeroes the tables itself, and each page is faulted in once,
 * written.
 */
static void *xz_alloc(void *opaque, size_t nmemb, size_t size)
{
	(void)opaque;
	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	return malloc(nmemb * size);
}

static void xz_free(void *opaque, void *p)
{
	(void)opaque;
	free(p);
}

static const lzma_allocator xz_allocator = { xz_alloc, xz_free, NULL };

static int part_xz(int level, const void *buf, size_t len, struct pf_zpart *out,
		   struct pf_err *e)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	lzma_block blk;
	size_t cap, pos = 0;
	lzma_ret r;

	if (lzma_lzma_preset(&opt, (uint32_t)level))
		return pf_err_set(e, PF_EFAIL, "cannot set up xz compression (level %d)", level);
	opt.dict_size = xz_dict(opt.dict_size, len);
	/*
	 * The level's preset, but with the hash-chain match finder and
	 * matches taken once 32 bytes long: an index's text compresses
	 * about twice as fast (a changed piece is what a re-index waits
	 * for), for 0.3% (the bench's Packages) to 1.6% (Debian's) larger
	 * output, and 4% on rpm-md's XML.
	 */
	if (opt.mode == LZMA_MODE_NORMAL) {
		opt.mf = LZMA_MF_HC4;
		if (opt.nice_len > 32)
			opt.nice_len = 32;
	}
	/* text: no position bits (xz(1) says as much), 0.5% smaller */
	opt.pb = 0;
	filters[0].id = LZMA_FILTER_LZMA2;
	filters[0].options = &opt;
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
	memset(&blk, 0, sizeof(blk));
	blk.version = 0;
	blk.check = LZMA_CHECK_CRC64;
	blk.filters = filters;
	cap = lzma_block_buffer_bound(len);
	out->buf = pf_malloc(cap);
	r = lzma_block_buffer_encode(&blk, &xz_allocator, buf, len, out->buf, &pos, cap);
	if (r != LZMA_OK)
		return pf_err_set(e, PF_EFAIL, "xz compression failed (liblzma error %d)", r);
	out->len = pos;
	out->unpadded = lzma_block_unpadded_size(&blk);
	return 0;
}

static int part_gz(int level, const void *buf, size_t len, struct pf_zpart *out,
		   struct pf_err *e)
{
	z_stream s;
	size_t cap;
	int r;

	memset(&s, 0, sizeof(s));
	/* windowBits -15: raw deflate, the join writes the gzip frame */
	if (deflateInit2(&s, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return pf_err_set(e, PF_EFAIL, "cannot set up gzip compression (level %d)", level);
	if (len > (1u << 30)) {
		deflateEnd(&s);
		return pf_err_set(e, PF_EFAIL, "a part of %zu bytes is too large for gzip", len);
	}
	/* the bound, and the sync flush's empty stored block */
	cap = deflateBound(&s, (uLong)len) + 16;
	out->buf = pf_malloc(cap);
	s.next_in = (Bytef *)buf;
	s.avail_in = (uInt)len;
	s.next_out = out->buf;
	s.avail_out = (uInt)cap;
	r = deflate(&s, Z_SYNC_FLUSH);
	out->len = cap - s.avail_out;
	deflateEnd(&s);
	if (r != Z_OK || s.avail_in)
		return pf_err_set(e, PF_EFAIL, "gzip compression failed (zlib error %d)", r);
	out->crc = (uint32_t)crc32(crc32(0, NULL, 0), buf, (uInt)len);
	return 0;
}

void pf_zpart_ctx_release(struct pf_zpart_ctx *ctx)
{
	ZSTD_freeCCtx(ctx->zstd);
	ctx->zstd = NULL;
}

/* A context kept in ctx is reset, parameters and all: the bytes are
 * those of a new one. */
static int part_zstd(struct pf_zpart_ctx *ctx, int level, const void *buf, size_t len,
		     struct pf_zpart *out, struct pf_err *e)
{
	ZSTD_CCtx *cc = ctx && ctx->zstd ? ctx->zstd : ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), n;

	if (ctx)
		ctx->zstd = cc;
	if (!cc || ZSTD_isError(ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1))) {
		if (!ctx)
			ZSTD_freeCCtx(cc);
		return pf_err_set(e, PF_EFAIL, "cannot set up zstd compression (level %d)", level);
	}
	out->buf = pf_malloc(cap ? cap : 1);
	n = ZSTD_compress2(cc, out->buf, cap, buf, len);
	if (!ctx)
		ZSTD_freeCCtx(cc);
	if (ZSTD_isError(n))
		return pf_err_set(e, PF_EFAIL, "zstd compression failed: %s", ZSTD_getErrorName(n));
	out->len = n;
	return 0;
}

int pf_compress_part(struct pf_zpart_ctx *ctx, enum pf_comp comp, int level, const void *buf,
		     size_t len, struct pf_zpart *out, struct pf_err *e)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->plain_len = len;
	switch (comp) {
	case PF_COMP_XZ:
		r = part_xz(level, buf, len, out, e);
		break;
	case PF_COMP_GZIP:
		r = part_gz(level, buf, len, out, e);
		break;
	case PF_COMP_ZSTD:
		r = part_zstd(ctx, level, buf, len, out, e);
		break;
	default:
		r = pf_err_set(e, PF_EINVAL, "no compression in parts for %s", pf_comp_name(comp));
		break;
	}
	if (r < 0) {
		free(out->buf);
		memset(out, 0, sizeof(*out));
	}
	return r;
}

static int join_xz(const struct pf_zpart *const *parts, size_t n, struct strbuf *out,
		   struct pf_err *e)
{
	lzma_stream_flags fl;
	lzma_index *idx = lzma_index_init(NULL);
	uint8_t hf[LZMA_STREAM_HEADER_SIZE];
	size_t isz, pos = 0;
	int ret = -1;

	memset(&fl, 0, sizeof(fl));
	fl.version = 0;
	fl.check = LZMA_CHECK_CRC64;
	if (!idx || lzma_stream_header_encode(&fl, hf) != LZMA_OK)
		goto fail;
	strbuf_add(out, hf, sizeof(hf));
	for (size_t i = 0; i < n; i++) {
		if (lzma_index_append(idx, NULL, parts[i]->unpadded, parts[i]->plain_len) != LZMA_OK)
			goto fail;
		strbuf_add(out, parts[i]->buf, parts[i]->len);
	}
	isz = (size_t)lzma_index_size(idx);
	strbuf_grow(out, isz);
	if (lzma_index_buffer_encode(idx, (uint8_t *)out->buf + out->len, &pos, isz) != LZMA_OK)
		goto fail;
	strbuf_setlen(out, out->len + pos);
	fl.backward_size = isz;
	if (lzma_stream_footer_encode(&fl, hf) != LZMA_OK)
		goto fail;
	strbuf_add(out, hf, sizeof(hf));
	ret = 0;
fail:
	if (ret < 0)
		pf_err_set(e, PF_EFAIL, "cannot make the xz stream of %zu blocks", n);
	lzma_index_end(idx, NULL);
	return ret;
}

static void join_gz(int level, const struct pf_zpart *const *parts, size_t n,
		    struct strbuf *out)
{
	/* no name, no time; "maximum compression" at 9, Unix */
	const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level >= 9 ? 2 : 0, 3 };
	/* a final block of fixed codes holding only its end: the deflate
	 * stream's end after the parts' byte-aligned ones */
	const unsigned char last[2] = { 0x03, 0x00 };
	uint32_t crc = (uint32_t)crc32(0, NULL, 0);
	uint64_t total = 0;

	strbuf_add(out, head, sizeof(head));
	for (size_t i = 0; i < n; i++) {
		strbuf_add(out, parts[i]->buf, parts[i]->len);
		crc = (uint32_t)crc32_combine(crc, parts[i]->crc, (z_off_t)parts[i]->plain_len);
		total += parts[i]->plain_len;
	}
	strbuf_add(out, last, sizeof(last));
	strbuf_add_le(out, crc, 4);
	strbuf_add_le(out, (uint32_t)total, 4);
}

int pf_compress_join(enum pf_comp comp, int level, const struct pf_zpart *const *parts,
		     size_t n, struct strbuf *out, struct pf_err *e)
{
	size_t total = 0;

	/* grown once (and the index of an xz stream, a few bytes a part),
	 * not doubled and copied as the parts come */
	for (size_t i = 0; i < n; i++)
		total += parts[i]->len;
	strbuf_grow(out, total + 24 * n + 64);
	switch (comp) {
	case PF_COMP_XZ:
		return join_xz(parts, n, out, e);
	case PF_COMP_GZIP:
		join_gz(level, parts, n, out);
		return 0;
	case PF_COMP_ZSTD:
		for (size_t i = 0; i < n; i++)
			strbuf_add(out, parts[i]->buf, parts[i]->len);
		/* no part at all: one empty frame, a valid empty file */
		if (!n) {
			struct pf_zpart z;
			int r = pf_compress_part(NULL, comp, level, "", 0, &z, e);

			if (!r)
				strbuf_add(out, z.buf, z.len);
			free(z.buf);
			return r;
		}
		return 0;
	default:
		return pf_err_set(e, PF_EINVAL, "no compression in parts for %s", pf_comp_name(comp));
	}
}
