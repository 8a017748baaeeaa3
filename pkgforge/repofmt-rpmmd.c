// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rpm-md index (yum, dnf, zypper), as createrepo_c writes it:
 *
 *   rpm/Packages/<l>/<name>-<version>-<release>.<arch>.rpm
 *   rpm/repodata/<sha256>-{primary,filelists,other}.xml.<zst|gz|xz>
 *   rpm/repodata/repomd.xml, repomd.xml.asc
 *
 * Each package's three XML fragments are made once, when it is read
 * (prepare(), kept in the cache), with xmlw.h (the bytes libxml2's
 * xmlTextWriter would write, without libxml2); writing the index joins
 * them.  The metadata files are named by their checksum, so repomd.xml, renamed into place last,
 * switches from one complete generation to the next; the files of the
 * last few generations stay for clients that read an older repomd.xml.
 *
 * Times are the packages' build times (not the files' mtimes, which a
 * copy changes) and the run's date (SOURCE_DATE_EPOCH when set), so an
 * unchanged set of packages gives the same bytes.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "pkgfmt.h"
#include "repofmt.h"
#include "tarw.h"
#include "util.h"
#include "xmlw.h"
#include "banned.h"

#define NS_COMMON "http://linux.duke.edu/metadata/common"
#define NS_RPM "http://linux.duke.edu/metadata/rpm"
/* other.xml's changelog entries per package: createrepo_c's default */
#define CHANGELOG_LIMIT 10

static const char *const dep_elem[PF_RPMDEP_NR] = {
	[PF_RPMDEP_PROVIDES] = "rpm:provides",
	[PF_RPMDEP_REQUIRES] = "rpm:requires",
	[PF_RPMDEP_CONFLICTS] = "rpm:conflicts",
	[PF_RPMDEP_OBSOLETES] = "rpm:obsoletes",
	[PF_RPMDEP_SUGGESTS] = "rpm:suggests",
	[PF_RPMDEP_ENHANCES] = "rpm:enhances",
	[PF_RPMDEP_RECOMMENDS] = "rpm:recommends",
	[PF_RPMDEP_SUPPLEMENTS] = "rpm:supplements",
};

static char *rpmmd_place(const struct pf_repo_cfg *cfg, const struct pf_pkginfo *info,
			 const char *base)
{
	char l = info->name[0];

	if (l >= 'A' && l <= 'Z')
		l = (char)(l - 'A' + 'a');
	return pf_asprintf("rpm/Packages/%c/%s", l, base);
}

/* Files listed in primary.xml (createrepo's rule, which dnf relies on
 * for file dependencies): /etc, anything with "bin/" in it, sendmail. */
static bool primary_file(const char *p)
{
	return pf_starts_with(p, "/etc/") || strstr(p, "bin/") || !strcmp(p, "/usr/lib/sendmail");
}

/* XML 1.0 cannot carry control characters, even escaped */
static bool xml_ok(const char *s)
{
	const char *p = s;

	if (!s)
		return true;
	while (*p) {
		size_t n = strcspn(p, "\n\t\r");
		if (!pf_utf8_clean(p, n))
			return false;
		p += n;
		if (*p)
			p++;
	}
	return true;
}

static void attr_num(struct pf_xmlw *x, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	pf_xmlw_attr(x, name, buf);
}

static void text_num(struct pf_xmlw *x, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	pf_xmlw_text(x, buf);
}

static void text_elem(struct pf_xmlw *x, const char *name, const char *v)
{
	pf_xmlw_start(x, name);
	if (v && *v)
		pf_xmlw_text(x, v);
	pf_xmlw_end(x);
}

static void version_elem(struct pf_xmlw *x, const struct pf_rpmmeta *m)
{
	pf_xmlw_start(x, "version");
	pf_xmlw_attr(x, "epoch", m->epoch);
	pf_xmlw_attr(x, "ver", m->version);
	pf_xmlw_attr(x, "rel", m->release);
	pf_xmlw_end(x);
}

static bool same_dep(const struct pf_rpmdep *a, const struct pf_rpmdep *b)
{
	return !strcmp(a->name, b->name) &&
	       !strcmp(a->flags ? a->flags : "", b->flags ? b->flags : "") &&
	       !strcmp(a->epoch ? a->epoch : "", b->epoch ? b->epoch : "") &&
	       !strcmp(a->ver ? a->ver : "", b->ver ? b->ver : "") &&
	       !strcmp(a->rel ? a->rel : "", b->rel ? b->rel : "");
}

