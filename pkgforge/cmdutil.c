// SPDX-License-Identifier: GPL-2.0-or-later
/* What several subcommands share: loading manifests, filters. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdutil.h"
#include "digest.h"
#include "glob.h"
#include "pkgfmt.h"
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

int pf_filter_add(const char **arr, size_t *nr, size_t max, const char *v)
{
	if (*nr >= max)
		return -1;
	arr[(*nr)++] = v;
	return 0;
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
	if (pf_starts_with(s->url, "file://"))
		return pf_strdup(s->url + strlen("file://"));
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
		close(fd);
		return pf_err_set(e, PF_EFAIL,
				  "%s: sha256 mismatch: the manifest pins %s (%s:%d), the file has %s",
				  path, s->sha256, s->sha_loc.file, s->sha_loc.line, hex);
	}
	*fdp = fd;
	return 0;
}
