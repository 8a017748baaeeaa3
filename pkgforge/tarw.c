// SPDX-License-Identifier: GPL-2.0-or-later
/* libarchive write side for tar streams. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "compress.h"
#include "tarw.h"
#include "util.h"
#include "arlib.h"
#include "banned.h"

struct pf_tarw {
	struct archive *a;              /* NULL for a bare stream */
	struct archive_entry *ae;
	struct pf_zstream *z;
	int fd;
	struct strbuf *mem;
	struct pf_digest *out_digest;   /* fed every output byte, or NULL */
	uint64_t bytes;
	struct pf_err err;              /* the first output error */
	bool failed;
	bool closed;
	bool abandoned;                 /* freed unclosed: take no more output */
	struct strbuf name;
	struct strbuf link;
};

/* Where the compressor's output goes. */
static int sink(void *ctx, const void *buf, size_t len, struct pf_err *e)
{
	struct pf_tarw *t = ctx;

	if (t->mem)
		strbuf_add(t->mem, buf, len);
	else if (pf_write_all(t->fd, buf, len) < 0)
		return pf_err_errno(e, "cannot write a compressed stream");
	if (t->out_digest)
		pf_digest_update(t->out_digest, buf, len);
	t->bytes += len;
	return 0;
}

/* libarchive's tar writer hands its blocks to the compressor. */
static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct pf_tarw *t = ctx;

	if (t->abandoned || t->failed) {
		archive_set_error(a, ECANCELED, "abandoned");
		return -1;
	}
	if (pf_zstream_write(t->z, buf, len, &t->err) < 0) {
		t->failed = true;
		archive_set_error(a, EIO, "%s", t->err.msg.buf);
		return -1;
	}
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

static int tarw_open(struct pf_tarw **out, int fd, struct strbuf *mem, bool raw,
		     enum pf_comp comp, int level, int threads,
		     struct pf_digest *out_digest, struct pf_err *e)
{
	struct pf_tarw *t = pf_calloc(1, sizeof(*t));

	t->fd = fd;
	t->mem = mem;
	t->out_digest = out_digest;
	strbuf_init(&t->name, 0);
	strbuf_init(&t->link, 0);
	strbuf_init(&t->err.loc, 0);
	strbuf_init(&t->err.msg, 0);
	if (pf_zstream_open(&t->z, comp, level, threads, sink, t, e) < 0)
		goto fail;
	if (raw) {
		*out = t;
		return 0;
	}
	if (pf_libarchive_load(e) < 0)
		goto fail;
	t->a = archive_write_new();
	t->ae = archive_entry_new();
	archive_write_set_format_gnutar(t->a);
	archive_write_set_bytes_per_block(t->a, 10240);
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (archive_write_open(t->a, t, NULL, write_cb, NULL) != ARCHIVE_OK) {
		pf_err_set(e, PF_EFAIL, "cannot start a tar stream: %s",
			   archive_error_string(t->a));
		goto fail;
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
	if (t->failed) {
		pf_err_set(e, t->err.code ? t->err.code : PF_EFAIL, "%s", t->err.msg.buf);
		e->errnum = t->err.errnum;
		return -1;
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

	if (!t->a)
		return pf_zstream_write(t->z, buf, len, e);
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
	return pf_zstream_in_bytes(t->z);
}

int pf_tarw_close(struct pf_tarw *t, uint64_t *bytes, struct pf_err *e)
{
	if (t->a && archive_write_close(t->a) != ARCHIVE_OK)
		return fail(t, e);
	/* the compressor's memory goes now, not when the writer is freed */
	if (pf_zstream_finish(t->z, e) < 0)
		return -1;
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
		 * was cut short).  Refusing all output makes that stop at once.
		 */
		t->abandoned = !t->closed;
		archive_write_free(t->a);
	}
	if (t->ae)
		archive_entry_free(t->ae);
	pf_zstream_free(t->z);
	pf_err_release(&t->err);
	strbuf_release(&t->name);
	strbuf_release(&t->link);
	free(t);
}
