// SPDX-License-Identifier: GPL-2.0-or-later
/* Upstream tarballs: checksums, signatures, the cache and downloads. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "ofile.h"
#include "sign.h"
#include "upstream.h"
#include "util.h"
#include "banned.h"

/* Checksum lists and signatures are small; refuse what is not. */
#define MAX_LIST_SIZE (16u << 20)
#define MAX_SIG_SIZE  (1u << 20)

/* A signed checksum list, read and verified once per run. */
struct list {
	char *url;                      /* as the manifest names it */
	struct strbuf text;             /* the signed text */
	struct pf_pgp_result sigs;
	bool loaded;
	bool fresh;                     /* downloaded by this run */
	bool missing;                   /* offline, and not in the cache */
	bool stored;                    /* written to the cache */
	struct strbuf raw;              /* as fetched, until stored */
};

struct pf_upstream {
	struct pf_upstream_opts o;
	struct pf_cache cache;
	struct pf_pgp *pgp;
	struct list *lists;
	size_t nlists, alloc_lists;
};

/* Something to download into the cache. */
enum want_kind { W_TARBALL, W_SIG };

struct want {
	enum want_kind kind;
	char hex[65];                   /* the tarball's sha256 */
	const struct pf_pkgspec *first; /* the first package needing it */
	const char *name;               /* file name, for messages */
	struct pf_strlist urls;         /* where from, in order */
	bool absent;                    /* not in the cache */
	struct strbuf who;              /* the packages needing it */
	struct pf_cache_part part;      /* W_TARBALL */
	int fd;                         /* W_SIG: a temporary file */
	struct pf_fetch_job job;
};

struct wants {
	struct want *v;
	size_t nr, alloc;
};

int pf_upstream_open(struct pf_upstream **out, const struct pf_upstream_opts *o,
		     struct pf_err *e)
{
	struct pf_upstream *u = pf_calloc(1, sizeof(*u));

	u->o = *o;
	u->cache.lockfd = -1;
	if (pf_cache_open(&u->cache, o->cache_dir, e) < 0) {
		pf_upstream_close(u);
		return -1;
	}
	*out = u;
	return 0;
}

void pf_upstream_close(struct pf_upstream *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nlists; i++) {
		free(u->lists[i].url);
		strbuf_release(&u->lists[i].text);
		strbuf_release(&u->lists[i].raw);
		pf_pgp_result_release(&u->lists[i].sigs);
	}
	free(u->lists);
	pf_pgp_free(u->pgp);
	pf_cache_close(&u->cache);
	free(u);
}

const char *pf_upstream_cache_dir(const struct pf_upstream *u)
{
	return u->cache.dir;
}

char *pf_upstream_tarball(const struct pf_upstream *u, const struct pf_pkgspec *s)
{
	return pf_cache_path(&u->cache, "sha256", s->sha256);
}

void pf_upstream_expect(const struct pf_pkgspec *s, struct strbuf *out)
{
	if (s->sha_pinned)
		strbuf_addf(out, "the manifest pins %s (%s:%d)", s->sha256, s->sha_loc.file,
			    s->sha_loc.line);
	else
		strbuf_addf(out, "the signed checksum list %s gives %s", s->sums.url, s->sha256);
}

static void who(struct strbuf *sb, const struct pf_pkgspec *s)
{
	strbuf_addf(sb, "%s %s (%s)", s->name, s->version, s->host);
}

/* ------------------------------------------------------------ trust */

