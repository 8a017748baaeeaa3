// SPDX-License-Identifier: GPL-2.0-or-later
/* Downloads: libcurl multi, retries, mirrors, resume (the one curl user). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
/* the functions are called through pointers (below): no type-checking
 * macros, and curl.h's argument-count ones are replaced */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#undef curl_easy_setopt
#undef curl_easy_getinfo

#include "fetch.h"
#include "util.h"
#include "banned.h"

/*
 * libcurl is loaded when a run first fetches.  Linked in, it and what it
 * pulls in (TLS, Kerberos, LDAP, SSH, IDN...) cost every pkgforge
 * command some 6 ms of dynamic linking at start, and most commands
 * (index, check, build from a local source) never fetch.  Its ABI is
 * that of the soname the headers are for.
 */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode c);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned int n,
				int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
} lc;

#define LIBCURL "libcurl.so.4"
#define curl_global_init lc.global_init
#define curl_easy_init lc.easy_init
#define curl_easy_setopt lc.easy_setopt
#define curl_easy_getinfo lc.easy_getinfo
#define curl_easy_cleanup lc.easy_cleanup
#define curl_easy_strerror lc.easy_strerror
#define curl_multi_init lc.multi_init
#define curl_multi_add_handle lc.multi_add_handle
#define curl_multi_remove_handle lc.multi_remove_handle
#define curl_multi_perform lc.multi_perform
#define curl_multi_poll lc.multi_poll
#define curl_multi_info_read lc.multi_info_read
#define curl_multi_cleanup lc.multi_cleanup

static int load_libcurl(struct pf_err *e)
{
	static const struct {
		void **fn;
		const char *name;
	} syms[] = {
		{ (void **)&lc.global_init, "curl_global_init" },
		{ (void **)&lc.easy_init, "curl_easy_init" },
		{ (void **)&lc.easy_setopt, "curl_easy_setopt" },
		{ (void **)&lc.easy_getinfo, "curl_easy_getinfo" },
		{ (void **)&lc.easy_cleanup, "curl_easy_cleanup" },
		{ (void **)&lc.easy_strerror, "curl_easy_strerror" },
		{ (void **)&lc.multi_init, "curl_multi_init" },
		{ (void **)&lc.multi_add_handle, "curl_multi_add_handle" },
		{ (void **)&lc.multi_remove_handle, "curl_multi_remove_handle" },
		{ (void **)&lc.multi_perform, "curl_multi_perform" },
		{ (void **)&lc.multi_poll, "curl_multi_poll" },
		{ (void **)&lc.multi_info_read, "curl_multi_info_read" },
		{ (void **)&lc.multi_cleanup, "curl_multi_cleanup" },
	};
	static void *lib;

	if (lib)
		return 0;
	lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return pf_err_set(e, PF_EFAIL, "cannot load libcurl: %s", dlerror());
	for (size_t i = 0; i < PF_ARRAY_SIZE(syms); i++) {
		*syms[i].fn = dlsym(lib, syms[i].name);
		if (!*syms[i].fn) {
			dlclose(lib);
			lib = NULL;
			return pf_err_set(e, PF_EFAIL, "cannot load libcurl: %s has no %s", LIBCURL,
					  syms[i].name);
		}
	}
	return 0;
}

#define USER_AGENT "pkgforge/" PF_VERSION
#define DRAW_EVERY_MS 200

enum xstate { X_WAITING, X_RUNNING, X_DONE };

/* What to do after an attempt. */
enum verdict { V_DONE, V_RETRY, V_NEXT_URL, V_FATAL };

/* A job's transfer state. */
struct run;

struct xfer {
	struct run *run;
	struct pf_fetch_job *job;
	enum xstate state;
	CURL *easy;
	size_t url;                     /* index into job->urls */
	int attempt;                    /* retries made on this URL */
	int64_t next_at;                /* monotonic ms: not before */
	struct strbuf reasons;          /* why earlier URLs failed */
	char errbuf[CURL_ERROR_SIZE];

