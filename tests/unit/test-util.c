// SPDX-License-Identifier: GPL-2.0-or-later
/* Small modules: globs, templates, UTF-8 checks, JSON, strbuf, diagnostics,
 * libraries loaded when needed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arlib.h"
#include "dynlib.h"
#include "glob.h"
#include "json.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "strbuf.h"
#include "strmap.h"
#include "tmpl.h"
#include "util.h"
#include "xmllib.h"
#include "xmlw.h"
#include "unit.h"

/* One document both ways: libxml2's xmlTextWriter (indent "  ") and
 * xmlw.h; each string as text of one element and as an attribute. */
static void xml_both(const char *const *strs, size_t n, bool decl, char **lib, char **own)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	struct pf_xmlw x;

	pf_xmlw_init(&x);
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	if (decl) {
		xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
		pf_xmlw_decl(&x);
	}
	xmlTextWriterStartElement(w, BAD_CAST "root");
	pf_xmlw_start(&x, "root");
	xmlTextWriterWriteAttribute(w, BAD_CAST "a", BAD_CAST "1");
	pf_xmlw_attr(&x, "a", "1");
	for (size_t i = 0; i < n; i++) {
		xmlTextWriterStartElement(w, BAD_CAST "e");
		pf_xmlw_start(&x, "e");
		xmlTextWriterWriteAttribute(w, BAD_CAST "v", BAD_CAST strs[i]);
		pf_xmlw_attr(&x, "v", strs[i]);
		xmlTextWriterStartElement(w, BAD_CAST "t");
		pf_xmlw_start(&x, "t");
		xmlTextWriterWriteString(w, BAD_CAST strs[i]);
		pf_xmlw_text(&x, strs[i]);
		xmlTextWriterEndElement(w);
		pf_xmlw_end(&x);
		xmlTextWriterStartElement(w, BAD_CAST "empty");
		pf_xmlw_start(&x, "empty");
		xmlTextWriterEndElement(w);
		pf_xmlw_end(&x);
		xmlTextWriterEndElement(w);
		pf_xmlw_end(&x);
	}
	xmlTextWriterEndElement(w);
	pf_xmlw_end(&x);
	if (decl)
		xmlTextWriterEndDocument(w);
	xmlTextWriterFlush(w);
	xmlFreeTextWriter(w);
	*lib = pf_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	*own = pf_xmlw_finish(&x);
}

/* Debian versions compared on two threads at once (libdpkg's parser
 * shares one allocator: pkgfmt-deb.c locks around it). */
static void *compare_many(void *arg)
{
	long bad = 0;

	for (int i = 0; i < 100000; i++) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "%d.%d-%d", i % 97, i % 13, i % 7);
		snprintf(b, sizeof(b), "%d.%d-%d", i % 97, i % 13, i % 7 + 1);
		bad += pf_debver_cmp(a, b) >= 0 || !pf_debver_valid(a);
	}
	*(long *)arg = bad;
	return NULL;
}