static int get_pgp(struct pf_upstream *u, struct pf_err *e)
{
	if (u->pgp)
		return 0;
	if (pf_pgp_new(&u->pgp, PF_PGP_VERIFY, e) < 0)
		return -1;
	for (size_t i = 0; i < u->o.nkey_dirs; i++) {
		struct stat st;

		if (u->o.key_dirs_optional && stat(u->o.key_dirs[i], &st) < 0 && errno == ENOENT)
			continue;
		if (pf_pgp_import_dir(u->pgp, u->o.key_dirs[i], NULL, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < u->o.ntrust_keys; i++)
		if (pf_pgp_import_file(u->pgp, u->o.trust_keys[i], NULL, e) < 0)
			return pf_err_prefix(e, "--trust-key");
	return 0;
}

/* The fingerprints a signature must come from: --trust-fpr, or the manifest's. */
static void signers(const struct pf_upstream *u, const struct pf_upsig *us,
		    const char *const **v, size_t *n)
{
	if (u->o.ntrust_fprs) {
		*v = (const char *const *)u->o.trust_fprs;
		*n = u->o.ntrust_fprs;
	} else {
		*v = (const char *const *)us->signers.v;
		*n = us->signers.nr;
	}
}

/* ------------------------------------------------------ downloads */

static bool is_file_url(const char *url)
{
	return pf_starts_with(url, "file://");
}

/* Where to get url for spec: --mirror replaces the URL and the manifest's
 * mirrors; offline, only file:// URLs are left. */
static void candidates(const struct pf_upstream *u, const struct pf_pkgspec *s,
		       const char *url, struct pf_strlist *out)
{
	struct pf_strlist all = { NULL, 0, 0 };

	if (u->o.nmirrors) {
		for (size_t i = 0; i < u->o.nmirrors; i++)
			pf_strlist_add(&all, pf_mirror_url(u->o.mirrors[i], url));
	} else {
		pf_strlist_add(&all, pf_strdup(url));
		for (size_t i = 0; i < s->mirrors.nr; i++)
			pf_strlist_add(&all, pf_mirror_url(s->mirrors.v[i], url));
	}
	for (size_t i = 0; i < all.nr; i++) {
		bool dup = false;

		if (u->o.offline && !is_file_url(all.v[i]))
			continue;
		for (size_t k = 0; k < out->nr && !dup; k++)
			dup = !strcmp(out->v[k], all.v[i]);
		if (!dup)
			pf_strlist_add(out, pf_strdup(all.v[i]));
	}
	pf_strlist_release(&all);
}

/* Read all of fd (at most max bytes) into sb. */
static int read_back(int fd, size_t max, struct strbuf *sb, const char *what, struct pf_err *e)
{
	off_t off = 0;

	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 65536);
		n = pread(fd, sb->buf + sb->len, sb->alloc - sb->len - 1, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pf_err_errno(e, "%s: cannot read the download", what);
		if (!n)
			return 0;
		strbuf_setlen(sb, sb->len + n);
		off += n;
		if (sb->len > max)
			return pf_err_set(e, PF_EFAIL, "%s: larger than %zu bytes", what, max);
	}
}

/* Download a small file (a checksum list) into memory. */
static int fetch_small(struct pf_upstream *u, const char *name, struct pf_strlist *urls,
		       size_t max, struct strbuf *out, struct pf_err *e)
{
	struct pf_fetch_job job;
	struct pf_fetch_job *jp = &job;
	int fd, ret = -1;

	if (pf_cache_make(&u->cache, e) < 0)
		return -1;
	fd = pf_tmpfile(u->cache.dir, e);
	if (fd < 0)
		return -1;
	memset(&job, 0, sizeof(job));
	job.name = name;
	job.urls = urls->v;
	job.nurls = urls->nr;
	job.fd = fd;
	job.max_size = max;
	if (pf_fetch_run(&jp, 1, &u->o.fetch, e) < 0)
		goto out;
	ret = read_back(fd, max, out, name, e);
out:
	pf_fetch_job_release(&job);
	close(fd);
	return ret;
}

/* --------------------------------------------------- checksum lists */

static char *list_path(const struct pf_upstream *u, const char *url)
{
	unsigned char sha[32];
	char hex[65], *name, *path;

	pf_digest_buf(PF_SHA256, url, strlen(url), sha);
	pf_hex(hex, sha, 32);
	name = pf_asprintf("%s.asc", hex);
	path = pf_cache_path(&u->cache, "lists", name);
	free(name);
	return path;
}

static struct list *find_list(struct pf_upstream *u, const char *url)
{
	struct list *l;

	for (size_t i = 0; i < u->nlists; i++)
		if (!strcmp(u->lists[i].url, url))
			return &u->lists[i];
	PF_ALLOC_GROW(u->lists, u->nlists + 1, u->alloc_lists);
	l = &u->lists[u->nlists++];
	memset(l, 0, sizeof(*l));
	l->url = pf_strdup(url);
	strbuf_init(&l->text, 0);
	strbuf_init(&l->raw, 0);
	return l;
}

/*
 * Load the list at url: from the cache unless refresh, else (online, or
 * a file:// URL) downloaded.  Offline with nothing cached, l->missing.
 */
static int load_list(struct pf_upstream *u, const struct pf_pkgspec *s, struct list *l,
		     bool refresh, struct pf_err *e)
{
	char *path = list_path(u, l->url);
	struct stat st;
	int ret = -1;

	strbuf_reset(&l->raw);
	pf_pgp_result_release(&l->sigs);
	l->loaded = l->missing = false;
	if (!refresh && stat(path, &st) == 0) {
		if (pf_read_file(path, MAX_LIST_SIZE, &l->raw, e) < 0)
			goto out;
		l->stored = true;
		pf_log(&u->o.fetch.log, PF_LOG_DEBUG, "%s: from the cache (%s)", l->url, path);
	} else {
		struct pf_strlist urls = { NULL, 0, 0 };
		const char *slash = strrchr(l->url, '/');

		candidates(u, s, l->url, &urls);
		if (!urls.nr) {
			l->missing = true;
			ret = 0;
			goto out;
		}
		ret = fetch_small(u, slash ? slash + 1 : l->url, &urls, MAX_LIST_SIZE, &l->raw, e);
		pf_strlist_release(&urls);
		if (ret < 0)
			goto out;
		ret = -1;
		l->fresh = true;
		l->stored = false;
	}
	if (get_pgp(u, e) < 0 ||
	    pf_pgp_verify_clearsigned(u->pgp, l->url, l->raw.buf, l->raw.len, &l->text,
				      &l->sigs, e) < 0)
		goto out;
	l->loaded = true;
	ret = 0;
out:
	free(path);
	return ret;
}

/* Store a downloaded list once a signature on it was accepted. */
static int store_list(struct pf_upstream *u, struct list *l, struct pf_err *e)
{
	char *path;
	int ret;

	if (l->stored || !l->fresh)
		return 0;
	if (pf_cache_make(&u->cache, e) < 0)
		return -1;
	path = list_path(u, l->url);
	ret = pf_ofile_put(path, l->raw.buf, l->raw.len, e);
	free(path);
	l->stored = ret == 0;
	return ret;
}

/* The sha256 of s from its checksum list; 1 when the list is missing (offline). */
static int resolve_one(struct pf_upstream *u, struct pf_pkgspec *s, struct pf_err *e)
{
	struct list *l = find_list(u, s->sums.url);
	const char *const *trusted;
	size_t ntrusted;
	struct strbuf why = STRBUF_INIT;
	char hex[65];
	int r = -1;

	signers(u, &s->sums, &trusted, &ntrusted);
	if (!l->loaded && !l->missing && load_list(u, s, l, false, e) < 0)
		goto out;
	if (l->missing) {
		r = 1;
		goto out;
	}
	for (int pass = 0; ; pass++) {
		int found;

		/* a cached copy may be stale: a new release, a new signature */
		if (pass && load_list(u, s, l, true, e) < 0)
			goto out;
		if (pf_pgp_check(u->pgp, &l->sigs, l->url, trusted, ntrusted, e) < 0) {
			if (!l->fresh && !u->o.offline)
				continue;
			goto out;
		}
		found = pf_sums_lookup(l->text.buf, l->text.len, s->file, hex, &why);
		if (found < 0) {
			pf_err_set(e, PF_EFAIL, "%s: %s", l->url, why.buf);
			goto out;
		}
		if (!found) {
			if (!l->fresh && !u->o.offline)
				continue;
			pf_err_set(e, PF_EFAIL, "%s: no sha256 for %s in this signed list (for %s %s)",
				   l->url, s->file, s->name, s->version);
			goto out;
		}
		break;
	}
	if (store_list(u, l, e) < 0)
		goto out;
	memcpy(s->sha256, hex, sizeof(hex));
	r = 0;
out:
	strbuf_release(&why);
	return r;
}

int pf_sums_lookup(const char *text, size_t len, const char *file, char hex[65],
		   struct strbuf *why)
{
	const char *p = text, *end = text + len;
	bool found = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end, *name;
		size_t n;

		n = eol - p;
		if (n && p[n - 1] == '\r')
			n--;
		if (n > 66 && strspn(p, "0123456789abcdefABCDEF") == 64 && p[64] == ' ' &&
		    (p[65] == ' ' || p[65] == '*')) {
			name = p + 66;
			n -= 66;
			if (n > 2 && name[0] == '.' && name[1] == '/') {
				name += 2;
				n -= 2;
			}
			if (n == strlen(file) && !memcmp(name, file, n)) {
				char h[65];

				for (int i = 0; i < 64; i++)
					h[i] = (char)tolower((unsigned char)p[i]);
				h[64] = '\0';
				if (found && strcmp(h, hex)) {
					strbuf_addf(why, "%s is listed twice, with different sha256", file);
					return -1;
				}
				memcpy(hex, h, 65);
				found = true;
			}
		}
		p = eol + (nl ? 1 : 0);
	}
	return found;
}

