/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_AR_H
#define PF_AR_H

#include <stdint.h>
#include "err.h"
#include "ofile.h"

/*
 * The ar(1) container of .deb and Yocto .ipk files: "!<arch>\n", then
 * members with 60-byte headers (uid/gid 0, mode 100644, mtime given),
 * each padded to an even length.
 */
int pf_ar_begin(struct pf_ofile *o, struct pf_err *e);
int pf_ar_member_buf(struct pf_ofile *o, const char *name, int64_t mtime,
		     const void *buf, size_t len, struct pf_err *e);
/* A member whose content is len bytes of fd from offset 0. */
int pf_ar_member_fd(struct pf_ofile *o, const char *name, int64_t mtime,
		    int fd, uint64_t len, struct pf_err *e);

#endif
