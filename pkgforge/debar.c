// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar.h"
#include "debar.h"
#include "mscript.h"
#include "pcache.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

int pf_debar_data_open(struct pf_debar_data *d, const char *dir, enum pf_comp comp,
		       int level, int threads, struct pf_err *e)
{
	d->fd = pf_tmpfile(dir, e);
	if (d->fd < 0)
		return -1;
	return pf_tarw_open_fd(&d->tar, d->fd, comp, level, threads, e);
}

int pf_debar_data_open_saved(struct pf_debar_data *d, const struct pf_pcache *pc,
			     const char *key, struct pf_err *e)
{
	if (pf_pcache_open_item(pc, key, "payload", &d->fd, &d->len, e) < 0) {
		d->fd = -1;
		return -1;
	}
	return 0;
}

int pf_debar_data_root(struct pf_debar_data *d, int64_t mtime, struct pf_err *e)
{
	if (d->root_done)
		return 0;
	if (pf_tarw_file(d->tar, ".", 0755, mtime, NULL, 0, e) < 0)
		return -1;
	d->root_done = true;
	return 0;
}

int pf_debar_data_close(struct pf_debar_data *d, bool root, int64_t mtime,
			struct pf_err *e)
{
	if (!d->tar)
		return 0;
	/* a package without files (a metapackage) still has "./" */
	if (root && pf_debar_data_root(d, mtime, e) < 0)
		return -1;
	return pf_tarw_close(d->tar, &d->len, e);
}

int pf_debar_data_save(const struct pf_debar_data *d, const struct pf_pcache *pc,
		       const char *key, struct pf_err *e)
{
	return pf_pcache_put_fd(pc, key, "payload", d->fd, 0, d->len, e);
}

void pf_debar_data_release(struct pf_debar_data *d)
{
	pf_tarw_free(d->tar);
	d->tar = NULL;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int pf_debar_scripts(struct pf_tarw *ct, const struct pf_pkgspec *spec, const char *fmt,
		     int64_t mtime, struct pf_err *e)
{
	static const char *const scripts[] = { "postinst", "prerm" };

	for (size_t i = 0; i < PF_ARRAY_SIZE(scripts); i++) {
		char *text;
		int r;

		if (pf_mscript(spec, fmt, scripts[i], &text, e) < 0)
			return -1;
		r = text ? pf_tarw_file(ct, scripts[i], 0755, mtime, text, strlen(text), e) : 0;
		free(text);
		if (r < 0)
			return -1;
	}
	return 0;
}

int pf_debar_write(struct pf_ofile *o, int64_t mtime, const char *ctl_name,
		   const struct strbuf *ctar, enum pf_comp comp,
		   const struct pf_debar_data *d, struct pf_err *e)
{
	char *member = pf_asprintf("data.tar%s", pf_comp_ext(comp));
	int ret = 0;

	if (pf_ar_begin(o, e) < 0 ||
	    pf_ar_member_buf(o, "debian-binary", mtime, "2.0\n", 4, e) < 0 ||
	    pf_ar_member_buf(o, ctl_name, mtime, ctar->buf, ctar->len, e) < 0 ||
	    pf_ar_member_fd(o, member, mtime, d->fd, d->len, e) < 0)
		ret = -1;
	free(member);
	return ret;
}
