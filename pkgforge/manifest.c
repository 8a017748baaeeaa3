// SPDX-License-Identifier: GPL-2.0-or-later
/* Manifest structure: keys, types, required values, duplicates. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest.h"
#include "sign.h"
#include "util.h"
#include "banned.h"

const char *const pf_rel_key[PF_REL_NR] = {
	"depends", "recommends", "suggests", "provides", "conflicts", "replaces",
};
const char *const pf_fmt_key[PF_FMT_NR] = { "deb", "rpm", "ipk" };

static const char *const top_keys[] = {
	"package", "summary", "description", "homepage", "license",
	"maintainer", "section", "priority", "group", "prefix", "release",
	"epoch", "hosts", "vars", "source", "files", "depends", "recommends",
	"suggests", "provides", "conflicts", "replaces", "versions",
	"variants", "alternatives", "metapackage", "profile", "sonames", NULL,
};
static const char *const alt_keys[] = { "name", "link", "path", "priority", NULL };
static const char *const meta_keys[] = { "package", "summary", "description", NULL };
static const char *const sonames_keys[] = { "map", "ignore", NULL };
static const char *const source_keys[] = {
	"url", "mirrors", "checksums", "signature", NULL,
};
static const char *const signed_keys[] = { "url", "signers", NULL };
static const char *const files_keys[] = {
	"strip", "include", "exclude", "allow-external-links", "foreign-elf", NULL,
};
static const char *const version_keys[] = {
	"version", "release", "epoch", "url", "hosts", "variants", "vars", "sha256", NULL,
};
static const char *const rel_keys[] = { "all", "deb", "rpm", "ipk", NULL };

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row, best;

	if (la > 64 || lb > 64)
		return 99;
	row = pf_calloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

/* Report keys of map that are not in allowed (and duplicate keys). */
static void check_keys(const struct pf_ynode *map, const char *const *allowed,
		       const char *where, struct pf_diag *d)
{
	for (size_t i = 0; i < pf_ymap_size(map); i++) {
		const struct pf_ynode *k = pf_ymap_key(map, i);
		const char *best = NULL;
		size_t bestd = 3;
		bool ok = false;

		if (k->type != PF_Y_SCALAR) {
			pf_diag_error(d, &k->loc, "keys must be plain strings");
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const struct pf_ynode *o = pf_ymap_key(map, j);
			if (o->type == PF_Y_SCALAR && !strcmp(o->str, k->str)) {
				pf_diag_error(d, &k->loc,
					      "duplicate key '%s' (first at line %d)",
					      k->str, o->loc.line);
				break;
			}
		}
		for (const char *const *a = allowed; *a; a++) {
			size_t dist;
			if (!strcmp(*a, k->str)) {
				ok = true;
				break;
			}
			dist = edit_distance(*a, k->str);
			if (dist < bestd) {
				bestd = dist;
				best = *a;
			}
		}
		if (ok)
			continue;
		if (best)
			pf_diag_error(d, &k->loc, "unknown key '%s'%s%s (did you mean '%s'?)",
				      k->str, where ? " in " : "", where ? where : "", best);
		else
			pf_diag_error(d, &k->loc, "unknown key '%s'%s%s", k->str,
				      where ? " in " : "", where ? where : "");
	}
}

