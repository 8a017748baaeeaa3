// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The repository (repo.h): settings, the lock, finding and reading
 * packages (once: the index cache), rpm signatures, --keep, the check,
 * and publication.  The formats themselves are in repofmt-*.c.
 *
 * Publication order, so that a run killed at any moment leaves the
 * previous feeds valid:
 *   1. packages are in place before any index names them;
 *   2. files named by content (apt's by-hash copies, rpm-md's
 *      <sha256>-*.xml.*) are written;
 *   3. files with fixed names are written and synced under temporary
 *      names, then renamed into place one right after the other, in
 *      the order the formats gave (apt's InRelease very last);
 *   4. then the cache, old generations, and packages --keep moves out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "repofmt.h"
#include "sign.h"
#include "strmap.h"
#include "usign.h"
#include "util.h"
#include "banned.h"

#define STATE ".pkgforge"
#define MAX_SETTINGS (64 << 10)

struct pf_repo {
	char *root;
	int lock_fd;
	struct pf_repo_opts opts;
	struct pf_repo_cfg cfg;
	char *incoming;
	/* every package known: the cache, then what this run read */
	struct pf_repopkg **pkgs;
	size_t nr, alloc;
	bool cache_dropped;             /* unreadable: nothing is known */
	bool had_cache;                 /* published flags can be trusted */
	bool rpm_feed_existed;          /* rpm/repodata/repomd.xml was there */
	bool dirty;                     /* the cache must be saved */
	/* signing, set up on first need */
	bool keys_ready;
	struct pf_pgp *pgp;
	struct pf_pgp_keyinfo key;
	bool have_key;
	struct pf_usign_key usign;
	bool have_usign;
	size_t read, signed_now;
};

static int keys_setup(struct pf_repo *r, struct pf_err *e);

void pf_repo_opts_init(struct pf_repo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->keep = -1;
	o->byhash_keep = -1;
}

/* ---------------------------------------------------------- settings */

static const char *const setting_keys[] = {
	"suite", "codename", "component", "origin", "label", "description", "url",
	"sign-key", "gnupghome", "usign-key", "profile", "rpmmd-compression",
	"keyring-package", "keep", "by-hash-keep",
};

static char **cfg_slot(struct pf_repo_cfg *c, const char *key, int **num)
{
	*num = NULL;
	if (!strcmp(key, "suite"))
		return &c->suite;
	if (!strcmp(key, "codename"))
		return &c->codename;
	if (!strcmp(key, "component"))
		return &c->component;
	if (!strcmp(key, "origin"))
		return &c->origin;
	if (!strcmp(key, "label"))
		return &c->label;
	if (!strcmp(key, "description"))
		return &c->description;
	if (!strcmp(key, "url"))
		return &c->url;
	if (!strcmp(key, "sign-key"))
		return &c->sign_key;
	if (!strcmp(key, "gnupghome"))
		return &c->gnupghome;
	if (!strcmp(key, "usign-key"))
		return &c->usign_key;
	if (!strcmp(key, "profile"))
		return &c->profile;
	if (!strcmp(key, "keyring-package"))
		return &c->keyring;
	if (!strcmp(key, "keep"))
		*num = &c->keep;
	else if (!strcmp(key, "by-hash-keep"))
		*num = &c->byhash_keep;
	return NULL;
}

static void cfg_release(struct pf_repo_cfg *c)
{
	free(c->suite);
	free(c->codename);
	free(c->component);
	free(c->origin);
	free(c->label);
	free(c->description);
	free(c->url);
	free(c->sign_key);
	free(c->gnupghome);
	free(c->usign_key);
	free(c->profile);
	free(c->keyring);
	free(c->keyfile);
	memset(c, 0, sizeof(*c));
}

static bool name_ok(const char *s)
{
	if (!*s || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-", *p)))
			return false;
	return true;
}

/* One setting, from the settings file (where: its path) or an option
 * (where: NULL). */
static int set_one(struct pf_repo_cfg *c, struct strbuf *rpmmd, const char *key,
		   const char *val, const char *where, struct pf_err *e)
{
	int *num, ret = -1;
	char **slot = cfg_slot(c, key, &num);
	char *what = where ? pf_asprintf("%s: %s", where, key) : pf_asprintf("--%s", key);

	if (strchr(val, '\n') || !pf_utf8_clean(val, strlen(val))) {
		pf_err_set(e, PF_EINVAL, "%s must be one line of text", what);
		goto out;
	}
	if (!strcmp(key, "rpmmd-compression")) {
		if (strcmp(val, "zst") && strcmp(val, "gz") && strcmp(val, "xz")) {
			pf_err_set(e, PF_EINVAL, "%s: unknown compression '%s' (zst, gz, xz)", what, val);
			goto out;
		}
		strbuf_reset(rpmmd);
		strbuf_addstr(rpmmd, val);
		ret = 0;
		goto out;
	}
	if (num) {
		char *end;
		long v = strtol(val, &end, 10);
		int lo = num == &c->byhash_keep ? 1 : 0;

		if (!*val || *end || v < lo || v > 1000) {
			pf_err_set(e, PF_EINVAL, "%s must be a number from %d to 1000, not '%s'", what,
				   lo, val);
			goto out;
		}
		*num = (int)v;
		ret = 0;
		goto out;
	}
	if (!slot) {
		pf_err_set(e, PF_EINVAL, "%s: unknown setting", what);
		goto out;
	}
	if ((!strcmp(key, "suite") || !strcmp(key, "codename") || !strcmp(key, "component") ||
	     !strcmp(key, "origin") || !strcmp(key, "profile")) && !name_ok(val)) {
		pf_err_set(e, PF_EINVAL, "%s '%s' must be letters, digits, '.', '_', '+' and '-'",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "origin") && !pf_debname_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' must be a valid package name (lower case letters, digits, '+', '-', '.'): it names the keyring package",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "keyring-package") && strcmp(val, "none") && !pf_debname_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' is not a valid package name (lower case letters, digits, '+', '-', '.'), nor 'none'",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "sign-key") && !pf_pgp_fpr_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "url") && (strchr(val, ' ') || !strstr(val, "://"))) {
		pf_err_set(e, PF_EINVAL, "%s '%s' must be a URL without spaces", what, val);
		goto out;
	}
	free(*slot);
	*slot = pf_strdup(val);
	if (!strcmp(key, "sign-key"))
		for (char *p = *slot; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
	if (!strcmp(key, "url"))
		while (strlen(*slot) > 1 && (*slot)[strlen(*slot) - 1] == '/')
			(*slot)[strlen(*slot) - 1] = '\0';
	ret = 0;
out:
	free(what);
	return ret;
}

static int load_settings(struct pf_repo *r, struct pf_repo_cfg *saved, struct strbuf *rpmmd,
			 struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/settings", r->root);
	struct strbuf sb = STRBUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	char *line, *save = NULL;
	int ret = 0;

	if (pf_read_file(path, MAX_SETTINGS, &sb, &err) < 0) {
		if (err.errnum != ENOENT) {
			pf_err_set(e, PF_EFAIL, "%s", err.msg.buf);
			ret = -1;
		}
		goto out;
	}
	for (line = strtok_r(sb.buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (line[0] == '#')
			continue;
		if (!sp) {
			ret = pf_err_set(e, PF_EINVAL, "%s: malformed line '%s'", path, line);
			break;
		}
		*sp = '\0';
		ret = set_one(saved, rpmmd, line, sp + 1, path, e);
	}
out:
	free(path);
	strbuf_release(&sb);
	pf_err_release(&err);
	return ret;
}

static int save_settings(struct pf_repo *r, const struct pf_repo_cfg *saved,
			 const char *rpmmd, struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/settings", r->root);
	struct strbuf sb = STRBUF_INIT, old = STRBUF_INIT;
	struct pf_err ignore = PF_ERR_INIT;
	int ret = 0;

	strbuf_addstr(&sb, "# pkgforge index settings of this repository: what an option gave\n"
		      "# once; give the option again to change it\n");
	for (size_t i = 0; i < PF_ARRAY_SIZE(setting_keys); i++) {
		int *num;
		char **slot = cfg_slot((struct pf_repo_cfg *)saved, setting_keys[i], &num);

		if (!strcmp(setting_keys[i], "rpmmd-compression")) {
			if (*rpmmd)
				strbuf_addf(&sb, "%s %s\n", setting_keys[i], rpmmd);
		} else if (num && *num >= 0) {
			strbuf_addf(&sb, "%s %d\n", setting_keys[i], *num);
		} else if (slot && *slot) {
			strbuf_addf(&sb, "%s %s\n", setting_keys[i], *slot);
		}
	}
	if (pf_read_file(path, MAX_SETTINGS, &old, &ignore) < 0 || strcmp(old.buf, sb.buf))
		ret = pf_ofile_put(path, sb.buf, sb.len, e);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&old);
	pf_err_release(&ignore);
	return ret;
}

/* An absolute path: settings must work from any directory. */
static char *absolute(const char *p)
{
	char buf[PATH_MAX];

	if (p[0] == '/')
		return pf_strdup(p);
	if (!getcwd(buf, sizeof(buf)))
		return pf_strdup(p);
	return pf_asprintf("%s/%s", buf, p);
}

static int settings(struct pf_repo *r, bool save, struct pf_err *e)
{
	const struct pf_repo_opts *o = &r->opts;
	struct pf_repo_cfg saved;
	struct strbuf rpmmd = STRBUF_INIT;
	const char *given[PF_ARRAY_SIZE(setting_keys)];
	char nbuf[2][16];
	char *abs_usign = o->usign_key ? absolute(o->usign_key) : NULL;
	char *abs_home = o->gnupghome ? absolute(o->gnupghome) : NULL;
	int ret = -1;

	memset(&saved, 0, sizeof(saved));
	saved.keep = saved.byhash_keep = -1;
	if (load_settings(r, &saved, &rpmmd, e) < 0)
		goto out;
	snprintf(nbuf[0], sizeof(nbuf[0]), "%d", o->keep);
	snprintf(nbuf[1], sizeof(nbuf[1]), "%d", o->byhash_keep);
	given[0] = o->suite;
	given[1] = o->codename;
	given[2] = o->component;
	given[3] = o->origin;
	given[4] = o->label;
	given[5] = o->description;
	given[6] = o->url;
	given[7] = o->sign_key;
	given[8] = abs_home;
	given[9] = abs_usign;
	given[10] = o->profile;
	given[11] = o->rpmmd_comp;
	given[12] = o->keyring;
	given[13] = o->keep >= 0 ? nbuf[0] : NULL;
	given[14] = o->byhash_keep >= 0 ? nbuf[1] : NULL;
	for (size_t i = 0; i < PF_ARRAY_SIZE(setting_keys); i++)
		if (given[i] && set_one(&saved, &rpmmd, setting_keys[i], given[i], NULL, e) < 0)
			goto out;
	if (save && save_settings(r, &saved, rpmmd.buf, e) < 0)
		goto out;

	/* the run's configuration: defaults, then the settings */
	r->cfg.suite = pf_strdup(saved.suite ? saved.suite : "stable");
	r->cfg.codename = pf_strdup(saved.codename ? saved.codename : r->cfg.suite);
	r->cfg.component = pf_strdup(saved.component ? saved.component : "main");
	r->cfg.origin = pf_strdup(saved.origin ? saved.origin : "korg");
	r->cfg.label = pf_strdup(saved.label ? saved.label : r->cfg.origin);
	r->cfg.description = pf_strdup(saved.description ? saved.description : "");
	r->cfg.url = saved.url ? pf_strdup(saved.url) : pf_asprintf("file://%s", r->root);
	r->cfg.sign_key = saved.sign_key ? pf_strdup(saved.sign_key) : NULL;
	r->cfg.gnupghome = saved.gnupghome ? pf_strdup(saved.gnupghome) : NULL;
	r->cfg.usign_key = saved.usign_key ? pf_strdup(saved.usign_key) : NULL;
	r->cfg.profile = pf_strdup(saved.profile ? saved.profile : PF_DEFAULT_PROFILE);
	r->cfg.keyfile = pf_asprintf("%s-archive-keyring", r->cfg.origin);
	r->cfg.keyring = pf_strdup(saved.keyring ? saved.keyring : r->cfg.keyfile);
	r->cfg.keep = saved.keep >= 0 ? saved.keep : 0;
	r->cfg.byhash_keep = saved.byhash_keep >= 1 ? saved.byhash_keep : 3;
	pf_comp_parse(rpmmd.len ? rpmmd.buf : "zst", &r->cfg.rpmmd_comp);
	ret = 0;
out:
	cfg_release(&saved);
	strbuf_release(&rpmmd);
	free(abs_usign);
	free(abs_home);
	return ret;
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
static void phase(struct pf_repo *r, struct timespec *t0, const char *what)
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
	if (pf_repocache_load(path, &r->pkgs, &r->nr, &r->alloc, &e) > 0) {
		r->cache_dropped = true;
		r->dirty = true;
		r->had_cache = false;
		pf_log(&r->opts.log, PF_LOG_WARN,
		       "%s is unreadable (another pkgforge version?): every package is read again",
		       path);
	}
	phase(r, &t0, "read the index cache");
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
	ret = pf_repocache_save(path, r->pkgs, r->nr, e);
	phase(r, &t0, "saved the index cache");
	if (!ret)
		r->dirty = false;

	free(path);
	return ret;
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
	r->root = absolute(dir);
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
	if (take_lock(r, e) < 0 || settings(r, true, e) < 0)
		goto fail;
	clean_incoming(r);
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
	r->root = absolute(dir);
	if (settings(r, false, e) < 0 || keys_setup(r, e) < 0)
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
	for (size_t i = 0; i < r->nr; i++) {
		pf_repopkg_release(r->pkgs[i]);
		free(r->pkgs[i]);
	}
	free(r->pkgs);
	if (r->incoming)
		pf_rmtree(r->incoming);
	free(r->incoming);
	pf_pgp_free(r->pgp);
	pf_pgp_keyinfo_release(&r->key);
	memset(&r->usign, 0, sizeof(r->usign));
	cfg_release(&r->cfg);
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

static int keys_setup(struct pf_repo *r, struct pf_err *e)
{
	if (r->keys_ready || r->opts.unsigned_feed)
		return 0;
	if (!r->cfg.sign_key)
		return pf_err_set(e, PF_EINVAL,
				  "no signing key: give --sign-key FPR (see 'pkgforge keygen'), or --unsigned for a feed no client can verify");
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
	    pf_pgp_export(r->pgp, r->key.fpr, false, &k->bin, e) < 0)
		return -1;
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

/* ------------------------------------------------------------- reading */

static enum pf_fmt_id fmt_of(const char *path)
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

static void stat_key(const struct stat *st, struct pf_repopkg *p)
{
	p->size = (uint64_t)st->st_size;
	p->ino = (uint64_t)st->st_ino;
	p->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
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
	p->fmt = fmt_of(relpath);
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

/* Read the packages at relpaths (in parallel); append them to r->pkgs. */
static int read_many(struct pf_repo *r, char *const *relpaths, size_t n, struct pf_err *e)
{
	struct readers rd;
	pthread_t th[64];
	size_t nth = (size_t)r->opts.threads, started = 0;
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

static ssize_t find_pkg(struct pf_repo *r, const char *relpath)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->pkgs[i]->relpath, relpath))
			return (ssize_t)i;
	return -1;
}

static void drop_pkg(struct pf_repo *r, size_t i)
{
	r->dirty = true;
	pf_repopkg_release(r->pkgs[i]);
	free(r->pkgs[i]);
	memmove(&r->pkgs[i], &r->pkgs[i + 1], (r->nr - i - 1) * sizeof(*r->pkgs));
	r->nr--;
}

/* ------------------------------------------------------------ finding */

/* A package file found, with what its cache key needs. */
struct found {
	char *rel;
	struct stat st;
};

struct founds {
	struct found *v;
	size_t nr, alloc;
};

static int scan(const char *root, const char *rel, const struct pf_repofmt *f, int depth,
		struct founds *out, struct pf_err *e)
{
	char *dir = pf_asprintf("%s/%s", root, rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = errno == ENOENT ? 0 : pf_err_errno(e, "cannot read %s", dir);
		free(dir);
		return ret;
	}
	while (!ret && (de = readdir(d)) != NULL) {
		bool isdir = de->d_type == DT_DIR, isreg = de->d_type == DT_REG;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
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
				ret = scan(root, r, f, depth + 1, out, e);
			free(r);
		} else if (isreg && fmt_of(de->d_name) == f->fmt && pf_pkgin_known(de->d_name) &&
			   !(f->fmt == PF_FMT_IPK && depth != 1)) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				ret = pf_err_errno(e, "cannot read %s/%s", dir, de->d_name);
				break;
			}
			if (!S_ISREG(st.st_mode))
				continue;
			PF_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
			out->v[out->nr].rel = pf_asprintf("%s/%s", rel, de->d_name);
			out->v[out->nr].st = st;
			out->nr++;
		}
	}
	closedir(d);
	free(dir);
	return ret;
}

