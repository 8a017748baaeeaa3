// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of package formats, and helpers more than one of them uses. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pkgfmt.h"
#include "util.h"
#include "banned.h"

extern const struct pf_pkgfmt pf_pkgfmt_deb;
extern const struct pf_pkgfmt pf_pkgfmt_rpm;
extern const struct pf_pkgfmt pf_pkgfmt_ipk;

const struct pf_pkgfmt *const pf_pkgfmts[PF_FMT_NR] = {
	[PF_FMT_DEB] = &pf_pkgfmt_deb,
	[PF_FMT_RPM] = &pf_pkgfmt_rpm,
	[PF_FMT_IPK] = &pf_pkgfmt_ipk,
};

const struct pf_pkgfmt *pf_pkgfmt_find(const char *name)
{
	for (int i = 0; i < PF_FMT_NR; i++)
		if (!strcmp(pf_pkgfmts[i]->name, name))
			return pf_pkgfmts[i];
	return NULL;
}

int pf_comp_parse(const char *s, enum pf_comp *out)
{
	if (!strcmp(s, "xz"))
		*out = PF_COMP_XZ;
	else if (!strcmp(s, "gz") || !strcmp(s, "gzip"))
		*out = PF_COMP_GZIP;
	else if (!strcmp(s, "zst") || !strcmp(s, "zstd"))
		*out = PF_COMP_ZSTD;
	else if (!strcmp(s, "none"))
		*out = PF_COMP_NONE;
	else
		return -1;
	return 0;
}

const char *pf_comp_name(enum pf_comp c)
{
	switch (c) {
	case PF_COMP_XZ:
		return "xz";
	case PF_COMP_GZIP:
		return "gzip";
	case PF_COMP_ZSTD:
		return "zstd";
	case PF_COMP_NONE:
		return "none";
	case PF_COMP_DEFAULT:
		break;
	}
	return "default";
}

const char *pf_comp_ext(enum pf_comp c)
{
	switch (c) {
	case PF_COMP_GZIP:
		return ".gz";
	case PF_COMP_ZSTD:
		return ".zst";
	case PF_COMP_NONE:
		return "";
	default:
		return ".xz";
	}
}

/* Debian package name: [a-z0-9][a-z0-9+.-]+ */
static bool debname_okn(const char *s, size_t n)
{
	if (n < 2 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '+' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

bool pf_debname_ok(const char *name)
{
	return debname_okn(name, strlen(name));
}

static bool debver_ok(const char *s, size_t n)
{
	if (!n || !isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".+~-:", s[i]))
			return false;
	return true;
}

int pf_debrel_check(const char *rel, bool allow_ops, struct strbuf *why)
{
	const char *p = rel;

	for (;;) {
		const char *start;

		while (*p == ' ')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '(' && *p != '|' && *p != ':' && *p != ',')
			p++;
		if (!debname_okn(start, p - start)) {
			strbuf_addf(why, "'%.*s' is not a valid package name",
				    (int)(p - start), start);
			return -1;
		}
		if (*p == ':') {                /* architecture qualifier */
			p++;
			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
		}
		while (*p == ' ')
			p++;
		if (*p == '(') {
			static const char *const ops[] = { "<<", "<=", ">=", ">>", "=" };
			const char *op = NULL;

			if (!allow_ops) {
				strbuf_addstr(why, "version constraints are not allowed here");
				return -1;
			}
			p++;
			while (*p == ' ')
				p++;
			for (size_t i = 0; i < PF_ARRAY_SIZE(ops) && !op; i++)
				if (pf_starts_with(p, ops[i]))
					op = ops[i];
			if (!op) {
				strbuf_addstr(why, "expected one of <<, <=, =, >=, >> after '('");
				return -1;
			}
			p += strlen(op);
			while (*p == ' ')
				p++;
			start = p;
			while (*p && *p != ' ' && *p != ')')
				p++;
			if (!debver_ok(start, p - start)) {
				strbuf_addf(why, "'%.*s' is not a valid version", (int)(p - start), start);
				return -1;
			}
			while (*p == ' ')
				p++;
			if (*p != ')') {
				strbuf_addstr(why, "missing ')'");
				return -1;
			}
			p++;
			while (*p == ' ')
				p++;
		}
		if (!*p)
			return 0;
		if (*p != '|') {
			strbuf_addf(why, "unexpected '%s' (one relation per list item)", p);
			return -1;
		}
		p++;
	}
}

