// SPDX-License-Identifier: GPL-2.0-or-later
/* The keyring package of a repository (keyring.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdutil.h"
#include "convert.h"
#include "digest.h"
#include "keyring.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "repofmt.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

char *pf_keyring_version(const struct pf_keyring *k)
{
	struct pf_digest *d = pf_digest_new(PF_SHA256);
	unsigned char dg[32];
	char hex[65];
	time_t t = (time_t)k->created;
	struct tm tm;

	pf_digest_update(d, k->bin->buf, k->bin->len);
	pf_digest_update(d, k->usign_pub->buf, k->usign_pub->len);
	pf_digest_final(d, dg);
	pf_digest_free(d);
	pf_hex(hex, dg, 32);
	gmtime_r(&t, &tm);
	return pf_asprintf("%04d.%02d.%02d+%.8s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			   hex);
}

/* What the package holds in format fmt: its prefix, one file. */
static int contents(const struct pf_keyring *k, enum pf_fmt_id fmt, const char **prefix,
		    char **file, const struct strbuf **data)
{
	switch (fmt) {
	case PF_FMT_DEB:
		*prefix = "/usr/share/keyrings";
		*file = pf_asprintf("%s.gpg", k->keyfile);
		*data = k->bin;
		return 0;
	case PF_FMT_RPM:
		*prefix = "/etc/pki/rpm-gpg";
		*file = pf_asprintf("RPM-GPG-KEY-%s", k->origin);
		*data = k->asc;
		return 0;
	case PF_FMT_IPK:
		if (!k->usign_pub->len)
			return -1;
		*prefix = "/etc/opkg/keys";
		*file = pf_strdup(k->usign_fp);
		*data = k->usign_pub;
		return 0;
	case PF_FMT_NR:
		break;
	}
	return -1;
}

static int convert_one(const char *manifest, const char *tarball, enum pf_fmt_id fmt,
		       const struct pf_keyring *k, char **path, struct pf_err *e)
{
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_profiles profiles = { NULL, 0, 0, NULL };
	struct pf_convert conv;
	struct pf_buildopt opt;
	struct pf_pkgspec *spec;
	const struct pf_pkgfmt *fmts[1] = { pf_pkgfmts[fmt] };
	char *args[1] = { (char *)manifest };
	int fd = -1, ret = -1;

	memset(&conv, 0, sizeof(conv));
	memset(&opt, 0, sizeof(opt));
	if (pf_load_and_plan(1, args, &ms, &plan, &d) < 0 || plan.nr != 1) {
		pf_err_set(e, PF_EFAIL, "the keyring package's manifest: %s",
			   d.nr ? d.lines[0] : "no package");
		goto out;
	}
	spec = &plan.v[0];
	if (pf_source_verify(tarball, spec, &fd, e) < 0)
		goto out;
	opt.outdir = k->outdir;
	for (int f = 0; f < PF_FMT_NR; f++)
		opt.level[f] = -1;
	opt.threads = 1;
	opt.sde = k->created;
	opt.sde_set = true;
	opt.ipk_flavor = "openwrt";
	conv.srcpath = tarball;
	conv.fd = fd;
	conv.sha256 = spec->sha256;
	conv.specs = &spec;
	conv.nspecs = 1;
	conv.fmts = fmts;
	conv.nfmts = 1;
	conv.opt = &opt;
	conv.profiles = &profiles;
	if (pf_convert_run(&conv, e) < 0)
		goto out;
	if (conv.written.nr != 1) {
		pf_err_set(e, PF_EFAIL, "the keyring package was not written");
		goto out;
	}
	*path = pf_strdup(conv.written.v[0]);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	pf_convert_release(&conv);
	pf_profiles_release(&profiles);
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	return ret;
}

int pf_keyring_build(const struct pf_keyring *k, enum pf_fmt_id fmt, char **path,
		     struct pf_err *e)
{
	struct strbuf tar = STRBUF_INIT, yaml = STRBUF_INIT;
	struct pf_tarw *t = NULL;
	const struct strbuf *data;
	const char *prefix;
	char *file = NULL, *member = NULL, *tarpath = NULL, *ypath = NULL, *version = NULL;
	unsigned char dg[32];
	char hex[65];
	int ret = -1;

	*path = NULL;
	if (contents(k, fmt, &prefix, &file, &data) < 0)
		return pf_err_set(e, PF_EFAIL, "no keyring for %s", pf_fmt_key[fmt]);
	if (pf_mkdir_p(k->workdir, 0755, e) < 0)
		goto out;
	/* the keys as a tarball with one top directory, as upstream's are */
	member = pf_asprintf("keyring/%s", file);
	if (pf_tarw_open_mem(&t, &tar, PF_COMP_NONE, -1, e) < 0 ||
	    pf_tarw_file(t, member, 0644, k->created, data->buf, data->len, e) < 0 ||
	    pf_tarw_close(t, NULL, e) < 0)
		goto out;
	tarpath = pf_asprintf("%s/%s-%s.tar", k->workdir, k->name, pf_fmt_key[fmt]);
	if (pf_ofile_put(tarpath, tar.buf, tar.len, e) < 0)
		goto out;
	pf_digest_buf(PF_SHA256, tar.buf, tar.len, dg);
	pf_hex(hex, dg, 32);
	version = pf_keyring_version(k);
	if (pf_repo_template("keyring/manifest.yaml", &yaml, e, "origin", k->origin,
			     "format", pf_fmt_key[fmt], "name", k->name,
			     "maintainer", k->maintainer, "prefix", prefix, "tarball", tarpath,
			     "version", version, "sha256", hex, NULL) < 0)
		goto out;
	ypath = pf_asprintf("%s/%s-%s.yaml", k->workdir, k->name, pf_fmt_key[fmt]);
	if (pf_ofile_put(ypath, yaml.buf, yaml.len, e) < 0)
		goto out;
	if (convert_one(ypath, tarpath, fmt, k, path, e) < 0) {
		pf_err_prefix(e, "the keyring package (%s)", pf_fmt_key[fmt]);
		goto out;
	}
	ret = 0;
out:
	pf_tarw_free(t);
	strbuf_release(&tar);
	strbuf_release(&yaml);
	free(file);
	free(member);
	free(tarpath);
	free(ypath);
	free(version);
	return ret;
}