static bool wants_signature(struct pf_repo *r, const struct pf_repopkg *p);
static int sign_many(struct pf_repo *r, char *const *rel, size_t n, struct pf_err *e);

/* The new rpms that need the feed's signature: unsigned ones (unless a
 * feed published before the cache was lost may name them), and those
 * signed by another key with --resign; signed, several at once. */
static int sign_new(struct pf_repo *r, const struct pf_strlist *toread, struct pf_err *e)
{
	struct pf_strlist want = { NULL, 0, 0 };
	int ret = -1;

	if (!r->have_key)
		return 0;
	for (size_t i = 0; i < toread->nr; i++) {
		struct pf_repopkg p;
		char *full;
		int rc;

		if (fmt_of(toread->v[i]) != PF_FMT_RPM)
			continue;
		memset(&p, 0, sizeof(p));
		p.fmt = PF_FMT_RPM;
		p.relpath = toread->v[i];
		full = pf_asprintf("%s/%s", r->root, toread->v[i]);
		rc = pf_rpm_sigkey(full, p.sigkey, e);
		free(full);
		if (rc < 0)
			goto out;
		if (wants_signature(r, &p))
			pf_strlist_add(&want, pf_strdup(toread->v[i]));
	}
	ret = sign_many(r, want.v, want.nr, e);
out:
	pf_strlist_release(&want);
	return ret;
}

