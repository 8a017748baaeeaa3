// SPDX-License-Identifier: GPL-2.0-or-later
/* OpenPGP with gpgme, in a private temporary keyring (the one gpgme user). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpglib.h"
#include "sign.h"
#include "util.h"
#include "banned.h"

/* Key files and signatures are small; anything bigger is not one. */
#define MAX_KEYFILE (8u << 20)

struct pf_pgp {
	char *home;
	bool own_home;          /* a temporary home pf_pgp_free() removes */
	gpgme_ctx_t ctx;
	gpgme_key_t signer;     /* the last secret key signed with */
	char *signer_fpr;
	struct strbuf sources;  /* where the keys came from, for messages */
};

struct pf_pgp_stream {
	struct pf_pgp *pgp;
	char *what;
	gpgme_ctx_t ctx;
	gpgme_data_t sig, text;
	int rfd, wfd;
	pthread_t thread;
	bool running;
	bool stopped;           /* GnuPG stopped reading (it will say why) */
	gpgme_error_t err;      /* of the verify operation */
};

bool pf_pgp_fpr_ok(const char *s)
{
	size_t n = strlen(s);

	return n == 40 && strspn(s, "0123456789abcdefABCDEF") == n;
}

const char *pf_pgp_home(const struct pf_pgp *p)
{
	return p->home;
}

