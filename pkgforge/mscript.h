/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_MSCRIPT_H
#define PF_MSCRIPT_H

#include "err.h"
#include "plan.h"

/*
 * Maintainer scripts, made from templates/<format>/<kind> for what a
 * manifest declares (today: alternatives links).  Script kinds:
 * deb and ipk "postinst", "prerm"; rpm "post", "postun".
 *
 * Returns 0 with *out the script text, or NULL when the package needs
 * none; -1 on a template error.
 */
int pf_mscript(const struct pf_pkgspec *s, const char *fmt, const char *kind,
	       char **out, struct pf_err *e);

#endif
