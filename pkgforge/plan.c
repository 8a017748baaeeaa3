// SPDX-License-Identifier: GPL-2.0-or-later
/* manifest × version × host → concrete, fully checked package specs. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "pkgfmt.h"
#include "profile.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

const char *const pf_plan_builtin_vars[] = {
	"version", "major", "minor", "patch", "release", "epoch", "host",
	"arch", "deb_arch", "rpm_arch", "ipk_arch", "package", "prefix",
	"url", "file", "url_dir", "url_tar", "variant", NULL,
};

void pf_rellist_add(struct pf_rellist *l, const char *text,
		    const struct pf_loc *loc, const char *origin)
{
	struct pf_relent *r;

	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->v[i].text, text))
			return;
	PF_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	r = &l->v[l->nr++];
	r->text = pf_strdup(text);
	if (loc)
		r->loc = *loc;
	else
		memset(&r->loc, 0, sizeof(r->loc));
	r->origin = pf_strdup(origin);
}

char *pf_rellist_join(const struct pf_rellist *l, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addstr(&sb, sep);
		strbuf_addstr(&sb, l->v[i].text);
	}
	return strbuf_detach(&sb, NULL);
}

void pf_rellist_release(struct pf_rellist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->v[i].text);
		free(l->v[i].origin);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void pf_strlist_add(struct pf_strlist *l, char *s)
{
	PF_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = s;
}

void pf_strlist_release(struct pf_strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *pf_pkgspec_fullversion(const struct pf_pkgspec *s)
{
	if (s->epoch)
		return pf_asprintf("%s:%s-%s", s->epoch, s->version, s->release);
	return pf_asprintf("%s-%s", s->version, s->release);
}

static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = order((unsigned char)*a), bc = order((unsigned char)*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

int pf_vercmp(const char *a, const char *b)
{
	return verrevcmp(a, b);
}

/* Full comparison of two specs' [epoch:]version-release. */
static int spec_cmp(const struct pf_pkgspec *a, const struct pf_pkgspec *b)
{
	long ea = a->epoch ? atol(a->epoch) : 0, eb = b->epoch ? atol(b->epoch) : 0;
	int c;

	if (ea != eb)
		return ea < eb ? -1 : 1;
	c = verrevcmp(a->version, b->version);
	return c ? c : verrevcmp(a->release, b->release);
}

/* ---------------------------------------------------------------- checks */

static bool is_builtin(const char *name)
{
	for (const char *const *b = pf_plan_builtin_vars; *b; b++)
		if (!strcmp(*b, name))
			return true;
	return false;
}

static void check_release(const char *rel, const struct pf_loc *loc,
			  struct pf_diag *d)
{
	if (!*rel) {
		pf_diag_error(d, loc, "release must not be empty");
		return;
	}
	for (const char *p = rel; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '+' && *p != '~') {
			pf_diag_error(d, loc,
				      "invalid release '%s': only letters, digits, '.', '+' and '~' are valid in both Debian revisions and RPM releases",
				      rel);
			return;
		}
	}
}

static void check_epoch(const char *ep, const struct pf_loc *loc, struct pf_diag *d)
{
	size_t n = strlen(ep);

	if (!n || n > 9 || strspn(ep, "0123456789") != n)
		pf_diag_error(d, loc, "invalid epoch '%s': a whole number below 1000000000", ep);
}

/* The version, in the subset of characters both Debian and RPM accept. */
static void check_version(const char *v, const struct pf_loc *loc, struct pf_diag *d)
{
	if (!isdigit((unsigned char)*v)) {
		pf_diag_error(d, loc, "invalid version '%s': it must start with a digit", v);
		return;
	}
	for (const char *p = v; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '+' && *p != '~') {
			pf_diag_error(d, loc,
				      "invalid version '%s': '%c' is not valid in both Debian and RPM versions (letters, digits, '.', '+', '~')",
				      v, isprint((unsigned char)*p) ? *p : '?');
			return;
		}
	}
}

static void check_prefix(char *p, const struct pf_loc *loc, struct pf_diag *d)
{
	size_t n = strlen(p);

	if (p[0] != '/' || n < 2) {
		pf_diag_error(d, loc, "prefix '%s' must be an absolute path below /", p);
		return;
	}
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (!pf_utf8_clean(p, n) || strchr(p, ' ')) {
		pf_diag_error(d, loc, "prefix '%s' contains spaces or control characters", p);
		return;
	}
	for (const char *c = p; *c; ) {
		const char *slash = strchr(c + 1, '/');
		size_t len = slash ? (size_t)(slash - c) : strlen(c);
		if (len == 1 || (len == 2 && c[1] == '.') ||
		    (len == 3 && c[1] == '.' && c[2] == '.')) {
			pf_diag_error(d, loc,
				      "prefix '%s' must be normalised (no empty, '.' or '..' components)", p);
			return;
		}
		c += len;
	}
}

