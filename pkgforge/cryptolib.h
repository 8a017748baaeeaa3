/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CRYPTOLIB_H
#define PF_CRYPTOLIB_H

/*
 * OpenSSL's libcrypto, loaded when first needed (dynlib.h): linked, its
 * dynamic linking (~2 ms of CPU) was paid by every command.  Include
 * this instead of OpenSSL's headers, and call pf_libcrypto_need() before
 * its functions.  Used by usign.c (Ed25519), only in runs with a usign
 * key; the digests (digest.c) are linked from libcrypto.a (Makefile).
 */
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dynlib.h"
#include "err.h"

#define PF_CRYPTO_FNS(X) \
	X(EVP_DecodeBlock) \
	X(EVP_DigestSign) \
	X(EVP_DigestSignInit) \
	X(EVP_DigestVerify) \
	X(EVP_DigestVerifyInit) \
	X(EVP_EncodeBlock) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_CTX_new) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_get_raw_public_key) \
	X(EVP_PKEY_new_raw_private_key) \
	X(EVP_PKEY_new_raw_public_key) \
	X(OPENSSL_cleanse) \
	X(RAND_bytes)

struct pf_crypto_fns {
	PF_CRYPTO_FNS(PF_DYNFN_FIELD)
};

extern struct pf_crypto_fns pf_crypto;

/* 0, or -1 with e set ("cannot load libcrypto.so.3: ...") */
int pf_libcrypto_load(struct pf_err *e);
/* The same where there is no error to return: a pkgforge without
 * libcrypto cannot go on, and says so (exit status 1). */
void pf_libcrypto_need(void);

#ifndef PF_CRYPTOLIB_H_TABLE
#define EVP_DecodeBlock (pf_crypto.EVP_DecodeBlock)
#define EVP_DigestSign (pf_crypto.EVP_DigestSign)
#define EVP_DigestSignInit (pf_crypto.EVP_DigestSignInit)
#define EVP_DigestVerify (pf_crypto.EVP_DigestVerify)
#define EVP_DigestVerifyInit (pf_crypto.EVP_DigestVerifyInit)
#define EVP_EncodeBlock (pf_crypto.EVP_EncodeBlock)
#define EVP_MD_CTX_free (pf_crypto.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (pf_crypto.EVP_MD_CTX_new)
#define EVP_PKEY_free (pf_crypto.EVP_PKEY_free)
#define EVP_PKEY_get_raw_public_key (pf_crypto.EVP_PKEY_get_raw_public_key)
#define EVP_PKEY_new_raw_private_key (pf_crypto.EVP_PKEY_new_raw_private_key)
#define EVP_PKEY_new_raw_public_key (pf_crypto.EVP_PKEY_new_raw_public_key)
#define OPENSSL_cleanse (pf_crypto.OPENSSL_cleanse)
#define RAND_bytes (pf_crypto.RAND_bytes)
#endif

#endif
