// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The apt index: one suite, one component.
 *
 *   pool/<component>/<l>/<source>/<name>_<version>_<arch>.deb
 *   dists/<suite>/<component>/binary-<arch>/Packages{,.gz,.xz}
 *   dists/<suite>/<component>/binary-<arch>/by-hash/SHA256/<sha256>
 *   dists/<suite>/Release, Release.gpg, InRelease
 *
 * <l> is the first letter of the source package, or its first four for
 * lib* (Debian's pool layout).  Packages of architecture "all" are in
 * every binary-<arch>/Packages.  Release names every index with its
 * MD5 and SHA-256 and says Acquire-By-Hash, so apt fetches the indexes
 * by their hash: a Release a client has just read keeps working while
 * a newer one is published, and the by-hash copies of the last few
 * generations stay.  InRelease (the clearsigned Release, which apt
 * reads first) is renamed into place last.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "repofmt.h"
#include "tarw.h"
#include "util.h"
#include "arlib.h"
#include "banned.h"

/* Architectures listed when the feed has only "all" packages. */
static const char *const default_arches[] = { "amd64", "arm64" };

/* The value of a control field ("Source: foo (1.0)" → "foo"), or NULL. */
static char *control_value(const char *control, const char *field)
{
	size_t n = strlen(field);

	for (const char *l = control; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (!strncasecmp(l, field, n) && l[n] == ':') {
			const char *v = l + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return pf_strndup(v, strcspn(v, " \t\n("));
		}
	}
	return NULL;
}

static char *apt_place(const struct pf_repo_cfg *cfg, const struct pf_pkginfo *info,
		       const char *base)
{
	char *src = info->control ? control_value(info->control, "Source") : NULL;
	const char *s = src && *src ? src : info->name;
	char *out = pf_asprintf("pool/%s/%.*s/%s/%s", cfg->component,
				pf_starts_with(s, "lib") && strlen(s) > 3 ? 4 : 1, s, s, base);

	free(src);
	return out;
}

static int apt_prepare(const struct pf_repo_cfg *cfg, struct pf_repopkg *p, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;

	if (!p->info.control)
		return pf_err_set(e, PF_EINVAL, "%s: no control file", p->relpath);
	if (strchr(p->relpath, '\n') || strchr(p->relpath, ' '))
		return pf_err_set(e, PF_EINVAL, "%s: a file name apt cannot take (space or newline)",
				  p->relpath);
	if (pf_repo_stanza(p->info.control, p->relpath, &sb, e) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_addf(&sb, "Filename: %s\nSize: %llu\nMD5sum: %s\nSHA256: %s\n", p->relpath,
		    (unsigned long long)p->size, p->md5, p->sha256);
	p->field[0] = strbuf_detach(&sb, NULL);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The architectures of the feed, sorted: those of its packages but "all". */
static void feed_arches(struct pf_repopkg *const *pkgs, size_t n, struct pf_strlist *out)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = pkgs[i]->info.arch;
		bool have = !strcmp(a, "all");

		for (size_t k = 0; k < out->nr && !have; k++)
			have = !strcmp(out->v[k], a);
		if (!have)
			pf_strlist_add(out, pf_strdup(a));
	}
	if (!out->nr)
		for (size_t i = 0; i < PF_ARRAY_SIZE(default_arches); i++)
			pf_strlist_add(out, pf_strdup(default_arches[i]));
	qsort(out->v, out->nr, sizeof(*out->v), cmp_str);
}

struct relfile {
	char *name;                     /* below dists/<suite>/ */
	char md5[33], sha256[65];
	size_t size;
};

/* One index file, its by-hash copy and its Release entry: data's bytes,
 * or (text) those of a text, written from its records, whose md5 and
 * sha are then given; else md5, sha are the data's digests when known,
 * or NULL. */
static int index_file(const struct pf_repoctx *c, struct pf_publish *pub, const char *dir,
		      const char *name, const struct strbuf *data, const struct pf_ztext *text,
		      const unsigned char *md5, const unsigned char *sha, struct relfile *rf,
		      struct pf_err *e)
{
	unsigned char d[32];
	char *byhash, *plain;
	int ret;

	if (!md5)
		pf_digest_buf(PF_MD5, data->buf, data->len, d);
	pf_hex(rf->md5, md5 ? md5 : d, 16);
	if (!sha)
		pf_digest_buf(PF_SHA256, data->buf, data->len, d);
	pf_hex(rf->sha256, sha ? sha : d, 32);
	rf->size = text ? pf_ztext_len(text) : data->len;
	rf->name = pf_asprintf("%s/%s", dir, name);
	byhash = pf_asprintf("dists/%s/%s/by-hash/SHA256/%s", c->cfg->suite, dir, rf->sha256);
	plain = pf_asprintf("dists/%s/%s", c->cfg->suite, rf->name);
	if (text)
		ret = pf_publish_generated_text(pub, byhash, text, e) < 0 ||
		      pf_publish_top_as_text(pub, plain, byhash, text, e) < 0 ? -1 : 0;
	else
		ret = pf_publish_generated(pub, byhash, data->buf, data->len, e) < 0 ||
		      pf_publish_top_as(pub, plain, byhash, data->buf, data->len, e) < 0 ? -1 : 0;
	free(byhash);
	free(plain);
	return ret;
}

static void release_text(const struct pf_repoctx *c, const struct pf_strlist *arches,
			 const struct relfile *rf, size_t nrf, struct strbuf *out)
{
	const struct pf_repo_cfg *cfg = c->cfg;

	strbuf_addf(out, "Origin: %s\nLabel: %s\nSuite: %s\nCodename: %s\nDate: ", cfg->origin,
		    cfg->label, cfg->suite, cfg->codename);
	pf_repo_rfc2822(c->date, out);
	strbuf_addstr(out, "\nArchitectures:");
	for (size_t i = 0; i < arches->nr; i++)
		strbuf_addf(out, " %s", arches->v[i]);
	strbuf_addf(out, "\nComponents: %s\n", cfg->component);
	if (cfg->description && *cfg->description)
		strbuf_addf(out, "Description: %s\n", cfg->description);
	strbuf_addstr(out, "Acquire-By-Hash: yes\nMD5Sum:\n");
	for (size_t i = 0; i < nrf; i++)
		strbuf_addf(out, " %s %8zu %s\n", rf[i].md5, rf[i].size, rf[i].name);
	strbuf_addstr(out, "SHA256:\n");
	for (size_t i = 0; i < nrf; i++)
		strbuf_addf(out, " %s %8zu %s\n", rf[i].sha256, rf[i].size, rf[i].name);
}

static int apt_write(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		     struct pf_publish *pub, struct pf_err *e)
{
	struct pf_strlist arches = { NULL, 0, 0 };
	struct strbuf z = STRBUF_INIT, zxz = STRBUF_INIT, rel = STRBUF_INIT;
	struct strbuf sig = STRBUF_INIT, inrel = STRBUF_INIT;
	struct pf_itext it;
	struct relfile *rf;
	size_t nrf = 0;
	char *top = pf_asprintf("dists/%s", c->cfg->suite);
	int ret = -1;

	pf_itext_init(&it, "\n", "");
	feed_arches(pkgs, n, &arches);
	rf = pf_calloc(arches.nr * 3, sizeof(*rf));
	for (size_t a = 0; a < arches.nr; a++) {
		char *dir = pf_asprintf("%s/binary-%s", c->cfg->component, arches.v[a]);
		unsigned char md5[16], sha[32], zmd5[2][16], zsha[2][32];
		int r;

		it.nr = 0;
		for (size_t i = 0; i < n; i++) {
			const char *pa = pkgs[i]->info.arch;

			if (strcmp(pa, arches.v[a]) && strcmp(pa, "all"))
				continue;
			pf_itext_add(&it, pkgs[i]->field[0], pkgs[i]->field_len[0],
				     pkgs[i]->field_sha[0]);
		}
		strbuf_reset(&z);
		strbuf_reset(&zxz);
		{
			/* gzip and xz at once, and the digests of Packages:
			 * their pieces and those share the threads */
			struct pf_zfile zf[2] = {
				{ PF_COMP_GZIP, 9, pf_itext_text(&it), sha, md5, &z, zsha[0], zmd5[0] },
				{ PF_COMP_XZ, 6, pf_itext_text(&it), NULL, NULL, &zxz, zsha[1], zmd5[1] },
			};

			r = pf_zpiece_compress_many(c->zcache, zf, 2, c->threads, e);
		}
		/* Packages from its records, not copied whole first */
		if (!r)
			r = index_file(c, pub, dir, "Packages", NULL, pf_itext_text(&it), md5, sha,
				       &rf[nrf++], e);
		if (!r)
			r = index_file(c, pub, dir, "Packages.gz", &z, NULL, zmd5[0], zsha[0],
				       &rf[nrf++], e);
		if (!r)
			r = index_file(c, pub, dir, "Packages.xz", &zxz, NULL, zmd5[1], zsha[1],
				       &rf[nrf++], e);
		free(dir);
		if (r)
			goto out;
	}
	release_text(c, &arches, rf, nrf, &rel);
	{
		char *p = pf_asprintf("%s/Release", top);
		int r = pf_publish_top(pub, p, rel.buf, rel.len, e);
		free(p);
		if (r)
			goto out;
	}
	if (c->pgp) {
		char *p;
		int r;

		if (pf_repo_pgp_sign(c, PF_PGP_DETACH_ARMOR, rel.buf, rel.len, &sig, e) < 0 ||
		    pf_repo_pgp_sign(c, PF_PGP_CLEARSIGN, rel.buf, rel.len, &inrel, e) < 0)
			goto out;
		p = pf_asprintf("%s/Release.gpg", top);
		r = pf_publish_top(pub, p, sig.buf, sig.len, e);
		free(p);
		if (r)
			goto out;
		/* InRelease is what apt reads first: it goes in last */
		p = pf_asprintf("%s/InRelease", top);
		r = pf_publish_top(pub, p, inrel.buf, inrel.len, e);
		free(p);
		if (r)
			goto out;
	} else {
		/* an unsigned feed must not keep a stale signature around */
		pf_strlist_add(&pub->remove, pf_asprintf("%s/InRelease", top));
		pf_strlist_add(&pub->remove, pf_asprintf("%s/Release.gpg", top));
	}
	ret = 0;
out:
	for (size_t i = 0; i < nrf; i++)
		free(rf[i].name);
	free(rf);
	free(top);
	pf_strlist_release(&arches);
	pf_itext_release(&it);
	strbuf_release(&z);
	strbuf_release(&zxz);
	strbuf_release(&rel);
	strbuf_release(&sig);
	strbuf_release(&inrel);
	return ret;
}

static void apt_prune(const struct pf_repoctx *c, const struct pf_strmap *keep)
{
	char *comp = pf_asprintf("%s/dists/%s/%s", c->root, c->cfg->suite, c->cfg->component);
	DIR *d = opendir(comp);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		char *rel;

		if (!pf_starts_with(de->d_name, "binary-"))
			continue;
		rel = pf_asprintf("dists/%s/%s/%s/by-hash/SHA256", c->cfg->suite,
				  c->cfg->component, de->d_name);
		pf_repo_prune_dir(c->root, rel, keep, NULL);
		free(rel);
	}
	if (d)
		closedir(d);
	free(comp);
}

