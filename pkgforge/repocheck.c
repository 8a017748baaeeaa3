// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the last check that passed covered (.pkgforge/checked): the
 * packages of the feed it passed, and the profile data it passed them
 * against.  A run whose feed holds all of them, with the same profile
 * data, checks only the packages added since (pf_check_pkgs_fresh); any
 * other run checks the whole feed.  The file:
 *
 *   "pkgforge-checked <rules> <version>\n"
 *   "profile <name>\n"
 *   one "data <arch> <sha256>\n" per profile data file, by architecture
 *   "packages <N>\n", then N lines of 16 hex digits, sorted: each
 *   package's identity, a hash of its path and its file's SHA-256 (the
 *   hash changed once: a file with the old ones matches nothing, and
 *   the next run checks the whole feed)
 *   "crc <16 hex digits>\n": the CRC-64 (xz's) of everything before it
 *
 * It is written without fsync: a file lost or damaged does not parse,
 * and costs one check of the whole feed.
 */
#include <endian.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>

#include "check.h"
#include "ofile.h"
#include "repo-priv.h"
#include "util.h"
#include "banned.h"

#define MAX_CHECKED (64u << 20)

struct pf_checked {
	struct strbuf head;             /* up to "packages" */
	uint64_t *ids;
	size_t nr;
};

static void put_head(struct strbuf *sb, const char *profile, const struct pf_profiles *ps)
{
	strbuf_addf(sb, "pkgforge-checked %d %s\nprofile %s\n", PF_CHECK_RULES, PF_VERSION,
		    profile);
	for (size_t i = 0; i < ps->nr; i++)
		strbuf_addf(sb, "data %s %s\n", ps->v[i].p->arch, ps->v[i].p->sha256);
}

/* A string's bytes, eight at a time (little-endian, the same on every
 * machine: the identities are kept), and its length, mixed into h. */
static uint64_t mix_str(uint64_t h, const char *s)
{
	size_t n = strlen(s);
	uint64_t w;

	h ^= n;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ le64toh(w)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* A package's identity: its path and its digest, hashed (a word at a
 * time: it is taken of every package every run). */
uint64_t pf_checked_id(const struct pf_repopkg *p)
{
	uint64_t h = mix_str(mix_str(0x9e3779b97f4a7c15ULL, p->relpath), p->sha256);

	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static char *checked_path(const char *root)
{
	return pf_asprintf("%s/" STATE "/checked", root);
}

static bool parse(struct pf_checked *c, const char *s, size_t len)
{
	const char *end = s + len, *p, *crc;
	char want[17];
	uint64_t n;

	/* "crc " and 16 digits and a newline at the end */
	if (len < 21 || s[len - 1] != '\n' || memcmp(s + len - 21, "crc ", 4))
		return false;
	crc = s + len - 17;
	snprintf(want, sizeof(want), "%016" PRIx64, lzma_crc64((const uint8_t *)s, len - 21, 0));
	if (memcmp(want, crc, 16))
		return false;
	end = s + len - 21;
	p = memmem(s, (size_t)(end - s), "\npackages ", 10);
	if (!p)
		return false;
	strbuf_add(&c->head, s, (size_t)(p + 1 - s));
	p += 10;
	n = strtoull(p, (char **)&p, 10);
	if (*p++ != '\n' || n > (size_t)(end - p) / 17)
		return false;
	c->ids = pf_calloc(n ? n : 1, sizeof(*c->ids));
	for (; c->nr < n; c->nr++, p += 17) {
		uint64_t v = 0;

		if (p[16] != '\n')
			return false;
		for (int k = 0; k < 16; k++) {
			int d = p[k] >= '0' && p[k] <= '9' ? p[k] - '0' :
				p[k] >= 'a' && p[k] <= 'f' ? p[k] - 'a' + 10 : -1;

			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		if (c->nr && v <= c->ids[c->nr - 1])
			return false;
		c->ids[c->nr] = v;
	}
	return p == end;
}

struct pf_checked *pf_checked_load(const char *root)
{
	struct pf_checked *c = pf_calloc(1, sizeof(*c));
	struct pf_err ignore = PF_ERR_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *path = checked_path(root);

	strbuf_init(&c->head, 0);
	if (pf_read_file(path, MAX_CHECKED, &sb, &ignore) < 0 || !parse(c, sb.buf, sb.len)) {
		pf_checked_free(c);
		c = NULL;
	}
	pf_err_release(&ignore);
	strbuf_release(&sb);
	free(path);
	return c;
}

void pf_checked_free(struct pf_checked *c)
{
	if (!c)
		return;
	strbuf_release(&c->head);
	free(c->ids);
	free(c);
}

size_t pf_checked_fresh(const struct pf_checked *c, const char *profile,
			const struct pf_profiles *ps, const uint64_t *ids, size_t n, bool *fresh)
{
	struct strbuf head = STRBUF_INIT;
	size_t known = 0, nfresh = 0;
	bool same;

	put_head(&head, profile, ps);
	same = c && !strcmp(head.buf, c->head.buf);
	strbuf_release(&head);
	if (!same)
		return SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		fresh[i] = !bsearch(&ids[i], c->ids, c->nr, sizeof(*c->ids), cmp_u64);
		if (fresh[i])
			nfresh++;
		else
			known++;
	}
	/* one the check passed has left: its going may break the others */
	return known == c->nr ? nfresh : SIZE_MAX;
}

int pf_checked_save(const char *root, const char *profile, const struct pf_profiles *ps,
		    const uint64_t *ids, size_t n, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t *v = pf_calloc(n ? n : 1, sizeof(*v));
	char *path = checked_path(root);
	size_t m = 0;
	int ret;

	memcpy(v, ids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u64);
	put_head(&sb, profile, ps);
	for (size_t i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			v[m++] = v[i];
	strbuf_addf(&sb, "packages %zu\n", m);
	strbuf_grow(&sb, m * 17);
	for (size_t i = 0; i < m; i++) {
		char line[17];

		for (int k = 0; k < 16; k++)
			line[k] = "0123456789abcdef"[(v[i] >> (60 - 4 * k)) & 15];
		line[16] = '\n';
		strbuf_add(&sb, line, 17);
	}
	strbuf_addf(&sb, "crc %016" PRIx64 "\n", lzma_crc64((const uint8_t *)sb.buf, sb.len, 0));
	ret = pf_ofile_put_nosync(path, sb.buf, sb.len, e);
	strbuf_release(&sb);
	free(path);
	free(v);
	return ret;
}
