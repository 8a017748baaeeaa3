/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_DYNLIB_H
#define PF_DYNLIB_H

#include <stddef.h>
#include "err.h"

/*
 * A library loaded when first needed (dlopen), not linked: what a
 * linked library and what it pulls in cost every command at start is
 * paid only by the runs that use it.  libarchive brings libxml2, ICU
 * and libstdc++ (some 3 ms of dynamic linking), and an index of
 * packages already known needs none of them.
 *
 * A library's functions are pointers in a table its header declares
 * (arlib.h; tests/unit/xmllib.h), under the functions' own names, so the code that
 * calls them reads as if it were linked; it calls the library's load
 * function first, at each of its entry points.
 *
 * The header lists the functions (an X-macro), declares the table's
 * struct with PF_DYNFN_FIELD, and maps each name to its slot.  Its .c
 * file defines PF_DYNLIB_TABLE as the table's name, then
 * PF_DYNLIB_DEFINE(type, list, soname, load): the table, the library and
 * load(e), 0 or -1 with e set; and, if it wants it, PF_DYNLIB_NEED(need):
 * need(), which stops the program with the loader's message when the
 * library cannot be loaded (for callers with no error to return).
 */
struct pf_dynlib {
	const char *soname;             /* "libarchive.so.13" */
	const char *const *names;       /* the functions, n of them */
	void **const *slots;            /* where each goes */
	size_t n;
	int state;                      /* 0 not tried, 1 loaded, -1 failed */
	char *why;                      /* when it failed */
};

/* Load it, once for the process (any thread); 0, or -1 with e set:
 * "cannot load libarchive.so.13: ...". */
int pf_dynlib_load(struct pf_dynlib *l, struct pf_err *e);
/* The same, or "pkgforge: fatal: cannot load ..." and exit status 1. */
void pf_dynlib_need(struct pf_dynlib *l);

#define PF_DYNFN_FIELD(f) __typeof__(&f) f;
#define PF_DYNFN_NAME(f) #f,
#define PF_DYNFN_SLOT(f) (void **)&PF_DYNLIB_TABLE.f,

#define PF_DYNLIB_DEFINE(type, list, soname, load)                                      \
	type PF_DYNLIB_TABLE;                                                             \
	static const char *const pf_dynlib_names[] = { list(PF_DYNFN_NAME) };             \
	static void **const pf_dynlib_slots[] = { list(PF_DYNFN_SLOT) };                   \
	static struct pf_dynlib pf_dynlib_lib = {                                        \
		soname, pf_dynlib_names, pf_dynlib_slots,                                \
		sizeof(pf_dynlib_names) / sizeof(pf_dynlib_names[0]), 0, NULL            \
	};                                                                                \
	int load(struct pf_err *e)                                                        \
	{                                                                                 \
		return pf_dynlib_load(&pf_dynlib_lib, e);                                 \
	}

#define PF_DYNLIB_NEED(need)                                                            \
	void need(void)                                                                   \
	{                                                                                 \
		pf_dynlib_need(&pf_dynlib_lib);                                           \
	}

#endif
