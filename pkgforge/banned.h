/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_BANNED_H
#define PF_BANNED_H

/*
 * Functions that make it too easy to overflow a buffer or to lose an
 * error.  Use strbuf, snprintf or the pf_ helpers instead.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)

#endif
