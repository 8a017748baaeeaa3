/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PLAN_H
#define PF_PLAN_H

#include <stdbool.h>
#include "arch.h"
#include "err.h"
#include "manifest.h"

/* A relation rendered in one format's syntax, with where it came from. */
struct pf_relent {
	char *text;                     /* "libc6 (>= 2.34)", "glibc >= 2.34" */
	struct pf_loc loc;              /* manifest position, or file == NULL */
	char *origin;                   /* "manifest", or e.g. "elf:bin/clang" */
};

struct pf_rellist {
	struct pf_relent *v;
	size_t nr, alloc;
};

void pf_rellist_add(struct pf_rellist *l, const char *text,
		    const struct pf_loc *loc, const char *origin);
/* Items joined by sep ("" when empty); the caller frees. */
char *pf_rellist_join(const struct pf_rellist *l, const char *sep);
void pf_rellist_release(struct pf_rellist *l);

struct pf_strlist {
	char **v;
	size_t nr, alloc;
};

/* Append s (taking ownership). */
void pf_strlist_add(struct pf_strlist *l, char *s);
void pf_strlist_release(struct pf_strlist *l);

/*
 * An upstream signature to check (source.checksums, source.signature),
 * expanded: url is NULL when the manifest asks for none.
 */
struct pf_upsig {
	char *url;
	struct pf_strlist signers;      /* fingerprints, upper case */
	struct pf_loc loc;              /* of the url template */
};

/* A soname the manifest maps to a relation (deb, ipk). */
struct pf_somap {
	char *soname;
	char *rel;                      /* "libfoo1 (>= 1.2)", Debian syntax */
	struct pf_loc loc;
};

/* An alternatives link, expanded. */
struct pf_alt {
	char *name;
	char *link;
	char *path;
	long priority;
};

/* One concrete package: a manifest × version × variant × host, values
 * expanded; or a metapackage (meta) that depends on the newest one. */
struct pf_pkgspec {
	const struct pf_manifest *m;
	const struct pf_mversion *mv;
	const struct pf_mvariant *variant;      /* NULL without variants */
	const struct pf_arch *arch;
	const char *host;               /* as the manifest spells it */
	bool meta;                      /* no files: prefix, url... are NULL */
	size_t meta_target;             /* meta: index in the plan of the
					 * package it depends on */

	char *name;
	char *version;                  /* upstream version */
	char *release;
	char *epoch;                    /* NULL when unset */
	char *summary;
	char *description;
	char *homepage;                 /* NULL when unset */
	char *license;
	char *maintainer;
	char *section;
	char *priority;
	char *group;
	char *prefix;                   /* absolute, normalised, no trailing '/' */

	char *url;                      /* the source tarball */
	char *file;                     /* its file name */
	struct pf_strlist mirrors;
	char sha256[65];                /* the tarball's digest: pinned, or
					 * from the signed checksum list once
					 * resolved; "" until then */
	struct pf_loc sha_loc;          /* the pin, or the list's url */
	bool sha_pinned;                /* sha256 comes from the manifest */
	struct pf_upsig sums;           /* signed checksum list */
	struct pf_upsig sig;            /* signature over the uncompressed tar */

	int strip;
	struct pf_strlist include;      /* expanded globs */
	struct pf_strlist exclude;
	struct pf_strlist extlinks;
	struct pf_strlist foreign_elf;  /* files.foreign-elf globs */

	struct pf_rellist rel[PF_REL_NR][PF_FMT_NR];   /* declared in the manifest */

	/* automatic dependencies from the ELF files (depgen.h) */
	char *profile;                  /* deb/ipk soname data, "debian-12" */
	struct pf_loc profile_loc;      /* file == NULL: the default */
	struct pf_somap *somap;         /* sonames: map */
	size_t nr_somap, alloc_somap;
	struct pf_strlist soignore;     /* sonames: ignore (globs) */

	struct pf_alt *alts;
	size_t nr_alts, alloc_alts;

	/* the metapackage this package's version would be the target of */
	char *meta_name, *meta_summary, *meta_description;
};

/* The profile a manifest without 'profile' uses. */
#define PF_DEFAULT_PROFILE "debian-12"

struct pf_plan {
	struct pf_pkgspec *v;
	size_t nr, alloc;
};

/*
 * Expand a manifest into packages and check every expanded value (names
 * and versions for each format, templates, relations, paths, checksums).
 * Problems go to d; returns -1 when there was any error.
 */
int pf_plan_add(struct pf_plan *plan, const struct pf_manifest *m,
		struct pf_diag *d);
void pf_plan_release(struct pf_plan *plan);

/* Whether s reads "Full Name <address@domain>", as a maintainer must. */
bool pf_maintainer_ok(const char *s);
/* Every package of plan names who (checked with pf_maintainer_ok) as
 * its maintainer instead of its manifest's: a feed's owner's name. */
void pf_plan_set_maintainer(struct pf_plan *plan, const char *who);

/* "1:18.1.8-1" (deb/ipk style full version; no epoch prefix when unset). */
char *pf_pkgspec_fullversion(const struct pf_pkgspec *s);

/* Compare two versions with Debian's rules ("~" sorts first, digit runs
 * numerically); the same order RPM gives the versions pkgforge accepts. */
int pf_vercmp(const char *a, const char *b);

/* Built-in template variables, NULL-terminated (for documentation and checks). */
extern const char *const pf_plan_builtin_vars[];

#endif
