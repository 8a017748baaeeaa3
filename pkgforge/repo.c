// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The repository (repo.h): opening it (the lock, the index cache), the
 * keys and the keyring packages, --keep, the check, and publication.
 * Settings are in repo-settings.c, finding, reading, signing and adding
 * packages in repo-read.c, the formats themselves in repofmt-*.c.
 *
 * Publication order, so that a run killed at any moment leaves the
 * previous feeds valid:
 *   1. packages are in place before any index names them;
 *   2. files named by content (apt's by-hash copies, rpm-md's
 *      <sha256>-*.xml.*) are written, with .pkgforge/generations;
 *   3. files with fixed names are written and synced under temporary
 *      names, then renamed into place one right after the other, in
 *      the order the formats gave (apt's InRelease very last);
 *   4. then the caches, old generations, and packages --keep moves out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "digest.h"
#include "keyring.h"
#include "ofile.h"
#include "profile.h"
#include "repo-priv.h"
#include "sign.h"
#include "strmap.h"
#include "usign.h"
#include "util.h"
#include "zpiece.h"
#include "banned.h"

void pf_repo_opts_init(struct pf_repo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->keep = -1;
	o->byhash_keep = -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -------------------------------------------------------- open, close */

static int take_lock(struct pf_repo *r, struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/lock", r->root);
	int ret = -1;

	r->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->lock_fd < 0) {
		pf_err_errno(e, "cannot open %s", path);
		goto out;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			pf_err_errno(e, "cannot lock %s", path);
			goto out;
		}
		pf_log(&r->opts.log, PF_LOG_INFO,
		       "waiting for another pkgforge run on %s (it holds %s)", r->root, path);
		while (flock(r->lock_fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				pf_err_errno(e, "cannot lock %s", path);
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(path);
	return ret;
}

/* Incoming directories a killed run left (a day old: no run is that long). */
static void clean_incoming(struct pf_repo *r)
{
	char *dir = pf_asprintf("%s/" STATE "/incoming", r->root);
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);

	while (d && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = pf_asprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && st.st_mtime + 86400 < now)
			pf_rmtree(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
}

int pf_repo_mkincoming(const char *root, char **dir, struct pf_err *e)
{
	char *base = pf_asprintf("%s/" STATE "/incoming", root);
	int ret = pf_mkdir_p(base, 0755, e);

	*dir = NULL;
	if (!ret) {
		*dir = pf_asprintf("%s/run.XXXXXX", base);
		if (!mkdtemp(*dir)) {
			ret = pf_err_errno(e, "cannot create a directory in %s", base);
			free(*dir);
			*dir = NULL;
		}
	}
	free(base);
	return ret;
}

/* --verbose: how long each phase took */
void pf_repo_phase(struct pf_repo *r, struct timespec *t0, const char *what)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	pf_log(&r->opts.log, PF_LOG_DEBUG, "%s: %ld ms", what,
	       (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000));
	*t0 = t1;
}

static void load_cache(struct pf_repo *r)
{
	char *path = pf_asprintf("%s/" STATE "/index-cache", r->root);
	struct pf_err e = PF_ERR_INIT;
	struct timespec t0;
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->had_cache = stat(path, &st) == 0;
	if (pf_repocache_load(path, &r->cache, &r->pkgs, &r->nr, &r->alloc) > 0) {
		r->cache_dropped = true;
		r->dirty = true;
		r->had_cache = false;
		pf_log(&r->opts.log, PF_LOG_WARN,
		       "%s is unreadable (another pkgforge version?): every package is read again",
		       path);
	}
	r->dirty |= pf_repocache_torn(r->cache);
	pf_repocache_take_paths(r->cache, &r->by_path);
	pf_repo_phase(r, &t0, "read the index cache");
	pf_err_release(&e);
	free(path);
}

static int save_cache(struct pf_repo *r, struct pf_err *e)
{
	char *path;
	struct timespec t0;
	int ret;

	if (!r->dirty)
		return 0;
	path = pf_asprintf("%s/" STATE "/index-cache", r->root);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = pf_repocache_save(r->cache, path, r->pkgs, r->nr, e);
	pf_repo_phase(r, &t0, "saved the index cache");
	if (!ret)
		r->dirty = false;

	free(path);
	return ret;
}

/*
 * The libraries of the formats the repository has directories for
 * (dynlib.h), loaded on a thread of their own from the start, while the
 * cache loads and the packages are found; a failure is only a miss
 * (the library is loaded again where it is needed, and fails there).
 */
static void *libs_run(void *arg)
{
	struct pf_repo *r = arg;

	for (int f = 0; f < PF_FMT_NR; f++) {
		char *dir = pf_asprintf("%s/%s", r->root, pf_repofmts[f]->dir);
		struct pf_err ignore = PF_ERR_INIT;

		if (pf_repofmts[f]->libs && access(dir, F_OK) == 0)
			pf_repofmts[f]->libs(&ignore);
		pf_err_release(&ignore);
		free(dir);
	}
	return NULL;
}

/* The libraries' thread done (it may still be in dlopen). */
static void libs_join(struct pf_repo *r)
{
	if (r->libs_live)
		pthread_join(r->libs_th, NULL);
	r->libs_live = false;
}

int pf_repo_open(struct pf_repo **out, const char *dir, const struct pf_repo_opts *o,
		 struct pf_err *e)
{
	struct pf_repo *r = pf_calloc(1, sizeof(*r));
	char *state;
	struct stat st;

	*out = NULL;
	r->lock_fd = -1;
	r->opts = *o;
	if (r->opts.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		r->opts.threads = n > 0 ? (int)n : 1;
	}
	r->root = pf_repo_absolute(dir);
	while (strlen(r->root) > 1 && r->root[strlen(r->root) - 1] == '/')
		r->root[strlen(r->root) - 1] = '\0';
	if (stat(r->root, &st) == 0 && !S_ISDIR(st.st_mode)) {
		pf_err_set(e, PF_EINVAL, "%s is not a directory", dir);
		goto fail;
	}
	state = pf_asprintf("%s/" STATE, r->root);
	if (pf_mkdir_p(state, 0755, e) < 0) {
		free(state);
		goto fail;
	}
	free(state);
	if (take_lock(r, e) < 0 || pf_repo_settings(r, true, e) < 0)
		goto fail;
	clean_incoming(r);
	if (r->opts.threads > 1)
		r->libs_live = pthread_create(&r->libs_th, NULL, libs_run, r) == 0;
	pf_repo_scan_start(r);
	load_cache(r);
	*out = r;
	return 0;
fail:
	pf_repo_close(r);
	return -1;
}

int pf_repo_precheck(const char *dir, const struct pf_repo_opts *o, struct pf_err *e)
{
	struct pf_repo *r = pf_calloc(1, sizeof(*r));
	int ret = -1;

	r->lock_fd = -1;
	r->opts = *o;
	r->root = pf_repo_absolute(dir);
	if (pf_repo_settings(r, false, e) < 0 || pf_repo_keys_setup(r, e) < 0)
		goto out;
	ret = 0;
out:
	pf_repo_close(r);
	return ret;
}

void pf_repo_close(struct pf_repo *r)
{
	if (!r)
		return;
	pf_repo_scan_stop(r);
	libs_join(r);
	for (size_t i = 0; i < r->nr; i++) {
		pf_repopkg_release(r->pkgs[i]);
		free(r->pkgs[i]);
	}
	free(r->pkgs);
	pf_strmap_release(&r->by_path);
	pf_repocache_free(r->cache);
	if (r->incoming)
		pf_rmtree(r->incoming);
	free(r->incoming);
	pf_pgp_free(r->pgp);
	pf_pgp_keyinfo_release(&r->key);
	memset(&r->usign, 0, sizeof(r->usign));
	pf_repo_cfg_release(&r->cfg);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	free(r->root);
	free(r);
}

const char *pf_repo_incoming(struct pf_repo *r)
{
	struct pf_err e = PF_ERR_INIT;

	if (!r->incoming && pf_repo_mkincoming(r->root, &r->incoming, &e) < 0)
		r->incoming = NULL;
	pf_err_release(&e);
	return r->incoming;
}

void pf_repo_report_release(struct pf_repo_report *rep)
{
	pf_strlist_release(&rep->published);
	pf_strlist_release(&rep->snippets);
	pf_diag_release(&rep->diag);
	free(rep->snippet_text);
	memset(rep, 0, sizeof(*rep));
}

/* ------------------------------------------------------------- keys */

int pf_repo_keys_setup(struct pf_repo *r, struct pf_err *e)
{
	if (r->keys_ready || r->opts.unsigned_feed)
		return 0;
	if (!r->cfg.sign_key)
		return pf_err_set(e, PF_EINVAL,
				  "no signing key: give --sign-key FPR (see 'pkgforge keygen'), or --unsigned for a feed no client can verify");
	/*
	 * gpgme forks GnuPG from here on, and a signed run then has no
	 * thread of ours beside it: the libraries' and the scan's are
	 * waited for here, the profile prefetch and the check run on this
	 * thread (prefetch_start, checker_start).  Under valgrind, forks
	 * made while another thread ran lost the child's output: "Invalid
	 * crypto engine" in 9 signed runs of 10 while the libraries'
	 * thread was in dlopen, "cannot export the public key" and "no
	 * secret key" beside the prefetch and the check.  Natively nothing
	 * was seen, but a fork has no business overlapping a dlopen.  A
	 * signed run takes hundreds of milliseconds; these, a few.
	 */
	libs_join(r);
	pf_repo_scan_wait(r);
	if (pf_pgp_open_home(&r->pgp, r->cfg.gnupghome, false, e) < 0 ||
	    pf_pgp_secret_key(r->pgp, r->cfg.sign_key, &r->key, e) < 0)
		return -1;
	r->have_key = true;
	if (r->cfg.usign_key) {
		if (pf_usign_load(r->cfg.usign_key, true, &r->usign, e) < 0)
			return -1;
		r->have_usign = true;
	}
	r->keys_ready = true;
	return 0;
}

/* The keyring sources: the exported public keys. */
struct keys {
	struct strbuf asc, bin, usign_pub;
	char usign_fp[17];
};

static void keys_release(struct keys *k)
{
	strbuf_release(&k->asc);
	strbuf_release(&k->bin);
	strbuf_release(&k->usign_pub);
}

static int export_keys(struct pf_repo *r, struct keys *k, struct pf_err *e)
{
	memset(k, 0, sizeof(*k));
	strbuf_init(&k->asc, 0);
	strbuf_init(&k->bin, 0);
	strbuf_init(&k->usign_pub, 0);
	if (pf_pgp_export(r->pgp, r->key.fpr, true, &k->asc, e) < 0 ||
	    pf_pgp_export(r->pgp, r->key.fpr, false, &k->bin, e) < 0) {
		keys_release(k);
		return -1;
	}
	if (r->have_usign) {
		struct strbuf c = STRBUF_INIT;

		pf_usign_fingerprint(&r->usign, k->usign_fp);
		strbuf_addf(&c, "%s usign public key %s", r->cfg.origin, k->usign_fp);
		pf_usign_public_text(&r->usign, c.buf, &k->usign_pub);
		strbuf_release(&c);
	}
	return 0;
}

/* Write path if its content differs (keys, snippets: no churn). */
static int put_if_changed(const char *path, const void *buf, size_t len, struct pf_err *e)
{
	struct strbuf old = STRBUF_INIT;
	struct pf_err ignore = PF_ERR_INIT;
	char *dir = pf_strdup(path);
	int ret = 0;

	*strrchr(dir, '/') = '\0';
	if (pf_read_file(path, len + 1, &old, &ignore) < 0 || old.len != len ||
	    memcmp(old.buf, buf, len))
		ret = pf_mkdir_p(dir, 0755, e) < 0 ? -1 : pf_ofile_put(path, buf, len, e);
	strbuf_release(&old);
	pf_err_release(&ignore);
	free(dir);
	return ret;
}

static int publish_keys(struct pf_repo *r, const struct keys *k, struct pf_err *e)
{
	char *p = pf_asprintf("%s/keys/%s.asc", r->root, r->cfg.keyfile);
	int ret = put_if_changed(p, k->asc.buf, k->asc.len, e);

	free(p);
	p = pf_asprintf("%s/keys/%s.gpg", r->root, r->cfg.keyfile);
	if (!ret)
		ret = put_if_changed(p, k->bin.buf, k->bin.len, e);
	free(p);
	if (!ret && k->usign_pub.len) {
		p = pf_asprintf("%s/keys/%s.pub", r->root, r->cfg.keyfile);
		ret = put_if_changed(p, k->usign_pub.buf, k->usign_pub.len, e);
		free(p);
	}
	return ret;
}

/* --------------------------------------------------- keep and check */

static int vercmp(enum pf_fmt_id f, const char *a, const char *b)
{
	return f == PF_FMT_RPM ? pf_rpmevr_cmp(a, b) : pf_debver_cmp(a, b);
}

/* fmt, name, arch, newest version first, path */
static int cmp_group(const void *pa, const void *pb)
{
	const struct pf_repopkg *a = *(struct pf_repopkg *const *)pa;
	const struct pf_repopkg *b = *(struct pf_repopkg *const *)pb;
	int c;

	if (a->fmt != b->fmt)
		return (int)a->fmt - (int)b->fmt;
	if ((c = strcmp(a->info.name, b->info.name)) != 0 ||
	    (c = strcmp(a->info.arch, b->info.arch)) != 0 ||
	    (c = -vercmp(a->fmt, a->info.version, b->info.version)) != 0)
		return c;
	return strcmp(a->relpath, b->relpath);
}

/* the order of the indexes: name, oldest version first, arch, path */
static int cmp_index(const void *pa, const void *pb)
{
	const struct pf_repopkg *a = *(struct pf_repopkg *const *)pa;
	const struct pf_repopkg *b = *(struct pf_repopkg *const *)pb;
	int c;

	if ((c = strcmp(a->info.name, b->info.name)) != 0 ||
	    (c = vercmp(a->fmt, a->info.version, b->info.version)) != 0 ||
	    (c = strcmp(a->info.arch, b->info.arch)) != 0)
		return c;
	return strcmp(a->relpath, b->relpath);
}

/*
 * The packages in index order.  The cache holds them in the order the
 * last run published (pf_repo_index puts r->pkgs in it), and a re-index
 * adds a few: those out of order are taken out, sorted and put back,
 * some n comparisons instead of n log n (each compares two versions by
 * rpm's or dpkg's rules, parsing both).  Many out of order: a plain
 * sort.  cmp_index is a total order, so either way gives the same.
 */
static void sort_index(struct pf_repopkg **v, size_t n)
{
	struct pf_repopkg **run, **extra;
	size_t nr = 0, ne = 0;

	if (n < 2)
		return;
	run = pf_malloc(n * sizeof(*run));
	extra = pf_malloc(n * sizeof(*extra));
	for (size_t i = 0; i < n; i++) {
		if (!nr || cmp_index(&run[nr - 1], &v[i]) < 0)
			run[nr++] = v[i];
		else
			extra[ne++] = v[i];
		if (ne > n / 8 + 16)
			break;
	}
	if (ne > n / 8 + 16) {
		qsort(v, n, sizeof(*v), cmp_index);
	} else {
		size_t a = 0, out = 0;

		/* each of the few in its place by a binary search of the run
		 * (some 11 comparisons each, not one per package up to it) */
		qsort(extra, ne, sizeof(*extra), cmp_index);
		for (size_t b = 0; b < ne; b++) {
			size_t lo = a, hi = nr;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (cmp_index(&run[mid], &extra[b]) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			memcpy(v + out, run + a, (lo - a) * sizeof(*v));
			out += lo - a;
			a = lo;
			v[out++] = extra[b];
		}
		memcpy(v + out, run + a, (nr - a) * sizeof(*v));
	}
	free(run);
	free(extra);
}

/* --keep N: the N newest versions of each name and architecture. */
static void select_feed(struct pf_repo *r)
{
	struct pf_repopkg **v;
	size_t rank = 0;

	if (!r->cfg.keep) {
		/* every version stays: no order to find */
		for (size_t i = 0; i < r->nr; i++)
			r->pkgs[i]->in_feed = true;
		return;
	}
	v = pf_malloc(r->nr * sizeof(*v));
	memcpy(v, r->pkgs, r->nr * sizeof(*v));
	qsort(v, r->nr, sizeof(*v), cmp_group);
	for (size_t i = 0; i < r->nr; i++) {
		if (i && (v[i]->fmt != v[i - 1]->fmt || strcmp(v[i]->info.name, v[i - 1]->info.name) ||
			  strcmp(v[i]->info.arch, v[i - 1]->info.arch)))
			rank = 0;
		v[i]->in_feed = !r->cfg.keep || rank < (size_t)r->cfg.keep;
		rank++;
	}
	free(v);
}

/*
 * The profile data the check will want, loaded on a thread of its own
 * while the packages are found and read: that of the architectures of
 * the packages known from the cache.  The check takes what it needs of
 * it and loads the rest; a failure here is only a miss.  Both go
 * through the repository's cache of parsed profiles.
 */
struct prefetch {
	pthread_t th;
	bool live;
	const char *name;
	char *cache;                    /* .pkgforge/profiles */
	struct pf_strlist arches;
	struct pf_profiles ps;
};

static void *prefetch_run(void *arg)
{
	struct prefetch *pf = arg;

	for (size_t k = 0; k < pf->arches.nr; k++) {
		struct pf_err ignore = PF_ERR_INIT;
		const struct pf_profile *prof;

		pf_profiles_get(&pf->ps, pf->name, pf->arches.v[k], &prof, &ignore);
		pf_err_release(&ignore);
	}
	return NULL;
}

static void prefetch_start(struct pf_repo *r, struct prefetch *pf)
{
	const struct pf_pkginfo **v = pf_calloc(r->nr ? r->nr : 1, sizeof(*v));

	memset(pf, 0, sizeof(*pf));
	pf->name = r->cfg.profile;
	pf->cache = pf_asprintf("%s/" STATE "/profiles", r->root);
	pf->ps.cache = pf->cache;
	for (size_t i = 0; i < r->nr; i++)
		v[i] = &r->pkgs[i]->info;
	pf_check_arches(v, r->nr, &pf->arches);
	free(v);
	/* not beside a signed run's forks (pf_repo_keys_setup): the check
	 * loads what it needs */
	if (pf->arches.nr && r->opts.threads > 1 && !r->have_key)
		pf->live = pthread_create(&pf->th, NULL, prefetch_run, pf) == 0;
}

static void prefetch_join(struct prefetch *pf)
{
	if (pf->live)
		pthread_join(pf->th, NULL);
	pf->live = false;
}

static void prefetch_release(struct prefetch *pf)
{
	prefetch_join(pf);
	pf_strlist_release(&pf->arches);
	pf_profiles_release(&pf->ps);
	free(pf->cache);
}

static int cmp_relpath(const void *a, const void *b)
{
	return strcmp((*(struct pf_repopkg *const *)a)->relpath,
		      (*(struct pf_repopkg *const *)b)->relpath);
}

/*
 * The check of a feed of which only some packages are fresh: their
 * lists made, and those of the packages that may meet them, told from
 * the cache's text of the others' lists (making them all was most of
 * what a check of a few new packages cost).  Those left out are those
 * pf_check_pkgs_fresh leaves out: the problems are the same.
 */
static int check_fresh(struct pf_repopkg *const *pkgs, const struct pf_pkginfo **v, size_t n,
		       const bool *fresh, const struct pf_profiles *ps, struct pf_diag *d)
{
	const struct pf_pkginfo **sub = pf_calloc(n ? n : 1, sizeof(*sub));
	bool *sub_fresh = pf_calloc(n ? n : 1, sizeof(*sub_fresh));
	struct pf_check_fresh f;
	size_t m = 0;
	int problems;

	for (size_t i = 0; i < n; i++)
		if (fresh[i]) {
			pf_repopkg_lists(pkgs[i]);
			sub[m++] = v[i];
		}
	pf_check_fresh_init(&f, sub, m);
	m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pf_repopkg *p = pkgs[i];

		if (!fresh[i] && p->lists_raw &&
		    !pf_check_may_meet_lists(&f, p->info.name, p->list_raw[PF_REL_PROVIDES],
					     p->list_len[PF_REL_PROVIDES], p->list_raw[PF_REL_NR],
					     p->list_len[PF_REL_NR]))
			continue;
		pf_repopkg_lists(pkgs[i]);
		sub_fresh[m] = fresh[i];
		sub[m++] = v[i];
	}
	pf_check_fresh_release(&f);
	problems = pf_check_pkgs_fresh(sub, m, sub_fresh, ps, d);
	free(sub);
	free(sub_fresh);
	return problems;
}

/*
 * The feed's check: of the packages added since the last check that
 * passed, when the feed still has all it passed (.pkgforge/checked),
 * else of all.  A pass is remembered; a failure leaves what the last
 * pass covered, and the next run finds the same problems.
 */
static int check_feed(struct pf_repo *r, struct prefetch *pre, struct pf_repo_report *rep,
		      struct pf_err *e)
{
	struct pf_profiles profiles = { NULL, 0, 0, pre->cache };
	const struct pf_pkginfo **v = pf_calloc(r->nr ? r->nr : 1, sizeof(*v));
	uint64_t *ids = pf_calloc(r->nr ? r->nr : 1, sizeof(*ids));
	bool *fresh = pf_calloc(r->nr ? r->nr : 1, sizeof(*fresh));
	struct pf_repopkg **by_path = pf_calloc(r->nr ? r->nr : 1, sizeof(*by_path));
	struct pf_checked *last = pf_checked_load(r->root);
	size_t n = 0, nfresh;
	int ret = -1;

	/* by path: what a problem is told against does not depend on the
	 * order the packages came to be known in */
	for (size_t i = 0; i < r->nr; i++)
		if (r->pkgs[i]->in_feed)
			by_path[n++] = r->pkgs[i];
	qsort(by_path, n, sizeof(*by_path), cmp_relpath);
	for (size_t i = 0; i < n; i++) {
		ids[i] = pf_checked_id(by_path[i]);
		v[i] = &by_path[i]->info;
	}
	prefetch_join(pre);
	if (pf_check_profiles_from(v, n, r->cfg.profile, &pre->ps, &profiles, e) < 0)
		goto out;
	nfresh = pf_checked_fresh(last, r->cfg.profile, &profiles, ids, n, fresh);
	if (nfresh != SIZE_MAX)
		pf_log(&r->opts.log, PF_LOG_DEBUG,
		       "checked the %zu package%s added since the last check", nfresh,
		       nfresh == 1 ? "" : "s");
	if (nfresh == SIZE_MAX) {
		/* the whole feed */
		for (size_t i = 0; i < n; i++)
			pf_repopkg_lists(by_path[i]);
		rep->problems = pf_check_pkgs_fresh(v, n, NULL, &profiles, &rep->diag);
	} else if (nfresh) {
		rep->problems = check_fresh(by_path, v, n, fresh, &profiles, &rep->diag);
	} else {
		rep->problems = 0;
	}
	if (!rep->problems && nfresh &&
	    pf_checked_save(r->root, r->cfg.profile, &profiles, ids, n, e) < 0)
		goto out;
	ret = 0;
out:
	pf_checked_free(last);
	pf_profiles_release(&profiles);
	free(by_path);
	free(fresh);
	free(ids);
	free(v);
	return ret;
}

/*
 * The check, on a thread of its own while the indexes are written (to
 * temporary files, nothing published before it has said yes); inline
 * with --threads 1.
 */
struct checker {
	pthread_t th;
	bool live;
	struct pf_repo *r;
	struct prefetch *pre;
	struct pf_repo_report *rep;
	struct pf_err err;
	int ret;
};

static void *checker_run(void *arg)
{
	struct checker *c = arg;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c->ret = check_feed(c->r, c->pre, c->rep, &c->err);
	pf_repo_phase(c->r, &t0, c->live ? "checked the feed (beside the indexes)" :
			  "checked the feed");
	return NULL;
}

static void checker_start(struct checker *c, struct pf_repo *r, struct prefetch *pre,
			  struct pf_repo_report *rep)
{
	c->r = r;
	c->pre = pre;
	c->rep = rep;
	c->err = (struct pf_err)PF_ERR_INIT;
	c->ret = 0;
	/* live before the thread reads it; not beside a signed run's forks
	 * (pf_repo_keys_setup) */
	c->live = r->opts.threads > 1 && !r->have_key;
	if (c->live && pthread_create(&c->th, NULL, checker_run, c) != 0)
		c->live = false;
	if (!c->live)
		checker_run(c);
}

/* Its verdict: -1 with e set when it failed, or found problems that
 * keep the feed from being published. */
static int checker_join(struct checker *c, struct pf_err *e)
{
	struct pf_repo_report *rep = c->rep;

	if (c->live)
		pthread_join(c->th, NULL);
	c->live = false;
	if (c->ret < 0) {
		pf_err_set(e, c->err.code, "%s", c->err.msg.buf);
		pf_err_release(&c->err);
		c->ret = 0;
		return -1;
	}
	if (rep->problems && !c->r->opts.allow_problems)
		return pf_err_set(e, PF_EFAIL,
				  "%d problem%s in the feed: nothing was published (--allow-problems publishes anyway)",
				  rep->problems, rep->problems == 1 ? "" : "s");
	return 0;
}

/* -------------------------------------------------------- publishing */

static void publish_release(struct pf_publish *pub)
{
	for (size_t i = 0; i < pub->nr_leaf; i++)
		if (pub->leaf[i].tmp)
			pf_ofile_abort(&pub->leaf[i]);
	free(pub->leaf);
	for (size_t i = 0; i < pub->nr_top; i++) {
		if (pub->top[i].tmp)
			pf_ofile_abort(&pub->top[i]);
		free(pub->top_rel[i]);
	}
	free(pub->top);
	free(pub->top_rel);
	pf_strlist_release(&pub->generated);
	pf_strlist_release(&pub->remove);
}

/* The directories of files, each once: to fsync after renames there. */
static void dirs_of(const struct pf_ofile *v, size_t n, struct pf_strlist *dirs)
{
	for (size_t i = 0; i < n; i++) {
		char *dir = pf_strdup(v[i].path);
		bool have = false;

		*strrchr(dir, '/') = '\0';
		for (size_t k = 0; k < dirs->nr && !have; k++)
			have = !strcmp(dirs->v[k], dir);
		if (have)
			free(dir);
		else
			pf_strlist_add(dirs, dir);
	}
}

static void fsync_dirs(const struct pf_strlist *dirs)
{
	for (size_t i = 0; i < dirs->nr; i++) {
		char *f = pf_asprintf("%s/x", dirs->v[i]);

		pf_fsync_dir_of(f);
		free(f);
	}
}

/*
 * Make every written file durable (written back together: one wait, not
 * one per file), put the leaves in place and make that durable, then the
 * top files one right after the other: a top file never names a leaf
 * that a crash could lose.
 */
static int publish_commit(struct pf_repo *r, struct pf_publish *pub,
			  struct pf_repo_report *rep, struct pf_err *e)
{
	struct pf_strlist ldirs = { NULL, 0, 0 }, tdirs = { NULL, 0, 0 };
	int ret = -1;

	for (size_t i = 0; i < pub->nr_leaf; i++)
		pf_ofile_start_sync(&pub->leaf[i]);
	for (size_t i = 0; i < pub->nr_top; i++)
		pf_ofile_start_sync(&pub->top[i]);
	for (size_t i = 0; i < pub->nr_leaf; i++)
		if (pf_ofile_sync(&pub->leaf[i], 0644, e) < 0)
			goto out;
	for (size_t i = 0; i < pub->nr_top; i++)
		if (pf_ofile_sync(&pub->top[i], 0644, e) < 0)
			goto out;
	dirs_of(pub->leaf, pub->nr_leaf, &ldirs);
	dirs_of(pub->top, pub->nr_top, &tdirs);
	for (size_t i = 0; i < pub->nr_leaf; i++)
		if (pf_ofile_rename(&pub->leaf[i], e) < 0)
			goto out;
	fsync_dirs(&ldirs);
	for (size_t i = 0; i < pub->nr_top; i++) {
		if (pf_ofile_rename(&pub->top[i], e) < 0)
			goto out;
		pf_strlist_add(&rep->published, pf_strdup(pub->top_rel[i]));
	}
	for (size_t i = 0; i < pub->remove.nr; i++) {
		char *p = pf_asprintf("%s/%s", r->root, pub->remove.v[i]);
		unlink(p);
		free(p);
	}
	fsync_dirs(&tdirs);
	ret = 0;
out:
	pf_strlist_release(&ldirs);
	pf_strlist_release(&tdirs);
	return ret;
}

/*
 * .pkgforge/generations: one line per publication, the content-named
 * files it referred to; the files of the last byhash_keep ones stay.
 * Written with the content-named files (a leaf of the publication): it
 * is synced and renamed with them, in the same journal commit, and a
 * run killed before its other files are in place leaves a line for
 * files that exist but no index names, which only keeps them longer.
 */
static int generations(struct pf_repo *r, struct pf_publish *pub, struct pf_strmap *keep,
		       struct pf_strlist *owned, struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/generations", r->root);
	struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT, out = STRBUF_INIT;
	struct pf_err ignore = PF_ERR_INIT;
	struct pf_strlist lines = { NULL, 0, 0 }, gen = { NULL, 0, 0 };
	size_t first;
	int ret;

	pf_read_file(path, 64u << 20, &sb, &ignore);
	for (char *l = sb.buf, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!nl)
			break;
		if (nl > l)
			pf_strlist_add(&lines, pf_strndup(l, (size_t)(nl - l)));
	}
	for (size_t i = 0; i < pub->generated.nr; i++)
		pf_strlist_add(&gen, pf_strdup(pub->generated.v[i]));
	if (gen.nr)
		qsort(gen.v, gen.nr, sizeof(*gen.v), cmp_str);
	for (size_t i = 0; i < gen.nr; i++)
		strbuf_addf(&line, "%s%s", i ? " " : "", gen.v[i]);
	if (!lines.nr || strcmp(lines.v[lines.nr - 1], line.buf))
		pf_strlist_add(&lines, strbuf_detach(&line, NULL));
	first = lines.nr > (size_t)r->cfg.byhash_keep ? lines.nr - (size_t)r->cfg.byhash_keep : 0;
	for (size_t i = first; i < lines.nr; i++) {
		char *save = NULL;

		strbuf_addf(&out, "%s\n", lines.v[i]);
		for (char *t = strtok_r(lines.v[i], " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			char *k = pf_strdup(t);
			pf_strlist_add(owned, k);
			pf_strmap_put(keep, k, 0);
		}
	}
	ret = pf_publish_leaf(pub, STATE "/generations", out.buf, out.len, e);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&line);
	strbuf_release(&out);
	pf_err_release(&ignore);
	pf_strlist_release(&lines);
	pf_strlist_release(&gen);
	return ret;
}

/*
 * Temporary files a killed run left (nobody else writes here: we hold
 * the lock; builds write to .pkgforge/incoming/).  The directories of
 * packages were cleaned as they were scanned, and attic/ only gets
 * renames: at the top, those are not walked again (but rpm/repodata,
 * which the scan skips).
 */
static bool walked_already(const char *name)
{
	if (!strcmp(name, "attic"))
		return true;
	for (int f = 0; f < PF_FMT_NR; f++)
		if (!strcmp(name, pf_repofmts[f]->dir))
			return true;
	return false;
}

static void clean_temps(const char *dir, int depth, bool recurse)
{
	DIR *d = depth < 16 ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		bool isdir = de->d_type == DT_DIR, isreg = de->d_type == DT_REG;
		struct stat st;
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, STATE))
			continue;
		/* only what a temporary file's name can be, or a directory */
		if (!isdir && !pf_ofile_is_temp(de->d_name) && de->d_type != DT_UNKNOWN)
			continue;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			isdir = S_ISDIR(st.st_mode);
			isreg = S_ISREG(st.st_mode);
		}
		p = pf_asprintf("%s/%s", dir, de->d_name);
		if (isdir && recurse && !(depth == 0 && walked_already(de->d_name)))
			clean_temps(p, depth + 1, true);
		else if (isreg && pf_ofile_is_temp(de->d_name))
			unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
}

