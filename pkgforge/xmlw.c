// SPDX-License-Identifier: GPL-2.0-or-later
/* rpm-md's XML, written directly (xmlw.h). */
#include <stdint.h>
#include <string.h>

#include "xmlw.h"
#include "banned.h"

enum { OPEN, TEXT, CHILDREN };          /* state: start tag not closed yet */

void pf_xmlw_init(struct pf_xmlw *x)
{
	strbuf_init(&x->out, 0);
	x->depth = 0;
	x->declared = false;
}

void pf_xmlw_decl(struct pf_xmlw *x)
{
	strbuf_addstr(&x->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	x->declared = true;
}

static void indent(struct pf_xmlw *x, int depth)
{
	for (int i = 0; i < depth; i++)
		strbuf_add(&x->out, "  ", 2);
}

/* The state of the element being written (NULL: none, or too deep). */
static unsigned char *top(struct pf_xmlw *x)
{
	return x->depth && x->depth <= PF_XMLW_DEPTH ? &x->state[x->depth - 1] : NULL;
}

void pf_xmlw_start(struct pf_xmlw *x, const char *name)
{
	unsigned char *st = top(x);

	if (st && *st == OPEN) {
		strbuf_add(&x->out, ">\n", 2);
		*st = CHILDREN;
	}
	indent(x, x->depth);
	strbuf_addch(&x->out, '<');
	strbuf_addstr(&x->out, name);
	if (x->depth < PF_XMLW_DEPTH) {
		x->name[x->depth] = name;
		x->state[x->depth] = OPEN;
	}
	x->depth++;
}

/* One UTF-8 sequence at s (valid: the caller checked) as its code point;
 * *len gets its length. */
static uint32_t utf8_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0xe0 && s[1]) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0 && s[1] && s[2]) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	if (s[1] && s[2] && s[3]) {
		*len = 4;
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
	*len = 1;
	return s[0];
}

/* The reference for a character text escapes (& < > " CR), and in an
 * attribute TAB and LF too; NULL for the others. */
static const char *entity(char c, bool attr)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\r': return "&#13;";
	case '\t': return attr ? "&#9;" : NULL;
	case '\n': return attr ? "&#10;" : NULL;
	}
	return NULL;
}

void pf_xmlw_attr(struct pf_xmlw *x, const char *name, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");

	strbuf_addch(&x->out, ' ');
	strbuf_addstr(&x->out, name);
	strbuf_add(&x->out, "=\"", 2);
	while (*s) {
		size_t run = strcspn((const char *)s, "&<>\"\t\n\r");
		size_t n;

		/* the plain ASCII part of the run as it is (all of it after
		 * the declaration) */
		for (n = 0; n < run && (x->declared || s[n] < 0x80); n++)
			;
		strbuf_add(&x->out, s, n);
		s += n;
		if (n < run) {
			uint32_t c = utf8_at(s, &n);

			strbuf_addf(&x->out, "&#x%X;", c);
			s += n;
			continue;
		}
		if (!*s)
			break;
		strbuf_addstr(&x->out, entity((char)*s++, true));
	}
	strbuf_addch(&x->out, '"');
}

void pf_xmlw_text(struct pf_xmlw *x, const char *text)
{
	const char *s = text;
	unsigned char *st = top(x);

	if (st && *st == OPEN) {
		strbuf_addch(&x->out, '>');
		*st = TEXT;
	}
	while (*s) {
		size_t run = strcspn(s, "&<>\"\r");

		strbuf_add(&x->out, s, run);
		s += run;
		if (!*s)
			break;
		strbuf_addstr(&x->out, entity(*s++, false));
	}
}

void pf_xmlw_end(struct pf_xmlw *x)
{
	int d;

	if (!x->depth)
		return;
	d = --x->depth;
	if (d >= PF_XMLW_DEPTH)
		return;
	if (x->state[d] == OPEN) {
		strbuf_add(&x->out, "/>\n", 3);
		return;
	}
	if (x->state[d] == CHILDREN)
		indent(x, d);
	strbuf_add(&x->out, "</", 2);
	strbuf_addstr(&x->out, x->name[d]);
	strbuf_add(&x->out, ">\n", 2);
}

char *pf_xmlw_finish(struct pf_xmlw *x)
{
	x->depth = 0;
	return strbuf_detach(&x->out, NULL);
}
