// SPDX-License-Identifier: GPL-2.0-or-later
/* Closure, co-installability and well-formedness of a set of packages. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch.h"
#include "check.h"
#include "pkgfmt.h"
#include "strmap.h"
#include "util.h"
#include "banned.h"

/*
 * How one format spells relations.  Versions compare with the format's
 * own rules; parse() gives alternatives whose operators are spelt the
 * Debian way ("<<", "<=", "=", ">=", ">>").  base() says whether the
 * distribution's base has what one alternative names.
 */
struct dialect {
	const char *fields[PF_REL_NR];
	bool (*name_ok)(const char *name);
	bool (*version_ok)(const char *version);
	int (*check)(const char *rel, int kind, struct strbuf *why);
	int (*parse)(const char *rel, struct pf_debalt **alts, size_t *nr);
	int (*vercmp)(const char *a, const char *b);
	bool (*base)(const struct pf_profile *base, const struct dialect *dl,
		     const struct pf_debalt *a);
	bool unversioned_provides;      /* an unversioned Provides satisfies a
					 * versioned need (rpm), or not (dpkg) */
	bool file_deps;                 /* "/bin/sh" is a file some package ships */
};

static int debrel_check(const char *rel, int kind, struct strbuf *why)
{
	return pf_debrel_check(rel, true, why);
}

/* The profile's packages, by name and version. */
static bool deb_base(const struct pf_profile *base, const struct dialect *dl,
		     const struct pf_debalt *a);
/*
 * rpm names what the base has differently: its packages by name (the
 * profile's, compared with rpm's rules), the sonames and symbol
 * versions of the profile's libraries ("libz.so.1()(64bit)",
 * "libc.so.6(GLIBC_2.34)(64bit)"), the dynamic linker's features
 * (rtld(GNU_HASH), when the profile has glibc), rpm's own rpmlib()
 * features, and the shell every system has.
 */
static bool rpm_base(const struct pf_profile *base, const struct dialect *dl,
		     const struct pf_debalt *a);

static const struct dialect debian = {
	{ "Depends", "Recommends", "Suggests", "Provides", "Conflicts", "Replaces" },
	pf_debname_ok, pf_debver_valid, debrel_check, pf_debrel_parse, pf_debver_cmp,
	deb_base, false, false,
};

static const struct dialect rpm = {
	{ "Requires", "Recommends", "Suggests", "Provides", "Conflicts", "Obsoletes" },
	pf_rpmname_ok, pf_rpmevr_valid, pf_rpmrel_check, pf_rpmrel_parse, pf_rpmevr_cmp,
	rpm_base, true, true,
};

static const struct dialect *const dialects[PF_FMT_NR] = {
	[PF_FMT_DEB] = &debian,
	[PF_FMT_RPM] = &rpm,
	[PF_FMT_IPK] = &debian,
};

/* What one package offers to others: itself, a Provides, a file. */
struct cap {
	size_t pkg;
	const char *op;                 /* "=" or another, or NULL */
	char *version;
};

struct caps {
	struct cap *v;
	size_t nr, alloc;
};

struct ctx {
	const struct pf_pkginfo *pkgs;
	size_t n;
	const struct pf_profiles *ps;
	struct pf_diag *d;
	int problems;
	/* name → index in capv: every capability by name, so that a
	 * dependency looks only at what can satisfy it */
	struct pf_strmap capmap;
	struct caps *capv;
	size_t ncap, acap;
	struct pf_strlist keys;         /* the maps' keys */
	/* "name op version" → 1 + whether the base has it */
	struct pf_strmap basememo;
	/* "fmt name version arch" → the first package so */
	struct pf_strmap seen;
	bool files_indexed;
	/* NULL, or the packages to check: problems between the others
	 * are not looked for */
	const bool *focus;
};

static bool focused(const struct ctx *c, size_t i)
{
	return !c->focus || c->focus[i];
}

/* The Debian architecture of the systems a package installs on; "all"
 * for every one. */
