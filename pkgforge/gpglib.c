// SPDX-License-Identifier: GPL-2.0-or-later
/* gpgme, loaded when first needed (gpglib.h). */
#define PF_GPGLIB_H_TABLE
#include "gpglib.h"
#include "dynlib.h"
#include "banned.h"

#ifndef PF_LIBGPGME_SONAME
#define PF_LIBGPGME_SONAME "libgpgme.so.11"
#endif

#define PF_DYNLIB_TABLE pf_gpgme

PF_DYNLIB_DEFINE(struct pf_gpgme_fns, PF_GPGME_FNS, PF_LIBGPGME_SONAME, pf_libgpgme_load)
