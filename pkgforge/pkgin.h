/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PKGIN_H
#define PF_PKGIN_H

#include <stdbool.h>
#include <stdint.h>
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
struct pf_rpmmeta;

struct pf_pkginfo {
	char *path;                     /* the file read */
	enum pf_fmt_id fmt;
	char *name;
	char *version;                  /* full version as the format writes it */
	char *arch;
	/* relations, one list item each in the format's syntax ("libc6
	 * (>= 2.34) | libc6-udeb", "libc.so.6(GLIBC_2.34)(64bit)",
	 * "(a >= 1 or b)"); Pre-Depends go with depends, Breaks with
	 * conflicts, rpm's Obsoletes with replaces */
	struct pf_strlist rel[PF_REL_NR];
	struct pf_strlist files;        /* "/opt/x/bin/clang": everything but
					 * directories, in archive order */

	/* what a repository index needs besides */
	char *control;                  /* deb, ipk: the control file as the
					 * package holds it */
	struct pf_rpmmeta *rpm;         /* rpm: the headers' metadata */
};

/* Read the package at path; the format comes from its name. */
int pf_pkginfo_read(const char *path, struct pf_pkginfo *info, struct pf_err *e);
/* The same from the file's content in memory (path names it). */
int pf_pkginfo_read_mem(const char *path, const void *buf, size_t len,
			struct pf_pkginfo *info, struct pf_err *e);
void pf_pkginfo_release(struct pf_pkginfo *info);
/* True if path names a package pkgforge can read (".deb", ...). */
bool pf_pkgin_known(const char *path);
/* "deb, rpm, ipk" (the formats there are readers for, for messages). */
const char *pf_pkgin_formats(void);

/* The readers (pkgin-<fmt>.c): from buf (len bytes) when it is not
 * NULL, else from the file at path. */
int pf_pkgin_deb(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e);
int pf_pkgin_ipk(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e);
int pf_pkgin_rpm(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e);
/* deb and ipk: a package of control.tar and data.tar members, in an ar
 * archive or (OpenWrt's .ipk) a gzip'd tar; what names the format in
 * messages ("a Debian package"). */
int pf_pkgin_members(const char *path, const void *buf, size_t len, const char *what,
		     struct pf_pkginfo *info, struct pf_err *e);

/*
 * An rpm's metadata as rpm-md (createrepo_c, dnf) describes it: the
 * reader (pkgin-rpm.c, librpm) fills it, the rpm-md index renders it.
 */
enum pf_rpmdep_kind {
	PF_RPMDEP_PROVIDES, PF_RPMDEP_REQUIRES, PF_RPMDEP_CONFLICTS, PF_RPMDEP_OBSOLETES,
	PF_RPMDEP_SUGGESTS, PF_RPMDEP_ENHANCES, PF_RPMDEP_RECOMMENDS, PF_RPMDEP_SUPPLEMENTS,
	PF_RPMDEP_NR
};

struct pf_rpmdep {
	char *name;
	const char *flags;              /* "EQ", "LT", "GT", "LE", "GE" or NULL */
	char *epoch, *ver, *rel;        /* NULL when absent */
	bool pre;                       /* needed by a scriptlet before install */
};

struct pf_rpmfile {
	char *path;
	char type;                      /* 'f' file or link, 'd' dir, 'g' ghost */
};

struct pf_rpmlog {
	char *author;
	int64_t date;
	char *text;
};

struct pf_rpmmeta {
	char *name, *arch, *epoch, *version, *release;  /* epoch "0" if unset */
	char *summary, *description, *packager, *url, *license, *vendor, *group;
	char *buildhost, *sourcerpm;
	int64_t buildtime;
	uint64_t installed_size, archive_size;
	uint64_t header_start, header_end;              /* the main header */
	struct {
		struct pf_rpmdep *v;
		size_t nr, alloc;
	} deps[PF_RPMDEP_NR];
	struct pf_rpmfile *files;
	size_t nr_files, alloc_files;
	struct pf_rpmlog *logs;
	size_t nr_logs, alloc_logs;
	char sigkeyid[17];              /* key id of the OpenPGP header
					 * signature (lower-case hex), "" if none */
	char hdrsha256[65];             /* SHA-256 of the main header, from the
					 * signature header: the package's
					 * identity, signed or not */
};

void pf_rpmmeta_free(struct pf_rpmmeta *m);

/* The key id of an rpm's OpenPGP header signature ("" when unsigned),
 * reading only its signature header. */
int pf_rpm_sigkey(const char *path, char keyid[17], struct pf_err *e);

#endif