	/* this attempt */
	uint64_t start_offset;          /* offset when it began */
	int64_t range_start;            /* from Content-Range, -1 if none */
	bool checked_first;             /* the first body bytes were examined */
	bool too_big, bad_range, write_failed;
	uint64_t now, total;            /* for the progress bar */
};

struct run {
	const struct pf_fetch_opts *o;
	struct xfer *x;
	size_t n;
	CURLM *multi;
	int drawn;                      /* progress lines on screen */
	int64_t last_draw;
};

/* ------------------------------------------------------------- options */

static int env_long(const char *name, long lo, long hi, long *out, struct pf_err *e)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return pf_err_set(e, PF_EINVAL, "%s must be a whole number from %ld to %ld, not '%s'",
				  name, lo, hi, s);
	*out = v;
	return 0;
}

int pf_fetch_opts_init(struct pf_fetch_opts *o, struct pf_err *e)
{
	long retries = 4;
	const char *ca = getenv("CURL_CA_BUNDLE");

	memset(o, 0, sizeof(*o));
	o->connect_timeout = 30;
	o->low_speed_limit = 1024;
	o->low_speed_time = 60;
	o->retry_delay_ms = 1000;
	o->max_redirs = 10;
	o->parallel = 4;
	o->ca_file = ca && *ca ? ca : NULL;
	if (env_long("PKGFORGE_CONNECT_TIMEOUT", 1, 600, &o->connect_timeout, e) < 0 ||
	    env_long("PKGFORGE_LOW_SPEED_LIMIT", 1, 1000000000, &o->low_speed_limit, e) < 0 ||
	    env_long("PKGFORGE_LOW_SPEED_TIME", 1, 3600, &o->low_speed_time, e) < 0 ||
	    env_long("PKGFORGE_RETRIES", 0, 20, &retries, e) < 0 ||
	    env_long("PKGFORGE_RETRY_DELAY_MS", 0, 600000, &o->retry_delay_ms, e) < 0)
		return -1;
	o->retries = (int)retries;
	return 0;
}

long pf_fetch_backoff_ms(const struct pf_fetch_opts *o, int attempt, long retry_after)
{
	long d = o->retry_delay_ms;

	for (int i = 1; i < attempt && d < PF_FETCH_MAX_DELAY_MS; i++)
		d *= 2;
	if (d > PF_FETCH_MAX_DELAY_MS)
		d = PF_FETCH_MAX_DELAY_MS;
	if (retry_after > 0) {
		long ra = retry_after > PF_FETCH_MAX_RETRY_AFTER_MS / 1000 ?
			  PF_FETCH_MAX_RETRY_AFTER_MS : retry_after * 1000;
		if (ra > d)
			d = ra;
	}
	return d;
}

char *pf_mirror_url(const char *mirror, const char *url)
{
	const char *p = strstr(url, "://");
	size_t mlen = strlen(mirror);

	while (mlen && mirror[mlen - 1] == '/')
		mlen--;
	if (!p)
		return pf_strdup(url);
	p = strchr(p + 3, '/');
	return pf_asprintf("%.*s%s", (int)mlen, mirror, p ? p : "");
}

/* -------------------------------------------------------------- helpers */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *http_reason(long code)
{
	switch (code) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 408: return "request timeout";
	case 410: return "gone";
	case 416: return "range not satisfiable";
	case 429: return "too many requests";
	case 500: return "internal server error";
	case 502: return "bad gateway";
	case 503: return "service unavailable";
	case 504: return "gateway timeout";
	default: return NULL;
	}
}

static void human(struct strbuf *sb, uint64_t n)
{
	if (n < 1024)
		strbuf_addf(sb, "%" PRIu64 " B", n);
	else if (n < 1024 * 1024)
		strbuf_addf(sb, "%.1f KiB", n / 1024.0);
	else
		strbuf_addf(sb, "%.1f MiB", n / 1048576.0);
}

/* --------------------------------------------------------- progress bar */

static void erase(struct run *r)
{
	if (!r->o->progress || !r->drawn)
		return;
	fprintf(stderr, "\r\033[%dA\033[J", r->drawn);
	r->drawn = 0;
	fflush(stderr);
}

