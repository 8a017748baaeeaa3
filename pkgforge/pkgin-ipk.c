// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading an .ipk back: both forms pkgforge writes and opkg reads, an ar
 * archive (Yocto's opkg-build) and a gzip'd tar (OpenWrt's ipkg-build),
 * with the .deb reader's member logic (pkgin-deb.c).
 */
#include "pkgin.h"
#include "banned.h"

int pf_pkgin_ipk(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e)
{
	return pf_pkgin_members(path, buf, len, "an opkg package", info, e);
}
