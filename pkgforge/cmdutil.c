// SPDX-License-Identifier: GPL-2.0-or-later
/* What several subcommands share: loading manifests, filters, options. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdutil.h"
#include "digest.h"
#include "glob.h"
#include "pkgfmt.h"
#include "repo.h"
#include "sign.h"
#include "util.h"
#include "banned.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(struct pf_strlist *paths, const char *arg, struct pf_diag *d)
{
	struct stat st;
	struct pf_loc loc = { arg, 0, 0 };

	if (stat(arg, &st) < 0) {
		pf_diag_error(d, &loc, "cannot read manifest: no such file or directory");
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(arg);
		struct dirent *de;
		size_t first = paths->nr;

		if (!dir) {
			pf_diag_error(d, &loc, "cannot read directory");
			return;
		}
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' || !pf_ends_with(de->d_name, ".yaml"))
				continue;
			pf_strlist_add(paths, pf_asprintf("%s%s%s", arg,
							  pf_ends_with(arg, "/") ? "" : "/",
							  de->d_name));
		}
		closedir(dir);
		qsort(paths->v + first, paths->nr - first, sizeof(*paths->v), cmp_str);
		if (paths->nr == first)
			pf_diag_error(d, &loc, "no *.yaml manifest in this directory");
		return;
	}
	pf_strlist_add(paths, pf_strdup(arg));
}

int pf_load_and_plan(int argc, char **argv, struct pf_manifests *ms,
		     struct pf_plan *plan, struct pf_diag *d)
{
	struct pf_strlist paths = { NULL, 0, 0 };
	int ret = 0;

	for (int i = 0; i < argc; i++)
		add_path(&paths, argv[i], d);
	if (d->errors)
		ret = -1;
	for (size_t i = 0; i < paths.nr; i++) {
		struct pf_manifest *m = pf_calloc(1, sizeof(*m));

		PF_ALLOC_GROW(ms->v, ms->nr + 1, ms->alloc);
		ms->v[ms->nr++] = m;
		if (pf_manifest_load(m, paths.v[i], d) < 0) {
			ret = -1;
			continue;
		}
		if (pf_plan_add(plan, m, d) < 0)
			ret = -1;
	}
	pf_strlist_release(&paths);
	return ret;
}

void pf_manifests_release(struct pf_manifests *ms)
{
	for (size_t i = 0; i < ms->nr; i++) {
		pf_manifest_release(ms->v[i]);
		free(ms->v[i]);
	}
	free(ms->v);
	memset(ms, 0, sizeof(*ms));
}

bool pf_filter_match(const struct pf_filter *f, const struct pf_pkgspec *s)
{
	bool ok;

	if (f->nr_only) {
		ok = false;
		for (size_t i = 0; i < f->nr_only && !ok; i++)
			ok = pf_glob_match(f->only[i], s->name);
		if (!ok)
			return false;
	}
	if (f->nr_host) {
		ok = false;
		for (size_t i = 0; i < f->nr_host && !ok; i++)
			ok = !strcmp(f->host[i], s->host) || !strcmp(f->host[i], s->arch->canon) ||
			     !strcmp(f->host[i], s->arch->deb) || !strcmp(f->host[i], s->arch->rpm);
		if (!ok)
			return false;
	}
	if (f->nr_version) {
		ok = false;
		for (size_t i = 0; i < f->nr_version && !ok; i++)
			ok = !strcmp(f->version[i], s->version);
		if (!ok)
			return false;
	}
	return true;
}

static int filter_add(const char **arr, size_t *nr, size_t max, const char *v,
		      struct pf_err *e)
{
	if (*nr >= max)
		return pf_err_set(e, PF_EINVAL, "too many filters of one kind");
	arr[(*nr)++] = v;
	return 1;
}

int pf_filter_option(struct pf_filter *f, int c, const char *arg, struct pf_err *e)
{
	switch (c) {
	case PF_O_ONLY:
		return filter_add(f->only, &f->nr_only, PF_ARRAY_SIZE(f->only), arg, e);
	case PF_O_HOST:
		return filter_add(f->host, &f->nr_host, PF_ARRAY_SIZE(f->host), arg, e);
	case PF_O_VERSION:
		return filter_add(f->version, &f->nr_version, PF_ARRAY_SIZE(f->version), arg, e);
	}
	return 0;
}

int pf_cli_number(const char *arg, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int pf_cli_threads(const char *arg, long max, int *out, struct pf_err *e)
{
	long v;

	if (pf_cli_number(arg, 1, max, &v) < 0)
		return pf_err_set(e, PF_EINVAL, "invalid thread count '%s' (1 to %ld)", arg, max);
	*out = (int)v;
	return 0;
}

int pf_cli_maintainer(const char *arg, const char **out, struct pf_err *e)
{
	if (!pf_maintainer_ok(arg))
		return pf_err_set(e, PF_EINVAL,
				  "--maintainer: '%s' must read 'Full Name <address@example.org>'", arg);
	*out = arg;
	return 0;
}

int pf_cli_help(const char *usage)
{
	fputs(usage, stdout);
	return 0;
}

int pf_cli_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return 2;
}

int pf_parse_formats(const char *s, bool want[PF_FMT_NR], struct pf_err *e)
{
	char *copy = pf_strdup(s), *tok, *save = NULL;
	int ret = 0;

	for (int i = 0; i < PF_FMT_NR; i++)
		want[i] = false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct pf_pkgfmt *f = pf_pkgfmt_find(tok);
		if (!f) {
			ret = pf_err_set(e, PF_EINVAL, "unknown format '%s' (known: deb, rpm, ipk)", tok);
			break;
		}
		want[f->id] = true;
	}
	free(copy);
	return ret;
}

char *pf_find_source(const struct pf_pkgspec *s, char *const *paths, size_t npaths)
{
	struct stat st;

	for (size_t i = 0; i < npaths; i++) {
		const char *base = strrchr(paths[i], '/');

		if (stat(paths[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char *cand = pf_asprintf("%s/%s", paths[i], s->file);
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode))
				return cand;
			free(cand);
		} else if (!strcmp(base ? base + 1 : paths[i], s->file)) {
			return pf_strdup(paths[i]);
		}
	}
	return NULL;
}

int pf_source_verify(const char *path, const struct pf_pkgspec *s, int *fdp,
		     struct pf_err *e)
{
	unsigned char sha[32];
	char hex[65];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pf_err_errno(e, "cannot open %s", path);
	if (pf_digest_fd(fd, PF_SHA256, sha, e) < 0) {
		close(fd);
		return pf_err_prefix(e, "%s", path);
	}
	pf_hex(hex, sha, 32);
	if (strcmp(hex, s->sha256)) {
		struct strbuf want = STRBUF_INIT;

		close(fd);
		pf_upstream_expect(s, &want);
		pf_err_set(e, PF_EFAIL, "%s: sha256 mismatch: %s, the file has %s", path, want.buf, hex);
		strbuf_release(&want);
		return -1;
	}
	*fdp = fd;
	return 0;
}

/* ------------------------------------------------ fetch and build */

