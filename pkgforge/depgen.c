// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF facts → rpm Requires/Provides and deb/ipk Depends (see depgen.h). */
#include <elf.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "depgen.h"
#include "util.h"
#include "banned.h"

#define MAX_HOPS 40

/* ------------------------------------------------ the package's tree */

static void push_components(struct pf_strlist *l, const char *path)
{
	while (*path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		if (n)
			pf_strlist_add(l, pf_strndup(path, n));
		path += n + (slash ? 1 : 0);
	}
}

static void join_components(struct strbuf *out, const struct pf_strlist *l)
{
	strbuf_reset(out);
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addch(out, '/');
		strbuf_addstr(out, l->v[i]);
	}
}

/*
 * Look path (a package path, no leading '/') up in the package, following
 * its symlinks as the installed system would.  Returns the entry's index
 * or -1 when the package does not hold it.
 */
static long resolve(const struct pf_depgen *g, const char *path)
{
	struct pf_strlist cur = { NULL, 0, 0 }, todo = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t pos = 0, hops = 0, idx = 0;
	long ret = -1;

	push_components(&todo, path);
	while (pos < todo.nr) {
		const char *c = todo.v[pos++];
		const struct pf_entry *ent;

		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (cur.nr)
				free(cur.v[--cur.nr]);
			continue;
		}
		pf_strlist_add(&cur, pf_strdup(c));
		join_components(&sb, &cur);
		if (!pf_strmap_get(g->index, sb.buf, &idx))
			goto out;
		ent = &g->files->v[idx];
		if (ent->type != PF_E_SYMLINK)
			continue;
		if (++hops > MAX_HOPS)
			goto out;
		free(cur.v[--cur.nr]);
		if (ent->link[0] == '/') {
			while (cur.nr)
				free(cur.v[--cur.nr]);
		}
		{
			struct pf_strlist rest = { NULL, 0, 0 };
			push_components(&rest, ent->link);
			for (size_t i = pos; i < todo.nr; i++)
				pf_strlist_add(&rest, pf_strdup(todo.v[i]));
			pf_strlist_release(&todo);
			todo = rest;
			pos = 0;
		}
	}
	join_components(&sb, &cur);
	if (pf_strmap_get(g->index, sb.buf, &idx))
		ret = (long)idx;
out:
	pf_strlist_release(&cur);
	pf_strlist_release(&todo);
	strbuf_release(&sb);
	return ret;
}

/* Replace $ORIGIN and ${ORIGIN} in a run path entry; NULL when the entry
 * cannot lead into the package ($LIB, $PLATFORM, relative paths). */
