// SPDX-License-Identifier: GPL-2.0-or-later
/* libfyaml events → pf_ynode tree with positions. */
#include <stdlib.h>
#include <string.h>

#include "yaml.h"
#include "yamllib.h"
#include "util.h"
#include "banned.h"

#define MAX_DEPTH 64

static struct pf_ynode *node_new(struct pf_ydoc *doc, enum pf_ytype type,
				 const struct fy_mark *m)
{
	struct pf_ynode *n = pf_calloc(1, sizeof(*n));

	n->type = type;
	n->loc.file = doc->file;
	if (m) {
		n->loc.line = m->line + 1;
		n->loc.col = m->column + 1;
	}
	return n;
}

static void node_free(struct pf_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nr; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n->str);
	free(n);
}

static void node_push(struct pf_ynode *parent, struct pf_ynode *child)
{
	PF_ALLOC_GROW(parent->items, parent->nr + 1, parent->alloc);
	parent->items[parent->nr++] = child;
}

static void collect_parse_errors(struct fy_parser *fyp, struct pf_ydoc *doc,
				 struct pf_diag *d)
{
	struct fy_diag *diag = fy_parser_get_diag(fyp);
	struct fy_diag_error *de;
	void *iter = NULL;
	int n = 0;

	if (diag) {
		while ((de = fy_diag_errors_iterate(diag, &iter)) != NULL) {
			struct pf_loc loc = { doc->file, de->line + 1, de->column + 1 };
			pf_diag_error(d, &loc, "invalid YAML: %s", de->msg);
			n++;
		}
		fy_diag_unref(diag);
	}
	if (!n) {
		struct pf_loc loc = { doc->file, 0, 0 };
		pf_diag_error(d, &loc, "invalid YAML");
	}
}

int pf_yaml_load(struct pf_ydoc *doc, const char *path, const char *buf,
		 size_t len, struct pf_diag *d)
{
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp = NULL;
	struct fy_event *ev;
	struct pf_ynode *stack[MAX_DEPTH];
	int depth = 0, docs = 0, errors = d->raised;
	struct fy_mark last;
	bool have_last = false;
	int ret = -1;

	memset(doc, 0, sizeof(*doc));
	doc->file = pf_strdup(path);

	{
		struct pf_err le = PF_ERR_INIT;

		if (pf_libfyaml_load(&le) < 0) {
			struct pf_loc loc = { doc->file, 0, 0 };

			pf_diag_error(d, &loc, "%s", le.msg.buf);
			pf_err_release(&le);
			goto out;
		}
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		struct pf_loc loc = { doc->file, 0, 0 };
		pf_diag_error(d, &loc, "cannot create YAML diagnostics");
		goto out;
	}
	fy_diag_set_collect_errors(diag, true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		struct pf_loc loc = { doc->file, 0, 0 };
		pf_diag_error(d, &loc, "cannot create YAML parser");
		goto out;
	}
	if (buf ? fy_parser_set_string(fyp, buf, len)
		: fy_parser_set_input_file(fyp, path)) {
		struct pf_loc loc = { doc->file, 0, 0 };
		pf_diag_error(d, &loc, "cannot read file");
		goto out;
	}

	while ((ev = fy_parser_parse(fyp)) != NULL) {
		const struct fy_mark *m = fy_event_start_mark(ev);

		/* an empty scalar has no position: use the previous one (its key) */
		if (m)
			last = *m;
		else if (have_last)
			m = &last;
		have_last |= m != NULL;
		struct pf_ynode *n = NULL;
		struct fy_token *anchor = NULL, *tag = NULL;

		switch (ev->type) {
		case FYET_DOCUMENT_START:
			if (++docs > 1) {
				struct pf_loc loc = { doc->file, m ? m->line + 1 : 0,
						      m ? m->column + 1 : 0 };
				pf_diag_error(d, &loc, "a manifest holds exactly one YAML document");
			}
			break;
		case FYET_ALIAS: {
			struct pf_loc loc = { doc->file, m ? m->line + 1 : 0,
					      m ? m->column + 1 : 0 };
			pf_diag_error(d, &loc, "YAML aliases are not supported in manifests");
			break;
		}
		case FYET_SCALAR: {
			size_t l;
			const char *t = fy_token_get_text(ev->scalar.value, &l);
			anchor = ev->scalar.anchor;
			tag = ev->scalar.tag;
			n = node_new(doc, PF_Y_SCALAR, m);
			n->str = pf_strndup(t ? t : "", t ? l : 0);
			n->len = t ? l : 0;
			n->plain = fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN;
			break;
		}
		case FYET_MAPPING_START:
			anchor = ev->mapping_start.anchor;
			tag = ev->mapping_start.tag;
			n = node_new(doc, PF_Y_MAP, m);
			break;
		case FYET_SEQUENCE_START:
			anchor = ev->sequence_start.anchor;
			tag = ev->sequence_start.tag;
			n = node_new(doc, PF_Y_SEQ, m);
			break;
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n && (anchor || tag)) {
			pf_diag_error(d, &n->loc, "YAML %s are not supported in manifests",
				      anchor ? "anchors" : "tags");
		}
		if (n) {
			if (docs > 1) {
				node_free(n);
			} else if (depth == 0) {
				if (doc->root)
					node_free(doc->root);
				doc->root = n;
			} else {
				node_push(stack[depth - 1], n);
			}
			if (n->type != PF_Y_SCALAR && docs <= 1) {
				if (depth == MAX_DEPTH) {
					pf_diag_error(d, &n->loc, "YAML nested too deeply");
					fy_parser_event_free(fyp, ev);
					goto out;
				}
				stack[depth++] = n;
			}
		}
		fy_parser_event_free(fyp, ev);
	}
	if (fy_parser_get_stream_error(fyp)) {
		collect_parse_errors(fyp, doc, d);
		goto out;
	}
	if (!doc->root) {
		struct pf_loc loc = { doc->file, 0, 0 };
		pf_diag_error(d, &loc, "empty manifest");
		goto out;
	}
	if (d->raised == errors)
		ret = 0;
out:
	if (fyp)
		fy_parser_destroy(fyp);
	if (diag)
		fy_diag_unref(diag);
	return ret;
}

void pf_ydoc_release(struct pf_ydoc *doc)
{
	node_free(doc->root);
	free(doc->file);
	memset(doc, 0, sizeof(*doc));
}

struct pf_ynode *pf_ymap_get(const struct pf_ynode *map, const char *key)
{
	if (!map || map->type != PF_Y_MAP)
		return NULL;
	for (size_t i = 0; i < pf_ymap_size(map); i++) {
		struct pf_ynode *k = pf_ymap_key(map, i);
		if (k->type == PF_Y_SCALAR && !strcmp(k->str, key))
			return pf_ymap_val(map, i);
	}
	return NULL;
}

const char *pf_ytype_name(const struct pf_ynode *n)
{
	switch (n->type) {
	case PF_Y_SCALAR:
		return "a scalar";
	case PF_Y_MAP:
		return "a mapping";
	case PF_Y_SEQ:
		return "a list";
	}
	return "?";
}
