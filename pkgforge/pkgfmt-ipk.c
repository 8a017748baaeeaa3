// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .ipk writer, in the two forms opkg users meet (--ipk-flavor):
 *
 *   openwrt  a gzip'd tar holding ./debian-binary, ./control.tar.gz and
 *            ./data.tar.gz, as OpenWrt's ipkg-build and `opkg-build -c`
 *            write it.  OpenWrt's opkg reads nothing else: no ar outer,
 *            no compression but gzip, and tar sizes only in octal (so no
 *            file or member of 8 GiB or more).
 *   yocto    an ar archive of debian-binary, control.tar.gz and
 *            data.tar.{xz,zst,gz}, as opkg-build (Yocto's package_ipk)
 *            writes it; upstream opkg reads it through libarchive.
 *
 * Both follow opkg-build: control.tar.gz is always gzip, and holds only
 * the control file (opkg never reads an md5sums, and these packages have
 * no conffiles or maintainer scripts).  Entries of data.tar are named
 * "./opt/korg/...", root:root; the OpenWrt flavour starts it with "./"
 * as ipkg-build (which tars ".") does, the Yocto flavour does not, as
 * opkg-build (which lists the files) does not.  Modes are those convert.c
 * normalised: unlike dpkg, opkg has no rule that takes the execute bits
 * off shared libraries, and OpenWrt and Yocto packages keep them.
 *
 * As for .deb, data.tar is compressed while the source streams in and
 * spooled to an anonymous file in the output directory (debar.c, which
 * the two writers share): the control file needs Installed-Size, and
 * the outer archive needs every member's size before its content.
 */
#include <stdlib.h>
#include <string.h>

#include "debar.h"
#include "ofile.h"
#include "pcache.h"
#include "pkgfmt.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

enum ipk_flavor { IPK_OPENWRT, IPK_YOCTO };

/* Sizes OpenWrt's opkg can read: 11 octal digits in a tar header. */
#define OPENWRT_MAX_SIZE ((1ULL << 33) - 1)

struct pf_pkgw {
	const struct pf_pkgspec *spec;
	enum ipk_flavor flavor;
	enum pf_comp comp;
	const char *outdir;
	struct pf_debar_data data;
	uint64_t tar_bytes;             /* data.tar before compression */
};

static const char *ipk_arch(const struct pf_pkgspec *s)
{
	return s->arch->ipk;
}

static char *ipk_filename(const struct pf_pkgspec *s)
{
	/* opkg-build and Yocto name packages without the epoch, as dpkg does */
	return pf_asprintf("%s_%s-%s_%s.ipk", s->name, s->version, s->release, s->arch->ipk);
}

/*
 * Names and versions follow Debian's rules for opkg too; the .deb check
 * reports them, so this one checks only what opkg reads differently.
 */
static void ipk_check(const struct pf_pkgspec *s, struct pf_diag *d)
{
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &s->rel[k][PF_FMT_IPK];
		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf why = STRBUF_INIT;
			if (pf_debrel_check(l->v[i].text, true, &why) < 0)
				pf_diag_error(d, &l->v[i].loc, "invalid opkg relation '%s' in '%s': %s",
					      l->v[i].text, pf_rel_key[k], why.buf);
			else if ((k == PF_REL_PROVIDES || k == PF_REL_REPLACES) &&
				 strchr(l->v[i].text, '|'))
				pf_diag_error(d, &l->v[i].loc,
					      "invalid opkg relation '%s' in '%s': opkg takes one package name per item here, no alternatives",
					      l->v[i].text, pf_rel_key[k]);
			strbuf_release(&why);
		}
	}
}

static int flavor_parse(const char *s, enum ipk_flavor *out)
{
	if (s && !strcmp(s, "openwrt"))
		*out = IPK_OPENWRT;
	else if (s && !strcmp(s, "yocto"))
		*out = IPK_YOCTO;
	else
		return -1;
	return 0;
}

