/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_UPSTREAM_H
#define PF_UPSTREAM_H

#include <stdbool.h>
#include "cache.h"
#include "err.h"
#include "fetch.h"
#include "plan.h"

/*
 * Getting upstream tarballs right before anything reads them: the
 * policy between the plan, the cache, the downloads and the signatures.
 *
 *  - each package's sha256 is pinned by its manifest, or looked up in a
 *    clearsigned checksum list (source.checksums) whose signature must be
 *    good and made by a key the manifest trusts;
 *  - what the cache lacks is downloaded, several files at once, from the
 *    URL and its mirrors, under the cache lock; a tarball shared by
 *    several packages (or manifests) is fetched once;
 *  - a detached signature over the uncompressed tar (source.signature)
 *    is fetched with its tarball and checked by the one pass that reads
 *    the tarball (pf_sigcheck).
 *
 * Command-line overrides replace, never weaken: --mirror replaces the
 * manifests' URL and mirrors as places to download from (the digests and
 * signatures are checked all the same); --trust-fpr replaces the signers
 * the manifests trust (a signature is still required and checked).
 */
struct pf_upstream_opts {
	const char *cache_dir;          /* NULL: the default */
	bool offline;                   /* no network: only the cache (and file://) */
	char *const *mirrors;           /* --mirror: where to download from, in order */
	size_t nmirrors;
	char *const *trust_fprs;        /* --trust-fpr: replaces the manifests' signers */
	size_t ntrust_fprs;
	char *const *trust_keys;        /* --trust-key: public key files to import */
	size_t ntrust_keys;
	char *const *key_dirs;          /* directories of public keys (keys/) */
	size_t nkey_dirs;
	bool key_dirs_optional;         /* a missing key directory is fine */
	struct pf_fetch_opts fetch;
};

struct pf_upstream;

int pf_upstream_open(struct pf_upstream **u, const struct pf_upstream_opts *o,
		     struct pf_err *e);
void pf_upstream_close(struct pf_upstream *u);
const char *pf_upstream_cache_dir(const struct pf_upstream *u);

/* What a package needs before its tarball can be read. */
struct pf_upreq {
	struct pf_pkgspec *spec;
	bool tarball;           /* from the cache (false: the caller has it) */
};

/*
 * Give every spec its sha256 (a pinned one, or from its verified
 * checksum list), then make sure the cache holds every tarball asked
 * for and every signature the manifests require, downloading what is
 * missing.  Offline, the error lists everything missing.
 */
int pf_upstream_prepare(struct pf_upstream *u, const struct pf_upreq *reqs, size_t n,
			struct pf_err *e);

/* The cached tarball of a prepared spec. */
char *pf_upstream_tarball(const struct pf_upstream *u, const struct pf_pkgspec *s);

/* "the manifest pins <hex> (file:line)" or "the signed checksum list <url> gives <hex>" */
void pf_upstream_expect(const struct pf_pkgspec *s, struct strbuf *out);

/*
 * The check of a tarball's detached signature over the uncompressed tar
 * while it is read: *out is NULL when none of specs (packages built from
 * one tarball) asks for one.  Feed pf_sigcheck_data() every decompressed
 * byte, then pf_sigcheck_end() decides (with every spec's signers).
 */
struct pf_sigcheck;

int pf_sigcheck_begin(struct pf_upstream *u, struct pf_pkgspec *const *specs, size_t n,
		      struct pf_sigcheck **out, struct pf_err *e);
int pf_sigcheck_data(void *ctx, const void *buf, size_t len, struct pf_err *e);
int pf_sigcheck_end(void *ctx, struct pf_err *e);
void pf_sigcheck_free(struct pf_sigcheck *s);

/*
 * Look file up in the text of a checksum list ("<sha256>  <file>" lines,
 * '*' before the name allowed; blank and '#' lines and lines of any other
 * shape are ignored).  1 and hex filled when found, 0 when not, -1 with
 * why when it is listed twice with different digests.
 */
int pf_sums_lookup(const char *text, size_t len, const char *file, char hex[65],
		   struct strbuf *why);

#endif
