// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF scanning of broken headers, and profile loading and lookup by
 * architecture: exact messages. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>

#include "digest.h"
#include "elfdeps.h"
#include "profile.h"
#include "util.h"
#include "unit.h"

/* A 64-bit little-endian ELF header for machine m and type t. */
static void header(unsigned char *b, size_t len, unsigned t, unsigned m)
{
	Elf64_Ehdr eh;

	memset(b, 0, len);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = t;
	eh.e_machine = m;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	memcpy(b, &eh, sizeof(eh));
}

static const char *scan_msg(const unsigned char *b, size_t len)
{
	static char msg[256];
	struct pf_elfinfo in;
	struct pf_err e = PF_ERR_INIT;

	if (pf_elf_scan(b, len, &in, &e) == 0) {
		pf_elfinfo_release(&in);
		snprintf(msg, sizeof(msg), "ok");
	} else {
		snprintf(msg, sizeof(msg), "%s", e.msg.buf);
	}
	pf_err_release(&e);
	return msg;
}

static char *write_profile(const char *text)
{
	char *path = strdup("/tmp/pf-test-profile-XXXXXX.yaml");
	int fd = mkstemps(path, 5);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

/* dir/name, holding text */
static void put(const char *dir, const char *name, const char *text)
{
	char *path = pf_asprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0 || fclose(fp))
		abort();
	free(path);
}

/* A profile's start: two packages, and glibc's data but its symbols. */
#define LIBC_YAML \
	"arch: amd64\n" \
	"packages: {libc6: '2.36-9', zlib1g: '1:1.2.13.dfsg-1'}\n" \
	"libraries:\n" \
	"  libc.so.6:\n" \
	"    package: libc6\n" \
	"    depends: ['libc6 #MINVER#', 'libc6 (>> 2.36), libc6 (<< 2.37)']\n" \
	"    versions: {GLIBC_2.2.5: '2.2.5', GLIBC_2.34: '2.34', GLIBC_PRIVATE: '0 1'}\n"

static const char *const mini =
	"packages: {libc6: '2.36-9'}\n"
	"libraries:\n"
	"  libc.so.6: {package: libc6, depends: ['libc6 #MINVER#'], versions: {GLIBC_2.17: '2.17'}}\n";

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_vers(const struct pf_profver *a, size_t na, const struct pf_profver *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same_str(a[i].name, b[i].name) || !same_str(a[i].minver, b[i].minver) ||
		    a[i].dep != b[i].dep)
			return false;
	return true;
}

/* Two loads of a profile hold the same data, lookups included. */
static bool same_profile(const struct pf_profile *a, const struct pf_profile *b)
{
	if (!same_str(a->name, b->name) || !same_str(a->path, b->path) ||
	    !same_str(a->arch, b->arch) || strcmp(a->sha256, b->sha256) ||
	    a->nr_pkgs != b->nr_pkgs || a->nr_libs != b->nr_libs)
		return false;
	for (size_t i = 0; i < a->nr_pkgs; i++)
		if (!same_str(a->pkgs[i].name, b->pkgs[i].name) ||
		    !same_str(a->pkgs[i].version, b->pkgs[i].version) ||
		    !same_str(pf_profile_pkgversion(b, a->pkgs[i].name), a->pkgs[i].version))
			return false;
	for (size_t i = 0; i < a->nr_libs; i++) {
		const struct pf_proflib *x = &a->libs[i], *y = &b->libs[i];

		if (!same_str(x->soname, y->soname) || !same_str(x->package, y->package) ||
		    x->symbols != y->symbols || x->depends.nr != y->depends.nr ||
		    !same_vers(x->nodes, x->nr_nodes, y->nodes, y->nr_nodes) ||
		    !same_vers(x->syms, x->nr_syms, y->syms, y->nr_syms) ||
		    !same_str(x->smallest, y->smallest) || pf_profile_lib(b, x->soname) != y)
			return false;
		for (size_t k = 0; k < x->depends.nr; k++)
			if (strcmp(x->depends.v[k], y->depends.v[k]))
				return false;
		for (size_t k = 0; k < x->nr_syms; k++)
			if (pf_proflib_sym(y, x->syms[k].name) != &y->syms[k])
				return false;
	}
	return true;
}

