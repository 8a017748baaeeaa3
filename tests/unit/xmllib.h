/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_XMLLIB_H
#define PF_XMLLIB_H

/*
 * libxml2 for the unit test that holds xmlw.c's output to that of
 * libxml2's xmlTextWriter: loaded when first needed (dynlib.h), as
 * pkgforge itself does not use it.  Include this instead of its
 * headers, and call pf_libxml_load() before its functions.
 */
#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include "dynlib.h"
#include "err.h"
#include "util.h"

#define PF_XML_FNS(X) \
	X(xmlBufferContent) \
	X(xmlBufferCreate) \
	X(xmlBufferFree) \
	X(xmlFreeTextWriter) \
	X(xmlInitParser) \
	X(xmlNewTextWriterMemory) \
	X(xmlTextWriterEndDocument) \
	X(xmlTextWriterEndElement) \
	X(xmlTextWriterFlush) \
	X(xmlTextWriterSetIndent) \
	X(xmlTextWriterSetIndentString) \
	X(xmlTextWriterStartDocument) \
	X(xmlTextWriterStartElement) \
	X(xmlTextWriterWriteAttribute) \
	X(xmlTextWriterWriteFormatString) \
	X(xmlTextWriterWriteString)

struct pf_xml_fns {
	PF_XML_FNS(PF_DYNFN_FIELD)
};

#ifndef PF_LIBXML2_SONAME
#define PF_LIBXML2_SONAME "libxml2.so.2"
#endif

/* the one test that includes this defines the table and the loader:
 * 0, or -1 with e set ("cannot load libxml2.so.2: ...") */
int pf_libxml_load(struct pf_err *e);

#define PF_DYNLIB_TABLE pf_xml
PF_DYNLIB_DEFINE(static struct pf_xml_fns, PF_XML_FNS, PF_LIBXML2_SONAME, pf_libxml_load)

#define xmlBufferContent (pf_xml.xmlBufferContent)
#define xmlBufferCreate (pf_xml.xmlBufferCreate)
#define xmlBufferFree (pf_xml.xmlBufferFree)
#define xmlFreeTextWriter (pf_xml.xmlFreeTextWriter)
#define xmlInitParser (pf_xml.xmlInitParser)
#define xmlNewTextWriterMemory (pf_xml.xmlNewTextWriterMemory)
#define xmlTextWriterEndDocument (pf_xml.xmlTextWriterEndDocument)
#define xmlTextWriterEndElement (pf_xml.xmlTextWriterEndElement)
#define xmlTextWriterFlush (pf_xml.xmlTextWriterFlush)
#define xmlTextWriterSetIndent (pf_xml.xmlTextWriterSetIndent)
#define xmlTextWriterSetIndentString (pf_xml.xmlTextWriterSetIndentString)
#define xmlTextWriterStartDocument (pf_xml.xmlTextWriterStartDocument)
#define xmlTextWriterStartElement (pf_xml.xmlTextWriterStartElement)
#define xmlTextWriterWriteAttribute (pf_xml.xmlTextWriterWriteAttribute)
#define xmlTextWriterWriteFormatString (pf_xml.xmlTextWriterWriteFormatString)
#define xmlTextWriterWriteString (pf_xml.xmlTextWriterWriteString)

#endif