void pf_fetchcli_init(struct pf_fetchcli *f)
{
	memset(f, 0, sizeof(*f));
	f->verbosity = 1;
}

void pf_fetchcli_release(struct pf_fetchcli *f)
{
	pf_strlist_release(&f->mirrors);
	pf_strlist_release(&f->keydirs);
	pf_strlist_release(&f->keys);
	pf_strlist_release(&f->fprs);
}

int pf_fetchcli_option(struct pf_fetchcli *f, int c, const char *arg, struct pf_err *e)
{
	switch (c) {
	case PF_O_CACHE:
		f->cache = arg;
		return 1;
	case PF_O_OFFLINE:
		f->offline = true;
		return 1;
	case PF_O_MIRROR:
		if (!pf_starts_with(arg, "https://") && !pf_starts_with(arg, "http://") &&
		    !pf_starts_with(arg, "file://"))
			return pf_err_set(e, PF_EINVAL,
					  "--mirror '%s' must be an https://, http:// or file:// URL", arg);
		pf_strlist_add(&f->mirrors, pf_strdup(arg));
		return 1;
	case PF_O_PARALLEL:
		if (pf_cli_number(arg, 1, 64, &f->parallel) < 0)
			return pf_err_set(e, PF_EINVAL, "--parallel must be from 1 to 64, not '%s'", arg);
		return 1;
	case PF_O_KEYS:
		pf_strlist_add(&f->keydirs, pf_strdup(arg));
		return 1;
	case PF_O_TRUST_KEY:
		pf_strlist_add(&f->keys, pf_strdup(arg));
		return 1;
	case PF_O_TRUST_FPR: {
		char *fpr;

		if (!pf_pgp_fpr_ok(arg))
			return pf_err_set(e, PF_EINVAL,
					  "--trust-fpr '%s' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)",
					  arg);
		fpr = pf_strdup(arg);
		for (char *p = fpr; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
		pf_strlist_add(&f->fprs, fpr);
		return 1;
	}
	case 'q':
		f->verbosity = 0;
		return 1;
	case PF_O_VERBOSE:
		f->verbosity = 2;
		return 1;
	}
	return 0;
}

void pf_cli_log(void *ctx, enum pf_level level, const char *msg)
{
	const struct pf_fetchcli *f = ctx;

	switch (level) {
	case PF_LOG_DEBUG:
		if (f->verbosity >= 2)
			fprintf(stderr, "pkgforge: %s\n", msg);
		break;
	case PF_LOG_INFO:
		if (f->verbosity >= 1)
			fprintf(stderr, "pkgforge: %s\n", msg);
		break;
	case PF_LOG_WARN:
		fprintf(stderr, "pkgforge: warning: %s\n", msg);
		break;
	case PF_LOG_ERROR:
		fprintf(stderr, "pkgforge: error: %s\n", msg);
		break;
	}
}

int pf_fetchcli_setup(struct pf_fetchcli *f, struct pf_upstream_opts *o, struct pf_err *e)
{
	static char *const default_keys[] = { PF_DATADIR "/keys" };

	memset(o, 0, sizeof(*o));
	if (pf_fetch_opts_init(&o->fetch, e) < 0)
		return -1;
	if (f->parallel)
		o->fetch.parallel = (int)f->parallel;
	o->fetch.progress = f->verbosity >= 1 && isatty(2);
	o->fetch.log.fn = pf_cli_log;
	o->fetch.log.ctx = f;
	o->cache_dir = f->cache;
	o->offline = f->offline;
	o->mirrors = f->mirrors.v;
	o->nmirrors = f->mirrors.nr;
	o->trust_keys = f->keys.v;
	o->ntrust_keys = f->keys.nr;
	o->trust_fprs = f->fprs.v;
	o->ntrust_fprs = f->fprs.nr;
	if (f->keydirs.nr) {
		o->key_dirs = f->keydirs.v;
		o->nkey_dirs = f->keydirs.nr;
	} else {
		o->key_dirs = default_keys;
		o->nkey_dirs = 1;
		o->key_dirs_optional = true;
	}
	if (f->fprs.nr) {
		struct strbuf sb = STRBUF_INIT;

		for (size_t i = 0; i < f->fprs.nr; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", f->fprs.v[i]);
		fprintf(stderr,
			"pkgforge: warning: --trust-fpr: signatures are accepted from %s only, instead of the signers the manifests name\n",
			sb.buf);
		strbuf_release(&sb);
	}
	return 0;
}

/* ------------------------------------------------------ repositories */

int pf_indexcli_option(struct pf_repo_opts *o, int c, const char *arg, struct pf_err *e)
{
	long v;

	switch (c) {
	case PF_O_SUITE:
		o->suite = arg;
		return 1;
	case PF_O_CODENAME:
		o->codename = arg;
		return 1;
	case PF_O_COMPONENT:
		o->component = arg;
		return 1;
	case PF_O_ORIGIN:
		o->origin = arg;
		return 1;
	case PF_O_LABEL:
		o->label = arg;
		return 1;
	case PF_O_DESCRIPTION:
		o->description = arg;
		return 1;
	case PF_O_URL:
		o->url = arg;
		return 1;
	case PF_O_SIGN_KEY:
		o->sign_key = arg;
		return 1;
	case PF_O_GNUPGHOME:
		o->gnupghome = arg;
		return 1;
	case PF_O_USIGN_KEY:
		o->usign_key = arg;
		return 1;
	case PF_O_UNSIGNED:
		o->unsigned_feed = true;
		return 1;
	case PF_O_RESIGN:
		o->resign = true;
		return 1;
	case PF_O_PROFILE:
		o->profile = arg;
		return 1;
	case PF_O_ALLOW_PROBLEMS:
		o->allow_problems = true;
		return 1;
	case PF_O_RPMMD_COMP:
		o->rpmmd_comp = arg;
		return 1;
	case PF_O_KEYRING:
		o->keyring = arg;
		return 1;
	case PF_O_KEEP:
	case PF_O_BYHASH_KEEP:
		if (pf_cli_number(arg, c == PF_O_KEEP ? 0 : 1, 1000, &v) < 0)
			return pf_err_set(e, PF_EINVAL, "--%s must be a number from %d to 1000, not '%s'",
					  c == PF_O_KEEP ? "keep" : "by-hash-keep",
					  c == PF_O_KEEP ? 0 : 1, arg);
		if (c == PF_O_KEEP)
			o->keep = (int)v;
		else
			o->byhash_keep = (int)v;
		return 1;
	}
	return 0;
}

static void print_report(const char *repo, const struct pf_repo_report *rep)
{
	size_t total = 0;

	for (int f = 0; f < PF_FMT_NR; f++)
		total += rep->pkgs[f];
	printf("%s: %zu package%s (deb %zu, rpm %zu, ipk %zu): %zu read, %zu from the cache",
	       repo, total, total == 1 ? "" : "s", rep->pkgs[PF_FMT_DEB], rep->pkgs[PF_FMT_RPM],
	       rep->pkgs[PF_FMT_IPK], rep->read, rep->cached);
	if (rep->signed_now)
		printf(", %zu rpm%s signed", rep->signed_now, rep->signed_now == 1 ? "" : "s");
	if (rep->moved_out)
		printf(", %zu moved to attic/", rep->moved_out);
	printf("\n");
	for (size_t i = 0; i < rep->published.nr; i++)
		printf("published %s\n", rep->published.v[i]);
	if (rep->snippet_text && *rep->snippet_text)
		printf("\n%s", rep->snippet_text);
}

int pf_cli_repo_index(struct pf_repo *r, const char *repo, int verbosity, struct pf_err *e)
{
	struct pf_repo_report rep;
	int ret = -1;

	memset(&rep, 0, sizeof(rep));
	if (pf_repo_index(r, &rep, e) < 0) {
		pf_diag_print(&rep.diag, stderr);
		goto out;
	}
	pf_diag_print(&rep.diag, stderr);
	if (rep.problems)
		fprintf(stderr, "pkgforge: warning: published with %d problem%s (--allow-problems)\n",
			rep.problems, rep.problems == 1 ? "" : "s");
	if (verbosity > 0)
		print_report(repo, &rep);
	ret = 0;
out:
	pf_repo_report_release(&rep);
	return ret;
}