bool pf_maintainer_ok(const char *s)
{
	const char *lt = strchr(s, '<'), *gt = strrchr(s, '>'), *at;

	return !(!lt || !gt || gt[1] || lt == s || lt[-1] != ' ' ||
		 !(at = strchr(lt, '@')) || at > gt || at == lt + 1 || at + 1 == gt ||
		 strchr(lt + 1, '<') || strchr(s, '\n'));
}

static void check_maintainer(const char *s, const struct pf_loc *loc, struct pf_diag *d)
{
	if (!pf_maintainer_ok(s))
		pf_diag_error(d, loc, "maintainer '%s' must read 'Full Name <address@example.org>'", s);
}

void pf_plan_set_maintainer(struct pf_plan *plan, const char *who)
{
	for (size_t i = 0; i < plan->nr; i++) {
		free(plan->v[i].maintainer);
		plan->v[i].maintainer = pf_strdup(who);
	}
}

static void check_summary(const char *s, const struct pf_loc *loc, struct pf_diag *d)
{
	size_t n = strlen(s);

	if (strchr(s, '\n'))
		pf_diag_error(d, loc, "summary must be a single line");
	else if (n > 80)
		pf_diag_error(d, loc, "summary is %zu characters long; keep it to 80", n);
	else if (!pf_utf8_clean(s, n))
		pf_diag_error(d, loc, "summary contains control characters or invalid UTF-8");
}

static void check_description(const char *s, const struct pf_loc *loc, struct pf_diag *d)
{
	const char *line = s;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (!pf_utf8_clean(line, len)) {
			pf_diag_error(d, loc,
				      "description contains tabs, control characters or invalid UTF-8");
			return;
		}
		line += len + (nl ? 1 : 0);
	}
	if (!*s || strspn(s, " \n") == strlen(s))
		pf_diag_error(d, loc, "description must not be empty");
}

static void check_url(const char *u, const char *what, const struct pf_loc *loc,
		      struct pf_diag *d)
{
	const char *schemes[] = { "https://", "http://", "file://", NULL };
	size_t n = strlen(u);

	for (const char **s = schemes; *s; s++) {
		if (pf_starts_with(u, *s) && n > strlen(*s) &&
		    pf_utf8_clean(u, n) && !strchr(u, ' '))
			return;
	}
	pf_diag_error(d, loc, "%s '%s' must be an https://, http:// or file:// URL", what, u);
}

static void check_glob(const char *g, const struct pf_loc *loc, struct pf_diag *d)
{
	if (!*g || g[0] == '/' || strstr(g, "//") || !pf_utf8_clean(g, strlen(g)))
		pf_diag_error(d, loc,
			      "pattern '%s' must be a relative path pattern (no leading '/', no empty components)", g);
}

/* --------------------------------------------------- neutral relations */

struct nrel_alt {
	char *name;
	const char *op;         /* NULL, "=", ">=", "<=", ">", "<" */
	char *ver;
};

/* Parse "name [op version] [| name [op version]]..." */
static int nrel_parse(const char *s, struct nrel_alt **alts, size_t *nr,
		      struct strbuf *why)
{
	size_t alloc = 0;
	const char *p = s;

	*alts = NULL;
	*nr = 0;
	for (;;) {
		struct nrel_alt a = { NULL, NULL, NULL };
		const char *start;

		while (*p == ' ')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '|' && *p != '<' && *p != '>' &&
		       *p != '=' && *p != '(' && *p != ')' && *p != ',')
			p++;
		if (p == start) {
			strbuf_addstr(why, "expected a package name");
			return -1;
		}
		a.name = pf_strndup(start, p - start);
		while (*p == ' ')
			p++;
		if (*p == '<' || *p == '>' || *p == '=') {
			static const char *const ops[] = { ">=", "<=", ">", "<", "=" };
			size_t oplen = strspn(p, "<>=");

			for (size_t i = 0; i < PF_ARRAY_SIZE(ops) && !a.op; i++)
				if (strlen(ops[i]) == oplen && !strncmp(p, ops[i], oplen))
					a.op = ops[i];
			if (!a.op) {
				strbuf_addf(why, "unknown operator '%.*s' (use =, >=, <=, > or <)",
					    (int)oplen, p);
				free(a.name);
				return -1;
			}
			p += oplen;
			while (*p == ' ')
				p++;
			start = p;
			while (*p && *p != ' ' && *p != '|')
				p++;
			if (p == start) {
				strbuf_addf(why, "expected a version after '%s'", a.op);
				free(a.name);
				return -1;
			}
			a.ver = pf_strndup(start, p - start);
			while (*p == ' ')
				p++;
		}
		PF_ALLOC_GROW(*alts, *nr + 1, alloc);
		(*alts)[(*nr)++] = a;
		if (!*p)
			return 0;
		if (*p != '|') {
			strbuf_addf(why, "unexpected '%s'", p);
			return -1;
		}
		p++;
	}
}

static void nrel_free(struct nrel_alt *alts, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(alts[i].name);
		free(alts[i].ver);
	}
	free(alts);
}

