// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A repository's packages: finding them, reading the new ones (once,
 * several at once), signing rpms before anything names them, adding
 * packages to their place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "ofile.h"
#include "repo-priv.h"
#include "strmap.h"
#include "util.h"
#include "banned.h"

enum pf_fmt_id pf_repo_fmt_of(const char *path)
{
	return pf_ends_with(path, ".rpm") ? PF_FMT_RPM :
	       pf_ends_with(path, ".ipk") ? PF_FMT_IPK : PF_FMT_DEB;
}

static int digest_file(const char *path, struct pf_repopkg *p, struct pf_err *e)
{
	struct pf_digest *sha = pf_digest_new(PF_SHA256), *md5 = pf_digest_new(PF_MD5);
	unsigned char d[32];
	size_t bufsize = 1 << 18;
	char *buf = pf_malloc(bufsize);
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	ssize_t n;

	if (fd < 0) {
		pf_err_errno(e, "cannot open %s", path);
		goto out;
	}
	while ((n = read(fd, buf, bufsize)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pf_err_errno(e, "cannot read %s", path);
			goto out;
		}
		pf_digest_update(sha, buf, (size_t)n);
		if (p->fmt == PF_FMT_DEB)
			pf_digest_update(md5, buf, (size_t)n);
	}
	pf_digest_final(sha, d);
	pf_hex(p->sha256, d, 32);
	if (p->fmt == PF_FMT_DEB) {     /* apt's MD5sum */
		pf_digest_final(md5, d);
		pf_hex(p->md5, d, 16);
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	pf_digest_free(sha);
	pf_digest_free(md5);
	return ret;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void stat_key(const struct stat *st, struct pf_repopkg *p)
{
	p->size = (uint64_t)st->st_size;
	p->ino = (uint64_t)st->st_ino;
	p->mtime_ns = mtime_ns(st);
}

/* Packages up to this size are read into memory once, hashed and parsed
 * there; bigger ones are read twice (hashed, then parsed). */
#define READ_WHOLE (16u << 20)

static int read_whole(int fd, const char *path, size_t len, char **out, struct pf_err *e)
{
	char *buf = pf_malloc(len ? len : 1);
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			if (n == 0)
				return pf_err_set(e, PF_EFAIL, "%s changed while it was read", path);
			return pf_err_errno(e, "cannot read %s", path);
		}
		got += (size_t)n;
	}
	*out = buf;
	return 0;
}

/* Read the package at relpath into p: metadata, digests, the format's
 * fields.  Safe to run in several threads at once. */
static int read_one(const char *root, const struct pf_repo_cfg *cfg, const char *relpath,
		    struct pf_repopkg *p, struct pf_err *e)
{
	char *full = pf_asprintf("%s/%s", root, relpath), *buf = NULL;
	struct stat st, st2;
	int fd = -1, ret = -1;

	memset(p, 0, sizeof(*p));
	p->relpath = pf_strdup(relpath);
	p->fmt = pf_repo_fmt_of(relpath);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		pf_err_errno(e, "cannot read %s", full);
		goto out;
	}
	stat_key(&st, p);
	if ((uint64_t)st.st_size <= READ_WHOLE) {
		unsigned char d[32];

		if (read_whole(fd, full, (size_t)st.st_size, &buf, e) < 0)
			goto out;
		pf_digest_buf(PF_SHA256, buf, (size_t)st.st_size, d);
		pf_hex(p->sha256, d, 32);
		if (p->fmt == PF_FMT_DEB) {     /* apt's MD5sum */
			pf_digest_buf(PF_MD5, buf, (size_t)st.st_size, d);
			pf_hex(p->md5, d, 16);
		}
		if (pf_pkginfo_read_mem(full, buf, (size_t)st.st_size, &p->info, e) < 0)
			goto out;
	} else if (pf_pkginfo_read(full, &p->info, e) < 0 || digest_file(full, p, e) < 0) {
		goto out;
	}
	if (fstat(fd, &st2) < 0 || st2.st_size != st.st_size ||
	    st2.st_mtim.tv_sec != st.st_mtim.tv_sec || st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		pf_err_set(e, PF_EFAIL, "%s changed while it was read", full);
		goto out;
	}
	free(p->info.path);
	p->info.path = pf_strdup(relpath);
	if (p->info.rpm) {
		p->buildtime = p->info.rpm->buildtime;
		memcpy(p->sigkey, p->info.rpm->sigkeyid, sizeof(p->sigkey));
		p->ident = pf_strdup(p->info.rpm->hdrsha256[0] ? p->info.rpm->hdrsha256 : p->sha256);
	} else {
		p->ident = pf_strdup(p->sha256);
	}
	if (pf_repofmts[p->fmt]->prepare(cfg, p, e) < 0)
		goto out;
	for (int k = 0; k < 3; k++)
		if (p->field[k]) {
			p->field_len[k] = strlen(p->field[k]);
			pf_digest_buf(PF_SHA256, p->field[k], p->field_len[k], p->field_sha[k]);
		}
	ret = 0;