/*
 * Requires as createrepo_c lists them: without rpmlib() (rpm's own),
 * without what the package provides itself (a file it ships and
 * primary.xml lists, or one of its Provides), each once; and, as
 * createrepo_c (and the yum of old), of the libc.so.6 requirements only
 * the highest, last.
 */
static bool listed_require(const struct pf_rpmmeta *m, size_t i)
{
	const struct pf_rpmdep *d = &m->deps[PF_RPMDEP_REQUIRES].v[i];

	if (pf_starts_with(d->name, "rpmlib("))
		return false;
	if (d->name[0] == '/' && primary_file(d->name))
		for (size_t k = 0; k < m->nr_files; k++)
			if (!strcmp(m->files[k].path, d->name))
				return false;
	for (size_t k = 0; k < m->deps[PF_RPMDEP_PROVIDES].nr; k++)
		if (same_dep(d, &m->deps[PF_RPMDEP_PROVIDES].v[k]))
			return false;
	for (size_t k = 0; k < i; k++) {
		const struct pf_rpmdep *o = &m->deps[PF_RPMDEP_REQUIRES].v[k];
		if (same_dep(d, o) && d->pre == o->pre)
			return false;
	}
	return true;
}

/* The version inside "libc.so.6(GLIBC_2.34)(64bit)": "2.34"; "" for
 * "()", NULL without parentheses. */
static char *libc_version(const char *name)
{
	const char *open = strchr(name, '('), *close, *v;

	if (!open || !(close = strchr(open, ')')))
		return NULL;
	for (v = open + 1; v < close && (*v < '0' || *v > '9'); v++)
		;
	return pf_strndup(v, (size_t)(close - v));
}

/* createrepo_c lists only the highest libc.so.6 requirement */
static int libc_cmp(const char *a, const char *b)
{
	char *va = libc_version(a), *vb = libc_version(b);
	int r = !va || !vb ? (va != NULL) - (vb != NULL) :
		!*va || !*vb ? (*va != 0) - (*vb != 0) : pf_rpmevr_cmp(va, vb);

	free(va);
	free(vb);
	return r;
}

static void dep_entry(struct pf_xmlw *x, const struct pf_rpmdep *d, int kind)
{
	pf_xmlw_start(x, "rpm:entry");
	pf_xmlw_attr(x, "name", d->name);
	if (d->flags) {
		pf_xmlw_attr(x, "flags", d->flags);
		if (d->epoch)
			pf_xmlw_attr(x, "epoch", d->epoch);
		if (d->ver)
			pf_xmlw_attr(x, "ver", d->ver);
		if (d->rel)
			pf_xmlw_attr(x, "rel", d->rel);
	}
	if (kind == PF_RPMDEP_REQUIRES && d->pre)
		pf_xmlw_attr(x, "pre", "1");
	pf_xmlw_end(x);
}

static void deps_elem(struct pf_xmlw *x, const struct pf_rpmmeta *m, int kind)
{
	const struct pf_rpmdep *libc = NULL;
	bool any = false;

	for (size_t i = 0; i < m->deps[kind].nr; i++) {
		const struct pf_rpmdep *d = &m->deps[kind].v[i];

		if (kind == PF_RPMDEP_REQUIRES && !listed_require(m, i))
			continue;
		if (!any)
			pf_xmlw_start(x, dep_elem[kind]);
		any = true;
		if (kind == PF_RPMDEP_REQUIRES && pf_starts_with(d->name, "libc.so.6")) {
			if (!libc || libc_cmp(d->name, libc->name) > 0)
				libc = d;
			continue;
		}
		dep_entry(x, d, kind);
	}
	if (libc)
		dep_entry(x, libc, kind);
	if (any)
		pf_xmlw_end(x);
}

static void file_elems(struct pf_xmlw *x, const struct pf_rpmmeta *m, bool primary)
{
	for (size_t i = 0; i < m->nr_files; i++) {
		const struct pf_rpmfile *f = &m->files[i];

		if (primary && !primary_file(f->path))
			continue;
		pf_xmlw_start(x, "file");
		if (f->type == 'd')
			pf_xmlw_attr(x, "type", "dir");
		else if (f->type == 'g')
			pf_xmlw_attr(x, "type", "ghost");
		pf_xmlw_text(x, f->path);
		pf_xmlw_end(x);
	}
}

