// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .deb writer: ar(debian-binary, control.tar.xz, data.tar.<comp>).
 * data.tar is compressed while the source streams in and spooled to an
 * anonymous file in the output directory, because control.tar (with
 * md5sums and Installed-Size) must come first in the ar archive; that
 * part is shared with the .ipk writer (debar.c).
 * This is the only file besides the apt index that uses libdpkg.
 */
#define LIBDPKG_VOLATILE_API 1
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/error.h>

#include "debar.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

struct pf_pkgw {
	const struct pf_pkgspec *spec;
	const struct pf_buildopt *opt;
	enum pf_comp comp;
	struct pf_debar_data data;
};

/*
 * libdpkg's parseversion() keeps its copies in one allocator for the
 * whole process (nfmalloc, an obstack): two threads parsing at once
 * corrupt it.  Versions are compared from several threads (the index's
 * profile data loads while packages are sorted; builds run jobs on
 * threads), so every use of it goes through this lock.
 */
static pthread_mutex_t dpkg_lock = PTHREAD_MUTEX_INITIALIZER;

int pf_debver_cmp(const char *a, const char *b)
{
	struct dpkg_version va, vb;
	struct dpkg_error err = DPKG_ERROR_INIT;
	bool oka, okb;
	int c;

	pthread_mutex_lock(&dpkg_lock);
	oka = parseversion(&va, a, &err) == 0;
	dpkg_error_destroy(&err);
	okb = parseversion(&vb, b, &err) == 0;
	dpkg_error_destroy(&err);
	/* a malformed version sorts first */
	c = !oka || !okb ? oka - okb : dpkg_version_compare(&va, &vb);
	pthread_mutex_unlock(&dpkg_lock);
	return c;
}

bool pf_debver_valid(const char *v)
{
	struct dpkg_version ver;
	struct dpkg_error err = DPKG_ERROR_INIT;
	bool ok;

	pthread_mutex_lock(&dpkg_lock);
	ok = parseversion(&ver, v, &err) == 0 && err.type == DPKG_MSG_NONE;
	pthread_mutex_unlock(&dpkg_lock);
	dpkg_error_destroy(&err);
	return ok;
}

static const char *deb_arch(const struct pf_pkgspec *s)
{
	return s->arch->deb;
}

static char *deb_filename(const struct pf_pkgspec *s)
{
	/* the epoch is not part of a .deb's file name */
	return pf_asprintf("%s_%s-%s_%s.deb", s->name, s->version, s->release, s->arch->deb);
}

static void deb_check(const struct pf_pkgspec *s, struct pf_diag *d)
{
	static const char *const priorities[] = {
		"required", "important", "standard", "optional", "extra", NULL,
	};
	const struct pf_manifest *m = s->m;
	struct dpkg_version ver;
	struct dpkg_error err = DPKG_ERROR_INIT;
	char *full;
	bool prio_ok = false, bad, illegal;

	/* Debian policy 5.6.1 is stricter than dpkg (no upper case, no '_');
	 * dpkg's answer is in a static buffer: only whether there is one */
	pthread_mutex_lock(&dpkg_lock);
	illegal = pkg_name_is_illegal(s->name) != NULL;
	pthread_mutex_unlock(&dpkg_lock);
	if (illegal || !pf_debname_ok(s->name))
		pf_diag_error(d, &m->package.loc,
			      "package name '%s' is not valid for Debian: use lower case letters, digits, '+', '-' and '.', starting with a letter or digit",
			      s->name);
	full = pf_pkgspec_fullversion(s);
	pthread_mutex_lock(&dpkg_lock);
	bad = parseversion(&ver, full, &err) < 0 || err.type != DPKG_MSG_NONE;
	pthread_mutex_unlock(&dpkg_lock);
	if (bad) {
		pf_diag_error(d, &s->mv->version.loc, "version '%s' is not valid for Debian: %s",
			      full, err.str ? err.str : "malformed");
		dpkg_error_destroy(&err);
	}
	free(full);
	for (const char *const *p = priorities; *p; p++)
		prio_ok |= !strcmp(*p, s->priority);
	if (!prio_ok)
		pf_diag_error(d, &m->priority.loc, "priority '%s' is not a Debian priority", s->priority);
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &s->rel[k][PF_FMT_DEB];
		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf whyb = STRBUF_INIT;
			if (pf_debrel_check(l->v[i].text, true, &whyb) < 0)
				pf_diag_error(d, &l->v[i].loc, "invalid Debian relation '%s' in '%s': %s",
					      l->v[i].text, pf_rel_key[k], whyb.buf);
			strbuf_release(&whyb);
		}
	}
}