out:
	/* what only prepare() needed */
	free(p->info.control);
	p->info.control = NULL;
	pf_rpmmeta_free(p->info.rpm);
	p->info.rpm = NULL;
	if (fd >= 0)
		close(fd);
	free(buf);
	free(full);
	return ret;
}

struct task {
	const char *relpath;
	struct pf_repopkg *p;
	struct pf_err e;
	int rc;
};

struct readers {
	const char *root;
	const struct pf_repo_cfg *cfg;
	struct task *t;
	size_t n;
	atomic_size_t next;
	atomic_bool failed;
};

static void *reader(void *arg)
{
	struct readers *rd = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&rd->next, 1);

		if (i >= rd->n || atomic_load(&rd->failed))
			break;
		rd->t[i].rc = read_one(rd->root, rd->cfg, rd->t[i].relpath, rd->t[i].p, &rd->t[i].e);
		if (rd->t[i].rc < 0)
			atomic_store(&rd->failed, true);
	}
	return NULL;
}

/*
 * Readers for a batch: one per READ_SHARE of work (the bytes, and a
 * package's own cost as READ_EACH bytes), up to the threads allowed.
 * A few small packages take a fraction of a millisecond on this thread;
 * another started for them waits for a core the index's other threads
 * (scan, checks) keep busy, and the batch waits for it.
 */
#define READ_EACH (64u << 10)
#define READ_SHARE (4u << 20)

static size_t readers_for(size_t n, uint64_t bytes, size_t threads)
{
	uint64_t work = bytes + (uint64_t)n * READ_EACH;

	if (!bytes || work / READ_SHARE + 1 >= threads)
		return threads;
	return (size_t)(work / READ_SHARE) + 1;
}

/* Read the packages at relpaths (in parallel); append them to r->pkgs. */
int pf_repo_read_many(struct pf_repo *r, char *const *relpaths, size_t n, uint64_t bytes,
		      struct pf_err *e)
{
	struct readers rd;
	pthread_t th[64];
	size_t nth = readers_for(n, bytes, (size_t)r->opts.threads), started = 0;
	int ret = 0;

	if (!n)
		return 0;
	memset(&rd, 0, sizeof(rd));
	rd.root = r->root;
	rd.cfg = &r->cfg;
	rd.t = pf_calloc(n, sizeof(*rd.t));
	rd.n = n;
	atomic_init(&rd.next, 0);
	atomic_init(&rd.failed, false);
	for (size_t i = 0; i < n; i++) {
		rd.t[i].relpath = relpaths[i];
		rd.t[i].p = pf_calloc(1, sizeof(struct pf_repopkg));
		rd.t[i].e = (struct pf_err)PF_ERR_INIT;
		rd.t[i].rc = 1;         /* not read */
	}
	if (nth > PF_ARRAY_SIZE(th))
		nth = PF_ARRAY_SIZE(th);
	if (nth > n)
		nth = n;
	for (size_t i = 1; i < nth; i++)
		if (pthread_create(&th[started], NULL, reader, &rd) == 0)
			started++;
	reader(&rd);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (rd.t[i].rc < 0 && !ret) {
			/* the first failure in path order: the same message every time */
			pf_err_set(e, rd.t[i].e.code ? rd.t[i].e.code : PF_EFAIL, "%s",
				   rd.t[i].e.msg.buf);
			e->errnum = rd.t[i].e.errnum;
			ret = -1;
		}
		if (rd.t[i].rc == 0) {
			pf_strmap_release(&r->by_path);
			PF_ALLOC_GROW(r->pkgs, r->nr + 1, r->alloc);
			r->pkgs[r->nr++] = rd.t[i].p;
			rd.t[i].p->seen = true;
			r->read++;
			r->dirty = true;
		} else {
			pf_repopkg_release(rd.t[i].p);
			free(rd.t[i].p);
		}
		pf_err_release(&rd.t[i].e);
	}
	free(rd.t);
	return ret;
}

