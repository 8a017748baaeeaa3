/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_USIGN_H
#define PF_USIGN_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"
#include "strbuf.h"

/*
 * usign keys and signatures (OpenWrt's opkg feeds), which are signify's
 * (OpenBSD) format: Ed25519 over the whole message, in files of two
 * lines, "untrusted comment: ..." and base64 of
 *
 *   public key   "Ed" keynum[8] pubkey[32]
 *   signature    "Ed" keynum[8] sig[64]
 *   secret key   "Ed" "BK" kdfrounds[4] salt[16] checksum[8] keynum[8]
 *                seckey[64] (the Ed25519 seed, then the public key)
 *
 * where keynum is a random key number (its hex is usign's "fingerprint",
 * the name opkg gives the key file in /etc/opkg/keys) and checksum the
 * first 8 bytes of SHA-512 over seckey.  Keys without a passphrase only
 * (kdfrounds 0), as OpenWrt's build makes them.  The one Ed25519 user
 * (OpenSSL).
 */
struct pf_usign_key {
	unsigned char keynum[8];
	unsigned char seed[32];         /* secret keys only */
	unsigned char pub[32];
	bool secret;
};

int pf_usign_generate(struct pf_usign_key *k, struct pf_err *e);
/* The key files' text; comment is what follows "untrusted comment: ". */
void pf_usign_secret_text(const struct pf_usign_key *k, const char *comment, struct strbuf *out);
void pf_usign_public_text(const struct pf_usign_key *k, const char *comment, struct strbuf *out);
/* Read a secret key file (or, when secret is false, a public key file). */
int pf_usign_load(const char *path, bool secret, struct pf_usign_key *k, struct pf_err *e);
/* usign's fingerprint: keynum in lower-case hex. */
void pf_usign_fingerprint(const struct pf_usign_key *k, char out[17]);
/* A signature file for msg ("untrusted comment: signed by key ..."). */
int pf_usign_sign(const struct pf_usign_key *k, const void *msg, size_t len,
		  struct strbuf *out, struct pf_err *e);
/* 0 when sig (a signature file's text) is k's valid signature of msg. */
int pf_usign_verify(const struct pf_usign_key *k, const void *msg, size_t len,
		    const char *sig, size_t siglen, struct pf_err *e);

#endif
