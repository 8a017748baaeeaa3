/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_YAMLLIB_H
#define PF_YAMLLIB_H

/*
 * libfyaml, loaded when first needed (dynlib.h): an index whose profile
 * data is cached parses no YAML.  Include this instead of libfyaml.h, and
 * call pf_libfyaml_load() before its functions.  Used by yaml.c.
 */
#include <libfyaml.h>

#include "dynlib.h"
#include "err.h"

#define PF_FYAML_FNS(X) \
	X(fy_diag_cfg_default) \
	X(fy_diag_create) \
	X(fy_diag_errors_iterate) \
	X(fy_diag_set_collect_errors) \
	X(fy_diag_unref) \
	X(fy_event_start_mark) \
	X(fy_parser_create) \
	X(fy_parser_destroy) \
	X(fy_parser_event_free) \
	X(fy_parser_get_diag) \
	X(fy_parser_get_stream_error) \
	X(fy_parser_parse) \
	X(fy_parser_set_input_file) \
	X(fy_parser_set_string) \
	X(fy_token_get_text) \
	X(fy_token_scalar_style)

struct pf_fyaml_fns {
	PF_FYAML_FNS(PF_DYNFN_FIELD)
};

extern struct pf_fyaml_fns pf_fyaml;

/* 0, or -1 with e set ("cannot load libfyaml.so.0: ...") */
int pf_libfyaml_load(struct pf_err *e);

#ifndef PF_YAMLLIB_H_TABLE
#define fy_diag_cfg_default (pf_fyaml.fy_diag_cfg_default)
#define fy_diag_create (pf_fyaml.fy_diag_create)
#define fy_diag_errors_iterate (pf_fyaml.fy_diag_errors_iterate)
#define fy_diag_set_collect_errors (pf_fyaml.fy_diag_set_collect_errors)
#define fy_diag_unref (pf_fyaml.fy_diag_unref)
#define fy_event_start_mark (pf_fyaml.fy_event_start_mark)
#define fy_parser_create (pf_fyaml.fy_parser_create)
#define fy_parser_destroy (pf_fyaml.fy_parser_destroy)
#define fy_parser_event_free (pf_fyaml.fy_parser_event_free)
#define fy_parser_get_diag (pf_fyaml.fy_parser_get_diag)
#define fy_parser_get_stream_error (pf_fyaml.fy_parser_get_stream_error)
#define fy_parser_parse (pf_fyaml.fy_parser_parse)
#define fy_parser_set_input_file (pf_fyaml.fy_parser_set_input_file)
#define fy_parser_set_string (pf_fyaml.fy_parser_set_string)
#define fy_token_get_text (pf_fyaml.fy_token_get_text)
#define fy_token_scalar_style (pf_fyaml.fy_token_scalar_style)
#endif

#endif
