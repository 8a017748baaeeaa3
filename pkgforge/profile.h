/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PROFILE_H
#define PF_PROFILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include "err.h"
#include "plan.h"
#include "strmap.h"

/*
 * A distribution profile (profiles/<name>.yaml): the packages of a
 * distribution release that a feed may depend on (its "base"), and for
 * each shared library, the package that ships it and the minimum package
 * version each symbol version needs, as Debian's symbols and shlibs files
 * say.  The keys are documented in profiles/README.md.
 */

/* A version node, or one symbol, and what it needs. */
struct pf_profver {
	char *name;             /* "GLIBC_2.34", or "sym@GLIBC_2.2.5" */
	char *minver;           /* "2.34" */
	unsigned dep;           /* index into the library's depends */
};

struct pf_proflib {
	char *soname;
	char *package;
	struct pf_strlist depends;      /* templates; [0] is the main one */
	bool symbols;                   /* has symbol data; else depends[0]
					 * is used as written (shlibs) */
	struct pf_profver *nodes;       /* version node → smallest version */
	size_t nr_nodes, alloc_nodes;
	struct pf_profver *syms;        /* symbols needing more than their node */
	size_t nr_syms, alloc_syms;
	struct pf_strmap symmap;        /* "sym@NODE" → index in syms, made
					 * at the first lookup (the check of
					 * an index never makes one) */
	atomic_bool symmap_made;
	const char *smallest;           /* smallest version needed (dep 0) */
};

struct pf_profpkg {
	char *name;
	char *version;                  /* the release's version */
};

struct pf_profile {
	char *name;                     /* "debian-12" */
	char *path;                     /* the file read: "debian-12.arm64.yaml" */
	char *arch;                     /* Debian architecture of the data */
	char sha256[65];                /* of the file's bytes, as parsed */
	struct pf_profpkg *pkgs;
	size_t nr_pkgs, alloc_pkgs;
	struct pf_strmap pkgmap;
	struct pf_proflib *libs;
	size_t nr_libs, alloc_libs;
	struct pf_strmap libmap;
	char *arena;                    /* from the cache: the strings above
					 * (but name and path) live here */
};

/*
 * A profile's data comes per Debian architecture: profile NAME for ARCH
 * is the file NAME.ARCH.yaml ("debian-12.arm64.yaml") in the first of
 * these directories that holds any NAME.*.yaml: $PKGFORGE_PROFILES, or
 * else the profiles/ of the installed data directory (or of the source
 * tree pkgforge runs from).  A NAME holding '/' is a path: to one file,
 * whose 'arch' says the architecture it is for, or else to the files
 * NAME.ARCH.yaml.
 *
 * Find the file of NAME's data for arch (NULL: for any architecture it
 * has, the first by name).  Errors: "unknown profile 'NAME' (known:
 * debian-12, ubuntu-24.04)"; "profile 'NAME' has no data for ARCH (it
 * has data for amd64)".
 */
int pf_profile_find(const char *name, const char *arch, char **path, struct pf_err *e);
/* Add the architectures NAME has data for to arches, sorted. */
int pf_profile_arches(const char *name, struct pf_strlist *arches, struct pf_err *e);
/*
 * Load NAME's data for Debian architecture arch (NULL: a path to one
 * file, whatever its architecture, or the first architecture there is);
 * its 'arch' must be arch, and that of its file name.
 */
int pf_profile_load(struct pf_profile *p, const char *name, const char *arch,
		    struct pf_err *e);
/*
 * The same through a cache of parsed profiles (the file at cache, NULL
 * for none), keyed by the SHA-256 of the YAML: a profile's data whose
 * bytes were parsed before is not parsed again (its YAML is most of a
 * small re-index's work).  A missing, stale or damaged cache is only a
 * miss; a parse adds its result (written whole, not synced: a cache
 * lost in a crash costs one parse).
 */
int pf_profile_load_cached(struct pf_profile *p, const char *name, const char *arch,
			   const char *cache, struct pf_err *e);
void pf_profile_release(struct pf_profile *p);

const struct pf_proflib *pf_profile_lib(const struct pf_profile *p, const char *soname);
/* The version a node or a symbol ("sym@NODE") needs, or NULL. */
const struct pf_profver *pf_proflib_node(const struct pf_proflib *l, const char *node);
const struct pf_profver *pf_proflib_sym(const struct pf_proflib *l, const char *symver);
/* The release's version of a package of the base, or NULL. */
const char *pf_profile_pkgversion(const struct pf_profile *p, const char *name);

/* Profiles loaded once and shared (a build may use several, and one
 * profile's data for several architectures). */
struct pf_profent {
	char *name;                     /* as asked for: "debian-12" */
	char *arch;                     /* "arm64" */
	struct pf_profile *p;
};

struct pf_profiles {
	struct pf_profent *v;
	size_t nr, alloc;
	/* a file of parsed profiles ("<repo>/.pkgforge/profiles"), used
	 * and kept up to date when not NULL (borrowed) */
	const char *cache;
};

/* NAME's data for Debian architecture arch, loaded on first use. */
int pf_profiles_get(struct pf_profiles *ps, const char *name, const char *arch,
		    const struct pf_profile **out, struct pf_err *e);
/* Move NAME's data for arch from one set to another, if it has it. */
bool pf_profiles_take(struct pf_profiles *from, const char *name, const char *arch,
		      struct pf_profiles *to);
void pf_profiles_release(struct pf_profiles *ps);

#endif
