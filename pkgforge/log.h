/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_LOG_H
#define PF_LOG_H

/*
 * Messages from library code that is still working (a retry, a wait, a
 * warning) go through a log the command passes in: only main.c and
 * cmd-*.c decide what reaches the terminal.  A NULL fn drops everything.
 */
enum pf_level {
	PF_LOG_DEBUG,           /* --verbose only: what is being done */
	PF_LOG_INFO,            /* progress worth a line: retries, waits */
	PF_LOG_WARN,            /* shown even with --quiet */
	PF_LOG_ERROR,           /* one of several failures */
};

struct pf_log {
	void (*fn)(void *ctx, enum pf_level level, const char *msg);
	void *ctx;
};

void pf_log(const struct pf_log *l, enum pf_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
