// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of package readers (see pkgin.h). */
#include <stdlib.h>
#include <string.h>

#include "pkgin.h"
#include "util.h"
#include "banned.h"

static const struct {
	const char *suffix;
	enum pf_fmt_id fmt;
	int (*read)(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		    struct pf_err *e);
} readers[] = {
	{ ".deb", PF_FMT_DEB, pf_pkgin_deb },
	{ ".rpm", PF_FMT_RPM, pf_pkgin_rpm },
	{ ".ipk", PF_FMT_IPK, pf_pkgin_ipk },
};

bool pf_pkgin_known(const char *path)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(readers); i++)
		if (pf_ends_with(path, readers[i].suffix))
			return true;
	return false;
}

const char *pf_pkgin_formats(void)
{
	return "deb, rpm, ipk";
}

int pf_pkginfo_read(const char *path, struct pf_pkginfo *info, struct pf_err *e)
{
	return pf_pkginfo_read_mem(path, NULL, 0, info, e);
}

int pf_pkginfo_read_mem(const char *path, const void *buf, size_t len,
			struct pf_pkginfo *info, struct pf_err *e)
{
	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < PF_ARRAY_SIZE(readers); i++) {
		if (!pf_ends_with(path, readers[i].suffix))
			continue;
		info->path = pf_strdup(path);
		info->fmt = readers[i].fmt;
		if (readers[i].read(path, buf, len, info, e) < 0) {
			pf_pkginfo_release(info);
			return -1;
		}
		return 0;
	}
	return pf_err_set(e, PF_EINVAL, "%s: not a package pkgforge can read (%s)",
			  path, pf_pkgin_formats());
}

void pf_pkginfo_release(struct pf_pkginfo *info)
{
	free(info->path);
	free(info->name);
	free(info->version);
	free(info->arch);
	for (int k = 0; k < PF_REL_NR; k++)
		pf_strlist_release(&info->rel[k]);
	pf_strlist_release(&info->files);
	free(info->control);
	pf_rpmmeta_free(info->rpm);
	memset(info, 0, sizeof(*info));
}
