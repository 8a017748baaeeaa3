// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RPM's version rules without librpm (pkgfmt.h): comparing versions as
 * rpm 4.18 does, and the rpmlib() features rpm 4.18 provides.  Every
 * index of an rpm feed sorts its packages by version; doing it here
 * spares such a run loading librpm and the nine libraries it brings.
 * test-repo.c checks both against the librpm of the machine it runs on.
 */
#include <stdlib.h>
#include <string.h>

#include "pkgfmt.h"
#include "util.h"
#include "banned.h"

/* rpm's own character classes: ASCII, whatever the locale */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

/*
 * One version string against another, as rpmvercmp(3): the strings are
 * runs of digits and runs of letters, anything else only separating
 * them.  Runs compare pairwise: numbers by value, letters by bytes, and a
 * number is newer than letters.  '~' sorts before anything, even the
 * end; '^' after the end but before anything else.
 */
int pf_rpmvercmp(const char *a, const char *b)
{
	if (!strcmp(a, b))
		return 0;
	while (*a || *b) {
		const char *ea, *eb;
		size_t la, lb;
		bool num;
		int c;

		while (*a && !is_alnum(*a) && *a != '~' && *a != '^')
			a++;
		while (*b && !is_alnum(*b) && *b != '~' && *b != '^')
			b++;
		if (*a == '~' || *b == '~') {
			if (*a != '~')
				return 1;
			if (*b != '~')
				return -1;
			a++, b++;
			continue;
		}
		if (*a == '^' || *b == '^') {
			if (!*a)
				return -1;
			if (!*b)
				return 1;
			if (*a != '^')
				return 1;
			if (*b != '^')
				return -1;
			a++, b++;
			continue;
		}
		if (!*a || !*b)
			break;
		num = is_digit(*a);
		ea = a;
		eb = b;
		if (num) {
			while (is_digit(*ea))
				ea++;
			while (is_digit(*eb))
				eb++;
		} else {
			while (is_alpha(*ea))
				ea++;
			while (is_alpha(*eb))
				eb++;
		}
		/* b's run is of the other kind: a number beats letters */
		if (eb == b)
			return num ? 1 : -1;
		if (num) {
			while (*a == '0' && a < ea)
				a++;
			while (*b == '0' && b < eb)
				b++;
			if (ea - a != eb - b)
				return ea - a > eb - b ? 1 : -1;
		}
		la = (size_t)(ea - a);
		lb = (size_t)(eb - b);
		c = memcmp(a, b, la < lb ? la : lb);
		if (!c && la != lb)
			c = la < lb ? -1 : 1;
		if (c)
			return c < 0 ? -1 : 1;
		a = ea;
		b = eb;
	}
	if (!*a && !*b)
		return 0;
	return *a ? 1 : -1;
}

/* "[E:]V[-R]" split as rpm does: the epoch is the digits before a ':',
 * the release what follows the last '-' after them. */
struct evr {
	char *buf;
	const char *e, *v, *r;
};

static void evr_parse(const char *s, struct evr *p)
{
	char *q, *dash;

	p->buf = pf_strdup(s);
	for (q = p->buf; is_digit(*q); q++)
		;
	dash = strrchr(q, '-');
	if (*q == ':') {
		*q = '\0';
		p->e = *p->buf ? p->buf : "0";
		p->v = q + 1;
	} else {
		p->e = NULL;
		p->v = p->buf;
	}
	p->r = NULL;
	if (dash) {
		*dash = '\0';
		p->r = dash + 1;
	}
}

int pf_rpmevr_cmp(const char *a, const char *b)
{
	struct evr va, vb;
	int r;

	/* rpm parses no version out of an empty string */
	if (!*a || !*b)
		return (*a != '\0') - (*b != '\0');
	evr_parse(a, &va);
	evr_parse(b, &vb);
	r = pf_rpmvercmp(va.e ? va.e : "0", vb.e ? vb.e : "0");
	if (!r)
		r = pf_rpmvercmp(va.v, vb.v);
	if (!r && va.r && *va.r && vb.r && *vb.r)
		r = pf_rpmvercmp(va.r, vb.r);
	free(va.buf);
	free(vb.buf);
	return r;
}

/* What rpm 4.18 provides as "rpmlib(NAME) = VERSION": the list
 * rpmdsRpmlib(3) gives, which test-repo.c compares this table with. */
static const struct {
	const char *name, *evr;
} rpmlib_features[] = {
	{ "rpmlib(BuiltinLuaScripts)", "4.2.2-1" },
	{ "rpmlib(CaretInVersions)", "4.15.0-1" },
	{ "rpmlib(CompressedFileNames)", "3.0.4-1" },
	{ "rpmlib(ConcurrentAccess)", "4.1-1" },
	{ "rpmlib(DynamicBuildRequires)", "4.15.0-1" },
	{ "rpmlib(ExplicitPackageProvide)", "4.0-1" },
	{ "rpmlib(FileCaps)", "4.6.1-1" },
	{ "rpmlib(FileDigests)", "4.6.0-1" },
	{ "rpmlib(HeaderLoadSortsTags)", "4.0.1-1" },
	{ "rpmlib(LargeFiles)", "4.12.0-1" },
	{ "rpmlib(PartialHardlinkSets)", "4.0.4-1" },
	{ "rpmlib(PayloadFilesHavePrefix)", "4.0-1" },
	{ "rpmlib(PayloadIsBzip2)", "3.0.5-1" },
	{ "rpmlib(PayloadIsLzma)", "4.4.2-1" },
	{ "rpmlib(PayloadIsXz)", "5.2-1" },
	{ "rpmlib(PayloadIsZstd)", "5.4.18-1" },
	{ "rpmlib(RichDependencies)", "4.12.0-1" },
	{ "rpmlib(ScriptletExpansion)", "4.9.0-1" },
	{ "rpmlib(ScriptletInterpreterArgs)", "4.0.3-1" },
	{ "rpmlib(TildeInVersions)", "4.10.0-1" },
	{ "rpmlib(VersionedDependencies)", "3.0.3-1" },
};

size_t pf_rpmlib_features(const char **name, const char **evr, size_t i)
{
	if (i < PF_ARRAY_SIZE(rpmlib_features)) {
		*name = rpmlib_features[i].name;
		*evr = rpmlib_features[i].evr;
	}
	return PF_ARRAY_SIZE(rpmlib_features);
}

/*
 * A feature "= P" meets "OP W" as rpm's ranges overlap: with the
 * release left out of the comparison when W has none, P = W meets
 * "=", "<=" and ">=".
 */
bool pf_rpmlib_has(const char *name, const char *op, const char *evr)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(rpmlib_features); i++) {
		int c;

		if (strcmp(rpmlib_features[i].name, name))
			continue;
		if (!op || !evr || !*evr)
			return true;
		c = pf_rpmevr_cmp(rpmlib_features[i].evr, evr);
		if (c < 0)
			return strchr(op, '<') != NULL;
		if (c > 0)
			return strchr(op, '>') != NULL;
		return strchr(op, '=') != NULL;
	}
	return false;
}
