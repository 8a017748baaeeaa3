// SPDX-License-Identifier: GPL-2.0-or-later
#include <fnmatch.h>
#include <string.h>

#include "glob.h"
#include "banned.h"

/* Match one component: p[0..plen) against s[0..slen). */
static bool comp_match(const char *p, size_t plen, const char *s, size_t slen)
{
	char pb[256], sb[4096];

	if (plen >= sizeof(pb) || slen >= sizeof(sb))
		return false;
	memcpy(pb, p, plen);
	pb[plen] = '\0';
	memcpy(sb, s, slen);
	sb[slen] = '\0';
	return fnmatch(pb, sb, 0) == 0;
}

static bool match(const char *p, const char *s)
{
	for (;;) {
		const char *pe = strchr(p, '/');
		size_t plen = pe ? (size_t)(pe - p) : strlen(p);
		const char *se;
		size_t slen;

		if (plen == 2 && p[0] == '*' && p[1] == '*') {
			const char *rest = pe ? pe + 1 : NULL;
			if (!rest)
				return true;            /* trailing double star */
			/* zero components, or one more and try again */
			for (const char *t = s;; ) {
				if (*t && match(rest, t))
					return true;
				t = strchr(t, '/');
				if (!t)
					break;
				t++;
			}
			return false;
		}
		if (!*s)
			return false;
		se = strchr(s, '/');
		slen = se ? (size_t)(se - s) : strlen(s);
		if (!comp_match(p, plen, s, slen))
			return false;
		if (!pe) {
			return !se;
		}
		if (!se) {
			/* the pattern goes on: only a final double star matches nothing */
			return !strcmp(pe, "/**");
		}
		p = pe + 1;
		s = se + 1;
	}
}

bool pf_glob_match(const char *pattern, const char *path)
{
	return match(pattern, path);
}