ssize_t pf_repo_find_pkg(struct pf_repo *r, const char *relpath)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->pkgs[i]->relpath, relpath))
			return (ssize_t)i;
	return -1;
}

void pf_repo_drop_pkg(struct pf_repo *r, size_t i)
{
	r->dirty = true;
	pf_strmap_release(&r->by_path);
	pf_repocache_gone(r->cache, r->pkgs[i]);
	pf_repopkg_release(r->pkgs[i]);
	free(r->pkgs[i]);
	memmove(&r->pkgs[i], &r->pkgs[i + 1], (r->nr - i - 1) * sizeof(*r->pkgs));
	r->nr--;
}

/* ------------------------------------------------------------ finding */

/* A package file found, with what its cache key needs (not the whole
 * struct stat: 2,000 of those were some 70 fresh pages a run). */
struct found {
	char *rel;
	uint64_t size, ino;
	int64_t mtime_ns;
	unsigned short slot;            /* deferred: its directory's */
	bool skip;                      /* not a regular file after all */
};

static void found_stat(struct found *f, const struct stat *st)
{
	f->size = (uint64_t)st->st_size;
	f->ino = (uint64_t)st->st_ino;
	f->mtime_ns = mtime_ns(st);
}

struct founds {
	struct found *v;
	size_t nr, alloc;
};

/*
 * The stat() of each package file, left for later: the early scan lists
 * the directories, then its thread and the one that waits for it share
 * the stats (a couple of microseconds each, most of the scan), rather
 * than one waiting while the other works.  The directories stay open
 * meanwhile, up to SCAN_DIRS of them; files of others are stat()ed as
 * they are listed.
 */
#define SCAN_DIRS 64

struct deferred {
	DIR *dirs[SCAN_DIRS];
	size_t ndirs;
	size_t *idx;                    /* the entries of founds to stat */
	size_t n, alloc;
	atomic_size_t next;
	atomic_bool failed;
};

static void stat_deferred(struct founds *out, struct deferred *df)
{
	for (;;) {
		size_t k = atomic_fetch_add(&df->next, 1);
		struct found *f;
		struct stat st;

		if (k >= df->n)
			break;
		f = &out->v[df->idx[k]];
		if (fstatat(dirfd(df->dirs[f->slot]), strrchr(f->rel, '/') + 1, &st,
			    AT_SYMLINK_NOFOLLOW) < 0)
			atomic_store(&df->failed, true);
		else if (!S_ISREG(st.st_mode))
			f->skip = true;
		else
			found_stat(f, &st);
	}
}

/* Once both are done: what was not a file goes; false if a stat failed. */
static bool deferred_end(struct founds *out, struct deferred *df)
{
	size_t m = 0;

	for (size_t i = 0; i < df->ndirs; i++)
		closedir(df->dirs[i]);
	free(df->idx);
	for (size_t i = 0; i < out->nr; i++) {
		if (out->v[i].skip)
			free(out->v[i].rel);
		else
			out->v[m++] = out->v[i];
	}
	out->nr = m;
	return !atomic_load(&df->failed);
}

/* A new entry for rel/name, the rest zero. */
static struct found *found_add(struct founds *out, const char *rel, const char *name)
{
	struct found *f;

	PF_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	f = &out->v[out->nr++];
	memset(f, 0, sizeof(*f));
	f->rel = pf_path_join(rel, name);
	return f;
}

