// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The low-level digest contexts: OpenSSL 3 marks their functions
 * deprecated (it keeps them, with the same code as EVP's), but EVP sets
 * up its providers at the first use (a millisecond every run), and can
 * neither save nor restore a digest's state.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "digest.h"
#include "util.h"
#include "banned.h"

/*
 * OpenSSL's own implementations through its low-level interface, linked
 * from libcrypto.a: the same code as its EVP digests (SHA-NI and all),
 * without loading libcrypto.so (~2 ms of dynamic linking), without the
 * providers EVP fetches algorithms from (a millisecond of setting up at
 * the first use) or an allocation for each EVP context; and the states
 * of MD5 and SHA-256 can be saved (pf_digest_save).
 */
union ctx {
	MD5_CTX md5;
	SHA_CTX sha1;
	SHA256_CTX sha256;
	SHA512_CTX sha512;
};

struct pf_digest {
	enum pf_dalg alg;
	union ctx c;
};

static void ctx_init(enum pf_dalg alg, union ctx *c)
{
	switch (alg) {
	case PF_MD5:
		MD5_Init(&c->md5);
		return;
	case PF_SHA1:
		SHA1_Init(&c->sha1);
		return;
	case PF_SHA256:
		SHA256_Init(&c->sha256);
		return;
	case PF_SHA512:
		SHA512_Init(&c->sha512);
		return;
	}
	abort();
}

static void ctx_update(enum pf_dalg alg, union ctx *c, const void *buf, size_t len)
{
	switch (alg) {
	case PF_MD5:
		MD5_Update(&c->md5, buf, len);
		return;
	case PF_SHA1:
		SHA1_Update(&c->sha1, buf, len);
		return;
	case PF_SHA256:
		SHA256_Update(&c->sha256, buf, len);
		return;
	case PF_SHA512:
		SHA512_Update(&c->sha512, buf, len);
		return;
	}
	abort();
}

static void ctx_final(enum pf_dalg alg, union ctx *c, unsigned char *out)
{
	switch (alg) {
	case PF_MD5:
		MD5_Final(out, &c->md5);
		return;
	case PF_SHA1:
		SHA1_Final(out, &c->sha1);
		return;
	case PF_SHA256:
		SHA256_Final(out, &c->sha256);
		return;
	case PF_SHA512:
		SHA512_Final(out, &c->sha512);
		return;
	}
	abort();
}

size_t pf_digest_len(enum pf_dalg alg)
{
	return alg == PF_MD5 ? 16 : alg == PF_SHA1 ? 20 : alg == PF_SHA256 ? 32 : 64;
}

struct pf_digest *pf_digest_new(enum pf_dalg alg)
{
	struct pf_digest *d = pf_malloc(sizeof(*d));

	d->alg = alg;
	ctx_init(alg, &d->c);
	return d;
}

void pf_digest_update(struct pf_digest *d, const void *buf, size_t len)
{
	if (len)
		ctx_update(d->alg, &d->c, buf, len);
}

size_t pf_digest_final(struct pf_digest *d, unsigned char *out)
{
	ctx_final(d->alg, &d->c, out);
	ctx_init(d->alg, &d->c);
	return pf_digest_len(d->alg);
}

void pf_digest_free(struct pf_digest *d)
{
	free(d);
}

int pf_digest_fd(int fd, enum pf_dalg alg, unsigned char *out, struct pf_err *e)
{
	struct pf_digest *d = pf_digest_new(alg);
	char *buf = pf_malloc(1 << 17);
	off_t off = 0;
	int ret = -1;

	for (;;) {
		ssize_t n = pread(fd, buf, 1 << 17, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pf_err_errno(e, "read");
			goto out;
		}
		if (!n)
			break;
		pf_digest_update(d, buf, n);
		off += n;
	}
	pf_digest_final(d, out);
	ret = 0;
out:
	free(buf);
	pf_digest_free(d);
	return ret;
}

void pf_digest_buf(enum pf_dalg alg, const void *buf, size_t len, unsigned char *out)
{
	struct pf_digest *d = pf_digest_new(alg);

	pf_digest_update(d, buf, len);
	pf_digest_final(d, out);
	pf_digest_free(d);
}

/* ---------------------------------------------------------- resumable */

struct pf_digest *pf_digest_resume(enum pf_dalg alg, const struct pf_dstate *from)
{
	struct pf_digest *d;
	uint64_t bits;

	if (alg != PF_MD5 && alg != PF_SHA256)
		abort();
	d = pf_digest_new(alg);
	if (!from)
		return d;
	if (from->alg != alg)
		abort();
	/* whole blocks' chaining values and length; then the rest again */
	bits = (from->len - from->len % 64) * 8;
	if (alg == PF_MD5) {
		d->c.md5.A = from->h[0];
		d->c.md5.B = from->h[1];
		d->c.md5.C = from->h[2];
		d->c.md5.D = from->h[3];
		d->c.md5.Nl = (MD5_LONG)bits;
		d->c.md5.Nh = (MD5_LONG)(bits >> 32);
		d->c.md5.num = 0;
	} else {
		for (int i = 0; i < 8; i++)
			d->c.sha256.h[i] = from->h[i];
		d->c.sha256.Nl = (SHA_LONG)bits;
		d->c.sha256.Nh = (SHA_LONG)(bits >> 32);
		d->c.sha256.num = 0;
	}
	pf_digest_update(d, from->rest, from->len % 64);
	return d;
}

void pf_digest_save(const struct pf_digest *d, struct pf_dstate *out)
{
	uint64_t nl, nh;
	unsigned num;
	const void *data;

	memset(out, 0, sizeof(*out));
	out->alg = d->alg;
	if (d->alg == PF_MD5) {
		out->h[0] = d->c.md5.A;
		out->h[1] = d->c.md5.B;
		out->h[2] = d->c.md5.C;
		out->h[3] = d->c.md5.D;
		nl = d->c.md5.Nl;
		nh = d->c.md5.Nh;
		num = d->c.md5.num;
		data = d->c.md5.data;
	} else if (d->alg == PF_SHA256) {
		for (int i = 0; i < 8; i++)
			out->h[i] = d->c.sha256.h[i];
		nl = d->c.sha256.Nl;
		nh = d->c.sha256.Nh;
		num = d->c.sha256.num;
		data = d->c.sha256.data;
	} else {
		abort();
	}
	/* the contexts count bits; a block not yet hashed waits in data */
	out->len = (nh << 32 | nl) / 8;
	if (num != out->len % 64)
		abort();
	memcpy(out->rest, data, num);
}
