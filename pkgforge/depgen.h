/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_DEPGEN_H
#define PF_DEPGEN_H

#include <stdbool.h>
#include "elfdeps.h"
#include "err.h"
#include "pkgfmt.h"
#include "plan.h"
#include "profile.h"
#include "strmap.h"

/*
 * Relations derived from the ELF files of a package:
 *
 * rpm   Requires and Provides exactly as rpm's own elfdeps (4.18) writes
 *       them for rpmbuild: "libz.so.1()(64bit)",
 *       "libc.so.6(GLIBC_2.34)(64bit)", "rtld(GNU_HASH)", the sonames
 *       and symbol versions of the package's own shared libraries.
 * deb   Depends as dpkg-shlibdeps computes them, from the soname →
 * ipk   package data of the spec's distribution profile:
 *       "libc6 (>= 2.34)" from the highest symbol version used.
 *
 * Requirements the package satisfies itself (a library it ships, found
 * through the file's run paths, $ORIGIN expanded and symlinks followed,
 * or any library of the package with that soname) are left out, and so
 * are the sonames the manifest ignores.  Each relation's origin is
 * "elf:<path below the prefix>" of the first file that needs it (for
 * deb, the file that needs the highest version).
 */

/* An ELF file of the package. */
struct pf_elffile {
	const char *path;               /* package path, "opt/korg/llvm-18/bin/clang" */
	unsigned mode;
	const struct pf_elfinfo *info;
};

struct pf_depgen {
	const struct pf_pkgspec *spec;
	const struct pf_filelist *files;        /* the whole package */
	const struct pf_strmap *index;          /* path → index in files */
	const struct pf_elffile *elf;
	size_t nr_elf;
	const struct pf_profile *profile;       /* for deb and ipk */
	bool want[PF_FMT_NR];                   /* formats to derive for */
};

/*
 * Add the derived relations to rel[kind][format].  An unknown soname
 * (deb, ipk) or a symbol version newer than the profile has is an error
 * naming the file and the library.
 */
int pf_depgen_run(const struct pf_depgen *g, struct pf_rellist rel[PF_REL_NR][PF_FMT_NR],
		  struct pf_err *e);

/*
 * out = declared merged with derived, for format f.  Duplicates go; for
 * deb and ipk a derived "pkg (>= v)" and a declared one on the same
 * package keep the stronger of the two (in the declared one's place).
 */
void pf_rel_merge(struct pf_rellist *out, const struct pf_rellist *declared,
		  const struct pf_rellist *derived, enum pf_fmt_id f);

#endif
