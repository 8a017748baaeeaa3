/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_DEBAR_H
#define PF_DEBAR_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "strbuf.h"

/*
 * What the .deb and .ipk writers share: both packages hold
 * debian-binary, a control tar and data.tar.<comp>, and in both the
 * control member (which needs Installed-Size) comes before data.tar, so
 * data.tar is compressed while the source streams in and spooled to an
 * anonymous file in the output directory.
 */
struct pf_pcache;
struct pf_tarw;

/* data.tar.<comp>: a spool being written, or a saved payload (starts
 * zeroed, with fd -1) */
struct pf_debar_data {
	int fd;                         /* -1 when there is none */
	uint64_t len;                   /* compressed bytes, once closed */
	struct pf_tarw *tar;            /* NULL when the payload was saved */
	bool root_done;                 /* "./" is written */
};

/* A spool in dir, compressed with comp at level (-1: its default). */
int pf_debar_data_open(struct pf_debar_data *d, const char *dir, enum pf_comp comp,
		       int level, int threads, struct pf_err *e);
/* The payload saved under key (pf_debar_data_save), instead of a spool. */
int pf_debar_data_open_saved(struct pf_debar_data *d, const struct pf_pcache *pc,
			     const char *key, struct pf_err *e);
/* Start data.tar with the "./" directory, time mtime, unless it has it. */
int pf_debar_data_root(struct pf_debar_data *d, int64_t mtime, struct pf_err *e);
/* Finish a spool (nothing for a saved payload): the compressed length is
 * then in d->len; with root, data.tar gets "./" first if it has no entry. */
int pf_debar_data_close(struct pf_debar_data *d, bool root, int64_t mtime,
			struct pf_err *e);
/* Save the closed payload as key's "payload" item. */
int pf_debar_data_save(const struct pf_debar_data *d, const struct pf_pcache *pc,
		       const char *key, struct pf_err *e);
void pf_debar_data_release(struct pf_debar_data *d);

/* Add the maintainer scripts ("postinst", "prerm") that pf_mscript() makes
 * for fmt ("deb", "ipk") to a control tar, mode 0755, time mtime. */
int pf_debar_scripts(struct pf_tarw *ct, const struct pf_pkgspec *spec, const char *fmt,
		     int64_t mtime, struct pf_err *e);

/*
 * The package as an ar archive (.deb, Yocto's .ipk): debian-binary, the
 * control tar as member ctl_name, then data.tar<ext of comp> from d,
 * every member dated mtime.
 */
int pf_debar_write(struct pf_ofile *o, int64_t mtime, const char *ctl_name,
		   const struct strbuf *ctar, enum pf_comp comp,
		   const struct pf_debar_data *d, struct pf_err *e);

#endif
