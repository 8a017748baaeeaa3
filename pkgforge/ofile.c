// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ofile.h"
#include "util.h"
#include "banned.h"

/*
 * Temporary paths that a signal handler must remove.  A fixed table of
 * pointers keeps the handler async-signal-safe: it only reads it.
 */
#define MAX_PENDING 256
static char *volatile pending[MAX_PENDING];
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

static void pending_add(char *tmp)
{
	pthread_mutex_lock(&pending_lock);
	for (int i = 0; i < MAX_PENDING; i++) {
		if (!pending[i]) {
			pending[i] = tmp;
			break;
		}
	}
	pthread_mutex_unlock(&pending_lock);
}

static void pending_del(char *tmp)
{
	pthread_mutex_lock(&pending_lock);
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
	pthread_mutex_unlock(&pending_lock);
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		char *p = pending[i];
		if (p)
			unlink(p);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void pf_ofile_install_signal_cleanup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int pf_ofile_open(struct pf_ofile *o, const char *path, struct pf_err *e)
{
	char *dircopy = pf_strdup(path), *basecopy = pf_strdup(path);

	o->path = pf_strdup(path);
	o->tmp = pf_asprintf("%s/.%s.tmp.XXXXXX", dirname(dircopy), basename(basecopy));
	free(dircopy);
	free(basecopy);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		pf_err_errno(e, "cannot create a temporary file for %s", path);
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
		return -1;
	}
	pending_add(o->tmp);
	return 0;
}

int pf_ofile_open_link(struct pf_ofile *o, const char *path, const char *source,
		       struct pf_err *e)
{
	/* a free name (made by mkostemp), then the link under it: another
	 * process taking the name in between only costs another try */
	for (int tries = 0; tries < 16; tries++) {
		int saved;

		if (pf_ofile_open(o, path, e) < 0)
			return -1;
		close(o->fd);
		o->fd = -1;
		unlink(o->tmp);
		if (link(source, o->tmp) == 0) {
			o->fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
			if (o->fd >= 0)
				return 0;
		}
		saved = errno;
		if (saved != EEXIST)
			pf_err_errno(e, "cannot link %s to %s", o->tmp, source);
		pf_ofile_abort(o);
		errno = saved;
		if (saved != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return pf_err_errno(e, "cannot link a temporary file for %s", path);
}

int pf_ofile_write(struct pf_ofile *o, const void *buf, size_t len, struct pf_err *e)
{
	if (pf_write_all(o->fd, buf, len) < 0)
		return pf_err_errno(e, "cannot write %s", o->path);
	return 0;
}

int pf_ofile_writev(struct pf_ofile *o, struct iovec *iov, size_t n, struct pf_err *e)
{
	while (n) {
		int k = n > 512 ? 512 : (int)n;
		ssize_t w = writev(o->fd, iov, k);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return pf_err_errno(e, "cannot write %s", o->path);
		/* past what went out; a buffer cut short is taken up again */
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static void fsync_dir(const char *path)
{
	char *copy = pf_strdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int pf_ofile_sync(struct pf_ofile *o, unsigned mode, struct pf_err *e)
{
	if (fchmod(o->fd, mode ? mode : 0644) < 0 || fsync(o->fd) < 0) {
		pf_err_errno(e, "cannot write %s", o->path);
		goto fail;
	}
	if (close(o->fd) < 0) {
		o->fd = -1;
		pf_err_errno(e, "cannot write %s", o->path);
		goto fail;
	}
	o->fd = -1;
	return 0;
fail:
	pf_ofile_abort(o);
	return -1;
}

bool pf_ofile_is_temp(const char *name)
{
	const char *t = strstr(name, ".tmp.");

	return name[0] == '.' && t && strlen(t) == strlen(".tmp.XXXXXX");
}

void pf_ofile_start_sync(struct pf_ofile *o)
{
	/* a hint: fsync waits for what is under way, so files written
	 * back together cost about one wait, not one each */
	if (o->fd >= 0)
		sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int pf_ofile_rename(struct pf_ofile *o, struct pf_err *e)
{
	if (rename(o->tmp, o->path) < 0) {
		pf_err_errno(e, "cannot rename into %s", o->path);
		pf_ofile_abort(o);
		return -1;
	}
	pending_del(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void pf_fsync_dir_of(const char *path)
{
	fsync_dir(path);
}

int pf_ofile_commit(struct pf_ofile *o, unsigned mode, struct pf_err *e)
{
	char *path;
	int ret;

	if (pf_ofile_sync(o, mode, e) < 0)
		return -1;
	path = pf_strdup(o->path);
	ret = pf_ofile_rename(o, e);
	if (!ret)
		fsync_dir(path);
	free(path);
	return ret;
}

void pf_ofile_abort(struct pf_ofile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp) {
		unlink(o->tmp);
		pending_del(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

int pf_ofile_put(const char *path, const void *buf, size_t len, struct pf_err *e)
{
	struct pf_ofile o = PF_OFILE_INIT;

	if (pf_ofile_open(&o, path, e) < 0)
		return -1;
	if (pf_ofile_write(&o, buf, len, e) < 0) {
		pf_ofile_abort(&o);
		return -1;
	}
	return pf_ofile_commit(&o, 0644, e);
}

int pf_ofile_put_nosync(const char *path, const void *buf, size_t len, struct pf_err *e)
{
	struct iovec iov = { (void *)buf, len };

	return pf_ofile_putv_nosync(path, &iov, 1, e);
}

int pf_ofile_putv_nosync(const char *path, struct iovec *iov, size_t n, struct pf_err *e)
{
	struct pf_ofile o = PF_OFILE_INIT;

	if (pf_ofile_open(&o, path, e) < 0)
		return -1;
	if (pf_ofile_writev(&o, iov, n, e) < 0)
		goto fail;
	if (fchmod(o.fd, 0644) < 0 || close(o.fd) < 0) {
		o.fd = -1;
		pf_err_errno(e, "cannot write %s", path);
		goto fail;
	}
	o.fd = -1;
	return pf_ofile_rename(&o, e);
fail:
	pf_ofile_abort(&o);
	return -1;
}

int pf_tmpfile(const char *dir, struct pf_err *e)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char *tmpl;

	if (fd >= 0)
		return fd;
	tmpl = pf_asprintf("%s/.pkgforge-spool.XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		pf_err_errno(e, "cannot create a temporary file in %s", dir);
	else
		unlink(tmpl);
	free(tmpl);
	return fd;
}