static int scan(const char *root, const char *rel, const struct pf_repofmt *f, int depth,
		struct founds *out, struct deferred *df, struct pf_err *e)
{
	char *dir = pf_asprintf("%s/%s", root, rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0, slot = -1;

	if (!d) {
		ret = errno == ENOENT ? 0 : pf_err_errno(e, "cannot read %s", dir);
		free(dir);
		return ret;
	}
	while (!ret && (de = readdir(d)) != NULL) {
		bool isdir = de->d_type == DT_DIR, isreg = de->d_type == DT_REG;
		struct stat st;

		if (de->d_name[0] == '.') {
			/* a killed run's temporary file (signing in place) */
			if (pf_ofile_is_temp(de->d_name) &&
			    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode))
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		/* rpm-md's metadata lives among the rpms */
		if (depth == 0 && f->fmt == PF_FMT_RPM && !strcmp(de->d_name, "repodata"))
			continue;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				ret = pf_err_errno(e, "cannot read %s/%s", dir, de->d_name);
				break;
			}
			isdir = S_ISDIR(st.st_mode);
			isreg = S_ISREG(st.st_mode);
		}
		if (isdir) {
			char *r = pf_asprintf("%s/%s", rel, de->d_name);

			/* opkg feeds: ipk/<arch>/X.ipk, nothing deeper */
			if (depth > 32)
				ret = pf_err_set(e, PF_EINVAL, "%s/%s: directories nested too deep", dir,
						 de->d_name);
			else if (!(f->fmt == PF_FMT_IPK && depth >= 1))
				ret = scan(root, r, f, depth + 1, out, df, e);
			free(r);
		} else if (isreg && pf_repo_fmt_of(de->d_name) == f->fmt && pf_pkgin_known(de->d_name) &&
			   !(f->fmt == PF_FMT_IPK && depth != 1)) {
			if (df && slot < 0 && df->ndirs < SCAN_DIRS) {
				slot = (int)df->ndirs++;
				df->dirs[slot] = d;
			}
			if (slot >= 0) {
				found_add(out, rel, de->d_name)->slot = (unsigned short)slot;
				PF_ALLOC_GROW(df->idx, df->n + 1, df->alloc);
				df->idx[df->n++] = out->nr - 1;
				continue;
			}
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				ret = pf_err_errno(e, "cannot read %s/%s", dir, de->d_name);
				break;
			}
			if (!S_ISREG(st.st_mode))
				continue;
			found_stat(found_add(out, rel, de->d_name), &st);
		}
	}
	if (slot < 0)
		closedir(d);    /* else deferred_end closes it */
	free(dir);
	return ret;
}

/* Every package file; with df, their stats deferred (stat_deferred). */
static int scan_all(const char *root, struct founds *out, struct deferred *df, struct pf_err *e)
{
	for (int f = 0; f < PF_FMT_NR; f++)
		if (scan(root, pf_repofmts[f]->dir, pf_repofmts[f], 0, out, df, e) < 0)
			return -1;
	return 0;
}

static void founds_release(struct founds *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i].rel);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * The scan started as the repository is opened, on a thread of its own
 * while the index cache loads.  pf_repo_find_all takes what it found;
 * adding a package drops it first (the pool changes, and the scan
 * removes temporary files there).
 */
struct pf_scan {
	pthread_t th;
	const char *root;
	struct founds files;
	struct deferred df;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool listed;                    /* df is complete: stats may start */
	struct pf_err err;
	int ret;
	bool joined;                    /* its thread is done */
};

static void *scan_run(void *arg)
{
	struct pf_scan *s = arg;

	s->ret = scan_all(s->root, &s->files, &s->df, &s->err);
	pthread_mutex_lock(&s->lock);
	if (s->ret < 0)
		s->df.n = 0;            /* nothing to share: the error is told again */
	s->listed = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	stat_deferred(&s->files, &s->df);
	return NULL;
}

void pf_repo_scan_start(struct pf_repo *r)
{
	struct pf_scan *s;

	if (r->scan || r->opts.threads <= 1)
		return;
	s = pf_calloc(1, sizeof(*s));
	s->root = r->root;
	s->err = (struct pf_err)PF_ERR_INIT;
	atomic_init(&s->df.next, 0);
	atomic_init(&s->df.failed, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->th, NULL, scan_run, s)) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s);
		return;
	}
	r->scan = s;
}

/* Wait for it; what it found goes to out when out is not NULL and it
 * went well (true), else it is dropped. */
