// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge build FILE|DIR... -o DIR: tarballs → packages, one pass each. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdutil.h"
#include "convert.h"
#include "digest.h"
#include "pkgfmt.h"
#include "pkgforge.h"
#include "tarw.h"
#include "profile.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge build [options] -o DIR MANIFEST|DIR...\n"
	"\n"
	"Build the packages that manifests describe.  Each source tarball is\n"
	"verified against its pinned sha256, then read once and turned into\n"
	"every requested package and format without extracting anything.\n"
	"\n"
	"  -o, --output DIR          where packages go (created if missing)\n"
	"  -s, --source PATH         a local tarball, or a directory holding them\n"
	"                            under their upstream names (repeatable);\n"
	"                            file:// URLs in manifests are read directly\n"
	"  -f, --format LIST         formats to write (default: deb)\n"
	"      --deb-compression C   data.tar compression: xz (default), gz, zst,\n"
	"                            none; C:LEVEL sets the level\n"
	"      --ipk-flavor F        openwrt (default: gzip'd tar, what OpenWrt's\n"
	"                            opkg reads) or yocto (ar, like a .deb)\n"
	"      --ipk-compression C   data.tar compression: gz (openwrt's only and\n"
	"                            default), xz (yocto's default), zst; C:LEVEL\n"
	"      --rpm-compression C   rpm payload compression, the same choices\n"
	"  -j, --threads N           compressor threads (default: CPUs online)\n"
	"      --only GLOB           only packages whose name matches (repeatable)\n"
	"      --host HOST           only this host or architecture (repeatable)\n"
	"      --version V           only this upstream version (repeatable)\n"
	"  -q, --quiet               no progress display\n"
	"\n"
	"Timestamps come from SOURCE_DATE_EPOCH when set (newer ones are\n"
	"clamped to it), otherwise from the newest file of the tarball, so the\n"
	"same inputs give the same bytes.\n"
	"\n"
	"Exit status: 0 ok, 1 failure (I/O, checksum), 2 invalid input.\n";

struct source {
	char *path;
	char *sha256;           /* the pin it must match */
	const struct pf_pkgspec *first;
	struct pf_pkgspec **specs;
	bool *stamp_only;       /* read for the timestamp of a metapackage */
	size_t nr, alloc, salloc;
};

struct sources {
	struct source *v;
	size_t nr, alloc;
};

/* Put spec in the group of its source file (one pass per tarball). */
static int add_to_source(struct sources *ss, struct pf_pkgspec *s, bool stamp_only,
			 char **srcpaths, size_t nsrc, struct pf_err *e)
{
	struct source *src = NULL;
	char *path = pf_find_source(s, srcpaths, nsrc);

	if (!path)
		return pf_err_set(e, PF_EFAIL,
				  "no local source for %s %s (%s): give --source DIR or FILE",
				  s->name, s->version, s->file);
	for (size_t k = 0; k < ss->nr && !src; k++)
		if (!strcmp(ss->v[k].path, path))
			src = &ss->v[k];
	if (src && strcmp(src->sha256, s->sha256)) {
		pf_err_set(e, PF_EINVAL,
			   "%s is pinned to two different sha256 values (%s:%d and %s:%d)",
			   path, src->first->sha_loc.file, src->first->sha_loc.line,
			   s->sha_loc.file, s->sha_loc.line);
		free(path);
		return -1;
	}
	if (!src) {
		PF_ALLOC_GROW(ss->v, ss->nr + 1, ss->alloc);
		src = &ss->v[ss->nr++];
		memset(src, 0, sizeof(*src));
		src->path = path;
		src->sha256 = s->sha256;
		src->first = s;
	} else {
		free(path);
	}
	for (size_t i = 0; i < src->nr; i++)
		if (src->specs[i] == s)
			return 0;
	PF_ALLOC_GROW(src->specs, src->nr + 1, src->alloc);
	PF_ALLOC_GROW(src->stamp_only, src->nr + 1, src->salloc);
	src->stamp_only[src->nr] = stamp_only;
	src->specs[src->nr++] = s;
	return 0;
}

static int parse_comp(const char *arg, enum pf_comp *c, int *level, struct pf_err *e)
{
	char *copy = pf_strdup(arg), *colon = strchr(copy, ':');
	int ret = 0;

	*level = -1;
	if (colon) {
		char *end;
		long v;
		*colon = '\0';
		v = strtol(colon + 1, &end, 10);
		if (!colon[1] || *end || v < 0 || v > 22)
			ret = pf_err_set(e, PF_EINVAL, "invalid compression level '%s'", colon + 1);
		*level = (int)v;
	}
	if (!ret && pf_comp_parse(copy, c) < 0)
		ret = pf_err_set(e, PF_EINVAL, "unknown compression '%s' (xz, gz, zst, none)", copy);
	/* what the compressors accept, checked before any work is done */
	if (!ret && colon) {
		int lo, hi;

		pf_comp_level_range(*c, &lo, &hi);
		if (*c == PF_COMP_NONE)
			ret = pf_err_set(e, PF_EINVAL, "'none' takes no compression level");
		else if (*level < lo || *level > hi)
			ret = pf_err_set(e, PF_EINVAL, "%s has no level %d (%d to %d)",
					 pf_comp_name(*c), *level, lo, hi);
	}
	free(copy);
	return ret;
}