static const char *deb_arch(const struct pf_pkginfo *p)
{
	const struct pf_arch *a;

	if (!strcmp(p->arch, "all") || !strcmp(p->arch, "noarch"))
		return "all";
	if (p->fmt == PF_FMT_DEB)
		return p->arch;
	a = pf_arch_find(p->arch);      /* ipk and rpm spell it as uname -m */
	return a ? a->deb : p->arch;
}

/* The profile's data for the systems of one architecture, or NULL. */
static const struct pf_profile *base_of(const struct ctx *c, const char *arch)
{
	for (size_t i = 0; arch && i < c->ps->nr; i++)
		if (!strcmp(c->ps->v[i].p->arch, arch))
			return c->ps->v[i].p;
	return NULL;
}

static void problem(struct ctx *c, const struct pf_pkginfo *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct ctx *c, const struct pf_pkginfo *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct pf_loc loc = { p->path, 0, 0 };
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pf_diag_error(c->d, &loc, "%s", sb.buf);
	strbuf_release(&sb);
	c->problems++;
}

static bool arch_indep(const char *arch)
{
	return !strcmp(arch, "all") || !strcmp(arch, "noarch");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Can a and b be installed on one system (format and architecture)? */
static bool same_system(const struct pf_pkginfo *a, const struct pf_pkginfo *b)
{
	return a->fmt == b->fmt &&
	       (!strcmp(a->arch, b->arch) || arch_indep(a->arch) || arch_indep(b->arch));
}

static bool satisfies(const struct dialect *dl, const char *have, const char *op, const char *want)
{
	int r;

	if (!op)
		return true;
	if (!have)
		return false;
	r = dl->vercmp(have, want);
	if (!strcmp(op, "<<"))
		return r < 0;
	if (!strcmp(op, "<="))
		return r <= 0;
	if (!strcmp(op, "="))
		return r == 0;
	if (!strcmp(op, ">="))
		return r >= 0;
	return r > 0;
}

static bool deb_base(const struct pf_profile *base, const struct dialect *dl,
		     const struct pf_debalt *a)
{
	const char *have = pf_profile_pkgversion(base, a->name);

	return have && satisfies(dl, have, a->op, a->version);
}

static bool rpm_base(const struct pf_profile *base, const struct dialect *dl,
		     const struct pf_debalt *a)
{
	/* files every rpm distribution's base has: the shell, and the
	 * alternatives command (Fedora's "alternatives", SUSE's
	 * "update-alternatives" package) that scriptlets call */
	static const char *const files[] = {
		"/bin/sh", "/usr/bin/sh", "/usr/sbin/update-alternatives",
	};
	const char *paren = strchr(a->name, '('), *close, *rest;
	const struct pf_proflib *lib;
	char *soname, *node;
	bool ok = false;

	if (pf_starts_with(a->name, "rpmlib("))
		return pf_rpmlib_has(a->name, !a->op ? NULL : !strcmp(a->op, "<<") ? "<" :
				     !strcmp(a->op, ">>") ? ">" : a->op, a->version);
	for (size_t i = 0; i < PF_ARRAY_SIZE(files); i++)
		if (!strcmp(a->name, files[i]))
			return true;
	if (deb_base(base, dl, a))
		return true;
	if (!strcmp(a->name, "rtld(GNU_HASH)"))
		return pf_profile_lib(base, "libc.so.6") != NULL;
	/* "soname(NODE)(64bit)", "soname()(64bit)", or without "(64bit)" */
	if (!paren || a->op)
		return false;
	close = strchr(paren, ')');
	rest = close ? close + 1 : NULL;
	if (!rest || (*rest && strcmp(rest, "(64bit)")))
		return false;
	soname = pf_strndup(a->name, (size_t)(paren - a->name));
	lib = pf_profile_lib(base, soname);
	if (lib) {
		node = pf_strndup(paren + 1, (size_t)(close - paren - 1));
		ok = !*node || pf_proflib_node(lib, node);
		free(node);
	}
	free(soname);
	return ok;
}

static void add_cap(struct ctx *c, const char *name, size_t pkg, const char *op,
		    const char *version)
{
	struct caps *l;
	size_t k;

	if (!pf_strmap_get(&c->capmap, name, &k)) {
		char *key = pf_strdup(name);

		pf_strlist_add(&c->keys, key);
		PF_ALLOC_GROW(c->capv, c->ncap + 1, c->acap);
		memset(&c->capv[c->ncap], 0, sizeof(c->capv[c->ncap]));
		k = c->ncap++;
		pf_strmap_put(&c->capmap, key, k);
	}
	l = &c->capv[k];
	PF_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr].pkg = pkg;
	l->v[l->nr].op = op;
	l->v[l->nr].version = version ? pf_strdup(version) : NULL;
	l->nr++;
}