/* Every package file of the repository: known ones whose file is the
 * same keep their cached record; the others are read. */
static int find_all(struct pf_repo *r, struct pf_err *e)
{
	struct founds files = { NULL, 0, 0 };
	struct pf_strlist toread = { NULL, 0, 0 };
	struct pf_strmap known = PF_STRMAP_INIT;
	int ret = -1;

	for (int f = 0; f < PF_FMT_NR; f++)
		if (scan(r->root, pf_repofmts[f]->dir, pf_repofmts[f], 0, &files, e) < 0)
			goto out;
	for (size_t i = 0; i < r->nr; i++) {
		r->pkgs[i]->seen = false;
		pf_strmap_put(&known, r->pkgs[i]->relpath, i);
	}
	for (size_t i = 0; i < files.nr; i++) {
		size_t k;
		bool hit = false;

		if (pf_strmap_get(&known, files.v[i].rel, &k)) {
			struct pf_repopkg key;

			stat_key(&files.v[i].st, &key);
			hit = key.size == r->pkgs[k]->size && key.ino == r->pkgs[k]->ino &&
			      key.mtime_ns == r->pkgs[k]->mtime_ns;
			if (hit)
				r->pkgs[k]->seen = true;
		}
		if (!hit) {
			pf_strlist_add(&toread, files.v[i].rel);
			files.v[i].rel = NULL;
		}
	}
	pf_strmap_release(&known);
	/* records of files gone or changed go; changed ones are read again */
	for (size_t i = r->nr; i-- > 0;)
		if (!r->pkgs[i]->seen)
			drop_pkg(r, i);
	/* new rpms get the feed's signature before they are read: nothing
	 * names them yet */
	if (sign_new(r, &toread, e) < 0)
		goto out;
	if (read_many(r, toread.v, toread.nr, e) < 0)
		goto out;
	ret = 0;
out:
	pf_strmap_release(&known);
	for (size_t i = 0; i < files.nr; i++)
		free(files.v[i].rel);
	free(files.v);
	pf_strlist_release(&toread);
	return ret;
}