static void bar_line(struct strbuf *sb, const struct xfer *x)
{
	uint64_t now = x->start_offset + x->now;
	uint64_t total = x->total ? x->start_offset + x->total : 0;
	int width = 24, fill;

	strbuf_addf(sb, "%-40.40s ", x->job->name);
	if (total) {
		fill = (int)(now * width / (total ? total : 1));
		if (fill > width)
			fill = width;
		strbuf_addch(sb, '[');
		for (int i = 0; i < width; i++)
			strbuf_addch(sb, i < fill ? '#' : '.');
		strbuf_addf(sb, "] %3d%% ", (int)(now * 100 / total));
	}
	human(sb, now);
	if (total) {
		strbuf_addstr(sb, " of ");
		human(sb, total);
	}
	if (x->attempt || x->url)
		strbuf_addf(sb, " (attempt %d)", x->attempt + 1);
}

static void draw(struct run *r, bool force)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t t = mono_ms();
	int lines = 0;

	if (!r->o->progress || (!force && t - r->last_draw < DRAW_EVERY_MS))
		return;
	r->last_draw = t;
	if (r->drawn)
		strbuf_addf(&sb, "\r\033[%dA", r->drawn);
	for (size_t i = 0; i < r->n; i++) {
		if (r->x[i].state != X_RUNNING)
			continue;
		strbuf_addstr(&sb, "\r\033[K");
		bar_line(&sb, &r->x[i]);
		strbuf_addch(&sb, '\n');
		lines++;
	}
	strbuf_addstr(&sb, "\033[J");
	fputs(sb.buf, stderr);
	fflush(stderr);
	r->drawn = lines;
	strbuf_release(&sb);
}

static void say(struct run *r, enum pf_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A log line, with the progress block out of its way. */
static void say(struct run *r, enum pf_level level, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	erase(r);
	pf_log(&r->o->log, level, "%s", sb.buf);
	strbuf_release(&sb);
}

/* ------------------------------------------------------------ callbacks */

static int start_over(struct xfer *x)
{
	struct pf_fetch_job *j = x->job;

	if (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0)
		return -1;
	j->offset = 0;
	x->start_offset = 0;
	j->resumed = false;
	if (j->restart)
		j->restart(j->ctx);
	return 0;
}

static size_t write_cb(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct pf_fetch_job *j = x->job;
	size_t len = size * nmemb;

	if (!x->checked_first) {
		long code = 0;

		x->checked_first = true;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (x->start_offset && code == 200) {
			/* the server sends the whole file: begin again */
			say(x->run, PF_LOG_INFO, "%s: the server ignores the range request; downloading from the start",
			    j->urls[x->url]);
			if (start_over(x) < 0) {
				x->write_failed = true;
				pf_err_errno(&j->err, "%s: cannot write", j->name);
				return 0;
			}
		} else if (x->start_offset && code == 206 &&
			   x->range_start != (int64_t)x->start_offset) {
			x->bad_range = true;
			return 0;
		}
	}
	if (j->max_size && j->offset + len > j->max_size) {
		x->too_big = true;
		return 0;
	}
	if (pf_write_all(j->fd, buf, len) < 0) {
		x->write_failed = true;
		pf_err_errno(&j->err, "%s: cannot write", j->name);
		return 0;
	}
	if (j->data)
		j->data(j->ctx, buf, len);
	j->offset += len;
	return len;
}

static size_t header_cb(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * nmemb;
	static const char cr[] = "content-range:";

	if (len > 5 && !strncmp(buf, "HTTP/", 5)) {
		x->range_start = -1;    /* a new response (after a redirect) */
	} else if (len > sizeof(cr) && !strncasecmp(buf, cr, sizeof(cr) - 1)) {
		const char *p = buf + sizeof(cr) - 1;
		char line[128];
		unsigned long long a;

		snprintf(line, sizeof(line), "%.*s", (int)(len - (p - buf)), p);
		if (sscanf(line, " bytes %llu-", &a) == 1)
			x->range_start = (int64_t)a;
	}
	return len;
}

static int progress_cb(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ctx;

	(void)ultotal;
	(void)ulnow;
	x->now = dlnow > 0 ? (uint64_t)dlnow : 0;
	x->total = dltotal > 0 ? (uint64_t)dltotal : 0;
	return 0;
}

/* ------------------------------------------------------------ transfers */

static int start(struct run *r, struct xfer *x, struct pf_err *e)
{
	const struct pf_fetch_opts *o = r->o;
	struct pf_fetch_job *j = x->job;
	const char *url = j->urls[x->url];
	char range[32] = "";
	CURL *c;

	if (lseek(j->fd, (off_t)j->offset, SEEK_SET) < 0 || ftruncate(j->fd, (off_t)j->offset) < 0)
		return pf_err_errno(e, "%s: cannot write", j->name);
	c = curl_easy_init();
	if (!c)
		return pf_err_set(e, PF_EFAIL, "cannot start a download (libcurl)");
	x->easy = c;
	x->errbuf[0] = '\0';
	x->start_offset = j->offset;
	x->range_start = -1;
	x->checked_first = x->too_big = x->bad_range = x->write_failed = false;
	x->now = x->total = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http,file");
	/* a redirect may not leave https, nor go to any other protocol */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
			 pf_starts_with(url, "http://") ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)o->max_redirs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (j->offset) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", j->offset);
		curl_easy_setopt(c, CURLOPT_RANGE, range);
		j->resumed = true;
	}
	if (curl_multi_add_handle(r->multi, c) != CURLM_OK) {
		curl_easy_cleanup(c);
		x->easy = NULL;
		return pf_err_set(e, PF_EFAIL, "cannot start a download (libcurl)");
	}
	x->state = X_RUNNING;
	if (j->offset)
		say(r, PF_LOG_DEBUG, "GET %s from byte %" PRIu64, url, j->offset);
	else
		say(r, PF_LOG_DEBUG, "GET %s", url);
	return 0;
}

