// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge fetch MANIFEST|DIR...: fill the download cache. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"
#include "pkgforge.h"
#include "upstream.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge fetch [options] MANIFEST|DIR...\n"
	"\n"
	"Download the source tarballs the manifests describe into the cache,\n"
	"each checked against its sha256: pinned in the manifest, or taken\n"
	"from the manifest's signed checksum list once its signature is\n"
	"verified.  Signatures the manifests require over the uncompressed\n"
	"tar are downloaded too (build checks them as it reads the tarball).\n"
	"Prints '<sha256>  <file>' for every tarball.\n"
	"\n"
	PF_FILTER_USAGE
	PF_FETCH_USAGE
	"\n"
	"Exit status: 0 ok, 1 failure (network, checksum, signature, missing\n"
	"with --offline), 2 invalid input.\n";

int cmd_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		PF_FILTER_LONGOPTS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		PF_FETCH_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_err e = PF_ERR_INIT;
	struct pf_filter filt;
	struct pf_fetchcli fc;
	struct pf_upstream_opts uo;
	struct pf_upstream *up = NULL;
	struct pf_upreq *reqs = NULL;
	size_t nreqs = 0;
	int c, ret = 2;

	memset(&filt, 0, sizeof(filt));
	pf_fetchcli_init(&fc);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		int r = pf_fetchcli_option(&fc, c, optarg, &e);

		if (!r)
			r = pf_filter_option(&filt, c, optarg, &e);
		if (r < 0)
			goto fail;
		if (r)
			continue;
		ret = c == 'h' ? pf_cli_help(usage_text) : pf_cli_usage_error(usage_text);
		goto out;
	}
	if (optind >= argc) {
		ret = pf_cli_usage_error(usage_text);
		goto out;
	}
	if (pf_fetchcli_setup(&fc, &uo, &e) < 0)
		goto fail;
	if (pf_load_and_plan(argc - optind, argv + optind, &ms, &plan, &d) < 0) {
		pf_diag_print(&d, stderr);
		goto out;
	}
	pf_diag_print(&d, stderr);
	reqs = pf_calloc(plan.nr ? plan.nr : 1, sizeof(*reqs));
	for (size_t i = 0; i < plan.nr; i++) {
		if (!pf_filter_match(&filt, &plan.v[i]))
			continue;
		reqs[nreqs].spec = &plan.v[i];
		reqs[nreqs++].tarball = true;
	}
	if (!nreqs) {
		pf_err_set(&e, PF_EINVAL, "no package matches the filters");
		goto fail;
	}
	if (pf_upstream_open(&up, &uo, &e) < 0 || pf_upstream_prepare(up, reqs, nreqs, &e) < 0) {
		ret = e.code ? e.code : 1;
		pf_err_print(&e, stderr);
		goto out;
	}
	for (size_t i = 0; i < nreqs; i++) {
		const struct pf_pkgspec *s = reqs[i].spec;
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(reqs[k].spec->sha256, s->sha256);
		if (!seen)
			printf("%s  %s\n", s->sha256, s->file);
	}
	ret = 0;
	goto out;
fail:
	pf_err_print(&e, stderr);
	ret = e.code ? e.code : 2;
out:
	pf_upstream_close(up);
	free(reqs);
	pf_err_release(&e);
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	pf_fetchcli_release(&fc);
	return ret;
}