static bool scan_finish(struct pf_repo *r, struct founds *out)
{
	struct pf_scan *s = r->scan;
	bool ok;

	if (!s)
		return false;
	if (out) {
		/* its listing done, a hand with the stats */
		pthread_mutex_lock(&s->lock);
		while (!s->listed)
			pthread_cond_wait(&s->cond, &s->lock);
		pthread_mutex_unlock(&s->lock);
		stat_deferred(&s->files, &s->df);
	}
	if (!s->joined)
		pthread_join(s->th, NULL);
	ok = deferred_end(&s->files, &s->df) && out && s->ret == 0;
	if (ok)
		*out = s->files;
	else
		founds_release(&s->files);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	pf_err_release(&s->err);
	free(s);
	r->scan = NULL;
	return ok;
}

void pf_repo_scan_stop(struct pf_repo *r)
{
	scan_finish(r, NULL);
}

void pf_repo_scan_wait(struct pf_repo *r)
{
	if (r->scan && !r->scan->joined) {
		pthread_join(r->scan->th, NULL);
		r->scan->joined = true;
	}
}

static bool wants_signature(struct pf_repo *r, const struct pf_repopkg *p, bool warn);
static int sign_many(struct pf_repo *r, char *const *rel, size_t n, struct pf_err *e);

/* The new rpms that need the feed's signature: unsigned ones (unless a
 * feed published before the cache was lost may name them), and those
 * signed by another key with --resign; signed, several at once. */
int pf_repo_sign_new(struct pf_repo *r, const struct pf_strlist *toread, struct pf_err *e)
{
	struct pf_strlist want = { NULL, 0, 0 };
	int ret = -1;

	if (!r->have_key)
		return 0;
	for (size_t i = 0; i < toread->nr; i++) {
		struct pf_repopkg p;
		char *full;
		int rc;

		if (pf_repo_fmt_of(toread->v[i]) != PF_FMT_RPM)
			continue;
		memset(&p, 0, sizeof(p));
		p.fmt = PF_FMT_RPM;
		p.relpath = toread->v[i];
		full = pf_asprintf("%s/%s", r->root, toread->v[i]);
		rc = pf_rpm_sigkey(full, p.sigkey, e);
		free(full);
		if (rc < 0)
			goto out;
		/* pf_repo_sign_cached says why one is not (once a run) */
		if (wants_signature(r, &p, false))
			pf_strlist_add(&want, pf_strdup(toread->v[i]));
	}
	ret = sign_many(r, want.v, want.nr, e);
out:
	pf_strlist_release(&want);
	return ret;
}

/* Every package file of the repository: known ones whose file is the
 * same keep their cached record; the others are read. */
int pf_repo_find_all(struct pf_repo *r, struct pf_err *e)
{
	struct founds files = { NULL, 0, 0 };
	struct pf_strlist toread = { NULL, 0, 0 };
	struct pf_strmap known = PF_STRMAP_INIT;
	uint64_t bytes = 0;
	int ret = -1;

	/* an error of the early scan is found again, and told, here */
	if (!scan_finish(r, &files) && scan_all(r->root, &files, NULL, e) < 0)
		goto out;
	/* the load's map when pkgs[] is still as loaded, else one anew */
	known = r->by_path;
	memset(&r->by_path, 0, sizeof(r->by_path));
	if (known.nr != r->nr) {
		pf_strmap_release(&known);
		pf_strmap_reserve(&known, r->nr);     /* sized once, not regrown */
		for (size_t i = 0; i < r->nr; i++)
			pf_strmap_put(&known, r->pkgs[i]->relpath, i);
	}
	for (size_t i = 0; i < r->nr; i++)
		r->pkgs[i]->seen = false;
	for (size_t i = 0; i < files.nr; i++) {
		size_t k;
		bool hit = false;

		if (pf_strmap_get(&known, files.v[i].rel, &k)) {
			const struct found *f = &files.v[i];

			hit = f->size == r->pkgs[k]->size && f->ino == r->pkgs[k]->ino &&
			      f->mtime_ns == r->pkgs[k]->mtime_ns;
			if (hit)
				r->pkgs[k]->seen = true;
		}
		if (!hit) {
			bytes += files.v[i].size;
			pf_strlist_add(&toread, files.v[i].rel);
			files.v[i].rel = NULL;
		}
	}
	pf_strmap_release(&known);
	/* records of files gone or changed go; changed ones are read again */
	for (size_t i = r->nr; i-- > 0;)
		if (!r->pkgs[i]->seen)
			pf_repo_drop_pkg(r, i);
	/* new rpms get the feed's signature before they are read: nothing
	 * names them yet */
	if (pf_repo_sign_new(r, &toread, e) < 0)
		goto out;
	if (pf_repo_read_many(r, toread.v, toread.nr, bytes, e) < 0)
		goto out;
	ret = 0;
out:
	pf_strmap_release(&known);
	founds_release(&files);
	pf_strlist_release(&toread);
	return ret;
}