static bool is_null(const struct pf_ynode *n)
{
	return n->type == PF_Y_SCALAR && n->plain &&
	       (!n->len || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

static bool is_bool(const struct pf_ynode *n)
{
	static const char *const words[] = {
		"true", "false", "True", "False", "TRUE", "FALSE",
		"yes", "no", "Yes", "No", "YES", "NO", "on", "off", "On", "Off",
	};
	if (n->type != PF_Y_SCALAR || !n->plain)
		return false;
	for (size_t i = 0; i < PF_ARRAY_SIZE(words); i++)
		if (!strcmp(n->str, words[i]))
			return true;
	return false;
}

/* A scalar string value; "what" names it in messages. */
static int take_str(const struct pf_ynode *n, const char *what,
		    struct pf_mstr *out, struct pf_diag *d)
{
	if (n->type != PF_Y_SCALAR) {
		pf_diag_error(d, &n->loc, "'%s' must be a string, not %s", what,
			      pf_ytype_name(n));
		return -1;
	}
	if (is_null(n)) {
		pf_diag_error(d, &n->loc, "'%s' has no value", what);
		return -1;
	}
	if (is_bool(n)) {
		pf_diag_error(d, &n->loc,
			      "'%s' must be a string, not the boolean '%s' (quote it if you mean the text)",
			      what, n->str);
		return -1;
	}
	if (memchr(n->str, '\0', n->len)) {
		pf_diag_error(d, &n->loc, "'%s' contains a NUL character", what);
		return -1;
	}
	out->s = n->str;
	out->loc = n->loc;
	return 0;
}

static int get_str(const struct pf_ynode *map, const char *key, bool required,
		   struct pf_mstr *out, struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(map, key);

	if (!n) {
		if (required)
			pf_diag_error(d, &map->loc, "missing required key '%s'", key);
		return required ? -1 : 0;
	}
	return take_str(n, key, out, d);
}

static int take_list(const struct pf_ynode *n, const char *what,
		     struct pf_mlist *out, struct pf_diag *d)
{
	int ret = 0;

	if (n->type != PF_Y_SEQ) {
		pf_diag_error(d, &n->loc, "'%s' must be a list, not %s", what,
			      pf_ytype_name(n));
		return -1;
	}
	for (size_t i = 0; i < n->nr; i++) {
		struct pf_mstr s = { NULL, { NULL, 0, 0 } };
		if (take_str(n->items[i], what, &s, d) < 0) {
			ret = -1;
			continue;
		}
		PF_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr++] = s;
	}
	return ret;
}

static int get_list(const struct pf_ynode *map, const char *key, bool required,
		    struct pf_mlist *out, struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(map, key);

	if (!n) {
		if (required)
			pf_diag_error(d, &map->loc, "missing required key '%s'", key);
		return required ? -1 : 0;
	}
	if (take_list(n, key, out, d) < 0)
		return -1;
	if (required && !out->nr) {
		pf_diag_error(d, &n->loc, "'%s' must not be empty", key);
		return -1;
	}
	return 0;
}

static const struct pf_ynode *get_map(const struct pf_ynode *map, const char *key,
				      bool required, struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(map, key);

	if (!n) {
		if (required)
			pf_diag_error(d, &map->loc, "missing required key '%s'", key);
		return NULL;
	}
	if (n->type != PF_Y_MAP) {
		pf_diag_error(d, &n->loc, "'%s' must be a mapping, not %s", key,
			      pf_ytype_name(n));
		return NULL;
	}
	return n;
}

static bool var_name_ok(const char *s)
{
	if (!(islower((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static void load_vars(const struct pf_ynode *map, struct pf_mvars *out,
		      struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(map, "vars", false, d);

	if (!n)
		return;
	for (size_t i = 0; i < pf_ymap_size(n); i++) {
		const struct pf_ynode *k = pf_ymap_key(n, i);
		struct pf_mvar v = { { NULL, { NULL, 0, 0 } }, { NULL, { NULL, 0, 0 } } };

		if (k->type != PF_Y_SCALAR || !var_name_ok(k->str)) {
			pf_diag_error(d, &k->loc,
				      "variable names are lower case letters, digits and '_', starting with a letter or '_'");
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pf_ymap_key(n, j)->str, k->str))
				pf_diag_error(d, &k->loc, "duplicate variable '%s'", k->str);
		v.name.s = k->str;
		v.name.loc = k->loc;
		if (take_str(pf_ymap_val(n, i), k->str, &v.value, d) < 0)
			continue;
		PF_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr++] = v;
	}
}

static void load_rel(const struct pf_ynode *root, enum pf_rel_kind kind,
		     struct pf_mrel *out, struct pf_diag *d)
{
	const char *key = pf_rel_key[kind];
	const struct pf_ynode *n = pf_ymap_get(root, key);

	if (!n)
		return;
	if (n->type == PF_Y_SEQ) {
		take_list(n, key, &out->all, d);
		return;
	}
	if (n->type != PF_Y_MAP) {
		pf_diag_error(d, &n->loc,
			      "'%s' must be a list, or a mapping of 'all', 'deb', 'rpm', 'ipk' to lists",
			      key);
		return;
	}
	check_keys(n, rel_keys, key, d);
	get_list(n, "all", false, &out->all, d);
	for (int f = 0; f < PF_FMT_NR; f++)
		get_list(n, pf_fmt_key[f], false, &out->fmt[f], d);
}

/* A soname as it appears in DT_NEEDED: no '/', no blanks, holds ".so". */
static bool soname_ok(const char *s, bool glob)
{
	if (!*s || strchr(s, '/') || !pf_utf8_clean(s, strlen(s)) || strpbrk(s, " \t"))
		return false;
	return glob || strstr(s, ".so");
}

static void load_sonames(struct pf_manifest *m, const struct pf_ynode *root,
			 struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(root, "sonames", false, d);
	const struct pf_ynode *map;

	if (!n)
		return;
	m->sonames.loc = n->loc;
	check_keys(n, sonames_keys, "sonames", d);
	map = get_map(n, "map", false, d);
	for (size_t i = 0; map && i < pf_ymap_size(map); i++) {
		const struct pf_ynode *k = pf_ymap_key(map, i);
		struct pf_mvar v;

		memset(&v, 0, sizeof(v));
		if (take_str(k, "soname", &v.name, d) < 0)
			continue;
		if (!soname_ok(k->str, false)) {
			pf_diag_error(d, &k->loc,
				      "'%s' is not a soname (a file name holding '.so', like libfoo.so.1)",
				      k->str);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pf_ymap_key(map, j)->str, k->str))
				pf_diag_error(d, &k->loc, "duplicate soname '%s' (first at line %d)",
					      k->str, pf_ymap_key(map, j)->loc.line);
		if (take_str(pf_ymap_val(map, i), k->str, &v.value, d) < 0)
			continue;
		PF_ALLOC_GROW(m->sonames.map.v, m->sonames.map.nr + 1, m->sonames.map.alloc);
		m->sonames.map.v[m->sonames.map.nr++] = v;
	}
	get_list(n, "ignore", false, &m->sonames.ignore, d);
	for (size_t i = 0; i < m->sonames.ignore.nr; i++) {
		const struct pf_mstr *g = &m->sonames.ignore.v[i];
		if (!soname_ok(g->s, true))
			pf_diag_error(d, &g->loc,
				      "'%s' is not a soname pattern (no '/', no blanks)", g->s);
		for (size_t k = 0; k < m->sonames.map.nr; k++)
			if (!strcmp(m->sonames.map.v[k].name.s, g->s))
				pf_diag_error(d, &g->loc,
					      "soname '%s' is both mapped (line %d) and ignored",
					      g->s, m->sonames.map.v[k].name.loc.line);
	}
}

static bool hex_ok(const char *s, struct pf_loc *loc, struct pf_diag *d)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			struct pf_loc at = *loc;
			if (at.col)
				at.col += (int)i;
			pf_diag_error(d, &at, "sha256 has a non-hexadecimal character '%c'",
				      isprint((unsigned char)s[i]) ? s[i] : '?');
			return false;
		}
	}
	if (n != 64) {
		pf_diag_error(d, loc, "sha256 must be 64 hexadecimal digits, not %zu", n);
		return false;
	}
	return true;
}

