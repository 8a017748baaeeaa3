// SPDX-License-Identifier: GPL-2.0-or-later
/* libcrypto, loaded when first needed (cryptolib.h). */
#include <stdio.h>
#include <stdlib.h>

#define PF_CRYPTOLIB_H_TABLE
#include "cryptolib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBCRYPTO_SONAME
#define PF_LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

struct pf_crypto_fns pf_crypto;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_CRYPTO_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_crypto.f,
	PF_CRYPTO_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBCRYPTO_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_libcrypto_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}

void pf_libcrypto_need(void)
{
	struct pf_err e = PF_ERR_INIT;

	if (pf_dynlib_load(&lib, &e) == 0)
		return;
	fprintf(stderr, "pkgforge: fatal: %s\n", e.msg.buf);
	exit(1);
}
