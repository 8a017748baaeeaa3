// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>

#include "log.h"
#include "strbuf.h"
#include "banned.h"

void pf_log(const struct pf_log *l, enum pf_level level, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (!l || !l->fn)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	l->fn(l->ctx, level, sb.buf);
	strbuf_release(&sb);
}
