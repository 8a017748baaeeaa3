/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_ARLIB_H
#define PF_ARLIB_H

/*
 * libarchive, loaded when first needed (dynlib.h): include this instead
 * of its headers, and call pf_libarchive_load() before its functions.
 * Used by pkgin-deb.c (reading .deb), source.c (reading tarballs) and
 * tarw.c (writing them).
 */
#include <archive.h>
#include <archive_entry.h>

#include "dynlib.h"
#include "err.h"

#define PF_ARCHIVE_FNS(X) \
	X(archive_entry_clear) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_mode) \
	X(archive_entry_mtime) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_gname) \
	X(archive_entry_set_hardlink) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) \
	X(archive_entry_set_uname) \
	X(archive_entry_size) \
	X(archive_entry_symlink) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_filter_name) \
	X(archive_read_data) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_open_filename) \
	X(archive_read_open_memory) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_filter_bzip2) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_lzma) \
	X(archive_read_support_filter_xz) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_ar) \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_set_error) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_bytes_per_block) \
	X(archive_write_set_format_gnutar)

struct pf_archive_fns {
	PF_ARCHIVE_FNS(PF_DYNFN_FIELD)
};

extern struct pf_archive_fns pf_archive;

/* 0, or -1 with e set ("cannot load libarchive.so.13: ...") */
int pf_libarchive_load(struct pf_err *e);

#ifndef PF_ARLIB_H_TABLE
#define archive_entry_clear (pf_archive.archive_entry_clear)
#define archive_entry_filetype (pf_archive.archive_entry_filetype)
#define archive_entry_free (pf_archive.archive_entry_free)
#define archive_entry_hardlink (pf_archive.archive_entry_hardlink)
#define archive_entry_mode (pf_archive.archive_entry_mode)
#define archive_entry_mtime (pf_archive.archive_entry_mtime)
#define archive_entry_new (pf_archive.archive_entry_new)
#define archive_entry_pathname (pf_archive.archive_entry_pathname)
#define archive_entry_set_filetype (pf_archive.archive_entry_set_filetype)
#define archive_entry_set_gid (pf_archive.archive_entry_set_gid)
#define archive_entry_set_gname (pf_archive.archive_entry_set_gname)
#define archive_entry_set_hardlink (pf_archive.archive_entry_set_hardlink)
#define archive_entry_set_mtime (pf_archive.archive_entry_set_mtime)
#define archive_entry_set_pathname (pf_archive.archive_entry_set_pathname)
#define archive_entry_set_perm (pf_archive.archive_entry_set_perm)
#define archive_entry_set_size (pf_archive.archive_entry_set_size)
#define archive_entry_set_symlink (pf_archive.archive_entry_set_symlink)
#define archive_entry_set_uid (pf_archive.archive_entry_set_uid)
#define archive_entry_set_uname (pf_archive.archive_entry_set_uname)
#define archive_entry_size (pf_archive.archive_entry_size)
#define archive_entry_symlink (pf_archive.archive_entry_symlink)
#define archive_errno (pf_archive.archive_errno)
#define archive_error_string (pf_archive.archive_error_string)
#define archive_filter_name (pf_archive.archive_filter_name)
#define archive_read_data (pf_archive.archive_read_data)
#define archive_read_data_block (pf_archive.archive_read_data_block)
#define archive_read_free (pf_archive.archive_read_free)
#define archive_read_new (pf_archive.archive_read_new)
#define archive_read_next_header (pf_archive.archive_read_next_header)
#define archive_read_open (pf_archive.archive_read_open)
#define archive_read_open_filename (pf_archive.archive_read_open_filename)
#define archive_read_open_memory (pf_archive.archive_read_open_memory)
#define archive_read_support_filter_all (pf_archive.archive_read_support_filter_all)
#define archive_read_support_filter_bzip2 (pf_archive.archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (pf_archive.archive_read_support_filter_gzip)
#define archive_read_support_filter_lzma (pf_archive.archive_read_support_filter_lzma)
#define archive_read_support_filter_xz (pf_archive.archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (pf_archive.archive_read_support_filter_zstd)
#define archive_read_support_format_ar (pf_archive.archive_read_support_format_ar)
#define archive_read_support_format_gnutar (pf_archive.archive_read_support_format_gnutar)
#define archive_read_support_format_raw (pf_archive.archive_read_support_format_raw)
#define archive_read_support_format_tar (pf_archive.archive_read_support_format_tar)
#define archive_set_error (pf_archive.archive_set_error)
#define archive_write_close (pf_archive.archive_write_close)
#define archive_write_data (pf_archive.archive_write_data)
#define archive_write_free (pf_archive.archive_write_free)
#define archive_write_header (pf_archive.archive_write_header)
#define archive_write_new (pf_archive.archive_write_new)
#define archive_write_open (pf_archive.archive_write_open)
#define archive_write_set_bytes_in_last_block (pf_archive.archive_write_set_bytes_in_last_block)
#define archive_write_set_bytes_per_block (pf_archive.archive_write_set_bytes_per_block)
#define archive_write_set_format_gnutar (pf_archive.archive_write_set_format_gnutar)
#endif

#endif
