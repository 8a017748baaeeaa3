// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libarchive read side (the one file that reads archives).
 *
 * Two handles share the one pass: "raw" reads the file and
 * decompresses it (any filter, the raw format: the uncompressed stream
 * as one blob); "a" parses tar from raw's output, block by block, with
 * no filter of its own.  In between, every decompressed block goes to
 * the tap once, so a signature over the uncompressed tar is checked
 * without a second decompression.  Blocks are handed over by pointer:
 * nothing is copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "source.h"
#include "util.h"
#include "arlib.h"
#include "banned.h"

#define READ_BLOCK (1 << 17)

struct pf_source {
	struct archive *raw;    /* file → decompressed stream */
	struct archive *a;      /* decompressed stream → tar entries */
	int fd;
	char *path;
	unsigned char *buf;
	uint64_t done, total;
	struct pf_digest *sha;
	struct pf_source_tap tap;
	bool raw_eof;
	bool tap_failed;        /* tap_err holds why */
	struct pf_err tap_err;
};

static ssize_t file_read_cb(struct archive *a, void *ctx, const void **out)
{
	struct pf_source *s = ctx;
	ssize_t n;

	do {
		n = read(s->fd, s->buf, READ_BLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error");
		return -1;
	}
	pf_digest_update(s->sha, s->buf, n);
	s->done += n;
	*out = s->buf;
	return n;
}

/* The next decompressed block, through the tap: 0 at the end, -1 on error
 * (the message on handle a, or tap_err). */
static ssize_t next_block(struct pf_source *s, struct archive *a, const void **out)
{
	const void *buf;
	size_t size = 0;
	la_int64_t off;
	int r;

	if (s->raw_eof)
		return 0;
	r = archive_read_data_block(s->raw, &buf, &size, &off);
	if (r == ARCHIVE_EOF) {
		s->raw_eof = true;
		return 0;
	}
	if (r != ARCHIVE_OK) {
		archive_set_error(a, archive_errno(s->raw), "%s",
				  archive_error_string(s->raw) ? archive_error_string(s->raw)
							       : "decompression error");
		return -1;
	}
	if (s->tap.data && size && s->tap.data(s->tap.ctx, buf, size, &s->tap_err) < 0) {
		s->tap_failed = true;
		archive_set_error(a, -1, "%s", s->tap_err.msg.buf);
		return -1;
	}
	*out = buf;
	return (ssize_t)size;
}

static ssize_t tar_read_cb(struct archive *a, void *ctx, const void **out)
{
	return next_block(ctx, a, out);
}

/* e from a failure of handle a: the tap's own error, or msg + libarchive's. */
static int fail(struct pf_source *s, struct pf_err *e, const char *what)
{
	if (s->tap_failed) {
		pf_err_set(e, s->tap_err.code ? s->tap_err.code : PF_EFAIL, "%s", s->tap_err.msg.buf);
		e->errnum = s->tap_err.errnum;
		return -1;
	}
	return pf_err_set(e, PF_EINVAL, "%s: %s: %s", s->path, what, archive_error_string(s->a));
}

int pf_source_open(struct pf_source **out, const char *path, int fd,
		   const struct pf_source_tap *tap, struct pf_err *e)
{
	static const char unreadable[] = "not a readable tar archive (corrupt, truncated or another format)";
	struct pf_source *s;
	struct archive_entry *ae;
	struct stat st;

	*out = NULL;
	if (pf_libarchive_load(e) < 0)
		return -1;
	s = pf_calloc(1, sizeof(*s));
	s->fd = fd;
	s->path = pf_strdup(path);
	s->buf = pf_malloc(READ_BLOCK);
	s->sha = pf_digest_new(PF_SHA256);
	if (tap)
		s->tap = *tap;
	if (fstat(fd, &st) == 0)
		s->total = st.st_size;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		pf_err_errno(e, "%s", path);
		goto fail;
	}
	s->raw = archive_read_new();
	archive_read_support_filter_gzip(s->raw);
	archive_read_support_filter_xz(s->raw);
	archive_read_support_filter_zstd(s->raw);
	archive_read_support_filter_bzip2(s->raw);
	archive_read_support_filter_lzma(s->raw);
	archive_read_support_format_raw(s->raw);
	if (archive_read_open(s->raw, s, NULL, file_read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(s->raw, &ae) != ARCHIVE_OK) {
		pf_err_set(e, PF_EINVAL, "%s: %s: %s", path, unreadable,
			   archive_error_string(s->raw));
		goto fail;
	}
	s->a = archive_read_new();
	archive_read_support_format_tar(s->a);
	archive_read_support_format_gnutar(s->a);
	if (archive_read_open(s->a, s, NULL, tar_read_cb, NULL) != ARCHIVE_OK) {
		fail(s, e, unreadable);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	pf_source_close(s);
	return -1;
}

int pf_source_next(struct pf_source *s, struct pf_srcentry *ent, struct pf_err *e)
{
	struct archive_entry *ae;
	int r = archive_read_next_header(s->a, &ae);
	const char *p;
	mode_t mode;

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return fail(s, e, "corrupt or truncated archive");
	memset(ent, 0, sizeof(*ent));
	p = archive_entry_pathname(ae);
	if (!p)
		return pf_err_set(e, PF_EINVAL, "%s: an entry has no name", s->path);
	ent->path = p;
	mode = archive_entry_mode(ae);
	ent->mode = mode;
	ent->mtime = archive_entry_mtime(ae);
	ent->size = archive_entry_size(ae);
	if (archive_entry_hardlink(ae)) {
		ent->type = PF_S_HARDLINK;
		ent->link = archive_entry_hardlink(ae);
		return 1;
	}
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		ent->type = PF_S_REG;
		break;
	case AE_IFDIR:
		ent->type = PF_S_DIR;
		break;
	case AE_IFLNK:
		ent->type = PF_S_SYMLINK;
		ent->link = archive_entry_symlink(ae);
		if (!ent->link)
			ent->link = "";
		break;
	case AE_IFCHR:
		ent->type = PF_S_OTHER;
		ent->typename = "character device";
		break;
	case AE_IFBLK:
		ent->type = PF_S_OTHER;
		ent->typename = "block device";
		break;
	case AE_IFIFO:
		ent->type = PF_S_OTHER;
		ent->typename = "FIFO";
		break;
	case AE_IFSOCK:
		ent->type = PF_S_OTHER;
		ent->typename = "socket";
		break;
	default:
		ent->type = PF_S_OTHER;
		ent->typename = "file of unknown type";
		break;
	}
	return 1;
}

ssize_t pf_source_read(struct pf_source *s, void *buf, size_t len, struct pf_err *e)
{
	la_ssize_t n = archive_read_data(s->a, buf, len);

	if (n < 0)
		return fail(s, e, "corrupt or truncated archive");
	return n;
}

void pf_source_progress(const struct pf_source *s, uint64_t *done, uint64_t *total)
{
	*done = s->done;
	*total = s->total;
}

int pf_source_finish(struct pf_source *s, unsigned char out[32], struct pf_err *e)
{
	/* the decompressed bytes after the tar's end (its zero padding) */
	for (;;) {
		const void *buf;
		ssize_t n = next_block(s, s->a, &buf);

		if (n < 0)
			return fail(s, e, "corrupt or truncated archive");
		if (!n)
			break;
	}
	/* the compressed bytes libarchive did not need to reach the end */
	for (;;) {
		ssize_t n = read(s->fd, s->buf, READ_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pf_err_errno(e, "%s", s->path);
		if (!n)
			break;
		pf_digest_update(s->sha, s->buf, n);
		s->done += n;
	}
	pf_digest_final(s->sha, out);
	return 0;
}

const char *pf_source_filter(struct pf_source *s)
{
	return archive_filter_name(s->raw, 0);
}

void pf_source_close(struct pf_source *s)
{
	if (!s)
		return;
	if (s->a)
		archive_read_free(s->a);
	if (s->raw)
		archive_read_free(s->raw);
	pf_digest_free(s->sha);
	pf_err_release(&s->tap_err);
	free(s->buf);
	free(s->path);
	free(s);
}