/* Every package's name, Provides and (rpm) files, by name. */
static void index_caps(struct ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct pf_pkginfo *p = &c->pkgs[i];
		const struct dialect *dl = dialects[p->fmt];

		if (!dl)
			continue;
		add_cap(c, p->name, i, "=", p->version);
		for (size_t k = 0; k < p->rel[PF_REL_PROVIDES].nr; k++) {
			struct pf_debalt *pa;
			size_t pn;

			if (dl->parse(p->rel[PF_REL_PROVIDES].v[k], &pa, &pn) < 0)
				continue;
			if (pn == 1)
				add_cap(c, pa[0].name, i, pa[0].op, pa[0].version);
			pf_debalts_free(pa, pn);
		}
	}
}

/* rpm's file dependencies: the files of the packages, indexed on the
 * first one met (they are rare, and the files many) */
static void index_files(struct ctx *c)
{
	if (c->files_indexed)
		return;
	c->files_indexed = true;
	for (size_t i = 0; i < c->n; i++) {
		const struct pf_pkginfo *p = &c->pkgs[i];

		if (dialects[p->fmt] && dialects[p->fmt]->file_deps)
			for (size_t k = 0; k < p->files.nr; k++)
				add_cap(c, p->files.v[k], i, NULL, NULL);
	}
}

static void ctx_release(struct ctx *c)
{
	for (size_t i = 0; i < c->ncap; i++) {
		for (size_t k = 0; k < c->capv[i].nr; k++)
			free(c->capv[i].v[k].version);
		free(c->capv[i].v);
	}
	free(c->capv);
	pf_strmap_release(&c->capmap);
	pf_strmap_release(&c->basememo);
	pf_strmap_release(&c->seen);
	pf_strlist_release(&c->keys);
}

static bool base_has(struct ctx *c, const struct dialect *dl, const struct pf_profile *base,
		     const struct pf_debalt *a)
{
	const char *parts[6] = { dl == dialects[PF_FMT_RPM] ? "1" : "0", base ? base->name : "",
				 base ? base->arch : "", a->name, a->op ? a->op : "",
				 a->version ? a->version : "" };
	char buf[256], *key = buf, *heap = NULL;
	size_t v, len = 0;
	bool ok;

	if (!base)
		return false;
	/* the memo's key: the parts, tab-separated; on the stack when it
	 * fits (it mostly does: a dependency is checked for every package) */
	for (int i = 0; i < 6; i++)
		len += strlen(parts[i]) + 1;
	if (len > sizeof(buf))
		key = heap = pf_malloc(len);
	len = 0;
	for (int i = 0; i < 6; i++) {
		size_t k = strlen(parts[i]);

		memcpy(key + len, parts[i], k);
		len += k;
		key[len++] = i < 5 ? '\t' : '\0';
	}
	if (pf_strmap_get(&c->basememo, key, &v)) {
		free(heap);
		return v == 2;
	}
	ok = dl->base(base, dl, a);
	key = heap ? heap : pf_strdup(buf);
	pf_strlist_add(&c->keys, key);
	pf_strmap_put(&c->basememo, key, ok ? 2 : 1);
	return ok;
}

/*
 * Is one alternative satisfied, on a system of Debian architecture arch
 * (NULL: any), by the set or the base?
 */
