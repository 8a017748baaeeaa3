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

#endif