/* ------------------------------------------------------------- adding */

static bool signed_by_us(const struct pf_repo *r, const struct pf_repopkg *p)
{
	return r->have_key && !strcasecmp(p->sigkey, r->key.keyid);
}

/* Should this rpm get our signature (now)?  Never one a published feed
 * names with its old digest, but with --resign. */
static bool wants_signature(struct pf_repo *r, const struct pf_repopkg *p)
{
	if (!r->have_key || p->fmt != PF_FMT_RPM || signed_by_us(r, p))
		return false;
	if (r->opts.resign)
		return true;
	if (p->sigkey[0]) {
		pf_log(&r->opts.log, PF_LOG_WARN,
		       "%s is signed by another key (%s): dnf with gpgcheck=1 refuses it unless that key is imported too; --resign signs it with %s",
		       p->relpath, p->sigkey, r->key.keyid);
		return false;
	}
	/* without a cache, a feed that exists may name it */
	if (p->published || (!r->had_cache && r->rpm_feed_existed)) {
		pf_log(&r->opts.log, PF_LOG_WARN,
		       "%s was published unsigned: dnf with gpgcheck=1 refuses it; --resign signs it in place",
		       p->relpath);
		return false;
	}
	return true;
}

struct signers {
	struct pf_repo *r;
	char *const *rel;
	size_t n;
	struct pf_err *errs;
	atomic_size_t next;
	atomic_bool failed;
};