/* ------------------------------------------------------- prepare */

static struct want *add_want(struct wants *ws, enum want_kind kind, const char *hex)
{
	struct want *w;

	for (size_t i = 0; i < ws->nr; i++)
		if (ws->v[i].kind == kind && !strcmp(ws->v[i].hex, hex))
			return &ws->v[i];
	PF_ALLOC_GROW(ws->v, ws->nr + 1, ws->alloc);
	w = &ws->v[ws->nr++];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	memcpy(w->hex, hex, 65);
	strbuf_init(&w->who, 0);
	w->part = (struct pf_cache_part)PF_CACHE_PART_INIT;
	w->fd = -1;
	return w;
}

static void wants_release(struct wants *ws)
{
	for (size_t i = 0; i < ws->nr; i++) {
		struct want *w = &ws->v[i];

		pf_strlist_release(&w->urls);
		strbuf_release(&w->who);
		pf_cache_part_close(&w->part);
		if (w->fd >= 0)
			close(w->fd);
		pf_fetch_job_release(&w->job);
	}
	free(ws->v);
	memset(ws, 0, sizeof(*ws));
}

static char *sig_path(const struct pf_upstream *u, const char *hex)
{
	char *name = pf_asprintf("%s.sign", hex), *path;

	path = pf_cache_path(&u->cache, "sigs", name);
	free(name);
	return path;
}

