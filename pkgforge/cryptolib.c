// SPDX-License-Identifier: GPL-2.0-or-later
/* libcrypto, loaded when first needed (cryptolib.h). */
#define PF_CRYPTOLIB_H_TABLE
#include "cryptolib.h"
#include "dynlib.h"
#include "banned.h"

#ifndef PF_LIBCRYPTO_SONAME
#define PF_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

#define PF_DYNLIB_TABLE pf_crypto

PF_DYNLIB_DEFINE(struct pf_crypto_fns, PF_CRYPTO_FNS, PF_LIBCRYPTO_SONAME, pf_libcrypto_load)
PF_DYNLIB_NEED(pf_libcrypto_need)