static char *primary_xml(const struct pf_repopkg *p, const struct pf_rpmmeta *m, const char *href)
{
	struct pf_xmlw x;

	pf_xmlw_init(&x);
	pf_xmlw_start(&x, "package");
	pf_xmlw_attr(&x, "type", "rpm");
	text_elem(&x, "name", m->name);
	text_elem(&x, "arch", m->arch);
	version_elem(&x, m);
	pf_xmlw_start(&x, "checksum");
	pf_xmlw_attr(&x, "type", "sha256");
	pf_xmlw_attr(&x, "pkgid", "YES");
	pf_xmlw_text(&x, p->sha256);
	pf_xmlw_end(&x);
	text_elem(&x, "summary", m->summary);
	text_elem(&x, "description", m->description);
	text_elem(&x, "packager", m->packager);
	text_elem(&x, "url", m->url);
	pf_xmlw_start(&x, "time");
	attr_num(&x, "file", (uint64_t)m->buildtime);
	attr_num(&x, "build", (uint64_t)m->buildtime);
	pf_xmlw_end(&x);
	pf_xmlw_start(&x, "size");
	attr_num(&x, "package", p->size);
	attr_num(&x, "installed", m->installed_size);
	attr_num(&x, "archive", m->archive_size);
	pf_xmlw_end(&x);
	pf_xmlw_start(&x, "location");
	pf_xmlw_attr(&x, "href", href);
	pf_xmlw_end(&x);
	pf_xmlw_start(&x, "format");
	text_elem(&x, "rpm:license", m->license);
	text_elem(&x, "rpm:vendor", m->vendor);
	text_elem(&x, "rpm:group", m->group);
	text_elem(&x, "rpm:buildhost", m->buildhost);
	text_elem(&x, "rpm:sourcerpm", m->sourcerpm);
	pf_xmlw_start(&x, "rpm:header-range");
	attr_num(&x, "start", m->header_start);
	attr_num(&x, "end", m->header_end);
	pf_xmlw_end(&x);
	for (int k = 0; k < PF_RPMDEP_NR; k++)
		deps_elem(&x, m, k);
	file_elems(&x, m, true);
	pf_xmlw_end(&x);
	pf_xmlw_end(&x);
	return pf_xmlw_finish(&x);
}

static void pkg_attrs(struct pf_xmlw *x, const struct pf_repopkg *p, const struct pf_rpmmeta *m)
{
	pf_xmlw_attr(x, "pkgid", p->sha256);
	pf_xmlw_attr(x, "name", m->name);
	pf_xmlw_attr(x, "arch", m->arch);
	version_elem(x, m);
}

static char *filelists_xml(const struct pf_repopkg *p, const struct pf_rpmmeta *m)
{
	struct pf_xmlw x;

	pf_xmlw_init(&x);
	pf_xmlw_start(&x, "package");
	pkg_attrs(&x, p, m);
	file_elems(&x, m, false);
	pf_xmlw_end(&x);
	return pf_xmlw_finish(&x);
}

static char *other_xml(const struct pf_repopkg *p, const struct pf_rpmmeta *m)
{
	struct pf_xmlw x;

	pf_xmlw_init(&x);
	pf_xmlw_start(&x, "package");
	pkg_attrs(&x, p, m);
	/* the newest entries (an rpm has them newest first), oldest first */
	for (size_t i = m->nr_logs < CHANGELOG_LIMIT ? m->nr_logs : CHANGELOG_LIMIT; i-- > 0;) {
		pf_xmlw_start(&x, "changelog");
		pf_xmlw_attr(&x, "author", m->logs[i].author);
		attr_num(&x, "date", (uint64_t)m->logs[i].date);
		pf_xmlw_text(&x, m->logs[i].text);
		pf_xmlw_end(&x);
	}
	pf_xmlw_end(&x);
	return pf_xmlw_finish(&x);
}

