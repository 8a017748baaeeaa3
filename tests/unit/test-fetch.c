// SPDX-License-Identifier: GPL-2.0-or-later
/* The pure parts of fetching and verifying: mirror URLs, backoff, the
 * environment's overrides, checksum lists, signature verdicts, the
 * cache's partial files. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "fetch.h"
#include "sign.h"
#include "upstream.h"
#include "util.h"
#include "unit.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define FPR_A "B8868C80BA62A1FFFAF5FDA9632D3A06589DA6B1"
#define FPR_B "647F28654894E3BD457199BE38DBBDC86092693E"
#define FPR_SUB "00112233445566778899AABBCCDDEEFF00112233"
/* sha256("hello\n") and sha256("hello") */
#define SHA_HELLO_NL "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_HELLO "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

static void mirror(const char *m, const char *url, const char *want)
{
	char *got = pf_mirror_url(m, url);
	CHECK_STR(got, want);
	free(got);
}

/* A verdict list for pf_pgp_check(). */
static void add_sig(struct pf_pgp_result *r, enum pf_pgp_verdict v, const char *fpr,
		    const char *primary, const char *uid)
{
	struct pf_pgp_sig *s;

	PF_ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	s = &r->v[r->nr++];
	memset(s, 0, sizeof(*s));
	s->verdict = v;
	s->fpr = strdup(fpr);
	s->primary = primary ? strdup(primary) : NULL;
	s->uid = uid ? strdup(uid) : NULL;
}

static const char *check(const struct pf_pgp_result *r, const char *const *t, size_t n)
{
	static char buf[1024];
	struct pf_err e = PF_ERR_INIT;

	if (pf_pgp_check(NULL, r, "sums.asc", t, n, &e) == 0)
		strcpy(buf, "ok");
	else
		snprintf(buf, sizeof(buf), "%s", e.msg.buf);
	pf_err_release(&e);
	return buf;
}

static const char *env_err(const char *name, const char *value)
{
	static char buf[256];
	struct pf_fetch_opts o;
	struct pf_err e = PF_ERR_INIT;

	setenv(name, value, 1);
	if (pf_fetch_opts_init(&o, &e) == 0)
		strcpy(buf, "ok");
	else
		snprintf(buf, sizeof(buf), "%d %s", e.code, e.msg.buf);
	unsetenv(name);
	pf_err_release(&e);
	return buf;
}

