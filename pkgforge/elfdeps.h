/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_ELFDEPS_H
#define PF_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"
#include "plan.h"

/*
 * What an ELF file says about the libraries it needs and provides, read
 * with libelf (this is the only file that uses it).  Plain facts: turning
 * them into package relations is depgen.c's job.
 */

/* A version of a library the file needs (SHT_GNU_verneed). */
struct pf_elfneed {
	char *file;             /* "libc.so.6" */
	char *version;          /* "GLIBC_2.34" */
};

/* A version the file defines (SHT_GNU_verdef), in file order. */
struct pf_elfdef {
	char *name;             /* its first name ("LLVM_18", or the soname) */
	bool base;              /* VER_FLG_BASE: the file's own name */
};

/* A dynamic symbol the file takes from a library: undefined, or defined
 * through a copy relocation (which dpkg-shlibdeps counts as undefined). */
struct pf_elfsym {
	char *name;
	char *version;          /* NULL when unversioned ("Base") */
	const char *file;       /* library its version is needed from, or NULL */
	bool weak;
};

struct pf_elfinfo {
	int elfclass;           /* ELFCLASS32, ELFCLASS64 */
	unsigned machine;       /* EM_X86_64, ... */
	unsigned type;          /* ET_EXEC, ET_DYN, ET_REL, ... */
	char *interp;           /* PT_INTERP, or NULL */
	char *soname;           /* DT_SONAME, or NULL */
	struct pf_strlist needed;       /* DT_NEEDED, in order */
	struct pf_strlist rpath;        /* DT_RPATH entries (split at ':') */
	struct pf_strlist runpath;      /* DT_RUNPATH entries */
	bool has_hash, has_gnu_hash, has_debug; /* DT_HASH, DT_GNU_HASH, DT_DEBUG */
	struct pf_elfneed *verneed;
	size_t nr_verneed, alloc_verneed;
	struct pf_elfdef *verdef;
	size_t nr_verdef, alloc_verdef;
	struct pf_elfsym *syms;
	size_t nr_syms, alloc_syms;
};

/* True if buf (len bytes, len >= 4) starts with the ELF magic. */
bool pf_elf_magic(const void *buf, size_t len);

/*
 * Read the facts of the ELF file in buf.  A file that starts with the
 * ELF magic but is truncated or corrupt is an error (code PF_EINVAL)
 * whose message says what is wrong, without the file's name (the caller
 * adds it).  Relocatable objects, core files and other types are read
 * for class, machine and type only.
 */
int pf_elf_scan(const void *buf, size_t len, struct pf_elfinfo *info, struct pf_err *e);
void pf_elfinfo_release(struct pf_elfinfo *info);

/*
 * The ELF header of a file from its first bytes, before the rest has
 * streamed in: class, machine, type and whether it has an interpreter
 * (when the program headers lie within buf).  Returns 1 when everything
 * was found, 0 when buf is too short to tell, -1 when it is not an ELF
 * header at all.
 */
struct pf_elfpeek {
	int elfclass;
	unsigned machine;
	unsigned type;
	bool interp;
};
int pf_elf_peek(const void *buf, size_t len, struct pf_elfpeek *out);

/* "x86-64", "AArch64", ... or "machine 1234". */
const char *pf_elf_machine_name(unsigned machine, char buf[32]);

#endif