static char *nrel_render(const struct nrel_alt *alts, size_t nr, enum pf_fmt_id f)
{
	struct strbuf sb = STRBUF_INIT;

	if (f == PF_FMT_RPM && nr > 1)
		strbuf_addch(&sb, '(');
	for (size_t i = 0; i < nr; i++) {
		const struct nrel_alt *a = &alts[i];
		if (i)
			strbuf_addstr(&sb, f == PF_FMT_RPM ? " or " : " | ");
		strbuf_addstr(&sb, a->name);
		if (!a->op)
			continue;
		if (f == PF_FMT_RPM) {
			strbuf_addf(&sb, " %s %s", a->op, a->ver);
		} else {
			const char *op = !strcmp(a->op, ">") ? ">>" :
					 !strcmp(a->op, "<") ? "<<" : a->op;
			strbuf_addf(&sb, " (%s %s)", op, a->ver);
		}
	}
	if (f == PF_FMT_RPM && nr > 1)
		strbuf_addch(&sb, ')');
	return strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------ expansion */

struct ctx {
	const struct pf_manifest *m;
	const struct pf_mversion *v;
	const struct pf_mvariant *variant;
	struct pf_tvars vars;
	struct pf_diag *d;
};

static char *expand(struct ctx *c, const struct pf_mstr *t, const char *what)
{
	if (!t->s)
		return NULL;
	return pf_tmpl_expand_str(t, &c->vars, what, c->d);
}

static char *expand_or(struct ctx *c, const struct pf_mstr *t, const char *what,
		       const char *dflt)
{
	return t->s ? expand(c, t, what) : pf_strdup(dflt);
}

static void set_version_vars(struct ctx *c, const char *version)
{
	const char *names[] = { "major", "minor", "patch" };
	const char *p = version;

	pf_tvars_set(&c->vars, "version", version);
	for (int i = 0; i < 3 && *p; i++) {
		size_t n = strspn(p, "0123456789");
		char *part;

		if (!n)
			break;
		part = pf_strndup(p, n);
		pf_tvars_set(&c->vars, names[i], part);
		free(part);
		p += n;
		if (*p != '.')
			break;
		p++;
	}
}

static void add_user_vars(struct ctx *c, const struct pf_mvars *vars)
{
	for (size_t i = 0; i < vars->nr; i++) {
		if (is_builtin(vars->v[i].name.s)) {
			pf_diag_error(c->d, &vars->v[i].name.loc,
				      "variable '%s' is built in and cannot be redefined",
				      vars->v[i].name.s);
			continue;
		}
		pf_tvars_set(&c->vars, vars->v[i].name.s, vars->v[i].value.s);
	}
}

static void expand_globs(struct ctx *c, const struct pf_mlist *in,
			 struct pf_strlist *out, const char *what)
{
	for (size_t i = 0; i < in->nr; i++) {
		char *g = expand(c, &in->v[i], what);
		if (!g)
			continue;
		check_glob(g, &in->v[i].loc, c->d);
		pf_strlist_add(out, g);
	}
}

static void expand_relations(struct ctx *c, struct pf_pkgspec *s)
{
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_mrel *r = &c->m->rel[k];

		for (size_t i = 0; i < r->all.nr; i++) {
			struct strbuf why = STRBUF_INIT;
			struct nrel_alt *alts;
			size_t nr;
			char *text = expand(c, &r->all.v[i], pf_rel_key[k]);

			if (!text)
				continue;
			if (nrel_parse(text, &alts, &nr, &why) < 0) {
				pf_diag_error(c->d, &r->all.v[i].loc, "invalid relation '%s' in '%s': %s",
					      text, pf_rel_key[k], why.buf);
			} else {
				for (int f = 0; f < PF_FMT_NR; f++) {
					char *out = nrel_render(alts, nr, f);
					pf_rellist_add(&s->rel[k][f], out, &r->all.v[i].loc, "manifest");
					free(out);
				}
			}
			nrel_free(alts, nr);
			strbuf_release(&why);
			free(text);
		}
		for (int f = 0; f < PF_FMT_NR; f++) {
			for (size_t i = 0; i < r->fmt[f].nr; i++) {
				char *text = expand(c, &r->fmt[f].v[i], pf_rel_key[k]);
				if (!text)
					continue;
				pf_rellist_add(&s->rel[k][f], text, &r->fmt[f].v[i].loc, "manifest");
				free(text);
			}
		}
	}
}

