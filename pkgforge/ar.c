// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ar.h"
#include "util.h"
#include "banned.h"

int pf_ar_begin(struct pf_ofile *o, struct pf_err *e)
{
	return pf_ofile_write(o, "!<arch>\n", 8, e);
}

static int header(struct pf_ofile *o, const char *name, int64_t mtime,
		  uint64_t len, struct pf_err *e)
{
	char h[61];

	if (strlen(name) > 16 || len > 9999999999ULL)
		return pf_err_set(e, PF_EFAIL, "ar member %s is too large", name);
	snprintf(h, sizeof(h), "%-16s%-12" PRId64 "%-6d%-6d%-8o%-10" PRIu64 "`\n",
		 name, mtime, 0, 0, 0100644, len);
	return pf_ofile_write(o, h, 60, e);
}

int pf_ar_member_buf(struct pf_ofile *o, const char *name, int64_t mtime,
		     const void *buf, size_t len, struct pf_err *e)
{
	if (header(o, name, mtime, len, e) < 0 || pf_ofile_write(o, buf, len, e) < 0)
		return -1;
	if (len & 1)
		return pf_ofile_write(o, "\n", 1, e);
	return 0;
}

int pf_ar_member_fd(struct pf_ofile *o, const char *name, int64_t mtime,
		    int fd, uint64_t len, struct pf_err *e)
{
	if (header(o, name, mtime, len, e) < 0)
		return -1;
	if (pf_copy_range(fd, 0, o->fd, len) < 0)
		return pf_err_errno(e, "cannot write %s", o->path);
	if (len & 1)
		return pf_ofile_write(o, "\n", 1, e);
	return 0;
}
