// SPDX-License-Identifier: GPL-2.0-or-later
/* libarchive read side (the one file that reads archives). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "digest.h"
#include "source.h"
#include "util.h"
#include "banned.h"

#define READ_BLOCK (1 << 17)

struct pf_source {
	struct archive *a;
	int fd;
	char *path;
	unsigned char *buf;
	uint64_t done, total;
	struct pf_digest *sha;
	char *pathbuf;
};

static ssize_t read_cb(struct archive *a, void *ctx, const void **out)
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

int pf_source_open(struct pf_source **out, const char *path, int fd,
		   struct pf_err *e)
{
	struct pf_source *s = pf_calloc(1, sizeof(*s));
	struct stat st;

	s->fd = fd;
	s->path = pf_strdup(path);
	s->buf = pf_malloc(READ_BLOCK);
	s->sha = pf_digest_new(PF_SHA256);
	if (fstat(fd, &st) == 0)
		s->total = st.st_size;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		pf_err_errno(e, "%s", path);
		goto fail;
	}
	s->a = archive_read_new();
	archive_read_support_filter_gzip(s->a);
	archive_read_support_filter_xz(s->a);
	archive_read_support_filter_zstd(s->a);
	archive_read_support_filter_bzip2(s->a);
	archive_read_support_filter_lzma(s->a);
	archive_read_support_format_tar(s->a);
	archive_read_support_format_gnutar(s->a);
	if (archive_read_open(s->a, s, NULL, read_cb, NULL) != ARCHIVE_OK) {
		pf_err_set(e, PF_EINVAL, "%s: not a readable tar archive (corrupt, truncated or another format): %s",
			   path, archive_error_string(s->a));
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
		return pf_err_set(e, PF_EINVAL, "%s: corrupt or truncated archive: %s",
				  s->path, archive_error_string(s->a));
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
		return pf_err_set(e, PF_EINVAL, "%s: corrupt or truncated archive: %s",
				  s->path, archive_error_string(s->a));
	return n;
}

void pf_source_progress(const struct pf_source *s, uint64_t *done, uint64_t *total)
{
	*done = s->done;
	*total = s->total;
}

void pf_source_sha256(struct pf_source *s, unsigned char out[32])
{
	/* hash whatever libarchive did not need to reach the end of the file */
	for (;;) {
		ssize_t n = read(s->fd, s->buf, READ_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pf_digest_update(s->sha, s->buf, n);
		s->done += n;
	}
	pf_digest_final(s->sha, out);
}

const char *pf_source_filter(struct pf_source *s)
{
	return archive_filter_name(s->a, 0);
}

void pf_source_close(struct pf_source *s)
{
	if (!s)
		return;
	if (s->a)
		archive_read_free(s->a);
	pf_digest_free(s->sha);
	free(s->buf);
	free(s->path);
	free(s->pathbuf);
	free(s);
}
