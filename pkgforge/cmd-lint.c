// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge lint FILE|DIR...: check manifests, compiler-style. */
#include <getopt.h>
#include <stdio.h>

#include "cmdutil.h"
#include "pkgforge.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge lint [-q] MANIFEST|DIR...\n"
	"\n"
	"Check manifests: keys, types, required values, package names and\n"
	"versions for every format, templates, relations, checksums.  Every\n"
	"problem is printed as 'file:line:col: error: message'.\n"
	"\n"
	"  -q, --quiet   print only problems\n"
	"\n"
	"Exit status: 0 valid, 2 invalid.\n";

int cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	int quiet = 0, c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
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
	pf_load_and_plan(argc - optind, argv + optind, &ms, &plan, &d);
	pf_diag_print(&d, stderr);
	if (d.errors) {
		fprintf(stderr, "%d error%s\n", d.errors, d.errors == 1 ? "" : "s");
		ret = 2;
	} else {
		if (!quiet)
			printf("%zu manifest%s, %zu package%s: ok\n", ms.nr, ms.nr == 1 ? "" : "s",
			       plan.nr, plan.nr == 1 ? "" : "s");
		ret = 0;
	}
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	return ret;
}