/* profile, sonames: what automatic dependencies need. */
static void expand_depgen(struct ctx *c, struct pf_pkgspec *s)
{
	const struct pf_manifest *m = c->m;

	if (m->profile.s) {
		struct pf_err e = PF_ERR_INIT;
		char *path;

		/* known at all; whether it has data for the host is a question
		 * for the deb and ipk builds, which read it */
		if (pf_profile_find(m->profile.s, NULL, &path, &e) < 0)
			pf_diag_error(c->d, &m->profile.loc, "%s", e.msg.buf);
		free(path);
		pf_err_release(&e);
		s->profile = pf_strdup(m->profile.s);
		s->profile_loc = m->profile.loc;
	} else {
		s->profile = pf_strdup(PF_DEFAULT_PROFILE);
	}
	for (size_t i = 0; i < m->sonames.map.nr; i++) {
		const struct pf_mvar *v = &m->sonames.map.v[i];
		struct strbuf why = STRBUF_INIT;
		struct pf_somap *sm;

		if (pf_debrel_check(v->value.s, true, &why) < 0) {
			pf_diag_error(c->d, &v->value.loc,
				      "invalid Debian relation '%s' for %s in 'sonames: map': %s",
				      v->value.s, v->name.s, why.buf);
			strbuf_release(&why);
			continue;
		}
		strbuf_release(&why);
		PF_ALLOC_GROW(s->somap, s->nr_somap + 1, s->alloc_somap);
		sm = &s->somap[s->nr_somap++];
		sm->soname = pf_strdup(v->name.s);
		sm->rel = pf_strdup(v->value.s);
		sm->loc = v->value.loc;
	}
	for (size_t i = 0; i < m->sonames.ignore.nr; i++)
		pf_strlist_add(&s->soignore, pf_strdup(m->sonames.ignore.v[i].s));
}

static const char *url_file(const char *url)
{
	const char *slash = strrchr(url, '/');
	return slash ? slash + 1 : url;
}

/* The URL up to its last '/' (exclusive). */
static char *url_dir(const char *url)
{
	const char *slash = strrchr(url, '/');
	return pf_strndup(url, slash ? (size_t)(slash - url) : strlen(url));
}

/* The URL without its compression suffix: ".../x.tar.xz" → ".../x.tar". */
static char *url_tar(const char *url)
{
	static const char *const comp[] = { ".gz", ".xz", ".zst", ".bz2", ".lzma", ".lz", NULL };
	size_t n = strlen(url);

	if (pf_ends_with(url, ".tgz"))
		return pf_asprintf("%.*s.tar", (int)(n - 4), url);
	for (const char *const *c = comp; *c; c++) {
		size_t k = strlen(*c);
		if (n > k + 4 && pf_ends_with(url, *c) && !strncmp(url + n - k - 4, ".tar", 4))
			return pf_strndup(url, n - k);
	}
	return pf_strdup(url);
}

static void expand_upsig(struct ctx *c, const struct pf_msigned *ms, const char *what,
			 struct pf_upsig *out)
{
	if (!ms->set || !ms->url.s)
		return;
	out->url = expand(c, &ms->url, what);
	out->loc = ms->url.loc;
	if (out->url)
		check_url(out->url, what, &ms->url.loc, c->d);
	for (size_t i = 0; i < ms->signers.nr; i++) {
		char *f = pf_strdup(ms->signers.v[i].s);
		for (char *p = f; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		pf_strlist_add(&out->signers, f);
	}
}

static void upsig_release(struct pf_upsig *u)
{
	free(u->url);
	pf_strlist_release(&u->signers);
}

static void spec_release(struct pf_pkgspec *s)
{
	free(s->name);
	free(s->version);
	free(s->release);
	free(s->epoch);
	free(s->summary);
	free(s->description);
	free(s->homepage);
	free(s->license);
	free(s->maintainer);
	free(s->section);
	free(s->priority);
	free(s->group);
	free(s->prefix);
	free(s->url);
	free(s->file);
	pf_strlist_release(&s->mirrors);
	upsig_release(&s->sums);
	upsig_release(&s->sig);
	pf_strlist_release(&s->include);
	pf_strlist_release(&s->exclude);
	pf_strlist_release(&s->extlinks);
	pf_strlist_release(&s->foreign_elf);
	free(s->profile);
	for (size_t i = 0; i < s->nr_somap; i++) {
		free(s->somap[i].soname);
		free(s->somap[i].rel);
	}
	free(s->somap);
	pf_strlist_release(&s->soignore);
	for (int k = 0; k < PF_REL_NR; k++)
		for (int f = 0; f < PF_FMT_NR; f++)
			pf_rellist_release(&s->rel[k][f]);
	for (size_t i = 0; i < s->nr_alts; i++) {
		free(s->alts[i].name);
		free(s->alts[i].link);
		free(s->alts[i].path);
	}
	free(s->alts);
	free(s->meta_name);
	free(s->meta_summary);
	free(s->meta_description);
}

static bool path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/' && path[n + 1];
}

/* Paths and names that go into maintainer scripts unquoted. */
static bool shell_safe(const char *p, bool slash)
{
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+@-", *p) && !(slash && *p == '/'))
			return false;
	return true;
}

