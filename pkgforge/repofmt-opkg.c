// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The opkg index: one feed per architecture directory, as OpenWrt's and
 * Yocto's feeds are laid out.
 *
 *   ipk/<arch>/<name>_<version>_<arch>.ipk
 *   ipk/<arch>/Packages, Packages.gz    the control files, with Filename
 *                                        (relative to the feed), Size and
 *                                        SHA256sum, as opkg-make-index
 *   ipk/<arch>/Packages.sig             usign (Ed25519) over Packages:
 *                                        OpenWrt's opkg checks it
 *   ipk/<arch>/Packages.asc             OpenPGP over Packages: Yocto's
 *
 * Architecture "all" packages have a feed of their own, ipk/all.  opkg
 * has no file that names the others with their hashes: Packages.gz,
 * Packages and its signatures are renamed into place one right after
 * the other, the signatures last, once everything is written and synced.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repofmt.h"
#include "tarw.h"
#include "util.h"
#include "arlib.h"
#include "banned.h"

static char *opkg_place(const struct pf_repo_cfg *cfg, const struct pf_pkginfo *info,
			const char *base)
{
	return pf_asprintf("ipk/%s/%s", info->arch, base);
}

/* "ipk/x86_64/f.ipk" → "x86_64" (a new string) */
static char *feed_of(const char *relpath)
{
	const char *a = relpath + strlen("ipk/");

	return pf_strndup(a, strcspn(a, "/"));
}

