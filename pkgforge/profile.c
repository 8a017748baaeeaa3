// SPDX-License-Identifier: GPL-2.0-or-later
/* Distribution profiles: soname → package data, read from profiles/. */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>

#include "digest.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "profile.h"
#include "util.h"
#include "yaml.h"
#include "banned.h"

/* A profile is some hundred KiB; more is not one. */
#define PROFILE_MAX (64u << 20)

#ifndef PF_DATADIR
#define PF_DATADIR "/usr/local/share/pkgforge"
#endif

/* The directories profiles are looked for in, in order. */
static void profile_dirs(struct pf_strlist *dirs)
{
	const char *env = getenv("PKGFORGE_PROFILES");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		pf_strlist_add(dirs, pf_strdup(env));
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* installed: PREFIX/bin/pkgforge; built: TOP/build/pkgforge */
			pf_strlist_add(dirs, pf_asprintf("%s/../share/pkgforge/profiles", exe));
			pf_strlist_add(dirs, pf_asprintf("%s/../profiles", exe));
		}
	}
	pf_strlist_add(dirs, pf_strdup(PF_DATADIR "/profiles"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A Debian architecture as a file name spells it: "amd64", "arm64". */
static bool arch_word(const char *s, size_t n)
{
	if (!n || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/*
 * Split a directory entry named NAME.ARCH.yaml; false for anything
 * else.  *name and *arch are allocated.
 */
static bool split_entry(const char *entry, char **name, char **arch)
{
	size_t n = strlen(entry);
	const char *dot;

	if (entry[0] == '.' || !pf_ends_with(entry, ".yaml"))
		return false;
	n -= strlen(".yaml");
	dot = memrchr(entry, '.', n);
	if (!dot || dot == entry || !arch_word(dot + 1, n - (size_t)(dot + 1 - entry)))
		return false;
	*name = pf_strndup(entry, (size_t)(dot - entry));
	*arch = pf_strndup(dot + 1, n - (size_t)(dot + 1 - entry));
	return true;
}

/* The architectures dir holds data of profile base for (base NULL: the
 * names of the profiles dir holds), sorted, without repeats. */
static void scan_dir(const char *dir, const char *base, struct pf_strlist *out)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	size_t w = 0;

	if (!dh)
		return;
	while ((de = readdir(dh)) != NULL) {
		char *name, *arch;

		if (!split_entry(de->d_name, &name, &arch))
			continue;
		if (!base) {
			pf_strlist_add(out, name);
			free(arch);
		} else if (!strcmp(name, base)) {
			pf_strlist_add(out, arch);
			free(name);
		} else {
			free(name);
			free(arch);
		}
	}
	closedir(dh);
	if (!out->nr)
		return;
	qsort(out->v, out->nr, sizeof(*out->v), cmp_str);
	for (size_t r = 0; r < out->nr; r++) {
		if (w && !strcmp(out->v[w - 1], out->v[r]))
			free(out->v[r]);
		else
			out->v[w++] = out->v[r];
	}
	out->nr = w;
}

/*
 * Where profile NAME is: one file (a path naming a file), or the files
 * STEM.ARCH.yaml, in the first directory holding any.
 */
struct where {
	char *file;                     /* a path to one file, or NULL */
	char *stem;                     /* "DIR/NAME": the data is STEM.ARCH.yaml */
	struct pf_strlist arches;       /* the ARCHes there are, sorted */
};

static void where_release(struct where *w)
{
	free(w->file);
	free(w->stem);
	pf_strlist_release(&w->arches);
}

/* No profile NAME in dirs (NULL: NAME is a path, to nothing). */
static int unknown(const char *name, const struct pf_strlist *dirs, struct pf_err *e)
{
	struct pf_strlist names = { NULL, 0, 0 };
	struct strbuf known = STRBUF_INIT;

	for (size_t i = 0; dirs && i < dirs->nr && !names.nr; i++)
		scan_dir(dirs->v[i], NULL, &names);
	for (size_t i = 0; i < names.nr; i++)
		strbuf_addf(&known, "%s%s", i ? ", " : "", names.v[i]);
	if (!dirs)
		pf_err_set(e, PF_EINVAL, "unknown profile '%s' (no such file, nor %s.ARCH.yaml)",
			   name, name);
	else
		pf_err_set(e, PF_EINVAL, "unknown profile '%s' (known: %s)", name,
			   names.nr ? known.buf : "none installed");
	pf_strlist_release(&names);
	strbuf_release(&known);
	return -1;
}

static int locate(const char *name, struct where *w, struct pf_err *e)
{
	struct pf_strlist dirs = { NULL, 0, 0 };
	struct stat st;
	int ret = 0;

	memset(w, 0, sizeof(*w));
	if (strchr(name, '/')) {
		const char *slash = strrchr(name, '/');
		char *dir;

		if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
			w->file = pf_strdup(name);
			return 0;
		}
		dir = slash == name ? pf_strdup("/") : pf_strndup(name, (size_t)(slash - name));
		scan_dir(dir, slash + 1, &w->arches);
		free(dir);
		if (!w->arches.nr)
			return unknown(name, NULL, e);
		w->stem = pf_strdup(name);
		return 0;
	}
	profile_dirs(&dirs);
	for (size_t i = 0; i < dirs.nr && !w->arches.nr; i++) {
		scan_dir(dirs.v[i], name, &w->arches);
		if (w->arches.nr)
			w->stem = pf_asprintf("%s/%s", dirs.v[i], name);
	}
	if (!w->arches.nr)
		ret = unknown(name, &dirs, e);
	pf_strlist_release(&dirs);
	return ret;
}

static bool has_arch(const struct where *w, const char *arch)
{
	for (size_t i = 0; i < w->arches.nr; i++)
		if (!strcmp(w->arches.v[i], arch))
			return true;
	return false;
}

static int no_data(const char *name, const char *arch, const struct pf_strlist *has,
		   struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < has->nr; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", has->v[i]);
	pf_err_set(e, PF_EINVAL, "profile '%s' has no data for %s (it has data for %s)",
		   name, arch, sb.buf);
	strbuf_release(&sb);
	return -1;
}

int pf_profile_find(const char *name, const char *arch, char **path, struct pf_err *e)
{
	struct where w;
	int ret = -1;

	*path = NULL;
	if (locate(name, &w, e) < 0)
		goto out;
	if (w.file) {
		*path = w.file;
		w.file = NULL;
	} else if (!arch) {
		*path = pf_asprintf("%s.%s.yaml", w.stem, w.arches.v[0]);
	} else if (has_arch(&w, arch)) {
		*path = pf_asprintf("%s.%s.yaml", w.stem, arch);
	} else {
		no_data(name, arch, &w.arches, e);
		goto out;
	}
	ret = 0;
out:
	where_release(&w);
	return ret;
}

int pf_profile_arches(const char *name, struct pf_strlist *arches, struct pf_err *e)
{
	struct where w;
	int ret = -1;

	if (locate(name, &w, e) < 0)
		goto out;
	if (w.file) {
		/* one file: its data says which architecture it is for */
		struct pf_profile p;
		if (pf_profile_load(&p, name, NULL, e) < 0)
			goto out;
		pf_strlist_add(arches, pf_strdup(p.arch));
		pf_profile_release(&p);
	} else {
		for (size_t i = 0; i < w.arches.nr; i++)
			pf_strlist_add(arches, pf_strdup(w.arches.v[i]));
	}
	ret = 0;
out:
	where_release(&w);
	return ret;
}

/* ------------------------------------------------------------ parsing */

struct pctx {
	struct pf_profile *p;
	struct pf_err *e;
};

static int bad(struct pctx *c, const struct pf_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct pctx *c, const struct pf_ynode *n, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pf_err_at(c->e, PF_EINVAL, &n->loc, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static const char *scalar(struct pctx *c, const struct pf_ynode *n, const char *what)
{
	if (n->type != PF_Y_SCALAR || !n->len) {
		bad(c, n, "%s must be a non-empty string", what);
		return NULL;
	}
	return n->str;
}

/* "MINVER" or "MINVER DEP" */
static int parse_minver(struct pctx *c, const struct pf_ynode *n, const struct pf_proflib *l,
			char **minver, unsigned *dep)
{
	const char *s = scalar(c, n, "a version");
	const char *sp;
	char *end;
	long v = 0;

	if (!s)
		return -1;
	sp = strchr(s, ' ');
	if (sp) {
		v = strtol(sp + 1, &end, 10);
		if (*end || v < 0 || (size_t)v >= l->depends.nr)
			return bad(c, n, "'%s': the dependency index must name one of the %zu 'depends'",
				   s, l->depends.nr);
	}
	*minver = sp ? pf_strndup(s, sp - s) : pf_strdup(s);
	*dep = (unsigned)v;
	return 0;
}

static int parse_lib(struct pctx *c, const struct pf_ynode *key, const struct pf_ynode *val)
{
	struct pf_profile *p = c->p;
	struct pf_proflib *l;
	const struct pf_ynode *n;
	const char *s;

	if (!(s = scalar(c, key, "a soname")))
		return -1;
	if (val->type != PF_Y_MAP)
		return bad(c, val, "library '%s' must be a mapping", s);
	PF_ALLOC_GROW(p->libs, p->nr_libs + 1, p->alloc_libs);
	l = &p->libs[p->nr_libs++];
	memset(l, 0, sizeof(*l));
	l->soname = pf_strdup(s);
	n = pf_ymap_get(val, "package");
	if (!n || !(s = scalar(c, n, "'package'")))
		return n ? -1 : bad(c, val, "library '%s' has no 'package'", l->soname);
	l->package = pf_strdup(s);
	n = pf_ymap_get(val, "depends");
	if (!n || n->type != PF_Y_SEQ || !n->nr)
		return bad(c, n ? n : val, "library '%s' needs a non-empty 'depends' list", l->soname);
	for (size_t i = 0; i < n->nr; i++) {
		if (!(s = scalar(c, n->items[i], "a dependency template")))
			return -1;
		pf_strlist_add(&l->depends, pf_strdup(s));
	}
	n = pf_ymap_get(val, "versions");
	if (n) {
		if (n->type != PF_Y_MAP)
			return bad(c, n, "'versions' must be a mapping of version nodes to versions");
		l->symbols = true;
		for (size_t i = 0; i < pf_ymap_size(n); i++) {
			struct pf_profver v;
			if (!(s = scalar(c, pf_ymap_key(n, i), "a version node")))
				return -1;
			if (parse_minver(c, pf_ymap_val(n, i), l, &v.minver, &v.dep) < 0)
				return -1;
			v.name = pf_strdup(s);
			PF_ALLOC_GROW(l->nodes, l->nr_nodes + 1, l->alloc_nodes);
			l->nodes[l->nr_nodes++] = v;
		}
	}
	n = pf_ymap_get(val, "symbols");
	if (n) {
		if (n->type != PF_Y_MAP || !l->symbols)
			return bad(c, n, "'symbols' must be a mapping of versions to lists of symbols, next to 'versions'");
		for (size_t i = 0; i < pf_ymap_size(n); i++) {
			const struct pf_ynode *list = pf_ymap_val(n, i);
			char *minver;
			unsigned dep;

			if (parse_minver(c, pf_ymap_key(n, i), l, &minver, &dep) < 0)
				return -1;
			if (list->type != PF_Y_SEQ) {
				bad(c, list, "the symbols needing '%s' must be a list", minver);
				free(minver);
				return -1;
			}
			for (size_t j = 0; j < list->nr; j++) {
				struct pf_profver v;
				if (!(s = scalar(c, list->items[j], "a symbol")) || !strchr(s, '@')) {
					free(minver);
					return s ? bad(c, list->items[j], "symbol '%s' must read NAME@VERSION", s) : -1;
				}
				v.name = pf_strdup(s);
				v.minver = pf_strdup(minver);
				v.dep = dep;
				PF_ALLOC_GROW(l->syms, l->nr_syms + 1, l->alloc_syms);
				l->syms[l->nr_syms++] = v;
			}
			free(minver);
		}
	}
	/* dpkg-shlibdeps starts from the smallest version of all symbols;
	 * symbols come in runs needing the same one, compared once */
	for (size_t i = 0; i < l->nr_nodes + l->nr_syms; i++) {
		const struct pf_profver *v = i < l->nr_nodes ? &l->nodes[i] : &l->syms[i - l->nr_nodes];

		if (i > l->nr_nodes && v->dep == v[-1].dep && !strcmp(v->minver, v[-1].minver))
			continue;
		if (v->dep == 0 && (!l->smallest || pf_debver_cmp(v->minver, l->smallest) < 0))
			l->smallest = v->minver;
	}
	return 0;
}

static int profile_parse(struct pctx *c, const struct pf_ynode *root)
{
	struct pf_profile *p = c->p;
	const struct pf_ynode *n;
	const char *s;

	if (root->type != PF_Y_MAP)
		return bad(c, root, "a profile must be a mapping");
	n = pf_ymap_get(root, "arch");
	if (!n || !(s = scalar(c, n, "'arch'")))
		return n ? -1 : bad(c, root, "missing 'arch'");
	p->arch = pf_strdup(s);
	n = pf_ymap_get(root, "packages");
	if (!n || n->type != PF_Y_MAP)
		return bad(c, n ? n : root, "'packages' must be a mapping of package names to versions");
	for (size_t i = 0; i < pf_ymap_size(n); i++) {
		const char *name = scalar(c, pf_ymap_key(n, i), "a package name");
		const char *ver = name ? scalar(c, pf_ymap_val(n, i), "a version") : NULL;
		if (!ver)
			return -1;
		PF_ALLOC_GROW(p->pkgs, p->nr_pkgs + 1, p->alloc_pkgs);
		p->pkgs[p->nr_pkgs].name = pf_strdup(name);
		p->pkgs[p->nr_pkgs].version = pf_strdup(ver);
		p->nr_pkgs++;
	}
	for (size_t i = 0; i < p->nr_pkgs; i++)
		pf_strmap_put(&p->pkgmap, p->pkgs[i].name, i);
	n = pf_ymap_get(root, "libraries");
	if (!n || n->type != PF_Y_MAP)
		return bad(c, n ? n : root, "'libraries' must be a mapping of sonames");
	for (size_t i = 0; i < pf_ymap_size(n); i++)
		if (parse_lib(c, pf_ymap_key(n, i), pf_ymap_val(n, i)) < 0)
			return -1;
	for (size_t i = 0; i < p->nr_libs; i++) {
		/* the base must hold what the data makes packages depend on */
		if (!pf_strmap_get(&p->pkgmap, p->libs[i].package, NULL))
			return pf_err_set(c->e, PF_EINVAL,
					  "%s: library '%s' comes with %s, which 'packages' does not list",
					  p->path, p->libs[i].soname, p->libs[i].package);
		if (pf_strmap_get(&p->libmap, p->libs[i].soname, NULL))
			return pf_err_set(c->e, PF_EINVAL, "%s: library '%s' is listed twice",
					  p->path, p->libs[i].soname);
		pf_strmap_put(&p->libmap, p->libs[i].soname, i);
	}
	return 0;
}

/* ------------------------------------------------- the parsed cache */

/*
 * The cache file: MAGIC, then entries, each the SHA-256 of a profile's
 * YAML (32 bytes), the length of what follows (4) and the profile as
 * parsed; then the CRC-64 (xz's) of everything before it (8), for
 * damage: whoever can write .pkgforge can write the feed.  Integers are
 * little-endian; a string is its length (4) and its bytes.  A profile:
 * arch; packages (count, then name and version each); libraries (count,
 * then soname, package, depends (count, strings), symbols (1 byte),
 * nodes and symbols (count, then name, minver and dep each), and which
 * of them is the smallest (its index among nodes then symbols, or
 * 0xffffffff)).  pkgforge's version is in MAGIC: another's cache is
 * parsed again rather than trusted.
 */
#define CACHE_MAGIC "pkgforge-profiles 2 " PF_VERSION "\n"
#define CACHE_MAX (64u << 20)
#define CACHE_ENTRIES 8
#define NONE 0xffffffffu

static void put_s(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	strbuf_add_le(sb, (uint32_t)n, 4);
	strbuf_add(sb, s, n);
}

static void put_vers(struct strbuf *sb, const struct pf_profver *v, size_t n)
{
	strbuf_add_le(sb, (uint32_t)n, 4);
	for (size_t i = 0; i < n; i++) {
		put_s(sb, v[i].name);
		put_s(sb, v[i].minver);
		strbuf_add_le(sb, v[i].dep, 4);
	}
}

static void serialize(const struct pf_profile *p, struct strbuf *sb)
{
	put_s(sb, p->arch);
	strbuf_add_le(sb, (uint32_t)p->nr_pkgs, 4);
	for (size_t i = 0; i < p->nr_pkgs; i++) {
		put_s(sb, p->pkgs[i].name);
		put_s(sb, p->pkgs[i].version);
	}
	strbuf_add_le(sb, (uint32_t)p->nr_libs, 4);
	for (size_t i = 0; i < p->nr_libs; i++) {
		const struct pf_proflib *l = &p->libs[i];
		uint32_t smallest = NONE;

		put_s(sb, l->soname);
		put_s(sb, l->package);
		strbuf_add_le(sb, (uint32_t)l->depends.nr, 4);
		for (size_t k = 0; k < l->depends.nr; k++)
			put_s(sb, l->depends.v[k]);
		strbuf_addch(sb, l->symbols ? 1 : 0);
		put_vers(sb, l->nodes, l->nr_nodes);
		put_vers(sb, l->syms, l->nr_syms);
		for (size_t k = 0; k < l->nr_nodes + l->nr_syms; k++) {
			const struct pf_profver *v = k < l->nr_nodes ? &l->nodes[k] : &l->syms[k - l->nr_nodes];

			if (v->minver == l->smallest)
				smallest = (uint32_t)k;
		}
		strbuf_add_le(sb, smallest, 4);
	}
}

/* Reading one back: every length against what is left.  The strings go
 * to one arena (a string of n bytes came with 4 of length: the payload's
 * size is room enough). */
struct rd {
	const unsigned char *p, *end;
	bool bad;
	char *arena;
	size_t used, size;
};

static uint32_t get_u32(struct rd *r)
{
	uint32_t v;

	if (r->bad || r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	v = (uint32_t)pf_get_le(r->p, 4);
	r->p += 4;
	return v;
}

/* a count of items at least min bytes each: no more than there is room for */
static size_t get_count(struct rd *r, size_t min)
{
	uint32_t n = get_u32(r);

	if (!r->bad && (size_t)n > (size_t)(r->end - r->p) / min)
		r->bad = true;
	return r->bad ? 0 : n;
}

static char *get_s(struct rd *r)
{
	uint32_t n = get_u32(r);
	char *s;

	if (r->bad || n > (size_t)(r->end - r->p) || memchr(r->p, '\0', n) ||
	    r->size - r->used < (size_t)n + 1) {
		r->bad = true;
		return (char *)"";
	}
	s = r->arena + r->used;
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->used += (size_t)n + 1;
	r->p += n;
	return s;
}

static void get_vers(struct rd *r, const struct pf_proflib *l, struct pf_profver **v, size_t *nr,
		     size_t *alloc)
{
	size_t n = get_count(r, 12);

	*v = pf_calloc(n ? n : 1, sizeof(**v));
	*alloc = n ? n : 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		(*v)[i].name = get_s(r);
		(*v)[i].minver = get_s(r);
		(*v)[i].dep = get_u32(r);
		*nr = i + 1;
		if ((*v)[i].dep >= l->depends.nr)
			r->bad = true;
	}
}

static int deserialize(struct pf_profile *p, const unsigned char *buf, size_t len)
{
	struct rd r = { buf, buf + len, false, NULL, 0, len };
	size_t n;

	p->arena = r.arena = pf_malloc(len ? len : 1);
	p->arch = get_s(&r);
	n = get_count(&r, 8);
	p->pkgs = pf_calloc(n ? n : 1, sizeof(*p->pkgs));
	p->alloc_pkgs = n ? n : 1;
	for (size_t i = 0; i < n && !r.bad; i++) {
		p->pkgs[i].name = get_s(&r);
		p->pkgs[i].version = get_s(&r);
		p->nr_pkgs = i + 1;
		pf_strmap_put(&p->pkgmap, p->pkgs[i].name, i);
	}
	n = get_count(&r, 21);
	p->libs = pf_calloc(n ? n : 1, sizeof(*p->libs));
	p->alloc_libs = n ? n : 1;
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct pf_proflib *l = &p->libs[i];
		size_t nd;
		uint32_t smallest;

		p->nr_libs = i + 1;
		l->soname = get_s(&r);
		l->package = get_s(&r);
		nd = get_count(&r, 4);
		for (size_t k = 0; k < nd && !r.bad; k++)
			pf_strlist_add(&l->depends, get_s(&r));
		if (r.bad || r.p >= r.end || *r.p > 1) {
			r.bad = true;
			break;
		}
		l->symbols = *r.p++ == 1;
		get_vers(&r, l, &l->nodes, &l->nr_nodes, &l->alloc_nodes);
		get_vers(&r, l, &l->syms, &l->nr_syms, &l->alloc_syms);
		smallest = get_u32(&r);
		if (r.bad || (smallest != NONE && smallest >= l->nr_nodes + l->nr_syms)) {
			r.bad = true;
			break;
		}
		if (smallest != NONE)
			l->smallest = smallest < l->nr_nodes ? l->nodes[smallest].minver :
							      l->syms[smallest - l->nr_nodes].minver;
		if (pf_strmap_get(&p->libmap, l->soname, NULL)) {
			r.bad = true;
			break;
		}
		pf_strmap_put(&p->libmap, l->soname, i);
	}
	return r.bad || r.p != r.end ? -1 : 0;
}

/* The entries of a cache file that checks out (borrowed from buf), or
 * none. */
struct centry {
	const unsigned char *sha, *data;
	size_t len;
};

static size_t cache_entries(const struct pf_map *buf, struct centry *v, size_t max)
{
	const unsigned char *p = (const unsigned char *)buf->buf, *end;
	size_t n = 0, m = strlen(CACHE_MAGIC);

	if (buf->len < m + 8 || memcmp(p, CACHE_MAGIC, m))
		return 0;
	end = p + buf->len - 8;
	if (lzma_crc64(p, buf->len - 8, 0) != pf_get_le(end, 8))
		return 0;
	for (p += m; p < end && n < max; n++) {
		struct rd r = { p + 32, end, false, NULL, 0, 0 };
		uint32_t len;

		if (end - p < 36)
			return 0;
		len = get_u32(&r);
		if ((size_t)(end - r.p) < len)
			return 0;
		v[n] = (struct centry){ p, r.p, len };
		p = r.p + len;
	}
	return p == end ? n : 0;
}

/* Fill p's data (not its name, path and digest) from the cache's
 * entry for dg; false if it has none that makes sense (p as it was). */
static bool cache_get(const char *cache, const unsigned char *dg, struct pf_profile *p)
{
	struct pf_map buf = { NULL, 0 };
	struct pf_err ignore = PF_ERR_INIT;
	struct centry v[CACHE_ENTRIES];
	size_t n = 0;
	bool hit = false;

	if (pf_map_file(cache, CACHE_MAX, &buf, &ignore) == 0)
		n = cache_entries(&buf, v, CACHE_ENTRIES);
	for (size_t i = 0; i < n && !hit; i++) {
		struct pf_profile got;

		if (memcmp(v[i].sha, dg, 32))
			continue;
		memset(&got, 0, sizeof(got));
		hit = deserialize(&got, v[i].data, v[i].len) == 0;
		if (hit) {
			got.name = p->name;
			got.path = p->path;
			memcpy(got.sha256, p->sha256, sizeof(got.sha256));
			*p = got;
		} else {
			pf_profile_release(&got);
		}
	}
	pf_err_release(&ignore);
	pf_unmap(&buf);
	return hit;
}

/* Add p (parsed from YAML whose digest is dg) in front of the cache's
 * entries, the oldest dropped past CACHE_ENTRIES; a failure only
 * leaves the cache as it was. */
static void cache_put(const char *cache, const unsigned char *dg, const struct pf_profile *p)
{
	struct strbuf out = STRBUF_INIT, one = STRBUF_INIT;
	struct pf_map old = { NULL, 0 };
	struct pf_err ignore = PF_ERR_INIT;
	struct centry v[CACHE_ENTRIES];
	size_t n = 0, kept = 1;

	if (pf_map_file(cache, CACHE_MAX, &old, &ignore) == 0)
		n = cache_entries(&old, v, CACHE_ENTRIES);
	pf_err_release(&ignore);
	serialize(p, &one);
	strbuf_addstr(&out, CACHE_MAGIC);
	strbuf_add(&out, dg, 32);
	strbuf_add_le(&out, (uint32_t)one.len, 4);
	strbuf_add(&out, one.buf, one.len);
	for (size_t i = 0; i < n && kept < CACHE_ENTRIES; i++) {
		if (!memcmp(v[i].sha, dg, 32))
			continue;
		strbuf_add(&out, v[i].sha, 32);
		strbuf_add_le(&out, (uint32_t)v[i].len, 4);
		strbuf_add(&out, v[i].data, v[i].len);
		kept++;
	}
	strbuf_add_le(&out, lzma_crc64((const uint8_t *)out.buf, out.len, 0), 8);
	pf_ofile_put_nosync(cache, out.buf, out.len, &ignore);
	pf_err_release(&ignore);
	strbuf_release(&one);
	strbuf_release(&out);
	pf_unmap(&old);
}

int pf_profile_load(struct pf_profile *p, const char *name, const char *arch,
		     struct pf_err *e)
{
	return pf_profile_load_cached(p, name, arch, NULL, e);
}

int pf_profile_load_cached(struct pf_profile *p, const char *name, const char *arch,
			   const char *cache, struct pf_err *e)
{
	struct pf_ydoc doc = { NULL, NULL };
	struct pf_diag d = PF_DIAG_INIT;
	struct pctx c = { p, e };
	struct strbuf text = STRBUF_INIT;
	unsigned char dg[32];
	char *fname = NULL, *farch = NULL;
	const char *base;
	bool onefile, named;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (pf_profile_find(name, arch, &p->path, e) < 0)
		goto out;
	base = strrchr(p->path, '/');
	base = base ? base + 1 : p->path;
	/* a path naming one file: the data says which architecture it is
	 * for; otherwise the file was chosen by its name, NAME.ARCH.yaml */
	onefile = strchr(name, '/') && !strcmp(name, p->path);
	named = split_entry(base, &fname, &farch);
	/* the digest is of the very bytes parsed (the payload cache's key) */
	if (pf_read_file(p->path, PROFILE_MAX, &text, e) < 0) {
		pf_err_prefix(e, "profile '%s'", name);
		goto out;
	}
	pf_digest_buf(PF_SHA256, text.buf, text.len, dg);
	pf_hex(p->sha256, dg, sizeof(dg));
	if (!cache || !cache_get(cache, dg, p)) {
		if (pf_yaml_load(&doc, p->path, text.buf, text.len, &d) < 0) {
			pf_err_set(e, PF_EINVAL, "%s", d.nr ? d.lines[0] : "cannot read the profile");
			goto out;
		}
		ret = profile_parse(&c, doc.root);
		if (ret < 0 && e->loc.len) {
			/* the location points into doc, which goes away: keep it as text */
			strbuf_insert(&e->msg, 0, ": ", 2);
			strbuf_insert(&e->msg, 0, e->loc.buf, e->loc.len);
			strbuf_reset(&e->loc);
		}
		if (ret < 0)
			goto out;
		ret = -1;
		if (cache)
			cache_put(cache, dg, p);
	}
	if (onefile && arch && strcmp(p->arch, arch)) {
		struct pf_strlist has = { NULL, 0, 0 };
		pf_strlist_add(&has, pf_strdup(p->arch));
		no_data(name, arch, &has, e);
		pf_strlist_release(&has);
		goto out;
	}
	if (!onefile && named && strcmp(p->arch, farch)) {
		pf_err_set(e, PF_EINVAL, "%s: the data is for %s, but the file name says %s",
			   p->path, p->arch, farch);
		goto out;
	}
	/* debian-12.arm64.yaml holds profile debian-12 */
	if (named && !strcmp(p->arch, farch))
		p->name = pf_strdup(fname);
	else
		p->name = pf_strndup(base, pf_ends_with(base, ".yaml") ? strlen(base) - 5 : strlen(base));
	ret = 0;
out:
	pf_ydoc_release(&doc);
	pf_diag_release(&d);
	strbuf_release(&text);
	free(fname);
	free(farch);
	if (ret < 0)
		pf_profile_release(p);
	return ret;
}

void pf_profile_release(struct pf_profile *p)
{
	bool own = !p->arena;           /* else the strings are the arena's */

	free(p->name);
	free(p->path);
	if (own)
		free(p->arch);
	for (size_t i = 0; own && i < p->nr_pkgs; i++) {
		free(p->pkgs[i].name);
		free(p->pkgs[i].version);
	}
	free(p->pkgs);
	pf_strmap_release(&p->pkgmap);
	for (size_t i = 0; i < p->nr_libs; i++) {
		struct pf_proflib *l = &p->libs[i];

		if (own) {
			free(l->soname);
			free(l->package);
			pf_strlist_release(&l->depends);
		} else {
			free(l->depends.v);
		}
		for (size_t k = 0; own && k < l->nr_nodes; k++) {
			free(l->nodes[k].name);
			free(l->nodes[k].minver);
		}
		free(l->nodes);
		for (size_t k = 0; own && k < l->nr_syms; k++) {
			free(l->syms[k].name);
			free(l->syms[k].minver);
		}
		free(l->syms);
		pf_strmap_release(&l->symmap);
	}
	free(p->libs);
	pf_strmap_release(&p->libmap);
	free(p->arena);
	memset(p, 0, sizeof(*p));
}

const struct pf_proflib *pf_profile_lib(const struct pf_profile *p, const char *soname)
{
	size_t i;

	return pf_strmap_get(&p->libmap, soname, &i) ? &p->libs[i] : NULL;
}

const struct pf_profver *pf_proflib_node(const struct pf_proflib *l, const char *node)
{
	for (size_t i = 0; i < l->nr_nodes; i++)
		if (!strcmp(l->nodes[i].name, node))
			return &l->nodes[i];
	return NULL;
}

/*
 * The symbols' map is made at the first lookup: thousands of entries a
 * profile, which the check of an index never looks up (it took about a
 * millisecond of every index run to make them all).  The profile is
 * const to its users; the map is its own business, made once under a
 * lock (the builds' threads share profiles).
 */
static pthread_mutex_t symmap_lock = PTHREAD_MUTEX_INITIALIZER;

const struct pf_profver *pf_proflib_sym(const struct pf_proflib *cl, const char *symver)
{
	struct pf_proflib *l = (struct pf_proflib *)cl;
	size_t i;

	if (!atomic_load_explicit(&l->symmap_made, memory_order_acquire)) {
		pthread_mutex_lock(&symmap_lock);
		if (!atomic_load_explicit(&l->symmap_made, memory_order_relaxed)) {
			pf_strmap_reserve(&l->symmap, l->nr_syms);
			for (size_t k = 0; k < l->nr_syms; k++)
				pf_strmap_put(&l->symmap, l->syms[k].name, k);
			atomic_store_explicit(&l->symmap_made, true, memory_order_release);
		}
		pthread_mutex_unlock(&symmap_lock);
	}
	return pf_strmap_get(&l->symmap, symver, &i) ? &l->syms[i] : NULL;
}

const char *pf_profile_pkgversion(const struct pf_profile *p, const char *name)
{
	size_t i;

	return pf_strmap_get(&p->pkgmap, name, &i) ? p->pkgs[i].version : NULL;
}

bool pf_profiles_take(struct pf_profiles *from, const char *name, const char *arch,
		      struct pf_profiles *to)
{
	for (size_t i = 0; i < from->nr; i++) {
		if (strcmp(from->v[i].name, name) || strcmp(from->v[i].arch, arch))
			continue;
		PF_ALLOC_GROW(to->v, to->nr + 1, to->alloc);
		to->v[to->nr++] = from->v[i];
		memmove(&from->v[i], &from->v[i + 1], (from->nr - i - 1) * sizeof(*from->v));
		from->nr--;
		return true;
	}
	return false;
}

int pf_profiles_get(struct pf_profiles *ps, const char *name, const char *arch,
		    const struct pf_profile **out, struct pf_err *e)
{
	struct pf_profent *ent;
	struct pf_profile *p;

	for (size_t i = 0; i < ps->nr; i++) {
		if (!strcmp(ps->v[i].name, name) && !strcmp(ps->v[i].arch, arch)) {
			*out = ps->v[i].p;
			return 0;
		}
	}
	p = pf_calloc(1, sizeof(*p));
	if (pf_profile_load_cached(p, name, arch, ps->cache, e) < 0) {
		free(p);
		return -1;
	}
	PF_ALLOC_GROW(ps->v, ps->nr + 1, ps->alloc);
	ent = &ps->v[ps->nr++];
	ent->name = pf_strdup(name);
	ent->arch = pf_strdup(arch);
	ent->p = p;
	*out = p;
	return 0;
}

void pf_profiles_release(struct pf_profiles *ps)
{
	for (size_t i = 0; i < ps->nr; i++) {
		free(ps->v[i].name);
		free(ps->v[i].arch);
		pf_profile_release(ps->v[i].p);
		free(ps->v[i].p);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