static void expand_alts(struct ctx *c, struct pf_pkgspec *s)
{
	for (size_t i = 0; i < c->m->nr_alts; i++) {
		const struct pf_malt *ma = &c->m->alts[i];
		struct pf_alt a;
		char *prio, *end;

		memset(&a, 0, sizeof(a));
		a.name = expand(c, &ma->name, "name");
		a.link = expand(c, &ma->link, "link");
		a.path = expand(c, &ma->path, "path");
		prio = expand(c, &ma->priority, "priority");
		if (a.name && (!*a.name || !shell_safe(a.name, false)))
			pf_diag_error(c->d, &ma->name.loc,
				      "alternative name '%s' must be letters, digits and '._+@-'", a.name);
		if ((a.link && !shell_safe(a.link, true)) || (a.path && !shell_safe(a.path, true)))
			pf_diag_error(c->d, a.link && !shell_safe(a.link, true) ? &ma->link.loc : &ma->path.loc,
				      "alternative paths may hold only letters, digits and '/._+@-'");
		if (a.link) {
			char *copy = pf_strdup(a.link);
			struct pf_diag tmp = PF_DIAG_INIT;
			check_prefix(copy, &ma->link.loc, &tmp);
			if (tmp.raised || strcmp(copy, a.link))
				pf_diag_error(c->d, &ma->link.loc,
					      "alternative link '%s' must be a normalised absolute path", a.link);
			else if (s->prefix && (path_below(a.link, s->prefix) || !strcmp(a.link, s->prefix)))
				pf_diag_error(c->d, &ma->link.loc,
					      "alternative link '%s' must lie outside the prefix %s", a.link, s->prefix);
			pf_diag_release(&tmp);
			free(copy);
		}
		if (a.path && s->prefix && !path_below(a.path, s->prefix))
			pf_diag_error(c->d, &ma->path.loc,
				      "alternative path '%s' must lie under the prefix %s", a.path, s->prefix);
		if (prio) {
			a.priority = strtol(prio, &end, 10);
			if (!*prio || *end || a.priority < 0 || a.priority > 1000000000)
				pf_diag_error(c->d, &ma->priority.loc,
					      "alternative priority '%s' must be a whole number", prio);
			free(prio);
		}
		PF_ALLOC_GROW(s->alts, s->nr_alts + 1, s->alloc_alts);
		s->alts[s->nr_alts++] = a;
	}
}

/* Expand one version × variant × host; returns 0 and fills s, or -1. */
static int expand_one(struct ctx *c, const char *host, const struct pf_loc *hostloc,
		      struct pf_pkgspec *s)
{
	const struct pf_manifest *m = c->m;
	const struct pf_mversion *v = c->v;
	int errors = c->d->raised;
	const struct pf_mstr *urlt = v->url.s ? &v->url : &m->source.url;

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->mv = v;
	s->host = host;
	s->arch = pf_arch_find(host);
	if (!s->arch) {
		pf_diag_error(c->d, hostloc, "unknown host architecture '%s' (known: %s)",
			      host, pf_arch_known());
		return -1;
	}

	pf_tvars_release(&c->vars);
	set_version_vars(c, v->version.s);
	s->version = pf_strdup(v->version.s);
	check_version(s->version, &v->version.loc, c->d);
	s->release = v->release.s ? pf_strdup(v->release.s) :
		     m->release.s ? pf_strdup(m->release.s) : pf_strdup("1");
	check_release(s->release, v->release.s ? &v->release.loc :
		      m->release.s ? &m->release.loc : &v->loc, c->d);
	pf_tvars_set(&c->vars, "release", s->release);
	if (v->epoch.s || m->epoch.s) {
		const struct pf_mstr *ep = v->epoch.s ? &v->epoch : &m->epoch;
		s->epoch = pf_strdup(ep->s);
		check_epoch(s->epoch, &ep->loc, c->d);
		pf_tvars_set(&c->vars, "epoch", s->epoch);
	}
	pf_tvars_set(&c->vars, "host", host);
	pf_tvars_set(&c->vars, "arch", s->arch->canon);
	pf_tvars_set(&c->vars, "deb_arch", s->arch->deb);
	pf_tvars_set(&c->vars, "rpm_arch", s->arch->rpm);
	pf_tvars_set(&c->vars, "ipk_arch", s->arch->ipk);
	add_user_vars(c, &m->vars);
	if (c->variant) {
		s->variant = c->variant;
		pf_tvars_set(&c->vars, "variant", c->variant->name.s);
		add_user_vars(c, &c->variant->vars);
	}
	add_user_vars(c, &v->vars);

