// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "mscript.h"
#include "templates.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

const char *pf_template_find(const char *name)
{
	for (const struct pf_template *t = pf_templates; t->name; t++)
		if (!strcmp(t->name, name))
			return t->text;
	return NULL;
}

int pf_template_fill(const char *name, const struct pf_tvars *vars, struct strbuf *out,
		     struct pf_err *e)
{
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_mstr t;
	int ret = 0;

	t.s = pf_template_find(name);
	t.loc.file = name;
	t.loc.line = t.loc.col = 0;
	if (!t.s)
		return pf_err_set(e, PF_EFAIL, "no template %s", name);
	if (pf_tmpl_expand(&t, vars, name, out, &d) < 0)
		ret = pf_err_set(e, PF_EFAIL, "%s", d.nr ? d.lines[0] : "template error");
	pf_diag_release(&d);
	return ret;
}

int pf_mscript(const struct pf_pkgspec *s, const char *fmt, const char *kind,
	       char **out, struct pf_err *e)
{
	struct strbuf inst = STRBUF_INIT, rem = STRBUF_INIT, text = STRBUF_INIT;
	struct pf_tvars vars = { NULL, 0, 0 };
	char *name = pf_asprintf("%s/%s", fmt, kind), *full;
	/* Debian and opkg call it update-alternatives; Fedora and SUSE
	 * provide the same command under that name too */
	const char *cmd = "update-alternatives";
	int ret = -1;

	*out = NULL;
	if (!s->nr_alts) {
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < s->nr_alts; i++) {
		const struct pf_alt *a = &s->alts[i];
		strbuf_addf(&inst, "\t%s --install %s %s %s %ld\n", cmd, a->link, a->name,
			    a->path, a->priority);
		strbuf_addf(&rem, "\t%s --remove %s %s\n", cmd, a->name, a->path);
	}
	strbuf_rtrim(&inst);
	strbuf_rtrim(&rem);
	full = pf_pkgspec_fullversion(s);
	pf_tvars_set(&vars, "package", s->name);
	pf_tvars_set(&vars, "fullversion", full);
	pf_tvars_set(&vars, "alternatives_install", inst.buf);
	pf_tvars_set(&vars, "alternatives_remove", rem.buf);
	free(full);
	if (pf_template_fill(name, &vars, &text, e) < 0)
		goto out;
	*out = strbuf_detach(&text, NULL);
	ret = 0;
out:
	pf_tvars_release(&vars);
	strbuf_release(&inst);
	strbuf_release(&rem);
	strbuf_release(&text);
	free(name);
	return ret;
}
