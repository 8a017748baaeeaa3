// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"
#include "banned.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void grow_to(struct pf_strmap *m, size_t cap)
{
	const char **keys = pf_calloc(cap, sizeof(*keys));
	size_t *vals = pf_calloc(cap, sizeof(*vals));

	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		for (j = hash(m->keys[i]) & (cap - 1); keys[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

static void grow(struct pf_strmap *m)
{
	grow_to(m, m->cap ? m->cap * 2 : 64);
}

void pf_strmap_reserve(struct pf_strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while (cap < 2 * (m->nr + n) + 2)
		cap *= 2;
	if (cap > m->cap)
		grow_to(m, cap);
}

void pf_strmap_put(struct pf_strmap *m, const char *key, size_t val)
{
	size_t j;

	if ((m->nr + 1) * 2 > m->cap)
		grow(m);
	for (j = hash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1)) {
		if (!strcmp(m->keys[j], key)) {
			m->vals[j] = val;
			return;
		}
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->nr++;
}

int pf_strmap_get(const struct pf_strmap *m, const char *key, size_t *val)
{
	if (!m->cap)
		return 0;
	for (size_t j = hash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1)) {
		if (!strcmp(m->keys[j], key)) {
			if (val)
				*val = m->vals[j];
			return 1;
		}
	}
	return 0;
}

void pf_strmap_release(struct pf_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
