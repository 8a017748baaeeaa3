// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge check REPO|FILE...: is a set of packages fit to publish? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "cmdutil.h"
#include "pkgforge.h"
#include "plan.h"
#include "profile.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge check [--profile NAME] [-q] REPO|FILE...\n"
	"\n"
	"Check built packages (files, or directories searched for them) as a\n"
	"feed: every dependency is satisfied by the packages checked or by\n"
	"the distribution profile's base (its data for the packages'\n"
	"architecture); no two packages ship one path unless one conflicts\n"
	"with or replaces the other; names, versions and relations are valid.\n"
	"Reads .deb, .rpm and .ipk packages.\n"
	"\n"
	"      --profile NAME  the distribution the feed is for (default: " PF_DEFAULT_PROFILE ")\n"
	"  -q, --quiet         print only problems\n"
	"\n"
	"Exit status: 0 no problem, 1 problems found, 2 usage or unreadable input.\n";

int cmd_check(int argc, char **argv)
{
	enum { O_PROFILE = 256 };
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profname = PF_DEFAULT_PROFILE;
	struct pf_profiles profiles = { NULL, 0, 0, NULL };
	struct pf_pkginfos pkgs = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_err e = PF_ERR_INIT;
	int quiet = 0, c, ret = 2, problems;
	char *path = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE:
			profname = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return pf_cli_help(usage_text);
		default:
			return pf_cli_usage_error(usage_text);
		}
	}
	if (optind >= argc)
		return pf_cli_usage_error(usage_text);
	/* an unknown profile before any package is read */
	if (pf_profile_find(profname, NULL, &path, &e) < 0)
		goto fail;
	if (pf_check_read(argv + optind, (size_t)(argc - optind), &pkgs, &e) < 0)
		goto fail;
	if (pf_check_profiles(pkgs.v, pkgs.nr, profname, &profiles, &e) < 0)
		goto fail;
	problems = pf_check_pkgs(pkgs.v, pkgs.nr, &profiles, &d);
	pf_diag_print(&d, stderr);
	if (problems) {
		fprintf(stderr, "%d problem%s in %zu package%s\n", problems, problems == 1 ? "" : "s",
			pkgs.nr, pkgs.nr == 1 ? "" : "s");
		ret = 1;
	} else {
		if (!quiet)
			printf("%zu package%s checked against %s: no problem\n", pkgs.nr,
			       pkgs.nr == 1 ? "" : "s", profiles.v[0].p->name);
		ret = 0;
	}
	goto out;
fail:
	pf_err_print(&e, stderr);
	ret = e.code == PF_EFAIL ? 1 : 2;
out:
	free(path);
	pf_profiles_release(&profiles);
	pf_pkginfos_release(&pkgs);
	pf_diag_release(&d);
	pf_err_release(&e);
	return ret;
}