/* Packages --keep took out of the feeds go to attic/, below the same path. */
static int to_attic(struct pf_repo *r, struct pf_repo_report *rep, struct pf_err *e)
{
	for (size_t i = r->nr; i-- > 0;) {
		char *from, *to, *dir;
		int rc;

		if (r->pkgs[i]->in_feed)
			continue;
		from = pf_asprintf("%s/%s", r->root, r->pkgs[i]->relpath);
		to = pf_asprintf("%s/attic/%s", r->root, r->pkgs[i]->relpath);
		dir = pf_strdup(to);
		*strrchr(dir, '/') = '\0';
		rc = pf_mkdir_p(dir, 0755, e);
		if (!rc && rename(from, to) < 0)
			rc = pf_err_errno(e, "cannot move %s to %s", from, to);
		if (!rc) {
			pf_log(&r->opts.log, PF_LOG_INFO, "moved %s to attic/ (--keep %d)",
			       r->pkgs[i]->relpath, r->cfg.keep);
			rep->moved_out++;
			pf_repo_drop_pkg(r, i);
		}
		free(from);
		free(to);
		free(dir);
		if (rc)
			return -1;
	}
	return 0;
}

static int snippets(struct pf_repo *r, const struct pf_repoctx *c, struct pf_repopkg **sorted,
		    size_t nsorted, struct pf_repo_report *rep, struct pf_err *e)
{
	struct strbuf all = STRBUF_INIT;
	int ret = 0;

	for (int f = 0; f < PF_FMT_NR && !ret; f++) {
		struct pf_repopkg **v = pf_calloc(nsorted + 1, sizeof(*v));
		struct strbuf text = STRBUF_INIT;
		char *name = NULL;
		size_t n = 0;

		for (size_t i = 0; i < nsorted; i++)
			if (sorted[i]->fmt == (enum pf_fmt_id)f)
				v[n++] = sorted[i];
		ret = pf_repofmts[f]->snippet(c, v, n, &name, &text, e);
		if (!ret && name) {
			char *path = pf_asprintf("%s/setup/%s", r->root, name);

			ret = put_if_changed(path, text.buf, text.len, e);
			pf_strlist_add(&rep->snippets, pf_asprintf("setup/%s", name));
			strbuf_addf(&all, "%s%s", all.len ? "\n" : "", text.buf);
			free(path);
		}
		free(name);
		free(v);
		strbuf_release(&text);
	}
	rep->snippet_text = strbuf_detach(&all, NULL);
	return ret;
}

