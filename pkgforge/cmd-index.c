// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge index REPO [PACKAGE...]: signed apt, rpm-md and opkg feeds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "pkgforge.h"
#include "repo.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge index [options] REPO [PACKAGE...]\n"
	"\n"
	"Publish the packages of the repository directory REPO as signed feeds:\n"
	"apt (pool/, dists/), rpm-md (rpm/) and opkg (ipk/<arch>/).  PACKAGEs\n"
	"(.deb, .rpm, .ipk files) are copied into their place first; rpms get the\n"
	"feed's signature.  Only packages new or changed since the last run are\n"
	"read; the feed is checked as 'pkgforge check' does and published only\n"
	"without problems; the public keys go to keys/, a keyring package to\n"
	"every feed, and client configuration to setup/ (and is printed).\n"
	"Options are remembered in REPO/.pkgforge/settings for the next runs.\n"
	"\n"
	PF_INDEX_USAGE
	"  -j, --threads N           packages read at once (default: CPUs online)\n"
	"  -q, --quiet               print only problems\n"
	"      --verbose             say more about what is done\n"
	"\n"
	"Dates (Release, repomd.xml) come from SOURCE_DATE_EPOCH when set;\n"
	"every other index holds no time, and the same packages give the same\n"
	"bytes.\n"
	"\n"
	"Exit status: 0 published, 1 failure or problems found (nothing\n"
	"published), 2 usage or invalid input.\n";

int cmd_index(int argc, char **argv)
{
	static const struct option opts[] = {
		PF_INDEX_LONGOPTS,
		{ "threads", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, PF_O_VERBOSE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_repo_opts o;
	struct pf_fetchcli fc;
	struct pf_err e = PF_ERR_INIT;
	struct pf_repo *r = NULL;
	int c, ret = 2;

	pf_repo_opts_init(&o);
	pf_fetchcli_init(&fc);
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:qh", opts, NULL)) != -1) {
		/* of the fetch options, index has -q and --verbose */
		int r2 = pf_indexcli_option(&o, c, optarg, &e);

		if (!r2)
			r2 = pf_fetchcli_option(&fc, c, optarg, &e);
		if (r2 < 0)
			goto usage_err;
		if (r2)
			continue;
		switch (c) {
		case 'j':
			if (pf_cli_threads(optarg, 64, &o.threads, &e) < 0)
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
	if (optind >= argc) {
		ret = pf_cli_usage_error(usage_text);
		goto out;
	}
	o.quiet = fc.verbosity == 0;
	o.log.fn = pf_cli_log;
	o.log.ctx = &fc;
	if (pf_repo_open(&r, argv[optind], &o, &e) < 0)
		goto fail;
	for (int i = optind + 1; i < argc; i++)
		if (pf_repo_add(r, argv[i], false, NULL, &e) < 0)
			goto fail;
	if (pf_cli_repo_index(r, argv[optind], fc.verbosity, &e) < 0)
		goto fail;
	ret = 0;
	goto out;
usage_err:
	pf_err_print(&e, stderr);
	ret = 2;
	goto out;
fail:
	pf_err_print(&e, stderr);
	ret = e.code == PF_EINVAL ? 2 : 1;
out:
	pf_repo_close(r);
	pf_fetchcli_release(&fc);
	pf_err_release(&e);
	return ret;
}