/* Why the attempt failed (into why) and what to do about it. */
static enum verdict judge(struct run *r, struct xfer *x, CURLcode code,
			  struct strbuf *why, long *retry_after)
{
	const struct pf_fetch_opts *o = r->o;
	struct pf_fetch_job *j = x->job;
	const char *eb = x->errbuf[0] ? x->errbuf : curl_easy_strerror(code);
	long http = 0, oserr = 0;
	curl_off_t ra = 0, conn = 0, clen = -1;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra);
	curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	*retry_after = ra > 0 ? (long)ra : 0;

	if (x->write_failed)
		return V_FATAL;         /* j->err says why */
	if (x->too_big) {
		strbuf_addf(why, "larger than %" PRIu64 " bytes: not what was asked for", j->max_size);
		return V_NEXT_URL;
	}
	if (x->bad_range) {
		strbuf_addf(why, "the server answered the range request from byte %" PRIu64
			    " with bytes from %" PRId64, x->start_offset, x->range_start);
		return start_over(x) < 0 ? V_FATAL : V_RETRY;
	}
	switch (code) {
	case CURLE_HTTP_RETURNED_ERROR: {
		const char *reason = http_reason(http);

		strbuf_addf(why, "HTTP %ld", http);
		if (reason)
			strbuf_addf(why, " (%s)", reason);
		if (http == 416) {
			/* what we hold is no prefix of the file: start over */
			return start_over(x) < 0 ? V_FATAL : V_RETRY;
		}
		if (http >= 500 || http == 429 || http == 408)
			return V_RETRY;
		return V_NEXT_URL;
	}
	case CURLE_OPERATION_TIMEDOUT:
		if (conn > 0 || pf_starts_with(j->urls[x->url], "file:"))
			strbuf_addf(why, "too slow: less than %ld bytes/s for %ld s",
				    o->low_speed_limit, o->low_speed_time);
		else
			strbuf_addf(why, "no connection within %ld s", o->connect_timeout);
		return V_RETRY;
	case CURLE_PARTIAL_FILE:
		strbuf_addf(why, "the connection closed after %" PRIu64 " of %" PRId64 " bytes",
			    j->offset, clen >= 0 ? (int64_t)(x->start_offset + clen) : (int64_t)-1);
		return V_RETRY;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		strbuf_addf(why, "connection lost: %s", oserr ? strerror((int)oserr) : eb);
		return V_RETRY;
	case CURLE_GOT_NOTHING:
		strbuf_addstr(why, "the server closed the connection without a reply");
		return V_RETRY;
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		strbuf_addf(why, "HTTP/2 error: %s", eb);
		return V_RETRY;
	case CURLE_TOO_MANY_REDIRECTS:
		strbuf_addf(why, "too many redirects (more than %d)", o->max_redirs);
		return V_NEXT_URL;
	case CURLE_PEER_FAILED_VERIFICATION:
		strbuf_addf(why, "the server's TLS certificate is not trusted: %s", eb);
		return V_NEXT_URL;
	case CURLE_SSL_CONNECT_ERROR:
		strbuf_addf(why, "TLS handshake failed: %s", eb);
		return V_NEXT_URL;
	case CURLE_COULDNT_CONNECT:
		strbuf_addf(why, "cannot connect: %s", oserr ? strerror((int)oserr) : eb);
		return V_NEXT_URL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		strbuf_addf(why, "cannot resolve the host name: %s", eb);
		return V_NEXT_URL;
	case CURLE_FILE_COULDNT_READ_FILE:
		strbuf_addstr(why, "no such file");
		return V_NEXT_URL;
	case CURLE_UNSUPPORTED_PROTOCOL: {
		long redirects = 0;
		char *to = NULL;

		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &redirects);
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &to);
		if (redirects && to)
			strbuf_addf(why, "redirected to %s: not followed (https may only redirect to https, http to http or https)",
				    to);
		else
			strbuf_addf(why, "unsupported protocol: %s", eb);
		return V_NEXT_URL;
	}
	default:
		strbuf_addf(why, "%s", eb);
		return V_NEXT_URL;
	}
}