static int rpmmd_prepare(const struct pf_repo_cfg *cfg, struct pf_repopkg *p, struct pf_err *e)
{
	const struct pf_rpmmeta *m = p->info.rpm;
	const char *strs[16];
	size_t ns = 0;

	if (!m)
		return pf_err_set(e, PF_EINVAL, "%s: no rpm header", p->relpath);
	strs[ns++] = m->summary;
	strs[ns++] = m->description;
	strs[ns++] = m->packager;
	strs[ns++] = m->url;
	strs[ns++] = m->license;
	strs[ns++] = m->vendor;
	strs[ns++] = m->group;
	strs[ns++] = m->buildhost;
	strs[ns++] = m->sourcerpm;
	strs[ns++] = p->relpath;
	for (size_t i = 0; i < ns; i++)
		if (!xml_ok(strs[i]))
			return pf_err_set(e, PF_EINVAL,
					  "%s: the rpm header holds control characters or invalid UTF-8, which rpm-md's XML cannot carry",
					  p->relpath);
	for (size_t i = 0; i < m->nr_files; i++)
		if (!xml_ok(m->files[i].path))
			return pf_err_set(e, PF_EINVAL, "%s: a file name rpm-md's XML cannot carry",
					  p->relpath);
	for (size_t i = 0; i < m->nr_logs; i++)
		if (!xml_ok(m->logs[i].author) || !xml_ok(m->logs[i].text))
			return pf_err_set(e, PF_EINVAL,
					  "%s: a changelog entry rpm-md's XML cannot carry", p->relpath);
	for (int k = 0; k < PF_RPMDEP_NR; k++)
		for (size_t i = 0; i < m->deps[k].nr; i++)
			if (!xml_ok(m->deps[k].v[i].name))
				return pf_err_set(e, PF_EINVAL,
						  "%s: a dependency rpm-md's XML cannot carry", p->relpath);
	p->field[0] = primary_xml(p, m, p->relpath + strlen("rpm/"));
	p->field[1] = filelists_xml(p, m);
	p->field[2] = other_xml(p, m);
	return 0;
}

/* ------------------------------------------------------------ write */

struct mdfile {
	const char *type;
	char *href;
	char sha[65], open_sha[65];
	size_t size, open_size;
};

static const char *comp_ext(enum pf_comp c)
{
	return c == PF_COMP_GZIP ? ".gz" : c == PF_COMP_XZ ? ".xz" : ".zst";
}

/* The three metadata files: what they are called, how they open and close. */
static const struct {
	const char *type, *head, *tail;
} mdkinds[3] = {
	{ "primary", "<metadata xmlns=\"" NS_COMMON "\" xmlns:rpm=\"" NS_RPM "\"", "</metadata>\n" },
	{ "filelists", "<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\"",
	  "</filelists>\n" },
	{ "other", "<otherdata xmlns=\"http://linux.duke.edu/metadata/other\"", "</otherdata>\n" },
};

/* primary, filelists and other: compressed together (their pieces
 * share the threads), then published under their names. */
static int md_files(const struct pf_repoctx *c, struct pf_publish *pub,
		    struct pf_repopkg *const *pkgs, size_t n, struct mdfile *f, struct pf_err *e)
{
	struct pf_itext it[3];
	struct strbuf z[3];
	struct pf_zfile zf[3];
	unsigned char open[3][32], zsha[3][32];
	enum pf_comp comp = c->cfg->rpmmd_comp;
	int level = comp == PF_COMP_ZSTD ? 3 : 6;
	int ret = -1;

	for (int k = 0; k < 3; k++) {
		strbuf_init(&z[k], 0);
		pf_itext_init(&it[k], "", mdkinds[k].tail);
		pf_itext_head(&it[k],
			      pf_asprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s packages=\"%zu\">\n",
					  mdkinds[k].head, n));
		for (size_t i = 0; i < n; i++)
			pf_itext_add(&it[k], pkgs[i]->field[k], pkgs[i]->field_len[k],
				     pkgs[i]->field_sha[k]);
		zf[k] = (struct pf_zfile){ comp, level, pf_itext_text(&it[k]), open[k], NULL, &z[k],
					   zsha[k], NULL };
	}
	if (pf_zpiece_compress_many(c->zcache, zf, 3, c->threads, e) < 0)
		goto out;
	for (int k = 0; k < 3; k++) {
		char *rel;

		f[k].type = mdkinds[k].type;
		pf_hex(f[k].open_sha, open[k], 32);
		f[k].open_size = pf_ztext_len(zf[k].text);
		pf_hex(f[k].sha, zsha[k], 32);
		f[k].size = z[k].len;
		f[k].href = pf_asprintf("repodata/%s-%s.xml%s", f[k].sha, mdkinds[k].type,
					comp_ext(comp));
		rel = pf_asprintf("rpm/%s", f[k].href);
		ret = pf_publish_generated(pub, rel, z[k].buf, z[k].len, e);
		free(rel);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	for (int k = 0; k < 3; k++) {
		pf_itext_release(&it[k]);
		strbuf_release(&z[k]);
	}
	return ret;
}

