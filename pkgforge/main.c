// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge: global options, the command table, dispatch, exit codes. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "ofile.h"
#include "pkgforge.h"
#include "banned.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd commands[] = {
	{ "lint", cmd_lint, "check manifests" },
	{ "plan", cmd_plan, "list the packages manifests expand to" },
	{ "fetch", cmd_fetch, "download and verify source tarballs into the cache" },
	{ "build", cmd_build, "fetch, verify and build packages from source tarballs" },
	{ "check", cmd_check, "check packages as a feed: closure, co-installability" },
	{ "index", cmd_index, "publish signed repository feeds: apt, rpm-md, opkg" },
	{ "keygen", cmd_keygen, "create the keys that sign a repository" },
	{ "containerfile", cmd_containerfile, "a Containerfile installing packages from a signed feed" },
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: pkgforge [--version] [--help] <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-13s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\n'pkgforge <command> --help' describes a command; see also pkgforge(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PF_EINVAL;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("pkgforge %s\n", PF_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	pf_ofile_install_signal_cleanup();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pkgforge: error: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return PF_EINVAL;
}