static int mkdir_p(const char *dir, struct pf_err *e)
{
	char *copy = pf_strdup(dir);
	int ret = 0;

	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
				ret = pf_err_errno(e, "cannot create %s", copy);
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

int cmd_build(int argc, char **argv)
{
	enum { O_ONLY = 256, O_HOST, O_VERSION, O_DEBCOMP, O_RPMCOMP, O_IPKFLAVOR, O_IPKCOMP };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'j' },
		{ "deb-compression", required_argument, NULL, O_DEBCOMP },
		{ "ipk-flavor", required_argument, NULL, O_IPKFLAVOR },
		{ "ipk-compression", required_argument, NULL, O_IPKCOMP },
		{ "rpm-compression", required_argument, NULL, O_RPMCOMP },
		{ "only", required_argument, NULL, O_ONLY },
		{ "host", required_argument, NULL, O_HOST },
		{ "version", required_argument, NULL, O_VERSION },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_err e = PF_ERR_INIT;
	struct pf_filter filt;
	struct pf_buildopt opt;
	bool want[PF_FMT_NR] = { true, false, false };
	const struct pf_pkgfmt *fmts[PF_FMT_NR];
	size_t nfmts = 0;
	char *srcpaths[64];
	size_t nsrc = 0;
	struct sources sources = { NULL, 0, 0 };
	bool *selected = NULL;
	int64_t *stamps = NULL;
	struct pf_profiles profiles = { NULL, 0, 0 };
	struct pf_pkgspec **metas = NULL;
	size_t nmetas = 0, malloc_ = 0;
	int quiet = 0, c, ret = 2, sde;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&filt, 0, sizeof(filt));
	memset(&opt, 0, sizeof(opt));
	for (int f = 0; f < PF_FMT_NR; f++)
		opt.level[f] = -1;
	opt.threads = ncpu > 0 ? (int)ncpu : 1;
	opt.ipk_flavor = "openwrt";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:f:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.outdir = optarg;
			break;
		case 's':
			if (nsrc == PF_ARRAY_SIZE(srcpaths)) {
				fprintf(stderr, "pkgforge: error: too many --source options\n");
				return 2;
			}
			srcpaths[nsrc++] = optarg;
			break;
		case 'f':
			if (pf_parse_formats(optarg, want, &e) < 0)
				goto usage_err;
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 256) {
				pf_err_set(&e, PF_EINVAL, "invalid thread count '%s'", optarg);
				goto usage_err;
			}
			opt.threads = (int)v;
			break;
		}
		case O_DEBCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_DEB], &opt.level[PF_FMT_DEB], &e) < 0)
				goto usage_err;
			break;
		case O_IPKFLAVOR:
			opt.ipk_flavor = optarg;
			break;
		case O_IPKCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_IPK], &opt.level[PF_FMT_IPK], &e) < 0)
				goto usage_err;
			break;
		case O_RPMCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_RPM], &opt.level[PF_FMT_RPM], &e) < 0)
				goto usage_err;
			break;
		case O_ONLY:
		case O_HOST:
		case O_VERSION:
			if ((c == O_ONLY && pf_filter_add(filt.only, &filt.nr_only, 16, optarg) < 0) ||
			    (c == O_HOST && pf_filter_add(filt.host, &filt.nr_host, 8, optarg) < 0) ||
			    (c == O_VERSION && pf_filter_add(filt.version, &filt.nr_version, 16, optarg) < 0)) {
				pf_err_set(&e, PF_EINVAL, "too many filters of one kind");
				goto usage_err;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc || !opt.outdir) {
		fputs(usage_text, stderr);
		return 2;
	}
	sde = pf_source_date_epoch(&opt.sde);
	if (sde < 0) {
		pf_err_set(&e, PF_EINVAL, "SOURCE_DATE_EPOCH must be a number of seconds since 1970");
		goto usage_err;
	}
	opt.sde_set = sde > 0;
	for (int f = 0; f < PF_FMT_NR; f++)
		if (pf_pkgfmts[f]->check_opts && pf_pkgfmts[f]->check_opts(&opt, &e) < 0)
			goto usage_err;
	for (int f = 0; f < PF_FMT_NR; f++)
		if (want[f])
			fmts[nfmts++] = pf_pkgfmts[f];

	if (pf_load_and_plan(argc - optind, argv + optind, &ms, &plan, &d) < 0) {
		pf_diag_print(&d, stderr);
		goto out;
	}
	pf_diag_print(&d, stderr);

	/* group the selected packages by source file: one pass per tarball */
	selected = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*selected));
	for (size_t i = 0; i < plan.nr; i++)
		selected[i] = pf_filter_match(&filt, &plan.v[i]);
	for (size_t i = 0; i < plan.nr; i++) {
		struct pf_pkgspec *s = &plan.v[i];

		if (!selected[i])
			continue;
		if (s->meta) {
			PF_ALLOC_GROW(metas, nmetas + 1, malloc_);
			metas[nmetas++] = s;
			/* its time is its target's: read that tarball too */
			if (!selected[s->meta_target] && !opt.sde_set &&
			    add_to_source(&sources, &plan.v[s->meta_target], true,
					  srcpaths, nsrc, &e) < 0) {
				ret = e.code;
				goto fail;
			}
			continue;
		}
		if (add_to_source(&sources, s, false, srcpaths, nsrc, &e) < 0) {
			ret = e.code;
			goto fail;
		}
	}
	for (size_t i = 0; i < nsrc; i++) {
		struct stat st;
		bool used = false;
		if (stat(srcpaths[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		for (size_t k = 0; k < sources.nr && !used; k++)
			used = !strcmp(sources.v[k].path, srcpaths[i]);
		if (!used) {
			pf_err_set(&e, PF_EINVAL,
				   "--source %s: no selected package is built from a file of this name",
				   srcpaths[i]);
			goto fail;
		}
	}
	if (!sources.nr && !nmetas) {
		pf_err_set(&e, PF_EINVAL, "no package matches the filters");
		goto fail;
	}
	if (mkdir_p(opt.outdir, &e) < 0) {
		ret = 1;
		goto fail;
	}
	stamps = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*stamps));
	for (size_t k = 0; k < sources.nr; k++) {
		const struct source *src = &sources.v[k];
		struct pf_convert conv;
		int fd = -1;

		memset(&conv, 0, sizeof(conv));
		if (pf_source_verify(src->path, src->first, &fd, &e) < 0) {
			ret = 1;
			goto fail;
		}
		conv.srcpath = src->path;
		conv.fd = fd;
		conv.sha256 = src->sha256;
		conv.specs = src->specs;
		conv.nspecs = src->nr;
		conv.stamp_only = src->stamp_only;
		conv.fmts = fmts;
		conv.nfmts = nfmts;
		conv.opt = &opt;
		conv.progress = !quiet && isatty(2);
		for (size_t f = 0; f < nfmts; f++)
			conv.derive[fmts[f]->id] = true;
		conv.profiles = &profiles;
		if (pf_convert_run(&conv, &e) < 0) {
			close(fd);
			pf_convert_release(&conv);
			ret = e.code ? e.code : 1;
			goto fail;
		}
		close(fd);
		for (size_t i = 0; i < conv.written.nr; i++)
			printf("%s\n", conv.written.v[i]);
		fflush(stdout);
		for (size_t i = 0; i < src->nr; i++)
			stamps[src->specs[i] - plan.v] = conv.timestamps[i];
		pf_convert_release(&conv);
	}
	if (nmetas) {
		struct pf_convert conv;
		int64_t *mstamps = pf_calloc(nmetas, sizeof(*mstamps));

		/* a metapackage takes its target's time: the same bytes
		 * whether or not the target is built in the same run */
		for (size_t i = 0; i < nmetas; i++)
			mstamps[i] = opt.sde_set ? opt.sde : stamps[metas[i]->meta_target];
		memset(&conv, 0, sizeof(conv));
		conv.meta_timestamps = mstamps;
		conv.specs = metas;
		conv.nspecs = nmetas;
		conv.fmts = fmts;
		conv.nfmts = nfmts;
		conv.opt = &opt;
		if (pf_convert_meta(&conv, &e) < 0) {
			pf_convert_release(&conv);
			free(mstamps);
			ret = 1;
			goto fail;
		}
		free(mstamps);
		for (size_t i = 0; i < conv.written.nr; i++)
			printf("%s\n", conv.written.v[i]);
		pf_convert_release(&conv);
	}
	ret = 0;
	goto out;
usage_err:
	pf_err_print(&e, stderr);
	ret = 2;
	goto out;
fail:
	pf_err_print(&e, stderr);
out:
	for (size_t k = 0; k < sources.nr; k++) {
		free(sources.v[k].path);
		free(sources.v[k].specs);
		free(sources.v[k].stamp_only);
	}
	free(sources.v);
	free(metas);
	free(selected);
	free(stamps);
	pf_profiles_release(&profiles);
	pf_err_release(&e);
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	return ret;
}