static int gpg_fail(struct pf_err *e, gpgme_error_t err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message, then ": " and gpgme's reason. */
static int gpg_fail(struct pf_err *e, gpgme_error_t err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pf_err_set(e, PF_EFAIL, "%s: %s", sb.buf, gpgme_strerror(err));
	strbuf_release(&sb);
	return -1;
}

static int ctx_new(struct pf_pgp *p, gpgme_ctx_t *out, struct pf_err *e)
{
	gpgme_error_t err = gpgme_new(out);

	if (!err)
		err = gpgme_set_protocol(*out, GPGME_PROTOCOL_OpenPGP);
	if (!err)
		err = gpgme_ctx_set_engine_info(*out, GPGME_PROTOCOL_OpenPGP, NULL, p->home);
	if (err) {
		if (*out)
			gpgme_release(*out);
		*out = NULL;
		return gpg_fail(e, err, "cannot set up GnuPG");
	}
	/* never ask a key server or a directory manager for anything */
	gpgme_set_offline(*out, 1);
	return 0;
}

/* What gpgme needs before any context: the version check, SIGPIPE. */
static int gpgme_setup(struct pf_err *e)
{
	struct sigaction sa;
	gpgme_error_t err;

	if (pf_libgpgme_load(e) < 0)
		return -1;
	gpgme_check_version(NULL);
	err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (err)
		return gpg_fail(e, err, "OpenPGP signatures need GnuPG (gpg)");
	/* GnuPG is fed through pipes: a reader that quits early must give
	 * EPIPE, not kill the process */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	return 0;
}

int pf_pgp_new(struct pf_pgp **out, unsigned flags, struct pf_err *e)
{
	static const char conf[] =
		"# written by pkgforge: a throwaway keyring of public keys\n"
		"no-autostart\n"
		"no-auto-key-retrieve\n"
		"no-greeting\n";
	struct pf_pgp *p = pf_calloc(1, sizeof(*p));
	const char *tmp = getenv("TMPDIR");
	char *path = NULL;
	int fd;

	(void)flags;
	*out = NULL;
	strbuf_init(&p->sources, 0);
	if (gpgme_setup(e) < 0)
		goto fail;
	p->home = pf_asprintf("%s/pkgforge-gnupg.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->home)) {
		pf_err_errno(e, "cannot create a temporary GnuPG home in %s", tmp && *tmp ? tmp : "/tmp");
		free(p->home);
		p->home = NULL;
		goto fail;
	}
	p->own_home = true;
	path = pf_asprintf("%s/gpg.conf", p->home);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || pf_write_all(fd, conf, sizeof(conf) - 1) < 0) {
		pf_err_errno(e, "cannot write %s", path);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (ctx_new(p, &p->ctx, e) < 0)
		goto fail;
	free(path);
	*out = p;
	return 0;
fail:
	free(path);
	pf_pgp_free(p);
	return -1;
}

void pf_pgp_free(struct pf_pgp *p)
{
	if (!p)
		return;
	if (p->signer)
		gpgme_key_unref(p->signer);
	free(p->signer_fpr);
	if (p->ctx)
		gpgme_release(p->ctx);
	if (p->home && p->own_home)
		pf_rmtree(p->home);
	free(p->home);
	strbuf_release(&p->sources);
	free(p);
}

/* ------------------------------------------------------------- keys */

static int import_one(struct pf_pgp *p, const char *path, int *n_out, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	gpgme_data_t d = NULL;
	gpgme_import_result_t res;
	gpgme_error_t err;
	int ret = -1;

	if (pf_read_file(path, MAX_KEYFILE, &sb, e) < 0)
		goto out;
	err = gpgme_data_new_from_mem(&d, sb.buf, sb.len, 0);
	if (!err)
		err = gpgme_op_import(p->ctx, d);
	if (err) {
		gpg_fail(e, err, "cannot import the keys of %s", path);
		goto out;
	}
	res = gpgme_op_import_result(p->ctx);
	if (res && res->secret_read) {
		pf_err_set(e, PF_EINVAL, "%s holds a secret key: give public keys only", path);
		goto out;
	}
	if (!res || !res->considered) {
		pf_err_set(e, PF_EINVAL, "%s holds no OpenPGP public key", path);
		goto out;
	}
	if (res->not_imported) {
		const char *why = "invalid key";
		for (gpgme_import_status_t st = res->imports; st; st = st->next)
			if (st->result) {
				why = gpgme_strerror(st->result);
				break;
			}
		pf_err_set(e, PF_EINVAL, "%s: a key could not be imported: %s", path, why);
		goto out;
	}
	if (n_out)
		*n_out = res->considered;
	ret = 0;
out:
	if (d)
		gpgme_data_release(d);
	strbuf_release(&sb);
	return ret;
}

int pf_pgp_import_file(struct pf_pgp *p, const char *path, int *n_out, struct pf_err *e)
{
	if (import_one(p, path, n_out, e) < 0)
		return -1;
	strbuf_addf(&p->sources, "%s%s", p->sources.len ? ", " : "", path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pf_pgp_import_dir(struct pf_pgp *p, const char *dir, int *n_out, struct pf_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0;
	int total = 0, ret = 0;

	if (!d)
		return pf_err_errno(e, "cannot read the key directory %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    !(pf_ends_with(de->d_name, ".asc") || pf_ends_with(de->d_name, ".gpg")))
			continue;
		PF_ALLOC_GROW(names, nr + 1, alloc);
		names[nr++] = pf_asprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nr && !ret; i++) {
		int n = 0;
		ret = import_one(p, names[i], &n, e);
		total += n;
	}
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	if (n_out)
		*n_out = total;
	if (!ret)
		strbuf_addf(&p->sources, "%s%s", p->sources.len ? ", " : "", dir);
	return ret;
}

/* ------------------------------------------------------- verdicts */

void pf_pgp_result_release(struct pf_pgp_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->v[i].fpr);
		free(r->v[i].primary);
		free(r->v[i].uid);
		free(r->v[i].why);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void collect(gpgme_ctx_t ctx, struct pf_pgp_result *r)
{
	gpgme_verify_result_t vr = gpgme_op_verify_result(ctx);

	for (gpgme_signature_t s = vr ? vr->signatures : NULL; s; s = s->next) {
		struct pf_pgp_sig *out;
		gpgme_key_t key = NULL;

		PF_ALLOC_GROW(r->v, r->nr + 1, r->alloc);
		out = &r->v[r->nr++];
		memset(out, 0, sizeof(*out));
		out->fpr = pf_strdup(s->fpr ? s->fpr : "(unknown key)");
		if (s->fpr && !gpgme_get_key(ctx, s->fpr, &key, 0) && key) {
			if (key->fpr)
				out->primary = pf_strdup(key->fpr);
			if (key->uids && key->uids->uid)
				out->uid = pf_strdup(key->uids->uid);
			gpgme_key_unref(key);
		}
		switch (gpgme_err_code(s->status)) {
		case GPG_ERR_NO_ERROR:
			out->verdict = PF_SIG_GOOD;
			if (s->summary & GPGME_SIGSUM_KEY_REVOKED)
				out->verdict = PF_SIG_REVOKED;
			else if (s->wrong_key_usage) {
				out->verdict = PF_SIG_ERROR;
				out->why = pf_strdup("the key is not meant for signing");
			}
			break;
		case GPG_ERR_BAD_SIGNATURE:
			out->verdict = PF_SIG_BAD;
			break;
		case GPG_ERR_NO_PUBKEY:
			out->verdict = PF_SIG_NO_KEY;
			break;
		case GPG_ERR_KEY_EXPIRED:
			out->verdict = PF_SIG_KEY_EXPIRED;
			break;
		case GPG_ERR_SIG_EXPIRED:
			out->verdict = PF_SIG_EXPIRED;
			break;
		case GPG_ERR_CERT_REVOKED:
			out->verdict = PF_SIG_REVOKED;
			break;
		default:
			out->verdict = PF_SIG_ERROR;
			out->why = pf_strdup(gpgme_strerror(s->status));
			break;
		}
	}
}

static bool fpr_eq(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

static bool trusted_sig(const struct pf_pgp_sig *s, const char *const *trusted, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fpr_eq(s->primary, trusted[i]) || fpr_eq(s->fpr, trusted[i]))
			return true;
	return false;
}

/* "KEYFPR (User <id>)" */
static void signer(struct strbuf *sb, const struct pf_pgp_sig *s)
{
	strbuf_addstr(sb, s->primary ? s->primary : s->fpr);
	if (s->uid)
		strbuf_addf(sb, " (%s)", s->uid);
}

static int sig_fail(const struct pf_pgp *p, struct pf_err *e, const char *what,
		    const struct pf_pgp_sig *s, const char *const *trusted, size_t ntrusted)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s: ", what);
	switch (s->verdict) {
	case PF_SIG_GOOD:
		strbuf_addstr(&sb, "good signature by ");
		signer(&sb, s);
		strbuf_addstr(&sb, ", but that key is not a trusted signer (trusted:");
		for (size_t i = 0; i < ntrusted; i++)
			strbuf_addf(&sb, " %s", trusted[i]);
		strbuf_addch(&sb, ')');
		break;
	case PF_SIG_BAD:
		strbuf_addstr(&sb, "BAD signature by ");
		signer(&sb, s);
		strbuf_addstr(&sb, ": the signed data was altered");
		break;
	case PF_SIG_NO_KEY:
		strbuf_addf(&sb, "signed by an unknown key %s: ", s->fpr);
		if (p && p->sources.len)
			strbuf_addf(&sb, "it is not in %s", p->sources.buf);
		else
			strbuf_addstr(&sb, "no public key was given");
		break;
	case PF_SIG_KEY_EXPIRED:
		strbuf_addstr(&sb, "signature by ");
		signer(&sb, s);
		strbuf_addstr(&sb, ": the key has expired");
		break;
	case PF_SIG_EXPIRED:
		strbuf_addstr(&sb, "signature by ");
		signer(&sb, s);
		strbuf_addstr(&sb, ": the signature has expired");
		break;
	case PF_SIG_REVOKED:
		strbuf_addstr(&sb, "signature by ");
		signer(&sb, s);
		strbuf_addstr(&sb, ": the key has been revoked");
		break;
	case PF_SIG_ERROR:
		strbuf_addstr(&sb, "signature by ");
		signer(&sb, s);
		strbuf_addf(&sb, " cannot be checked: %s", s->why ? s->why : "unknown error");
		break;
	}
	pf_err_set(e, PF_EFAIL, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

int pf_pgp_check(const struct pf_pgp *p, const struct pf_pgp_result *r, const char *what,
		 const char *const *trusted, size_t ntrusted, struct pf_err *e)
{
	const struct pf_pgp_sig *worst = NULL;

	if (!r->nr)
		return pf_err_set(e, PF_EFAIL, "%s: no OpenPGP signature in it", what);
	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].verdict == PF_SIG_BAD)
			return sig_fail(p, e, what, &r->v[i], trusted, ntrusted);
	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].verdict == PF_SIG_GOOD && trusted_sig(&r->v[i], trusted, ntrusted))
			return 0;
	/* say the most useful thing: a trusted key's problem first, then a
	 * good signature by a key nobody trusts, then anything */
	for (size_t i = 0; i < r->nr && !worst; i++)
		if (trusted_sig(&r->v[i], trusted, ntrusted))
			worst = &r->v[i];
	for (size_t i = 0; i < r->nr && !worst; i++)
		if (r->v[i].verdict == PF_SIG_GOOD)
			worst = &r->v[i];
	if (!worst)
		worst = &r->v[0];
	return sig_fail(p, e, what, worst, trusted, ntrusted);
}