static char *repomd_xml(const struct pf_repoctx *c, const struct mdfile *f, size_t nf)
{
	struct pf_xmlw x;

	pf_xmlw_init(&x);
	pf_xmlw_decl(&x);
	pf_xmlw_start(&x, "repomd");
	pf_xmlw_attr(&x, "xmlns", "http://linux.duke.edu/metadata/repo");
	pf_xmlw_attr(&x, "xmlns:rpm", NS_RPM);
	pf_xmlw_start(&x, "revision");
	text_num(&x, (long long)c->date);
	pf_xmlw_end(&x);
	for (size_t i = 0; i < nf; i++) {
		pf_xmlw_start(&x, "data");
		pf_xmlw_attr(&x, "type", f[i].type);
		pf_xmlw_start(&x, "checksum");
		pf_xmlw_attr(&x, "type", "sha256");
		pf_xmlw_text(&x, f[i].sha);
		pf_xmlw_end(&x);
		pf_xmlw_start(&x, "open-checksum");
		pf_xmlw_attr(&x, "type", "sha256");
		pf_xmlw_text(&x, f[i].open_sha);
		pf_xmlw_end(&x);
		pf_xmlw_start(&x, "location");
		pf_xmlw_attr(&x, "href", f[i].href);
		pf_xmlw_end(&x);
		pf_xmlw_start(&x, "timestamp");
		text_num(&x, (long long)c->date);
		pf_xmlw_end(&x);
		pf_xmlw_start(&x, "size");
		text_num(&x, (long long)f[i].size);
		pf_xmlw_end(&x);
		pf_xmlw_start(&x, "open-size");
		text_num(&x, (long long)f[i].open_size);
		pf_xmlw_end(&x);
		pf_xmlw_end(&x);
	}
	pf_xmlw_end(&x);
	return pf_xmlw_finish(&x);
}

static int rpmmd_write(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		       struct pf_publish *pub, struct pf_err *e)
{
	struct mdfile f[3];
	struct strbuf sig = STRBUF_INIT;
	char *repomd = NULL;
	int ret = -1;

	memset(f, 0, sizeof(f));
	if (md_files(c, pub, pkgs, n, f, e) < 0)
		goto out;
	repomd = repomd_xml(c, f, 3);
	if (c->pgp) {
		if (pf_repo_pgp_sign(c, PF_PGP_DETACH_ARMOR, repomd, strlen(repomd), &sig, e) < 0 ||
		    pf_publish_top(pub, "rpm/repodata/repomd.xml.asc", sig.buf, sig.len, e) < 0)
			goto out;
	} else {
		pf_strlist_add(&pub->remove, pf_strdup("rpm/repodata/repomd.xml.asc"));
	}
	if (pf_publish_top(pub, "rpm/repodata/repomd.xml", repomd, strlen(repomd), e) < 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; i < 3; i++)
		free(f[i].href);
	free(repomd);
	strbuf_release(&sig);
	return ret;
}

static void rpmmd_prune(const struct pf_repoctx *c, const struct pf_strmap *keep)
{
	static const char *const tops[] = { "repomd.xml", "repomd.xml.asc", NULL };

	pf_repo_prune_dir(c->root, "rpm/repodata", keep, tops);
}

static bool rpmmd_exists(const struct pf_repoctx *c)
{
	char *p = pf_asprintf("%s/rpm/repodata/repomd.xml", c->root);
	bool ok = access(p, F_OK) == 0;

	free(p);
	return ok;
}

static int rpmmd_snippet(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
			 char **name, struct strbuf *out, struct pf_err *e)
{
	char *gpg = c->pgp ? pf_asprintf("gpgcheck=1\nrepo_gpgcheck=1\ngpgkey=%s/keys/%s.asc",
					 c->cfg->url, c->cfg->keyfile)
			   : pf_strdup("gpgcheck=0\nrepo_gpgcheck=0");
	int ret;

	*name = NULL;
	if (!n) {
		free(gpg);
		return 0;
	}
	ret = pf_repo_template("setup/dnf.repo", out, e, "origin", c->cfg->origin,
			       "label", c->cfg->label, "url", c->cfg->url, "gpg", gpg, NULL);
	free(gpg);
	if (!ret)
		*name = pf_asprintf("%s.repo", c->cfg->origin);
	return ret;
}

const struct pf_repofmt pf_repofmt_rpmmd = {
	.name = "rpm-md",
	.fmt = PF_FMT_RPM,
	.dir = "rpm",
	.place = rpmmd_place,
	.prepare = rpmmd_prepare,
	.write = rpmmd_write,
	.prune = rpmmd_prune,
	.exists = rpmmd_exists,
	.snippet = rpmmd_snippet,
};