static bool alt_satisfied(struct ctx *c, const struct dialect *dl,
			  const struct pf_pkginfo *p, const char *arch,
			  const struct pf_profile *base, const struct pf_debalt *a)
{
	size_t k;

	/* a file: the base's first (the same answer, and indexing every
	 * file of the set is costly, so done only for a file the base
	 * lacks) */
	if (dl->file_deps && a->name[0] == '/') {
		if (base_has(c, dl, base, a))
			return true;
		index_files(c);
	}
	if (pf_strmap_get(&c->capmap, a->name, &k)) {
		const struct caps *l = &c->capv[k];

		for (size_t i = 0; i < l->nr; i++) {
			const struct cap *cp = &l->v[i];
			const struct pf_pkginfo *q = &c->pkgs[cp->pkg];
			const char *qa = deb_arch(q);

			if (q->fmt != p->fmt || (arch && strcmp(qa, "all") && strcmp(qa, arch)))
				continue;
			/* dpkg's unversioned Provides satisfy unversioned needs
			 * only; rpm's satisfy any */
			if (!a->op || (!cp->op && dl->unversioned_provides) ||
			    (cp->op && !strcmp(cp->op, "=") &&
			     satisfies(dl, cp->version, a->op, a->version)))
				return true;
		}
	}
	return base_has(c, dl, base, a);
}

/*
 * Every dependency, on each system the package installs on: its own
 * architecture's, or for an "all" package, every architecture there is
 * profile data for.
 */
static void check_closure(struct ctx *c, const struct dialect *dl, const struct pf_pkginfo *p)
{
	const struct pf_strlist *deps = &p->rel[PF_REL_DEPENDS];
	const char *own = deb_arch(p);
	bool any = !strcmp(own, "all");
	size_t nsys = any && c->ps->nr ? c->ps->nr : 1;

	for (size_t i = 0; i < deps->nr; i++) {
		struct pf_debalt *alts;
		size_t nr;
		bool ok = true;

		if (dl->parse(deps->v[i], &alts, &nr) < 0)
			continue;       /* reported as malformed */
		if (!nr) {
			pf_debalts_free(alts, nr);
			continue;       /* a rich dependency this check cannot judge */
		}
		for (size_t s = 0; s < nsys && ok; s++) {
			const char *arch = !any ? own : c->ps->nr ? c->ps->v[s].p->arch : NULL;
			const struct pf_profile *base = base_of(c, arch);
			struct strbuf where = STRBUF_INIT;
			const char *have;

			ok = false;
			for (size_t k = 0; k < nr && !ok; k++)
				ok = alt_satisfied(c, dl, p, arch, base, &alts[k]);
			if (ok)
				continue;
			strbuf_addstr(&where, base ? base->name : "a profile");
			if (any && arch)
				strbuf_addf(&where, " (%s)", arch);
			have = nr == 1 && base ? pf_profile_pkgversion(base, alts[0].name) : NULL;
			if (have)
				problem(c, p, "%s %s: depends on '%s', but %s has %s %s",
					p->name, p->version, deps->v[i], where.buf, alts[0].name, have);
			else
				problem(c, p, "%s %s: depends on '%s', which neither the packages checked nor %s provide",
					p->name, p->version, deps->v[i], where.buf);
			strbuf_release(&where);
		}
		pf_debalts_free(alts, nr);
	}
}

/* Does p declare that it conflicts with or replaces q? */
static bool declares_against(const struct dialect *dl, const struct pf_pkginfo *p,
			     const struct pf_pkginfo *q)
{
	static const int kinds[] = { PF_REL_CONFLICTS, PF_REL_REPLACES };

	for (size_t k = 0; k < PF_ARRAY_SIZE(kinds); k++) {
		const struct pf_strlist *l = &p->rel[kinds[k]];
		for (size_t i = 0; i < l->nr; i++) {
			struct pf_debalt *alts;
			size_t nr;
			bool hit = false;

			if (dl->parse(l->v[i], &alts, &nr) < 0)
				continue;
			for (size_t a = 0; a < nr && !hit; a++)
				hit = !strcmp(alts[a].name, q->name) &&
				      satisfies(dl, q->version, alts[a].op, alts[a].version);
			pf_debalts_free(alts, nr);
			if (hit)
				return true;
		}
	}
	return false;
}

