// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "banned.h"

void pf_json_init(struct pf_json *j, struct strbuf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void indent(struct pf_json *j)
{
	strbuf_addch(j->out, '\n');
	for (int i = 0; i < j->depth; i++)
		strbuf_addstr(j->out, "  ");
}

/* Separator before a value (or a key) at the current level. */
static void before_value(struct pf_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (!j->first[j->depth])
		strbuf_addch(j->out, ',');
	j->first[j->depth] = false;
	indent(j);
}

static void open_(struct pf_json *j, char c)
{
	before_value(j);
	strbuf_addch(j->out, c);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct pf_json *j, char c)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		indent(j);
	strbuf_addch(j->out, c);
	if (j->depth == 0)
		strbuf_addch(j->out, '\n');
}

void pf_json_obj_begin(struct pf_json *j) { open_(j, '{'); }
void pf_json_obj_end(struct pf_json *j) { close_(j, '}'); }
void pf_json_arr_begin(struct pf_json *j) { open_(j, '['); }
void pf_json_arr_end(struct pf_json *j) { close_(j, ']'); }

void pf_json_escape(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			strbuf_addstr(out, "\\\"");
			break;
		case '\\':
			strbuf_addstr(out, "\\\\");
			break;
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		case '\r':
			strbuf_addstr(out, "\\r");
			break;
		default:
			if (*p < 0x20)
				strbuf_addf(out, "\\u%04x", *p);
			else
				strbuf_addch(out, *p);
		}
	}
	strbuf_addch(out, '"');
}

void pf_json_key(struct pf_json *j, const char *key)
{
	before_value(j);
	pf_json_escape(j->out, key);
	strbuf_addstr(j->out, ": ");
	j->after_key = true;
}

void pf_json_str(struct pf_json *j, const char *s)
{
	before_value(j);
	if (s)
		pf_json_escape(j->out, s);
	else
		strbuf_addstr(j->out, "null");
}

void pf_json_int(struct pf_json *j, int64_t v)
{
	before_value(j);
	strbuf_addf(j->out, "%" PRId64, v);
}

void pf_json_bool(struct pf_json *j, bool v)
{
	before_value(j);
	strbuf_addstr(j->out, v ? "true" : "false");
}

void pf_json_kstr(struct pf_json *j, const char *key, const char *s)
{
	pf_json_key(j, key);
	pf_json_str(j, s);
}

void pf_json_kint(struct pf_json *j, const char *key, int64_t v)
{
	pf_json_key(j, key);
	pf_json_int(j, v);
}