static int opkg_prepare(const struct pf_repo_cfg *cfg, struct pf_repopkg *p, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	char *feed = feed_of(p->relpath);
	const char *base = strrchr(p->relpath, '/') + 1;
	int ret = -1;

	if (strcmp(feed, p->info.arch)) {
		pf_err_set(e, PF_EINVAL,
			   "%s: a package for %s in the %s feed: opkg would refuse to install it",
			   p->relpath, p->info.arch, feed);
		goto out;
	}
	if (strchr(base, ' ') || strchr(base, '\n')) {
		pf_err_set(e, PF_EINVAL, "%s: a file name opkg cannot take (space or newline)",
			   p->relpath);
		goto out;
	}
	if (!p->info.control) {
		pf_err_set(e, PF_EINVAL, "%s: no control file", p->relpath);
		goto out;
	}
	if (pf_repo_stanza(p->info.control, p->relpath, &sb, e) < 0)
		goto out;
	strbuf_addf(&sb, "Filename: %s\nSize: %llu\nSHA256sum: %s\n", base,
		    (unsigned long long)p->size, p->sha256);
	p->field[0] = strbuf_detach(&sb, NULL);
	ret = 0;
out:
	strbuf_release(&sb);
	free(feed);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The feeds: directories of ipk/ that have packages or had an index. */
static void feeds(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		  struct pf_strlist *out)
{
	char *dir = pf_asprintf("%s/ipk", c->root);
	DIR *d = opendir(dir);
	struct dirent *de;

	for (size_t i = 0; i < n; i++) {
		char *f = feed_of(pkgs[i]->relpath);
		bool have = false;

		for (size_t k = 0; k < out->nr && !have; k++)
			have = !strcmp(out->v[k], f);
		if (have)
			free(f);
		else
			pf_strlist_add(out, f);
	}
	while (d && (de = readdir(d)) != NULL) {
		char *p;
		bool have = false;

		if (de->d_name[0] == '.')
			continue;
		p = pf_asprintf("%s/%s/Packages", dir, de->d_name);
		for (size_t k = 0; k < out->nr && !have; k++)
			have = !strcmp(out->v[k], de->d_name);
		if (!have && access(p, F_OK) == 0)
			pf_strlist_add(out, pf_strdup(de->d_name));
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_str);
}

static int opkg_write(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		      struct pf_publish *pub, struct pf_err *e)
{
	struct pf_strlist fl = { NULL, 0, 0 };
	struct strbuf plain_sb = STRBUF_INIT, z = STRBUF_INIT, asc = STRBUF_INIT, sig = STRBUF_INIT;
	struct pf_itext it;
	int ret = -1;

	pf_itext_init(&it, "\n", "");
	feeds(c, pkgs, n, &fl);
	for (size_t f = 0; f < fl.nr; f++) {
		char *base = pf_asprintf("ipk/%s/Packages", fl.v[f]), *p;
		struct strbuf *plain = &plain_sb;
		int r = 0;

		it.nr = 0;
		strbuf_reset(&z);
		strbuf_reset(&asc);
		strbuf_reset(&sig);
		for (size_t i = 0; i < n; i++) {
			char *pf = feed_of(pkgs[i]->relpath);

			if (!strcmp(pf, fl.v[f]))
				pf_itext_add(&it, pkgs[i]->field[0], pkgs[i]->field_len[0],
					     pkgs[i]->field_sha[0]);
			free(pf);
		}
		pf_itext_flatten(&it, plain);
		r = pf_itext_compress(c, &it, PF_COMP_GZIP, 9, NULL, &z, e);
		if (!r && c->pgp)
			r = pf_repo_pgp_sign(c, PF_PGP_DETACH_ARMOR, plain->buf, plain->len, &asc, e);
		if (!r && c->usign)
			r = pf_usign_sign(c->usign, plain->buf, plain->len, &sig, e);
		p = pf_asprintf("%s.gz", base);
		if (!r)
			r = pf_publish_top(pub, p, z.buf, z.len, e);
		free(p);
		if (!r)
			r = pf_publish_top(pub, base, plain->buf, plain->len, e);
		p = pf_asprintf("%s.asc", base);
		if (!r && c->pgp)
			r = pf_publish_top(pub, p, asc.buf, asc.len, e);
		else if (!r)
			pf_strlist_add(&pub->remove, pf_strdup(p));
		free(p);
		p = pf_asprintf("%s.sig", base);
		if (!r && c->usign)
			r = pf_publish_top(pub, p, sig.buf, sig.len, e);
		else if (!r)
			pf_strlist_add(&pub->remove, pf_strdup(p));
		free(p);
		free(base);
		if (r)
			goto out;
	}
	ret = 0;
out:
	pf_strlist_release(&fl);
	pf_itext_release(&it);
	strbuf_release(&plain_sb);
	strbuf_release(&z);
	strbuf_release(&asc);
	strbuf_release(&sig);
	return ret;
}

static void opkg_prune(const struct pf_repoctx *c, const struct pf_strmap *keep)
{
}

static bool opkg_exists(const struct pf_repoctx *c)
{
	struct pf_strlist fl = { NULL, 0, 0 };
	bool any;

	feeds(c, NULL, 0, &fl);
	any = fl.nr > 0;
	pf_strlist_release(&fl);
	return any;
}

static int opkg_snippet(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
			char **name, struct strbuf *out, struct pf_err *e)
{
	struct pf_strlist fl = { NULL, 0, 0 };
	struct strbuf lines = STRBUF_INIT;
	int ret;

	*name = NULL;
	if (!n)
		return 0;
	feeds(c, pkgs, n, &fl);
	for (size_t i = 0; i < fl.nr; i++)
		strbuf_addf(&lines, "%ssrc/gz %s-%s %s/ipk/%s", i ? "\n" : "", c->cfg->origin,
			    fl.v[i], c->cfg->url, fl.v[i]);
	ret = pf_repo_template("setup/opkg.conf", out, e, "origin", c->cfg->origin,
			       "feeds", lines.buf, "keyfile", c->cfg->keyfile, "url", c->cfg->url,
			       "check", c->usign ? "option check_signature 1" :
			       "# unsigned feed: no option check_signature", NULL);
	if (!ret)
		*name = pf_asprintf("%s-opkg.conf", c->cfg->origin);
	pf_strlist_release(&fl);
	strbuf_release(&lines);
	return ret;
}

const struct pf_repofmt pf_repofmt_opkg = {
	.name = "opkg",
	.fmt = PF_FMT_IPK,
	.dir = "ipk",
	.libs = pf_libarchive_load,
	.place = opkg_place,
	.prepare = opkg_prepare,
	.write = opkg_write,
	.prune = opkg_prune,
	.exists = opkg_exists,
	.snippet = opkg_snippet,
};