/* ---------------------------------------------------- clearsigned */

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

int pf_pgp_verify_clearsigned(struct pf_pgp *p, const char *what, const void *buf,
			      size_t len, struct strbuf *plain,
			      struct pf_pgp_result *r, struct pf_err *e)
{
	static const char head[] = "-----BEGIN PGP SIGNED MESSAGE-----";
	static const char tail[] = "-----END PGP SIGNATURE-----";
	const char *s = buf, *h, *t;
	gpgme_data_t sig = NULL, out = NULL;
	gpgme_error_t err;
	size_t n;
	char *mem;
	int ret = -1;

	/* text outside the signed block is not signed: refuse it rather
	 * than let a reader mistake it for signed text */
	h = memmem(s, len, head, sizeof(head) - 1);
	t = h ? memmem(h, len - (h - s), tail, sizeof(tail) - 1) : NULL;
	if (!h || !t)
		return pf_err_set(e, PF_EFAIL, "%s: not a clearsigned OpenPGP message", what);
	t += sizeof(tail) - 1;
	if (!only_space(s, h - s) || !only_space(t, len - (t - s)) ||
	    memmem(h + 1, len - (h + 1 - s), head, sizeof(head) - 1))
		return pf_err_set(e, PF_EFAIL,
				  "%s: text outside the signed part (only one clearsigned block is accepted)",
				  what);
	err = gpgme_data_new_from_mem(&sig, buf, len, 0);
	if (!err)
		err = gpgme_data_new(&out);
	if (!err)
		err = gpgme_op_verify(p->ctx, sig, NULL, out);
	if (err) {
		gpg_fail(e, err, "%s: cannot check the signature", what);
		goto out;
	}
	collect(p->ctx, r);
	mem = gpgme_data_release_and_get_mem(out, &n);
	out = NULL;
	strbuf_reset(plain);
	if (mem)
		strbuf_add(plain, mem, n);
	gpgme_free(mem);
	ret = 0;
out:
	if (sig)
		gpgme_data_release(sig);
	if (out)
		gpgme_data_release(out);
	return ret;
}