static bool have(const struct pf_upstream *u, const struct want *w)
{
	struct stat st;
	char *path;
	bool ok;

	if (w->kind == W_TARBALL)
		return pf_cache_has(&u->cache, w->hex);
	path = sig_path(u, w->hex);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return ok;
}

static const char *url_file(const char *url)
{
	const char *slash = strrchr(url, '/');
	return slash ? slash + 1 : url;
}

/* What the cache lacks, for the offline error. */
static void report_missing(const struct pf_upstream *u, const struct wants *ws,
			   const struct strbuf *lists, size_t nlists, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = nlists;

	for (size_t i = 0; i < ws->nr; i++)
		n += ws->v[i].absent && !ws->v[i].urls.nr;
	strbuf_addf(&sb, "--offline: %zu file%s not in the cache %s:", n,
		    n == 1 ? " is" : "s are", u->cache.dir);
	strbuf_addstr(&sb, lists->buf);
	for (size_t i = 0; i < ws->nr; i++) {
		const struct want *w = &ws->v[i];

		if (!w->absent || w->urls.nr)
			continue;
		if (w->kind == W_TARBALL)
			strbuf_addf(&sb, "\n  %s (sha256 %s), for %s", w->name, w->hex, w->who.buf);
		else
			strbuf_addf(&sb, "\n  %s (its signature), for %s", w->name, w->who.buf);
	}
	pf_err_set(e, PF_EFAIL, "%s", sb.buf);
	strbuf_release(&sb);
}

static int start_want(struct pf_upstream *u, struct want *w, struct pf_err *e)
{
	struct pf_fetch_job *j = &w->job;

	memset(j, 0, sizeof(*j));
	j->name = w->name;
	j->urls = w->urls.v;
	j->nurls = w->urls.nr;
	if (w->kind == W_TARBALL) {
		if (pf_cache_part_open(&u->cache, w->hex, &w->part, e) < 0)
			return -1;
		j->fd = w->part.fd;
		j->offset = w->part.size;
		j->data = pf_cache_part_data;
		j->restart = pf_cache_part_restart;
		j->ctx = &w->part;
	} else {
		w->fd = pf_tmpfile(u->cache.dir, e);
		if (w->fd < 0)
			return -1;
		j->fd = w->fd;
		j->max_size = MAX_SIG_SIZE;
	}
	return 0;
}

/* After the download: into place, or the reason it is not. */
static int finish_want(struct pf_upstream *u, struct want *w, struct pf_err *e)
{
	const char *url = w->job.urls[w->job.url_used];

	if (w->kind == W_TARBALL) {
		char got[65];
		int r = pf_cache_part_commit(&w->part, w->hex, got, e);
		struct strbuf sb = STRBUF_INIT;

		if (r <= 0)
			return r;
		pf_upstream_expect(w->first, &sb);
		pf_err_set(e, PF_EFAIL, "%s: sha256 mismatch: %s, the download has %s (deleted)",
			   url, sb.buf, got);
		strbuf_release(&sb);
		return -1;
	} else {
		struct strbuf sb = STRBUF_INIT;
		char *path = sig_path(u, w->hex);
		int r = read_back(w->fd, MAX_SIG_SIZE, &sb, url, e);

		if (!r)
			r = pf_ofile_put(path, sb.buf, sb.len, e);
		free(path);
		strbuf_release(&sb);
		return r;
	}
}

