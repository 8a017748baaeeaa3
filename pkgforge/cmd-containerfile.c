// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge containerfile PACKAGE...: a Containerfile that installs packages
 * from a signed feed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmdutil.h"
#include "containerfile.h"
#include "ofile.h"
#include "pkgforge.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge containerfile --repo-url URL [--base IMAGE] [--key FILE|URL]\n"
	"                              [--suite S] [--component C] [-o FILE] PACKAGE...\n"
	"\n"
	"Write a Containerfile that trusts a feed's signing key, adds the feed and\n"
	"installs the packages from it (NAME, or NAME=VERSION to pin one).\n"
	"\n"
	"      --repo-url URL   the feed: the apt repository (with dists/) for a\n"
	"                       Debian or Ubuntu base, the rpm-md one (with\n"
	"                       repodata/) for Fedora (required)\n"
	"      --base IMAGE     debian:TAG (default debian:12), ubuntu:TAG or\n"
	"                       fedora:TAG\n"
	"      --key FILE|URL   the feed's public key: a file is written into the\n"
	"                       Containerfile, a URL is fetched by the build\n"
	"                       (default: URL/" PF_CFILE_FEED_KEY ")\n"
	"      --suite S        apt suite (default stable)\n"
	"      --component C    apt component (default main)\n"
	"  -o, --output FILE    write it there instead of standard output\n"
	"\n"
	"Exit status: 0 ok, 1 failure (I/O), 2 invalid input or usage.\n";

int cmd_containerfile(int argc, char **argv)
{
	enum { O_BASE = 256, O_REPO, O_KEY, O_SUITE, O_COMPONENT };
	static const struct option opts[] = {
		{ "base", required_argument, NULL, O_BASE },
		{ "repo-url", required_argument, NULL, O_REPO },
		{ "key", required_argument, NULL, O_KEY },
		{ "suite", required_argument, NULL, O_SUITE },
		{ "component", required_argument, NULL, O_COMPONENT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_cfile_opts o;
	struct pf_err e = PF_ERR_INIT;
	struct strbuf out = STRBUF_INIT;
	const char *output = NULL;
	int c, ret = 2;

	memset(&o, 0, sizeof(o));
	o.base = "debian:12";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_BASE:
			o.base = optarg;
			break;
		case O_REPO:
			o.repo_url = optarg;
			break;
		case O_KEY:
			o.key = optarg;
			break;
		case O_SUITE:
			o.suite = optarg;
			break;
		case O_COMPONENT:
			o.component = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			return pf_cli_help(usage_text);
		default:
			return pf_cli_usage_error(usage_text);
		}
	}
	if (optind >= argc || !o.repo_url)
		return pf_cli_usage_error(usage_text);
	o.packages = argv + optind;
	o.npackages = (size_t)(argc - optind);
	if (pf_containerfile(&o, &out, &e) < 0 ||
	    (output && pf_ofile_put(output, out.buf, out.len, &e) < 0)) {
		pf_err_print(&e, stderr);
		ret = e.code ? e.code : 1;
		goto out;
	}
	if (!output && (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout))) {
		perror("pkgforge: error: standard output");
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&out);
	pf_err_release(&e);
	return ret;
}
