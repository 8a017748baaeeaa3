// SPDX-License-Identifier: GPL-2.0-or-later
/* libarchive, loaded when first needed (arlib.h). */
#define PF_ARLIB_H_TABLE
#include "arlib.h"
#include "dynlib.h"
#include "banned.h"

#ifndef PF_LIBARCHIVE_SONAME
#define PF_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

#define PF_DYNLIB_TABLE pf_archive

PF_DYNLIB_DEFINE(struct pf_archive_fns, PF_ARCHIVE_FNS, PF_LIBARCHIVE_SONAME, pf_libarchive_load)
