/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_FETCH_H
#define PF_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "log.h"

/*
 * Downloads with libcurl (the one module that uses it): https, http and
 * file URLs; TLS certificates always verified (there is no switch to
 * turn that off); redirects followed up to a limit, never from https to
 * http nor to another protocol; "User-Agent: pkgforge/<version>";
 * connection and low-speed timeouts; retries with exponential backoff
 * on 5xx, 408, 429, timeouts and lost connections, never on other 4xx;
 * a partial file is resumed with a Range request; the URLs of a job
 * (mirrors) are tried in order; several jobs run at once.
 */

/* Longest wait between two attempts, and the most a Retry-After may ask. */
#define PF_FETCH_MAX_DELAY_MS   30000L
#define PF_FETCH_MAX_RETRY_AFTER_MS 60000L

struct pf_fetch_opts {
	long connect_timeout;   /* seconds to establish a connection */
	long low_speed_limit;   /* bytes per second below which, ... */
	long low_speed_time;    /* ... for this many seconds, a transfer is abandoned */
	int retries;            /* further attempts per URL on transient errors */
	long retry_delay_ms;    /* the first wait; it doubles at each retry */
	int max_redirs;
	int parallel;           /* transfers at once */
	const char *ca_file;    /* CA bundle (CURL_CA_BUNDLE); NULL: the system's */
	bool progress;          /* a progress bar per file on stderr */
	struct pf_log log;
};

/*
 * The defaults, then the environment's overrides, meant for tests and
 * slow links; none can weaken a check:
 *   PKGFORGE_CONNECT_TIMEOUT   seconds, 1-600 (default 30)
 *   PKGFORGE_LOW_SPEED_LIMIT   bytes/s, 1-1000000000 (default 1024)
 *   PKGFORGE_LOW_SPEED_TIME    seconds, 1-3600 (default 60)
 *   PKGFORGE_RETRIES           0-20 (default 4)
 *   PKGFORGE_RETRY_DELAY_MS    0-600000 (default 1000)
 *   CURL_CA_BUNDLE             a CA bundle file to verify servers with
 * Returns -1 (PF_EINVAL) on a malformed value.
 */
int pf_fetch_opts_init(struct pf_fetch_opts *o, struct pf_err *e);

/* One file to download. */
struct pf_fetch_job {
	/* in */
	const char *name;               /* how the user knows it, for messages */
	char *const *urls;              /* tried in this order */
	size_t nurls;
	int fd;                         /* the bytes go here ... */
	uint64_t offset;                /* ... after the offset bytes already
					 * there (resumed with Range) */
	uint64_t max_size;              /* a bigger file is refused; 0: any */
	/* every byte written, in order; restart: fd was emptied (the server
	 * ignored the Range), forget what data() saw */
	void (*data)(void *ctx, const void *buf, size_t len);
	void (*restart)(void *ctx);
	void *ctx;

	/* out */
	bool ok;
	struct pf_err err;              /* why it failed */
	size_t url_used;                /* index of the URL that worked */
	bool resumed;                   /* it continued an earlier partial file */
};

/*
 * Run the jobs, o->parallel at a time.  Returns 0 when all succeeded;
 * otherwise -1, with each failed job's err set and e saying how many
 * failed (the one error itself when a single job ran).
 */
int pf_fetch_run(struct pf_fetch_job *const *jobs, size_t n,
		 const struct pf_fetch_opts *o, struct pf_err *e);
void pf_fetch_job_release(struct pf_fetch_job *j);

/* The wait before retry number attempt (1-based), honouring a server's
 * Retry-After (seconds, 0 when none). */
long pf_fetch_backoff_ms(const struct pf_fetch_opts *o, int attempt, long retry_after);

/*
 * The URL of url on a mirror: the mirror's scheme, host and path take
 * the place of url's scheme and host, so "https://m.example/kernel" maps
 * "https://mirrors.edge.kernel.org/pub/x.tar.xz" to
 * "https://m.example/kernel/pub/x.tar.xz".
 */
char *pf_mirror_url(const char *mirror, const char *url);

#endif