/* The keyring package of the current keys, in every format the
 * repository has, unless there already. */
static int keyring_packages(struct pf_repo *r, const struct keys *k, struct pf_err *e)
{
	struct pf_strlist added = { NULL, 0, 0 };
	struct pf_keyring kr;
	char *version, *full, *workdir, *maint;
	int ret = 0;

	if (!strcmp(r->cfg.keyring, "none"))
		return 0;
	memset(&kr, 0, sizeof(kr));
	kr.name = r->cfg.keyring;
	kr.origin = r->cfg.origin;
	kr.keyfile = r->cfg.keyfile;
	/* the key's user id when it reads "Name <address>" */
	maint = r->key.uid && strchr(r->key.uid, '<') && strchr(r->key.uid, '@') &&
		pf_ends_with(r->key.uid, ">") && r->key.uid[0] != '<'
		? pf_strdup(r->key.uid) : pf_asprintf("%s repository <nobody@localhost>", r->cfg.origin);
	kr.maintainer = maint;
	kr.created = r->key.created;
	kr.asc = &k->asc;
	kr.bin = &k->bin;
	kr.usign_pub = &k->usign_pub;
	kr.usign_fp = k->usign_fp;
	workdir = pf_asprintf("%s/" STATE "/keyring", r->root);
	kr.workdir = workdir;
	kr.outdir = pf_repo_incoming(r);
	version = pf_keyring_version(&kr);
	full = pf_asprintf("%s-1", version);
	if (!kr.outdir) {
		ret = pf_err_set(e, PF_EFAIL, "cannot create a directory in %s/" STATE, r->root);
		goto out;
	}
	for (int f = 0; f < PF_FMT_NR && !ret; f++) {
		bool present = false, have = false;
		char *path = NULL;

		if (f == PF_FMT_IPK && !r->have_usign)
			continue;
		for (size_t i = 0; i < r->nr; i++) {
			const struct pf_repopkg *p = r->pkgs[i];

			if (p->fmt != (enum pf_fmt_id)f)
				continue;
			present = true;
			have |= !strcmp(p->info.name, kr.name) && !strcmp(p->info.version, full);
		}
		if (!present || have)
			continue;
		ret = pf_keyring_build(&kr, (enum pf_fmt_id)f, &path, e);
		if (!ret) {
			char *placed = NULL;

			ret = pf_repo_add(r, path, true, &placed, e);
			if (!ret)
				pf_strlist_add(&added, placed);
			pf_log(&r->opts.log, PF_LOG_INFO, "built the keyring package %s %s (%s)", kr.name,
			       full, pf_fmt_key[f]);
		}
		free(path);
	}
	/* into this run's feed: signed, read */
	if (!ret && added.nr && (pf_repo_sign_new(r, &added, e) < 0 ||
				 pf_repo_read_many(r, added.v, added.nr, 0, e) < 0))
		ret = -1;
out:
	pf_strlist_release(&added);
	free(version);
	free(full);
	free(workdir);
	free(maint);
	return ret;
}