/* ------------------------------------------------------------- adding */

static bool signed_by_us(const struct pf_repo *r, const struct pf_repopkg *p)
{
	return r->have_key && !strcasecmp(p->sigkey, r->key.keyid);
}

/* Should this rpm get our signature (now)?  Never one a published feed
 * names with its old digest, but with --resign.  warn: say why not. */
static bool wants_signature(struct pf_repo *r, const struct pf_repopkg *p, bool warn)
{
	if (!r->have_key || p->fmt != PF_FMT_RPM || signed_by_us(r, p))
		return false;
	if (r->opts.resign)
		return true;
	if (p->sigkey[0]) {
		if (warn)
			pf_log(&r->opts.log, PF_LOG_WARN,
			       "%s is signed by another key (%s): dnf with gpgcheck=1 refuses it unless that key is imported too; --resign signs it with %s",
			       p->relpath, p->sigkey, r->key.keyid);
		return false;
	}
	/* without a cache, a feed that exists may name it */
	if (p->published || (!r->had_cache && r->rpm_feed_existed)) {
		if (warn)
			pf_log(&r->opts.log, PF_LOG_WARN,
			       "%s was published unsigned: dnf with gpgcheck=1 refuses it; --resign signs it in place",
			       p->relpath);
		return false;
	}
	return true;
}

static int rpm_signer(void *ctx, const void *hdr, size_t len, struct strbuf *sig,
		      int *algo, struct pf_err *e)
{
	struct pf_repo *r = ctx;

	return pf_pgp_sign(r->pgp, r->key.fpr, PF_PGP_DETACH_BINARY, hdr, len, sig, algo, e);
}

/*
 * Sign the rpms at rel[] in place.  One after the other: GnuPG runs a
 * process per signature and its agent signs one at a time, so threads
 * gain little, and concurrent gpg processes on one home trip over its
 * locks.
 */
static int sign_many(struct pf_repo *r, char *const *rel, size_t n, struct pf_err *e)
{
	for (size_t i = 0; i < n; i++) {
		char *full = pf_asprintf("%s/%s", r->root, rel[i]);
		int rc = pf_rpm_sign(full, rpm_signer, r, e);

		free(full);
		if (rc < 0)
			return -1;
		r->signed_now++;
	}
	return 0;
}

/* Sign the cached rpms that want it (--resign) and read them again. */
int pf_repo_sign_cached(struct pf_repo *r, struct pf_err *e)
{
	struct pf_strlist rel = { NULL, 0, 0 };
	bool *pub = NULL;
	size_t before;
	int ret = -1;

	for (size_t i = 0; i < r->nr; i++)
		if (wants_signature(r, r->pkgs[i], true))
			pf_strlist_add(&rel, pf_strdup(r->pkgs[i]->relpath));
	if (!rel.nr)
		return 0;
	pub = pf_calloc(rel.nr, sizeof(*pub));
	for (size_t k = 0; k < rel.nr; k++) {
		ssize_t i = pf_repo_find_pkg(r, rel.v[k]);
		pub[k] = r->pkgs[i]->published;
		pf_repo_drop_pkg(r, (size_t)i);
	}
	if (sign_many(r, rel.v, rel.nr, e) < 0)
		goto out;
	before = r->read;
	if (pf_repo_read_many(r, rel.v, rel.nr, 0, e) < 0)
		goto out;
	r->read = before;
	for (size_t k = 0; k < rel.nr; k++)
		r->pkgs[pf_repo_find_pkg(r, rel.v[k])]->published = pub[k];
	ret = 0;
out:
	free(pub);
	pf_strlist_release(&rel);
	return ret;
}