struct signer_ctx {
	struct pf_pgp *pgp;
	const char *fpr;
};

static int thread_signer(void *ctx, const void *hdr, size_t len, struct strbuf *sig,
			 int *algo, struct pf_err *e)
{
	struct signer_ctx *s = ctx;

	return pf_pgp_sign(s->pgp, s->fpr, PF_PGP_DETACH_BINARY, hdr, len, sig, algo, e);
}

/* One thread's share of the signing: GnuPG runs a process per
 * signature, so several at once keep the CPUs busy. */
static void *signer(void *arg)
{
	struct signers *sg = arg;
	struct signer_ctx sc = { NULL, sg->r->key.fpr };
	struct pf_err e = PF_ERR_INIT;

	if (pf_pgp_open_home(&sc.pgp, sg->r->cfg.gnupghome, false, &e) < 0) {
		pf_err_set(&sg->errs[0], e.code, "%s", e.msg.buf);
		atomic_store(&sg->failed, true);
		pf_err_release(&e);
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&sg->next, 1);
		char *full;

		if (i >= sg->n || atomic_load(&sg->failed))
			break;
		full = pf_asprintf("%s/%s", sg->r->root, sg->rel[i]);
		if (pf_rpm_sign(full, thread_signer, &sc, &sg->errs[i]) < 0)
			atomic_store(&sg->failed, true);
		free(full);
	}
	pf_pgp_free(sc.pgp);
	pf_err_release(&e);
	return NULL;
}