/* Who ships a path: packages chained through next. */
struct owner {
	size_t pkg;
	size_t next;            /* index + 1 in owners, 0: none */
};

struct clash {
	size_t a, b;
	const char *path;
	size_t more;
};

static void check_coinstall(struct ctx *c)
{
	struct pf_strmap paths = PF_STRMAP_INIT;
	struct owner *owners = NULL;
	struct clash *clashes = NULL;
	size_t nown = 0, aown = 0, ncl = 0, acl = 0, nfiles = 0;

	for (size_t i = 0; i < c->n; i++)
		nfiles += c->pkgs[i].files.nr;
	pf_strmap_reserve(&paths, nfiles);
	owners = pf_malloc((nfiles + 1) * sizeof(*owners));
	aown = nfiles + 1;
	for (size_t i = 0; i < c->n; i++) {
		const struct pf_pkginfo *p = &c->pkgs[i];

		if (!dialects[p->fmt])
			continue;
		for (size_t f = 0; f < p->files.nr; f++) {
			const char *path = p->files.v[f];
			size_t first = 0;

			if (pf_strmap_get(&paths, path, &first)) {
				for (size_t o = first; o; o = owners[o - 1].next) {
					const struct pf_pkginfo *q = &c->pkgs[owners[o - 1].pkg];
					size_t k;

					if (!same_system(p, q) || !strcmp(p->name, q->name))
						continue;
					for (k = 0; k < ncl; k++)
						if (clashes[k].a == owners[o - 1].pkg && clashes[k].b == i)
							break;
					if (k < ncl) {
						clashes[k].more++;
						continue;
					}
					PF_ALLOC_GROW(clashes, ncl + 1, acl);
					clashes[ncl].a = owners[o - 1].pkg;
					clashes[ncl].b = i;
					clashes[ncl].path = path;
					clashes[ncl].more = 0;
					ncl++;
				}
			}
			PF_ALLOC_GROW(owners, nown + 1, aown);
			owners[nown].pkg = i;
			owners[nown].next = first;
			nown++;
			pf_strmap_put(&paths, path, nown);
		}
	}
	for (size_t k = 0; k < ncl; k++) {
		const struct pf_pkginfo *a = &c->pkgs[clashes[k].a], *b = &c->pkgs[clashes[k].b];
		const struct dialect *dl = dialects[a->fmt];
		struct strbuf more = STRBUF_INIT;

		if (!focused(c, clashes[k].a) && !focused(c, clashes[k].b))
			continue;
		if (declares_against(dl, a, b) || declares_against(dl, b, a))
			continue;
		if (clashes[k].more)
			strbuf_addf(&more, " (and %zu more path%s)", clashes[k].more,
				    clashes[k].more == 1 ? "" : "s");
		problem(c, b, "%s %s and %s %s both ship %s%s, and neither conflicts with nor replaces the other",
			a->name, a->version, b->name, b->version, clashes[k].path, more.buf);
		strbuf_release(&more);
	}
	free(clashes);
	free(owners);
	pf_strmap_release(&paths);
}

static void check_wellformed(struct ctx *c, const struct dialect *dl, const struct pf_pkginfo *p)
{
	if (!dl->name_ok(p->name))
		problem(c, p, "invalid package name '%s'", p->name);
	if (!dl->version_ok(p->version))
		problem(c, p, "%s: invalid version '%s'", p->name, p->version);
	for (int k = 0; k < PF_REL_NR; k++) {
		for (size_t i = 0; i < p->rel[k].nr; i++) {
			struct strbuf why = STRBUF_INIT;
			if (dl->check(p->rel[k].v[i], k, &why) < 0)
				problem(c, p, "%s %s: invalid %s entry '%s': %s", p->name, p->version,
					dl->fields[k], p->rel[k].v[i], why.buf);
			strbuf_release(&why);
		}
	}
}

