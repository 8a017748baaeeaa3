/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_RPMLIB_H
#define PF_RPMLIB_H

/*
 * librpm (and librpmio, which it brings), loaded when first needed
 * (dynlib.h): it pulls in nine more libraries (Lua, SQLite, libgcrypt,
 * popt...), some 1.5 ms at the start of every command, and a deb feed
 * never needs it.  Include this instead of rpm's headers, and call
 * pf_librpm_load() (or pf_librpm_need()) before its functions.  Used by
 * pkgfmt-rpm.c (writing, signing, rpm's version rules) and pkgin-rpm.c
 * (reading).
 */
#include <rpm/header.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmstrpool.h>
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
	X(headerGetNumber) \
	X(headerGetString) \
	X(headerImport) \
	X(headerInitIterator) \
	X(headerIsEntry) \
	X(headerNew) \
	X(headerNext) \
	X(headerPut) \
	X(headerPutString) \
	X(headerPutStringArray) \
	X(headerPutUint16) \
	X(headerPutUint32) \
	X(headerPutUint64) \
	X(headerReload) \
	X(pgpDigParamsFree) \
	X(pgpDigParamsSignID) \
	X(pgpPrtParams) \
	X(rpmTagGetName) \
	X(rpmdsEVR) \
	X(rpmdsFlags) \
	X(rpmdsFree) \
	X(rpmdsMerge) \
	X(rpmdsN) \
	X(rpmdsNewPool) \
	X(rpmdsNext) \
	X(rpmdsPutToHeader) \
	X(rpmdsSingle) \
	X(rpmrichParseForTag) \
	X(rpmstrPoolCreate) \
	X(rpmstrPoolFree) \
	X(rpmtdFreeData) \
	X(rpmtdGetNumber) \
	X(rpmtdGetString) \
	X(rpmtdNext) \
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
#define headerGetNumber (pf_rpmlib.headerGetNumber)
#define headerGetString (pf_rpmlib.headerGetString)
#define headerImport (pf_rpmlib.headerImport)
#define headerInitIterator (pf_rpmlib.headerInitIterator)
#define headerIsEntry (pf_rpmlib.headerIsEntry)
#define headerNew (pf_rpmlib.headerNew)
#define headerNext (pf_rpmlib.headerNext)
#define headerPut (pf_rpmlib.headerPut)
#define headerPutString (pf_rpmlib.headerPutString)
#define headerPutStringArray (pf_rpmlib.headerPutStringArray)
#define headerPutUint16 (pf_rpmlib.headerPutUint16)
#define headerPutUint32 (pf_rpmlib.headerPutUint32)
#define headerPutUint64 (pf_rpmlib.headerPutUint64)
#define headerReload (pf_rpmlib.headerReload)
#define pgpDigParamsFree (pf_rpmlib.pgpDigParamsFree)
#define pgpDigParamsSignID (pf_rpmlib.pgpDigParamsSignID)
#define pgpPrtParams (pf_rpmlib.pgpPrtParams)
#define rpmTagGetName (pf_rpmlib.rpmTagGetName)
#define rpmdsEVR (pf_rpmlib.rpmdsEVR)
#define rpmdsFlags (pf_rpmlib.rpmdsFlags)
#define rpmdsFree (pf_rpmlib.rpmdsFree)
#define rpmdsMerge (pf_rpmlib.rpmdsMerge)
#define rpmdsN (pf_rpmlib.rpmdsN)
#define rpmdsNewPool (pf_rpmlib.rpmdsNewPool)
#define rpmdsNext (pf_rpmlib.rpmdsNext)
#define rpmdsPutToHeader (pf_rpmlib.rpmdsPutToHeader)
#define rpmdsSingle (pf_rpmlib.rpmdsSingle)
#define rpmrichParseForTag (pf_rpmlib.rpmrichParseForTag)
#define rpmstrPoolCreate (pf_rpmlib.rpmstrPoolCreate)
#define rpmstrPoolFree (pf_rpmlib.rpmstrPoolFree)
#define rpmtdFreeData (pf_rpmlib.rpmtdFreeData)
#define rpmtdGetNumber (pf_rpmlib.rpmtdGetNumber)
#define rpmtdGetString (pf_rpmlib.rpmtdGetString)
#define rpmtdNext (pf_rpmlib.rpmtdNext)
#define rpmtdReset (pf_rpmlib.rpmtdReset)
#endif

#endif
