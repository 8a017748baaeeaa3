// SPDX-License-Identifier: GPL-2.0-or-later
/* libxml2, loaded when first needed (xmllib.h). */
#define PF_XMLLIB_H_TABLE
#include "xmllib.h"
#include "dynlib.h"
#include "util.h"
#include "banned.h"

#ifndef PF_LIBXML2_SONAME
#define PF_LIBXML2_SONAME "libxml2.so.2"
#endif

struct pf_xml_fns pf_xml;

static const char *const names[] = {
#define PF_DYNFN(f) #f,
	PF_XML_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static void **const slots[] = {
#define PF_DYNFN(f) (void **)&pf_xml.f,
	PF_XML_FNS(PF_DYNFN)
#undef PF_DYNFN
};

static struct pf_dynlib lib = { PF_LIBXML2_SONAME, names, slots, PF_ARRAY_SIZE(names), 0, NULL };

int pf_libxml_load(struct pf_err *e)
{
	return pf_dynlib_load(&lib, e);
}