/* No package twice: one of the two focused, the problem is the later's. */
static void check_twice(struct ctx *c, const struct pf_pkginfo *p, size_t idx)
{
	char buf[256], *key = buf;
	int n = snprintf(buf, sizeof(buf), "%d\t%s\t%s\t%s", (int)p->fmt, p->name, p->version,
			 p->arch);
	size_t j;

	if (n < 0 || (size_t)n >= sizeof(buf))
		key = pf_asprintf("%d\t%s\t%s\t%s", (int)p->fmt, p->name, p->version, p->arch);
	if (pf_strmap_get(&c->seen, key, &j)) {
		if (focused(c, idx) || focused(c, j))
			problem(c, p, "%s %s (%s) is also in %s", p->name, p->version, p->arch,
				c->pkgs[j].path);
	} else {
		key = key == buf ? pf_strdup(buf) : key;
		pf_strlist_add(&c->keys, key);
		pf_strmap_put(&c->seen, key, idx);
		key = buf;
	}
	if (key != buf)
		free(key);
}

void pf_check_arches(const struct pf_pkginfo *const *pkgs, size_t n, struct pf_strlist *arches)
{
	const struct pf_pkginfo *last = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *a;
		bool seen;

		/* a feed's packages mostly share one architecture */
		if (last && last->fmt == pkgs[i]->fmt && !strcmp(last->arch, pkgs[i]->arch))
			continue;
		last = pkgs[i];
		a = deb_arch(pkgs[i]);
		seen = !dialects[pkgs[i]->fmt] || !strcmp(a, "all");

		for (size_t k = 0; k < arches->nr && !seen; k++)
			seen = !strcmp(arches->v[k], a);
		if (!seen)
			pf_strlist_add(arches, pf_strdup(a));
	}
	if (arches->nr)
		qsort(arches->v, arches->nr, sizeof(*arches->v), cmp_str);
}

int pf_check_profiles_from(const struct pf_pkginfo *const *pkgs, size_t n, const char *name,
			   struct pf_profiles *pre, struct pf_profiles *ps, struct pf_err *e)
{
	struct pf_strlist arches = { NULL, 0, 0 };
	int ret = -1;

	pf_check_arches(pkgs, n, &arches);
	if (!arches.nr && pf_profile_arches(name, &arches, e) < 0)
		goto out;
	if (arches.nr)
		qsort(arches.v, arches.nr, sizeof(*arches.v), cmp_str);
	for (size_t k = 0; k < arches.nr; k++) {
		const struct pf_profile *prof;

		if (pre)
			pf_profiles_take(pre, name, arches.v[k], ps);
		if (pf_profiles_get(ps, name, arches.v[k], &prof, e) < 0)
			goto out;
	}
	ret = 0;
out:
	pf_strlist_release(&arches);
	return ret;
}

int pf_check_profiles(const struct pf_pkginfo *pkgs, size_t n, const char *name,
		      struct pf_profiles *ps, struct pf_err *e)
{
	const struct pf_pkginfo **v = pf_calloc(n ? n : 1, sizeof(*v));
	int ret;

	for (size_t i = 0; i < n; i++)
		v[i] = &pkgs[i];
	ret = pf_check_profiles_from(v, n, name, NULL, ps, e);
	free(v);
	return ret;
}

static int check_some(const struct pf_pkginfo *pkgs, size_t n, const bool *focus,
		      const struct pf_profiles *ps, struct pf_diag *d)
{
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.pkgs = pkgs;
	c.n = n;
	c.ps = ps;
	c.d = d;
	c.focus = focus;
	index_caps(&c);
	for (size_t i = 0; i < n; i++) {
		const struct dialect *dl = dialects[pkgs[i].fmt];

		if (!dl) {
			if (focused(&c, i))
				problem(&c, &pkgs[i], "%s packages cannot be checked yet",
					pf_fmt_key[pkgs[i].fmt]);
			continue;
		}
		if (focused(&c, i)) {
			check_wellformed(&c, dl, &pkgs[i]);
			check_closure(&c, dl, &pkgs[i]);
		}
		check_twice(&c, &pkgs[i], i);
	}
	check_coinstall(&c);
	ctx_release(&c);
	return c.problems;
}