/* ------------------------------------------------------- streams */

static void *stream_thread(void *arg)
{
	struct pf_pgp_stream *s = arg;

	s->err = gpgme_op_verify(s->ctx, s->sig, s->text, NULL);
	/* a writer still going gets EPIPE from now on */
	close(s->rfd);
	s->rfd = -1;
	return NULL;
}

int pf_pgp_stream_begin(struct pf_pgp *p, const char *what, const void *sig,
			size_t len, struct pf_pgp_stream **out, struct pf_err *e)
{
	struct pf_pgp_stream *s = pf_calloc(1, sizeof(*s));
	gpgme_error_t err;
	int fds[2];

	s->pgp = p;
	s->what = pf_strdup(what);
	s->rfd = s->wfd = -1;
	*out = NULL;
	if (ctx_new(p, &s->ctx, e) < 0)
		goto fail;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		pf_err_errno(e, "%s: cannot start the signature check", what);
		goto fail;
	}
	s->rfd = fds[0];
	s->wfd = fds[1];
	err = gpgme_data_new_from_mem(&s->sig, sig, len, 1);
	if (!err)
		err = gpgme_data_new_from_fd(&s->text, s->rfd);
	if (err) {
		gpg_fail(e, err, "%s: cannot start the signature check", what);
		goto fail;
	}
	if ((errno = pthread_create(&s->thread, NULL, stream_thread, s)) != 0) {
		pf_err_errno(e, "%s: cannot start the signature check", what);
		goto fail;
	}
	s->running = true;
	*out = s;
	return 0;
