// SPDX-License-Identifier: GPL-2.0-or-later
/* usign/signify Ed25519 keys and signatures with OpenSSL (see usign.h). */
#include <string.h>

#include "cryptolib.h"
#include "digest.h"
#include "usign.h"
#include "util.h"
#include "banned.h"

#define COMMENT "untrusted comment: "
#define MAX_KEYFILE 4096

enum { PUB_LEN = 2 + 8 + 32, SIG_LEN = 2 + 8 + 64, SEC_LEN = 2 + 2 + 4 + 16 + 8 + 8 + 64 };

static void b64_line(struct strbuf *out, const unsigned char *buf, size_t len)
{
	size_t at = out->len;

	strbuf_grow(out, 4 * ((len + 2) / 3) + 2);
	at += (size_t)EVP_EncodeBlock((unsigned char *)out->buf + at, buf, (int)len);
	strbuf_setlen(out, at);
	strbuf_addch(out, '\n');
}

/*
 * Split a key or signature file: the comment line, then one line of
 * base64 decoding to exactly want bytes.
 */
static int parse_file(const char *what, const char *text, size_t len, unsigned char *out,
		      size_t want, struct pf_err *e)
{
	const char *nl = memchr(text, '\n', len), *b64, *end;
	unsigned char buf[256];
	size_t n, pad = 0;
	int got;

	if (len < sizeof(COMMENT) - 1 || memcmp(text, COMMENT, sizeof(COMMENT) - 1) || !nl)
		return pf_err_set(e, PF_EINVAL, "%s: not a usign/signify file (no \"%s\" line)",
				  what, COMMENT "...");
	b64 = nl + 1;
	end = memchr(b64, '\n', len - (size_t)(b64 - text));
	if (!end)
		end = text + len;
	n = (size_t)(end - b64);
	if (n % 4 || n > 4 * ((sizeof(buf) + 2) / 3) || strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/=") < n)
		return pf_err_set(e, PF_EINVAL, "%s: the second line is not base64", what);
	while (pad < n && b64[n - 1 - pad] == '=')
		pad++;
	got = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)n);
	if (got < 0 || (size_t)got - pad != want)
		return pf_err_set(e, PF_EINVAL, "%s: %zu bytes of key data, not the %zu expected",
				  what, got < 0 ? (size_t)0 : (size_t)got - pad, want);
	memcpy(out, buf, want);
	return 0;
}

static int public_of(const unsigned char seed[32], unsigned char pub[32], struct pf_err *e)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	size_t n = 32;
	int ok = pk && EVP_PKEY_get_raw_public_key(pk, pub, &n) == 1 && n == 32;

	EVP_PKEY_free(pk);
	return ok ? 0 : pf_err_set(e, PF_EFAIL, "OpenSSL cannot make an Ed25519 key");
}

int pf_usign_generate(struct pf_usign_key *k, struct pf_err *e)
{
	pf_libcrypto_need();
	memset(k, 0, sizeof(*k));
	if (RAND_bytes(k->seed, sizeof(k->seed)) != 1 ||
	    RAND_bytes(k->keynum, sizeof(k->keynum)) != 1)
		return pf_err_set(e, PF_EFAIL, "OpenSSL has no random bytes");
	k->secret = true;
	return public_of(k->seed, k->pub, e);
}

void pf_usign_fingerprint(const struct pf_usign_key *k, char out[17])
{
	pf_hex(out, k->keynum, 8);
}

void pf_usign_secret_text(const struct pf_usign_key *k, const char *comment, struct strbuf *out)
{
	unsigned char b[SEC_LEN], sk[64], sum[64];
	unsigned char *p = b;

	pf_libcrypto_need();
	memcpy(sk, k->seed, 32);
	memcpy(sk + 32, k->pub, 32);
	pf_digest_buf(PF_SHA512, sk, sizeof(sk), sum);
	memcpy(p, "EdBK", 4);
	p += 4;
	memset(p, 0, 4);                /* kdfrounds: no passphrase */
	p += 4;
	RAND_bytes(p, 16);              /* salt, unused without a passphrase */
	p += 16;
	memcpy(p, sum, 8);
	p += 8;
	memcpy(p, k->keynum, 8);
	p += 8;
	memcpy(p, sk, 64);
	strbuf_addf(out, COMMENT "%s\n", comment);
	b64_line(out, b, sizeof(b));
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(sk, sizeof(sk));
}