static int download(struct pf_upstream *u, struct wants *ws, struct pf_err *e)
{
	struct pf_fetch_job **jobs = NULL;
	struct want **todo = NULL;
	struct strbuf errs = STRBUF_INIT;
	struct pf_err runerr = PF_ERR_INIT;
	size_t n = 0, failed = 0;
	int ret = -1;

	for (size_t i = 0; i < ws->nr; i++)
		n += !have(u, &ws->v[i]);
	if (!n)
		return 0;
	if (pf_cache_lock(&u->cache, &u->o.fetch.log, e) < 0)
		return -1;
	/* another run may have fetched them while we waited */
	jobs = pf_calloc(ws->nr, sizeof(*jobs));
	todo = pf_calloc(ws->nr, sizeof(*todo));
	n = 0;
	for (size_t i = 0; i < ws->nr; i++) {
		struct want *w = &ws->v[i];

		if (have(u, w)) {
			pf_log(&u->o.fetch.log, PF_LOG_DEBUG, "%s: in the cache", w->name);
			continue;
		}
		if (start_want(u, w, e) < 0)
			goto out;
		todo[n] = w;
		jobs[n++] = &w->job;
	}
	/* each job says why it failed; a failure of the whole run (libcurl
	 * itself) is the reason of those it left unfinished */
	if (n)
		pf_fetch_run(jobs, n, &u->o.fetch, &runerr);
	for (size_t i = 0; i < n; i++) {
		struct want *w = todo[i];
		struct pf_err one = PF_ERR_INIT;

		if (!w->job.ok) {
			pf_err_set(&one, PF_EFAIL, "%s", w->job.err.msg.len ? w->job.err.msg.buf :
				   runerr.msg.len ? runerr.msg.buf : "download failed");
			/* keep a partial download for a later resume, not an empty one */
			if (w->kind == W_TARBALL && !w->job.offset)
				unlink(w->part.path);
		} else
			finish_want(u, w, &one);
		if (one.msg.len) {
			if (failed++)
				strbuf_addch(&errs, '\n');
			strbuf_addstr(&errs, one.msg.buf);
		}
		pf_err_release(&one);
	}
	if (failed == 1) {
		pf_err_set(e, PF_EFAIL, "%s", errs.buf);
		goto out;
	}
	if (failed) {
		/* every failure on its own line, then the count */
		char *line = errs.buf;
		while (line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			pf_log(&u->o.fetch.log, PF_LOG_ERROR, "%s", line);
			line = nl ? nl + 1 : NULL;
		}
		pf_err_set(e, PF_EFAIL, "%zu of %zu downloads failed", failed, n);
		goto out;
	}
	ret = 0;
out:
	pf_cache_unlock(&u->cache);
	pf_err_release(&runerr);
	strbuf_release(&errs);
	free(jobs);
	free(todo);
	return ret;
}

int pf_upstream_prepare(struct pf_upstream *u, const struct pf_upreq *reqs, size_t n,
			struct pf_err *e)
{
	struct wants ws = { NULL, 0, 0 };
	struct strbuf missing = STRBUF_INIT;
	size_t nmissing = 0;
	bool offline_gap = false;
	int ret = -1;