/* Sign the rpms at rel[] in place, several at once. */
static int sign_many(struct pf_repo *r, char *const *rel, size_t n, struct pf_err *e)
{
	struct signers sg;
	pthread_t th[64];
	size_t nth = (size_t)r->opts.threads, started = 0;
	int ret = 0;

	if (!n)
		return 0;
	memset(&sg, 0, sizeof(sg));
	sg.r = r;
	sg.rel = rel;
	sg.n = n;
	sg.errs = pf_calloc(n, sizeof(*sg.errs));
	for (size_t i = 0; i < n; i++)
		sg.errs[i] = (struct pf_err)PF_ERR_INIT;
	atomic_init(&sg.next, 0);
	atomic_init(&sg.failed, false);
	if (nth > PF_ARRAY_SIZE(th))
		nth = PF_ARRAY_SIZE(th);
	if (nth > n)
		nth = n;
	for (size_t i = 0; i < nth; i++)
		if (pthread_create(&th[started], NULL, signer, &sg) == 0)
			started++;
	if (!started)
		signer(&sg);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (sg.errs[i].msg.len && !ret) {
			pf_err_set(e, sg.errs[i].code ? sg.errs[i].code : PF_EFAIL, "%s",
				   sg.errs[i].msg.buf);
			ret = -1;
		}
		pf_err_release(&sg.errs[i]);
	}
	free(sg.errs);
	if (!ret)
		r->signed_now += n;
	return ret;
}