static char *expand_runpath(const char *entry, const char *origin)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = entry;

	while (*p) {
		if (pf_starts_with(p, "$ORIGIN")) {
			strbuf_addstr(&sb, origin);
			p += strlen("$ORIGIN");
		} else if (pf_starts_with(p, "${ORIGIN}")) {
			strbuf_addstr(&sb, origin);
			p += strlen("${ORIGIN}");
		} else if (*p == '$') {
			strbuf_release(&sb);
			return NULL;
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	if (sb.buf[0] != '/') {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static bool is_file(const struct pf_depgen *g, long idx)
{
	return idx >= 0 && (g->files->v[idx].type == PF_E_REG ||
			    g->files->v[idx].type == PF_E_HARDLINK);
}

/* Does the package satisfy file f's need for soname itself? */
static bool self_satisfied(const struct pf_depgen *g, const struct pf_elffile *f,
			   const char *soname)
{
	const struct pf_elfinfo *in = f->info;
	const struct pf_strlist *paths = in->runpath.nr ? &in->runpath : &in->rpath;
	char *origin = pf_asprintf("/%s", f->path);
	bool found = false;

	*strrchr(origin, '/') = '\0';
	if (!*origin) {
		free(origin);
		origin = pf_strdup("/");
	}
	for (size_t i = 0; i < paths->nr && !found; i++) {
		char *dir = expand_runpath(paths->v[i], origin);
		char *cand;
		if (!dir)
			continue;
		cand = pf_asprintf("%s/%s", dir, soname);
		found = is_file(g, resolve(g, cand + 1));
		free(cand);
		free(dir);
	}
	free(origin);
	/* a library of the package with that soname: its Provides */
	for (size_t i = 0; i < g->nr_elf && !found; i++) {
		const struct pf_elfinfo *o = g->elf[i].info;
		found = o->type == ET_DYN && o->soname && !strcmp(o->soname, soname);
	}
	return found;
}

static bool ignored(const struct pf_depgen *g, const char *soname)
{
	for (size_t i = 0; i < g->spec->soignore.nr; i++)
		if (!fnmatch(g->spec->soignore.v[i], soname, 0))
			return true;
	return false;
}

static const char *below_prefix(const struct pf_depgen *g, const char *path)
{
	size_t n = strlen(g->spec->prefix) - 1;        /* prefix without '/' */

	if (!strncmp(path, g->spec->prefix + 1, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/* ------------------------------------------------------------ rpm */

/* rpm's sanity filter: sonames with ".so" that start with "lib" or are
 * the dynamic linker ("ld.", "ld-", "ld64.", "ld64-"). */
static bool rpm_skip_soname(const char *s)
{
	const char *p;

	for (p = s; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || *p == '\v'; p++)
		;
	if (!*p || !strstr(s, ".so"))
		return true;
	if (pf_starts_with(s, "ld.") || pf_starts_with(s, "ld-") ||
	    pf_starts_with(s, "ld64.") || pf_starts_with(s, "ld64-"))
		return false;
	return !pf_starts_with(s, "lib");
}

static void rpm_add(struct pf_rellist *l, const char *soname, const char *ver,
		    const char *marker, const char *origin)
{
	char *dep;

	if (rpm_skip_soname(soname))
		return;
	if (ver || marker)
		dep = pf_asprintf("%s(%s)%s", soname, ver ? ver : "", marker ? marker : "");
	else
		dep = pf_strdup(soname);
	pf_rellist_add(l, dep, NULL, origin);
	free(dep);
}

static void rpm_file(const struct pf_depgen *g, const struct pf_elffile *f,
		     struct pf_rellist *req, struct pf_rellist *prov, const char *origin)
{
	const struct pf_elfinfo *in = f->info;
	const char *marker = NULL, *base = NULL;
	bool dso = in->type == ET_DYN;
	bool genreq = !(in->interp && !(f->mode & 0111));

	if (in->type != ET_DYN && in->type != ET_EXEC)
		return;
	if (in->elfclass == ELFCLASS64 && in->machine != EM_ALPHA && in->machine != 0x9026)
		marker = "(64bit)";
	if (genreq) {
		for (size_t i = 0; i < in->needed.nr; i++) {
			const char *so = in->needed.v[i];
			if (!ignored(g, so) && !self_satisfied(g, f, so))
				rpm_add(req, so, NULL, marker, origin);
		}
		for (size_t i = 0; i < in->nr_verneed; i++) {
			const char *so = in->verneed[i].file;
			if (!ignored(g, so) && !self_satisfied(g, f, so))
				rpm_add(req, so, in->verneed[i].version, marker, origin);
		}
		if (in->has_gnu_hash && !in->has_hash)
			pf_rellist_add(req, "rtld(GNU_HASH)", NULL, origin);
	}
	for (size_t i = 0; i < in->nr_verdef; i++) {
		if (in->verdef[i].base)
			base = in->verdef[i].name;
		else if (base)
			rpm_add(prov, base, in->verdef[i].name, marker, origin);
	}
	if (dso && !in->has_debug) {
		const char *so = in->soname;
		if (!so) {
			so = strrchr(f->path, '/');
			so = so ? so + 1 : f->path;
		}
		rpm_add(prov, so, NULL, marker, origin);
	}
}

static int cmp_relent(const void *a, const void *b)
{
	return strcmp(((const struct pf_relent *)a)->text, ((const struct pf_relent *)b)->text);
}

/* ------------------------------------------------------------ deb */

/* One dependency being worked out, keyed as dpkg-shlibdeps keys them:
 * a template piece such as "libc6 #MINVER#". */
struct debdep {
	char *key;
	char *minver;           /* NULL: '' (unversioned so far) */
	const char *origin;
};

struct debdeps {
	struct debdep *v;
	size_t nr, alloc;
};

static struct debdep *debdep_get(struct debdeps *d, const char *key)
{
	for (size_t i = 0; i < d->nr; i++)
		if (!strcmp(d->v[i].key, key))
			return &d->v[i];
	return NULL;
}

/* dpkg-shlibdeps' update_dependency_version() and, with shlibs set, the
 * unconditional '' of a shlibs dependency. */
static void debdep_update(struct debdeps *d, const char *tmpl, const char *minver,
			  bool shlibs, const char *origin)
{
	const char *p = tmpl;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *key;
		struct debdep *dd;

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		key = pf_strndup(p, n);
		while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
			key[--n] = '\0';
		p += n;
		while (*p && *p != ',')
			p++;
		if (*p == ',')
			p++;
		dd = debdep_get(d, key);
		if (!dd) {
			PF_ALLOC_GROW(d->v, d->nr + 1, d->alloc);
			dd = &d->v[d->nr++];
			dd->key = key;
			dd->minver = shlibs || !minver ? NULL : pf_strdup(minver);
			dd->origin = origin;
			continue;
		}
		free(key);
		if (shlibs) {
			free(dd->minver);
			dd->minver = NULL;
		} else if (minver && (!dd->minver || pf_debver_cmp(minver, dd->minver) > 0)) {
			free(dd->minver);
			dd->minver = pf_strdup(minver);
			dd->origin = origin;
		} else if (!dd->minver && !minver) {
			dd->origin = dd->origin ? dd->origin : origin;
		}
	}
}

static void debdeps_release(struct debdeps *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->v[i].key);
		free(d->v[i].minver);
	}
	free(d->v);
}

/* The profile library a symbol resolves to, and what it needs. */
static const struct pf_profver *deb_lookup(const struct pf_proflib *const *libs,
					   const char *const *sonames, size_t n,
					   const struct pf_elfsym *sym,
					   const struct pf_proflib **lib)
{
	const char *node = sym->version ? sym->version : "Base";
	char *key = pf_asprintf("%s@%s", sym->name, node);
	const struct pf_profver *v = NULL;

	/* the library the symbol's version is needed from comes first */
	for (int pass = 0; pass < 2 && !v; pass++) {
		for (size_t i = 0; i < n && !v; i++) {
			bool theone = sym->file && !strcmp(sonames[i], sym->file);
			if (!libs[i] || !libs[i]->symbols || (pass == 0) != theone)
				continue;
			v = pf_proflib_sym(libs[i], key);
			if (!v)
				v = pf_proflib_node(libs[i], node);
			if (v)
				*lib = libs[i];
		}
	}
	free(key);
	return v;
}

static int deb_file(const struct pf_depgen *g, const struct pf_elffile *f,
		    struct debdeps *d, const char *origin, struct pf_err *e)
{
	const struct pf_elfinfo *in = f->info;
	const struct pf_profile *prof = g->profile;
	const struct pf_proflib **libs;
	const char **sonames;
	size_t n = 0;
	int ret = -1;

	if (in->type != ET_DYN && in->type != ET_EXEC)
		return 0;
	libs = pf_calloc(in->needed.nr + 1, sizeof(*libs));
	sonames = pf_calloc(in->needed.nr + 1, sizeof(*sonames));
	for (size_t i = 0; i < in->needed.nr; i++) {
		const char *so = in->needed.v[i];
		const struct pf_proflib *l;
		bool done = false;

		if (ignored(g, so) || self_satisfied(g, f, so))
			continue;
		for (size_t k = 0; k < g->spec->nr_somap && !done; k++) {
			if (!strcmp(g->spec->somap[k].soname, so)) {
				debdep_update(d, g->spec->somap[k].rel, NULL, true, origin);
				done = true;
			}
		}
		if (done)
			continue;
		l = pf_profile_lib(prof, so);
		if (!l) {
			pf_err_set(e, PF_EINVAL,
				   "/%s needs %s, which %s does not list: map it to a package with 'sonames: map', or leave it out with 'sonames: ignore'",
				   f->path, so, prof->name);
			goto out;
		}
		if (l->symbols)
			debdep_update(d, l->depends.v[0], l->smallest, false, origin);
		else
			debdep_update(d, l->depends.v[0], NULL, true, origin);
		libs[n] = l;
		sonames[n++] = so;
	}
	/* a version the profile's library does not have: built for a newer
	 * release, it would not run there */
	for (size_t i = 0; i < in->nr_verneed; i++) {
		const struct pf_elfneed *vn = &in->verneed[i];
		for (size_t k = 0; k < n; k++) {
			if (strcmp(sonames[k], vn->file) || !libs[k]->symbols ||
			    pf_proflib_node(libs[k], vn->version))
				continue;
			pf_err_set(e, PF_EINVAL,
				   "/%s needs version %s of %s, which %s does not have (%s %s)",
				   f->path, vn->version, vn->file, prof->name, libs[k]->package,
				   pf_profile_pkgversion(prof, libs[k]->package) ?
				   pf_profile_pkgversion(prof, libs[k]->package) : "?");
			goto out;
		}
	}
	for (size_t i = 0; i < in->nr_syms; i++) {
		const struct pf_proflib *l = NULL;
		const struct pf_profver *v = deb_lookup(libs, sonames, n, &in->syms[i], &l);
		if (v)
			debdep_update(d, l->depends.v[v->dep], v->minver, false, origin);
	}
	ret = 0;
out:
	free(libs);
	free(sonames);
	return ret;
}

static int relop_rank(const char *op)
{
	static const char *const order[] = { ">=", ">>", "=", "<<", "<=" };

	if (!op)
		return 0;
	for (int i = 0; i < 5; i++)
		if (!strcmp(op, order[i]))
			return i + 1;
	return 6;
}

/* dpkg's deps_compare(): package, relation, version (as strings). */
static int cmp_debrel(const void *pa, const void *pb)
{
	const struct pf_relent *a = pa, *b = pb;
	struct pf_debalt *aa = NULL, *ba = NULL;
	size_t an = 0, bn = 0;
	int res = 0;

	if (pf_debrel_parse(a->text, &aa, &an) < 0 || pf_debrel_parse(b->text, &ba, &bn) < 0) {
		res = strcmp(a->text, b->text);
		goto out;
	}
	for (size_t i = 0; !res; i++) {
		if (i >= an || i >= bn) {
			res = (i < an) - (i < bn);
			break;
		}
		res = strcmp(aa[i].name, ba[i].name);
		if (!res)
			res = relop_rank(aa[i].op) - relop_rank(ba[i].op);
		if (!res)
			res = strcmp(aa[i].version ? aa[i].version : "",
				     ba[i].version ? ba[i].version : "");
	}
out:
	pf_debalts_free(aa, an);
	pf_debalts_free(ba, bn);
	return res;
}

static void deb_render(const struct debdeps *d, struct pf_rellist *out)
{
	size_t first = out->nr;

	for (size_t i = 0; i < d->nr; i++) {
		struct strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
		const char *k = d->v[i].key, *m = strstr(k, "#MINVER#");
		bool space = false;

		if (m) {
			strbuf_add(&sb, k, m - k);
			if (d->v[i].minver)
				strbuf_addf(&sb, "(>= %s)", d->v[i].minver);
			strbuf_addstr(&sb, m + strlen("#MINVER#"));
		} else {
			strbuf_addstr(&sb, k);
		}
		for (const char *p = sb.buf; *p; p++) {
			if (*p == ' ' || *p == '\t') {
				space = clean.len > 0;
				continue;
			}
			if (space)
				strbuf_addch(&clean, ' ');
			space = false;
			strbuf_addch(&clean, *p);
		}
		pf_rellist_add(out, clean.buf, NULL, d->v[i].origin);
		strbuf_release(&sb);
		strbuf_release(&clean);
	}
	if (out->nr > first)
		qsort(out->v + first, out->nr - first, sizeof(*out->v), cmp_debrel);
}

/* ----------------------------------------------------------- driver */

int pf_depgen_run(const struct pf_depgen *g, struct pf_rellist rel[PF_REL_NR][PF_FMT_NR],
		  struct pf_err *e)
{
	struct pf_strlist origins = { NULL, 0, 0 };
	struct debdeps d = { NULL, 0, 0 };
	bool deb = g->want[PF_FMT_DEB] || g->want[PF_FMT_IPK];
	int ret = -1;

	for (size_t i = 0; i < g->nr_elf; i++)
		pf_strlist_add(&origins, pf_asprintf("elf:%s", below_prefix(g, g->elf[i].path)));
	if (g->want[PF_FMT_RPM]) {
		struct pf_rellist *req = &rel[PF_REL_DEPENDS][PF_FMT_RPM];
		struct pf_rellist *prov = &rel[PF_REL_PROVIDES][PF_FMT_RPM];
		size_t r0 = req->nr, p0 = prov->nr;

		for (size_t i = 0; i < g->nr_elf; i++)
			rpm_file(g, &g->elf[i], req, prov, origins.v[i]);
		if (req->nr > r0)
			qsort(req->v + r0, req->nr - r0, sizeof(*req->v), cmp_relent);
		if (prov->nr > p0)
			qsort(prov->v + p0, prov->nr - p0, sizeof(*prov->v), cmp_relent);
	}
	if (deb) {
		if (!g->profile && g->nr_elf) {
			pf_err_set(e, PF_EFAIL, "no profile to derive deb dependencies with");
			goto out;
		}
		for (size_t i = 0; i < g->nr_elf; i++)
			if (deb_file(g, &g->elf[i], &d, origins.v[i], e) < 0)
				goto out;
		for (int f = 0; f < PF_FMT_NR; f++)
			if (f != PF_FMT_RPM && g->want[f])
				deb_render(&d, &rel[PF_REL_DEPENDS][f]);
	}
	ret = 0;
out:
	debdeps_release(&d);
	pf_strlist_release(&origins);
	return ret;
}

/* ------------------------------------------------------------ merge */

/* "name" or "name (>= v)" alone: its name and version (NULL: none). */
static bool simple_ge(const char *text, char **name, char **ver)
{
	struct pf_debalt *a = NULL;
	size_t n = 0;
	bool ok;

	*name = *ver = NULL;
	if (pf_debrel_parse(text, &a, &n) < 0)
		return false;
	ok = n == 1 && !a[0].arch && (!a[0].op || !strcmp(a[0].op, ">="));
	if (ok) {
		*name = a[0].name;
		*ver = a[0].version;
		a[0].name = a[0].version = NULL;
	}
	pf_debalts_free(a, n);
	return ok;
}

void pf_rel_merge(struct pf_rellist *out, const struct pf_rellist *declared,
		  const struct pf_rellist *derived, enum pf_fmt_id f)
{
	for (size_t i = 0; i < declared->nr; i++)
		pf_rellist_add(out, declared->v[i].text, &declared->v[i].loc, declared->v[i].origin);
	for (size_t i = 0; i < derived->nr; i++) {
		const struct pf_relent *r = &derived->v[i];
		char *dn = NULL, *dv = NULL;
		bool merged = false;

		if (f != PF_FMT_RPM && simple_ge(r->text, &dn, &dv)) {
			for (size_t k = 0; k < out->nr && !merged; k++) {
				struct pf_relent *o = &out->v[k];
				char *on, *ov;
				if (!simple_ge(o->text, &on, &ov))
					continue;
				if (!strcmp(on, dn)) {
					merged = true;
					/* the stronger one stays, in the first one's place */
					if (dv && (!ov || pf_debver_cmp(dv, ov) > 0)) {
						free(o->text);
						free(o->origin);
						o->text = pf_strdup(r->text);
						o->origin = pf_strdup(r->origin);
						memset(&o->loc, 0, sizeof(o->loc));
					}
				}
				free(on);
				free(ov);
			}
		}
		free(dn);
		free(dv);
		if (!merged)
			pf_rellist_add(out, r->text, &r->loc, r->origin);
	}
}
