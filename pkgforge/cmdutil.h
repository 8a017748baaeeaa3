/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CMDUTIL_H
#define PF_CMDUTIL_H

#include <stdbool.h>
#include "err.h"
#include "manifest.h"
#include "plan.h"
#include "upstream.h"

/* Manifests named on the command line (files, or directories of *.yaml). */
struct pf_manifests {
	struct pf_manifest **v;
	size_t nr, alloc;
};

/*
 * Load and plan every manifest; all problems go to d.  Returns -1 when
 * any manifest is invalid (the plan then holds the valid ones).
 */
int pf_load_and_plan(int argc, char **argv, struct pf_manifests *ms,
		     struct pf_plan *plan, struct pf_diag *d);
void pf_manifests_release(struct pf_manifests *ms);

/* Package filters shared by plan and build. */
struct pf_filter {
	const char *only[16];   /* name globs (any) */
	size_t nr_only;
	const char *host[8];    /* hosts or architectures (any) */
	size_t nr_host;
	const char *version[16];
	size_t nr_version;
};

bool pf_filter_match(const struct pf_filter *f, const struct pf_pkgspec *s);
/* Add a filter value from an option; -1 if too many. */
int pf_filter_add(const char **arr, size_t *nr, size_t max, const char *v);

/* Parse "deb,rpm,ipk" into a list of format ids; -1 on an unknown name. */
int pf_parse_formats(const char *s, bool want[3], struct pf_err *e);

/* The local file for spec: --source paths (files, or directories holding
 * it under its upstream name) first, then a file:// URL; NULL if none. */
char *pf_find_source(const struct pf_pkgspec *s, char *const *paths, size_t npaths);
/* Open path and check it against spec's pinned sha256; *fd on success. */
int pf_source_verify(const char *path, const struct pf_pkgspec *s, int *fd,
		     struct pf_err *e);

/*
 * The options fetch and build share: the cache, where to download from,
 * whom to trust.  cmd-*.c put PF_FETCH_LONGOPTS in their option table
 * and hand every option to pf_fetchcli_option().
 */
enum {
	PF_O_CACHE = 512, PF_O_MIRROR, PF_O_OFFLINE, PF_O_PARALLEL, PF_O_KEYS,
	PF_O_TRUST_KEY, PF_O_TRUST_FPR, PF_O_VERBOSE,
};

#define PF_FETCH_LONGOPTS \
	{ "cache", required_argument, NULL, PF_O_CACHE }, \
	{ "mirror", required_argument, NULL, PF_O_MIRROR }, \
	{ "offline", no_argument, NULL, PF_O_OFFLINE }, \
	{ "parallel", required_argument, NULL, PF_O_PARALLEL }, \
	{ "keys", required_argument, NULL, PF_O_KEYS }, \
	{ "trust-key", required_argument, NULL, PF_O_TRUST_KEY }, \
	{ "trust-fpr", required_argument, NULL, PF_O_TRUST_FPR }, \
	{ "verbose", no_argument, NULL, PF_O_VERBOSE }

#define PF_FETCH_USAGE \
	"      --cache DIR           the download cache (default:\n" \
	"                            $XDG_CACHE_HOME/pkgforge or ~/.cache/pkgforge)\n" \
	"      --offline             no network: use only the cache (and file://)\n" \
	"                            and say what is missing\n" \
	"      --mirror URL          download from this base URL instead of the\n" \
	"                            manifests' URLs and mirrors (repeatable, tried\n" \
	"                            in order); it replaces a URL's scheme and host\n" \
	"      --parallel N          downloads at once (default 4)\n" \
	"      --keys DIR            public keys of upstream signers (repeatable;\n" \
	"                            default " PF_DATADIR "/keys)\n" \
	"      --trust-key FILE      also import these public keys (repeatable)\n" \
	"      --trust-fpr FPR       trust only this signer, instead of the ones the\n" \
	"                            manifests name (repeatable; says so on stderr)\n" \
	"  -q, --quiet               no progress display and no notes\n" \
	"      --verbose             say what is downloaded from where\n"

struct pf_fetchcli {
	const char *cache;
	bool offline;
	long parallel;                  /* 0: the default */
	int verbosity;                  /* 0 --quiet, 1 default, 2 --verbose */
	struct pf_strlist mirrors, keydirs, keys, fprs;
};

void pf_fetchcli_init(struct pf_fetchcli *f);
void pf_fetchcli_release(struct pf_fetchcli *f);
/* 1 when c is a shared option (taken), 0 when it is not, -1 on a bad value. */
int pf_fetchcli_option(struct pf_fetchcli *f, int c, const char *arg, struct pf_err *e);
/*
 * The upstream options from the command line and the environment; warns
 * on stderr about --trust-fpr.  o points into f: keep f alive.
 */
int pf_fetchcli_setup(struct pf_fetchcli *f, struct pf_upstream_opts *o, struct pf_err *e);

/* A pf_log that prints to stderr ("pkgforge: warning: ...") as verbosity
 * (ctx: the pf_fetchcli) allows. */
void pf_cli_log(void *ctx, enum pf_level level, const char *msg);

#endif