static void load_sha(const struct pf_ynode *vmap, struct pf_mversion *v,
		     struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(vmap, "sha256", false, d);

	if (!n)
		return;
	for (size_t i = 0; i < pf_ymap_size(n); i++) {
		const struct pf_ynode *k = pf_ymap_key(n, i);
		struct pf_msha sha;

		memset(&sha, 0, sizeof(sha));
		if (take_str(k, "sha256 key", &sha.key, d) < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pf_ymap_key(n, j)->str, k->str))
				pf_diag_error(d, &k->loc,
					      "duplicate sha256 for '%s' (first at line %d)",
					      k->str, pf_ymap_key(n, j)->loc.line);
		if (take_str(pf_ymap_val(n, i), "sha256", &sha.hex, d) < 0)
			continue;
		if (!hex_ok(sha.hex.s, &sha.hex.loc, d))
			continue;
		PF_ALLOC_GROW(v->sha, v->sha_nr + 1, v->sha_alloc);
		v->sha[v->sha_nr++] = sha;
	}
}

static void mlist_release(struct pf_mlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* versions[].variants: a list (every host), or a mapping host -> list. */
static void load_version_variants(const struct pf_ynode *vm, struct pf_mversion *v,
				  struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(vm, "variants");

	if (!n || n->type != PF_Y_MAP) {
		get_list(vm, "variants", false, &v->variants, d);
		return;
	}
	if (!pf_ymap_size(n)) {
		pf_diag_error(d, &n->loc, "'variants' must not be empty");
		return;
	}
	for (size_t i = 0; i < pf_ymap_size(n); i++) {
		const struct pf_ynode *k = pf_ymap_key(n, i);
		struct pf_mhostvar hv;

		memset(&hv, 0, sizeof(hv));
		if (take_str(k, "variants key", &hv.host, d) < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pf_ymap_key(n, j)->str, k->str))
				pf_diag_error(d, &k->loc,
					      "duplicate variants for host '%s' (first at line %d)",
					      k->str, pf_ymap_key(n, j)->loc.line);
		if (take_list(pf_ymap_val(n, i), "variants", &hv.variants, d) < 0) {
			mlist_release(&hv.variants);
			continue;
		}
		PF_ALLOC_GROW(v->host_variants, v->nr_host_variants + 1, v->alloc_host_variants);
		v->host_variants[v->nr_host_variants++] = hv;
	}
}

