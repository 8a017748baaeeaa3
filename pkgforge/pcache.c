// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ofile.h"
#include "pcache.h"
#include "util.h"
#include "banned.h"

int pf_pcache_open(struct pf_pcache *pc, const char *dir, struct pf_err *e)
{
	pc->dir = pf_strdup(dir);
	if (pf_mkdir_p(dir, 0755, e) < 0) {
		pf_pcache_release(pc);
		return -1;
	}
	return 0;
}

void pf_pcache_release(struct pf_pcache *pc)
{
	free(pc->dir);
	pc->dir = NULL;
}

static char *item_path(const struct pf_pcache *pc, const char *key, const char *kind)
{
	return pf_asprintf("%s/%s.%s", pc->dir, key, kind);
}

bool pf_pcache_has(const struct pf_pcache *pc, const char *key, const char *kind)
{
	char *p = item_path(pc, key, kind);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);

	free(p);
	return ok;
}

int pf_pcache_put_fd(const struct pf_pcache *pc, const char *key, const char *kind,
		     int fd, uint64_t off, uint64_t len, struct pf_err *e)
{
	struct pf_ofile o = PF_OFILE_INIT;
	char *p = item_path(pc, key, kind);
	int ret = -1;

	if (pf_ofile_open(&o, p, e) < 0)
		goto out;
	if (pf_copy_range(fd, (off_t)off, o.fd, len) < 0) {
		pf_err_errno(e, "cannot write %s", p);
		pf_ofile_abort(&o);
		goto out;
	}
	ret = pf_ofile_commit(&o, 0644, e);
out:
	free(p);
	return ret;
}

int pf_pcache_put_buf(const struct pf_pcache *pc, const char *key, const char *kind,
		      const void *buf, size_t len, struct pf_err *e)
{
	char *p = item_path(pc, key, kind);
	int ret = pf_ofile_put(p, buf, len, e);

	free(p);
	return ret;
}

int pf_pcache_open_item(const struct pf_pcache *pc, const char *key, const char *kind,
			int *fdp, uint64_t *len, struct pf_err *e)
{
	char *p = item_path(pc, key, kind);
	struct stat st;
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		pf_err_errno(e, "cannot read %s", p);
		if (fd >= 0)
			close(fd);
		free(p);
		return -1;
	}
	free(p);
	*fdp = fd;
	*len = (uint64_t)st.st_size;
	return 0;
}

int pf_pcache_read(const struct pf_pcache *pc, const char *key, const char *kind,
		   struct strbuf *out, struct pf_err *e)
{
	char buf[65536];
	uint64_t len;
	int fd, ret = -1;

	if (pf_pcache_open_item(pc, key, kind, &fd, &len, e) < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pf_err_errno(e, "cannot read the payload cache");
			goto out;
		}
		if (!n)
			break;
		strbuf_add(out, buf, (size_t)n);
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

char *pf_pcache_field(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (len > n && !strncmp(l, name, n) && l[n] == ' ')
			return pf_strndup(l + n + 1, len - n - 1);
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}
