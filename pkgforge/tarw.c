// SPDX-License-Identifier: GPL-2.0-or-later
/* libarchive write side for tar streams. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include "digest.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

struct pf_tarw {
	struct archive *a;
	struct archive_entry *ae;
	int fd;
	struct strbuf *mem;
	struct pf_digest *out_digest;   /* fed every output byte, or NULL */
	uint64_t bytes;
	int err;
	bool closed;
	bool abandoned;                 /* freed unclosed: take no more output */
	struct strbuf name;
	struct strbuf link;
};

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct pf_tarw *t = ctx;

	if (t->abandoned) {
		archive_set_error(a, ECANCELED, "abandoned");
		return -1;
	}
	if (t->mem) {
		strbuf_add(t->mem, buf, len);
	} else if (pf_write_all(t->fd, buf, len) < 0) {
		t->err = errno;
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	if (t->out_digest)
		pf_digest_update(t->out_digest, buf, len);
	t->bytes += len;
	return (la_ssize_t)len;
}

int pf_comp_default_level(enum pf_comp c)
{
	switch (c) {
	case PF_COMP_GZIP:
		return 9;
	case PF_COMP_ZSTD:
		return 19;
	case PF_COMP_XZ:
	default:
		return 6;
	}
}

void pf_comp_level_range(enum pf_comp c, int *lo, int *hi)
{
	switch (c) {
	case PF_COMP_GZIP:
		*lo = 1;
		*hi = 9;
		break;
	case PF_COMP_ZSTD:
		*lo = 1;
		*hi = 22;
		break;
	case PF_COMP_XZ:
	case PF_COMP_DEFAULT:
		*lo = 0;
		*hi = 9;
		break;
	case PF_COMP_NONE:
		*lo = *hi = -1;
		break;
	}
}

static int set_opt(struct pf_tarw *t, const char *mod, const char *key,
		   const char *val, struct pf_err *e)
{
	if (archive_write_set_filter_option(t->a, mod, key, val) < ARCHIVE_WARN)
		return pf_err_set(e, PF_EFAIL, "cannot set %s option %s: %s", mod, key,
				  archive_error_string(t->a));
	return 0;
}

static int tarw_open(struct pf_tarw **out, int fd, struct strbuf *mem, bool raw,
		     enum pf_comp comp, int level, int threads,
		     struct pf_digest *out_digest, struct pf_err *e)
{
	struct pf_tarw *t = pf_calloc(1, sizeof(*t));
	char lv[16], th[16];
	int r = ARCHIVE_OK;

	t->fd = fd;
	t->mem = mem;
	t->out_digest = out_digest;
	strbuf_init(&t->name, 0);
	strbuf_init(&t->link, 0);
	t->a = archive_write_new();
	t->ae = archive_entry_new();
	if (raw)
		archive_write_set_format_raw(t->a);
	else
		archive_write_set_format_gnutar(t->a);
	archive_write_set_bytes_per_block(t->a, 10240);
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (level < 0)
		level = pf_comp_default_level(comp);
	snprintf(lv, sizeof(lv), "%d", level);
	/*
	 * Thread counts change how xz and zstd frame their output unless
	 * their multi-threaded encoder is always used: xz with at least
	 * two threads, zstd with at least one worker.  Then the bytes are
	 * the same on every machine.
	 */
	switch (comp) {
	case PF_COMP_XZ:
		r = archive_write_add_filter_xz(t->a);
		/* threads 0 asks for the single-threaded encoder, whose
		 * framing is stable too (repository indexes) */
		snprintf(th, sizeof(th), "%d", threads == 0 ? 1 : threads < 2 ? 2 : threads);
		if (r == ARCHIVE_OK && (set_opt(t, "xz", "compression-level", lv, e) < 0 ||
					set_opt(t, "xz", "threads", th, e) < 0))
			goto fail;
		break;
	case PF_COMP_ZSTD:
		r = archive_write_add_filter_zstd(t->a);
		snprintf(th, sizeof(th), "%d", threads == 0 ? 0 : threads < 1 ? 1 : threads);
		if (r == ARCHIVE_OK && (set_opt(t, "zstd", "compression-level", lv, e) < 0 ||
					set_opt(t, "zstd", "threads", th, e) < 0))
			goto fail;
		break;
	case PF_COMP_GZIP:
		r = archive_write_add_filter_gzip(t->a);
		if (r == ARCHIVE_OK && (set_opt(t, "gzip", "compression-level", lv, e) < 0 ||
					set_opt(t, "gzip", "timestamp", NULL, e) < 0))
			goto fail;
		break;
	case PF_COMP_NONE:
	case PF_COMP_DEFAULT:
		break;
	}
	if (r != ARCHIVE_OK) {
		pf_err_set(e, PF_EFAIL, "cannot set up %s compression: %s", pf_comp_name(comp),
			   archive_error_string(t->a));
		goto fail;
	}
	if (archive_write_open(t->a, t, NULL, write_cb, NULL) != ARCHIVE_OK) {
		pf_err_set(e, PF_EFAIL, "cannot start a tar stream: %s",
			   archive_error_string(t->a));
		goto fail;
	}
	if (raw) {
		/* the raw format takes the data of one regular file */
		archive_entry_set_filetype(t->ae, AE_IFREG);
		archive_entry_set_pathname(t->ae, "payload");
		if (archive_write_header(t->a, t->ae) != ARCHIVE_OK) {
			pf_err_set(e, PF_EFAIL, "cannot start a compressed stream: %s",
				   archive_error_string(t->a));
			goto fail;
		}
	}
	*out = t;
	return 0;
fail:
	pf_tarw_free(t);
	return -1;
}

