// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"
#include "banned.h"

void pf_err_release(struct pf_err *e)
{
	strbuf_release(&e->loc);
	strbuf_release(&e->msg);
	e->code = 0;
	e->errnum = 0;
}

static void err_vset(struct pf_err *e, int code, const char *fmt, va_list ap)
{
	strbuf_reset(&e->loc);
	strbuf_reset(&e->msg);
	e->code = code;
	e->errnum = 0;
	strbuf_vaddf(&e->msg, fmt, ap);
}

int pf_err_set(struct pf_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int pf_err_errno(struct pf_err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, PF_EFAIL, fmt, ap);
	va_end(ap);
	e->errnum = saved;
	strbuf_addf(&e->msg, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

void pf_loc_format(const struct pf_loc *loc, struct strbuf *out)
{
	if (!loc || !loc->file)
		return;
	strbuf_addstr(out, loc->file);
	if (loc->line > 0) {
		strbuf_addf(out, ":%d", loc->line);
		if (loc->col > 0)
			strbuf_addf(out, ":%d", loc->col);
	}
}

int pf_err_at(struct pf_err *e, int code, const struct pf_loc *loc,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	pf_loc_format(loc, &e->loc);
	return -1;
}

int pf_err_prefix(struct pf_err *e, const char *fmt, ...)
{
	struct strbuf pre = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&pre, fmt, ap);
	va_end(ap);
	strbuf_addstr(&pre, ": ");
	strbuf_insert(&e->msg, 0, pre.buf, pre.len);
	strbuf_release(&pre);
	if (!e->code)
		e->code = PF_EFAIL;
	return -1;
}

void pf_err_print(const struct pf_err *e, FILE *fp)
{
	const char *msg = e->msg.len ? e->msg.buf : "unknown error";

	if (e->loc.len)
		fprintf(fp, "%s: error: %s\n", e->loc.buf, msg);
	else
		fprintf(fp, "pkgforge: error: %s\n", msg);
}

void pf_diag_release(struct pf_diag *d)
{
	for (size_t i = 0; i < d->nr; i++)
		free(d->lines[i]);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}

/* Returns 0 when the same line was reported already (expanding a
 * template for every version and host finds the same fault many times). */
static int diag_vadd(struct pf_diag *d, const char *kind,
		     const struct pf_loc *loc, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	pf_loc_format(loc, &sb);
	if (!sb.len)
		strbuf_addstr(&sb, "pkgforge");
	strbuf_addf(&sb, ": %s: ", kind);
	strbuf_vaddf(&sb, fmt, ap);
	for (size_t i = 0; i < d->nr; i++) {
		if (!strcmp(d->lines[i], sb.buf)) {
			strbuf_release(&sb);
			return 0;
		}
	}
	PF_ALLOC_GROW(d->lines, d->nr + 1, d->alloc);
	d->lines[d->nr++] = strbuf_detach(&sb, NULL);
	return 1;
}

void pf_diag_error(struct pf_diag *d, const struct pf_loc *loc,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->errors += diag_vadd(d, "error", loc, fmt, ap);
	va_end(ap);
	d->raised++;
}

void pf_diag_warning(struct pf_diag *d, const struct pf_loc *loc,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->warnings += diag_vadd(d, "warning", loc, fmt, ap);
	va_end(ap);
}

void pf_diag_print(const struct pf_diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->nr; i++)
		fprintf(fp, "%s\n", d->lines[i]);
}
