/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_RPMLIB_H
#define PF_RPMLIB_H

/*
 * librpm (and librpmio, which it brings), loaded when first needed
 * (dynlib.h): it pulls in nine more libraries (Lua, SQLite, libgcrypt,
 * popt...), some 2-3 ms of CPU, which only writing and signing rpms
 * and parsing a rich relation need: reading an rpm
 * (pkgin-rpm.c) and rpm's version rules (rpmver.c) do without it.
 * Include this instead of rpm's headers, and call pf_librpm_load() (or
 * pf_librpm_need()) before its functions.  Used by pkgfmt-rpm.c.
 */
#include <rpm/header.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "dynlib.h"
#include "err.h"

#define PF_RPM_FNS(X) \
	X(headerAddI18NString) \
	X(headerCopy) \
	X(headerDel) \
	X(headerExport) \
	X(headerFree) \
	X(headerFreeIterator) \
	X(headerGet) \
	X(headerImport) \
	X(headerInitIterator) \
	X(headerNew) \
	X(headerNext) \
	X(headerPut) \
	X(headerPutString) \
	X(headerPutStringArray) \
	X(headerPutUint16) \
	X(headerPutUint32) \
	X(headerPutUint64) \
	X(headerReload) \
	X(rpmTagGetName) \
	X(rpmdsFree) \
	X(rpmdsMerge) \
	X(rpmdsPutToHeader) \
	X(rpmdsSingle) \
	X(rpmrichParseForTag) \
	X(rpmtdFreeData) \
	X(rpmtdReset)

struct pf_rpm_fns {
	PF_RPM_FNS(PF_DYNFN_FIELD)
};

extern struct pf_rpm_fns pf_rpmlib;

/* 0, or -1 with e set ("cannot load librpm.so.9: ...") */
int pf_librpm_load(struct pf_err *e);
/* The same where there is no error to return: a pkgforge without
 * librpm cannot go on, and says so (exit status 1). */
void pf_librpm_need(void);

#ifndef PF_RPMLIB_H_TABLE
#define headerAddI18NString (pf_rpmlib.headerAddI18NString)
#define headerCopy (pf_rpmlib.headerCopy)
#define headerDel (pf_rpmlib.headerDel)
#define headerExport (pf_rpmlib.headerExport)
#define headerFree (pf_rpmlib.headerFree)
#define headerFreeIterator (pf_rpmlib.headerFreeIterator)
#define headerGet (pf_rpmlib.headerGet)
#define headerImport (pf_rpmlib.headerImport)
#define headerInitIterator (pf_rpmlib.headerInitIterator)
#define headerNew (pf_rpmlib.headerNew)
#define headerNext (pf_rpmlib.headerNext)
#define headerPut (pf_rpmlib.headerPut)
#define headerPutString (pf_rpmlib.headerPutString)
#define headerPutStringArray (pf_rpmlib.headerPutStringArray)
#define headerPutUint16 (pf_rpmlib.headerPutUint16)
#define headerPutUint32 (pf_rpmlib.headerPutUint32)
#define headerPutUint64 (pf_rpmlib.headerPutUint64)
#define headerReload (pf_rpmlib.headerReload)
#define rpmTagGetName (pf_rpmlib.rpmTagGetName)
#define rpmdsFree (pf_rpmlib.rpmdsFree)
#define rpmdsMerge (pf_rpmlib.rpmdsMerge)
#define rpmdsPutToHeader (pf_rpmlib.rpmdsPutToHeader)
#define rpmdsSingle (pf_rpmlib.rpmdsSingle)
#define rpmrichParseForTag (pf_rpmlib.rpmrichParseForTag)
#define rpmtdFreeData (pf_rpmlib.rpmtdFreeData)
#define rpmtdReset (pf_rpmlib.rpmtdReset)
#endif

#endif
