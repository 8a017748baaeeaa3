// SPDX-License-Identifier: GPL-2.0-or-later
/* The content-addressed download cache. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "digest.h"
#include "util.h"
#include "banned.h"

char *pf_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	/* the XDG spec: a relative XDG_CACHE_HOME is invalid, ignore it */
	if (xdg && xdg[0] == '/')
		return pf_asprintf("%s/pkgforge", xdg);
	if (home && home[0] == '/')
		return pf_asprintf("%s/.cache/pkgforge", home);
	return NULL;
}

int pf_cache_open(struct pf_cache *c, const char *dir, struct pf_err *e)
{
	c->lockfd = -1;
	c->made = false;
	c->dir = dir ? pf_strdup(dir) : pf_cache_default_dir();
	if (!c->dir)
		return pf_err_set(e, PF_EFAIL,
				  "no cache directory: set HOME or XDG_CACHE_HOME, or give --cache DIR");
	return 0;
}

int pf_cache_make(struct pf_cache *c, struct pf_err *e)
{
	static const char *const kinds[] = { "sha256", "lists", "sigs" };

	if (c->made)
		return 0;
	for (size_t i = 0; i < PF_ARRAY_SIZE(kinds); i++) {
		char *sub = pf_asprintf("%s/%s", c->dir, kinds[i]);
		int r = pf_mkdir_p(sub, 0755, e);
		free(sub);
		if (r < 0)
			return pf_err_prefix(e, "cache");
	}
	c->made = true;
	return 0;
}

void pf_cache_close(struct pf_cache *c)
{
	pf_cache_unlock(c);
	free(c->dir);
	c->dir = NULL;
}

char *pf_cache_path(const struct pf_cache *c, const char *kind, const char *name)
{
	return pf_asprintf("%s/%s/%s", c->dir, kind, name);
}

bool pf_cache_has(const struct pf_cache *c, const char *hex)
{
	char *path = pf_cache_path(c, "sha256", hex);
	struct stat st;
	bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);

	free(path);
	return ok;
}

int pf_cache_lock(struct pf_cache *c, const struct pf_log *log, struct pf_err *e)
{
	char *path;

	if (c->lockfd >= 0)
		return 0;
	if (pf_cache_make(c, e) < 0)
		return -1;
	path = pf_asprintf("%s/lock", c->dir);
	c->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (c->lockfd < 0) {
		pf_err_errno(e, "cannot open %s", path);
		free(path);
		return -1;
	}
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			pf_err_errno(e, "cannot lock %s", path);
			goto fail;
		}
		pf_log(log, PF_LOG_INFO, "waiting for another pkgforge to finish downloading into %s",
		       c->dir);
		while (flock(c->lockfd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				pf_err_errno(e, "cannot lock %s", path);
				goto fail;
			}
		}
	}
	free(path);
	return 0;
fail:
	close(c->lockfd);
	c->lockfd = -1;
	free(path);
	return -1;
}

void pf_cache_unlock(struct pf_cache *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd);      /* releases the flock */
	c->lockfd = -1;
}

int pf_cache_part_open(struct pf_cache *c, const char *hex, struct pf_cache_part *p,
		       struct pf_err *e)
{
	struct stat st;
	char *name;

	if (pf_cache_make(c, e) < 0)
		return -1;
	name = pf_asprintf("%s.part", hex);

	p->path = pf_cache_path(c, "sha256", name);
	p->final = pf_cache_path(c, "sha256", hex);
	free(name);
	p->sha = pf_digest_new(PF_SHA256);
	p->fd = open(p->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (p->fd < 0 || fstat(p->fd, &st) < 0) {
		pf_err_errno(e, "cannot open %s", p->path);
		goto fail;
	}
	/* what an interrupted download left: hash it, then go on from there */
	{
		char *buf = pf_malloc(1 << 17);
		uint64_t off = 0;

		for (;;) {
			ssize_t n = pread(p->fd, buf, 1 << 17, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				pf_err_errno(e, "cannot read %s", p->path);
				free(buf);
				goto fail;
			}
			if (!n)
				break;
			pf_digest_update(p->sha, buf, n);
			off += n;
		}
		free(buf);
		p->size = off;
	}
	return 0;
fail:
	pf_cache_part_close(p);
	return -1;
}

void pf_cache_part_data(void *ctx, const void *buf, size_t len)
{
	struct pf_cache_part *p = ctx;

	pf_digest_update(p->sha, buf, len);
}

void pf_cache_part_restart(void *ctx)
{
	struct pf_cache_part *p = ctx;
	unsigned char junk[PF_DIGEST_MAX];

	pf_digest_final(p->sha, junk);  /* resets it */
	p->size = 0;
}

int pf_cache_part_commit(struct pf_cache_part *p, const char *hex, char got[65],
			 struct pf_err *e)
{
	unsigned char sha[32];

	pf_digest_final(p->sha, sha);
	pf_hex(got, sha, 32);
	if (strcmp(got, hex)) {
		unlink(p->path);
		return 1;
	}
	if (fsync(p->fd) < 0)
		return pf_err_errno(e, "cannot write %s", p->path);
	if (rename(p->path, p->final) < 0)
		return pf_err_errno(e, "cannot rename %s into place", p->path);
	{
		char *dir = pf_strdup(p->final);
		int dfd;

		*strrchr(dir, '/') = '\0';
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	return 0;
}

void pf_cache_part_close(struct pf_cache_part *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	pf_digest_free(p->sha);
	p->sha = NULL;
	free(p->path);
	free(p->final);
	p->path = p->final = NULL;
}