fail:
	pf_pgp_stream_free(s);
	return -1;
}

int pf_pgp_stream_write(struct pf_pgp_stream *s, const void *buf, size_t len,
			struct pf_err *e)
{
	if (s->stopped)
		return 0;
	if (pf_write_all(s->wfd, buf, len) < 0) {
		if (errno == EPIPE) {
			s->stopped = true;      /* pf_pgp_stream_end() says why */
			return 0;
		}
		return pf_err_errno(e, "%s: cannot feed the signature check", s->what);
	}
	return 0;
}

static void stream_stop(struct pf_pgp_stream *s)
{
	if (s->wfd >= 0)
		close(s->wfd);
	s->wfd = -1;
	if (s->running)
		pthread_join(s->thread, NULL);
	s->running = false;
}

int pf_pgp_stream_end(struct pf_pgp_stream *s, struct pf_pgp_result *r, struct pf_err *e)
{
	stream_stop(s);
	if (s->err) {
		if (gpgme_err_code(s->err) == GPG_ERR_NO_DATA)
			return pf_err_set(e, PF_EFAIL, "%s: not an OpenPGP signature", s->what);
		return gpg_fail(e, s->err, "%s: cannot check the signature", s->what);
	}
	collect(s->ctx, r);
	return 0;
}

void pf_pgp_stream_free(struct pf_pgp_stream *s)
{
	if (!s)
		return;
	stream_stop(s);
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->sig)
		gpgme_data_release(s->sig);
	if (s->text)
		gpgme_data_release(s->text);
	if (s->ctx)
		gpgme_release(s->ctx);
	free(s->what);
	free(s);
}

/* ---------------------------------------------------------- signing */

int pf_pgp_open_home(struct pf_pgp **out, const char *home, bool create, struct pf_err *e)
{
	struct pf_pgp *p = pf_calloc(1, sizeof(*p));
	const char *env = getenv("GNUPGHOME");
	struct stat st;

	*out = NULL;
	strbuf_init(&p->sources, 0);
	if (gpgme_setup(e) < 0)
		goto fail;
	if (!home && env && *env)
		home = env;
	if (home) {
		p->home = pf_strdup(home);
		if (create && stat(home, &st) < 0 && errno == ENOENT &&
		    mkdir(home, 0700) < 0) {
			pf_err_errno(e, "cannot create the GnuPG home %s", home);
			goto fail;
		}
		if (stat(home, &st) < 0) {
			pf_err_errno(e, "the GnuPG home %s", home);
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			pf_err_set(e, PF_EINVAL, "the GnuPG home %s is not a directory", home);
			goto fail;
		}
	}
	if (ctx_new(p, &p->ctx, e) < 0)
		goto fail;
	/* signing needs no web of trust, and gpg would check its trustdb
	 * (and say so on stderr) after a key is added */
	gpgme_set_ctx_flag(p->ctx, "trust-model", "always");
	*out = p;
	return 0;
fail:
	pf_pgp_free(p);
	return -1;
}