/* ------------------------------------------------------------- index */

int pf_repo_index(struct pf_repo *r, struct pf_repo_report *rep, struct pf_err *e)
{
	struct pf_publish pub;
	struct pf_repoctx ctx;
	struct pf_strmap keep = PF_STRMAP_INIT;
	struct pf_strlist owned = { NULL, 0, 0 };
	struct pf_repopkg **sorted = NULL, **all = NULL;
	struct keys keys;
	struct timespec t0;
	struct prefetch pre;
	struct checker ck;
	char *zcache = NULL;
	bool have_keys = false, has_ipk = false;
	size_t nsorted = 0;
	int64_t sde;
	int ret = -1;

	memset(&pub, 0, sizeof(pub));
	memset(&ctx, 0, sizeof(ctx));
	memset(&pre, 0, sizeof(pre));
	memset(&ck, 0, sizeof(ck));
	pub.root = r->root;
	{
		char *p = pf_asprintf("%s/rpm/repodata/repomd.xml", r->root);
		r->rpm_feed_existed = access(p, F_OK) == 0;
		free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pf_repo_keys_setup(r, e) < 0)
		goto out;
	prefetch_start(r, &pre);
	if (pf_repo_find_all(r, e) < 0)
		goto save;
	pf_repo_phase(r, &t0, "found and read the packages");
	/* rpms read before get the feed's signature now if --resign */
	if (pf_repo_sign_cached(r, e) < 0)
		goto save;
	if (r->have_key) {
		if (export_keys(r, &keys, e) < 0)
			goto save;
		have_keys = true;
		if (publish_keys(r, &keys, e) < 0 || keyring_packages(r, &keys, e) < 0)
			goto save;
	}
	pf_repo_phase(r, &t0, "signed rpms, keys and keyring packages");
	select_feed(r);
	for (size_t i = 0; i < r->nr; i++)
		has_ipk |= r->pkgs[i]->fmt == PF_FMT_IPK && r->pkgs[i]->in_feed;
	if (has_ipk && r->have_key && !r->have_usign) {
		pf_err_set(e, PF_EINVAL,
			   "the opkg feed needs a usign key too (--usign-key FILE, see 'pkgforge keygen'): OpenWrt's opkg checks Packages.sig");
		goto save;
	}
	checker_start(&ck, r, &pre, rep);
	if (!ck.live && checker_join(&ck, e) < 0)
		goto save;      /* checked first: nothing written */

	ctx.root = r->root;
	ctx.cfg = &r->cfg;
	ctx.threads = r->opts.threads;
	ctx.pgp = r->have_key ? r->pgp : NULL;
	ctx.fpr = r->have_key ? r->key.fpr : NULL;
	ctx.usign = r->have_usign ? &r->usign : NULL;
	ctx.log = &r->opts.log;
	if (pf_source_date_epoch(&sde) > 0)
		ctx.date = sde;
	else
		ctx.date = (int64_t)time(NULL);

	zcache = pf_asprintf("%s/" STATE "/zcache", r->root);
	ctx.zcache = pf_zcache_load(zcache);
	/* all of them in index order (the check reads r->pkgs meanwhile:
	 * they take that order once it is done), those in the feed */
	all = pf_malloc((r->nr ? r->nr : 1) * sizeof(*all));
	memcpy(all, r->pkgs, r->nr * sizeof(*all));
	sort_index(all, r->nr);
	sorted = pf_calloc(r->nr ? r->nr : 1, sizeof(*sorted));
	for (size_t i = 0; i < r->nr; i++)
		if (all[i]->in_feed)
			sorted[nsorted++] = all[i];
	for (int f = 0; f < PF_FMT_NR; f++) {
		struct pf_repopkg **v = pf_calloc(nsorted + 1, sizeof(*v));
		size_t n = 0;
		int rc = 0;

		for (size_t i = 0; i < nsorted; i++)
			if (sorted[i]->fmt == (enum pf_fmt_id)f)
				v[n++] = sorted[i];
		rep->pkgs[f] = n;
		if (n || pf_repofmts[f]->exists(&ctx))
			rc = pf_repofmts[f]->write(&ctx, v, n, &pub, e);
		free(v);
		if (rc < 0) {
			pf_err_prefix(e, "%s index", pf_repofmts[f]->name);
			goto save;
		}
	}
	{
		size_t nz, nreused;
		uint64_t hashed, resumed;

		pf_zcache_stats(ctx.zcache, &nz, &nreused);
		pf_zcache_digest_stats(ctx.zcache, &hashed, &resumed);
		pf_log(&r->opts.log, PF_LOG_DEBUG,
		       "compressed %zu index piece%s, %zu more from .pkgforge/zcache; hashed %" PRIu64
		       " bytes of index text, %" PRIu64 " more from saved digest states",
		       nz, nz == 1 ? "" : "s", nreused, hashed, resumed);
	}
	if (generations(r, &pub, &keep, &owned, e) < 0)
		goto save;
	pf_repo_phase(r, &t0, "wrote the indexes");
	if (checker_join(&ck, e) < 0)
		goto save;
	/* the cache keeps them in this order: the next run sorts less */
	memcpy(r->pkgs, all, r->nr * sizeof(*all));
	if (publish_commit(r, &pub, rep, e) < 0)
		goto save;
	pf_repo_phase(r, &t0, "published");

	/* published: what happens now only tidies up */
	for (size_t i = 0; i < r->nr; i++) {
		r->dirty |= r->pkgs[i]->published != r->pkgs[i]->in_feed;
		r->pkgs[i]->published = r->pkgs[i]->in_feed;
	}
	if (pf_zcache_save(ctx.zcache, zcache, e) < 0)
		goto save;
	for (int f = 0; f < PF_FMT_NR; f++)
		pf_repofmts[f]->prune(&ctx, &keep);
	clean_temps(r->root, 0, true);
	{
		char *state = pf_asprintf("%s/" STATE, r->root);
		char *repodata = pf_asprintf("%s/rpm/repodata", r->root);

		clean_temps(state, 0, false);
		clean_temps(repodata, 0, false);
		free(state);
		free(repodata);
	}
	if (to_attic(r, rep, e) < 0)
		goto save;
	if (snippets(r, &ctx, sorted, nsorted, rep, e) < 0)
		goto save;
	pf_repo_phase(r, &t0, "tidied up");
	rep->read = r->read;
	rep->signed_now = r->signed_now;
	rep->cached = r->nr >= r->read ? r->nr + rep->moved_out - r->read : 0;
	ret = 0;
save:
	/* a check still under way ends first; the error that came here is
	 * the one told */
	if (ck.live) {
		struct pf_err ignore = PF_ERR_INIT;

		checker_join(&ck, &ignore);
		pf_err_release(&ignore);
	}
	/* what was read stays known, whatever else happened */
	{
		struct pf_err ignore = PF_ERR_INIT;

		if (save_cache(r, ret ? &ignore : e) < 0 && !ret)
			ret = -1;
		pf_err_release(&ignore);
	}
out:
	prefetch_release(&pre);
	publish_release(&pub);
	if (have_keys)
		keys_release(&keys);
	pf_strmap_release(&keep);
	pf_strlist_release(&owned);
	pf_zcache_free(ctx.zcache);
	free(zcache);
	free(sorted);
	free(all);
	return ret;
}
