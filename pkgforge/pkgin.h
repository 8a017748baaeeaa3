/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PKGIN_H
#define PF_PKGIN_H

#include <stdbool.h>
#include "err.h"
#include "manifest.h"
#include "plan.h"

/*
 * Reading built packages back: the metadata and file list `pkgforge
 * check` (and the index) need.  One reader per format, in a table in
 * pkgin.c; a reader fills a pf_pkginfo in its format's own terms.
 * Adding a format (rpm with librpm, ipk) means one pkgin-<fmt>.c and
 * one row.
 */
struct pf_pkginfo {
	char *path;                     /* the file read */
	enum pf_fmt_id fmt;
	char *name;
	char *version;                  /* full version as the format writes it */
	char *arch;
	/* relations, one list item each in the format's syntax ("libc6
	 * (>= 2.34) | libc6-udeb"); Pre-Depends go with depends, Breaks
	 * with conflicts */
	struct pf_strlist rel[PF_REL_NR];
	struct pf_strlist files;        /* "/opt/x/bin/clang": everything but
					 * directories, in archive order */
};

/* Read the package at path; the format comes from its name. */
int pf_pkginfo_read(const char *path, struct pf_pkginfo *info, struct pf_err *e);
void pf_pkginfo_release(struct pf_pkginfo *info);
/* True if path names a package pkgforge can read (".deb", ...). */
bool pf_pkgin_known(const char *path);
/* "deb" (the formats there are readers for, for messages). */
const char *pf_pkgin_formats(void);

/* The readers (pkgin-<fmt>.c). */
int pf_pkgin_deb(const char *path, struct pf_pkginfo *info, struct pf_err *e);

#endif