static void fail_job(struct xfer *x)
{
	struct pf_fetch_job *j = x->job;

	if (j->nurls == 1)
		pf_err_set(&j->err, PF_EFAIL, "%s", x->reasons.buf);
	else
		pf_err_set(&j->err, PF_EFAIL, "%s: no mirror has it: %s", j->name, x->reasons.buf);
	x->state = X_DONE;
}

static void finished(struct run *r, struct xfer *x, CURLcode code)
{
	struct pf_fetch_job *j = x->job;
	const char *url = j->urls[x->url];
	struct strbuf why = STRBUF_INIT;
	enum verdict v = V_DONE;
	long retry_after = 0;

	if (code == CURLE_OK && !x->too_big && !x->bad_range && !x->write_failed) {
		long http = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &http);
		if (x->start_offset && !x->checked_first && http == 200 && start_over(x) < 0)
			x->write_failed = true;
	}
	if (code != CURLE_OK || x->too_big || x->bad_range || x->write_failed)
		v = judge(r, x, code, &why, &retry_after);
	curl_multi_remove_handle(r->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;

	switch (v) {
	case V_DONE:
		j->ok = true;
		j->url_used = x->url;
		x->state = X_DONE;
		if (r->o->progress) {
			struct strbuf sb = STRBUF_INIT;
			erase(r);
			human(&sb, j->offset);
			fprintf(stderr, "%-40.40s %s\n", j->name, sb.buf);
			strbuf_release(&sb);
		}
		say(r, PF_LOG_DEBUG, "%s: %" PRIu64 " bytes from %s", j->name, j->offset, url);
		break;
	case V_RETRY:
		if (x->attempt < r->o->retries) {
			long delay = pf_fetch_backoff_ms(r->o, ++x->attempt, retry_after);

			x->next_at = mono_ms() + delay;
			x->state = X_WAITING;
			if (j->offset)
				say(r, PF_LOG_INFO, "%s: %s; resuming at byte %" PRIu64 " in %ld ms (attempt %d of %d)",
				    url, why.buf, j->offset, delay, x->attempt + 1, r->o->retries + 1);
			else
				say(r, PF_LOG_INFO, "%s: %s; retrying in %ld ms (attempt %d of %d)",
				    url, why.buf, delay, x->attempt + 1, r->o->retries + 1);
			break;
		}
		strbuf_addf(&why, " (gave up after %d attempt%s)", x->attempt + 1,
			    x->attempt ? "s" : "");
		/* fall through */
	case V_NEXT_URL:
		if (x->reasons.len)
			strbuf_addstr(&x->reasons, "; ");
		strbuf_addf(&x->reasons, "%s: %s", url, why.buf);
		if (x->url + 1 < j->nurls) {
			say(r, PF_LOG_INFO, "%s: %s; trying the next mirror", url, why.buf);
			x->url++;
			x->attempt = 0;
			x->next_at = 0;
			x->state = X_WAITING;
		} else {
			fail_job(x);
		}
		break;
	case V_FATAL:
		if (!j->err.msg.len)
			pf_err_set(&j->err, PF_EFAIL, "%s: %s", url, why.buf);
		x->state = X_DONE;
		break;
	}
	strbuf_release(&why);
}

