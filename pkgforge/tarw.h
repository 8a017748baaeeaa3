/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_TARW_H
#define PF_TARW_H

#include <stdint.h>
#include "err.h"
#include "pkgfmt.h"
#include "strbuf.h"

/*
 * Writing compressed tar streams with libarchive (GNU format: long names
 * and large files), for data.tar and control.tar of .deb and .ipk.
 * Entries are named "./path" ("./dir/" for directories) and owned
 * root:root; compression is set up to give the same bytes on every
 * machine (no gzip timestamp, xz/zstd in their multi-threaded framing
 * whatever the thread count).
 */
struct pf_tarw;
struct pf_digest;

/* Write to fd (at its current position). */
int pf_tarw_open_fd(struct pf_tarw **t, int fd, enum pf_comp comp, int level,
		    int threads, struct pf_err *e);
/*
 * A bare compressed byte stream, no archive format: for payloads whose
 * layout a format writes itself (the cpio of an .rpm).  Bytes go in with
 * pf_tarw_data(); when out_digest is not NULL, every compressed byte
 * written to fd is also fed to it.
 */
int pf_tarw_open_stream(struct pf_tarw **t, int fd, enum pf_comp comp, int level,
			int threads, struct pf_digest *out_digest, struct pf_err *e);
/* Write to memory (small archives). */
int pf_tarw_open_mem(struct pf_tarw **t, struct strbuf *out, enum pf_comp comp,
		     int level, struct pf_err *e);
/* The header of a package entry (prefixed "./"). */
int pf_tarw_entry(struct pf_tarw *t, const struct pf_entry *ent, struct pf_err *e);
int pf_tarw_data(struct pf_tarw *t, const void *buf, size_t len, struct pf_err *e);
/* A whole small file, or the "./" directory when name is "." */
int pf_tarw_file(struct pf_tarw *t, const char *name, unsigned mode, int64_t mtime,
		 const void *buf, size_t len, struct pf_err *e);
/* A file whose content is len bytes of fd from offset 0 (a spool). */
int pf_tarw_file_fd(struct pf_tarw *t, const char *name, unsigned mode, int64_t mtime,
		    int fd, uint64_t len, struct pf_err *e);
/* Flush and finish; the compressed size is returned in *bytes. */
int pf_tarw_close(struct pf_tarw *t, uint64_t *bytes, struct pf_err *e);
/* The size of the tar stream before compression (whole after close). */
uint64_t pf_tarw_tar_bytes(struct pf_tarw *t);
void pf_tarw_free(struct pf_tarw *t);

/*
 * Compress a buffer into out (appending): a bare gzip, xz or zstd stream
 * of the same bytes on every machine, for repository indexes
 * (Packages.xz, primary.xml.zst): gzip and zstd single-threaded (they
 * start fastest on a few megabytes), xz in 256 KiB blocks shared by
 * threads (liblzma's own encoder: libarchive cannot set the blocks).
 */
int pf_compress(const void *buf, size_t len, enum pf_comp comp, int level, int threads,
		struct strbuf *out, struct pf_err *e);

/* Default level of an algorithm (xz 6, gzip 9, zstd 19). */
int pf_comp_default_level(enum pf_comp c);
/* Levels the algorithm takes: xz 0-9, gzip 1-9, zstd 1-22 (none: -1). */
void pf_comp_level_range(enum pf_comp c, int *lo, int *hi);

#endif