void pf_usign_public_text(const struct pf_usign_key *k, const char *comment, struct strbuf *out)
{
	unsigned char b[PUB_LEN];

	pf_libcrypto_need();
	memcpy(b, "Ed", 2);
	memcpy(b + 2, k->keynum, 8);
	memcpy(b + 10, k->pub, 32);
	strbuf_addf(out, COMMENT "%s\n", comment);
	b64_line(out, b, sizeof(b));
}

int pf_usign_load(const char *path, bool secret, struct pf_usign_key *k, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char b[SEC_LEN], sum[64], pub[32];
	int ret = -1;

	pf_libcrypto_need();
	memset(k, 0, sizeof(*k));
	if (pf_read_file(path, MAX_KEYFILE, &sb, e) < 0)
		goto out;
	if (!secret) {
		if (parse_file(path, sb.buf, sb.len, b, PUB_LEN, e) < 0)
			goto out;
		if (memcmp(b, "Ed", 2)) {
			pf_err_set(e, PF_EINVAL, "%s: not an Ed25519 public key", path);
			goto out;
		}
		memcpy(k->keynum, b + 2, 8);
		memcpy(k->pub, b + 10, 32);
		ret = 0;
		goto out;
	}
	if (parse_file(path, sb.buf, sb.len, b, SEC_LEN, e) < 0)
		goto out;
	if (memcmp(b, "EdBK", 4)) {
		pf_err_set(e, PF_EINVAL, "%s: not a usign/signify Ed25519 secret key", path);
		goto out;
	}
	if (memcmp(b + 4, "\0\0\0\0", 4)) {
		pf_err_set(e, PF_EINVAL,
			   "%s: the key is protected by a passphrase; pkgforge signs with keys that have none (usign -G, signify -G -n)",
			   path);
		goto out;
	}
	pf_digest_buf(PF_SHA512, b + 40, 64, sum);
	if (memcmp(sum, b + 24, 8)) {
		pf_err_set(e, PF_EINVAL, "%s: the key's checksum does not match: the file is damaged",
			   path);
		goto out;
	}
	memcpy(k->keynum, b + 32, 8);
	memcpy(k->seed, b + 40, 32);
	memcpy(k->pub, b + 72, 32);
	k->secret = true;
	if (public_of(k->seed, pub, e) < 0)
		goto out;
	if (memcmp(pub, k->pub, 32)) {
		pf_err_set(e, PF_EINVAL, "%s: the public half does not belong to the secret key", path);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(b, sizeof(b));
	if (sb.len)
		OPENSSL_cleanse(sb.buf, sb.len);
	strbuf_release(&sb);
	if (ret)
		memset(k, 0, sizeof(*k));
	return ret;
}

int pf_usign_sign(const struct pf_usign_key *k, const void *msg, size_t len,
		  struct strbuf *out, struct pf_err *e)
{
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char b[SIG_LEN];
	size_t n = 64;
	char fp[17];
	int ret = -1;

	pf_libcrypto_need();
	if (!k->secret)
		return pf_err_set(e, PF_EINVAL, "a public key cannot sign");
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed, 32);
	ctx = EVP_MD_CTX_new();
	if (!pk || !ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) != 1 ||
	    EVP_DigestSign(ctx, b + 10, &n, msg, len) != 1 || n != 64) {
		pf_err_set(e, PF_EFAIL, "OpenSSL cannot make an Ed25519 signature");
		goto out;
	}
	memcpy(b, "Ed", 2);
	memcpy(b + 2, k->keynum, 8);
	pf_usign_fingerprint(k, fp);
	strbuf_addf(out, COMMENT "signed by key %s\n", fp);
	b64_line(out, b, sizeof(b));
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}

int pf_usign_verify(const struct pf_usign_key *k, const void *msg, size_t len,
		    const char *sig, size_t siglen, struct pf_err *e)
{
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char b[SIG_LEN];
	int ret = -1;

	pf_libcrypto_need();
	if (parse_file("signature", sig, siglen, b, SIG_LEN, e) < 0)
		return -1;
	if (memcmp(b, "Ed", 2) || memcmp(b + 2, k->keynum, 8))
		return pf_err_set(e, PF_EFAIL, "the signature is not by this key");
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pub, 32);
	ctx = EVP_MD_CTX_new();
	if (!pk || !ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1) {
		pf_err_set(e, PF_EFAIL, "OpenSSL cannot check an Ed25519 signature");
		goto out;
	}
	if (EVP_DigestVerify(ctx, b + 10, 64, msg, len) != 1) {
		pf_err_set(e, PF_EFAIL, "BAD signature: the signed data was altered");
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}