int pf_fetch_run(struct pf_fetch_job *const *jobs, size_t n,
		 const struct pf_fetch_opts *o, struct pf_err *e)
{
	static bool curl_ready;
	struct run r;
	size_t left = n, failed = 0;
	int ret = -1, running = 0;

	memset(&r, 0, sizeof(r));
	if (!curl_ready) {
		if (load_libcurl(e) < 0)
			return -1;
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return pf_err_set(e, PF_EFAIL, "cannot initialise libcurl");
		curl_ready = true;
	}
	r.o = o;
	r.n = n;
	r.x = pf_calloc(n, sizeof(*r.x));
	r.multi = curl_multi_init();
	if (!r.multi) {
		pf_err_set(e, PF_EFAIL, "cannot initialise libcurl");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r.x[i].run = &r;
		r.x[i].job = jobs[i];
		strbuf_init(&r.x[i].reasons, 0);
		jobs[i]->ok = false;
		jobs[i]->resumed = false;
		if (!jobs[i]->nurls) {
			pf_err_set(&jobs[i]->err, PF_EFAIL, "%s: no URL to fetch it from", jobs[i]->name);
			r.x[i].state = X_DONE;
			left--;
			failed++;
		}
	}
	while (left) {
		int64_t now = mono_ms(), wait = DRAW_EVERY_MS;
		int active = 0;
		CURLMsg *msg;
		int q;

		for (size_t i = 0; i < n; i++)
			active += r.x[i].state == X_RUNNING;
		for (size_t i = 0; i < n && active < o->parallel; i++) {
			struct xfer *x = &r.x[i];
			if (x->state != X_WAITING)
				continue;
			if (x->next_at > now) {
				if (x->next_at - now < wait)
					wait = x->next_at - now;
				continue;
			}
			if (start(&r, x, e) < 0)
				goto out;
			active++;
		}
		if (curl_multi_perform(r.multi, &running) != CURLM_OK) {
			pf_err_set(e, PF_EFAIL, "download failed (libcurl multi)");
			goto out;
		}
		while ((msg = curl_multi_info_read(r.multi, &q)) != NULL) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			finished(&r, x, msg->data.result);
			if (x->state == X_DONE) {
				left--;
				failed += !x->job->ok;
			}
		}
		draw(&r, false);
		if (left && curl_multi_poll(r.multi, NULL, 0, (int)(wait > 0 ? wait : 0), NULL) != CURLM_OK) {
			pf_err_set(e, PF_EFAIL, "download failed (libcurl poll)");
			goto out;
		}
	}
	erase(&r);
	if (!failed) {
		ret = 0;
	} else if (n == 1) {
		pf_err_set(e, PF_EFAIL, "%s", jobs[0]->err.msg.buf);
	} else {
		pf_err_set(e, PF_EFAIL, "%zu of %zu downloads failed", failed, n);
	}
out:
	erase(&r);
	for (size_t i = 0; i < n; i++) {
		if (r.x[i].easy) {
			curl_multi_remove_handle(r.multi, r.x[i].easy);
			curl_easy_cleanup(r.x[i].easy);
		}
		strbuf_release(&r.x[i].reasons);
	}
	if (r.multi)
		curl_multi_cleanup(r.multi);
	free(r.x);
	return ret;
}

void pf_fetch_job_release(struct pf_fetch_job *j)
{
	pf_err_release(&j->err);
}
