/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_KEYRING_H
#define PF_KEYRING_H

#include <stdint.h>
#include "err.h"
#include "manifest.h"
#include "strbuf.h"

/*
 * The keyring package of a repository (korg-archive-keyring): its
 * public keys where each package manager looks for them,
 *
 *   deb  /usr/share/keyrings/<keyfile>.gpg     (apt's Signed-By)
 *   rpm  /etc/pki/rpm-gpg/RPM-GPG-KEY-<origin> (rpm --import, gpgkey=)
 *   ipk  /etc/opkg/keys/<usign fingerprint>    (OpenWrt's opkg)
 *
 * built like any package: a manifest from templates/keyring/ and a
 * tarball of the keys, both written to workdir, through the one pass of
 * convert.c, architecture "all".  Its version is the date the OpenPGP
 * key was made and a digest of every key it holds, so new keys give a
 * newer package, and the same keys the same bytes.
 */
struct pf_keyring {
	const char *name;               /* the package name */
	const char *origin;
	const char *keyfile;            /* "<origin>-archive-keyring" */
	const char *maintainer;         /* "Name <address>" */
	int64_t created;                /* of the OpenPGP key */
	const struct strbuf *asc, *bin; /* the OpenPGP public key */
	const struct strbuf *usign_pub; /* empty: no usign key */
	const char *usign_fp;
	const char *workdir;
	const char *outdir;
};

char *pf_keyring_version(const struct pf_keyring *k);
/* Build it in format fmt into outdir; *path receives the file. */
int pf_keyring_build(const struct pf_keyring *k, enum pf_fmt_id fmt, char **path,
		     struct pf_err *e);

#endif
