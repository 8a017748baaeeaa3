/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_YAML_H
#define PF_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

/*
 * A YAML document as a small tree where every node keeps its position,
 * built from libfyaml's event stream (the one file that uses libfyaml).
 * Anchors, aliases, tags and multi-document streams are refused: a
 * manifest is plain data and should read the same to every eye.
 */
enum pf_ytype { PF_Y_SCALAR, PF_Y_MAP, PF_Y_SEQ };

struct pf_ynode {
	enum pf_ytype type;
	struct pf_loc loc;
	char *str;              /* scalar text (NUL-terminated) */
	size_t len;
	bool plain;             /* plain (unquoted) scalar style */
	/* PF_Y_SEQ: items; PF_Y_MAP: key, value, key, value, ... */
	struct pf_ynode **items;
	size_t nr, alloc;
};

struct pf_ydoc {
	char *file;
	struct pf_ynode *root;
};

/* Parse path (or buf/len when buf is not NULL); problems go to d. */
int pf_yaml_load(struct pf_ydoc *doc, const char *path, const char *buf,
		 size_t len, struct pf_diag *d);
void pf_ydoc_release(struct pf_ydoc *doc);

static inline size_t pf_ymap_size(const struct pf_ynode *n) { return n->nr / 2; }
static inline struct pf_ynode *pf_ymap_key(const struct pf_ynode *n, size_t i) { return n->items[2 * i]; }
static inline struct pf_ynode *pf_ymap_val(const struct pf_ynode *n, size_t i) { return n->items[2 * i + 1]; }
/* Value of key in a mapping, or NULL. */
struct pf_ynode *pf_ymap_get(const struct pf_ynode *map, const char *key);
const char *pf_ytype_name(const struct pf_ynode *n);

#endif
