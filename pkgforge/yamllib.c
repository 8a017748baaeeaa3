// SPDX-License-Identifier: GPL-2.0-or-later
/* libfyaml, loaded when first needed (yamllib.h). */
#define PF_YAMLLIB_H_TABLE
#include "yamllib.h"
#include "dynlib.h"
#include "banned.h"

#ifndef PF_LIBFYAML_SONAME
#define PF_LIBFYAML_SONAME "libfyaml.so.0"
#endif

#define PF_DYNLIB_TABLE pf_fyaml

PF_DYNLIB_DEFINE(struct pf_fyaml_fns, PF_FYAML_FNS, PF_LIBFYAML_SONAME, pf_libfyaml_load)
