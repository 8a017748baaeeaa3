// SPDX-License-Identifier: GPL-2.0-or-later
/* Containerfiles that install packages from a signed feed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "containerfile.h"
#include "templates.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

#define MAX_KEY_SIZE (1u << 20)

enum family { F_APT, F_DNF };

static const struct base {
	const char *image;              /* "debian:" */
	enum family family;
	const char *tmpl;
	const char *key_dir, *key_file;
} bases[] = {
	{ "debian:", F_APT, "containerfile/debian", "/etc/apt/keyrings", "/etc/apt/keyrings/korg.asc" },
	{ "ubuntu:", F_APT, "containerfile/debian", "/etc/apt/keyrings", "/etc/apt/keyrings/korg.asc" },
	{ "fedora:", F_DNF, "containerfile/fedora", "/etc/pki/rpm-gpg", "/etc/pki/rpm-gpg/RPM-GPG-KEY-korg" },
};

/* Characters every value may hold: nothing a shell's single quotes, a
 * Containerfile's variable expansion or its line continuation would
 * change (no quotes, '$', '\', '`', spaces or controls). */
static bool plain(const char *s, const char *also)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(also, *s))
			return false;
	return true;
}

static bool url_ok(const char *u)
{
	return (pf_starts_with(u, "https://") || pf_starts_with(u, "http://")) &&
	       plain(u, ":/.-_~%?#[]@!&()*+,;=");
}

/* "name" or "name=version", as apt wants it and as dnf does. */
static int package_arg(const char *arg, enum family f, struct strbuf *out, struct pf_err *e)
{
	const char *eq = strchr(arg, '=');
	char *name = eq ? pf_strndup(arg, eq - arg) : pf_strdup(arg);
	int ret = 0;

	if (strlen(name) < 2 || (!islower((unsigned char)name[0]) && !isdigit((unsigned char)name[0])) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789+-.") != strlen(name))
		ret = pf_err_set(e, PF_EINVAL,
				 "'%s' is not a package name (lower case letters, digits, '+', '-', '.')", name);
	else if (eq && (!isdigit((unsigned char)eq[1]) || !plain(eq + 1, ".+~:-")))
		ret = pf_err_set(e, PF_EINVAL, "'%s' is not a package version in '%s'", eq + 1, arg);
	else
		strbuf_addf(out, "%s%s%s%s", out->len ? " " : "", name,
			    eq ? (f == F_APT ? "=" : "-") : "", eq ? eq + 1 : "");
	free(name);
	return ret;
}

/* The armored public key block of a file, one quoted printf argument a
 * line ("      'line' \"). */
static int key_lines(const char *path, struct strbuf *out, struct pf_err *e)
{
	static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	static const char end[] = "-----END PGP PUBLIC KEY BLOCK-----";
	struct strbuf sb = STRBUF_INIT;
	const char *p, *stop;
	int ret = -1;

	if (pf_read_file(path, MAX_KEY_SIZE, &sb, e) < 0) {
		pf_err_prefix(e, "--key");
		goto out;
	}
	p = strstr(sb.buf, begin);
	stop = p ? strstr(p, end) : NULL;
	if (!p || !stop || (p != sb.buf && p[-1] != '\n')) {
		pf_err_set(e, PF_EINVAL, "--key %s: not an armored OpenPGP public key (%s)", path, begin);
		goto out;
	}
	stop += strlen(end);
	while (p < stop) {
		const char *nl = memchr(p, '\n', stop - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(stop - p);

		if (n && p[n - 1] == '\r')
			n--;
		for (size_t i = 0; i < n; i++) {
			if (!isprint((unsigned char)p[i]) || p[i] == '\'' || p[i] == '\\') {
				pf_err_set(e, PF_EINVAL,
					   "--key %s: a line of the key holds a quote, a backslash or a control character",
					   path);
				goto out;
			}
		}
		strbuf_addf(out, "      '%.*s' \\\n", (int)n, p);
		p = nl ? nl + 1 : stop;
	}
	strbuf_rtrim(out);
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

int pf_containerfile(const struct pf_cfile_opts *o, struct strbuf *out, struct pf_err *e)
{
	const struct base *b = NULL;
	const char *suite = o->suite ? o->suite : "stable";
	const char *component = o->component ? o->component : "main";
	struct pf_tvars vars = { NULL, 0, 0 };
	struct strbuf install = STRBUF_INIT, names = STRBUF_INIT, lines = STRBUF_INIT;
	struct strbuf step = STRBUF_INIT;
	char *key = NULL;
	int ret = -1;

	for (size_t i = 0; i < PF_ARRAY_SIZE(bases) && !b; i++)
		if (pf_starts_with(o->base, bases[i].image))
			b = &bases[i];
	if (!b || !plain(o->base + strlen(b->image), ".-_")) {
		pf_err_set(e, PF_EINVAL, "--base '%s' is not supported (debian:TAG, ubuntu:TAG or fedora:TAG)",
			   o->base);
		goto out;
	}
	if (!o->repo_url || !url_ok(o->repo_url)) {
		pf_err_set(e, PF_EINVAL, "--repo-url '%s' must be an http:// or https:// URL without quotes, spaces, '$' or '\\'",
			   o->repo_url ? o->repo_url : "");
		goto out;
	}
	if (!plain(suite, ".-_") || !plain(component, ".-_")) {
		pf_err_set(e, PF_EINVAL, "--suite and --component take letters, digits, '.', '-' and '_'");
		goto out;
	}
	if (!o->npackages) {
		pf_err_set(e, PF_EINVAL, "no package to install");
		goto out;
	}
	for (size_t i = 0; i < o->npackages; i++) {
		if (package_arg(o->packages[i], b->family, &install, e) < 0)
			goto out;
		strbuf_addf(&names, "%s%s", i ? " " : "", o->packages[i]);
	}
	key = o->key ? pf_strdup(o->key) :
	      pf_asprintf("%s%s" PF_CFILE_FEED_KEY, o->repo_url,
			  pf_ends_with(o->repo_url, "/") ? "" : "/");

	pf_tvars_set(&vars, "key_dir", b->key_dir);
	pf_tvars_set(&vars, "key_file", b->key_file);
	if (pf_starts_with(key, "https://") || pf_starts_with(key, "http://")) {
		if (!url_ok(key)) {
			pf_err_set(e, PF_EINVAL, "--key '%s' must be an http:// or https:// URL without quotes, spaces, '$' or '\\', or a file",
				   key);
			goto out;
		}
		pf_tvars_set(&vars, "key_url", key);
		if (pf_template_fill("containerfile/key-url", &vars, &step, e) < 0)
			goto out;
	} else {
		if (key_lines(key, &lines, e) < 0)
			goto out;
		pf_tvars_set(&vars, "key_lines", lines.buf);
		if (pf_template_fill("containerfile/key-file", &vars, &step, e) < 0)
			goto out;
	}
	strbuf_rtrim(&step);
	pf_tvars_set(&vars, "key_step", step.buf);
	pf_tvars_set(&vars, "base", o->base);
	pf_tvars_set(&vars, "repo_url", o->repo_url);
	pf_tvars_set(&vars, "suite", suite);
	pf_tvars_set(&vars, "component", component);
	pf_tvars_set(&vars, "packages", names.buf);
	pf_tvars_set(&vars, "install", install.buf);
	ret = pf_template_fill(b->tmpl, &vars, out, e);
out:
	free(key);
	pf_tvars_release(&vars);
	strbuf_release(&install);
	strbuf_release(&names);
	strbuf_release(&lines);
	strbuf_release(&step);
	return ret;
}
