/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_DIGEST_H
#define PF_DIGEST_H

#include <stddef.h>
#include "err.h"

/* Message digests (the one module that uses OpenSSL's digests). */
enum pf_dalg { PF_MD5, PF_SHA1, PF_SHA256, PF_SHA512 };

#define PF_DIGEST_MAX 64

struct pf_digest;

struct pf_digest *pf_digest_new(enum pf_dalg alg);
/* Fetch the algorithms now (OpenSSL's first use loads its providers,
 * about a millisecond): on a thread that has time, before they are
 * wanted. */
void pf_digest_warm(void);
void pf_digest_update(struct pf_digest *d, const void *buf, size_t len);
/* Write the digest to out and reset for reuse; returns its length. */
size_t pf_digest_final(struct pf_digest *d, unsigned char *out);
void pf_digest_free(struct pf_digest *d);
size_t pf_digest_len(enum pf_dalg alg);

/* Digest of everything from fd's offset 0 to its end. */
int pf_digest_fd(int fd, enum pf_dalg alg, unsigned char *out, struct pf_err *e);
/* Digest of a memory buffer. */
void pf_digest_buf(enum pf_dalg alg, const void *buf, size_t len, unsigned char *out);

#endif
