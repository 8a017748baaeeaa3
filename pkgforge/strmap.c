// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"
#include "banned.h"

/*
 * Eight bytes at a time (a byte at a time took a multiply per byte:
 * the check looks up tens of thousands of paths a run), the tail in
 * one last word, then mixed so that the low bits, the slot, depend on
 * all of them.  Only the table's layout depends on it, never an order
 * anything is written in.
 */
static uint64_t hash_n(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* A key's tag: its hash, never 0 (an empty slot); its slot comes
 * from the tag's low bits. */
static uint64_t tag_of(const char *key, size_t len)
{
	uint64_t h = hash_n(key, len);

	return h ? h : 1;
}

/*
 * The tags are zeroed by hand, not by calloc(): a large table's fresh
 * pages would be mapped to the zero page by the probes' reads, then
 * copied on the first write, each copy an interrupt to the other
 * threads' processors (compress.c's xz_alloc says more).  Growing moves
 * the slots by their tags, without hashing a key again.
 */
static void grow_to(struct pf_strmap *m, size_t cap)
{
	uint64_t *tags = pf_malloc(cap * sizeof(*tags));
	const char **keys = pf_malloc(cap * sizeof(*keys));
	size_t *vals = pf_malloc(cap * sizeof(*vals));

	memset(tags, 0, cap * sizeof(*tags));
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->tags[i])
			continue;
		for (j = m->tags[i] & (cap - 1); tags[j]; j = (j + 1) & (cap - 1))
			;
		tags[j] = m->tags[i];
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->tags);
	free(m->keys);
	free(m->vals);
	m->tags = tags;
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
	uint64_t t;
	size_t j;

	if ((m->nr + 1) * 2 > m->cap)
		grow(m);
	t = tag_of(key, strlen(key));
	for (j = t & (m->cap - 1); m->tags[j]; j = (j + 1) & (m->cap - 1)) {
		if (m->tags[j] == t && !strcmp(m->keys[j], key)) {
			m->vals[j] = val;
			return;
		}
	}
	m->tags[j] = t;
	m->keys[j] = key;
	m->vals[j] = val;
	m->nr++;
}

int pf_strmap_get(const struct pf_strmap *m, const char *key, size_t *val)
{
	return pf_strmap_get_n(m, key, strlen(key), val);
}

int pf_strmap_get_n(const struct pf_strmap *m, const char *key, size_t len, size_t *val)
{
	uint64_t t;

	if (!m->cap)
		return 0;
	t = tag_of(key, len);
	for (size_t j = t & (m->cap - 1); m->tags[j]; j = (j + 1) & (m->cap - 1)) {
		if (m->tags[j] == t && !strncmp(m->keys[j], key, len) && !m->keys[j][len]) {
			if (val)
				*val = m->vals[j];
			return 1;
		}
	}
	return 0;
}

void pf_strmap_release(struct pf_strmap *m)
{
	free(m->tags);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