static void load_versions(struct pf_manifest *m, const struct pf_ynode *root,
			  struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(root, "versions");

	if (!n) {
		pf_diag_error(d, &root->loc, "missing required key 'versions'");
		return;
	}
	if (n->type != PF_Y_SEQ) {
		pf_diag_error(d, &n->loc, "'versions' must be a list, not %s",
			      pf_ytype_name(n));
		return;
	}
	if (!n->nr) {
		pf_diag_error(d, &n->loc, "'versions' must not be empty");
		return;
	}
	for (size_t i = 0; i < n->nr; i++) {
		const struct pf_ynode *vm = n->items[i];
		struct pf_mversion *v;

		if (vm->type != PF_Y_MAP) {
			pf_diag_error(d, &vm->loc,
				      "each entry of 'versions' must be a mapping, not %s",
				      pf_ytype_name(vm));
			continue;
		}
		PF_ALLOC_GROW(m->versions, m->nr_versions + 1, m->alloc_versions);
		v = &m->versions[m->nr_versions++];
		memset(v, 0, sizeof(*v));
		v->loc = vm->loc;
		check_keys(vm, version_keys, "a version", d);
		get_str(vm, "version", true, &v->version, d);
		get_str(vm, "release", false, &v->release, d);
		get_str(vm, "epoch", false, &v->epoch, d);
		get_str(vm, "url", false, &v->url, d);
		get_list(vm, "hosts", false, &v->hosts, d);
		load_version_variants(vm, v, d);
		load_vars(vm, &v->vars, d);
		load_sha(vm, v, d);
		if (!v->version.s)
			continue;
		for (size_t j = 0; j + 1 < m->nr_versions; j++) {
			const struct pf_mversion *o = &m->versions[j];
			if (o->version.s && !strcmp(o->version.s, v->version.s)) {
				pf_diag_error(d, &v->version.loc,
					      "duplicate version '%s' (first at line %d)",
					      v->version.s, o->version.loc.line);
				break;
			}
		}
	}
}

/* variants: a list of mappings, each with a 'name' and variables */
static void load_variants(struct pf_manifest *m, const struct pf_ynode *root,
			  struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(root, "variants");

	if (!n)
		return;
	if (n->type != PF_Y_SEQ || !n->nr) {
		pf_diag_error(d, &n->loc, "'variants' must be a non-empty list of mappings");
		return;
	}
	for (size_t i = 0; i < n->nr; i++) {
		const struct pf_ynode *vm = n->items[i];
		struct pf_mvariant *v;

		if (vm->type != PF_Y_MAP) {
			pf_diag_error(d, &vm->loc, "each variant must be a mapping, not %s",
				      pf_ytype_name(vm));
			continue;
		}
		PF_ALLOC_GROW(m->variants, m->nr_variants + 1, m->alloc_variants);
		v = &m->variants[m->nr_variants++];
		memset(v, 0, sizeof(*v));
		v->loc = vm->loc;
		if (get_str(vm, "name", true, &v->name, d) < 0)
			continue;
		for (size_t j = 0; j + 1 < m->nr_variants; j++) {
			if (m->variants[j].name.s && !strcmp(m->variants[j].name.s, v->name.s)) {
				pf_diag_error(d, &v->name.loc, "duplicate variant '%s' (first at line %d)",
					      v->name.s, m->variants[j].name.loc.line);
				break;
			}
		}
		for (size_t k = 0; k < pf_ymap_size(vm); k++) {
			const struct pf_ynode *key = pf_ymap_key(vm, k);
			struct pf_mvar var;

			memset(&var, 0, sizeof(var));
			if (key->type != PF_Y_SCALAR || !strcmp(key->str, "name"))
				continue;
			if (!var_name_ok(key->str)) {
				pf_diag_error(d, &key->loc,
					      "variable names are lower case letters, digits and '_', starting with a letter or '_'");
				continue;
			}
			var.name.s = key->str;
			var.name.loc = key->loc;
			if (take_str(pf_ymap_val(vm, k), key->str, &var.value, d) < 0)
				continue;
			PF_ALLOC_GROW(v->vars.v, v->vars.nr + 1, v->vars.alloc);
			v->vars.v[v->vars.nr++] = var;
		}
	}
}

