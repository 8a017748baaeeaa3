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

/*
 * Package filters shared by plan, fetch and build: PF_FILTER_LONGOPTS in
 * the option table, every option through pf_filter_option().
 */
struct pf_filter {
	const char *only[16];   /* name globs (any) */
	size_t nr_only;
	const char *host[8];    /* hosts or architectures (any) */
	size_t nr_host;
	const char *version[16];
	size_t nr_version;
};

enum { PF_O_ONLY = 768, PF_O_HOST, PF_O_VERSION };

#define PF_FILTER_LONGOPTS \
	{ "only", required_argument, NULL, PF_O_ONLY }, \
	{ "host", required_argument, NULL, PF_O_HOST }, \
	{ "version", required_argument, NULL, PF_O_VERSION }

/* The filters' lines of fetch's and build's usage (plan's are narrower). */
#define PF_FILTER_USAGE \
	"      --only GLOB           only packages whose name matches (repeatable)\n" \
	"      --host HOST           only this host or architecture (repeatable)\n" \
	"      --version V           only this upstream version (repeatable)\n"

bool pf_filter_match(const struct pf_filter *f, const struct pf_pkgspec *s);
/* 1 when c is a filter option (taken), 0 when not, -1 when there are too
 * many of its kind. */
int pf_filter_option(struct pf_filter *f, int c, const char *arg, struct pf_err *e);

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

/*
 * The options of a repository, shared by index and build --repo:
 * PF_INDEX_LONGOPTS in the option table, every option through
 * pf_indexcli_option().
 */
enum {
	PF_O_SUITE = 640, PF_O_CODENAME, PF_O_COMPONENT, PF_O_ORIGIN, PF_O_LABEL,
	PF_O_DESCRIPTION, PF_O_URL, PF_O_SIGN_KEY, PF_O_GNUPGHOME, PF_O_USIGN_KEY,
	PF_O_UNSIGNED, PF_O_RESIGN, PF_O_KEEP, PF_O_BYHASH_KEEP, PF_O_PROFILE,
	PF_O_ALLOW_PROBLEMS, PF_O_RPMMD_COMP, PF_O_KEYRING,
};

#define PF_INDEX_LONGOPTS \
	{ "suite", required_argument, NULL, PF_O_SUITE }, \
	{ "codename", required_argument, NULL, PF_O_CODENAME }, \
	{ "component", required_argument, NULL, PF_O_COMPONENT }, \
	{ "origin", required_argument, NULL, PF_O_ORIGIN }, \
	{ "label", required_argument, NULL, PF_O_LABEL }, \
	{ "description", required_argument, NULL, PF_O_DESCRIPTION }, \
	{ "url", required_argument, NULL, PF_O_URL }, \
	{ "sign-key", required_argument, NULL, PF_O_SIGN_KEY }, \
	{ "gnupghome", required_argument, NULL, PF_O_GNUPGHOME }, \
	{ "usign-key", required_argument, NULL, PF_O_USIGN_KEY }, \
	{ "unsigned", no_argument, NULL, PF_O_UNSIGNED }, \
	{ "resign", no_argument, NULL, PF_O_RESIGN }, \
	{ "keep", required_argument, NULL, PF_O_KEEP }, \
	{ "by-hash-keep", required_argument, NULL, PF_O_BYHASH_KEEP }, \
	{ "profile", required_argument, NULL, PF_O_PROFILE }, \
	{ "allow-problems", no_argument, NULL, PF_O_ALLOW_PROBLEMS }, \
	{ "rpmmd-compression", required_argument, NULL, PF_O_RPMMD_COMP }, \
	{ "keyring-package", required_argument, NULL, PF_O_KEYRING }

#define PF_INDEX_USAGE \
	"      --sign-key FPR        the OpenPGP key that signs the feeds and the\n" \
	"                            rpms (see 'pkgforge keygen')\n" \
	"      --gnupghome DIR       the GnuPG home holding its secret key (default:\n" \
	"                            $GNUPGHOME, else ~/.gnupg)\n" \
	"      --usign-key FILE      the usign secret key that signs opkg's\n" \
	"                            Packages.sig (needed when there are .ipk)\n" \
	"      --unsigned            publish without any signature (not remembered)\n" \
	"      --resign              sign rpms signed by another key, and published\n" \
	"                            unsigned ones, in place\n" \
	"      --suite NAME          apt suite (default stable); --codename NAME\n" \
	"                            (default: the suite), --component NAME (main)\n" \
	"      --origin NAME         Release's Origin, the keyring's name (korg);\n" \
	"                            --label TEXT (the origin), --description TEXT\n" \
	"      --url URL             where clients find the repository, for the\n" \
	"                            setup/ snippets (default: file://REPO)\n" \
	"      --keep N              keep the N newest versions of each package in\n" \
	"                            the feeds, move older ones to attic/ (0: all)\n" \
	"      --by-hash-keep N      index generations kept for clients still\n" \
	"                            reading an older one (default 3)\n" \
	"      --profile NAME        the distribution the feed is checked against\n" \
	"      --allow-problems      publish even when the check finds problems\n" \
	"      --rpmmd-compression C zst (default), gz (for yum of EL7) or xz\n" \
	"      --keyring-package NAME  the keyring package's name (default\n" \
	"                            ORIGIN-archive-keyring), 'none' for none\n"

struct pf_repo;
struct pf_repo_opts;
/* 1 when c is a repository option (taken), 0 when not, -1 on a bad value. */
int pf_indexcli_option(struct pf_repo_opts *o, int c, const char *arg, struct pf_err *e);
/*
 * Index r (index, build --repo): the check's problems go to stderr, and
 * with verbosity above 0 what the run did goes to stdout (counts, files
 * published, the setup snippets), repo naming the repository.
 */
int pf_cli_repo_index(struct pf_repo *r, const char *repo, int verbosity, struct pf_err *e);

/* arg as a whole decimal number from lo to hi in *out; -1 when it is not. */
int pf_cli_number(const char *arg, long lo, long hi, long *out);
/* -j N of build and index: a thread count from 1 to max in *out, else -1
 * with the error in e (PF_EINVAL). */
int pf_cli_threads(const char *arg, long max, int *out, struct pf_err *e);
/* --maintainer WHO of build and plan: *out = arg when it reads "Full Name
 * <address>", else -1 with the error in e (PF_EINVAL). */
int pf_cli_maintainer(const char *arg, const char **out, struct pf_err *e);

/*
 * A command's usage text: pf_cli_help() prints it on stdout (-h, --help)
 * and returns 0, pf_cli_usage_error() on stderr (an unknown option, a
 * missing argument) and returns 2: the command's exit code.
 */
int pf_cli_help(const char *usage);
int pf_cli_usage_error(const char *usage);

/* A pf_log that prints to stderr ("pkgforge: warning: ...") as verbosity
 * (ctx: the pf_fetchcli) allows. */
void pf_cli_log(void *ctx, enum pf_level level, const char *msg);

#endif