static enum pf_comp data_comp(const struct pf_buildopt *opt, enum ipk_flavor f)
{
	if (opt->comp[PF_FMT_IPK] != PF_COMP_DEFAULT)
		return opt->comp[PF_FMT_IPK];
	return f == IPK_OPENWRT ? PF_COMP_GZIP : PF_COMP_XZ;
}

static int ipk_check_opts(const struct pf_buildopt *opt, struct pf_err *e)
{
	enum ipk_flavor f;
	enum pf_comp c;

	if (flavor_parse(opt->ipk_flavor, &f) < 0)
		return pf_err_set(e, PF_EINVAL, "unknown ipk flavor '%s' (openwrt, yocto)",
				  opt->ipk_flavor ? opt->ipk_flavor : "");
	c = data_comp(opt, f);
	if (c == PF_COMP_NONE)
		return pf_err_set(e, PF_EINVAL,
				  "opkg cannot read an uncompressed data.tar: use gz, xz or zst for ipk");
	if (f == IPK_OPENWRT && c != PF_COMP_GZIP)
		return pf_err_set(e, PF_EINVAL,
				  "OpenWrt's opkg reads only gzip: %s needs --ipk-flavor yocto",
				  pf_comp_name(c));
	return 0;
}

static void ipk_free(struct pf_pkgw *w)
{
	if (!w)
		return;
	pf_debar_data_release(&w->data);
	free(w);
}

/* A writer for spec and opt, without its data.tar yet. */
static struct pf_pkgw *ipk_new(const struct pf_pkgspec *spec, const struct pf_buildopt *opt,
			       struct pf_err *e)
{
	struct pf_pkgw *w;

	if (ipk_check_opts(opt, e) < 0)
		return NULL;
	w = pf_calloc(1, sizeof(*w));
	w->spec = spec;
	w->outdir = opt->outdir;
	flavor_parse(opt->ipk_flavor, &w->flavor);
	w->comp = data_comp(opt, w->flavor);
	w->data.fd = -1;
	return w;
}

