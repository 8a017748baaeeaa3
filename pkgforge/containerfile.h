/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_CONTAINERFILE_H
#define PF_CONTAINERFILE_H

#include <stddef.h>
#include "err.h"
#include "strbuf.h"

/*
 * A Containerfile (Dockerfile syntax, no BuildKit extensions) that trusts
 * a feed's signing key, adds the feed and installs packages from it, made
 * from templates/containerfile/.  The base image chooses the family:
 * debian:N and ubuntu:N take the apt feed (a deb822 .sources with
 * Signed-By), fedora:N the rpm-md feed (a .repo with gpgcheck and
 * repo_gpgcheck).  Every value is checked so that it can go into the
 * shell's single quotes and into Containerfile instructions as it is.
 */
struct pf_cfile_opts {
	const char *base;               /* "debian:12", "fedora:41" */
	const char *repo_url;           /* the feed: apt's dists/ or dnf's repodata/ */
	const char *suite, *component;  /* apt; default "stable", "main" */
	/*
	 * The feed's public key: an http(s) URL the build fetches (ADD), or
	 * a local armored key file, written into the Containerfile (trust
	 * fixed when it is made).  NULL: <repo_url>/keys/korg-archive-keyring.asc.
	 */
	const char *key;
	char *const *packages;          /* "name" or "name=version" */
	size_t npackages;
};

/* The Containerfile into out; -1 with e (PF_EINVAL for bad values). */
int pf_containerfile(const struct pf_cfile_opts *o, struct strbuf *out, struct pf_err *e);

/* The key a feed publishes, relative to its URL (the default of key). */
#define PF_CFILE_FEED_KEY "keys/korg-archive-keyring.asc"

#endif
