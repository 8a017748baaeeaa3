/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_ERR_H
#define PF_ERR_H

#include <stdio.h>
#include "strbuf.h"

/* Exit codes, also the error classes a library error carries. */
enum {
	PF_OK = 0,
	PF_EFAIL = 1,    /* the operation failed: I/O, a tool, a network */
	PF_EINVAL = 2,   /* the input is invalid: usage, manifest, tarball */
};

/* Where a value came from: a file and, for parsed text, line and column. */
struct pf_loc {
	const char *file;   /* not owned */
	int line;           /* 1-based; 0 when unknown */
	int col;            /* 1-based; 0 when unknown */
};

/*
 * The one error idiom: library functions return 0 or -1 and fill a
 * caller-owned pf_err.  Context is added on the way up with
 * pf_err_prefix(); only main.c and cmd-*.c print.
 */
struct pf_err {
	int code;               /* PF_EFAIL or PF_EINVAL */
	int errnum;             /* errno when the cause was a system call */
	struct strbuf loc;      /* "file:line:col" or "file", may be empty */
	struct strbuf msg;
};

#define PF_ERR_INIT { 0, 0, STRBUF_INIT, STRBUF_INIT }

void pf_err_release(struct pf_err *e);
/* Set the error (replacing any earlier one); always returns -1. */
int pf_err_set(struct pf_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As pf_err_set, appending ": strerror(errno)". */
int pf_err_errno(struct pf_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As pf_err_set, with a location. */
int pf_err_at(struct pf_err *e, int code, const struct pf_loc *loc,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Put "context: " in front of the message; returns -1. */
int pf_err_prefix(struct pf_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "loc: error: msg" (or "pkgforge: error: msg") on fp. */
void pf_err_print(const struct pf_err *e, FILE *fp);

void pf_loc_format(const struct pf_loc *loc, struct strbuf *out);

/*
 * A list of diagnostics for checks that report every problem they find
 * (manifest validation), printed compiler-style.
 */
struct pf_diag {
	char **lines;
	size_t nr, alloc;
	int errors, warnings;   /* distinct lines printed */
	int raised;             /* every error reported, repeats included:
				 * compare it to know whether a step failed */
};

#define PF_DIAG_INIT { NULL, 0, 0, 0, 0, 0 }

void pf_diag_release(struct pf_diag *d);
void pf_diag_error(struct pf_diag *d, const struct pf_loc *loc,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pf_diag_warning(struct pf_diag *d, const struct pf_loc *loc,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pf_diag_print(const struct pf_diag *d, FILE *fp);

#endif
