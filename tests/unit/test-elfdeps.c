// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF scanning of broken headers, and profile loading: exact messages. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfdeps.h"
#include "profile.h"
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
			"arch: amd64\n"
			"packages: {libc6: '2.36-9', zlib1g: '1:1.2.13.dfsg-1'}\n"
			"libraries:\n"
			"  libc.so.6:\n"
			"    package: libc6\n"
			"    depends: ['libc6 #MINVER#', 'libc6 (>> 2.36), libc6 (<< 2.37)']\n"
			"    versions: {GLIBC_2.2.5: '2.2.5', GLIBC_2.34: '2.34', GLIBC_PRIVATE: '0 1'}\n"
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

		CHECK_INT(pf_profile_load(&p, good, &e), 0);
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

		CHECK_INT(pf_profile_load(&p, bad, &e), -1);
		{
			char *want = malloc(strlen(bad) + 100);
			strcpy(want, bad);
			strcat(want, ": library 'libz.so.1' comes with zlib1g, which 'packages' does not list");
			CHECK_STR(e.msg.buf, want);
			free(want);
		}
		CHECK_INT(pf_profile_load(&p, "debian-99", &e), -1);
		unlink(good);
		unlink(bad);
		free(good);
		free(bad);
		pf_err_release(&e);
	});
	return unit_done();
}
