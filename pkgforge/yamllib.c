// SPDX-License-Identifier: GPL-2.0-or-later
/* libfyaml, loaded when first needed (yamllib.h). */
#define PF_YAMLLIB_H_TABLE
#include "yamllib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBFYAML_SONAME
#define PF_LIBFYAML_SONAME "libfyaml.so.0"
#endif

struct pf_fyaml_fns pf_fyaml;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_FYAML_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_fyaml.f,
	PF_FYAML_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBFYAML_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_libfyaml_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}
