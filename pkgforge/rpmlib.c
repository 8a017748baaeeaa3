// SPDX-License-Identifier: GPL-2.0-or-later
/* librpm, loaded when first needed (rpmlib.h). */
#include <stdio.h>
#include <stdlib.h>

#define PF_RPMLIB_H_TABLE
#include "rpmlib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBRPM_SONAME
#define PF_LIBRPM_SONAME "librpm.so.9"
#endif

struct pf_rpm_fns pf_rpmlib;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_RPM_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_rpmlib.f,
	PF_RPM_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBRPM_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_librpm_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}

void pf_librpm_need(void)
{
	struct pf_err e = PF_ERR_INIT;

	if (pf_dynlib_load(&lib, &e) == 0)
		return;
	fprintf(stderr, "pkgforge: fatal: %s\n", e.msg.buf);
	exit(1);
}
