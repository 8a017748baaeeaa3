/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_JSON_H
#define PF_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include "strbuf.h"

/*
 * A small streaming JSON writer: objects and arrays nest, commas and
 * string escaping are handled here, output is indented two spaces.
 */
struct pf_json {
	struct strbuf *out;
	int depth;
	bool first[32];
	bool after_key;
};

void pf_json_init(struct pf_json *j, struct strbuf *out);
void pf_json_obj_begin(struct pf_json *j);
void pf_json_obj_end(struct pf_json *j);
void pf_json_arr_begin(struct pf_json *j);
void pf_json_arr_end(struct pf_json *j);
void pf_json_key(struct pf_json *j, const char *key);
void pf_json_str(struct pf_json *j, const char *s);     /* NULL → null */
void pf_json_int(struct pf_json *j, int64_t v);
void pf_json_bool(struct pf_json *j, bool v);
/* key + value shorthands */
void pf_json_kstr(struct pf_json *j, const char *key, const char *s);
void pf_json_kint(struct pf_json *j, const char *key, int64_t v);

void pf_json_escape(struct strbuf *out, const char *s);

#endif
