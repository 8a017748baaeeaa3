/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_DIGEST_H
#define PF_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* Message digests (the one module that uses OpenSSL's digests). */
enum pf_dalg { PF_MD5, PF_SHA1, PF_SHA256, PF_SHA512 };

#define PF_DIGEST_MAX 64

struct pf_digest;

struct pf_digest *pf_digest_new(enum pf_dalg alg);
void pf_digest_update(struct pf_digest *d, const void *buf, size_t len);
/* Write the digest to out and reset for reuse; returns its length. */
size_t pf_digest_final(struct pf_digest *d, unsigned char *out);
void pf_digest_free(struct pf_digest *d);
size_t pf_digest_len(enum pf_dalg alg);

/* Digest of everything from fd's offset 0 to its end. */
int pf_digest_fd(int fd, enum pf_dalg alg, unsigned char *out, struct pf_err *e);
/* Digest of a memory buffer. */
void pf_digest_buf(enum pf_dalg alg, const void *buf, size_t len, unsigned char *out);

/*
 * MD5 and SHA-256 can stop part way and go on later, in another run:
 * the state after some bytes is kept in the algorithm's own terms (the
 * chaining values, the length, the bytes of the block not yet hashed),
 * so a state saved by one build means the same to any other.
 */
struct pf_dstate {
	enum pf_dalg alg;
	uint32_t h[8];                  /* MD5's four, then zeros */
	uint64_t len;                   /* bytes hashed so far */
	unsigned char rest[64];         /* the last len % 64 of them */
};

/* A digest of alg (MD5 or SHA-256) from the start, or (from not NULL)
 * where a saved state left off. */
struct pf_digest *pf_digest_resume(enum pf_dalg alg, const struct pf_dstate *from);
/* The state of d (MD5 or SHA-256), which goes on. */
void pf_digest_save(const struct pf_digest *d, struct pf_dstate *out);

#endif
