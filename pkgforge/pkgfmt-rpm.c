// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .rpm: naming rules and relation syntax.  The writer itself (librpm
 * header API, cpio payload) is not part of this build yet: open is NULL
 * and `pkgforge build --format rpm` says so.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pkgfmt.h"
#include "util.h"
#include "banned.h"

static const char *rpm_arch(const struct pf_pkgspec *s)
{
	return s->arch->rpm;
}

static char *rpm_filename(const struct pf_pkgspec *s)
{
	return pf_asprintf("%s-%s-%s.%s.rpm", s->name, s->version, s->release, s->arch->rpm);
}

/* rpmbuild's rules for names: letters, digits and "-._+", starting with
 * a letter or digit. */
static bool rpmname_ok(const char *s, size_t n)
{
	if (!n || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-._+", s[i]))
			return false;
	return true;
}

static bool rpmevr_ok(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+~^:-", s[i]))
			return false;
	return true;
}

/* "name", "name OP evr", or a rich dependency "( ... )". */
static int rpmrel_check(const char *rel, struct strbuf *why)
{
	const char *p = rel, *start;
	size_t depth = 0;

	if (*p == '(') {
		for (; *p; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth-- == 0)
				break;
		}
		if (depth) {
			strbuf_addstr(why, "unbalanced parentheses in a rich dependency");
			return -1;
		}
		return 0;
	}
	start = p;
	while (*p && *p != ' ')
		p++;
	if (!rpmname_ok(start, p - start) && !(start[0] == '/' && p - start > 1)) {
		strbuf_addf(why, "'%.*s' is not a valid name", (int)(p - start), start);
		return -1;
	}
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	start = p;
	while (*p == '<' || *p == '>' || *p == '=')
		p++;
	if (p - start == 0 || p - start > 2 ||
	    (p - start == 2 && p[-1] != '=') ||
	    (p - start == 2 && start[0] == '=')) {
		strbuf_addf(why, "expected one of <, <=, =, >=, > at '%s'", start);
		return -1;
	}
	while (*p == ' ')
		p++;
	start = p;
	while (*p && *p != ' ')
		p++;
	if (!rpmevr_ok(start, p - start) || *p) {
		strbuf_addf(why, "'%s' is not a valid version", start);
		return -1;
	}
	return 0;
}

static void rpm_check(const struct pf_pkgspec *s, struct pf_diag *d)
{
	if (!rpmname_ok(s->name, strlen(s->name)))
		pf_diag_error(d, &s->m->package.loc,
			      "package name '%s' is not valid for RPM (letters, digits, '-', '.', '_', '+')",
			      s->name);
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &s->rel[k][PF_FMT_RPM];
		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf why = STRBUF_INIT;
			if (rpmrel_check(l->v[i].text, &why) < 0)
				pf_diag_error(d, &l->v[i].loc, "invalid RPM relation '%s' in '%s': %s",
					      l->v[i].text, pf_rel_key[k], why.buf);
			strbuf_release(&why);
		}
	}
}

const struct pf_pkgfmt pf_pkgfmt_rpm = {
	.name = "rpm",
	.id = PF_FMT_RPM,
	.flags = PF_FMT_NEEDS_SPOOL,
	.check = rpm_check,
	.filename = rpm_filename,
	.arch = rpm_arch,
};
