// SPDX-License-Identifier: GPL-2.0-or-later
/* gpgme, loaded when first needed (gpglib.h). */
#define PF_GPGLIB_H_TABLE
#include "gpglib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBGPGME_SONAME
#define PF_LIBGPGME_SONAME "libgpgme.so.11"
#endif

struct pf_gpgme_fns pf_gpgme;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_GPGME_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_gpgme.f,
	PF_GPGME_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBGPGME_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_libgpgme_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}
