/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_XMLW_H
#define PF_XMLW_H

#include <stdbool.h>
#include "strbuf.h"

/*
 * XML as rpm-md has it: elements indented by two spaces, one per line,
 * text inline, empty elements closed with "/>"; text escaped as
 * libxml2's xmlTextWriter escapes it (& < > " and CR), attribute values
 * too (& < > " and TAB, LF, CR as character references, and, as that
 * writer does in a fragment, without the declaration that names the
 * encoding, every character beyond ASCII as a hexadecimal one).  The bytes are those of xmlTextWriter with an
 * indent of "  " (the unit test holds the two side by side), without
 * libxml2 and its buffers: every rpm read makes three of these.  Text
 * must be valid UTF-8 without control characters but TAB, LF and CR
 * (the caller checks).
 */
#define PF_XMLW_DEPTH 16

struct pf_xmlw {
	struct strbuf out;
	const char *name[PF_XMLW_DEPTH];        /* not copied */
	unsigned char state[PF_XMLW_DEPTH];     /* what the element has had */
	int depth;
	bool declared;                          /* UTF-8 in attributes */
};

void pf_xmlw_init(struct pf_xmlw *x);
/* <?xml version="1.0" encoding="UTF-8"?> */
void pf_xmlw_decl(struct pf_xmlw *x);
void pf_xmlw_start(struct pf_xmlw *x, const char *name);
void pf_xmlw_attr(struct pf_xmlw *x, const char *name, const char *value);
void pf_xmlw_text(struct pf_xmlw *x, const char *text);
void pf_xmlw_end(struct pf_xmlw *x);
/* What was written (malloc'd); x is empty again. */
char *pf_xmlw_finish(struct pf_xmlw *x);

#endif
