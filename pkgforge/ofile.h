/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_OFILE_H
#define PF_OFILE_H

#include <stdbool.h>
#include "err.h"

/*
 * Atomic output: the content goes to a temporary file in the target's
 * directory; commit() makes it durable and renames it into place, abort()
 * (or a signal, or a failure) removes it.  Nobody ever sees half a file.
 */
struct pf_ofile {
	char *path;
	char *tmp;
	int fd;
};

#define PF_OFILE_INIT { NULL, NULL, -1 }

int pf_ofile_open(struct pf_ofile *o, const char *path, struct pf_err *e);
/*
 * The same, the temporary file a hard link to source (of the same file
 * system): the content is source's, nothing is written, and sync makes
 * source's inode durable.  -1 with errno set (e too) when no link can
 * be made there; the caller may then write the content instead.
 */
int pf_ofile_open_link(struct pf_ofile *o, const char *path, const char *source,
		       struct pf_err *e);
int pf_ofile_write(struct pf_ofile *o, const void *buf, size_t len, struct pf_err *e);
/* The n buffers of iov, in order (as many calls to writev as it takes). */
struct iovec;
int pf_ofile_writev(struct pf_ofile *o, struct iovec *iov, size_t n, struct pf_err *e);
/* Mode 0644 (or mode), fsync, rename over path, fsync the directory. */
int pf_ofile_commit(struct pf_ofile *o, unsigned mode, struct pf_err *e);
/*
 * The two halves of commit, for files that must appear together: sync
 * makes the content durable (the temporary file stays, removed by abort
 * or a signal), rename puts it in place.  Renaming a set of synced
 * files one after the other keeps the moment they disagree as short as
 * it can be.
 */
int pf_ofile_sync(struct pf_ofile *o, unsigned mode, struct pf_err *e);
/* Start writing o's content back (before pf_ofile_sync of several). */
void pf_ofile_start_sync(struct pf_ofile *o);
int pf_ofile_rename(struct pf_ofile *o, struct pf_err *e);
/* Make the renames in path's directory durable (after pf_ofile_rename). */
void pf_fsync_dir_of(const char *path);
void pf_ofile_abort(struct pf_ofile *o);

/* Is name (without a directory) that of a temporary file pf_ofile_open
 * makes, ".NAME.tmp.XXXXXX"?  For removing what a killed run left. */
bool pf_ofile_is_temp(const char *name);

/* Write a whole file atomically. */
int pf_ofile_put(const char *path, const void *buf, size_t len, struct pf_err *e);
/*
 * The same without fsync: still all or nothing for readers, but after a
 * power failure the file may be the old one, or empty.  For caches that
 * check what they read (the index cache), where the fsync of megabytes
 * would cost more than a lost cache.
 */
int pf_ofile_put_nosync(const char *path, const void *buf, size_t len, struct pf_err *e);
/* The same from n buffers, in order. */
int pf_ofile_putv_nosync(const char *path, struct iovec *iov, size_t n, struct pf_err *e);

/*
 * An anonymous temporary file in dir (O_TMPFILE, or created and unlinked
 * at once): spools vanish with the process whatever happens.
 */
int pf_tmpfile(const char *dir, struct pf_err *e);

/* Remove temporary files on SIGINT, SIGTERM and SIGHUP, then die of it. */
void pf_ofile_install_signal_cleanup(void);

#endif