static enum pf_comp deb_comp(const struct pf_buildopt *opt)
{
	return opt->comp[PF_FMT_DEB] == PF_COMP_DEFAULT ? PF_COMP_XZ : opt->comp[PF_FMT_DEB];
}

static void deb_free(struct pf_pkgw *w)
{
	if (!w)
		return;
	pf_debar_data_release(&w->data);
	free(w);
}

static struct pf_pkgw *deb_new(const struct pf_pkgspec *spec, const struct pf_buildopt *opt)
{
	struct pf_pkgw *w = pf_calloc(1, sizeof(*w));

	w->spec = spec;
	w->opt = opt;
	w->comp = deb_comp(opt);
	w->data.fd = -1;
	return w;
}

static int deb_open(struct pf_pkgw **out, const struct pf_pkgspec *spec,
		    const struct pf_buildopt *opt, struct pf_err *e)
{
	struct pf_pkgw *w = deb_new(spec, opt);

	if (pf_debar_data_open(&w->data, opt->outdir, w->comp, opt->level[PF_FMT_DEB],
			       opt->threads, e) < 0) {
		deb_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

/*
 * Debian wants shared libraries and static archives without execute
 * bits (policy 8.1, lintian's shared-library-is-executable); dh_fixperms
 * decides by name, and so do we.
 */
static bool deb_no_exec(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return pf_ends_with(base, ".so") || strstr(base, ".so.") ||
	       pf_ends_with(base, ".a") || pf_ends_with(base, ".la");
}

static int deb_begin(struct pf_pkgw *w, const struct pf_entry *ent, struct pf_err *e)
{
	struct pf_entry fixed;

	if ((ent->type == PF_E_REG || ent->type == PF_E_HARDLINK) &&
	    (ent->mode & 0111) && deb_no_exec(ent->path)) {
		fixed = *ent;
		fixed.mode &= ~0111u;
		ent = &fixed;
	}
	/* dpkg-deb starts data.tar with "./"; it takes the first entry's time */
	if (pf_debar_data_root(&w->data, ent->mtime, e) < 0)
		return -1;
	return pf_tarw_entry(w->data.tar, ent, e);
}

static int deb_data(struct pf_pkgw *w, const void *buf, size_t len, struct pf_err *e)
{
	return pf_tarw_data(w->data.tar, buf, len, e);
}

/* md5sums: every regular file (hardlinks too), in package order */
static void deb_md5sums(const struct pf_filelist *files, struct strbuf *out)
{
	char hex[33];

	for (size_t i = 0; i < files->nr; i++) {
		const struct pf_entry *ent = &files->v[i];
		if (ent->type != PF_E_REG && ent->type != PF_E_HARDLINK)
			continue;
		pf_hex(hex, ent->md5, 16);
		strbuf_addf(out, "%s  %s\n", hex, ent->path);
	}
}

static void deb_payload_key(const struct pf_buildopt *opt, struct strbuf *out)
{
	enum pf_comp c = deb_comp(opt);
	int level = opt->level[PF_FMT_DEB];

	strbuf_addf(out, "deb data.tar %s %d\n", pf_comp_name(c),
		    level < 0 ? pf_comp_default_level(c) : level);
}

static int deb_save(struct pf_pkgw *w, const struct pf_pcache *pc, const char *key,
		    struct pf_err *e)
{
	return pf_debar_data_save(&w->data, pc, key, e);
}

static int deb_open_saved(struct pf_pkgw **out, const struct pf_pkgspec *spec,
			  const struct pf_buildopt *opt, const struct pf_pcache *pc,
			  const char *key, struct pf_err *e)
{
	struct pf_pkgw *w = deb_new(spec, opt);

	if (pf_debar_data_open_saved(&w->data, pc, key, e) < 0) {
		deb_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

static void deb_control(const struct pf_pkgspec *s, const struct pf_pkgsum *sum,
			struct strbuf *c)
{
	char *full = pf_pkgspec_fullversion(s);

	strbuf_addf(c, "Package: %s\n", s->name);
	strbuf_addf(c, "Version: %s\n", full);
	strbuf_addf(c, "Architecture: %s\n", s->arch->deb);
	strbuf_addf(c, "Maintainer: %s\n", s->maintainer);
	strbuf_addf(c, "Installed-Size: %llu\n", (unsigned long long)sum->installed_kib);
	pf_control_relations(c, sum->rel, PF_FMT_DEB, 0);
	strbuf_addf(c, "Section: %s\n", s->section);
	strbuf_addf(c, "Priority: %s\n", s->priority);
	if (s->homepage)
		strbuf_addf(c, "Homepage: %s\n", s->homepage);
	pf_control_description(c, s->summary, s->description);
	free(full);
}

static int deb_finish(struct pf_pkgw *w, const struct pf_pkgsum *sum, struct pf_err *e)
{
	struct strbuf control = STRBUF_INIT, ctar = STRBUF_INIT;
	struct pf_tarw *ct = NULL;
	struct strbuf md5sums = STRBUF_INIT;
	struct pf_ofile o = PF_OFILE_INIT;
	char *name = NULL, *path = NULL;
	int ret = -1;

	if (pf_debar_data_close(&w->data, true, sum->timestamp, e) < 0)
		goto out;
	deb_md5sums(sum->files, &md5sums);
	deb_control(w->spec, sum, &control);
	if (pf_tarw_open_mem(&ct, &ctar, PF_COMP_XZ, 6, e) < 0 ||
	    pf_tarw_file(ct, ".", 0755, sum->timestamp, NULL, 0, e) < 0 ||
	    pf_tarw_file(ct, "control", 0644, sum->timestamp, control.buf, control.len, e) < 0 ||
	    (md5sums.len &&
	     pf_tarw_file(ct, "md5sums", 0644, sum->timestamp, md5sums.buf, md5sums.len, e) < 0))
		goto out;
	if (pf_debar_scripts(ct, w->spec, "deb", sum->timestamp, e) < 0 ||
	    pf_tarw_close(ct, NULL, e) < 0)
		goto out;

	name = deb_filename(w->spec);
	path = pf_asprintf("%s/%s", w->opt->outdir, name);
	if (pf_ofile_open(&o, path, e) < 0)
		goto out;
	if (pf_debar_write(&o, sum->timestamp, "control.tar.xz", &ctar, w->comp, &w->data,
			   e) < 0) {
		pf_ofile_abort(&o);
		goto out;
	}
	if (pf_ofile_commit(&o, 0644, e) < 0)
		goto out;
	ret = 0;
out:
	pf_tarw_free(ct);
	strbuf_release(&md5sums);
	strbuf_release(&control);
	strbuf_release(&ctar);
	free(name);
	free(path);
	return ret;
}

const struct pf_pkgfmt pf_pkgfmt_deb = {
	.name = "deb",
	.id = PF_FMT_DEB,
	.check = deb_check,
	.filename = deb_filename,
	.arch = deb_arch,
	.open = deb_open,
	.begin = deb_begin,
	.data = deb_data,
	.finish = deb_finish,
	.free = deb_free,
	.payload_key = deb_payload_key,
	.save = deb_save,
	.open_saved = deb_open_saved,
};