int pf_check_pkgs(const struct pf_pkginfo *pkgs, size_t n, const struct pf_profiles *ps,
		  struct pf_diag *d)
{
	return check_some(pkgs, n, NULL, ps, d);
}

/*
 * What a fresh package may meet in the others: its name, the names its
 * dependencies' alternatives ask for (rpm's file dependencies among
 * them), and the paths it ships.
 */
static void fresh_names(const struct pf_pkginfo *p, struct pf_strmap *names,
			struct pf_strlist *keys)
{
	const struct dialect *dl = dialects[p->fmt];
	const struct pf_strlist *deps = &p->rel[PF_REL_DEPENDS];

	pf_strmap_put(names, p->name, 0);
	for (size_t i = 0; dl && i < deps->nr; i++) {
		struct pf_debalt *alts;
		size_t nr;

		if (dl->parse(deps->v[i], &alts, &nr) < 0)
			continue;
		for (size_t k = 0; k < nr; k++) {
			pf_strlist_add(keys, alts[k].name);
			pf_strmap_put(names, alts[k].name, 0);
			alts[k].name = NULL;
		}
		pf_debalts_free(alts, nr);
	}
	for (size_t i = 0; i < p->files.nr; i++)
		pf_strmap_put(names, p->files.v[i], 0);
}

static bool has_span(const struct pf_strmap *names, const char *s, size_t len)
{
	return pf_strmap_get_n(names, s, len, NULL);
}

/*
 * Might q matter to a fresh package: could it satisfy one of its
 * dependencies, ship one of its paths, or be the same package?  A
 * Provides is judged by the name either dialect would parse from it
 * (before a blank, or for Debian before a '(', '|' or ':'); a rich one
 * always counts.  More packages than need be only cost time.
 */
/* prov's name spans, measured here (len, that of the whole, unused) */
static bool provide_may_meet(const struct pf_strmap *names, const char *prov, size_t len)
{
	const char *s = prov;
	size_t a, b = SIZE_MAX;

	(void)len;
	while (*s == ' ')
		s++;
	if (*s == '(')
		return true;
	/* up to a blank, and up to the first of " (|:", in one pass */
	for (a = 0; s[a] && s[a] != ' '; a++)
		if (b == SIZE_MAX && (s[a] == '(' || s[a] == '|' || s[a] == ':'))
			b = a;
	if (b == SIZE_MAX)
		b = a;
	return has_span(names, s, a) || (b != a && has_span(names, s, b));
}

static bool may_meet(const struct pf_pkginfo *q, const struct pf_strmap *names)
{
	const struct pf_strlist *prov = &q->rel[PF_REL_PROVIDES];

	if (pf_strmap_get(names, q->name, NULL))
		return true;
	for (size_t i = 0; i < prov->nr; i++)
		if (provide_may_meet(names, prov->v[i], strlen(prov->v[i])))
			return true;
	for (size_t i = 0; i < q->files.nr; i++)
		if (pf_strmap_get(names, q->files.v[i], NULL))
			return true;
	return false;
}

void pf_check_fresh_init(struct pf_check_fresh *f, const struct pf_pkginfo *const *fresh, size_t n)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++)
		fresh_names(fresh[i], &f->names, &f->keys);
}

/* Each item of a NUL-separated list of len bytes (a NUL after them
 * too) to fn, until it says true. */
static bool any_item(const char *v, size_t len, const struct pf_strmap *names,
		     bool (*fn)(const struct pf_strmap *names, const char *item, size_t len))
{
	for (const char *end = v + len; len;) {
		size_t k = strnlen(v, (size_t)(end - v));

		if (fn(names, v, k))
			return true;
		if (v + k >= end)
			return false;
		v += k + 1;
	}
	return false;
}

static bool file_may_meet(const struct pf_strmap *names, const char *path, size_t len)
{
	return pf_strmap_get_n(names, path, len, NULL);
}

