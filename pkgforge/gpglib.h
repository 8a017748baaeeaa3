/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_GPGLIB_H
#define PF_GPGLIB_H

/*
 * gpgme, loaded when first needed (dynlib.h): only runs that sign or
 * check OpenPGP signatures use it.  Include this instead of gpgme.h, and
 * call pf_libgpgme_load() before its functions.  Used by sign.c.
 */
#include <gpgme.h>

#include "dynlib.h"
#include "err.h"

#define PF_GPGME_FNS(X) \
	X(gpgme_check_version_internal) \
	X(gpgme_ctx_set_engine_info) \
	X(gpgme_data_new) \
	X(gpgme_data_new_from_fd) \
	X(gpgme_data_new_from_mem) \
	X(gpgme_data_release) \
	X(gpgme_data_release_and_get_mem) \
	X(gpgme_engine_check_version) \
	X(gpgme_free) \
	X(gpgme_get_key) \
	X(gpgme_hash_algo_name) \
	X(gpgme_key_unref) \
	X(gpgme_new) \
	X(gpgme_op_createkey) \
	X(gpgme_op_export) \
	X(gpgme_op_genkey_result) \
	X(gpgme_op_import) \
	X(gpgme_op_import_result) \
	X(gpgme_op_sign) \
	X(gpgme_op_sign_result) \
	X(gpgme_op_verify) \
	X(gpgme_op_verify_result) \
	X(gpgme_release) \
	X(gpgme_set_armor) \
	X(gpgme_set_ctx_flag) \
	X(gpgme_set_offline) \
	X(gpgme_set_protocol) \
	X(gpgme_set_textmode) \
	X(gpgme_signers_add) \
	X(gpgme_signers_clear) \
	X(gpgme_strerror)

struct pf_gpgme_fns {
	PF_GPGME_FNS(PF_DYNFN_FIELD)
};

extern struct pf_gpgme_fns pf_gpgme;

/* 0, or -1 with e set ("cannot load libgpgme.so.11: ...") */
int pf_libgpgme_load(struct pf_err *e);

#ifndef PF_GPGLIB_H_TABLE
#define gpgme_check_version_internal (pf_gpgme.gpgme_check_version_internal)
#define gpgme_ctx_set_engine_info (pf_gpgme.gpgme_ctx_set_engine_info)
#define gpgme_data_new (pf_gpgme.gpgme_data_new)
#define gpgme_data_new_from_fd (pf_gpgme.gpgme_data_new_from_fd)
#define gpgme_data_new_from_mem (pf_gpgme.gpgme_data_new_from_mem)
#define gpgme_data_release (pf_gpgme.gpgme_data_release)
#define gpgme_data_release_and_get_mem (pf_gpgme.gpgme_data_release_and_get_mem)
#define gpgme_engine_check_version (pf_gpgme.gpgme_engine_check_version)
#define gpgme_free (pf_gpgme.gpgme_free)
#define gpgme_get_key (pf_gpgme.gpgme_get_key)
#define gpgme_hash_algo_name (pf_gpgme.gpgme_hash_algo_name)
#define gpgme_key_unref (pf_gpgme.gpgme_key_unref)
#define gpgme_new (pf_gpgme.gpgme_new)
#define gpgme_op_createkey (pf_gpgme.gpgme_op_createkey)
#define gpgme_op_export (pf_gpgme.gpgme_op_export)
#define gpgme_op_genkey_result (pf_gpgme.gpgme_op_genkey_result)
#define gpgme_op_import (pf_gpgme.gpgme_op_import)
#define gpgme_op_import_result (pf_gpgme.gpgme_op_import_result)
#define gpgme_op_sign (pf_gpgme.gpgme_op_sign)
#define gpgme_op_sign_result (pf_gpgme.gpgme_op_sign_result)
#define gpgme_op_verify (pf_gpgme.gpgme_op_verify)
#define gpgme_op_verify_result (pf_gpgme.gpgme_op_verify_result)
#define gpgme_release (pf_gpgme.gpgme_release)
#define gpgme_set_armor (pf_gpgme.gpgme_set_armor)
#define gpgme_set_ctx_flag (pf_gpgme.gpgme_set_ctx_flag)
#define gpgme_set_offline (pf_gpgme.gpgme_set_offline)
#define gpgme_set_protocol (pf_gpgme.gpgme_set_protocol)
#define gpgme_set_textmode (pf_gpgme.gpgme_set_textmode)
#define gpgme_signers_add (pf_gpgme.gpgme_signers_add)
#define gpgme_signers_clear (pf_gpgme.gpgme_signers_clear)
#define gpgme_strerror (pf_gpgme.gpgme_strerror)
#endif

#endif