int pf_tarw_open_fd(struct pf_tarw **t, int fd, enum pf_comp comp, int level,
		    int threads, struct pf_err *e)
{
	return tarw_open(t, fd, NULL, false, comp, level, threads, NULL, e);
}

int pf_tarw_open_stream(struct pf_tarw **t, int fd, enum pf_comp comp, int level,
			int threads, struct pf_digest *out_digest, struct pf_err *e)
{
	return tarw_open(t, fd, NULL, true, comp, level, threads, out_digest, e);
}

int pf_tarw_open_mem(struct pf_tarw **t, struct strbuf *out, enum pf_comp comp,
		     int level, struct pf_err *e)
{
	return tarw_open(t, -1, out, false, comp, level, 1, NULL, e);
}

static int fail(struct pf_tarw *t, struct pf_err *e)
{
	if (t->err) {
		errno = t->err;
		return pf_err_errno(e, "cannot write a tar stream");
	}
	return pf_err_set(e, PF_EFAIL, "cannot write a tar stream: %s",
			  archive_error_string(t->a));
}

static int put_header(struct pf_tarw *t, const char *name, unsigned type,
		      unsigned mode, int64_t mtime, uint64_t size,
		      const char *symlink, const char *hardlink, struct pf_err *e)
{
	struct archive_entry *ae = t->ae;

	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, mode);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_uname(ae, "root");
	archive_entry_set_gname(ae, "root");
	archive_entry_set_mtime(ae, mtime, 0);
	archive_entry_set_size(ae, (la_int64_t)size);
	if (symlink)
		archive_entry_set_symlink(ae, symlink);
	if (hardlink)
		archive_entry_set_hardlink(ae, hardlink);
	if (archive_write_header(t->a, ae) != ARCHIVE_OK)
		return fail(t, e);
	return 0;
}

int pf_tarw_entry(struct pf_tarw *t, const struct pf_entry *ent, struct pf_err *e)
{
	strbuf_reset(&t->name);
	strbuf_addf(&t->name, "./%s", ent->path);
	switch (ent->type) {
	case PF_E_DIR:
		strbuf_addch(&t->name, '/');
		return put_header(t, t->name.buf, AE_IFDIR, ent->mode, ent->mtime, 0,
				  NULL, NULL, e);
	case PF_E_REG:
		return put_header(t, t->name.buf, AE_IFREG, ent->mode, ent->mtime,
				  ent->size, NULL, NULL, e);
	case PF_E_SYMLINK:
		return put_header(t, t->name.buf, AE_IFLNK, ent->mode, ent->mtime, 0,
				  ent->link, NULL, e);
	case PF_E_HARDLINK:
		strbuf_reset(&t->link);
		strbuf_addf(&t->link, "./%s", ent->link);
		return put_header(t, t->name.buf, AE_IFREG, ent->mode, ent->mtime, 0,
				  NULL, t->link.buf, e);
	}
	return pf_err_set(e, PF_EFAIL, "unknown entry type");
}

int pf_tarw_data(struct pf_tarw *t, const void *buf, size_t len, struct pf_err *e)
{
	const char *p = buf;

	while (len) {
		la_ssize_t n = archive_write_data(t->a, p, len);
		if (n <= 0)
			return fail(t, e);
		p += n;
		len -= n;
	}
	return 0;
}

int pf_tarw_file(struct pf_tarw *t, const char *name, unsigned mode, int64_t mtime,
		 const void *buf, size_t len, struct pf_err *e)
{
	if (!strcmp(name, "."))
		return put_header(t, "./", AE_IFDIR, mode, mtime, 0, NULL, NULL, e);
	strbuf_reset(&t->name);
	strbuf_addf(&t->name, "./%s", name);
	if (put_header(t, t->name.buf, AE_IFREG, mode, mtime, len, NULL, NULL, e) < 0)
		return -1;
	return pf_tarw_data(t, buf, len, e);
}

