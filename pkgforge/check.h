/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CHECK_H
#define PF_CHECK_H

#include "err.h"
#include "pkgin.h"
#include "profile.h"
#include "strmap.h"

/*
 * Is a set of packages fit to publish?  (`pkgforge check`, and the index
 * before it writes a feed.)
 *
 * closure      every Depends/Pre-Depends entry of every package is
 *              satisfied by a package of the set (its name, or what it
 *              Provides) or by the profile's base, the packages the
 *              distribution release has (profile 'packages'), on a
 *              system of the package's architecture (an "all" package:
 *              on each architecture ps has data for);
 * co-install   no two packages (of different names) ship one path unless
 *              one of them Conflicts with, Breaks or Replaces the other;
 * well-formed  names, versions and every relation are valid for the
 *              package's format; no package appears twice.
 *
 * Packages are checked against the others of their format and
 * architecture ("all" and "noarch" go with every one).  rpm packages
 * use rpm's rules (versions, rich dependencies, file dependencies) and
 * name the profile's base as rpm does (sonames, rpmlib(), /bin/sh).  Each problem goes to d at
 * the package's file, naming the package and what is wrong.  Returns
 * the number of problems.
 */
int pf_check_pkgs(const struct pf_pkginfo *pkgs, size_t n, const struct pf_profiles *ps,
		  struct pf_diag *d);

/*
 * The same for a set of which only some are new (fresh[i]): the others
 * passed this check together before, against the same profile data.
 * Only the problems a fresh package is part of are looked for, and a
 * full check of the set finds no others: adding packages takes nothing
 * away that the others needed.  Only the fresh packages and those that
 * could meet them (a name they need or have, a path they ship) are
 * looked at.  When the rules change, PF_CHECK_RULES does.  fresh NULL:
 * all are new (pf_check_pkgs of the packages pkgs point to).
 */
#define PF_CHECK_RULES 1
int pf_check_pkgs_fresh(const struct pf_pkginfo *const *pkgs, size_t n, const bool *fresh,
			const struct pf_profiles *ps, struct pf_diag *d);

/*
 * The first step of that, for a caller that keeps a package's lists as
 * text and would rather not make them all: what the fresh packages
 * need or have, and whether a package of that name, those Provides and
 * those files (each a NUL-separated list of len bytes, a NUL after the
 * last) may meet them.
 * A package it says no to is one pf_check_pkgs_fresh would leave out.
 */
struct pf_check_fresh {
	struct pf_strmap names;
	struct pf_strlist keys;
};
void pf_check_fresh_init(struct pf_check_fresh *f, const struct pf_pkginfo *const *fresh,
			 size_t n);
bool pf_check_may_meet_lists(const struct pf_check_fresh *f, const char *name,
			     const char *provides, size_t plen, const char *files, size_t flen);
void pf_check_fresh_release(struct pf_check_fresh *f);

/*
 * Load into ps the data of profile name that checking pkgs needs: for
 * the architecture of each package that is not "all" (Debian spelling),
 * or when all are, for every architecture the profile has.  A profile
 * without data for one of them is an error.
 */
int pf_check_profiles(const struct pf_pkginfo *pkgs, size_t n, const char *name,
		      struct pf_profiles *ps, struct pf_err *e);
/* The same for the packages pkgs point to, taking what pre (may be
 * NULL) already loaded, if needed. */
int pf_check_profiles_from(const struct pf_pkginfo *const *pkgs, size_t n, const char *name,
			   struct pf_profiles *pre, struct pf_profiles *ps, struct pf_err *e);
/* The Debian architectures pf_check_profiles loads data for, sorted
 * (none when every package is for all). */
void pf_check_arches(const struct pf_pkginfo *const *pkgs, size_t n, struct pf_strlist *arches);

/* The packages named by paths: files, or directories searched (recursively)
 * for the packages pkgin.h can read.  The list is sorted by path. */
struct pf_pkginfos {
	struct pf_pkginfo *v;
	size_t nr, alloc;
};

int pf_check_read(char *const *paths, size_t n, struct pf_pkginfos *out, struct pf_err *e);
void pf_pkginfos_release(struct pf_pkginfos *l);

#endif