int pf_repo_add(struct pf_repo *r, const char *path, bool move, char **placed,
		struct pf_err *e)
{
	struct pf_pkginfo info;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum pf_fmt_id fmt = pf_repo_fmt_of(path);
	char *rel = NULL, *dest = NULL, *tmp = NULL;
	struct stat st;
	ssize_t k;
	int ret = -1;

	if (placed)
		*placed = NULL;
	memset(&info, 0, sizeof(info));
	pf_repo_scan_stop(r);
	if (!pf_pkgin_known(path))
		return pf_err_set(e, PF_EINVAL, "%s: not a package pkgforge can add (%s)", path,
				  pf_pkgin_formats());
	if (fmt == PF_FMT_RPM && pf_repo_keys_setup(r, e) < 0)
		return -1;
	if (pf_pkginfo_read(path, &info, e) < 0)
		return -1;
	rel = pf_repofmts[fmt]->place(&r->cfg, &info, base);
	dest = pf_asprintf("%s/%s", r->root, rel);
	if (lstat(dest, &st) == 0) {
		struct pf_repopkg tmpp;
		const char *have;
		char *want;

		memset(&tmpp, 0, sizeof(tmpp));
		if (digest_file(path, &tmpp, e) < 0)
			goto out;
		want = pf_strdup(info.rpm && info.rpm->hdrsha256[0] ? info.rpm->hdrsha256 : tmpp.sha256);
		k = pf_repo_find_pkg(r, rel);
		if (k < 0 && pf_repo_read_many(r, &rel, 1, 0, e) < 0) {
			free(want);
			goto out;
		}
		k = pf_repo_find_pkg(r, rel);
		have = k >= 0 ? r->pkgs[k]->ident : "";
		if (strcmp(have, want)) {
			pf_err_set(e, PF_EFAIL,
				   "%s is already in the repository with other content: a published package never changes; give the new one another version or release",
				   rel);
			free(want);
			goto out;
		}
		free(want);
		pf_log(&r->opts.log, PF_LOG_DEBUG, "%s is in the repository already", rel);
		if (move)
			unlink(path);
	} else {
		const char *inc = pf_repo_incoming(r);
		char *dir;

		if (!inc) {
			pf_err_set(e, PF_EFAIL, "cannot create a directory in %s/" STATE, r->root);
			goto out;
		}
		if (move) {
			tmp = pf_strdup(path);
		} else {
			struct pf_ofile o = PF_OFILE_INIT;
			int in = open(path, O_RDONLY | O_CLOEXEC);

			tmp = pf_asprintf("%s/%s", inc, base);
			if (in < 0 || fstat(in, &st) < 0) {
				pf_err_errno(e, "cannot read %s", path);
				if (in >= 0)
					close(in);
				goto out;
			}
			if (pf_ofile_open(&o, tmp, e) < 0) {
				close(in);
				goto out;
			}
			if (pf_copy_range(in, 0, o.fd, (uint64_t)st.st_size) < 0) {
				pf_err_errno(e, "cannot copy %s", path);
				pf_ofile_abort(&o);
				close(in);
				goto out;
			}
			close(in);
			if (pf_ofile_commit(&o, 0644, e) < 0)
				goto out;
		}
		/* an rpm gets the feed's signature from the index run that
		 * follows, before anything names it */
		dir = pf_strdup(dest);
		*strrchr(dir, '/') = '\0';
		if (pf_mkdir_p(dir, 0755, e) < 0) {
			free(dir);
			goto out;
		}
		free(dir);
		chmod(tmp, 0644);
		if (rename(tmp, dest) < 0) {
			pf_err_errno(e, "cannot move %s to %s", tmp, dest);
			goto out;
		}
		pf_fsync_dir_of(dest);
		k = pf_repo_find_pkg(r, rel);
		if (k >= 0)
			pf_repo_drop_pkg(r, (size_t)k);
		/* read by the index run, once signed */
	}
	if (placed)
		*placed = pf_strdup(rel);
	ret = 0;
out:
	pf_pkginfo_release(&info);
	free(rel);
	free(dest);
	free(tmp);
	return ret;
}