static bool apt_exists(const struct pf_repoctx *c)
{
	char *p = pf_asprintf("%s/dists/%s/Release", c->root, c->cfg->suite);
	bool ok = access(p, F_OK) == 0;

	free(p);
	return ok;
}

static int apt_snippet(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		       char **name, struct strbuf *out, struct pf_err *e)
{
	char *trust = c->pgp ? pf_asprintf("Signed-By: /usr/share/keyrings/%s.gpg", c->cfg->keyfile)
			     : pf_strdup("Trusted: yes");
	int ret;

	*name = NULL;
	if (!n) {
		free(trust);
		return 0;
	}
	ret = pf_repo_template("setup/apt.sources", out, e, "origin", c->cfg->origin,
			       "url", c->cfg->url, "suite", c->cfg->suite,
			       "component", c->cfg->component, "trust", trust,
			       "keyfile", c->cfg->keyfile, NULL);
	free(trust);
	if (!ret)
		*name = pf_asprintf("%s.sources", c->cfg->origin);
	return ret;
}

const struct pf_repofmt pf_repofmt_apt = {
	.name = "apt",
	.fmt = PF_FMT_DEB,
	.dir = "pool",
	.libs = pf_libarchive_load,
	.place = apt_place,
	.prepare = apt_prepare,
	.write = apt_write,
	.prune = apt_prune,
	.exists = apt_exists,
	.snippet = apt_snippet,
};
