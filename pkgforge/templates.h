/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_TEMPLATES_H
#define PF_TEMPLATES_H

#include "err.h"
#include "strbuf.h"

struct pf_tvars;

/*
 * The files of templates/, compiled into pkgforge (the Makefile
 * generates the table with scripts/embed-templates) so that the tool
 * does not depend on where it is installed.  They use the manifest
 * template syntax: ${name}, and $$ for a dollar sign.
 */
struct pf_template {
	const char *name;       /* "deb/postinst" */
	const char *text;
};

extern const struct pf_template pf_templates[];

/* The template called name, or NULL. */
const char *pf_template_find(const char *name);
/* Expand the template called name with vars, appending to out; a missing
 * template or variable is an error (PF_EFAIL). */
int pf_template_fill(const char *name, const struct pf_tvars *vars, struct strbuf *out,
		     struct pf_err *e);

#endif
