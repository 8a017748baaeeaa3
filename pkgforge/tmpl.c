// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"
#include "util.h"
#include "banned.h"

void pf_tvars_set(struct pf_tvars *vars, const char *name, const char *value)
{
	for (size_t i = 0; i < vars->nr; i++) {
		if (!strcmp(vars->v[i].name, name)) {
			free(vars->v[i].value);
			vars->v[i].value = pf_strdup(value);
			return;
		}
	}
	PF_ALLOC_GROW(vars->v, vars->nr + 1, vars->alloc);
	vars->v[vars->nr].name = pf_strdup(name);
	vars->v[vars->nr].value = pf_strdup(value);
	vars->nr++;
}

const char *pf_tvars_get(const struct pf_tvars *vars, const char *name)
{
	for (size_t i = 0; i < vars->nr; i++)
		if (!strcmp(vars->v[i].name, name))
			return vars->v[i].value;
	return NULL;
}

void pf_tvars_release(struct pf_tvars *vars)
{
	for (size_t i = 0; i < vars->nr; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars->v);
	memset(vars, 0, sizeof(*vars));
}

int pf_tmpl_expand(const struct pf_mstr *t, const struct pf_tvars *vars,
		   const char *what, struct strbuf *out, struct pf_diag *d)
{
	const char *p = t->s;
	int ret = 0;

	while (*p) {
		const char *dollar = strchr(p, '$');
		const char *end;

		if (!dollar) {
			strbuf_addstr(out, p);
			break;
		}
		strbuf_add(out, p, dollar - p);
		if (dollar[1] == '$') {
			strbuf_addch(out, '$');
			p = dollar + 2;
			continue;
		}
		if (dollar[1] != '{') {
			pf_diag_error(d, &t->loc,
				      "stray '$' in '%s' (write ${name} for a variable, $$ for a dollar sign)",
				      what);
			ret = -1;
			p = dollar + 1;
			continue;
		}
		end = strchr(dollar + 2, '}');
		if (!end) {
			pf_diag_error(d, &t->loc, "unterminated '${' in '%s'", what);
			return -1;
		} else {
			char *name = pf_strndup(dollar + 2, end - dollar - 2);
			const char *val = pf_tvars_get(vars, name);

			if (!val) {
				pf_diag_error(d, &t->loc, "undefined variable '${%s}' in '%s'",
					      name, what);
				ret = -1;
			} else {
				strbuf_addstr(out, val);
			}
			free(name);
		}
		p = end + 1;
	}
	return ret;
}

char *pf_tmpl_expand_str(const struct pf_mstr *t, const struct pf_tvars *vars,
			 const char *what, struct pf_diag *d)
{
	struct strbuf sb = STRBUF_INIT;

	if (pf_tmpl_expand(t, vars, what, &sb, d) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}
