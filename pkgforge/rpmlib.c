// SPDX-License-Identifier: GPL-2.0-or-later
/* librpm, loaded when first needed (rpmlib.h). */
#define PF_RPMLIB_H_TABLE
#include "rpmlib.h"
#include "dynlib.h"
#include "banned.h"

#ifndef PF_LIBRPM_SONAME
#define PF_LIBRPM_SONAME "librpm.so.9"
#endif

#define PF_DYNLIB_TABLE pf_rpmlib

PF_DYNLIB_DEFINE(struct pf_rpm_fns, PF_RPM_FNS, PF_LIBRPM_SONAME, pf_librpm_load)
PF_DYNLIB_NEED(pf_librpm_need)