	s->name = expand(c, &m->package, "package");
	if (!s->name)
		goto out;
	pf_tvars_set(&c->vars, "package", s->name);
	s->prefix = expand(c, &m->prefix, "prefix");
	if (s->prefix) {
		check_prefix(s->prefix, &m->prefix.loc, c->d);
		pf_tvars_set(&c->vars, "prefix", s->prefix);
	}
	s->url = expand(c, urlt, "url");
	if (s->url) {
		check_url(s->url, "url", &urlt->loc, c->d);
		s->file = pf_strdup(url_file(s->url));
		pf_tvars_set(&c->vars, "url", s->url);
		pf_tvars_set(&c->vars, "file", s->file);
		{
			char *dir = url_dir(s->url), *tar = url_tar(s->url);
			pf_tvars_set(&c->vars, "url_dir", dir);
			pf_tvars_set(&c->vars, "url_tar", tar);
			free(dir);
			free(tar);
		}
		expand_upsig(c, &m->source.checksums, "checksums url", &s->sums);
		expand_upsig(c, &m->source.signature, "signature url", &s->sig);
	}
	for (size_t i = 0; i < m->source.mirrors.nr; i++) {
		char *mu = expand(c, &m->source.mirrors.v[i], "mirrors");
		if (!mu)
			continue;
		check_url(mu, "mirror", &m->source.mirrors.v[i].loc, c->d);
		pf_strlist_add(&s->mirrors, mu);
	}
	s->summary = expand(c, &m->summary, "summary");
	if (s->summary)
		check_summary(s->summary, &m->summary.loc, c->d);
	s->description = expand(c, &m->description, "description");
	if (s->description)
		check_description(s->description, &m->description.loc, c->d);
	s->homepage = expand(c, &m->homepage, "homepage");
	if (s->homepage && !pf_starts_with(s->homepage, "https://") &&
	    !pf_starts_with(s->homepage, "http://"))
		pf_diag_error(c->d, &m->homepage.loc, "homepage '%s' must be an http(s) URL",
			      s->homepage);
	s->license = expand(c, &m->license, "license");
	s->maintainer = expand(c, &m->maintainer, "maintainer");
	if (s->maintainer)
		check_maintainer(s->maintainer, &m->maintainer.loc, c->d);
	s->section = expand_or(c, &m->section, "section", "devel");
	s->priority = expand_or(c, &m->priority, "priority", "optional");
	s->group = expand_or(c, &m->group, "group", "Development/Tools");

	for (size_t i = 0; i < v->sha_nr; i++) {
		const struct pf_msha *sh = &v->sha[i];
		if ((!c->variant && !strcmp(sh->key.s, host)) ||
		    (s->file && !strcmp(sh->key.s, s->file))) {
			if (s->sha256[0]) {
				pf_diag_error(c->d, &sh->key.loc,
					      "two sha256 values apply to '%s' (by host and by file name)",
					      s->file ? s->file : host);
				continue;
			}
			for (int k = 0; k < 64; k++)
				s->sha256[k] = (char)tolower((unsigned char)sh->hex.s[k]);
			s->sha256[64] = '\0';
			s->sha_loc = sh->hex.loc;
			s->sha_pinned = true;
		}
	}
	if (!s->sha256[0] && s->sums.url)
		s->sha_loc = s->sums.loc;
	else if (!s->sha256[0] && s->file && !m->source.checksums.set)
		pf_diag_error(c->d, &v->loc, "version '%s' pins no sha256 for '%s' (host %s)",
			      v->version.s, s->file, host);
	expand_alts(c, s);
	if (m->meta.present) {
		s->meta_name = expand(c, &m->meta.package, "metapackage package");
		s->meta_summary = expand(c, &m->meta.summary, "metapackage summary");
		s->meta_description = expand(c, &m->meta.description, "metapackage description");
		if (s->meta_summary)
			check_summary(s->meta_summary, &m->meta.summary.loc, c->d);
	}

	s->strip = m->files.strip;
	if (m->files.include.nr)
		expand_globs(c, &m->files.include, &s->include, "include");
	else
		pf_strlist_add(&s->include, pf_strdup("**"));
	expand_globs(c, &m->files.exclude, &s->exclude, "exclude");
	expand_globs(c, &m->files.external_links, &s->extlinks, "allow-external-links");
	expand_globs(c, &m->files.foreign_elf, &s->foreign_elf, "foreign-elf");
	expand_relations(c, s);
	expand_depgen(c, s);
out:
	if (c->d->raised > errors)
		return -1;
	for (int f = 0; f < PF_FMT_NR; f++)
		pf_pkgfmts[f]->check(s, c->d);
	return c->d->raised > errors ? -1 : 0;
}

/* Find a variant of m by name. */
static const struct pf_mvariant *find_variant(const struct pf_manifest *m, const char *name)
{
	for (size_t j = 0; j < m->nr_variants; j++)
		if (m->variants[j].name.s && !strcmp(m->variants[j].name.s, name))
			return &m->variants[j];
	return NULL;
}

/* Does version v (with per-host variants) have variant on host? */
static bool host_has_variant(const struct pf_mversion *v, const char *host,
			     const struct pf_mvariant *variant)
{
	for (size_t i = 0; i < v->nr_host_variants; i++) {
		const struct pf_mhostvar *hv = &v->host_variants[i];
		if (strcmp(hv->host.s, host))
			continue;
		for (size_t k = 0; k < hv->variants.nr; k++)
			if (!strcmp(hv->variants.v[k].s, variant->name.s))
				return true;
	}
	return false;
}

