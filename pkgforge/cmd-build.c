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
#include "pcache.h"
#include "pkgfmt.h"
#include "pkgforge.h"
#include "tarw.h"
#include "profile.h"
#include "repo.h"
#include "upstream.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge build [options] -o DIR MANIFEST|DIR...\n"
	"       pkgforge build [options] --repo REPO MANIFEST|DIR...\n"
	"\n"
	"Build the packages that manifests describe.  The source tarballs come\n"
	"from --source, else from the download cache, where what is missing is\n"
	"fetched first (as 'pkgforge fetch' does).  Each tarball is verified\n"
	"against its sha256 (pinned, or from the manifest's signed checksum\n"
	"list), then read once and turned into every requested package and\n"
	"format without extracting anything; a signature over the uncompressed\n"
	"tar, when the manifest asks for one, is checked in that same pass,\n"
	"before any package is written.\n"
	"\n"
	"  -o, --output DIR          where packages go (created if missing)\n"
	"      --repo REPO           build into the repository REPO instead: each\n"
	"                            package goes to its place (rpms signed), then\n"
	"                            the feeds are indexed, as 'pkgforge index' does\n"
	"                            (its options below; the repository remembers\n"
	"                            them)\n"
	"  -s, --source PATH         a local tarball, or a directory holding them\n"
	"                            under their upstream names (repeatable)\n"
	"  -f, --format LIST         formats to write (default: deb)\n"
	"      --deb-compression C   data.tar compression: xz (default), gz, zst,\n"
	"                            none; C:LEVEL sets the level\n"
	"      --ipk-flavor F        openwrt (default: gzip'd tar, what OpenWrt's\n"
	"                            opkg reads) or yocto (ar, like a .deb)\n"
	"      --ipk-compression C   data.tar compression: gz (openwrt's only and\n"
	"                            default), xz (yocto's default), zst; C:LEVEL\n"
	"      --rpm-compression C   rpm payload compression, the same choices\n"
	"  -j, --threads N           compressor threads (default: CPUs online)\n"
	PF_FILTER_USAGE
	"      --maintainer WHO      'Full Name <address>' as every package's\n"
	"                            maintainer, instead of the manifests'\n"
	"      --no-payload-cache    do not reuse or save compressed payloads (see\n"
	"                            below)\n"
	PF_FETCH_USAGE
	"\n"
	"With --repo:\n"
	PF_INDEX_USAGE
	"\n"
	"Timestamps come from SOURCE_DATE_EPOCH when set (newer ones are\n"
	"clamped to it), otherwise from the newest file of the tarball, so the\n"
	"same inputs give the same bytes.\n"
	"\n"
	"What a tarball gives that does not depend on package metadata (the\n"
	"compressed payloads, the file list, the derived dependencies) is kept\n"
	"in the cache's payloads/ directory: a rebuild that changes only\n"
	"metadata (release, description, dependencies) reuses it without\n"
	"reading or compressing anything, and writes the same bytes.\n"
	"\n"
	"Exit status: 0 ok, 1 failure (I/O, network, checksum, signature, a\n"
	"missing source), 2 invalid input.\n";

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