int main(void)
{
	static const char *const vars[] = {
		"PKGFORGE_CONNECT_TIMEOUT", "PKGFORGE_LOW_SPEED_LIMIT", "PKGFORGE_LOW_SPEED_TIME",
		"PKGFORGE_RETRIES", "PKGFORGE_RETRY_DELAY_MS", "CURL_CA_BUNDLE",
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);

	TEST("a mirror replaces the scheme and host, its path goes in front", {
		const char *u = "https://mirrors.edge.kernel.org/pub/tools/llvm/files/llvm-18.1.8-x86_64.tar.xz";
		mirror("http://127.0.0.1:8080", u,
		       "http://127.0.0.1:8080/pub/tools/llvm/files/llvm-18.1.8-x86_64.tar.xz");
		mirror("https://m.example/kernel.org/", u,
		       "https://m.example/kernel.org/pub/tools/llvm/files/llvm-18.1.8-x86_64.tar.xz");
		mirror("file:///srv/mirror", u,
		       "file:///srv/mirror/pub/tools/llvm/files/llvm-18.1.8-x86_64.tar.xz");
		mirror("https://m.example", "file:///srv/a/b.tar.xz", "https://m.example/srv/a/b.tar.xz");
		mirror("https://m.example", "https://host.example", "https://m.example");
		mirror("https://m.example//", "http://h:81/x?y=1", "https://m.example/x?y=1");
	});

	TEST("backoff doubles from the first delay, capped, and honours Retry-After", {
		struct pf_fetch_opts o;
		struct pf_err e = PF_ERR_INIT;

		CHECK_INT(pf_fetch_opts_init(&o, &e), 0);
		CHECK_INT(o.retry_delay_ms, 1000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 1, 0), 1000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 2, 0), 2000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 3, 0), 4000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 5, 0), 16000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 6, 0), 30000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 20, 0), 30000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 1, 5), 5000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 4, 5), 8000);
		CHECK_INT(pf_fetch_backoff_ms(&o, 1, 100000), 60000);
		o.retry_delay_ms = 0;
		CHECK_INT(pf_fetch_backoff_ms(&o, 3, 0), 0);
		pf_err_release(&e);
	});

	TEST("the defaults: verification on, sane timeouts, four at once", {
		struct pf_fetch_opts o;
		struct pf_err e = PF_ERR_INIT;

		CHECK_INT(pf_fetch_opts_init(&o, &e), 0);
		CHECK_INT(o.connect_timeout, 30);
		CHECK_INT(o.low_speed_limit, 1024);
		CHECK_INT(o.low_speed_time, 60);
		CHECK_INT(o.retries, 4);
		CHECK_INT(o.max_redirs, 10);
		CHECK_INT(o.parallel, 4);
		CHECK(o.ca_file == NULL);
		setenv("PKGFORGE_LOW_SPEED_TIME", "2", 1);
		setenv("PKGFORGE_RETRIES", "0", 1);
		setenv("CURL_CA_BUNDLE", "/tmp/ca.pem", 1);
		CHECK_INT(pf_fetch_opts_init(&o, &e), 0);
		CHECK_INT(o.low_speed_time, 2);
		CHECK_INT(o.retries, 0);
		CHECK_STR(o.ca_file, "/tmp/ca.pem");
		unsetenv("PKGFORGE_LOW_SPEED_TIME");
		unsetenv("PKGFORGE_RETRIES");
		unsetenv("CURL_CA_BUNDLE");
		pf_err_release(&e);
	});

	TEST("malformed environment overrides are refused", {
		CHECK_STR(env_err("PKGFORGE_LOW_SPEED_TIME", "0"),
			  "2 PKGFORGE_LOW_SPEED_TIME must be a whole number from 1 to 3600, not '0'");
		CHECK_STR(env_err("PKGFORGE_LOW_SPEED_LIMIT", "1k"),
			  "2 PKGFORGE_LOW_SPEED_LIMIT must be a whole number from 1 to 1000000000, not '1k'");
		CHECK_STR(env_err("PKGFORGE_RETRIES", "21"),
			  "2 PKGFORGE_RETRIES must be a whole number from 0 to 20, not '21'");
		CHECK_STR(env_err("PKGFORGE_CONNECT_TIMEOUT", "-1"),
			  "2 PKGFORGE_CONNECT_TIMEOUT must be a whole number from 1 to 600, not '-1'");
		CHECK_STR(env_err("PKGFORGE_RETRY_DELAY_MS", ""), "ok");
	});

	TEST("checksum lists: sha256sum's format, binary marks, ./, CRLF, case", {
		static const char list[] =
			"# generated\n"
			"\n"
			SHA_A "  llvm-18.1.8-x86_64.tar.xz\n"
			SHA_B " *llvm-18.1.8-aarch64.tar.xz\r\n"
			"FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210  ./llvm-17.0.6-x86_64.tar.gz\n"
			"not a line of the list\n"
			SHA_A "  a/llvm-16.0.6-x86_64.tar.xz\n"
			SHA_B "  x-llvm-18.1.8-x86_64.tar.xz";
		struct strbuf why = STRBUF_INIT;
		char hex[65];

		CHECK_INT(pf_sums_lookup(list, strlen(list), "llvm-18.1.8-x86_64.tar.xz", hex, &why), 1);
		CHECK_STR(hex, SHA_A);
		CHECK_INT(pf_sums_lookup(list, strlen(list), "llvm-18.1.8-aarch64.tar.xz", hex, &why), 1);
		CHECK_STR(hex, SHA_B);
		CHECK_INT(pf_sums_lookup(list, strlen(list), "llvm-17.0.6-x86_64.tar.gz", hex, &why), 1);
		CHECK_STR(hex, SHA_B);
		CHECK_INT(pf_sums_lookup(list, strlen(list), "llvm-16.0.6-x86_64.tar.xz", hex, &why), 0);
		CHECK_INT(pf_sums_lookup(list, strlen(list), "8.1.8-x86_64.tar.xz", hex, &why), 0);
		CHECK_INT(pf_sums_lookup(list, strlen(list), "x-llvm-18.1.8-x86_64.tar.xz", hex, &why), 1);
		CHECK_STR(hex, SHA_B);
		CHECK_STR(why.buf, "");
		strbuf_release(&why);
	});

	TEST("a file listed twice: the same digest is fine, two digests are not", {
		static const char same[] = SHA_A "  f.tar.xz\n" SHA_A "  f.tar.xz\n";
		static const char two[] = SHA_A "  f.tar.xz\n" SHA_B "  f.tar.xz\n";
		struct strbuf why = STRBUF_INIT;
		char hex[65];

		CHECK_INT(pf_sums_lookup(same, strlen(same), "f.tar.xz", hex, &why), 1);
		CHECK_INT(pf_sums_lookup(two, strlen(two), "f.tar.xz", hex, &why), -1);
		CHECK_STR(why.buf, "f.tar.xz is listed twice, with different sha256");
		strbuf_release(&why);
	});

	TEST("fingerprints: 40 hex digits, nothing else", {
		CHECK(pf_pgp_fpr_ok(FPR_A));
		CHECK(pf_pgp_fpr_ok("b8868c80ba62a1fffaf5fda9632d3a06589da6b1"));
		CHECK(!pf_pgp_fpr_ok("632D3A06589DA6B1"));
		CHECK(!pf_pgp_fpr_ok("B886 8C80 BA62 A1FF FAF5 FDA9 632D 3A06 589D A6B1"));
		CHECK(!pf_pgp_fpr_ok("0xB8868C80BA62A1FFFAF5FDA9632D3A06589DA6B"));
		CHECK(!pf_pgp_fpr_ok(""));
	});

	TEST("verdicts: a good signature by a trusted key, primary or subkey", {
		struct pf_pgp_result r = { NULL, 0, 0 };
		const char *t[] = { FPR_A }, *tl[] = { "b8868c80ba62a1fffaf5fda9632d3a06589da6b1" };
		const char *tsub[] = { FPR_SUB };

		add_sig(&r, PF_SIG_GOOD, FPR_SUB, FPR_A, "A <a@x>");
		CHECK_STR(check(&r, t, 1), "ok");
		CHECK_STR(check(&r, tl, 1), "ok");
		CHECK_STR(check(&r, tsub, 1), "ok");
		pf_pgp_result_release(&r);
	});

	TEST("verdicts: what is refused, and how it is said", {
		struct pf_pgp_result r = { NULL, 0, 0 };
		const char *t[] = { FPR_A }, *t2[] = { FPR_A, FPR_B };

		CHECK_STR(check(&r, t, 1), "sums.asc: no OpenPGP signature in it");
		add_sig(&r, PF_SIG_GOOD, FPR_B, FPR_B, "B <b@x>");
		CHECK_STR(check(&r, t, 1),
			  "sums.asc: good signature by " FPR_B " (B <b@x>), but that key is not a trusted signer (trusted: " FPR_A ")");
		CHECK_STR(check(&r, t2, 2), "ok");
		/* a trusted key's own problem is more useful than a stranger's good signature */
		add_sig(&r, PF_SIG_KEY_EXPIRED, FPR_A, FPR_A, "A <a@x>");
		CHECK_STR(check(&r, t, 1), "sums.asc: signature by " FPR_A " (A <a@x>): the key has expired");
		/* any bad signature fails, even next to a good trusted one */
		add_sig(&r, PF_SIG_BAD, "632D3A06589DA6B1", NULL, NULL);
		CHECK_STR(check(&r, t2, 2),
			  "sums.asc: BAD signature by 632D3A06589DA6B1: the signed data was altered");
		pf_pgp_result_release(&r);

		add_sig(&r, PF_SIG_NO_KEY, FPR_B, NULL, NULL);
		CHECK_STR(check(&r, t, 1), "sums.asc: signed by an unknown key " FPR_B ": no public key was given");
		pf_pgp_result_release(&r);
		add_sig(&r, PF_SIG_REVOKED, FPR_A, FPR_A, NULL);
		CHECK_STR(check(&r, t, 1), "sums.asc: signature by " FPR_A ": the key has been revoked");
		pf_pgp_result_release(&r);
		add_sig(&r, PF_SIG_EXPIRED, FPR_A, FPR_A, NULL);
		CHECK_STR(check(&r, t, 1), "sums.asc: signature by " FPR_A ": the signature has expired");
		pf_pgp_result_release(&r);
	});

	TEST("the cache: a partial file is resumed, a wrong one deleted", {
		char dir[] = "/tmp/pf-test-cache.XXXXXX";
		struct pf_cache c = PF_CACHE_INIT;
		struct pf_cache_part p = PF_CACHE_PART_INIT;
		struct pf_err e = PF_ERR_INIT;
		char got[65], *part, *final;
		int fd;

		CHECK(mkdtemp(dir) != NULL);
		CHECK_INT(pf_cache_open(&c, dir, &e), 0);
		part = pf_asprintf("%s/sha256", dir);
		CHECK(access(part, F_OK) != 0);         /* nothing made yet */
		free(part);
		CHECK_INT(pf_cache_make(&c, &e), 0);
		part = pf_asprintf("%s/sha256/%s.part", dir, SHA_HELLO_NL);
		final = pf_asprintf("%s/sha256/%s", dir, SHA_HELLO_NL);
		/* an earlier run left "hel" */
		fd = open(part, O_WRONLY | O_CREAT, 0644);
		CHECK(write(fd, "hel", 3) == 3);
		close(fd);
		CHECK_INT(pf_cache_part_open(&c, SHA_HELLO_NL, &p, &e), 0);
		CHECK_INT(p.size, 3);
		CHECK(lseek(p.fd, 3, SEEK_SET) == 3 && write(p.fd, "lo\n", 3) == 3);
		pf_cache_part_data(&p, "lo\n", 3);
		CHECK_INT(pf_cache_part_commit(&p, SHA_HELLO_NL, got, &e), 0);
		CHECK_STR(got, SHA_HELLO_NL);
		pf_cache_part_close(&p);
		CHECK(access(final, F_OK) == 0 && access(part, F_OK) != 0);
		CHECK(pf_cache_has(&c, SHA_HELLO_NL));

		/* a restart forgets what was hashed; a mismatch deletes the file */
		p = (struct pf_cache_part)PF_CACHE_PART_INIT;
		CHECK_INT(pf_cache_part_open(&c, SHA_A, &p, &e), 0);
		pf_cache_part_data(&p, "junk", 4);
		pf_cache_part_restart(&p);
		CHECK(write(p.fd, "hello", 5) == 5);
		pf_cache_part_data(&p, "hello", 5);
		CHECK_INT(pf_cache_part_commit(&p, SHA_A, got, &e), 1);
		CHECK_STR(got, SHA_HELLO);
		pf_cache_part_close(&p);
		CHECK(!pf_cache_has(&c, SHA_A));
		free(part);
		part = pf_asprintf("%s/sha256/%s.part", dir, SHA_A);
		CHECK(access(part, F_OK) != 0);

		pf_cache_close(&c);
		pf_rmtree(dir);
		free(part);
		free(final);
		pf_err_release(&e);
	});

	TEST("the default cache: XDG_CACHE_HOME, else HOME; relative ones ignored", {
		char *d;
		const char *home = getenv("HOME");
		char *saved = home ? strdup(home) : NULL;

		setenv("XDG_CACHE_HOME", "/x/cache", 1);
		setenv("HOME", "/home/u", 1);
		d = pf_cache_default_dir();
		CHECK_STR(d, "/x/cache/pkgforge");
		free(d);
		setenv("XDG_CACHE_HOME", "relative", 1);
		d = pf_cache_default_dir();
		CHECK_STR(d, "/home/u/.cache/pkgforge");
		free(d);
		unsetenv("XDG_CACHE_HOME");
		unsetenv("HOME");
		CHECK(pf_cache_default_dir() == NULL);
		if (saved)
			setenv("HOME", saved, 1);
		free(saved);
	});
	return unit_done();
}