static int ipk_open(struct pf_pkgw **out, const struct pf_pkgspec *spec,
		    const struct pf_buildopt *opt, struct pf_err *e)
{
	struct pf_pkgw *w = ipk_new(spec, opt, e);

	if (!w)
		return -1;
	if (pf_debar_data_open(&w->data, opt->outdir, w->comp, opt->level[PF_FMT_IPK],
			       opt->threads, e) < 0) {
		ipk_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

static void ipk_payload_key(const struct pf_buildopt *opt, struct strbuf *out)
{
	enum ipk_flavor f = IPK_OPENWRT;
	enum pf_comp c;
	int level = opt->level[PF_FMT_IPK];

	flavor_parse(opt->ipk_flavor, &f);
	c = data_comp(opt, f);
	/* the flavours differ in data.tar too: OpenWrt's starts with "./" */
	strbuf_addf(out, "ipk %s data.tar %s %d\n", f == IPK_OPENWRT ? "openwrt" : "yocto",
		    pf_comp_name(c), level < 0 ? pf_comp_default_level(c) : level);
}

static int ipk_save(struct pf_pkgw *w, const struct pf_pcache *pc, const char *key,
		    struct pf_err *e)
{
	char info[64];

	snprintf(info, sizeof(info), "tar-bytes %llu\n", (unsigned long long)w->tar_bytes);
	if (pf_debar_data_save(&w->data, pc, key, e) < 0)
		return -1;
	return pf_pcache_put_buf(pc, key, "info", info, strlen(info), e);
}

static int ipk_open_saved(struct pf_pkgw **out, const struct pf_pkgspec *spec,
			  const struct pf_buildopt *opt, const struct pf_pcache *pc,
			  const char *key, struct pf_err *e)
{
	struct strbuf info = STRBUF_INIT;
	struct pf_pkgw *w = ipk_new(spec, opt, e);
	char *v = NULL;

	if (!w)
		return -1;
	if (pf_pcache_read(pc, key, "info", &info, e) < 0 ||
	    !(v = pf_pcache_field(info.buf, "tar-bytes")) ||
	    pf_debar_data_open_saved(&w->data, pc, key, e) < 0) {
		if (!v && !e->msg.len)
			pf_err_set(e, PF_EFAIL, "a damaged payload cache item %s.info", key);
		free(v);
		strbuf_release(&info);
		ipk_free(w);
		return -1;
	}
	w->tar_bytes = strtoull(v, NULL, 10);
	free(v);
	strbuf_release(&info);
	*out = w;
	return 0;
}

static int ipk_begin(struct pf_pkgw *w, const struct pf_entry *ent, struct pf_err *e)
{
	if (w->flavor == IPK_OPENWRT) {
		if (ent->type == PF_E_REG && ent->size > OPENWRT_MAX_SIZE)
			return pf_err_set(e, PF_EINVAL,
					  "/%s is 8 GiB or more, which OpenWrt's opkg cannot read (its tar headers hold sizes in 11 octal digits): build it with --ipk-flavor yocto",
					  ent->path);
		/* ipkg-build tars ".", so its data.tar starts with "./" */
		if (pf_debar_data_root(&w->data, ent->mtime, e) < 0)
			return -1;
	}
	return pf_tarw_entry(w->data.tar, ent, e);
}

static int ipk_data(struct pf_pkgw *w, const void *buf, size_t len, struct pf_err *e)
{
	return pf_tarw_data(w->data.tar, buf, len, e);
}

/*
 * The control file.  opkg reads Installed-Size in bytes (it rounds up to
 * KiB for its free-space check); OpenWrt's ipkg-build writes the size of
 * the uncompressed data.tar, and so do we, in both flavours.  Provides
 * and Replaces are bare names: OpenWrt's opkg splits them at spaces and
 * neither opkg has versioned Provides (Yocto's package_ipk drops their
 * versions for the same reason).  opkg ignores fields it does not know;
 * License and Homepage are those Yocto writes.
 */
static void ipk_control(const struct pf_pkgspec *s, const struct pf_pkgsum *sum,
			enum ipk_flavor flavor, uint64_t installed_size, struct strbuf *c)
{
	char *full = pf_pkgspec_fullversion(s);

	strbuf_addf(c, "Package: %s\n", s->name);
	strbuf_addf(c, "Version: %s\n", full);
	strbuf_addf(c, "Architecture: %s\n", s->arch->ipk);
	strbuf_addf(c, "Maintainer: %s\n", s->maintainer);
	strbuf_addf(c, "Installed-Size: %llu\n", (unsigned long long)installed_size);
	pf_control_relations(c, sum->rel, PF_FMT_IPK,
			     (1u << PF_REL_PROVIDES) | (1u << PF_REL_REPLACES));
	strbuf_addf(c, "Section: %s\n", s->section);
	strbuf_addf(c, "Priority: %s\n", s->priority);
	strbuf_addf(c, "License: %s\n", s->license);
	/* OpenWrt's opkg manages alternatives itself, from this field
	 * (priority:link:target); it has no update-alternatives command */
	if (flavor == IPK_OPENWRT && s->nr_alts) {
		strbuf_addstr(c, "Alternatives: ");
		for (size_t i = 0; i < s->nr_alts; i++)
			strbuf_addf(c, "%s%ld:%s:%s", i ? ", " : "", s->alts[i].priority,
				    s->alts[i].link, s->alts[i].path);
		strbuf_addch(c, '\n');
	}
	if (s->homepage)
		strbuf_addf(c, "Homepage: %s\n", s->homepage);
	pf_control_description(c, s->summary, s->description);
	free(full);
}

/* The OpenWrt outer archive: a tar in a gzip stream. */
static int write_openwrt(struct pf_pkgw *w, struct pf_ofile *o, int64_t mtime,
			 const struct strbuf *ctar, struct pf_err *e)
{
	struct pf_tarw *t = NULL;
	int ret = -1;

	if (w->data.len > OPENWRT_MAX_SIZE)
		return pf_err_set(e, PF_EINVAL,
				  "data.tar.gz is 8 GiB or more, which OpenWrt's opkg cannot read: build it with --ipk-flavor yocto");
	/*
	 * Its members are compressed already: deflate finds nothing left
	 * to gain and only costs a pass over the whole package (a 500 MB
	 * data.tar.gz takes ~10 s at any level but 0, and grows), so the
	 * gzip stream stores them (level 0), which every gzip reader reads.
	 */
	if (pf_tarw_open_fd(&t, o->fd, PF_COMP_GZIP, 0, 1, e) < 0)
		return -1;
	if (pf_tarw_file(t, "debian-binary", 0644, mtime, "2.0\n", 4, e) < 0 ||
	    pf_tarw_file(t, "control.tar.gz", 0644, mtime, ctar->buf, ctar->len, e) < 0 ||
	    pf_tarw_file_fd(t, "data.tar.gz", 0644, mtime, w->data.fd, w->data.len, e) < 0 ||
	    pf_tarw_close(t, NULL, e) < 0)
		goto out;
	ret = 0;
out:
	pf_tarw_free(t);
	return ret;
}

static int ipk_finish(struct pf_pkgw *w, const struct pf_pkgsum *sum, struct pf_err *e)
{
	struct strbuf control = STRBUF_INIT, ctar = STRBUF_INIT;
	struct pf_tarw *ct = NULL;
	struct pf_ofile o = PF_OFILE_INIT;
	char *name = NULL, *path = NULL;
	int ret = -1;

	/* a package without files (a metapackage) still has "./" in OpenWrt's form */
	if (pf_debar_data_close(&w->data, w->flavor == IPK_OPENWRT, sum->timestamp, e) < 0)
		goto out;
	if (w->data.tar)
		w->tar_bytes = pf_tarw_tar_bytes(w->data.tar);
	ipk_control(w->spec, sum, w->flavor, w->tar_bytes, &control);
	/* opkg-build: gzip -9, only the control file; ipkg-build also has "./" */
	if (pf_tarw_open_mem(&ct, &ctar, PF_COMP_GZIP, 9, e) < 0 ||
	    (w->flavor == IPK_OPENWRT &&
	     pf_tarw_file(ct, ".", 0755, sum->timestamp, NULL, 0, e) < 0) ||
	    pf_tarw_file(ct, "control", 0644, sum->timestamp, control.buf, control.len, e) < 0)
		goto out;
	/* Yocto's opkg runs maintainer scripts with opkg-utils' update-alternatives */
	if ((w->flavor == IPK_YOCTO &&
	     pf_debar_scripts(ct, w->spec, "ipk", sum->timestamp, e) < 0) ||
	    pf_tarw_close(ct, NULL, e) < 0)
		goto out;

	name = ipk_filename(w->spec);
	path = pf_asprintf("%s/%s", w->outdir, name);
	if (pf_ofile_open(&o, path, e) < 0)
		goto out;
	/* Yocto's outer archive is ar, as for .deb */
	if ((w->flavor == IPK_OPENWRT ?
	     write_openwrt(w, &o, sum->timestamp, &ctar, e) :
	     pf_debar_write(&o, sum->timestamp, "control.tar.gz", &ctar, w->comp, &w->data,
			    e)) < 0) {
		pf_ofile_abort(&o);
		goto out;
	}
	if (pf_ofile_commit(&o, 0644, e) < 0)
		goto out;
	ret = 0;
out:
	pf_tarw_free(ct);
	strbuf_release(&control);
	strbuf_release(&ctar);
	free(name);
	free(path);
	return ret;
}

const struct pf_pkgfmt pf_pkgfmt_ipk = {
	.name = "ipk",
	.id = PF_FMT_IPK,
	.check = ipk_check,
	.filename = ipk_filename,
	.arch = ipk_arch,
	.check_opts = ipk_check_opts,
	.open = ipk_open,
	.begin = ipk_begin,
	.data = ipk_data,
	.finish = ipk_finish,
	.free = ipk_free,
	.payload_key = ipk_payload_key,
	.save = ipk_save,
	.open_saved = ipk_open_saved,
};