/* For messages: the home as given, or GnuPG's default. */
static const char *home_name(const struct pf_pgp *p)
{
	return p->home ? p->home : "~/.gnupg";
}

int pf_pgp_genkey(struct pf_pgp *p, const char *uid, const char *algo, char **fpr,
		  struct pf_err *e)
{
	gpgme_genkey_result_t res;
	gpgme_error_t err;

	*fpr = NULL;
	err = gpgme_op_createkey(p->ctx, uid, algo, 0, 0, NULL,
				 GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD |
				 GPGME_CREATE_NOEXPIRE | GPGME_CREATE_FORCE);
	if (err)
		return gpg_fail(e, err, "cannot create an OpenPGP key (%s) in %s", algo,
				home_name(p));
	res = gpgme_op_genkey_result(p->ctx);
	if (!res || !res->fpr)
		return pf_err_set(e, PF_EFAIL, "GnuPG created a key but did not say which");
	*fpr = pf_strdup(res->fpr);
	for (char *c = *fpr; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	return 0;
}

void pf_pgp_keyinfo_release(struct pf_pgp_keyinfo *ki)
{
	free(ki->uid);
	memset(ki, 0, sizeof(*ki));
}

int pf_pgp_secret_key(struct pf_pgp *p, const char *fpr, struct pf_pgp_keyinfo *ki,
		      struct pf_err *e)
{
	gpgme_key_t key = NULL;
	gpgme_error_t err;
	bool can_sign = false;
	int ret = -1;

	memset(ki, 0, sizeof(*ki));
	if (!pf_pgp_fpr_ok(fpr))
		return pf_err_set(e, PF_EINVAL,
				  "'%s' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)",
				  fpr);
	err = gpgme_get_key(p->ctx, fpr, &key, 1);
	if (err || !key) {
		if (gpgme_err_code(err) == GPG_ERR_EOF || !key)
			return pf_err_set(e, PF_EFAIL, "no secret key %s in %s", fpr, home_name(p));
		return gpg_fail(e, err, "cannot look up the secret key %s in %s", fpr,
				home_name(p));
	}
	if (key->revoked || key->expired || key->disabled || key->invalid) {
		pf_err_set(e, PF_EFAIL, "the key %s is %s", fpr,
			   key->revoked ? "revoked" : key->expired ? "expired" :
			   key->disabled ? "disabled" : "invalid");
		goto out;
	}
	for (gpgme_subkey_t sk = key->subkeys; sk; sk = sk->next)
		can_sign |= sk->can_sign && sk->secret && !sk->revoked && !sk->expired;
	if (!can_sign) {
		pf_err_set(e, PF_EFAIL, "the key %s has no usable secret signing key in %s", fpr,
			   home_name(p));
		goto out;
	}
	snprintf(ki->fpr, sizeof(ki->fpr), "%s", key->subkeys->fpr);
	for (char *c = ki->fpr; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	snprintf(ki->keyid, sizeof(ki->keyid), "%s", ki->fpr + 24);
	ki->created = key->subkeys->timestamp;
	if (key->uids && key->uids->uid)
		ki->uid = pf_strdup(key->uids->uid);
	ret = 0;
out:
	gpgme_key_unref(key);
	return ret;
}

int pf_pgp_export(struct pf_pgp *p, const char *fpr, bool armor, struct strbuf *out,
		  struct pf_err *e)
{
	gpgme_data_t d = NULL;
	gpgme_error_t err;
	char *mem;
	size_t n = 0;