/* The file at path, with its trailing CRC-64 made right again. */
static void reseal(const char *path, char *buf, size_t len)
{
	uint64_t crc = lzma_crc64((const uint8_t *)buf, len - 8, 0);
	FILE *fp;

	for (int i = 0; i < 8; i++)
		buf[len - 8 + i] = (char)(crc >> (8 * i));
	fp = fopen(path, "w");
	if (!fp || fwrite(buf, 1, len, fp) != len || fclose(fp))
		abort();
}

/* The message of loading name for arch, or "ok NAME ARCH FILE". */
static const char *load_msg(const char *name, const char *arch)
{
	static char msg[512];
	struct pf_profile p;
	struct pf_err e = PF_ERR_INIT;

	if (pf_profile_load(&p, name, arch, &e) == 0) {
		const char *base = strrchr(p.path, '/');
		snprintf(msg, sizeof(msg), "ok %s %s %s", p.name, p.arch, base ? base + 1 : p.path);
		pf_profile_release(&p);
	} else {
		snprintf(msg, sizeof(msg), "%s", e.msg.buf);
	}
	pf_err_release(&e);
	return msg;
}

int main(void)
{
	unsigned char b[256];

	TEST("the magic is all it takes to be an ELF file", {
		CHECK(pf_elf_magic("\177ELF", 4));
		CHECK(!pf_elf_magic("\177EL", 3));
		CHECK(!pf_elf_magic("#!/bin/sh", 9));
	});
	TEST("broken headers are errors that say what is wrong", {
		header(b, sizeof(b), ET_DYN, EM_X86_64);
		CHECK_STR(scan_msg(b, 10), "truncated ELF file: 10 bytes, shorter than an ELF header");
		CHECK_STR(scan_msg(b, 40), "truncated ELF file: 40 bytes, shorter than an ELF header");
		b[EI_CLASS] = 3;
		CHECK_STR(scan_msg(b, sizeof(b)), "corrupt ELF file: unknown class 3");
		b[EI_CLASS] = ELFCLASS64;
		b[EI_DATA] = 0;
		CHECK_STR(scan_msg(b, sizeof(b)), "corrupt ELF file: unknown byte order 0");
		b[EI_DATA] = ELFDATA2LSB;
		b[EI_VERSION] = 2;
		CHECK_STR(scan_msg(b, sizeof(b)), "corrupt ELF file: unknown ELF version 2");
	});
	TEST("section headers past the end of the file", {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
		header(b, sizeof(b), ET_DYN, EM_X86_64);
		eh->e_shoff = 128;
		eh->e_shnum = 4;
		eh->e_shentsize = sizeof(Elf64_Shdr);
		CHECK_STR(scan_msg(b, sizeof(b)),
			  "truncated ELF file: its section headers end past its 256 bytes");
		eh->e_shnum = 0;
		eh->e_shoff = 0;
		eh->e_phoff = 64;
		eh->e_phnum = 9;
		eh->e_phentsize = sizeof(Elf64_Phdr);
		CHECK_STR(scan_msg(b, sizeof(b)),
			  "truncated ELF file: its program headers end past its 256 bytes");
	});
	TEST("class, machine and type of a bare header", {
		struct pf_elfinfo in;
		struct pf_err e = PF_ERR_INIT;
		char buf[32];
		header(b, sizeof(b), ET_REL, EM_AARCH64);
		CHECK_INT(pf_elf_scan(b, sizeof(b), &in, &e), 0);
		CHECK_INT(in.elfclass, ELFCLASS64);
		CHECK_INT(in.machine, EM_AARCH64);
		CHECK_INT(in.type, ET_REL);
		CHECK_STR(pf_elf_machine_name(in.machine, buf), "AArch64");
		CHECK_STR(pf_elf_machine_name(4242, buf), "machine 4242");
		pf_elfinfo_release(&in);
		pf_err_release(&e);
	});
	TEST("profiles: what a library needs, and a broken profile", {
		char *good = write_profile(
			LIBC_YAML
			"    symbols: {'2.34': [foo@GLIBC_2.2.5]}\n"
			"  libz.so.1:\n"
			"    package: zlib1g\n"
			"    depends: ['zlib1g (>= 1:1.1.4)']\n");
		char *bad = write_profile(
			"arch: amd64\n"
			"packages: {libc6: '2.36-9'}\n"
			"libraries:\n"
			"  libz.so.1: {package: zlib1g, depends: [zlib1g]}\n");
		struct pf_profile p;
		struct pf_err e = PF_ERR_INIT;
		const struct pf_proflib *l;

		CHECK_INT(pf_profile_load(&p, good, "amd64", &e), 0);
		l = pf_profile_lib(&p, "libc.so.6");
		CHECK(l && l->symbols);
		if (l) {
			CHECK_STR(l->smallest, "2.2.5");
			CHECK_STR(pf_proflib_node(l, "GLIBC_2.34")->minver, "2.34");
			CHECK_INT(pf_proflib_node(l, "GLIBC_PRIVATE")->dep, 1);
			CHECK_STR(pf_proflib_sym(l, "foo@GLIBC_2.2.5")->minver, "2.34");
			CHECK(!pf_proflib_node(l, "GLIBC_2.40"));
		}
		l = pf_profile_lib(&p, "libz.so.1");
		CHECK(l && !l->symbols);
		CHECK_STR(pf_profile_pkgversion(&p, "zlib1g"), "1:1.2.13.dfsg-1");
		CHECK(!pf_profile_lib(&p, "libfoo.so.1"));
		pf_profile_release(&p);

		CHECK_INT(pf_profile_load(&p, bad, "amd64", &e), -1);
		{
			char *want = malloc(strlen(bad) + 100);
			strcpy(want, bad);
			strcat(want, ": library 'libz.so.1' comes with zlib1g, which 'packages' does not list");
			CHECK_STR(e.msg.buf, want);
			free(want);
		}
		CHECK_INT(pf_profile_load(&p, "debian-99", "amd64", &e), -1);
		unlink(good);
		unlink(bad);
		free(good);
		free(bad);
		pf_err_release(&e);
	});
	TEST("profiles: the cache of parsed profiles", {
		const char *yaml =
			LIBC_YAML
			"    symbols: {'2.34': [foo@GLIBC_2.2.5, bar@GLIBC_2.2.5], '2.35 1': [baz@GLIBC_2.34]}\n"
			"  libz.so.1:\n"
			"    package: zlib1g\n"
			"    depends: ['zlib1g (>= 1:1.1.4)']\n";
		char dir[] = "/tmp/pf-test-pcache-XXXXXX";
		char *path, *cache, *hit;
		struct pf_profile p0, p;
		struct pf_err e = PF_ERR_INIT;
		struct strbuf sb = STRBUF_INIT;
		struct stat st;

		if (!mkdtemp(dir))
			abort();
		put(dir, "t.amd64.yaml", yaml);
		path = pf_asprintf("%s/t.amd64.yaml", dir);
		cache = pf_asprintf("%s/profiles", dir);
		CHECK_INT(pf_profile_load(&p0, path, "amd64", &e), 0);

		/* a miss parses, and writes the cache */
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK(same_profile(&p0, &p));
		pf_profile_release(&p);
		CHECK_INT(stat(cache, &st), 0);

		/* a hit gives the same data */
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK(same_profile(&p0, &p));
		CHECK_STR(pf_profile_lib(&p, "libc.so.6")->smallest, "2.2.5");
		CHECK_INT(pf_proflib_sym(pf_profile_lib(&p, "libc.so.6"), "baz@GLIBC_2.34")->dep, 1);
		pf_profile_release(&p);

		/* ... and comes from the cache, not the YAML: a version changed
		 * there (and the file sealed again) is what a load gives */
		CHECK_INT(pf_read_file(cache, 1 << 20, &sb, &e), 0);
		hit = memmem(sb.buf, sb.len, "2.36-9", 6);
		CHECK(hit != NULL);
		if (hit) {
			memcpy(hit, "2.99-9", 6);
			reseal(cache, sb.buf, sb.len);
		}
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK_STR(pf_profile_pkgversion(&p, "libc6"), "2.99-9");
		pf_profile_release(&p);

		/* a damaged cache is a miss: parsed, and written anew */
		sb.buf[sb.len / 2] ^= 0x20;
		{
			FILE *fp = fopen(cache, "w");

			if (!fp || fwrite(sb.buf, 1, sb.len, fp) != sb.len || fclose(fp))
				abort();
		}
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK(same_profile(&p0, &p));
		pf_profile_release(&p);
		strbuf_reset(&sb);
		CHECK_INT(pf_read_file(cache, 1 << 20, &sb, &e), 0);
		CHECK(memmem(sb.buf, sb.len, "2.36-9", 6) && !memmem(sb.buf, sb.len, "2.99-9", 6));

		/* an entry that checks out but makes no sense is a miss too: a
		 * dependency index past the library's depends */
		hit = memmem(sb.buf, sb.len, "baz@GLIBC_2.34", 14);
		CHECK(hit != NULL);
		if (hit) {
			/* name, minver "2.35" (4 + 4 bytes), then dep */
			hit[14 + 4 + 4] = 7;
			reseal(cache, sb.buf, sb.len);
		}
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK(same_profile(&p0, &p));
		pf_profile_release(&p);

		/* other YAML, another key: both kept */
		put(dir, "t.amd64.yaml", "arch: amd64\npackages: {libc6: '2.40-1'}\nlibraries: {}\n");
		CHECK_INT(pf_profile_load_cached(&p, path, "amd64", cache, &e), 0);
		CHECK_STR(pf_profile_pkgversion(&p, "libc6"), "2.40-1");
		CHECK_INT(p.nr_libs, 0);
		pf_profile_release(&p);
		strbuf_reset(&sb);
		CHECK_INT(pf_read_file(cache, 1 << 20, &sb, &e), 0);
		CHECK(memmem(sb.buf, sb.len, "2.40-1", 6) && memmem(sb.buf, sb.len, "2.36-9", 6));

		pf_profile_release(&p0);
		strbuf_release(&sb);
		pf_err_release(&e);
		free(path);
		free(cache);
		pf_rmtree(dir);
	});
	TEST("profiles: the data of each architecture, found by name", {
		char dir[] = "/tmp/pf-test-profiles-XXXXXX";
		char *text, *path, *want;
		struct pf_strlist arches = { NULL, 0, 0 };
		struct pf_profiles ps = { NULL, 0, 0, NULL };
		const struct pf_profile *pa, *pb, *pc;
		struct pf_err e = PF_ERR_INIT;
		unsigned char dg[32];
		char hex[65];

		if (!mkdtemp(dir))
			abort();
		text = pf_asprintf("arch: arm64\n%s", mini);
		put(dir, "mini.arm64.yaml", text);
		put(dir, "mini.amd64.yaml", "arch: amd64\npackages: {}\nlibraries: {}\n");
		put(dir, "odd.arm64.yaml", "arch: amd64\npackages: {}\nlibraries: {}\n");
		/* not NAME.ARCH.yaml: no profile */
		put(dir, "old.yaml", "arch: amd64\npackages: {}\nlibraries: {}\n");
		put(dir, "ubuntu-24.04.yaml", "arch: amd64\npackages: {}\nlibraries: {}\n");
		setenv("PKGFORGE_PROFILES", dir, 1);

		CHECK_STR(load_msg("mini", "arm64"), "ok mini arm64 mini.arm64.yaml");
		CHECK_STR(load_msg("mini", "amd64"), "ok mini amd64 mini.amd64.yaml");
		CHECK_STR(load_msg("mini", "riscv64"),
			  "profile 'mini' has no data for riscv64 (it has data for amd64, arm64)");
		CHECK_STR(load_msg("old", "amd64"), "unknown profile 'old' (known: mini, odd)");
		CHECK_STR(load_msg("ubuntu-24.04", "amd64"),
			  "unknown profile 'ubuntu-24.04' (known: mini, odd)");
		want = pf_asprintf("%s/odd.arm64.yaml: the data is for amd64, but the file name says arm64", dir);
		CHECK_STR(load_msg("odd", "arm64"), want);
		free(want);

		/* a path: to one file, whatever its name, or to NAME.ARCH.yaml */
		path = pf_asprintf("%s/mini.arm64.yaml", dir);
		CHECK_STR(load_msg(path, "arm64"), "ok mini arm64 mini.arm64.yaml");
		want = pf_asprintf("profile '%s' has no data for amd64 (it has data for arm64)", path);
		CHECK_STR(load_msg(path, "amd64"), want);
		free(want);
		CHECK_STR(load_msg(path, NULL), "ok mini arm64 mini.arm64.yaml");
		CHECK_INT(pf_profile_arches(path, &arches, &e), 0);
		CHECK_INT(arches.nr, 1);
		if (arches.nr == 1)
			CHECK_STR(arches.v[0], "arm64");
		pf_strlist_release(&arches);
		free(path);
		path = pf_asprintf("%s/old.yaml", dir);
		CHECK_STR(load_msg(path, "amd64"), "ok old amd64 old.yaml");
		free(path);
		path = pf_asprintf("%s/mini", dir);
		CHECK_STR(load_msg(path, "arm64"), "ok mini arm64 mini.arm64.yaml");
		CHECK_STR(load_msg(path, NULL), "ok mini amd64 mini.amd64.yaml");
		free(path);
		path = pf_asprintf("%s/nope", dir);
		want = pf_asprintf("unknown profile '%s' (no such file, nor %s.ARCH.yaml)", path, path);
		CHECK_STR(load_msg(path, "amd64"), want);
		free(want);
		free(path);

		CHECK_INT(pf_profile_arches("mini", &arches, &e), 0);
		CHECK_INT(arches.nr, 2);
		if (arches.nr == 2) {
			CHECK_STR(arches.v[0], "amd64");
			CHECK_STR(arches.v[1], "arm64");
		}
		pf_strlist_release(&arches);
		CHECK_INT(pf_profile_find("mini", NULL, &path, &e), 0);
		CHECK(path && pf_ends_with(path, "/mini.amd64.yaml"));
		free(path);

		/* loaded once per name and architecture; the digest is the file's */
		CHECK_INT(pf_profiles_get(&ps, "mini", "arm64", &pa, &e), 0);
		CHECK_INT(pf_profiles_get(&ps, "mini", "amd64", &pb, &e), 0);
		CHECK_INT(pf_profiles_get(&ps, "mini", "arm64", &pc, &e), 0);
		CHECK(pa == pc && pa != pb);
		CHECK_INT(ps.nr, 2);
		pf_digest_buf(PF_SHA256, text, strlen(text), dg);
		pf_hex(hex, dg, 32);
		CHECK_STR(pa->sha256, hex);
		CHECK(pf_profile_lib(pa, "libc.so.6") && !pf_profile_lib(pb, "libc.so.6"));
		CHECK_INT(pf_profiles_get(&ps, "mini", "s390x", &pc, &e), -1);
		CHECK_STR(e.msg.buf, "profile 'mini' has no data for s390x (it has data for amd64, arm64)");
		CHECK_INT(ps.nr, 2);
		pf_profiles_release(&ps);

		unsetenv("PKGFORGE_PROFILES");
		pf_err_release(&e);
		free(text);
		pf_rmtree(dir);
	});
	return unit_done();
}
