/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny unit-test harness: CHECK() and friends record failures with
 * file:line; each TEST prints "ok N - name" or "not ok N - name";
 * main returns non-zero when anything failed.
 */
#ifndef PF_UNIT_H
#define PF_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed, unit_case_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__,   \
			       __LINE__, #cond);                             \
			unit_case_failed = 1;                                \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (!g_ || !w_ || strcmp(g_, w_)) {                          \
			printf("#   %s:%d: %s\n#     got:  %s\n#     want: %s\n", \
			       __FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                          \
			unit_case_failed = 1;                                \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ != w_) {                                              \
			printf("#   %s:%d: %s = %lld, want %lld\n", __FILE__,  \
			       __LINE__, #got, g_, w_);                      \
			unit_case_failed = 1;                                \
		}                                                            \
	} while (0)

static inline void unit_begin(void) { unit_case_failed = 0; }

static inline void unit_end(const char *name)
{
	unit_count++;
	if (unit_case_failed) {
		unit_failed++;
		printf("not ok %d - %s\n", unit_count, name);
	} else {
		printf("ok %d - %s\n", unit_count, name);
	}
}

#define TEST(name, ...)                                                      \
	do {                                                                 \
		unit_begin();                                                \
		__VA_ARGS__;                                                 \
		unit_end(name);                                              \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_count);
	return unit_failed ? 1 : 0;
}

#endif