void pf_control_description(struct strbuf *out, const char *summary,
			    const char *description)
{
	const char *line = description;
	struct strbuf body = STRBUF_INIT;

	strbuf_addf(out, "Description: %s\n", summary);
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		while (len && line[len - 1] == ' ')
			len--;
		if (!len)
			strbuf_addstr(&body, " .\n");
		else if (len == 1 && line[0] == '.')
			strbuf_addstr(&body, " ..\n");
		else
			strbuf_addf(&body, " %.*s\n", (int)len, line);
		if (!nl)
			break;
		line = nl + 1;
	}
	/* no blank lines at the start or the end of the extended text */
	while (body.len >= 3 && !strcmp(body.buf + body.len - 3, " .\n"))
		strbuf_setlen(&body, body.len - 3);
	{
		const char *b = body.buf;
		while (pf_starts_with(b, " .\n"))
			b += 3;
		strbuf_addstr(out, b);
	}
	strbuf_release(&body);
}

void pf_control_relations(struct strbuf *out, const struct pf_rellist (*rel)[PF_FMT_NR],
			  enum pf_fmt_id fmt, unsigned names_only)
{
	static const char *const fields[PF_REL_NR] = {
		"Depends", "Recommends", "Suggests", "Provides", "Conflicts", "Replaces",
	};
	static const int order[] = {
		PF_REL_DEPENDS, PF_REL_RECOMMENDS, PF_REL_SUGGESTS,
		PF_REL_CONFLICTS, PF_REL_REPLACES, PF_REL_PROVIDES,
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(order); i++) {
		int k = order[i];
		const struct pf_rellist *l = &rel[k][fmt];

		if (!l->nr)
			continue;
		strbuf_addf(out, "%s: ", fields[k]);
		for (size_t j = 0; j < l->nr; j++) {
			const char *t = l->v[j].text;

			if (j)
				strbuf_addstr(out, ", ");
			if (names_only & (1u << k))
				strbuf_add(out, t, strcspn(t, " ("));
			else
				strbuf_addstr(out, t);
		}
		strbuf_addch(out, '\n');
	}
}

int pf_debrel_parse(const char *rel, struct pf_debalt **alts, size_t *nr)
{
	struct strbuf why = STRBUF_INIT;
	size_t alloc = 0;
	const char *p = rel;

	*alts = NULL;
	*nr = 0;
	if (pf_debrel_check(rel, true, &why) < 0) {
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	for (;;) {
		struct pf_debalt a = { NULL, NULL, NULL, NULL };
		const char *start;

		while (*p == ' ')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '(' && *p != '|' && *p != ':')
			p++;
		a.name = pf_strndup(start, p - start);
		if (*p == ':') {
			start = ++p;
			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
			a.arch = pf_strndup(start, p - start);
		}
		while (*p == ' ')
			p++;
		if (*p == '(') {
			static const char *const ops[] = { "<<", "<=", ">=", ">>", "=" };
			p++;
			while (*p == ' ')
				p++;
			for (size_t i = 0; i < PF_ARRAY_SIZE(ops) && !a.op; i++)
				if (pf_starts_with(p, ops[i]))
					a.op = ops[i];
			p += strlen(a.op);
			while (*p == ' ')
				p++;
			start = p;
			while (*p && *p != ' ' && *p != ')')
				p++;
			a.version = pf_strndup(start, p - start);
			while (*p == ' ' || *p == ')')
				p++;
		}
		PF_ALLOC_GROW(*alts, *nr + 1, alloc);
		(*alts)[(*nr)++] = a;
		if (*p != '|')
			return 0;
		p++;
	}
}

void pf_debalts_free(struct pf_debalt *alts, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(alts[i].name);
		free(alts[i].arch);
		free(alts[i].version);
	}
	free(alts);
}

bool pf_debver_satisfies(const char *have, const char *op, const char *want)
{
	int c;

	if (!op)
		return true;
	c = pf_debver_cmp(have, want);
	if (!strcmp(op, "<<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, "="))
		return c == 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	return c > 0;
}