int pf_tarw_file_fd(struct pf_tarw *t, const char *name, unsigned mode, int64_t mtime,
		    int fd, uint64_t len, struct pf_err *e)
{
	size_t bufsize = 1 << 17;
	char *buf;
	uint64_t off = 0;
	int ret = -1;

	strbuf_reset(&t->name);
	strbuf_addf(&t->name, "./%s", name);
	if (put_header(t, t->name.buf, AE_IFREG, mode, mtime, len, NULL, NULL, e) < 0)
		return -1;
	buf = pf_malloc(bufsize);
	while (off < len) {
		size_t n = len - off < bufsize ? (size_t)(len - off) : bufsize;

		if (pf_pread_all(fd, buf, n, (off_t)off) < 0) {
			pf_err_errno(e, "cannot read the spool of %s", name);
			goto out;
		}
		if (pf_tarw_data(t, buf, n, e) < 0)
			goto out;
		off += n;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

uint64_t pf_tarw_tar_bytes(struct pf_tarw *t)
{
	/* filter 0 is the tar writer's own output, before any compression */
	la_int64_t n = archive_filter_bytes(t->a, 0);

	return n < 0 ? 0 : (uint64_t)n;
}

int pf_tarw_close(struct pf_tarw *t, uint64_t *bytes, struct pf_err *e)
{
	if (archive_write_close(t->a) != ARCHIVE_OK)
		return fail(t, e);
	t->closed = true;
	if (bytes)
		*bytes = t->bytes;
	return 0;
}

void pf_tarw_free(struct pf_tarw *t)
{
	if (!t)
		return;
	if (t->a) {
		/*
		 * Freeing an unclosed archive closes it, which pads the entry
		 * being written with zeros (gigabytes of them, when a big file
		 * was cut short) and compresses them.  Refusing all output
		 * makes that stop at the compressor's first flush: one block,
		 * a few seconds of xz at most, instead of the whole file.
		 * (archive_write_fail() would skip the close, but libarchive
		 * 3.6 then leaks the block buffer and the compressor, with
		 * xz's and zstd's worker threads.)
		 */
		t->abandoned = !t->closed;
		archive_write_free(t->a);
	}
	if (t->ae)
		archive_entry_free(t->ae);
	strbuf_release(&t->name);
	strbuf_release(&t->link);
	free(t);
}

/*
 * xz with liblzma itself: libarchive cannot set the block size, and
 * blocks of a fixed size are what let every thread work on an index of
 * a megabyte or two while the bytes stay the same whatever the thread
 * count (at xz -6, 256 KiB blocks cost Packages.xz nothing in size).
 */
#define XZ_BLOCK (256u << 10)

static int xz_compress(const void *buf, size_t len, int level, int threads,
		       struct strbuf *out, struct pf_err *e)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_mt mt;
	lzma_ret r;
	size_t start = out->len;

	memset(&mt, 0, sizeof(mt));
	mt.threads = threads < 1 ? 1 : (uint32_t)threads;
	mt.block_size = XZ_BLOCK;
	mt.preset = (uint32_t)level;
	mt.check = LZMA_CHECK_CRC64;
	if (lzma_stream_encoder_mt(&z, &mt) != LZMA_OK)
		return pf_err_set(e, PF_EFAIL, "cannot set up xz compression");
	z.next_in = buf;
	z.avail_in = len;
	do {
		strbuf_grow(out, 1 << 16);
		z.next_out = (uint8_t *)out->buf + out->len;
		z.avail_out = out->alloc - out->len - 1;
		r = lzma_code(&z, LZMA_FINISH);
		strbuf_setlen(out, (size_t)((char *)z.next_out - out->buf));
	} while (r == LZMA_OK);
	lzma_end(&z);
	if (r != LZMA_STREAM_END) {
		strbuf_setlen(out, start);
		return pf_err_set(e, PF_EFAIL, "xz compression failed (%d)", (int)r);
	}
	return 0;
}

int pf_compress(const void *buf, size_t len, enum pf_comp comp, int level, int threads,
		struct strbuf *out, struct pf_err *e)
{
	struct pf_tarw *t = NULL;
	int ret = -1;

	if (comp == PF_COMP_NONE) {
		strbuf_add(out, buf, len);
		return 0;
	}
	if (comp == PF_COMP_XZ)
		return xz_compress(buf, len, level, threads, out, e);
	/* small inputs: a single-threaded encoder starts fastest, and its
	 * bytes never depend on the machine */
	if (tarw_open(&t, -1, out, true, comp, level, 0, NULL, e) < 0)
		return -1;
	if (pf_tarw_data(t, buf, len, e) < 0 || pf_tarw_close(t, NULL, e) < 0)
		goto out;
	ret = 0;
out:
	pf_tarw_free(t);
	return ret;
}