bool pf_check_may_meet_lists(const struct pf_check_fresh *f, const char *name,
			     const char *provides, size_t plen, const char *files, size_t flen)
{
	return pf_strmap_get(&f->names, name, NULL) ||
	       any_item(provides, plen, &f->names, provide_may_meet) ||
	       any_item(files, flen, &f->names, file_may_meet);
}

void pf_check_fresh_release(struct pf_check_fresh *f)
{
	pf_strmap_release(&f->names);
	pf_strlist_release(&f->keys);
}

int pf_check_pkgs_fresh(const struct pf_pkginfo *const *pkgs, size_t n, const bool *fresh,
			const struct pf_profiles *ps, struct pf_diag *d)
{
	struct pf_strmap names = PF_STRMAP_INIT;
	struct pf_strlist keys = { NULL, 0, 0 };
	struct pf_pkginfo *sub = pf_calloc(n ? n : 1, sizeof(*sub));
	bool *focus = pf_calloc(n ? n : 1, sizeof(*focus));
	size_t m = 0;
	int problems;

	for (size_t i = 0; fresh && i < n; i++)
		if (fresh[i])
			fresh_names(pkgs[i], &names, &keys);
	/* the fresh ones and those they may meet, in the same order */
	for (size_t i = 0; i < n; i++) {
		if (fresh && !fresh[i] && !may_meet(pkgs[i], &names))
			continue;
		sub[m] = *pkgs[i];      /* shallow */
		focus[m++] = !fresh || fresh[i];
	}
	problems = m ? check_some(sub, m, fresh ? focus : NULL, ps, d) : 0;
	pf_strmap_release(&names);
	pf_strlist_release(&keys);
	free(sub);
	free(focus);
	return problems;
}

/* ----------------------------------------------------------- reading */

static int walk(const char *dir, struct pf_strlist *out, int depth, struct pf_err *e)
{
	DIR *dh;
	struct dirent *de;
	int ret = 0;

	if (depth > 32)
		return pf_err_set(e, PF_EINVAL, "%s: directories nested too deep", dir);
	dh = opendir(dir);
	if (!dh)
		return pf_err_errno(e, "cannot read %s", dir);
	while ((de = readdir(dh)) != NULL && !ret) {
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = pf_asprintf("%s%s%s", dir, pf_ends_with(dir, "/") ? "" : "/", de->d_name);
		if (lstat(p, &st) < 0) {
			ret = pf_err_errno(e, "cannot read %s", p);
		} else if (S_ISDIR(st.st_mode)) {
			ret = walk(p, out, depth + 1, e);
		} else if (S_ISREG(st.st_mode) && pf_pkgin_known(p)) {
			pf_strlist_add(out, p);
			p = NULL;
		}
		free(p);
	}
	closedir(dh);
	return ret;
}

int pf_check_read(char *const *paths, size_t n, struct pf_pkginfos *out, struct pf_err *e)
{
	struct pf_strlist files = { NULL, 0, 0 };
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			pf_err_set(e, PF_EINVAL, "cannot read %s: %s", paths[i], strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t before = files.nr;
			if (walk(paths[i], &files, 0, e) < 0)
				goto out;
			if (files.nr == before) {
				pf_err_set(e, PF_EINVAL, "%s: no package in this directory (%s)",
					   paths[i], pf_pkgin_formats());
				goto out;
			}
		} else if (!pf_pkgin_known(paths[i])) {
			pf_err_set(e, PF_EINVAL, "%s: not a package pkgforge can read (%s)",
				   paths[i], pf_pkgin_formats());
			goto out;
		} else {
			pf_strlist_add(&files, pf_strdup(paths[i]));
		}
	}
	if (files.nr)
		qsort(files.v, files.nr, sizeof(*files.v), cmp_str);
	for (size_t i = 0; i < files.nr; i++) {
		PF_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		if (pf_pkginfo_read(files.v[i], &out->v[out->nr], e) < 0)
			goto out;
		out->nr++;
	}
	ret = 0;
out:
	pf_strlist_release(&files);
	return ret;
}

void pf_pkginfos_release(struct pf_pkginfos *l)
{
	for (size_t i = 0; i < l->nr; i++)
		pf_pkginfo_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