/* Put spec in the group of its tarball (one pass per tarball); takes path. */
static int add_to_source(struct sources *ss, struct pf_pkgspec *s, bool stamp_only,
			 char *path, struct pf_err *e)
{
	struct source *src = NULL;

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

/* --repo: put what was built into the repository and index it (the
 * lock is taken only now: a long build does not hold up other runs). */
static int build_into_repo(const char *repo, const struct pf_repo_opts *ro,
			   const struct pf_strlist *built, int verbosity, struct pf_err *e)
{
	struct pf_repo *r = NULL;
	int ret = 1;

	if (pf_repo_open(&r, repo, ro, e) < 0)
		goto out;
	for (size_t i = 0; i < built->nr; i++) {
		char *placed;

		if (pf_repo_add(r, built->v[i], true, &placed, e) < 0)
			goto out;
		printf("%s/%s\n", repo, placed);
		/* before GnuPG's processes are forked: a child must not
		 * inherit, and maybe flush, what is still buffered */
		fflush(stdout);
		free(placed);
	}
	fflush(stdout);
	if (pf_cli_repo_index(r, repo, verbosity, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret && e->code == PF_EINVAL)
		ret = 2;
	pf_repo_close(r);
	return ret;
}

int cmd_build(int argc, char **argv)
{
	enum { O_DEBCOMP = 256, O_RPMCOMP, O_IPKFLAVOR, O_IPKCOMP, O_NOPCACHE, O_REPO, O_MAINTAINER };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'j' },
		{ "deb-compression", required_argument, NULL, O_DEBCOMP },
		{ "ipk-flavor", required_argument, NULL, O_IPKFLAVOR },
		{ "ipk-compression", required_argument, NULL, O_IPKCOMP },
		{ "rpm-compression", required_argument, NULL, O_RPMCOMP },
		{ "no-payload-cache", no_argument, NULL, O_NOPCACHE },
		{ "maintainer", required_argument, NULL, O_MAINTAINER },
		PF_FILTER_LONGOPTS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "repo", required_argument, NULL, O_REPO },
		PF_FETCH_LONGOPTS,
		PF_INDEX_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_err e = PF_ERR_INIT;
	struct pf_filter filt;
	struct pf_buildopt opt;
	struct pf_fetchcli fc;
	struct pf_upstream_opts uo;
	struct pf_upstream *up = NULL;
	struct pf_upreq *reqs = NULL;
	char **local = NULL;
	bool *stamp_req = NULL;         /* reqs[i] is read for its timestamp only */
	size_t nreqs = 0;
	bool want[PF_FMT_NR] = { true, false, false };
	const struct pf_pkgfmt *fmts[PF_FMT_NR];
	size_t nfmts = 0;
	char *srcpaths[64];
	size_t nsrc = 0;
	struct sources sources = { NULL, 0, 0 };
	bool *selected = NULL, *needed = NULL;
	int64_t *stamps = NULL;
	struct pf_profiles profiles = { NULL, 0, 0, NULL };
	struct pf_pkgspec **metas = NULL;
	size_t nmetas = 0, malloc_ = 0;
	struct pf_pcache pcache = { NULL };
	struct pf_log log;
	bool use_pcache = true;
	/* --repo: packages are built into an incoming directory of the
	 * repository, then added and indexed */
	const char *repo = NULL;
	const char *maintainer = NULL;
	char *incoming = NULL;
	struct pf_strlist built = { NULL, 0, 0 };
	struct pf_repo_opts ro;
	int c, ret = 2, sde;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&filt, 0, sizeof(filt));
	memset(&opt, 0, sizeof(opt));
	pf_fetchcli_init(&fc);
	pf_repo_opts_init(&ro);
	for (int f = 0; f < PF_FMT_NR; f++)
		opt.level[f] = -1;
	opt.threads = ncpu > 0 ? (int)ncpu : 1;
	opt.ipk_flavor = "openwrt";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:f:j:qh", opts, NULL)) != -1) {
		int r = pf_fetchcli_option(&fc, c, optarg, &e);

		if (!r)
			r = pf_indexcli_option(&ro, c, optarg, &e);
		if (!r)
			r = pf_filter_option(&filt, c, optarg, &e);
		if (r < 0)
			goto usage_err;
		if (r)
			continue;
		switch (c) {
		case 'o':
			opt.outdir = optarg;
			break;
		case O_REPO:
			repo = optarg;
			break;
		case 's':
			if (nsrc == PF_ARRAY_SIZE(srcpaths)) {
				pf_err_set(&e, PF_EINVAL, "too many --source options");
				goto usage_err;
			}
			srcpaths[nsrc++] = optarg;
			break;
		case 'f':
			if (pf_parse_formats(optarg, want, &e) < 0)
				goto usage_err;
			break;
		case 'j':
			if (pf_cli_threads(optarg, 256, &opt.threads, &e) < 0)
				goto usage_err;
			break;
		case O_DEBCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_DEB], &opt.level[PF_FMT_DEB], &e) < 0)
				goto usage_err;
			break;
		case O_IPKFLAVOR:
			opt.ipk_flavor = optarg;
			break;
		case O_MAINTAINER:
			if (pf_cli_maintainer(optarg, &maintainer, &e) < 0)
				goto usage_err;
			break;
		case O_NOPCACHE:
			use_pcache = false;
			break;
		case O_IPKCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_IPK], &opt.level[PF_FMT_IPK], &e) < 0)
				goto usage_err;
			break;
		case O_RPMCOMP:
			if (parse_comp(optarg, &opt.comp[PF_FMT_RPM], &opt.level[PF_FMT_RPM], &e) < 0)
				goto usage_err;
			break;
		case 'h':
			ret = pf_cli_help(usage_text);
			goto out;
		default:
			ret = pf_cli_usage_error(usage_text);
			goto out;
		}
	}
	if (optind >= argc || !opt.outdir == !repo) {
		ret = pf_cli_usage_error(usage_text);
		goto out;
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
	if (pf_fetchcli_setup(&fc, &uo, &e) < 0)
		goto usage_err;
	if (repo && pf_repo_precheck(repo, &ro, &e) < 0) {
		ret = e.code == PF_EINVAL ? 2 : 1;
		goto fail;
	}

	if (pf_load_and_plan(argc - optind, argv + optind, &ms, &plan, &d) < 0) {
		pf_diag_print(&d, stderr);
		goto out;
	}
	pf_diag_print(&d, stderr);
	if (maintainer)
		pf_plan_set_maintainer(&plan, maintainer);

	/*
	 * The selected packages, and the tarballs they need: from --source,
	 * or the cache.  A metapackage takes its target's time, so the
	 * target's tarball is read too when the target is not selected.
	 */
	selected = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*selected));
	needed = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*needed));
	for (size_t i = 0; i < plan.nr; i++)
		selected[i] = pf_filter_match(&filt, &plan.v[i]);
	for (size_t i = 0; i < plan.nr; i++) {
		if (!selected[i])
			continue;
		if (plan.v[i].meta) {
			PF_ALLOC_GROW(metas, nmetas + 1, malloc_);
			metas[nmetas++] = &plan.v[i];
			if (!opt.sde_set)
				needed[plan.v[i].meta_target] = true;
		} else {
			needed[i] = true;
		}
	}
	reqs = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*reqs));
	local = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*local));
	stamp_req = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*stamp_req));
	for (size_t i = 0; i < plan.nr; i++) {
		if (!needed[i])
			continue;
		local[nreqs] = pf_find_source(&plan.v[i], srcpaths, nsrc);
		reqs[nreqs].spec = &plan.v[i];
		reqs[nreqs].tarball = !local[nreqs];
		stamp_req[nreqs] = !selected[i];
		nreqs++;
	}
	for (size_t i = 0; i < nsrc; i++) {
		struct stat st;
		bool used = false;
		if (stat(srcpaths[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		for (size_t k = 0; k < nreqs && !used; k++)
			used = local[k] && !strcmp(local[k], srcpaths[i]);
		if (!used) {
			pf_err_set(&e, PF_EINVAL,
				   "--source %s: no selected package is built from a file of this name",
				   srcpaths[i]);
			goto fail;
		}
	}
	if (!nreqs && !nmetas) {
		pf_err_set(&e, PF_EINVAL, "no package matches the filters");
		goto fail;
	}
	if (pf_upstream_open(&up, &uo, &e) < 0 || pf_upstream_prepare(up, reqs, nreqs, &e) < 0) {
		ret = e.code ? e.code : 1;
		goto fail;
	}
	for (size_t i = 0; i < nreqs; i++) {
		char *path = local[i] ? pf_strdup(local[i]) : pf_upstream_tarball(up, reqs[i].spec);

		if (add_to_source(&sources, reqs[i].spec, stamp_req[i], path, &e) < 0)
			goto fail;
	}
	if (repo) {
		if (pf_repo_mkincoming(repo, &incoming, &e) < 0) {
			ret = 1;
			goto fail;
		}
		opt.outdir = incoming;
	}
	if (pf_mkdir_p(opt.outdir, 0755, &e) < 0) {
		ret = 1;
		goto fail;
	}
	log.fn = pf_cli_log;
	log.ctx = &fc;
	if (use_pcache) {
		char *dir = pf_asprintf("%s/payloads", pf_upstream_cache_dir(up));
		int r = pf_pcache_open(&pcache, dir, &e);

		free(dir);
		if (r < 0) {
			ret = 1;
			goto fail;
		}
	}

	stamps = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*stamps));
	for (size_t k = 0; k < sources.nr; k++) {
		const struct source *src = &sources.v[k];
		struct pf_convert conv;
		struct pf_sigcheck *sig = NULL;
		int fd = -1;

		memset(&conv, 0, sizeof(conv));
		if (pf_source_verify(src->path, src->first, &fd, &e) < 0) {
			ret = 1;
			goto fail;
		}
		if (pf_sigcheck_begin(up, src->specs, src->nr, &sig, &e) < 0) {
			close(fd);
			ret = e.code ? e.code : 1;
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
		conv.progress = fc.verbosity >= 1 && isatty(2);
		for (size_t f = 0; f < nfmts; f++)
			conv.derive[fmts[f]->id] = true;
		conv.profiles = &profiles;
		conv.pcache = use_pcache ? &pcache : NULL;
		conv.log = &log;
		if (sig) {
			conv.tap = pf_sigcheck_data;
			conv.tap_end = pf_sigcheck_end;
			conv.tap_ctx = sig;
		}
		if (pf_convert_run(&conv, &e) < 0) {
			close(fd);
			pf_sigcheck_free(sig);
			pf_convert_release(&conv);
			ret = e.code ? e.code : 1;
			goto fail;
		}
		close(fd);
		pf_sigcheck_free(sig);
		if (conv.from_cache)
			pf_log(&log, PF_LOG_INFO, "%s: the payloads come from the payload cache",
			       src->path);
		for (size_t i = 0; i < conv.written.nr; i++)
			if (repo)
				pf_strlist_add(&built, pf_strdup(conv.written.v[i]));
			else
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
			if (repo)
				pf_strlist_add(&built, pf_strdup(conv.written.v[i]));
			else
				printf("%s\n", conv.written.v[i]);
		pf_convert_release(&conv);
	}
	if (repo) {
		ro.threads = opt.threads;
		ro.log.fn = pf_cli_log;
		ro.log.ctx = &fc;
		ret = build_into_repo(repo, &ro, &built, fc.verbosity, &e);
		if (ret)
			goto fail;
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
	for (size_t i = 0; i < nreqs; i++)
		free(local[i]);
	free(local);
	free(reqs);
	free(stamp_req);
	free(metas);
	free(selected);
	free(needed);
	free(stamps);
	pf_strlist_release(&built);
	if (incoming)
		pf_rmtree(incoming);
	free(incoming);
	pf_upstream_close(up);
	pf_pcache_release(&pcache);
	pf_profiles_release(&profiles);
	pf_err_release(&e);
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	pf_fetchcli_release(&fc);
	return ret;
}