/* Sign the cached rpms that want it (--resign) and read them again. */
static int sign_cached(struct pf_repo *r, struct pf_err *e)
{
	struct pf_strlist rel = { NULL, 0, 0 };
	bool *pub = NULL;
	size_t before;
	int ret = -1;

	for (size_t i = 0; i < r->nr; i++)
		if (wants_signature(r, r->pkgs[i]))
			pf_strlist_add(&rel, pf_strdup(r->pkgs[i]->relpath));
	if (!rel.nr)
		return 0;
	pub = pf_calloc(rel.nr, sizeof(*pub));
	for (size_t k = 0; k < rel.nr; k++) {
		ssize_t i = find_pkg(r, rel.v[k]);
		pub[k] = r->pkgs[i]->published;
		drop_pkg(r, (size_t)i);
	}
	if (sign_many(r, rel.v, rel.nr, e) < 0)
		goto out;
	before = r->read;
	if (read_many(r, rel.v, rel.nr, e) < 0)
		goto out;
	r->read = before;
	for (size_t k = 0; k < rel.nr; k++)
		r->pkgs[find_pkg(r, rel.v[k])]->published = pub[k];
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
	enum pf_fmt_id fmt = fmt_of(path);
	char *rel = NULL, *dest = NULL, *tmp = NULL;
	struct stat st;
	ssize_t k;
	int ret = -1;

	if (placed)
		*placed = NULL;
	memset(&info, 0, sizeof(info));
	if (!pf_pkgin_known(path))
		return pf_err_set(e, PF_EINVAL, "%s: not a package pkgforge can add (%s)", path,
				  pf_pkgin_formats());
	if (fmt == PF_FMT_RPM && keys_setup(r, e) < 0)
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
		k = find_pkg(r, rel);
		if (k < 0 && read_many(r, &rel, 1, e) < 0) {
			free(want);
			goto out;
		}
		k = find_pkg(r, rel);
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
		k = find_pkg(r, rel);
		if (k >= 0)
			drop_pkg(r, (size_t)k);
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

/* --keep N: the N newest versions of each name and architecture. */
static void select_feed(struct pf_repo *r)
{
	struct pf_repopkg **v;
	size_t rank = 0;

	if (!r->nr)
		return;
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

static int check_feed(struct pf_repo *r, struct pf_repo_report *rep, struct pf_err *e)
{
	struct pf_profile profile;
	struct pf_pkginfo *v = pf_calloc(r->nr ? r->nr : 1, sizeof(*v));
	size_t n = 0;

	if (pf_profile_load(&profile, r->cfg.profile, e) < 0) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < r->nr; i++)
		if (r->pkgs[i]->in_feed)
			v[n++] = r->pkgs[i]->info;     /* shallow: not released here */
	rep->problems = pf_check_pkgs(v, n, &profile, &rep->diag);
	pf_profile_release(&profile);
	free(v);
	return 0;
}

/* -------------------------------------------------------- publishing */

static void publish_release(struct pf_publish *pub)
{
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

/* Put every synced file in place, one right after the other. */
static int publish_commit(struct pf_repo *r, struct pf_publish *pub,
			  struct pf_repo_report *rep, struct pf_err *e)
{
	struct pf_strlist dirs = { NULL, 0, 0 };
	int ret = -1;

	for (size_t i = 0; i < pub->nr_top; i++) {
		char *dir = pf_strdup(pub->top[i].path);
		bool have = false;

		*strrchr(dir, '/') = '\0';
		for (size_t k = 0; k < dirs.nr && !have; k++)
			have = !strcmp(dirs.v[k], dir);
		if (have)
			free(dir);
		else
			pf_strlist_add(&dirs, dir);
	}
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
	for (size_t i = 0; i < dirs.nr; i++) {
		char *f = pf_asprintf("%s/x", dirs.v[i]);
		pf_fsync_dir_of(f);
		free(f);
	}
	ret = 0;
out:
	pf_strlist_release(&dirs);
	return ret;
}

/*
 * .pkgforge/generations: one line per publication, the content-named
 * files it referred to; the files of the last byhash_keep ones stay.
 */
static int generations(struct pf_repo *r, const struct pf_publish *pub, struct pf_strmap *keep,
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
	ret = pf_ofile_put(path, out.buf, out.len, e);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&line);
	strbuf_release(&out);
	pf_err_release(&ignore);
	pf_strlist_release(&lines);
	pf_strlist_release(&gen);
	return ret;
}

/* ofile's temporary files: ".NAME.tmp.XXXXXX" */
static bool ofile_temp(const char *name)
{
	const char *t = strstr(name, ".tmp.");

	return name[0] == '.' && t && strlen(t) == strlen(".tmp.XXXXXX");
}

/* Temporary files a killed run left (nobody else writes here: we hold
 * the lock; builds write to .pkgforge/incoming/). */
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
		if (!isdir && !(de->d_name[0] == '.' && ofile_temp(de->d_name)) &&
		    de->d_type != DT_UNKNOWN)
			continue;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			isdir = S_ISDIR(st.st_mode);
			isreg = S_ISREG(st.st_mode);
		}
		p = pf_asprintf("%s/%s", dir, de->d_name);
		if (isdir && recurse)
			clean_temps(p, depth + 1, true);
		else if (isreg && ofile_temp(de->d_name))
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
			drop_pkg(r, i);
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
	if (!ret && added.nr && (sign_new(r, &added, e) < 0 ||
				 read_many(r, added.v, added.nr, e) < 0))
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
	struct pf_repopkg **sorted = NULL;
	struct keys keys;
	struct timespec t0;
	bool have_keys = false, has_ipk = false;
	size_t nsorted = 0;
	int64_t sde;
	int ret = -1;

	memset(&pub, 0, sizeof(pub));
	memset(&ctx, 0, sizeof(ctx));
	pub.root = r->root;
	{
		char *p = pf_asprintf("%s/rpm/repodata/repomd.xml", r->root);
		r->rpm_feed_existed = access(p, F_OK) == 0;
		free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (keys_setup(r, e) < 0)
		goto out;
	if (find_all(r, e) < 0)
		goto save;
	phase(r, &t0, "found and read the packages");
	/* rpms read before get the feed's signature now if --resign */
	if (sign_cached(r, e) < 0)
		goto save;
	if (r->have_key) {
		if (export_keys(r, &keys, e) < 0)
			goto save;
		have_keys = true;
		if (publish_keys(r, &keys, e) < 0 || keyring_packages(r, &keys, e) < 0)
			goto save;
	}
	phase(r, &t0, "signed rpms, keys and keyring packages");
	select_feed(r);
	for (size_t i = 0; i < r->nr; i++)
		has_ipk |= r->pkgs[i]->fmt == PF_FMT_IPK && r->pkgs[i]->in_feed;
	if (has_ipk && r->have_key && !r->have_usign) {
		pf_err_set(e, PF_EINVAL,
			   "the opkg feed needs a usign key too (--usign-key FILE, see 'pkgforge keygen'): OpenWrt's opkg checks Packages.sig");
		goto save;
	}
	if (check_feed(r, rep, e) < 0)
		goto save;
	phase(r, &t0, "checked the feed");
	if (rep->problems && !r->opts.allow_problems) {
		pf_err_set(e, PF_EFAIL,
			   "%d problem%s in the feed: nothing was published (--allow-problems publishes anyway)",
			   rep->problems, rep->problems == 1 ? "" : "s");
		goto save;
	}

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

	sorted = pf_calloc(r->nr ? r->nr : 1, sizeof(*sorted));
	for (size_t i = 0; i < r->nr; i++)
		if (r->pkgs[i]->in_feed)
			sorted[nsorted++] = r->pkgs[i];
	if (nsorted)
		qsort(sorted, nsorted, sizeof(*sorted), cmp_index);
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
	phase(r, &t0, "wrote the indexes");
	if (publish_commit(r, &pub, rep, e) < 0)
		goto save;
	phase(r, &t0, "published");

	/* published: what happens now only tidies up */
	for (size_t i = 0; i < r->nr; i++) {
		r->dirty |= r->pkgs[i]->published != r->pkgs[i]->in_feed;
		r->pkgs[i]->published = r->pkgs[i]->in_feed;
	}
	if (generations(r, &pub, &keep, &owned, e) < 0)
		goto save;
	for (int f = 0; f < PF_FMT_NR; f++)
		pf_repofmts[f]->prune(&ctx, &keep);
	clean_temps(r->root, 0, true);
	{
		char *state = pf_asprintf("%s/" STATE, r->root);
		clean_temps(state, 0, false);
		free(state);
	}
	if (to_attic(r, rep, e) < 0)
		goto save;
	if (snippets(r, &ctx, sorted, nsorted, rep, e) < 0)
		goto save;
	phase(r, &t0, "tidied up");
	rep->read = r->read;
	rep->signed_now = r->signed_now;
	rep->cached = r->nr >= r->read ? r->nr + rep->moved_out - r->read : 0;
	ret = 0;
save:
	/* what was read stays known, whatever else happened */
	{
		struct pf_err ignore = PF_ERR_INIT;

		if (save_cache(r, ret ? &ignore : e) < 0 && !ret)
			ret = -1;
		pf_err_release(&ignore);
	}
out:
	publish_release(&pub);
	if (have_keys)
		keys_release(&keys);
	pf_strmap_release(&keep);
	pf_strlist_release(&owned);
	free(sorted);
	return ret;
}