static void load_alternatives(struct pf_manifest *m, const struct pf_ynode *root,
			      struct pf_diag *d)
{
	const struct pf_ynode *n = pf_ymap_get(root, "alternatives");

	if (!n)
		return;
	if (n->type != PF_Y_SEQ) {
		pf_diag_error(d, &n->loc, "'alternatives' must be a list, not %s", pf_ytype_name(n));
		return;
	}
	for (size_t i = 0; i < n->nr; i++) {
		const struct pf_ynode *am = n->items[i];
		struct pf_malt *a;

		if (am->type != PF_Y_MAP) {
			pf_diag_error(d, &am->loc, "each alternative must be a mapping, not %s",
				      pf_ytype_name(am));
			continue;
		}
		PF_ALLOC_GROW(m->alts, m->nr_alts + 1, m->alloc_alts);
		a = &m->alts[m->nr_alts++];
		memset(a, 0, sizeof(*a));
		a->loc = am->loc;
		check_keys(am, alt_keys, "an alternative", d);
		get_str(am, "name", true, &a->name, d);
		get_str(am, "link", true, &a->link, d);
		get_str(am, "path", true, &a->path, d);
		get_str(am, "priority", true, &a->priority, d);
	}
}

static void load_meta(struct pf_manifest *m, const struct pf_ynode *root,
		      struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(root, "metapackage", false, d);

	if (!n)
		return;
	m->meta.present = true;
	m->meta.loc = n->loc;
	check_keys(n, meta_keys, "metapackage", d);
	get_str(n, "package", true, &m->meta.package, d);
	get_str(n, "summary", true, &m->meta.summary, d);
	get_str(n, "description", true, &m->meta.description, d);
}

/* source.checksums and source.signature: {url: TEMPLATE, signers: [FPR...]} */
static void load_signed(const struct pf_ynode *src, const char *key,
			struct pf_msigned *out, struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(src, key, false, d);
	char *where;

	if (!n)
		return;
	out->set = true;
	out->loc = n->loc;
	where = pf_asprintf("source.%s", key);
	check_keys(n, signed_keys, where, d);
	free(where);
	get_str(n, "url", true, &out->url, d);
	if (get_list(n, "signers", true, &out->signers, d) < 0)
		return;
	for (size_t i = 0; i < out->signers.nr; i++) {
		const struct pf_mstr *f = &out->signers.v[i];

		if (!pf_pgp_fpr_ok(f->s)) {
			pf_diag_error(d, &f->loc,
				      "signer '%s' is not an OpenPGP fingerprint: write the key's 40 hexadecimal digits, without spaces",
				      f->s);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcasecmp(out->signers.v[j].s, f->s)) {
				pf_diag_error(d, &f->loc, "duplicate signer '%s' (first at line %d)",
					      f->s, out->signers.v[j].loc.line);
				break;
			}
		}
	}
}

static void load_files(struct pf_manifest *m, const struct pf_ynode *root,
		       struct pf_diag *d)
{
	const struct pf_ynode *n = get_map(root, "files", false, d);
	const struct pf_ynode *strip;

	m->files.strip = 1;
	if (!n)
		return;
	m->files.loc = n->loc;
	check_keys(n, files_keys, "files", d);
	strip = pf_ymap_get(n, "strip");
	if (strip) {
		char *end;
		long v = -1;

		if (strip->type == PF_Y_SCALAR && strip->plain && strip->len)
			v = strtol(strip->str, &end, 10);
		if (strip->type != PF_Y_SCALAR || !strip->plain || !strip->len ||
		    *end || v < 0 || v > 16)
			pf_diag_error(d, &strip->loc,
				      "'strip' must be a whole number from 0 to 16");
		else
			m->files.strip = (int)v;
	}
	get_list(n, "include", false, &m->files.include, d);
	get_list(n, "exclude", false, &m->files.exclude, d);
	get_list(n, "allow-external-links", false, &m->files.external_links, d);
	get_list(n, "foreign-elf", false, &m->files.foreign_elf, d);
}

