/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_STRMAP_H
#define PF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash map from strings to size_t values (open addressing).  Keys are
 * not copied: they must outlive the map (they live in a file list).
 * Each slot keeps its key's hash (its tag, 0 for an empty slot): a
 * probe reads a key only when the tags match, and growing hashes no
 * key again.
 */
struct pf_strmap {
	uint64_t *tags;
	const char **keys;
	size_t *vals;
	size_t nr, cap;
};

#define PF_STRMAP_INIT { NULL, NULL, NULL, 0, 0 }

void pf_strmap_put(struct pf_strmap *m, const char *key, size_t val);
/* 1 and *val when found, 0 otherwise. */
int pf_strmap_get(const struct pf_strmap *m, const char *key, size_t *val);
/* The same for the len bytes at key, none of them a NUL. */
int pf_strmap_get_n(const struct pf_strmap *m, const char *key, size_t len, size_t *val);
/* Room for n more keys without growing. */
void pf_strmap_reserve(struct pf_strmap *m, size_t n);
void pf_strmap_release(struct pf_strmap *m);

#endif
