// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cryptolib.h"
#include "digest.h"
#include "util.h"
#include "banned.h"

struct pf_digest {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
};

/*
 * The algorithms, fetched from OpenSSL's providers once: a digest set
 * up with the legacy EVP_sha256() is fetched again at every
 * initialisation, which costs more than hashing a small buffer.
 */
static EVP_MD *fetched[4];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	static const char *const names[4] = { "MD5", "SHA1", "SHA256", "SHA512" };

	pf_libcrypto_need();
	for (int i = 0; i < 4; i++)
		fetched[i] = EVP_MD_fetch(NULL, names[i], NULL);
}

static const EVP_MD *md_of(enum pf_dalg alg)
{
	pthread_once(&fetch_once, fetch_all);
	if (fetched[alg])
		return fetched[alg];
	switch (alg) {
	case PF_MD5:
		return EVP_md5();
	case PF_SHA1:
		return EVP_sha1();
	case PF_SHA256:
		return EVP_sha256();
	case PF_SHA512:
		return EVP_sha512();
	}
	abort();
}

void pf_digest_warm(void)
{
	pthread_once(&fetch_once, fetch_all);
}

size_t pf_digest_len(enum pf_dalg alg)
{
	return alg == PF_MD5 ? 16 : alg == PF_SHA1 ? 20 : alg == PF_SHA256 ? 32 : 64;
}

struct pf_digest *pf_digest_new(enum pf_dalg alg)
{
	struct pf_digest *d = pf_calloc(1, sizeof(*d));

	d->md = md_of(alg);
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, d->md, NULL)) {
		fprintf(stderr, "pkgforge: fatal: cannot initialise a message digest\n");
		abort();
	}
	return d;
}

void pf_digest_update(struct pf_digest *d, const void *buf, size_t len)
{
	EVP_DigestUpdate(d->ctx, buf, len);
}

size_t pf_digest_final(struct pf_digest *d, unsigned char *out)
{
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->ctx, out, &n);
	EVP_DigestInit_ex(d->ctx, d->md, NULL);
	return n;
}

void pf_digest_free(struct pf_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
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

struct pf_rdigest {
	enum pf_dalg alg;
	union {
		MD5_CTX md5;
		SHA256_CTX sha;
	} c;
};

struct pf_rdigest *pf_rdigest_new(enum pf_dalg alg, const struct pf_dstate *from)
{
	struct pf_rdigest *d = pf_calloc(1, sizeof(*d));
	uint64_t bits;

	if (alg != PF_MD5 && alg != PF_SHA256)
		abort();
	pf_libcrypto_need();
	d->alg = alg;
	if (alg == PF_MD5)
		MD5_Init(&d->c.md5);
	else
		SHA256_Init(&d->c.sha);
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
			d->c.sha.h[i] = from->h[i];
		d->c.sha.Nl = (SHA_LONG)bits;
		d->c.sha.Nh = (SHA_LONG)(bits >> 32);
		d->c.sha.num = 0;
	}
	pf_rdigest_update(d, from->rest, from->len % 64);
	return d;
}

void pf_rdigest_update(struct pf_rdigest *d, const void *buf, size_t len)
{
	if (!len)
		return;
	if (d->alg == PF_MD5)
		MD5_Update(&d->c.md5, buf, len);
	else
		SHA256_Update(&d->c.sha, buf, len);
}

void pf_rdigest_save(const struct pf_rdigest *d, struct pf_dstate *out)
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
	} else {
		for (int i = 0; i < 8; i++)
			out->h[i] = d->c.sha.h[i];
		nl = d->c.sha.Nl;
		nh = d->c.sha.Nh;
		num = d->c.sha.num;
		data = d->c.sha.data;
	}
	/* the contexts count bits; a block not yet hashed waits in data */
	out->len = (nh << 32 | nl) / 8;
	if (num != out->len % 64)
		abort();
	memcpy(out->rest, data, num);
}

void pf_rdigest_final(struct pf_rdigest *d, unsigned char *out)
{
	if (d->alg == PF_MD5)
		MD5_Final(out, &d->c.md5);
	else
		SHA256_Final(out, &d->c.sha);
}

void pf_rdigest_free(struct pf_rdigest *d)
{
	free(d);
}
