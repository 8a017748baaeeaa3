/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CMDUTIL_H
#define PF_CMDUTIL_H

#include <stdbool.h>
#include "err.h"
#include "manifest.h"
#include "plan.h"

/* Manifests named on the command line (files, or directories of *.yaml). */
struct pf_manifests {
	struct pf_manifest **v;
	size_t nr, alloc;
};

/*
 * Load and plan every manifest; all problems go to d.  Returns -1 when
 * any manifest is invalid (the plan then holds the valid ones).
 */
int pf_load_and_plan(int argc, char **argv, struct pf_manifests *ms,
		     struct pf_plan *plan, struct pf_diag *d);
void pf_manifests_release(struct pf_manifests *ms);

/* Package filters shared by plan and build. */
struct pf_filter {
	const char *only[16];   /* name globs (any) */
	size_t nr_only;
	const char *host[8];    /* hosts or architectures (any) */
	size_t nr_host;
	const char *version[16];
	size_t nr_version;
};

bool pf_filter_match(const struct pf_filter *f, const struct pf_pkgspec *s);
/* Add a filter value from an option; -1 if too many. */
int pf_filter_add(const char **arr, size_t *nr, size_t max, const char *v);

/* Parse "deb,rpm,ipk" into a list of format ids; -1 on an unknown name. */
int pf_parse_formats(const char *s, bool want[3], struct pf_err *e);

/* The local file for spec: --source paths (files, or directories holding
 * it under its upstream name) first, then a file:// URL; NULL if none. */
char *pf_find_source(const struct pf_pkgspec *s, char *const *paths, size_t npaths);
/* Open path and check it against spec's pinned sha256; *fd on success. */
int pf_source_verify(const char *path, const struct pf_pkgspec *s, int *fd,
		     struct pf_err *e);

#endif
