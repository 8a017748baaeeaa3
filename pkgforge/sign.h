/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_SIGN_H
#define PF_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "strbuf.h"

/*
 * OpenPGP through gpgme: the one module that uses it.
 *
 * A pf_pgp owns a private, temporary GNUPGHOME that holds only the
 * public keys imported into it; the user's keyring is never read or
 * written, and the directory is removed by pf_pgp_free().  Trust is
 * never GnuPG's web of trust: a caller names the fingerprints it trusts
 * and pf_pgp_check() accepts a good signature by one of those keys (or
 * by one of their subkeys) and nothing else.
 *
 * Signing (Release/InRelease, repomd.xml.asc, Packages.asc, rpm
 * headers) and key generation work on another kind of context, opened
 * with pf_pgp_open_home() on the GnuPG home that holds the secret key:
 * the user's (or one chosen with --gnupghome), through GnuPG's own
 * agent.  pkgforge never sees a secret key nor asks for a passphrase.
 */

struct pf_pgp;

/* Flags for pf_pgp_new(); none yet: a context verifies only. */
enum { PF_PGP_VERIFY = 0 };

int pf_pgp_new(struct pf_pgp **out, unsigned flags, struct pf_err *e);
void pf_pgp_free(struct pf_pgp *p);
/* The private GNUPGHOME (for messages and tests). */
const char *pf_pgp_home(const struct pf_pgp *p);

/*
 * Import the public keys of an armored or binary key file.  A file
 * holding a secret key, or no key at all, is refused.  n_out (may be
 * NULL) receives how many keys it held.
 */
int pf_pgp_import_file(struct pf_pgp *p, const char *path, int *n_out, struct pf_err *e);
/* Import every *.asc and *.gpg file of a directory; 0 keys is no error. */
int pf_pgp_import_dir(struct pf_pgp *p, const char *dir, int *n_out, struct pf_err *e);

enum pf_pgp_verdict {
	PF_SIG_GOOD,            /* the data matches; key usable */
	PF_SIG_BAD,             /* the data does not match */
	PF_SIG_NO_KEY,          /* the key is not in the keyring */
	PF_SIG_KEY_EXPIRED,     /* made by a key that has expired */
	PF_SIG_EXPIRED,         /* the signature itself has expired */
	PF_SIG_REVOKED,         /* made by a revoked key */
	PF_SIG_ERROR,           /* anything else (why says what) */
};

struct pf_pgp_sig {
	enum pf_pgp_verdict verdict;
	char *fpr;              /* the signing key as reported (a subkey's
				 * fingerprint, or a key id when unknown) */
	char *primary;          /* fingerprint of its primary key, or NULL */
	char *uid;              /* the key's first user id, or NULL */
	char *why;              /* for PF_SIG_ERROR */
};

struct pf_pgp_result {
	struct pf_pgp_sig *v;
	size_t nr, alloc;
};

void pf_pgp_result_release(struct pf_pgp_result *r);

/*
 * Decide: 0 when some signature is good and made by a trusted key (a
 * 40-hex-digit fingerprint of the primary key or of the signing
 * subkey, any case); a bad signature anywhere fails.  Otherwise -1 with
 * e saying "<what>: ..." with the signer and the reason.  p (may be
 * NULL) names where keys came from when the signer's key is unknown.
 */
int pf_pgp_check(const struct pf_pgp *p, const struct pf_pgp_result *r, const char *what,
		 const char *const *trusted, size_t ntrusted, struct pf_err *e);

/*
 * Verify a clearsigned message (a "-----BEGIN PGP SIGNED MESSAGE-----"
 * block and nothing around it but white space).  plain receives the
 * signed text only, as GnuPG extracted it; r the signatures.  Returns -1
 * only when it could not be checked at all (not a clearsigned message);
 * the verdict is pf_pgp_check()'s.
 */
int pf_pgp_verify_clearsigned(struct pf_pgp *p, const char *what, const void *buf,
			      size_t len, struct strbuf *plain,
			      struct pf_pgp_result *r, struct pf_err *e);

/*
 * A detached signature checked over a stream: begin with the signature,
 * write every byte of the signed data in order (from the one pass over
 * a tarball), end to get the signatures.  GnuPG reads the data in a
 * thread of its own while the caller goes on.
 */
struct pf_pgp_stream;

int pf_pgp_stream_begin(struct pf_pgp *p, const char *what, const void *sig,
			size_t len, struct pf_pgp_stream **out, struct pf_err *e);
int pf_pgp_stream_write(struct pf_pgp_stream *s, const void *buf, size_t len,
			struct pf_err *e);
int pf_pgp_stream_end(struct pf_pgp_stream *s, struct pf_pgp_result *r, struct pf_err *e);
/* Abandons a stream that was not ended. */
void pf_pgp_stream_free(struct pf_pgp_stream *s);

/* ---------------------------------------------------------- signing */

/*
 * A context on an existing GnuPG home (NULL: $GNUPGHOME, else GnuPG's
 * default ~/.gnupg), created (mode 0700) when create is set.  It is not
 * removed by pf_pgp_free(), and its agent is left running, as GnuPG's
 * own tools leave it.
 */
int pf_pgp_open_home(struct pf_pgp **out, const char *home, bool create, struct pf_err *e);

/*
 * Create a signing key without passphrase or expiry: algo is GnuPG's
 * name ("rsa3072", "rsa4096", "ed25519").  *fpr receives its
 * fingerprint (upper case).
 */
int pf_pgp_genkey(struct pf_pgp *p, const char *uid, const char *algo, char **fpr,
		  struct pf_err *e);

/* A secret key usable for signing, looked up by fingerprint. */
struct pf_pgp_keyinfo {
	char fpr[41];           /* of the primary key, upper case */
	char keyid[17];         /* its last 16 hex digits */
	char *uid;              /* first user id, or NULL */
	int64_t created;        /* creation time of the primary key */
};

int pf_pgp_secret_key(struct pf_pgp *p, const char *fpr, struct pf_pgp_keyinfo *ki,
		      struct pf_err *e);
void pf_pgp_keyinfo_release(struct pf_pgp_keyinfo *ki);

/* The public key fpr, minimal (self-signatures only), armored or binary
 * (a binary export is also a keyring apt's Signed-By reads). */
int pf_pgp_export(struct pf_pgp *p, const char *fpr, bool armor, struct strbuf *out,
		  struct pf_err *e);

enum pf_pgp_sigmode {
	PF_PGP_CLEARSIGN,       /* InRelease */
	PF_PGP_DETACH_ARMOR,    /* Release.gpg, repomd.xml.asc, Packages.asc */
	PF_PGP_DETACH_BINARY,   /* an rpm header signature packet */
};

/*
 * Sign buf with the key fpr (SHA-256 or stronger).  out receives the
 * signature (or the clearsigned text); *pubkey_algo, when not NULL, the
 * OpenPGP public key algorithm number of the signing key (1 RSA, 17
 * DSA, 22 EdDSA).
 */
int pf_pgp_sign(struct pf_pgp *p, const char *fpr, enum pf_pgp_sigmode mode,
		const void *buf, size_t len, struct strbuf *out, int *pubkey_algo,
		struct pf_err *e);

/* True when s is a full v4 fingerprint: 40 hexadecimal digits. */
bool pf_pgp_fpr_ok(const char *s);

#endif
