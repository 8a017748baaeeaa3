/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CONVERT_H
#define PF_CONVERT_H

#include "err.h"
#include "pkgfmt.h"
#include "log.h"
#include "pcache.h"
#include "plan.h"
#include "profile.h"

/*
 * One streaming pass over a source tarball, fanned out to every package
 * built from it (several manifests may take different files from one
 * tarball) and, for each package, to every requested format.  Nothing is
 * extracted to disk.  Entries are checked (absolute or '..' paths, links
 * escaping the prefix, devices, setuid bits, duplicates, bad names,
 * absurd sizes), mapped into each package's prefix and normalised
 * (root:root, 0755/0644/0777, SOURCE_DATE_EPOCH clamp).
 */

/* Limits on what a source may hold (hostile input). */
#define PF_MAX_ENTRIES      2000000u
#define PF_MAX_PATH         4095
#define PF_MAX_FILE_SIZE    (64ULL << 30)
#define PF_MAX_TOTAL_SIZE   (1ULL << 40)

struct pf_convert {
	const char *srcpath;            /* for messages */
	int fd;                         /* the verified tarball, read from 0 */
	const char *sha256;             /* hex digest it was verified against */
	struct pf_pkgspec *const *specs;
	size_t nspecs;
	/* specs to read for their timestamp only, writing nothing (the
	 * target of a metapackage built alone); NULL: none */
	const bool *stamp_only;
	const struct pf_pkgfmt *const *fmts;
	size_t nfmts;
	const struct pf_buildopt *opt;  /* outdir: where temporary spools go */
	bool progress;                  /* draw a progress line on stderr */

	/*
	 * Derive relations from the ELF files for these formats (depgen.h).
	 * The ELF files are spooled while the tarball streams (or found in
	 * the raw content spool when a writer needs one) and read at the
	 * end of the pass; deb and ipk use the spec's profile, loaded
	 * through profiles.
	 */
	bool derive[PF_FMT_NR];
	struct pf_profiles *profiles;

	/*
	 * Optional: a check over the uncompressed tar (an OpenPGP signature
	 * made over it).  tap gets every decompressed byte once, in order;
	 * tap_end is called after the last one and before any package is
	 * committed, so that a failure leaves nothing behind.
	 */
	int (*tap)(void *ctx, const void *buf, size_t len, struct pf_err *e);
	int (*tap_end)(void *ctx, struct pf_err *e);
	void *tap_ctx;

	/*
	 * Optional: the payload cache (pcache.h).  When every package and
	 * format of this tarball is there, nothing is read or compressed:
	 * the packages are written from the saved payloads (the same bytes);
	 * otherwise the pass saves what it makes.  A failure to save is
	 * reported to log, not an error.
	 */
	const struct pf_pcache *pcache;
	const struct pf_log *log;
	/* out: whether the packages came from the payload cache */
	bool from_cache;

	/* out: the package files written, "<outdir>/<name>" */
	struct pf_strlist written;
	/* out: for each spec, its relations as written: declared merged
	 * with derived ([spec][kind][format]; NULL until run) */
	struct pf_rellist (*rel)[PF_REL_NR][PF_FMT_NR];
	/* out: for each spec, the timestamp of its package (NULL until run) */
	int64_t *timestamps;
	/* in, for pf_convert_meta: the timestamp of each metapackage */
	const int64_t *meta_timestamps;
};

int pf_convert_run(struct pf_convert *c, struct pf_err *e);

/*
 * Write a metapackage (no files, no source): specs[] all have meta set,
 * meta_timestamps[] gives each one's time (its target package's, so that it
 * is the same whatever else a run builds).
 */
int pf_convert_meta(struct pf_convert *c, struct pf_err *e);
void pf_convert_release(struct pf_convert *c);

/* Print a name from an archive with non-printable bytes escaped. */
void pf_quote_name(struct strbuf *out, const char *name);

#endif