static int manifest_parse(struct pf_manifest *m, struct pf_diag *d, int errors)
{
	const struct pf_ynode *root = m->doc.root;
	const struct pf_ynode *src;

	if (root->type != PF_Y_MAP) {
		pf_diag_error(d, &root->loc, "a manifest must be a mapping, not %s",
			      pf_ytype_name(root));
		return -1;
	}
	check_keys(root, top_keys, NULL, d);
	get_str(root, "package", true, &m->package, d);
	get_str(root, "summary", true, &m->summary, d);
	get_str(root, "description", true, &m->description, d);
	get_str(root, "homepage", false, &m->homepage, d);
	get_str(root, "license", true, &m->license, d);
	get_str(root, "maintainer", true, &m->maintainer, d);
	get_str(root, "section", false, &m->section, d);
	get_str(root, "priority", false, &m->priority, d);
	get_str(root, "group", false, &m->group, d);
	get_str(root, "prefix", true, &m->prefix, d);
	get_str(root, "release", false, &m->release, d);
	get_str(root, "epoch", false, &m->epoch, d);
	get_list(root, "hosts", true, &m->hosts, d);
	load_vars(root, &m->vars, d);

	src = get_map(root, "source", true, d);
	if (src) {
		check_keys(src, source_keys, "source", d);
		get_str(src, "url", true, &m->source.url, d);
		get_list(src, "mirrors", false, &m->source.mirrors, d);
		load_signed(src, "checksums", &m->source.checksums, d);
		load_signed(src, "signature", &m->source.signature, d);
	}
	load_files(m, root, d);
	load_variants(m, root, d);
	load_alternatives(m, root, d);
	load_meta(m, root, d);
	for (int k = 0; k < PF_REL_NR; k++)
		load_rel(root, k, &m->rel[k], d);
	get_str(root, "profile", false, &m->profile, d);
	load_sonames(m, root, d);
	load_versions(m, root, d);
	return d->raised > errors ? -1 : 0;
}

int pf_manifest_load_buf(struct pf_manifest *m, const char *name,
			 const char *buf, size_t len, struct pf_diag *d)
{
	int errors = d->raised;

	memset(m, 0, sizeof(*m));
	if (pf_yaml_load(&m->doc, name, buf, len, d) < 0) {
		m->path = m->doc.file;
		return -1;
	}
	m->path = m->doc.file;
	return manifest_parse(m, d, errors);
}

int pf_manifest_load(struct pf_manifest *m, const char *path, struct pf_diag *d)
{
	return pf_manifest_load_buf(m, path, NULL, 0, d);
}

void pf_manifest_release(struct pf_manifest *m)
{
	mlist_release(&m->hosts);
	free(m->vars.v);
	mlist_release(&m->source.mirrors);
	mlist_release(&m->source.checksums.signers);
	mlist_release(&m->source.signature.signers);
	mlist_release(&m->files.include);
	mlist_release(&m->files.exclude);
	mlist_release(&m->files.external_links);
	mlist_release(&m->files.foreign_elf);
	free(m->sonames.map.v);
	mlist_release(&m->sonames.ignore);
	for (int k = 0; k < PF_REL_NR; k++) {
		mlist_release(&m->rel[k].all);
		for (int f = 0; f < PF_FMT_NR; f++)
			mlist_release(&m->rel[k].fmt[f]);
	}
	for (size_t i = 0; i < m->nr_variants; i++)
		free(m->variants[i].vars.v);
	free(m->variants);
	free(m->alts);
	for (size_t i = 0; i < m->nr_versions; i++) {
		mlist_release(&m->versions[i].hosts);
		mlist_release(&m->versions[i].variants);
		for (size_t k = 0; k < m->versions[i].nr_host_variants; k++)
			mlist_release(&m->versions[i].host_variants[k].variants);
		free(m->versions[i].host_variants);
		free(m->versions[i].vars.v);
		free(m->versions[i].sha);
	}
	free(m->versions);
	pf_ydoc_release(&m->doc);
	memset(m, 0, sizeof(*m));
}