	/* 0. the keys, if anything is signed: a bad key file is no one package's fault */
	for (size_t i = 0; i < n; i++) {
		const struct pf_pkgspec *s = reqs[i].spec;

		if (((!s->sha_pinned && s->sums.url) || s->sig.url) && get_pgp(u, e) < 0)
			goto out;
	}
	/* 1. every sha256 */
	for (size_t i = 0; i < n; i++) {
		struct pf_pkgspec *s = reqs[i].spec;
		int r;

		if (s->sha_pinned || !s->sums.url)
			continue;
		r = resolve_one(u, s, e);
		if (r < 0) {
			pf_err_prefix(e, "%s %s", s->name, s->version);
			goto out;
		}
		if (r > 0) {
			struct list *l = find_list(u, s->sums.url);
			if (l->missing && !strstr(missing.buf, l->url)) {
				strbuf_addf(&missing, "\n  %s (signed checksum list), for ", l->url);
				who(&missing, s);
				nmissing++;
			}
		}
	}
	/* 2. what to download, each file once */
	for (size_t i = 0; i < n; i++) {
		struct pf_pkgspec *s = reqs[i].spec;

		if (!s->sha256[0])
			continue;       /* its list is missing */
		for (int k = 0; k < 2; k++) {
			struct want *w;

			if ((k == 0 && !reqs[i].tarball) || (k == 1 && !s->sig.url))
				continue;
			w = add_want(&ws, k ? W_SIG : W_TARBALL, s->sha256);
			if (!w->first) {
				w->first = s;
				w->name = k ? url_file(s->sig.url) : s->file;
			}
			if (w->who.len)
				strbuf_addstr(&w->who, ", ");
			who(&w->who, s);
			candidates(u, s, k ? s->sig.url : s->url, &w->urls);
		}
	}
	for (size_t i = 0; i < ws.nr; i++) {
		ws.v[i].absent = !have(u, &ws.v[i]);
		if (ws.v[i].absent && !ws.v[i].urls.nr)
			offline_gap = true;
	}
	if (nmissing || offline_gap) {
		report_missing(u, &ws, &missing, nmissing, e);
		goto out;
	}
	/* 3. download */
	if (download(u, &ws, e) < 0)
		goto out;
	ret = 0;
out:
	strbuf_release(&missing);
	wants_release(&ws);
	return ret;
}

/* -------------------------------------------------------- sigcheck */

struct pf_sigcheck {
	struct pf_upstream *u;
	struct pf_pkgspec *const *specs;
	size_t n;
	const struct pf_upsig *sig;
	char *path;                     /* the cached signature */
	struct pf_pgp_stream *stream;
};

int pf_sigcheck_begin(struct pf_upstream *u, struct pf_pkgspec *const *specs, size_t n,
		      struct pf_sigcheck **out, struct pf_err *e)
{
	struct pf_sigcheck *c;
	const struct pf_pkgspec *first = NULL;
	struct strbuf sb = STRBUF_INIT;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct pf_pkgspec *s = specs[i];

		if (!s->sig.url)
			continue;
		if (!first) {
			first = s;
		} else if (strcmp(first->sig.url, s->sig.url)) {
			return pf_err_set(e, PF_EINVAL,
					  "%s: two different signatures are asked for: %s (%s:%d) and %s (%s:%d)",
					  s->file, first->sig.url, first->sig.loc.file, first->sig.loc.line,
					  s->sig.url, s->sig.loc.file, s->sig.loc.line);
		}
	}
	if (!first)
		return 0;
	c = pf_calloc(1, sizeof(*c));
	c->u = u;
	c->specs = specs;
	c->n = n;
	c->sig = &first->sig;
	c->path = sig_path(u, first->sha256);
	if (get_pgp(u, e) < 0 || pf_read_file(c->path, MAX_SIG_SIZE, &sb, e) < 0 ||
	    pf_pgp_stream_begin(u->pgp, first->sig.url, sb.buf, sb.len, &c->stream, e) < 0) {
		strbuf_release(&sb);
		pf_sigcheck_free(c);
		return -1;
	}
	strbuf_release(&sb);
	*out = c;
	return 0;
}

int pf_sigcheck_data(void *ctx, const void *buf, size_t len, struct pf_err *e)
{
	struct pf_sigcheck *c = ctx;

	return pf_pgp_stream_write(c->stream, buf, len, e);
}

int pf_sigcheck_end(void *ctx, struct pf_err *e)
{
	struct pf_sigcheck *c = ctx;
	struct pf_pgp_result r = { NULL, 0, 0 };
	int ret = -1;

	if (pf_pgp_stream_end(c->stream, &r, e) < 0)
		goto bad;
	for (size_t i = 0; i < c->n; i++) {
		const char *const *trusted;
		size_t ntrusted;

		if (!c->specs[i]->sig.url)
			continue;
		signers(c->u, &c->specs[i]->sig, &trusted, &ntrusted);
		if (pf_pgp_check(c->u->pgp, &r, c->sig->url, trusted, ntrusted, e) < 0)
			goto bad;
	}
	ret = 0;
	goto out;
bad:
	/* a next run downloads it again rather than fail on a stale copy */
	unlink(c->path);
out:
	pf_pgp_result_release(&r);
	return ret;
}

void pf_sigcheck_free(struct pf_sigcheck *c)
{
	if (!c)
		return;
	pf_pgp_stream_free(c->stream);
	free(c->path);
	free(c);
}
