// SPDX-License-Identifier: GPL-2.0-or-later
/* libarchive, loaded when first needed (arlib.h). */
#define PF_ARLIB_H_TABLE
#include "arlib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBARCHIVE_SONAME
#define PF_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

struct pf_archive_fns pf_archive;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_ARCHIVE_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_archive.f,
	PF_ARCHIVE_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBARCHIVE_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_libarchive_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}
