// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .ipk: naming rules (opkg's, which follow Debian's).  The writer is not
 * part of this build yet: open is NULL and `pkgforge build --format ipk`
 * says so.
 */
#include <stdlib.h>
#include <string.h>

#include "pkgfmt.h"
#include "util.h"
#include "banned.h"

static const char *ipk_arch(const struct pf_pkgspec *s)
{
	return s->arch->ipk;
}

static char *ipk_filename(const struct pf_pkgspec *s)
{
	return pf_asprintf("%s_%s-%s_%s.ipk", s->name, s->version, s->release, s->arch->ipk);
}

static void ipk_check(const struct pf_pkgspec *s, struct pf_diag *d)
{
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &s->rel[k][PF_FMT_IPK];
		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf why = STRBUF_INIT;
			if (pf_debrel_check(l->v[i].text, true, &why) < 0)
				pf_diag_error(d, &l->v[i].loc, "invalid opkg relation '%s' in '%s': %s",
					      l->v[i].text, pf_rel_key[k], why.buf);
			strbuf_release(&why);
		}
	}
}

const struct pf_pkgfmt pf_pkgfmt_ipk = {
	.name = "ipk",
	.id = PF_FMT_IPK,
	.check = ipk_check,
	.filename = ipk_filename,
	.arch = ipk_arch,
};