/* Check the names of one list of versions[].variants; mark the ones used. */
static int check_variant_list(const struct pf_manifest *m, const struct pf_mlist *l,
			      bool *used, struct pf_diag *d)
{
	int ret = 0;

	for (size_t i = 0; i < l->nr; i++) {
		const struct pf_mvariant *found = find_variant(m, l->v[i].s);

		if (!found) {
			pf_diag_error(d, &l->v[i].loc, "unknown variant '%s'", l->v[i].s);
			ret = -1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(l->v[j].s, l->v[i].s)) {
				pf_diag_error(d, &l->v[i].loc, "variant '%s' listed twice", l->v[i].s);
				ret = -1;
				break;
			}
		used[found - m->variants] = true;
	}
	return ret;
}

/*
 * The variants version v has: its own list, all of the manifest's, or
 * (versions[].variants as a mapping) those any host lists, each host's
 * list checked against the version's hosts.
 */
static int version_variants(const struct pf_manifest *m, const struct pf_mversion *v,
			    const struct pf_mlist *hosts, const struct pf_mvariant ***out,
			    size_t *nr, struct pf_diag *d)
{
	const struct pf_mvariant **list;
	bool *used;
	int ret = 0;

	*nr = 0;
	if (!m->nr_variants) {
		*out = pf_calloc(1, sizeof(**out));
		*nr = 1;                /* one package per host, no variant */
		if (v->variants.nr || v->nr_host_variants) {
			pf_diag_error(d, v->variants.nr ? &v->variants.v[0].loc :
				      &v->host_variants[0].host.loc,
				      "version '%s' lists variants, but the manifest defines none",
				      v->version.s);
			ret = -1;
		}
		return ret;
	}
	list = pf_calloc(m->nr_variants, sizeof(*list));
	used = pf_calloc(m->nr_variants, sizeof(*used));
	if (v->nr_host_variants) {
		for (size_t i = 0; i < v->nr_host_variants; i++) {
			const struct pf_mhostvar *hv = &v->host_variants[i];
			bool known = false;

			for (size_t h = 0; h < hosts->nr && !known; h++)
				known = !strcmp(hosts->v[h].s, hv->host.s);
			if (!known) {
				pf_diag_error(d, &hv->host.loc,
					      "variants for host '%s', which version '%s' does not have",
					      hv->host.s, v->version.s);
				ret = -1;
			}
			if (check_variant_list(m, &hv->variants, used, d) < 0)
				ret = -1;
		}
		for (size_t h = 0; h < hosts->nr; h++) {
			bool listed = false;

			for (size_t i = 0; i < v->nr_host_variants && !listed; i++)
				listed = !strcmp(hosts->v[h].s, v->host_variants[i].host.s);
			if (!listed) {
				pf_diag_error(d, &v->host_variants[0].host.loc,
					      "version '%s' lists variants by host, but none for host '%s'",
					      v->version.s, hosts->v[h].s);
				ret = -1;
			}
		}
	} else if (v->variants.nr) {
		if (check_variant_list(m, &v->variants, used, d) < 0)
			ret = -1;
	} else {
		for (size_t i = 0; i < m->nr_variants; i++)
			used[i] = true;
	}
	/* in the version's order when it lists them, else the manifest's */
	if (v->variants.nr) {
		for (size_t i = 0; i < v->variants.nr; i++) {
			const struct pf_mvariant *f = find_variant(m, v->variants.v[i].s);
			bool dup = false;

			for (size_t j = 0; j < *nr && f; j++)
				dup = dup || list[j] == f;
			if (f && !dup)
				list[(*nr)++] = f;
		}
	} else {
		for (size_t i = 0; i < m->nr_variants; i++)
			if (used[i])
				list[(*nr)++] = &m->variants[i];
	}
	free(used);
	*out = list;
	return ret;
}

/* The metapackage of a group: depends on the newest package of the group. */
static void add_meta(struct pf_plan *plan, size_t target, struct pf_diag *d)
{
	const struct pf_pkgspec *t = &plan->v[target];
	struct pf_pkgspec s;
	struct nrel_alt alt;
	char *full = pf_pkgspec_fullversion(t);

	memset(&s, 0, sizeof(s));
	s.m = t->m;
	s.mv = t->mv;
	s.variant = t->variant;
	s.arch = t->arch;
	s.host = t->host;
	s.meta = true;
	s.meta_target = target;
	s.name = pf_strdup(t->meta_name);
	s.version = pf_strdup(t->version);
	s.release = pf_strdup(t->release);
	s.epoch = t->epoch ? pf_strdup(t->epoch) : NULL;
	s.summary = pf_strdup(t->meta_summary);
	s.description = pf_strdup(t->meta_description);
	s.homepage = t->homepage ? pf_strdup(t->homepage) : NULL;
	s.license = pf_strdup(t->license);
	s.maintainer = pf_strdup(t->maintainer);
	s.section = pf_strdup(t->section);
	s.priority = pf_strdup(t->priority);
	s.group = pf_strdup(t->group);
	alt.name = t->name;
	alt.op = ">=";
	alt.ver = full;
	for (int f = 0; f < PF_FMT_NR; f++) {
		char *text = nrel_render(&alt, 1, f);
		pf_rellist_add(&s.rel[PF_REL_DEPENDS][f], text, &t->m->meta.loc, "metapackage");
		free(text);
	}
	free(full);
	for (int f = 0; f < PF_FMT_NR; f++)
		pf_pkgfmts[f]->check(&s, d);
	PF_ALLOC_GROW(plan->v, plan->nr + 1, plan->alloc);
	plan->v[plan->nr++] = s;
}

