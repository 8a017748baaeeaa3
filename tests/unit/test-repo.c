// SPDX-License-Identifier: GPL-2.0-or-later
/* Repository helpers: stanzas from control files (hostile ones too),
 * dates, rpm relations for the check, usign keys and signatures,
 * publication, index pieces' digests, the index cache. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>
#include <zstd.h>

#include "check.h"
#include "compress.h"
#include "digest.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "repofmt.h"
#include "usign.h"
#include "util.h"
#include "zpiece.h"
#include "unit.h"

#include <rpm/rpmds.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmver.h>

#ifndef PF_LIBRPM_SONAME
#define PF_LIBRPM_SONAME "librpm.so.9"
#endif

/* librpm's own answers, to hold rpmver.c to them */
static struct {
	void *h;
	int (*vercmp)(const char *, const char *);
	rpmver (*parse)(const char *);
	const char *(*e)(rpmver), *(*v)(rpmver), *(*r)(rpmver);
	rpmver (*vfree)(rpmver);
	int (*lib)(rpmds *, const void *);
	rpmds (*init)(rpmds);
	int (*next)(rpmds);
	const char *(*n)(const rpmds), *(*evr)(const rpmds);
	rpmds (*single)(rpmTagVal, const char *, const char *, rpmsenseFlags);
	int (*search)(rpmds, rpmds);
	rpmds (*dsfree)(rpmds);
} rl;

static int librpm_open(void)
{
	rl.h = dlopen(PF_LIBRPM_SONAME, RTLD_NOW);
	if (!rl.h)
		return -1;
#define SYM(f, name) (*(void **)&rl.f = dlsym(rl.h, name)) == NULL
	if (SYM(vercmp, "rpmvercmp") || SYM(parse, "rpmverParse") || SYM(e, "rpmverE") ||
	    SYM(v, "rpmverV") || SYM(r, "rpmverR") || SYM(vfree, "rpmverFree") ||
	    SYM(lib, "rpmdsRpmlib") || SYM(init, "rpmdsInit") ||
	    SYM(next, "rpmdsNext") || SYM(n, "rpmdsN") ||
	    SYM(evr, "rpmdsEVR") || SYM(single, "rpmdsSingle") || SYM(search, "rpmdsSearch") ||
	    SYM(dsfree, "rpmdsFree"))
		return -1;
#undef SYM
	return 0;
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* "[E:]V[-R]" compared with librpm's parser and rpmvercmp */
static int librpm_evr_cmp(const char *a, const char *b)
{
	rpmver va = rl.parse(a), vb = rl.parse(b);
	int r;

	if (!va || !vb) {
		r = (va != NULL) - (vb != NULL);
	} else {
		r = rl.vercmp(rl.e(va) ? rl.e(va) : "0", rl.e(vb) ? rl.e(vb) : "0");
		if (!r)
			r = rl.vercmp(rl.v(va), rl.v(vb));
		if (!r && rl.r(va) && *rl.r(va) && rl.r(vb) && *rl.r(vb))
			r = rl.vercmp(rl.r(va), rl.r(vb));
	}
	rl.vfree(va);
	rl.vfree(vb);
	return sign(r);
}

static bool librpm_has(const char *name, const char *op, const char *evr)
{
	rpmds lib = NULL, want;
	rpmsenseFlags f = RPMSENSE_RPMLIB;
	bool ok;

	if (rl.lib(&lib, NULL) != 0 || !lib)
		return false;
	for (const char *o = op ? op : ""; *o; o++)
		f |= *o == '<' ? RPMSENSE_LESS : *o == '>' ? RPMSENSE_GREATER : RPMSENSE_EQUAL;
	want = rl.single(RPMTAG_REQUIRENAME, name, evr ? evr : "", f);
	ok = rl.search(lib, want) >= 0;
	rl.dsfree(want);
	rl.dsfree(lib);
	return ok;
}

/* A publication's files, not published: their temporary files go. */
static void pub_drop(struct pf_publish *pub)
{
	for (size_t i = 0; i < pub->nr_leaf; i++)
		pf_ofile_abort(&pub->leaf[i]);
	for (size_t i = 0; i < pub->nr_top; i++) {
		pf_ofile_abort(&pub->top[i]);
		free(pub->top_rel[i]);
	}
	free(pub->leaf);
	free(pub->top);
	free(pub->top_rel);
	pf_strlist_release(&pub->generated);
}

static char *stanza(const char *control, int *rc)
{
	struct strbuf sb = STRBUF_INIT;
	struct pf_err e = PF_ERR_INIT;

	*rc = pf_repo_stanza(control, "p.deb", &sb, &e);
	if (*rc < 0) {
		strbuf_release(&sb);
		sb.buf = strbuf_detach(&e.msg, NULL);
	}
	pf_err_release(&e);
	return *rc < 0 ? sb.buf : strbuf_detach(&sb, NULL);
}

/* Packages v[from] to v[to - 1] released and freed. */
static void drop_pkgs(struct pf_repopkg **v, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		pf_repopkg_release(v[i]);
		free(v[i]);
	}
}

/* pkgs saved into a new index cache at path (written whole): 0 or -1. */
static int save_anew(const char *path, struct pf_repopkg *const *pkgs, size_t n)
{
	struct pf_repocache *rc;
	struct pf_repopkg **none = NULL;
	struct pf_err e = PF_ERR_INIT;
	size_t nn = 0, alloc = 0;
	int ret = pf_repocache_load(path, &rc, &none, &nn, &alloc) || nn ? -1 :
		  pf_repocache_save(rc, path, pkgs, n, &e);

	pf_repocache_free(rc);
	free(none);
	pf_err_release(&e);
	return ret;
}