	gpgme_set_armor(p->ctx, armor);
	err = gpgme_data_new(&d);
	if (!err)
		err = gpgme_op_export(p->ctx, fpr, GPGME_EXPORT_MODE_MINIMAL, d);
	if (err) {
		if (d)
			gpgme_data_release(d);
		return gpg_fail(e, err, "cannot export the public key %s", fpr);
	}
	mem = gpgme_data_release_and_get_mem(d, &n);
	if (!mem || !n) {
		gpgme_free(mem);
		return pf_err_set(e, PF_EFAIL, "no public key %s in %s", fpr, home_name(p));
	}
	strbuf_add(out, mem, n);
	gpgme_free(mem);
	return 0;
}

int pf_pgp_sign(struct pf_pgp *p, const char *fpr, enum pf_pgp_sigmode mode,
		const void *buf, size_t len, struct strbuf *out, int *pubkey_algo,
		struct pf_err *e)
{
	static const gpgme_sig_mode_t modes[] = {
		[PF_PGP_CLEARSIGN] = GPGME_SIG_MODE_CLEAR,
		[PF_PGP_DETACH_ARMOR] = GPGME_SIG_MODE_DETACH,
		[PF_PGP_DETACH_BINARY] = GPGME_SIG_MODE_DETACH,
	};
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, sig = NULL;
	gpgme_sign_result_t res;
	gpgme_error_t err;
	char *mem;
	size_t n = 0;
	int ret = -1;

	gpgme_signers_clear(p->ctx);
	gpgme_set_armor(p->ctx, mode != PF_PGP_DETACH_BINARY);
	gpgme_set_textmode(p->ctx, 0);
	/* looking the key up runs gpg too: once per context and key */
	if (!p->signer || strcasecmp(p->signer_fpr, fpr)) {
		if (p->signer)
			gpgme_key_unref(p->signer);
		free(p->signer_fpr);
		p->signer = NULL;
		p->signer_fpr = NULL;
		err = gpgme_get_key(p->ctx, fpr, &key, 1);
		if (err || !key) {
			pf_err_set(e, PF_EFAIL, "no secret key %s in %s", fpr, home_name(p));
			goto out;
		}
		p->signer = key;
		p->signer_fpr = pf_strdup(fpr);
		key = NULL;
	}
	err = gpgme_signers_add(p->ctx, p->signer);
	if (!err)
		err = gpgme_data_new_from_mem(&in, buf, len, 0);
	if (!err)
		err = gpgme_data_new(&sig);
	if (!err)
		err = gpgme_op_sign(p->ctx, in, sig, modes[mode]);
	if (err) {
		gpg_fail(e, err, "cannot sign with the key %s", fpr);
		goto out;
	}
	res = gpgme_op_sign_result(p->ctx);
	if (!res || !res->signatures || res->invalid_signers) {
		pf_err_set(e, PF_EFAIL, "cannot sign with the key %s: GnuPG made no signature", fpr);
		goto out;
	}
	/* apt warns about SHA-1 signatures and rpm refuses weak ones */
	if (res->signatures->hash_algo == GPGME_MD_MD5 ||
	    res->signatures->hash_algo == GPGME_MD_SHA1 ||
	    res->signatures->hash_algo == GPGME_MD_RMD160) {
		pf_err_set(e, PF_EFAIL,
			   "GnuPG signed with %s: set 'personal-digest-preferences SHA512' in %s/gpg.conf",
			   gpgme_hash_algo_name(res->signatures->hash_algo), home_name(p));
		goto out;
	}
	if (pubkey_algo)
		*pubkey_algo = res->signatures->pubkey_algo == GPGME_PK_EDDSA ? 22 :
			       res->signatures->pubkey_algo == GPGME_PK_DSA ? 17 :
			       (int)res->signatures->pubkey_algo;
	mem = gpgme_data_release_and_get_mem(sig, &n);
	sig = NULL;
	strbuf_add(out, mem, n);
	gpgme_free(mem);
	ret = 0;
out:
	gpgme_signers_clear(p->ctx);
	if (in)
		gpgme_data_release(in);
	if (sig)
		gpgme_data_release(sig);
	gpgme_key_unref(key);
	return ret;
}