int pf_plan_add(struct pf_plan *plan, const struct pf_manifest *m,
		struct pf_diag *d)
{
	int errors = d->raised;
	size_t first = plan->nr, last;

	for (size_t vi = 0; vi < m->nr_versions; vi++) {
		const struct pf_mversion *v = &m->versions[vi];
		const struct pf_mlist *hosts = v->hosts.nr ? &v->hosts : &m->hosts;
		const struct pf_mvariant **variants = NULL;
		size_t nvariants;

		if (!v->version.s)
			continue;
		for (size_t hi = 0; hi < hosts->nr; hi++)
			for (size_t hj = 0; hj < hi; hj++)
				if (!strcmp(hosts->v[hj].s, hosts->v[hi].s))
					pf_diag_error(d, &hosts->v[hi].loc, "duplicate host '%s'",
						      hosts->v[hi].s);
		version_variants(m, v, hosts, &variants, &nvariants, d);
		for (size_t wi = 0; wi < nvariants; wi++) {
			struct ctx c = { m, v, variants[wi], { NULL, 0, 0 }, d };

			for (size_t hi = 0; hi < hosts->nr; hi++) {
				struct pf_pkgspec s;

				if (variants[wi] && v->nr_host_variants &&
				    !host_has_variant(v, hosts->v[hi].s, variants[wi]))
					continue;
				if (expand_one(&c, hosts->v[hi].s, &hosts->v[hi].loc, &s) < 0) {
					spec_release(&s);
					continue;
				}
				PF_ALLOC_GROW(plan->v, plan->nr + 1, plan->alloc);
				plan->v[plan->nr++] = s;
			}
			pf_tvars_release(&c.vars);
		}
		free(variants);
		/* every sha256 key must name a host or a source file of this version */
		for (size_t i = 0; i < v->sha_nr; i++) {
			bool used = false;
			for (size_t p = first; p < plan->nr && !used; p++)
				used = plan->v[p].mv == v &&
				       ((!m->nr_variants && !strcmp(plan->v[p].host, v->sha[i].key.s)) ||
					!strcmp(plan->v[p].file, v->sha[i].key.s));
			for (size_t hi = 0; hi < hosts->nr && !used && !m->nr_variants; hi++)
				used = !strcmp(hosts->v[hi].s, v->sha[i].key.s);
			if (!used)
				pf_diag_error(d, &v->sha[i].key.loc,
					      m->nr_variants ?
					      "sha256 for '%s' matches no source file of version '%s' (with variants, key sha256 values by file name)" :
					      "sha256 for '%s' matches no host or source file of version '%s'",
					      v->sha[i].key.s, v->version.s);
		}
	}
	/* metapackages: one per expanded name and architecture, on the newest */
	last = plan->nr;
	for (size_t i = first; i < last && m->meta.present; i++) {
		const struct pf_pkgspec *a = &plan->v[i];
		size_t best = i;
		bool seen = false;

		if (!a->meta_name)
			continue;
		for (size_t j = first; j < i && !seen; j++)
			seen = plan->v[j].meta_name && !strcmp(plan->v[j].meta_name, a->meta_name) &&
			       !strcmp(plan->v[j].arch->canon, a->arch->canon);
		if (seen)
			continue;
		for (size_t j = i + 1; j < last; j++) {
			const struct pf_pkgspec *b = &plan->v[j];
			if (b->meta_name && !strcmp(b->meta_name, a->meta_name) &&
			    !strcmp(b->arch->canon, a->arch->canon) && spec_cmp(b, &plan->v[best]) > 0)
				best = j;
		}
		add_meta(plan, best, d);
	}
	/* the same package (name, version, architecture) must come out once */
	for (size_t i = first; i < plan->nr; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct pf_pkgspec *a = &plan->v[j], *b = &plan->v[i];
			if (!strcmp(a->name, b->name) && !strcmp(a->version, b->version) &&
			    !strcmp(a->release, b->release) && !strcmp(a->arch->canon, b->arch->canon)) {
				pf_diag_error(d, b->meta ? &m->meta.loc : &b->mv->loc,
					      "package %s %s-%s for %s is also produced at %s:%d",
					      b->name, b->version, b->release, b->arch->canon,
					      a->meta ? m->path : a->mv->loc.file,
					      a->meta ? a->m->meta.loc.line : a->mv->loc.line);
				break;
			}
		}
	}
	return d->raised > errors ? -1 : 0;
}

void pf_plan_release(struct pf_plan *plan)
{
	for (size_t i = 0; i < plan->nr; i++)
		spec_release(&plan->v[i]);
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}