int main(void)
{
	TEST("stanza: the control file, without the fields the index writes", {
		int rc;
		char *s = stanza("Package: a\nVersion: 1\nSize: 99\nMD5sum: x\nDescription: d\n"
				 " long\n .\n text\n\n", &rc);
		CHECK_INT(rc, 0);
		CHECK_STR(s, "Package: a\nVersion: 1\nDescription: d\n long\n .\n text\n");
		free(s);
		s = stanza("Package: a\nFilename: ../../etc/passwd\nSHA256: 00\n", &rc);
		CHECK_STR(s, "Package: a\n");
		free(s);
	});
	TEST("stanza: a blank line would start a stanza of the control file's making", {
		int rc;
		char *s = stanza("Package: a\n\nPackage: evil\nFilename: x.deb\n", &rc);
		CHECK_INT(rc, -1);
		CHECK_STR(s, "p.deb: the control file has a blank line (line 2), which would end the index entry");
		free(s);
	});
	TEST("stanza: lines that are neither fields nor continuations, controls", {
		int rc;
		char *s = stanza("Package: a\njunk\n", &rc);
		CHECK_STR(s, "p.deb: the control file's line 2 is not a 'Field: value' line");
		free(s);
		s = stanza(" cont\n", &rc);
		CHECK_STR(s, "p.deb: the control file starts with a continuation line");
		free(s);
		s = stanza("Package: a\x01\n", &rc);
		CHECK_STR(s, "p.deb: the control file's line 1 holds control characters or invalid UTF-8");
		free(s);
		s = stanza("Package: a\n\tcontinued with a tab\n", &rc);
		CHECK_INT(rc, 0);
		free(s);
		s = stanza("", &rc);
		CHECK_STR(s, "p.deb: the control file is empty");
		free(s);
	});
	TEST("rfc2822 dates in English, UTC", {
		struct strbuf sb = STRBUF_INIT;
		pf_repo_rfc2822(1700000000, &sb);
		CHECK_STR(sb.buf, "Tue, 14 Nov 2023 22:13:20 UTC");
		strbuf_reset(&sb);
		pf_repo_rfc2822(0, &sb);
		CHECK_STR(sb.buf, "Thu, 01 Jan 1970 00:00:00 UTC");
		strbuf_release(&sb);
	});
	TEST("rpm relations: plain, versioned, and rich 'or' lists", {
		struct pf_debalt *a;
		size_t n;
		CHECK_INT(pf_rpmrel_parse("foo >= 1:2.0-3", &a, &n), 0);
		CHECK_INT(n, 1);
		CHECK_STR(a[0].name, "foo");
		CHECK_STR(a[0].op, ">=");
		CHECK_STR(a[0].version, "1:2.0-3");
		pf_debalts_free(a, n);
		CHECK_INT(pf_rpmrel_parse("(a < 2 or libc.so.6()(64bit) or b)", &a, &n), 0);
		CHECK_INT(n, 3);
		CHECK_STR(a[0].op, "<<");
		CHECK_STR(a[1].name, "libc.so.6()(64bit)");
		CHECK(!a[1].op);
		CHECK_STR(a[2].name, "b");
		pf_debalts_free(a, n);
		CHECK_INT(pf_rpmrel_parse("(a if b)", &a, &n), 0);
		CHECK_INT(n, 0);
		CHECK_INT(pf_rpmrel_parse("foo >=", &a, &n), -1);
	});
	TEST("rpm versions compare as rpm matches dependencies", {
		CHECK(pf_rpmevr_cmp("1.10", "1.9") > 0);
		CHECK(pf_rpmevr_cmp("1:1.0", "2.0") > 0);
		CHECK(pf_rpmevr_cmp("2.36-9+deb12u14", "2.34") > 0);
		CHECK_INT(pf_rpmevr_cmp("2.0-1", "2.0"), 0);
		CHECK(pf_rpmevr_cmp("1.0~rc1", "1.0") < 0);
		CHECK(pf_rpmlib_has("rpmlib(PayloadIsXz)", "<=", "5.2-1"));
		CHECK(!pf_rpmlib_has("rpmlib(NoSuchFeature)", NULL, NULL));
	});
	TEST("rpm versions compare as librpm compares them", {
		static const char *const v[] = {
			"", "0", "00", "1", "01", "001", "1.0", "1.0.0", "1.00", "1.01", "1.1",
			"1.10", "1.9", "10", "9", "2.36", "2.36.1", "99999999999999999999",
			"100000000000000000000", "a", "A", "b", "ab", "abc", "abd", "a1", "1a",
			"1.0a", "1.0A", "1.0b", "1.a", "1.0a.1", "1_2", "1..2", "1.-2", "1+2",
			"1.2+git", "~", "~~", "1.0~", "1.0~~", "1.0~rc1", "1.0~rc2", "1.0~rc1~1",
			"^", "1.0^", "1.0^^", "1.0^post1", "1.0^post1~rc", "1.0^~", "1.0~^",
			"1.2^git1~rc", "h\xc3\xa9llo", "h\xc3\xa9llp", "1\xff" "2", ".1", "1.",
			"-", "1-2", "1:2", "rc", "1.0rc1", "1.0.rc1", "2.0.1a", "2.0.1b",
		};
		unsigned seed = 12345;
		int bad = 0;

		CHECK_INT(librpm_open(), 0);
		for (size_t i = 0; rl.h && i < PF_ARRAY_SIZE(v); i++)
			for (size_t j = 0; j < PF_ARRAY_SIZE(v); j++)
				if (sign(pf_rpmvercmp(v[i], v[j])) != sign(rl.vercmp(v[i], v[j])) &&
				    bad++ < 5)
					printf("#   rpmvercmp(\"%s\", \"%s\") = %d, pkgforge %d\n",
					       v[i], v[j], rl.vercmp(v[i], v[j]),
					       pf_rpmvercmp(v[i], v[j]));
		/* and 200,000 random pairs of 0-7 characters */
		for (int k = 0; rl.h && k < 200000; k++) {
			static const char alpha[] = "0019aZz.~^-_:";
			char a[8], b[8];
			int la, lb;

			seed = seed * 1103515245u + 12345u;
			la = (int)(seed >> 16) % 8;
			seed = seed * 1103515245u + 12345u;
			lb = (int)(seed >> 16) % 8;
			for (int i = 0; i < la; i++) {
				seed = seed * 1103515245u + 12345u;
				a[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
			}
			for (int i = 0; i < lb; i++) {
				seed = seed * 1103515245u + 12345u;
				b[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
			}
			a[la] = b[lb] = '\0';
			if (sign(pf_rpmvercmp(a, b)) != sign(rl.vercmp(a, b)) && bad++ < 5)
				printf("#   rpmvercmp(\"%s\", \"%s\") = %d, pkgforge %d\n", a, b,
				       rl.vercmp(a, b), pf_rpmvercmp(a, b));
			if (sign(pf_rpmevr_cmp(a, b)) != librpm_evr_cmp(a, b) && bad++ < 5)
				printf("#   evr \"%s\" vs \"%s\": librpm %d, pkgforge %d\n", a, b,
				       librpm_evr_cmp(a, b), pf_rpmevr_cmp(a, b));
		}
		CHECK_INT(bad, 0);
	});
	TEST("rpm epoch:version-release compares as with librpm's parser", {
		static const char *const v[] = {
			"", "1", "1.0", "1.0-1", "1.0-2", "1.0-", "-1", "1-2-3", "1:1.0", "1:1.0-1",
			"0:1.0-1", "00:1.0", ":1.0", ":", "1:", "a:1", "12a:3", "1:2:3", "2:0",
			"2.0-1", "2.0", "2.0-1.el9", "2.0-1.el10", "2.0~rc1-1", "1:0.9-9",
		};
		int bad = 0;

		for (size_t i = 0; rl.h && i < PF_ARRAY_SIZE(v); i++)
			for (size_t j = 0; j < PF_ARRAY_SIZE(v); j++)
				if (sign(pf_rpmevr_cmp(v[i], v[j])) != librpm_evr_cmp(v[i], v[j]) &&
				    bad++ < 5)
					printf("#   \"%s\" vs \"%s\": librpm %d, pkgforge %d\n", v[i],
					       v[j], librpm_evr_cmp(v[i], v[j]),
					       pf_rpmevr_cmp(v[i], v[j]));
		CHECK(rl.h != NULL);
		CHECK_INT(bad, 0);
	});
	TEST("the rpmlib() features are librpm's, and met as librpm meets them", {
		static const char *const ops[] = { NULL, "<", "<=", "=", ">=", ">" };
		static const char *const evrs[] = {
			"", "1.0", "3.0.4", "3.0.4-0", "3.0.4-2", "4.0", "4.0-1", "4.6.0-1", "5.2",
			"5.2-1", "5.2-2", "9.9", "1:1.0", "0:4.12.0-1",
		};
		rpmds lib = NULL;
		const char *n, *evr;
		size_t nlib = 0, ntab = pf_rpmlib_features(&n, &evr, 0);
		int bad = 0;

		CHECK(rl.h && rl.lib(&lib, NULL) == 0 && lib);
		lib = lib ? rl.init(lib) : NULL;
		while (lib && rl.next(lib) >= 0) {
			bool found = false;

			nlib++;
			for (size_t i = 0; i < ntab && !found; i++) {
				pf_rpmlib_features(&n, &evr, i);
				found = !strcmp(n, rl.n(lib)) && !strcmp(evr, rl.evr(lib));
			}
			if (!found && bad++ < 5)
				printf("#   librpm has %s = %s, pkgforge not\n", rl.n(lib), rl.evr(lib));
		}
		if (lib)
			rl.dsfree(lib);
		CHECK_INT(bad, 0);
		CHECK_INT(nlib, 21);
		CHECK_INT(nlib, ntab);
		for (size_t i = 0; rl.h && i < ntab; i++) {
			const char *fevr;

			pf_rpmlib_features(&n, &fevr, i);
			for (size_t o = 0; o < PF_ARRAY_SIZE(ops); o++)
				for (size_t k = 0; k <= PF_ARRAY_SIZE(evrs); k++) {
					const char *w = k < PF_ARRAY_SIZE(evrs) ? evrs[k] : fevr;

					if (pf_rpmlib_has(n, ops[o], w) != librpm_has(n, ops[o], w) &&
					    bad++ < 5)
						printf("#   %s %s %s: librpm %d\n", n, ops[o] ? ops[o] : "",
						       w, librpm_has(n, ops[o], w));
				}
		}
		CHECK(!pf_rpmlib_has("rpmlib(PayloadIsXz)", ">", "5.2-1"));
		CHECK(!librpm_has("rpmlib(NoSuchFeature)", NULL, NULL));
		CHECK_INT(bad, 0);
	});
	TEST("usign: a key signs, the signature verifies, a changed byte does not", {
		struct pf_usign_key k, pub;
		struct strbuf sig = STRBUF_INIT, sec = STRBUF_INIT, pubt = STRBUF_INIT;
		struct pf_err e = PF_ERR_INIT;
		char dir[] = "/tmp/pf-test-usign.XXXXXX", *sp, *pp, fp[17];
		const char msg[] = "Package: a\n";

		CHECK(mkdtemp(dir) != NULL);
		CHECK_INT(pf_usign_generate(&k, &e), 0);
		CHECK_INT(pf_usign_sign(&k, msg, sizeof(msg) - 1, &sig, &e), 0);
		CHECK_INT(pf_usign_verify(&k, msg, sizeof(msg) - 1, sig.buf, sig.len, &e), 0);
		CHECK_INT(pf_usign_verify(&k, "Package: b\n", 11, sig.buf, sig.len, &e), -1);
		CHECK_STR(e.msg.buf, "BAD signature: the signed data was altered");
		/* the files round-trip */
		pf_usign_secret_text(&k, "test", &sec);
		pf_usign_public_text(&k, "test", &pubt);
		sp = pf_asprintf("%s/k", dir);
		pp = pf_asprintf("%s/k.pub", dir);
		CHECK_INT(pf_ofile_put(sp, sec.buf, sec.len, &e), 0);
		CHECK_INT(pf_ofile_put(pp, pubt.buf, pubt.len, &e), 0);
		CHECK_INT(pf_usign_load(sp, true, &pub, &e), 0);
		CHECK(!memcmp(pub.seed, k.seed, 32) && !memcmp(pub.pub, k.pub, 32));
		CHECK_INT(pf_usign_load(pp, false, &pub, &e), 0);
		CHECK(!pub.secret && !memcmp(pub.pub, k.pub, 32) && !memcmp(pub.keynum, k.keynum, 8));
		CHECK_INT(pf_usign_verify(&pub, msg, sizeof(msg) - 1, sig.buf, sig.len, &e), 0);
		pf_usign_fingerprint(&k, fp);
		CHECK_INT(strlen(fp), 16);
		/* a public key file is not a secret key */
		CHECK_INT(pf_usign_load(pp, true, &pub, &e), -1);
		unlink(sp);
		unlink(pp);
		rmdir(dir);
		free(sp);
		free(pp);
		strbuf_release(&sig);
		strbuf_release(&sec);
		strbuf_release(&pubt);
		pf_err_release(&e);
	});
	TEST("publication: a top file with a leaf's bytes is a link to it, or written", {
		struct pf_publish pub;
		struct pf_err e = PF_ERR_INIT;
		char dir[] = "/tmp/pf-test-pub.XXXXXX";
		struct stat leaf, top, other;
		struct strbuf sb = STRBUF_INIT;

		CHECK(mkdtemp(dir) != NULL);
		memset(&pub, 0, sizeof(pub));
		pub.root = dir;
		CHECK_INT(pf_publish_generated(&pub, "d/by-hash/X", "data", 4, &e), 0);
		CHECK_INT(pf_publish_top_as(&pub, "d/Packages", "d/by-hash/X", "data", 4, &e), 0);
		/* no such leaf: no link, the bytes are written */
		CHECK_INT(pf_publish_top_as(&pub, "d/Other", "d/by-hash/none", "more", 4, &e), 0);
		CHECK_INT(pub.nr_leaf, 1);
		CHECK_INT(pub.nr_top, 2);
		if (pub.nr_leaf == 1 && pub.nr_top == 2) {
			CHECK_INT(stat(pub.leaf[0].tmp, &leaf), 0);
			CHECK_INT(stat(pub.top[0].tmp, &top), 0);
			CHECK_INT(stat(pub.top[1].tmp, &other), 0);
			CHECK(top.st_ino == leaf.st_ino);
			CHECK_INT(top.st_nlink, 2);
			CHECK(other.st_ino != leaf.st_ino);
			CHECK_INT(pf_read_file(pub.top[1].tmp, 100, &sb, &e), 0);
			CHECK_STR(sb.buf, "more");
		}
		pub_drop(&pub);
		strbuf_release(&sb);
		pf_err_release(&e);
		pf_rmtree(dir);
	});
	TEST("publication: a text written from its records, linked or written, or there already", {
		static const struct pf_zrec rec[3] = {
			{ "Package: a", 10, NULL }, { "Package: b", 10, NULL }, { "Package: c", 10, NULL },
		};
		const struct pf_ztext t = { "", "\n\n", "", rec, 3 };
		const char *want = "Package: a\n\nPackage: b\n\nPackage: c\n\n";
		struct pf_publish pub;
		struct pf_err e = PF_ERR_INIT;
		char dir[] = "/tmp/pf-test-pubt.XXXXXX";
		struct stat leaf, top;
		struct strbuf sb = STRBUF_INIT;
		char *path;

		CHECK(mkdtemp(dir) != NULL);
		memset(&pub, 0, sizeof(pub));
		pub.root = dir;
		CHECK_INT(pf_ztext_len(&t), strlen(want));
		CHECK_INT(pf_publish_generated_text(&pub, "d/by-hash/T", &t, &e), 0);
		CHECK_INT(pf_publish_top_as_text(&pub, "d/Packages", "d/by-hash/T", &t, &e), 0);
		/* no such leaf: the text is written from its records */
		CHECK_INT(pf_publish_top_as_text(&pub, "d/Other", "d/by-hash/none", &t, &e), 0);
		CHECK_INT(pub.nr_leaf, 1);
		CHECK_INT(pub.nr_top, 2);
		if (pub.nr_leaf == 1 && pub.nr_top == 2) {
			CHECK_INT(pf_read_file(pub.leaf[0].tmp, 100, &sb, &e), 0);
			CHECK_STR(sb.buf, want);
			CHECK_INT(stat(pub.leaf[0].tmp, &leaf), 0);
			CHECK_INT(stat(pub.top[0].tmp, &top), 0);
			CHECK(top.st_ino == leaf.st_ino);
			strbuf_reset(&sb);
			CHECK_INT(pf_read_file(pub.top[1].tmp, 100, &sb, &e), 0);
			CHECK_STR(sb.buf, want);
		}
		/* the same bytes under the name already: not written again;
		 * other bytes of the same length: written */
		path = pf_asprintf("%s/d/by-hash/T2", dir);
		CHECK_INT(pf_ofile_put(path, want, strlen(want), &e), 0);
		CHECK_INT(pf_publish_generated_text(&pub, "d/by-hash/T2", &t, &e), 0);
		CHECK_INT(pub.nr_leaf, 1);
		free(path);
		path = pf_asprintf("%s/d/by-hash/T3", dir);
		strbuf_reset(&sb);
		for (size_t i = 0; i < strlen(want); i++)
			strbuf_addch(&sb, 'x');
		CHECK_INT(pf_ofile_put(path, sb.buf, sb.len, &e), 0);
		CHECK_INT(pf_publish_generated_text(&pub, "d/by-hash/T3", &t, &e), 0);
		CHECK_INT(pub.nr_leaf, 2);
		free(path);
		CHECK_INT(pub.generated.nr, 3);
		pub_drop(&pub);
		strbuf_release(&sb);
		pf_err_release(&e);
		pf_rmtree(dir);
	});
	TEST("resumable digests: saved anywhere, resumed, the digest of the whole", {
		static const size_t cuts[] = { 0, 1, 63, 64, 65, 128, 500, 999, 1000 };
		unsigned char buf[1000], want[32], got[32];
		const enum pf_dalg algs[2] = { PF_MD5, PF_SHA256 };

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)(i * 131 + (i >> 3));
		for (int a = 0; a < 2; a++) {
			pf_digest_buf(algs[a], buf, sizeof(buf), want);
			for (size_t c = 0; c < PF_ARRAY_SIZE(cuts); c++) {
				struct pf_digest *d = pf_digest_resume(algs[a], NULL);
				struct pf_dstate st, again;

				pf_digest_update(d, buf, cuts[c]);
				pf_digest_save(d, &st);
				pf_digest_free(d);
				CHECK(st.alg == algs[a]);
				CHECK_INT(st.len, cuts[c]);
				CHECK(!memcmp(st.rest, buf + cuts[c] - cuts[c] % 64, cuts[c] % 64));
				d = pf_digest_resume(algs[a], &st);
				pf_digest_save(d, &again);
				CHECK(!memcmp(&st, &again, sizeof(st)));
				pf_digest_update(d, buf + cuts[c], sizeof(buf) - cuts[c]);
				pf_digest_final(d, got);
				pf_digest_free(d);
				CHECK(!memcmp(got, want, pf_digest_len(algs[a])));
			}
		}
		/* the algorithms' own test vector, "abc" */
		{
			struct pf_digest *d = pf_digest_resume(PF_SHA256, NULL);
			char hex[65];

			pf_digest_update(d, "abc", 3);
			pf_digest_final(d, got);
			pf_digest_free(d);
			pf_hex(hex, got, 32);
			CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
			d = pf_digest_resume(PF_MD5, NULL);
			pf_digest_update(d, "abc", 3);
			pf_digest_final(d, got);
			pf_digest_free(d);
			pf_hex(hex, got, 16);
			CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");
		}
	});
	TEST("index pieces: a text's whole digests go on from saved states", {
		enum { NREC = 600, RLEN = 1000 };
		struct pf_zrec *rec = pf_calloc(NREC, sizeof(*rec));
		char *bufs = pf_malloc((size_t)NREC * RLEN);
		struct pf_ztext t = { "", "\n", "", rec, NREC };
		unsigned char osha[32], omd5[16], d[32];
		char dir[] = "/tmp/pf-test-zc.XXXXXX", *path;
		struct pf_err e = PF_ERR_INIT;
		struct pf_zcache *zc;
		uint64_t hashed = 0, resumed = 0, h0, r0, len;

		CHECK(mkdtemp(dir) != NULL);
		path = pf_asprintf("%s/zcache", dir);
		zc = pf_zcache_load(path);
		for (int i = 0; i < NREC; i++) {
			char *b = bufs + (size_t)i * RLEN;

			for (int k = 0; k < RLEN; k++)
				b[k] = (char)('a' + (i * 7 + k * (k % 13 + 1)) % 26);
			memcpy(b, "Package: p", 10);
			rec[i] = (struct pf_zrec){ b, RLEN, NULL };
		}
		/* digests of the text as it is, of it with its last record
		 * changed, again unchanged, and after a load of the cache */
		for (int round = 0; round < 4; round++) {
			struct strbuf out = STRBUF_INIT, flat = STRBUF_INIT;
			struct pf_zfile zf = { PF_COMP_GZIP, 1, &t, osha, omd5, &out, NULL, NULL };

			if (round == 1)
				bufs[(size_t)NREC * RLEN - 1] = '!';
			if (round == 3) {
				CHECK_INT(pf_zcache_save(zc, path, &e), 0);
				pf_zcache_free(zc);
				zc = pf_zcache_load(path);
				bufs[(size_t)NREC * RLEN - 1] = '?';
			}
			pf_zcache_digest_stats(zc, &h0, &r0);
			CHECK_INT(pf_zpiece_compress_many(zc, &zf, 1, 2, &e), 0);
			pf_zcache_digest_stats(zc, &hashed, &resumed);
			hashed -= h0;
			resumed -= r0;
			pf_ztext_flatten(&t, &flat);
			len = flat.len;
			pf_digest_buf(PF_SHA256, flat.buf, flat.len, d);
			CHECK(!memcmp(osha, d, 32));
			pf_digest_buf(PF_MD5, flat.buf, flat.len, d);
			CHECK(!memcmp(omd5, d, 16));
			/* two digests of the text: bytes count twice */
			CHECK(hashed + resumed == 2 * len);
			if (round == 0)
				CHECK(resumed == 0);
			else if (round == 2)
				CHECK(hashed == 0);
			else
				CHECK(resumed > len && hashed > 0);
			strbuf_release(&out);
			strbuf_release(&flat);
		}
		pf_zcache_free(zc);
		free(rec);
		free(bufs);
		free(path);
		pf_err_release(&e);
		pf_rmtree(dir);
	});
	TEST("index pieces: records of every size hash as the flat text does", {
		/* a record at a time through the digest's buffer: small ones
		 * gathered, large ones (over half of it, over all of it)
		 * hashed in place, states saved at the pieces' ends */
		enum { NREC = 400 };
		static const size_t sizes[] = { 0, 1, 63, 64, 65, 1000, 8191, 8192, 8193, 16383,
						 16384, 16385, 40000 };
		struct pf_zrec *rec = pf_calloc(NREC, sizeof(*rec));
		char **bufs = pf_calloc(NREC, sizeof(*bufs));
		struct pf_ztext t = { "<head>\n", "\n", "</tail>\n", rec, NREC };
		unsigned char osha[32], d[32];
		char dir[] = "/tmp/pf-test-zs.XXXXXX", *path;
		struct pf_err e = PF_ERR_INIT;
		struct pf_zcache *zc;

		CHECK(mkdtemp(dir) != NULL);
		path = pf_asprintf("%s/zcache", dir);
		zc = pf_zcache_load(path);
		for (int i = 0; i < NREC; i++) {
			size_t len = sizes[(size_t)(i * 7) % (sizeof(sizes) / sizeof(sizes[0]))];

			bufs[i] = pf_malloc(len + 1);
			for (size_t k = 0; k < len; k++)
				bufs[i][k] = (char)('a' + (i * 31 + (int)k * 7) % 26);
			rec[i] = (struct pf_zrec){ bufs[i], len, NULL };
		}
		/* the whole text; again with a record changed near its end,
		 * which resumes from a saved state */
		for (int round = 0; round < 2; round++) {
			struct strbuf out = STRBUF_INIT, flat = STRBUF_INIT;
			struct pf_zfile zf = { PF_COMP_ZSTD, 1, &t, osha, NULL, &out, NULL, NULL };
			uint64_t h0, r0, hashed, resumed;

			if (round == 1)
				bufs[NREC - 3][0] = '!';
			pf_zcache_digest_stats(zc, &h0, &r0);
			CHECK_INT(pf_zpiece_compress_many(zc, &zf, 1, 2, &e), 0);
			pf_zcache_digest_stats(zc, &hashed, &resumed);
			pf_ztext_flatten(&t, &flat);
			pf_digest_buf(PF_SHA256, flat.buf, flat.len, d);
			CHECK(!memcmp(osha, d, 32));
			if (round == 1)
				CHECK(resumed - r0 > 0 && hashed - h0 < flat.len);
			strbuf_release(&out);
			strbuf_release(&flat);
		}
		pf_zcache_free(zc);
		for (int i = 0; i < NREC; i++)
			free(bufs[i]);
		free(bufs);
		free(rec);
		free(path);
		pf_err_release(&e);
		pf_rmtree(dir);
	});
	TEST("index pieces: the text's digests and those of what it compressed to", {
		/* 3,000 records: several pieces in each file; the same bytes
		 * on one thread as on two or four (which thread takes which
		 * task varies) */
		enum { NREC = 3000 };
		struct pf_zrec *rec = pf_calloc(NREC, sizeof(*rec));
		char (*bufs)[40] = pf_calloc(NREC, sizeof(*bufs));
		struct pf_ztext t = { "head\n", "\n", "tail\n", rec, NREC };
		struct strbuf flat = STRBUF_INIT, out[3], first[3];
		unsigned char osha[32], omd5[16], zsha[3][32], zmd5[3][16], d[32];
		const enum pf_comp comps[3] = { PF_COMP_GZIP, PF_COMP_XZ, PF_COMP_ZSTD };
		const int threads[3] = { 1, 2, 4 };
		struct pf_zfile zf[3];
		struct pf_err e = PF_ERR_INIT;

		for (int i = 0; i < NREC; i++) {
			snprintf(bufs[i], sizeof(bufs[i]), "Package: p%04d\nVersion: 1.%d", i, i * 7);
			rec[i] = (struct pf_zrec){ bufs[i], strlen(bufs[i]), NULL };
		}
		pf_ztext_flatten(&t, &flat);
		for (int r = 0; r < 3; r++) {
			for (int k = 0; k < 3; k++) {
				strbuf_init(&out[k], 0);
				zf[k] = (struct pf_zfile){ comps[k], -1, &t, k ? NULL : osha,
							   k ? NULL : omd5, &out[k], zsha[k], zmd5[k] };
			}
			CHECK_INT(pf_zpiece_compress_many(NULL, zf, 3, threads[r], &e), 0);
			pf_digest_buf(PF_SHA256, flat.buf, flat.len, d);
			CHECK(!memcmp(osha, d, 32));
			pf_digest_buf(PF_MD5, flat.buf, flat.len, d);
			CHECK(!memcmp(omd5, d, 16));
			for (int k = 0; k < 3; k++) {
				CHECK(out[k].len > 0);
				pf_digest_buf(PF_SHA256, out[k].buf, out[k].len, d);
				CHECK(!memcmp(zsha[k], d, 32));
				pf_digest_buf(PF_MD5, out[k].buf, out[k].len, d);
				CHECK(!memcmp(zmd5[k], d, 16));
				if (!r) {
					first[k] = out[k];
				} else {
					CHECK(out[k].len == first[k].len &&
					      !memcmp(out[k].buf, first[k].buf, out[k].len));
					strbuf_release(&out[k]);
				}
			}
		}
		{
			/* and it comes back as the text */
			char *back = pf_malloc(flat.len + 1);
			size_t got = ZSTD_decompress(back, flat.len + 1, first[2].buf, first[2].len);

			CHECK(!ZSTD_isError(got) && got == flat.len && !memcmp(back, flat.buf, flat.len));
			free(back);
		}
		for (int k = 0; k < 3; k++)
			strbuf_release(&first[k]);
		strbuf_release(&flat);
		free(rec);
		free(bufs);
		pf_err_release(&e);
	});
	TEST("a fresh check's first step, from lists kept as text", {
		struct pf_pkginfo fresh;
		const struct pf_pkginfo *fp[1] = { &fresh };
		struct pf_check_fresh f;
		static const char files[] = "/opt/q/a\0/opt/fa/bin/fa";
		static const struct {
			const char *name, *prov;
			size_t plen;
			const char *files;
			size_t flen;
			bool want;
		} c[] = {
			{ "fa", "", 0, "", 0, true },                   /* the same name */
			{ "q", "libfoo (= 2)", 12, "", 0, true },       /* what it needs */
			{ "q", "x\0bar:any", 9, "", 0, true },          /* an alternative */
			{ "q", "  (a or b)", 10, "", 0, true },         /* rich: always */
			{ "q", "", 0, files, sizeof(files) - 1, true }, /* a path, last */
			{ "q", "", 0, files + 9, 14, true },            /* the path alone */
			{ "q", "", 0, "/opt/fa/bin/f\0/opt/fa/bin/fax", 30, false },
			{ "q", "libfo (= 1)\0libfoox\0fa2", 23, "", 0, false },
			{ "q", "", 0, "", 0, false },
		};

		memset(&fresh, 0, sizeof(fresh));
		fresh.fmt = PF_FMT_DEB;
		fresh.name = "fa";
		fresh.version = "1";
		fresh.arch = "all";
		pf_strlist_add(&fresh.rel[PF_REL_DEPENDS], pf_strdup("libfoo (>= 1) | bar"));
		pf_strlist_add(&fresh.files, pf_strdup("/opt/fa/bin/fa"));
		pf_check_fresh_init(&f, fp, 1);
		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			bool got = pf_check_may_meet_lists(&f, c[i].name, c[i].prov, c[i].plen,
							   c[i].files, c[i].flen);

			if (got != c[i].want)
				fprintf(stderr, "case %zu: got %d\n", i, got);
			CHECK(got == c[i].want);
		}
		pf_check_fresh_release(&f);
		pf_strlist_release(&fresh.rel[PF_REL_DEPENDS]);
		pf_strlist_release(&fresh.files);
	});
	TEST("the index cache: its map of paths, when the load left no gap", {
		struct pf_repopkg p[3], *v[3] = { &p[0], &p[1], &p[2] }, **got = NULL;
		struct pf_repocache *rc;
		struct pf_strmap m = PF_STRMAP_INIT;
		struct pf_err e = PF_ERR_INIT;
		char dir[] = "/tmp/pf-test-cpaths.XXXXXX", *path;
		size_t n = 0, alloc = 0, k = 0;

		CHECK(mkdtemp(dir) != NULL);
		path = pf_asprintf("%s/cache", dir);
		memset(p, 0, sizeof(p));
		for (int i = 0; i < 3; i++) {
			p[i].relpath = pf_asprintf("pool/main/p/p%d/p%d_1_all.deb", i, i);
			p[i].fmt = PF_FMT_DEB;
			memset(p[i].sha256, 'a' + i, 64);
			p[i].info.name = pf_asprintf("p%d", i);
			p[i].info.version = pf_strdup("1");
			p[i].info.arch = pf_strdup("all");
			p[i].ident = pf_strdup(p[i].sha256);
		}
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 0);
		/* no file: nothing loaded, no map */
		CHECK(!pf_repocache_take_paths(rc, &m));
		CHECK_INT(pf_repocache_save(rc, path, v, 3, &e), 0);
		pf_repocache_free(rc);
		/* loaded whole into an empty list: each path to its place, once */
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 0);
		CHECK_INT(n, 3);
		CHECK(pf_repocache_take_paths(rc, &m));
		CHECK_INT(m.nr, 3);
		for (size_t i = 0; i < n; i++)
			CHECK(pf_strmap_get(&m, p[i].relpath, &k) && k == i &&
			      !strcmp(got[k]->relpath, p[i].relpath));
		CHECK(!pf_repocache_take_paths(rc, &m));
		pf_strmap_release(&m);
		/* the second package gone: a batch with a gap in its place */
		pf_repocache_gone(rc, got[1]);
		{
			struct pf_repopkg *left[2] = { got[0], got[2] };

			CHECK_INT(pf_repocache_save(rc, path, left, 2, &e), 0);
		}
		drop_pkgs(got, 0, n);
		pf_repocache_free(rc);
		n = 0;
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 0);
		CHECK_INT(n, 2);
		CHECK(!pf_repocache_take_paths(rc, &m));
		CHECK_INT(m.nr, 0);
		{
			/* loaded after what a list had: its indexes would be off
			 * (a cache written whole, without gaps) */
			char *path2 = pf_asprintf("%s.2", path);
			struct pf_repocache *rc2;

			CHECK_INT(save_anew(path2, got, 2), 0);
			CHECK_INT(pf_repocache_load(path2, &rc2, &got, &n, &alloc), 0);
			free(path2);
			CHECK_INT(n, 4);
			CHECK(!pf_repocache_take_paths(rc2, &m));
			drop_pkgs(got, 2, n);
			pf_repocache_free(rc2);
		}
		drop_pkgs(got, 0, 2);
		free(got);
		pf_repocache_free(rc);
		for (int i = 0; i < 3; i++)
			pf_repopkg_release(&p[i]);
		pf_err_release(&e);
		pf_rmtree(dir);
		free(path);
	});
	TEST("the index cache: what is saved is loaded; damage drops it", {
		struct pf_repopkg p, *v[1] = { &p }, **got = NULL;
		struct pf_repocache *rc;
		struct pf_err e = PF_ERR_INIT;
		char dir[] = "/tmp/pf-test-cache.XXXXXX", *path;
		size_t n = 0, alloc = 0;
		struct strbuf sb = STRBUF_INIT;

		CHECK(mkdtemp(dir) != NULL);
		path = pf_asprintf("%s/cache", dir);
		memset(&p, 0, sizeof(p));
		p.relpath = pf_strdup("pool/main/a/a/a_1_all.deb");
		p.fmt = PF_FMT_DEB;
		p.size = 1234;
		p.ino = 42;
		p.mtime_ns = 1700000000123456789LL;
		memset(p.sha256, 'a', 64);
		memset(p.md5, 'b', 32);
		p.info.name = pf_strdup("a");
		p.info.version = pf_strdup("1");
		p.info.arch = pf_strdup("all");
		pf_strlist_add(&p.info.rel[PF_REL_DEPENDS], pf_strdup("b (>= 2) | c"));
		pf_strlist_add(&p.info.files, pf_strdup("/usr/share/a"));
		pf_strlist_add(&p.info.files, pf_strdup("/usr/share/b with space"));
		p.field[0] = pf_strdup("Package: a\nFilename: x\n");
		p.field_len[0] = strlen(p.field[0]);
		for (int i = 0; i < 32; i++)
			p.field_sha[0][i] = (unsigned char)(i * 7 + 1);
		p.ident = pf_strdup(p.sha256);
		p.published = true;
		/* no file yet: an empty cache, written whole */
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 0);
		CHECK_INT(n, 0);
		CHECK_INT(pf_repocache_save(rc, path, v, 1, &e), 0);
		pf_repocache_free(rc);
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 0);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(got[0]->relpath, p.relpath);
			CHECK_INT(got[0]->mtime_ns, p.mtime_ns);
			CHECK_INT(got[0]->ino, 42);
			CHECK_STR(got[0]->md5, p.md5);
			/* the lists are made when asked for */
			CHECK(got[0]->lists_raw);
			CHECK_INT(got[0]->info.files.nr, 0);
			{
				/* saved as they were loaded, they load the same */
				char *path2 = pf_asprintf("%s.2", path);
				struct pf_repocache *rc2;
				struct pf_repopkg **got2 = NULL;
				size_t n2 = 0, alloc2 = 0;

				CHECK_INT(save_anew(path2, got, 1), 0);
				CHECK_INT(pf_repocache_load(path2, &rc2, &got2, &n2, &alloc2), 0);
				CHECK_INT(n2, 1);
				if (n2 == 1) {
					pf_repopkg_lists(got2[0]);
					CHECK_STR(got2[0]->info.rel[PF_REL_DEPENDS].v[0], "b (>= 2) | c");
					CHECK_INT(got2[0]->info.files.nr, 2);
					CHECK_STR(got2[0]->info.files.v[1], "/usr/share/b with space");
					pf_repopkg_release(got2[0]);
					free(got2[0]);
				}
				free(got2);
				pf_repocache_free(rc2);
				unlink(path2);
				free(path2);
			}
			pf_repopkg_lists(got[0]);
			CHECK(!got[0]->lists_raw);
			CHECK_STR(got[0]->info.rel[PF_REL_DEPENDS].v[0], "b (>= 2) | c");
			CHECK_INT(got[0]->info.rel[PF_REL_PROVIDES].nr, 0);
			CHECK_INT(got[0]->info.files.nr, 2);
			CHECK_STR(got[0]->info.files.v[1], "/usr/share/b with space");
			CHECK_STR(got[0]->field[0], p.field[0]);
			CHECK_INT(got[0]->field_len[0], p.field_len[0]);
			CHECK(!memcmp(got[0]->field_sha[0], p.field_sha[0], 32));
			CHECK(got[0]->published);
			pf_repopkg_release(got[0]);
			free(got[0]);
		}
		/* records that do not make sense, under a CRC that matches
		 * (what only someone writing .pkgforge could make): dropped,
		 * never read past their end */
		CHECK_INT(pf_read_file(path, 1 << 20, &sb, &e), 0);
		{
			/* the base's records start after two lines */
			char *base = memchr(sb.buf, '\n', sb.len) + 1;
			char *data = memchr(base, '\n', sb.len - (size_t)(base - sb.buf)) + 1;
			size_t dlen = sb.len - (size_t)(data - sb.buf);
			static const struct {
				size_t at;
				unsigned char to[4];
				int n;
			} bad[] = {
				{ 0, { 'X' }, 1 },              /* no such record */
				{ 0, { 'G' }, 1 },              /* gone, in a base */
				{ 1, { 9 }, 1 },                /* no such format */
				{ 228, { 0xf0, 0xff, 0xff, 0xff }, 4 }, /* path past the end */
				{ 228 + 4 + 25, { 'x' }, 1 },   /* path without its NUL */
				{ 0, { 'P' }, 0 },              /* as it was: loads */
			};

			for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
				struct strbuf m = STRBUF_INIT;
				char hex[17];

				strbuf_add(&m, sb.buf, sb.len);
				memcpy(m.buf + (data - sb.buf) + bad[i].at, bad[i].to, (size_t)bad[i].n);
				snprintf(hex, sizeof(hex), "%016llx",
					 (unsigned long long)lzma_crc64((const uint8_t *)m.buf + (data - sb.buf),
									dlen, 0));
				memcpy(m.buf + (data - sb.buf) - 17, hex, 16);
				CHECK_INT(pf_ofile_put(path, m.buf, m.len, &e), 0);
				n = 0;
				pf_repocache_free(rc);
				CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), bad[i].n ? 1 : 0);
				CHECK_INT(n, bad[i].n ? 0 : 1);
				drop_pkgs(got, 0, n);
				strbuf_release(&m);
			}
		}
		strbuf_reset(&sb);
		/* a truncated cache is dropped whole */
		CHECK_INT(pf_read_file(path, 1 << 20, &sb, &e), 0);
		CHECK_INT(pf_ofile_put(path, sb.buf, sb.len - 5, &e), 0);
		n = 0;
		pf_repocache_free(rc);
		CHECK_INT(pf_repocache_load(path, &rc, &got, &n, &alloc), 1);
		CHECK_INT(n, 0);
		pf_repocache_free(rc);
		free(got);
		unlink(path);
		rmdir(dir);
		free(path);
		strbuf_release(&sb);
		pf_repopkg_release(&p);
		pf_err_release(&e);
	});
	return unit_done();
}