int main(void)
{
	TEST("mkdir_p: missing components made, existing ones fine, a file in the way told", {
		char dir[] = "/tmp/pf-test-mkdir.XXXXXX";
		struct pf_err e = PF_ERR_INIT;
		struct stat st;
		char *deep, *file, *under, *want;

		CHECK(mkdtemp(dir) != NULL);
		deep = pf_asprintf("%s/a/b/c", dir);
		CHECK_INT(pf_mkdir_p(deep, 0755, &e), 0);
		CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode));
		CHECK_INT(pf_mkdir_p(deep, 0755, &e), 0);
		file = pf_asprintf("%s/a/f", dir);
		CHECK_INT(pf_ofile_put(file, "x", 1, &e), 0);
		under = pf_asprintf("%s/g/h", file);
		CHECK_INT(pf_mkdir_p(under, 0755, &e), -1);
		want = pf_asprintf("cannot create %s: Not a directory", under);
		CHECK_STR(e.msg.buf, want);
		free(want);
		free(under);
		free(file);
		free(deep);
		pf_err_release(&e);
		pf_rmtree(dir);
	});
	TEST("glob: single components never cross '/'", {
		CHECK(pf_glob_match("bin/*", "bin/clang"));
		CHECK(!pf_glob_match("bin/*", "bin/x/y"));
		CHECK(!pf_glob_match("bin/*", "bin"));
		CHECK(pf_glob_match("bin/x86_64-linux-*", "bin/x86_64-linux-as"));
		CHECK(pf_glob_match("lib/lib?.so.[0-9]", "lib/libc.so.6"));
		CHECK(!pf_glob_match("lib/*.so", "lib/libc.so.6"));
	});
	TEST("glob: a double-star component matches zero or more components", {
		CHECK(pf_glob_match("**", "a"));
		CHECK(pf_glob_match("**", "a/b/c"));
		CHECK(pf_glob_match("share/doc/**", "share/doc"));
		CHECK(pf_glob_match("share/doc/**", "share/doc/x/y"));
		CHECK(!pf_glob_match("share/doc/**", "share/docs"));
		CHECK(pf_glob_match("**/README", "README"));
		CHECK(pf_glob_match("**/README", "share/doc/README"));
		CHECK(pf_glob_match("a/**/b", "a/b"));
		CHECK(pf_glob_match("a/**/b", "a/x/y/b"));
		CHECK(!pf_glob_match("a/**/b", "a/x/y/c"));
	});
	TEST("utf8: controls, overlongs, surrogates and truncation are refused", {
		CHECK(pf_utf8_clean("caf\xc3\xa9", 5));
		CHECK(pf_utf8_clean("\xe2\x82\xac", 3));
		CHECK(!pf_utf8_clean("a\nb", 3));
		CHECK(!pf_utf8_clean("a\tb", 3));
		CHECK(!pf_utf8_clean("caf\xe9", 4));
		CHECK(!pf_utf8_clean("\xc0\xaf", 2));            /* overlong '/' */
		CHECK(!pf_utf8_clean("\xed\xa0\x80", 3));        /* surrogate */
		CHECK(!pf_utf8_clean("\xe2\x82", 2));            /* truncated */
		CHECK(!pf_utf8_clean("\xc2\x85", 2));            /* C1 control */
	});
	TEST("templates: variables, $$, errors", {
		struct pf_tvars v = { NULL, 0, 0 };
		struct pf_diag d = PF_DIAG_INIT;
		struct pf_mstr t = { "llvm-${version}-$${x}", { "m.yaml", 3, 7 } };
		char *s;

		pf_tvars_set(&v, "version", "18.1.8");
		s = pf_tmpl_expand_str(&t, &v, "url", &d);
		CHECK_STR(s, "llvm-18.1.8-${x}");
		free(s);
		t.s = "${nope}";
		CHECK(pf_tmpl_expand_str(&t, &v, "url", &d) == NULL);
		CHECK_INT(d.nr, 1);
		if (d.nr)
			CHECK_STR(d.lines[0], "m.yaml:3:7: error: undefined variable '${nope}' in 'url'");
		pf_diag_release(&d);
		pf_tvars_release(&v);
	});
	TEST("diagnostics: repeats print once but still count as raised", {
		struct pf_diag d = PF_DIAG_INIT;
		struct pf_loc l = { "f", 1, 2 };
		pf_diag_error(&d, &l, "same");
		pf_diag_error(&d, &l, "same");
		pf_diag_warning(&d, NULL, "w");
		CHECK_INT(d.nr, 2);
		CHECK_INT(d.errors, 1);
		CHECK_INT(d.raised, 2);
		CHECK_STR(d.lines[1], "pkgforge: warning: w");
		pf_diag_release(&d);
	});
	TEST("json: nesting, commas and escapes", {
		struct strbuf sb = STRBUF_INIT;
		struct pf_json j;
		pf_json_init(&j, &sb);
		pf_json_obj_begin(&j);
		pf_json_kstr(&j, "a", "q\"\\\n\x01");
		pf_json_key(&j, "b");
		pf_json_arr_begin(&j);
		pf_json_int(&j, -3);
		pf_json_bool(&j, true);
		pf_json_str(&j, NULL);
		pf_json_arr_end(&j);
		pf_json_key(&j, "c");
		pf_json_arr_begin(&j);
		pf_json_arr_end(&j);
		pf_json_obj_end(&j);
		CHECK_STR(sb.buf, "{\n  \"a\": \"q\\\"\\\\\\n\\u0001\",\n  \"b\": [\n    -3,\n    true,\n    null\n  ],\n  \"c\": []\n}\n");
		strbuf_release(&sb);
	});
	TEST("control descriptions: blank lines become ' .', edges trimmed", {
		struct strbuf sb = STRBUF_INIT;
		pf_control_description(&sb, "Synopsis", "\nFirst line.\n\nSecond  \n  verbatim\n\n");
		CHECK_STR(sb.buf, "Description: Synopsis\n First line.\n .\n Second\n   verbatim\n");
		strbuf_release(&sb);
	});
	TEST("Debian relations: valid and invalid forms", {
		struct strbuf why = STRBUF_INIT;
		CHECK_INT(pf_debrel_check("libc6 (>= 2.34)", true, &why), 0);
		CHECK_INT(pf_debrel_check("a1 | b2:any (<< 1:2.0-1~x)", true, &why), 0);
		CHECK_INT(pf_debrel_check("libc6 (> 2.34)", true, &why), -1);
		CHECK_STR(why.buf, "expected one of <<, <=, =, >=, >> after '('");
		strbuf_reset(&why);
		CHECK_INT(pf_debrel_check("libc6, zlib1g", true, &why), -1);
		CHECK_STR(why.buf, "unexpected ', zlib1g' (one relation per list item)");
		strbuf_release(&why);
	});
	TEST("strbuf: insert, addf growth, rtrim", {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "world");
		strbuf_insert(&sb, 0, "hello ", 6);
		for (int i = 0; i < 100; i++)
			strbuf_addf(&sb, "%d", i % 10);
		strbuf_addstr(&sb, " \n\t");
		strbuf_rtrim(&sb);
		CHECK_INT(sb.len, 111);
		CHECK(!strncmp(sb.buf, "hello world0123", 15));
		strbuf_release(&sb);
	});
	TEST("Debian versions compare right on several threads at once", {
		pthread_t t[3];
		long bad[3] = { -1, -1, -1 };

		for (int i = 0; i < 3; i++)
			CHECK_INT(pthread_create(&t[i], NULL, compare_many, &bad[i]), 0);
		for (int i = 0; i < 3; i++) {
			pthread_join(t[i], NULL);
			CHECK_INT(bad[i], 0);
		}
	});
	TEST("rpm-md's XML writer writes the bytes libxml2's xmlTextWriter writes", {
		static const char *const strs[] = {
			"", "plain", "a & b < c > d \"q\" 'apos'", "tab\there\nnewline\rcr",
			"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6 end", "&amp; already",
			"\xc2\xa0nbsp", "]]> cdata-ish", "x=\"1\"&y=<2>\t\r\n",
		};
		struct pf_err e = PF_ERR_INIT;
		char *lib, *own;

		CHECK_INT(pf_libxml_load(&e), 0);
		/* a document (repomd.xml) and a fragment (a package's entry) */
		for (int decl = 0; decl < 2; decl++) {
			xml_both(strs, PF_ARRAY_SIZE(strs), decl, &lib, &own);
			CHECK_STR(own, lib);
			CHECK(strstr(own, decl ? "v=\"caf\xc3\xa9" : "v=\"caf&#xE9;") != NULL);
			free(lib);
			free(own);
		}
	});
	TEST("a library loaded when needed: its functions work; a missing one is an error", {
		struct pf_err e = PF_ERR_INIT;
		static const char *const names[] = { "zlibVersion", "pf_no_such_function" };
		void *a = NULL, *b = NULL;
		void **const slots[] = { &a, &b };
		struct pf_dynlib none = { "libpkgforge-none.so.0", names, slots, 1, 0, NULL };
		struct pf_dynlib partial = { "libz.so.1", names, slots, 2, 0, NULL };
		struct archive *ar;

		CHECK_INT(pf_libarchive_load(&e), 0);
		ar = archive_read_new();
		CHECK(ar != NULL);
		CHECK_INT(archive_read_free(ar), ARCHIVE_OK);
		CHECK_INT(pf_libarchive_load(&e), 0);   /* once is enough */
		CHECK_INT(pf_dynlib_load(&none, &e), -1);
		CHECK_STR(e.msg.buf, "cannot load libpkgforge-none.so.0: libpkgforge-none.so.0: cannot open shared object file: No such file or directory");
		pf_err_release(&e);
		CHECK_INT(pf_dynlib_load(&none, &e), -1); /* and stays so */
		pf_err_release(&e);
		CHECK_INT(pf_dynlib_load(&partial, &e), -1);
		CHECK_STR(e.msg.buf, "cannot load libz.so.1: it has no pf_no_such_function");
		pf_err_release(&e);
		free(none.why);
		free(partial.why);
	});
	TEST("a library a caller cannot do without: the message, exit status 1", {
		static const char *const names[] = { "zlibVersion" };
		void *a = NULL;
		void **const slots[] = { &a };
		struct pf_dynlib none = { "libpkgforge-none.so.0", names, slots, 1, 0, NULL };
		int fds[2], status = 0;
		char buf[256];
		ssize_t n;
		pid_t pid;

		CHECK_INT(pipe(fds), 0);
		pid = fork();
		if (pid == 0) {
			dup2(fds[1], 2);
			pf_dynlib_need(&none);
			_exit(0);       /* not reached: need stops the program */
		}
		close(fds[1]);
		n = read(fds[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fds[0]);
		CHECK_INT(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		CHECK_STR(buf, "pkgforge: fatal: cannot load libpkgforge-none.so.0: libpkgforge-none.so.0: cannot open shared object file: No such file or directory\n");
	});
	TEST("little-endian integers: written and read back", {
		struct strbuf sb = STRBUF_INIT;

		strbuf_add_le(&sb, 0x0102030405060708ULL, 8);
		strbuf_add_le(&sb, 0xa1b2c3d4u, 4);
		strbuf_add_le(&sb, 0x1ff, 1);
		CHECK_INT(sb.len, 13);
		CHECK_INT((unsigned char)sb.buf[0], 0x08);
		CHECK_INT((unsigned char)sb.buf[7], 0x01);
		CHECK(pf_get_le(sb.buf, 8) == 0x0102030405060708ULL);
		CHECK(pf_get_le(sb.buf + 8, 4) == 0xa1b2c3d4u);
		CHECK(pf_get_le(sb.buf + 12, 1) == 0xff);
		strbuf_release(&sb);
	});
	TEST("string maps: what is put is got, across growth; a miss is a miss", {
		enum { N = 5000 };
		struct pf_strmap m = PF_STRMAP_INIT, r = PF_STRMAP_INIT;
		char **keys = pf_calloc(N, sizeof(*keys));
		size_t v = 0, bad = 0;

		/* an empty map has nothing */
		CHECK_INT(pf_strmap_get(&m, "", &v), 0);
		CHECK_INT(pf_strmap_get(&m, "a", NULL), 0);
		/* keys alike at the start, of every length around 8 bytes'
		 * words, and the empty one */
		for (size_t i = 0; i < N; i++)
			keys[i] = i ? pf_asprintf("%.*s%zu", (int)(i % 23), "rpm/Packages/p/pfbench-", i)
				    : pf_strdup("");
		for (size_t i = 0; i < N; i++)
			pf_strmap_put(&m, keys[i], i);
		CHECK_INT(m.nr, N);
		for (size_t i = 0; i < N; i++) {
			/* found by content, not by pointer */
			char *copy = pf_strdup(keys[i]);

			v = SIZE_MAX;
			bad += !pf_strmap_get(&m, copy, &v) || v != i;
			free(copy);
		}
		CHECK_INT(bad, 0);
		/* misses: one byte more, one less, another last byte */
		for (size_t i = 1; i < N; i++) {
			char *more = pf_asprintf("%sx", keys[i]);
			char *less = pf_strndup(keys[i], strlen(keys[i]) - 1);
			char *other = pf_strdup(keys[i]);

			other[strlen(other) - 1] = '#';
			bad += pf_strmap_get(&m, more, NULL) + pf_strmap_get(&m, other, NULL);
			/* "" and a few keys are prefixes of others */
			if (pf_strmap_get(&m, less, &v))
				bad += strcmp(keys[v], less) != 0;
			free(more);
			free(less);
			free(other);
		}
		CHECK_INT(bad, 0);
		/* a key put again keeps its place and takes the new value */
		pf_strmap_put(&m, keys[7], 70);
		CHECK_INT(m.nr, N);
		CHECK(pf_strmap_get(&m, keys[7], &v) && v == 70);
		/* room reserved first: the same answers without growing */
		pf_strmap_reserve(&r, N);
		{
			size_t cap = r.cap;

			for (size_t i = 0; i < N; i++)
				pf_strmap_put(&r, keys[N - 1 - i], i);
			CHECK_INT(r.cap, cap);
		}
		for (size_t i = 0; i < N; i++)
			bad += !pf_strmap_get(&r, keys[i], &v) || v != N - 1 - i;
		CHECK_INT(bad, 0);
		pf_strmap_release(&m);
		pf_strmap_release(&r);
		CHECK_INT(pf_strmap_get(&m, keys[1], NULL), 0);
		for (size_t i = 0; i < N; i++)
			free(keys[i]);
		free(keys);
	});
	return unit_done();
}
