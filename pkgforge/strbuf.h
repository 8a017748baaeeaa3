/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_STRBUF_H
#define PF_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A growable, always NUL-terminated string.  STRBUF_INIT gives an empty
 * buffer that owns nothing; strbuf_release() frees and reinitialises it;
 * strbuf_detach() hands the string to the caller.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
/* The low bytes bytes of v, least significant first (file formats'
 * integers; pf_get_le reads them back). */
void strbuf_add_le(struct strbuf *sb, uint64_t v, int bytes);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Insert at position pos. */
void strbuf_insert(struct strbuf *sb, size_t pos, const void *data, size_t len);
void strbuf_rtrim(struct strbuf *sb);

#endif
