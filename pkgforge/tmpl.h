/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_TMPL_H
#define PF_TMPL_H

#include "err.h"
#include "manifest.h"
#include "strbuf.h"

/*
 * Template variables: "${name}" is replaced by the variable's value,
 * "$$" by a single '$'.  Any other '$', an unterminated "${" or an
 * undefined name is an error at the template's position.
 */
struct pf_tvar {
	char *name;
	char *value;
};

struct pf_tvars {
	struct pf_tvar *v;
	size_t nr, alloc;
};

void pf_tvars_set(struct pf_tvars *vars, const char *name, const char *value);
const char *pf_tvars_get(const struct pf_tvars *vars, const char *name);
void pf_tvars_release(struct pf_tvars *vars);

/* Expand t into out (appending); what names the value in messages. */
int pf_tmpl_expand(const struct pf_mstr *t, const struct pf_tvars *vars,
		   const char *what, struct strbuf *out, struct pf_diag *d);
/* The same, returning a new string, or NULL on error. */
char *pf_tmpl_expand_str(const struct pf_mstr *t, const struct pf_tvars *vars,
			 const char *what, struct pf_diag *d);

#endif
