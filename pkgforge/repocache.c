// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The index cache (.pkgforge/index-cache): for every package of the
 * repository, its cache key (path, size, mtime, inode), digests, what
 * check needs and the fields its index writes (each with its SHA-256,
 * which names the index pieces it goes in), so that a package is
 * read once.  Records, each field "TAG LEN\n" then LEN bytes and a NUL;
 * lists are NUL-separated.  They come in segments, each "KIND LEN
 * CRC64\n" then LEN bytes of records whose CRC-64 (xz's, ECMA-182, 16
 * hex digits) that is: one
 * "base", written whole, then any number of "batch"es appended by runs
 * that changed a few packages (their records replace those of the same
 * path; "gone" records say which packages left).  The file is written
 * anew when stale records would outnumber the others, or when it has
 * other names (a copy made with hard links).  A batch cut short at the
 * end (a run killed while appending) is ignored; a segment whose
 * CRC does not match, or anything else that does not parse, drops
 * the cache (every package is read again): a damaged cache never
 * reaches an index.  The file is mapped, and loaded packages' strings
 * point into it (borrowed) for as long as the cache lives.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <lzma.h>

#include "ofile.h"
#include "repofmt.h"
#include "strmap.h"
#include "util.h"
#include "banned.h"

#define MAGIC "pkgforge-index-cache 5 " PF_VERSION "\n"
#define MAX_CACHE (4ULL << 30)

struct pf_repocache {
	struct pf_map file;             /* the loaded file: borrowed strings */
	size_t records;                 /* package and gone records in it */
	bool torn;                      /* a batch cut short at its end */
	bool fresh;                     /* no usable file: write it whole */
	struct pf_strlist gone;         /* paths left since it was loaded */
};

/* v in decimal at the end of buf (22 bytes), returning where it starts */
static char *utoa(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* "TAG LEN\n", in one piece */
static void put_head(struct strbuf *sb, const char *tag, size_t len)
{
	char head[48], *end = head + sizeof(head), *d = utoa(end - 1, len);
	size_t t = strlen(tag);

	end[-1] = '\n';
	d -= t + 1;
	memcpy(d, tag, t);
	d[t] = ' ';
	strbuf_add(sb, d, (size_t)(end - d));
}

/* "TAG LEN\n", the value and a NUL */
static void put_field(struct strbuf *sb, const char *tag, const char *val, size_t len)
{
	put_head(sb, tag, len);
	strbuf_add(sb, val, len);
	strbuf_addch(sb, '\0');
}

static void put_str(struct strbuf *sb, const char *tag, const char *val)
{
	if (val)
		put_field(sb, tag, val, strlen(val));
}

static void put_num(struct strbuf *sb, const char *tag, int64_t v)
{
	char num[24], *end = num + sizeof(num), *d;

	d = utoa(end, v < 0 ? -(uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--d = '-';
	put_field(sb, tag, d, (size_t)(end - d));
}

/* NUL-separated (each item with its own NUL, but the last) */
static void put_list(struct strbuf *sb, const char *tag, const struct pf_strlist *l)
{
	size_t total = 0;

	for (size_t i = 0; i < l->nr; i++)
		total += strlen(l->v[i]) + 1;
	put_head(sb, tag, total ? total - 1 : 0);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_add(sb, l->v[i], strlen(l->v[i]) + 1);   /* its NUL too */
	if (!l->nr)
		strbuf_addch(sb, '\0');
}

static void put_pkg(struct strbuf *sb, const struct pf_repopkg *p)
{
	static const char *const rtags[PF_REL_NR] = { "r0", "r1", "r2", "r3", "r4", "r5" };
	static const char *const ftags[3] = { "f0", "f1", "f2" };
	static const char *const dtags[3] = { "d0", "d1", "d2" };
	char hex[65];

	put_str(sb, "path", p->relpath);
	put_num(sb, "fmt", p->fmt);
	put_num(sb, "size", (int64_t)p->size);
	put_num(sb, "ino", (int64_t)p->ino);
	put_num(sb, "mtime", p->mtime_ns);
	put_num(sb, "btime", p->buildtime);
	put_str(sb, "sha256", p->sha256);
	if (p->md5[0])
		put_str(sb, "md5", p->md5);
	put_str(sb, "name", p->info.name);
	put_str(sb, "version", p->info.version);
	put_str(sb, "arch", p->info.arch);
	for (int k = 0; k <= PF_REL_NR; k++) {
		const char *tag = k < PF_REL_NR ? rtags[k] : "files";

		/* as loaded, or made */
		if (p->lists_raw)
			put_field(sb, tag, p->list_raw[k] ? p->list_raw[k] : "", p->list_len[k]);
		else
			put_list(sb, tag, k < PF_REL_NR ? &p->info.rel[k] : &p->info.files);
	}
	for (int k = 0; k < 3; k++) {
		if (!p->field[k])
			continue;
		pf_hex(hex, p->field_sha[k], 32);
		put_field(sb, ftags[k], p->field[k], p->field_len[k]);
		put_field(sb, dtags[k], hex, 64);
	}
	put_str(sb, "ident", p->ident);
	if (p->sigkey[0])
		put_str(sb, "sigkey", p->sigkey);
	put_num(sb, "pub", p->published);
	put_str(sb, "end", "");
}

/*
 * A segment's check: CRC-64 guards against damage (a torn write, a bad
 * disk), not against someone who may write .pkgforge, and it is several
 * times quicker than SHA-256 over a cache of megabytes, read every run.
 */
static void crc_hex(uint64_t crc, char hex[17])
{
	snprintf(hex, 17, "%016" PRIx64, crc);
}

/* "KIND LEN CRC64\n": a segment's header, appended to out */
static void segment_head(struct strbuf *out, const char *kind, const struct strbuf *data)
{
	char hex[17];

	crc_hex(lzma_crc64((const uint8_t *)data->buf, data->len, 0), hex);
	strbuf_addf(out, "%s %zu %s\n", kind, data->len, hex);
}

static bool unsaved(const struct pf_repopkg *p)
{
	return !p->saved || p->published != p->saved_pub;
}

void pf_repocache_gone(struct pf_repocache *rc, const struct pf_repopkg *p)
{
	if (rc && p->saved)
		pf_strlist_add(&rc->gone, pf_strdup(p->relpath));
}

/* Append a batch of what changed: true when done. */
static bool append(struct pf_repocache *rc, const char *path, struct pf_repopkg *const *pkgs,
		   size_t n, size_t changed)
{
	struct strbuf sb = STRBUF_INIT, head = STRBUF_INIT;
	struct stat st;
	bool ok = false;
	int fd;

	for (size_t i = 0; i < rc->gone.nr; i++)
		put_str(&sb, "gone", rc->gone.v[i]);
	for (size_t i = 0; i < n; i++)
		if (unsaved(pkgs[i]))
			put_pkg(&sb, pkgs[i]);
	segment_head(&head, "batch", &sb);
	strbuf_insert(&sb, 0, head.buf, head.len);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	/* a file other names share (a copy made with hard links) is
	 * replaced, not changed under them */
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_nlink != 1)) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		ok = pf_write_all(fd, sb.buf, sb.len) == 0;
		ok &= close(fd) == 0;
	}
	if (ok)
		rc->records += rc->gone.nr + changed;
	strbuf_release(&sb);
	strbuf_release(&head);
	return ok;
}

int pf_repocache_save(struct pf_repocache *rc, const char *path, struct pf_repopkg *const *pkgs,
		      size_t n, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT, head = STRBUF_INIT;
	size_t changed = 0, want = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		changed += unsaved(pkgs[i]);
	if (!changed && !rc->gone.nr && !rc->fresh && !rc->torn)
		return 0;
	/* a few changed: appended, while the stale records stay few */
	if (!rc->fresh && !rc->torn && rc->records + rc->gone.nr + changed <= 2 * n + 16 &&
	    append(rc, path, pkgs, n, changed))
		goto saved;
	/* the whole file: the buffer grown once (the index fields and some
	 * 1.5 KiB of the rest a package), the head written before it rather
	 * than moved in front of megabytes */
	for (size_t i = 0; i < n; i++)
		want += pkgs[i]->field_len[0] + pkgs[i]->field_len[1] + pkgs[i]->field_len[2] + 1536;
	strbuf_grow(&sb, want);
	for (size_t i = 0; i < n; i++)
		put_pkg(&sb, pkgs[i]);
	strbuf_addstr(&head, MAGIC);
	segment_head(&head, "base", &sb);
	/* a cache: a lost one costs a run that reads everything, an fsync
	 * of megabytes costs every run */
	{
		struct iovec iov[2] = { { head.buf, head.len }, { sb.buf, sb.len } };

		ret = pf_ofile_putv_nosync(path, iov, 2, e);
	}
	strbuf_release(&sb);
	strbuf_release(&head);
	if (ret < 0)
		return -1;
	rc->records = n;
	rc->fresh = rc->torn = false;
saved:
	for (size_t i = 0; i < n; i++) {
		pkgs[i]->saved = true;
		pkgs[i]->saved_pub = pkgs[i]->published;
	}
	pf_strlist_release(&rc->gone);
	return 0;
}

bool pf_repocache_torn(const struct pf_repocache *rc)
{
	return rc->torn;
}

void pf_repocache_free(struct pf_repocache *rc)
{
	if (!rc)
		return;
	pf_unmap(&rc->file);
	pf_strlist_release(&rc->gone);
	free(rc);
}

/* A NUL-separated list, borrowed: the array is the package's own. */
static void get_list(struct pf_strlist *l, const char *v, size_t len)
{
	size_t nr = 1;

	if (!len)
		return;
	for (const char *p = v, *end = v + len; (p = memchr(p, '\0', (size_t)(end - p))); p++)
		nr++;
	l->v = pf_malloc(nr * sizeof(*l->v));
	l->alloc = nr;
	for (const char *end = v + len;;) {
		size_t k = strnlen(v, (size_t)(end - v));

		l->v[l->nr++] = (char *)v;
		if (v + k >= end)
			break;
		v += k + 1;
	}
}

void pf_repopkg_lists(struct pf_repopkg *p)
{
	if (!p->lists_raw)
		return;
	for (int k = 0; k <= PF_REL_NR; k++)
		get_list(k < PF_REL_NR ? &p->info.rel[k] : &p->info.files, p->list_raw[k],
			 p->list_len[k]);
	p->lists_raw = false;
}

/* a decimal integer, all of v; what is not one, or does not fit, is not */
static bool get_num(const char *v, int64_t *out)
{
	bool neg = *v == '-';
	uint64_t n = 0;
	const char *s = v + neg;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_C(1) << 63) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (n > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - n) : (int64_t)n;
	return true;
}

/* One field into p; false when the record makes no sense. */
/* 64 lower-case hex digits into 32 bytes (a table: there are thousands) */
static bool unhex(unsigned char *out, const char *s, size_t len)
{
	/* each digit's value plus one; 0 for what is not one */
	static const unsigned char val[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
		['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
		['e'] = 15, ['f'] = 16,
	};
	const unsigned char *u = (const unsigned char *)s;
	bool ok = true;

	if (len != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		unsigned hi = val[u[2 * i]], lo = val[u[2 * i + 1]];

		ok &= hi && lo;
		out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return ok;
}

/* "dK": the digest of field K, which comes before it; have records it */
static bool take_digest(struct pf_repopkg *p, const char *tag, const char *v, size_t len,
			unsigned *have)
{
	int k = tag[1] - '0';

	if (k < 0 || k > 2 || tag[2] || !p->field[k] || !unhex(p->field_sha[k], v, len))
		return false;
	*have |= 1u << k;
	return true;
}

static bool take(struct pf_repopkg *p, const char *tag, const char *cv, size_t len)
{
	char *v = (char *)cv;           /* borrowed: never written */
	int64_t num;

	switch (tag[0]) {
	case 'a':
		if (strcmp(tag, "arch"))
			return false;
		p->info.arch = v;
		return true;
	case 'b':
		if (strcmp(tag, "btime") || !get_num(v, &num))
			return false;
		p->buildtime = num;
		return true;
	case 'f':
		if (tag[1] >= '0' && tag[1] <= '2' && !tag[2]) {
			p->field[tag[1] - '0'] = v;
			p->field_len[tag[1] - '0'] = len;
			return true;
		}
		if (!strcmp(tag, "files")) {
			p->list_raw[PF_REL_NR] = v;
			p->list_len[PF_REL_NR] = len;
			p->lists_raw = true;
			return true;
		}
		if (strcmp(tag, "fmt") || !get_num(v, &num) || num < 0 || num >= PF_FMT_NR)
			return false;
		p->fmt = (enum pf_fmt_id)num;
		p->info.fmt = p->fmt;
		return true;
	case 'i':
		if (!strcmp(tag, "ident")) {
			p->ident = v;
			return true;
		}
		if (strcmp(tag, "ino") || !get_num(v, &num))
			return false;
		p->ino = (uint64_t)num;
		return true;
	case 'm':
		if (!strcmp(tag, "md5") && len == 32) {
			memcpy(p->md5, v, 33);
			return true;
		}
		if (strcmp(tag, "mtime") || !get_num(v, &num))
			return false;
		p->mtime_ns = num;
		return true;
	case 'n':
		if (strcmp(tag, "name"))
			return false;
		p->info.name = v;
		return true;
	case 'p':
		if (!strcmp(tag, "path")) {
			p->relpath = v;
			return true;
		}
		if (strcmp(tag, "pub") || !get_num(v, &num))
			return false;
		p->published = num != 0;
		return true;
	case 'r':
		if (tag[1] < '0' || tag[1] >= '0' + PF_REL_NR || tag[2])
			return false;
		p->list_raw[tag[1] - '0'] = v;
		p->list_len[tag[1] - '0'] = len;
		p->lists_raw = true;
		return true;
	case 's':
		if (!strcmp(tag, "sha256") && len == 64) {
			memcpy(p->sha256, v, 65);
			return true;
		}
		if (!strcmp(tag, "sigkey") && len < sizeof(p->sigkey)) {
			memcpy(p->sigkey, v, len + 1);
			return true;
		}
		if (strcmp(tag, "size") || !get_num(v, &num))
			return false;
		p->size = (uint64_t)num;
		return true;
	case 'v':
		if (strcmp(tag, "version"))
			return false;
		p->info.version = v;
		return true;
	}
	return false;
}

static void drop(struct pf_repopkg *p)
{
	pf_repopkg_release(p);
	free(p);
}

/* The package of path among those loaded (NULL: tombstones). */
static ssize_t find(struct pf_strmap *paths, const char *path)
{
	size_t i;

	return pf_strmap_get(paths, path, &i) ? (ssize_t)i : -1;
}

/* The start of "batch LEN CRC64\n" without its newline: an append cut
 * short. */
static bool torn_header(const char *s, size_t len)
{
	const char *h = "batch ";
	int spaces = 0;

	if (len > 6 + 20 + 1 + 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (i < 6) {
			if (s[i] != h[i])
				return false;
		} else if (s[i] == ' ') {
			if (++spaces > 1)
				return false;
		} else if (!(s[i] >= '0' && s[i] <= '9') && !(spaces && s[i] >= 'a' && s[i] <= 'f')) {
			return false;
		}
	}
	return true;
}

/* What loading builds: the packages by path (NULL: gone). */
struct loading {
	struct pf_strmap paths;
	struct pf_repopkg **v;
	size_t nv, av, records;
};

/*
 * The CRC-64 of a segment, taken a little ahead of the parse: the bytes
 * are read once while in the processor's caches, not streamed through
 * for the CRC and then fetched again, field by field, for the parse.
 * What is parsed before the CRC is known is only kept if it matches.
 */
#define CRC_AHEAD (32u << 10)

struct crc_ahead {
	const char *at, *end;
	uint64_t crc;
};

static void crc_upto(struct crc_ahead *c, const char *s)
{
	const char *to = (size_t)(c->end - s) > CRC_AHEAD ? s + CRC_AHEAD : c->end;

	if (to > c->at) {
		c->crc = lzma_crc64((const uint8_t *)c->at, (size_t)(to - c->at), c->crc);
		c->at = to;
	}
}

/* The records of one segment, [s, end); false when they make no sense.
 * *crc gets the segment's CRC-64 when they do. */
static bool parse_records(struct loading *l, const char *s, const char *end, bool batch,
			  uint64_t *crc)
{
	struct pf_repopkg *p = NULL;
	struct crc_ahead ca = { s, end, 0 };
	unsigned digests = 0;

	while (s < end) {
		const char *t = s, *val;
		char tag[16];
		size_t len = 0, digits = 0;

		if (ca.at - s < (ptrdiff_t)(CRC_AHEAD / 2))
			crc_upto(&ca, s);

		/* "TAG LEN\n", read by hand: there are some 25 a package */
		while (s < end && *s != ' ' && s - t < (ptrdiff_t)sizeof(tag) - 1)
			s++;
		if (s >= end || *s != ' ')
			goto bad;
		memcpy(tag, t, (size_t)(s - t));
		tag[s - t] = '\0';
		for (s++; s < end && *s >= '0' && *s <= '9' && digits < 19; s++, digits++)
			len = len * 10 + (size_t)(*s - '0');
		if (!digits || s >= end || *s != '\n')
			goto bad;
		val = s + 1;
		if (len >= (size_t)(end - val) || val[len] != '\0')
			goto bad;
		s = val + len + 1;
		if (!p && !strcmp(tag, "gone")) {
			ssize_t k = find(&l->paths, val);

			if (!batch)
				goto bad;
			if (k >= 0 && l->v[k]) {
				drop(l->v[k]);
				l->v[k] = NULL;
			}
			l->records++;
			continue;
		}
		if (!p) {
			if (strcmp(tag, "path"))
				goto bad;
			p = pf_calloc(1, sizeof(*p));
			p->borrowed = true;
			digests = 0;
		}
		if (!strcmp(tag, "end")) {
			ssize_t k;

			if (!p->relpath || !p->info.name || !p->info.version || !p->info.arch ||
			    !p->sha256[0] || !p->ident)
				goto bad;
			for (int f = 0; f < 3; f++)
				if (p->field[f] && !(digests & (1u << f)))
					goto bad;
			p->info.path = p->relpath;
			p->saved = true;
			p->saved_pub = p->published;
			k = find(&l->paths, p->relpath);
			if (k >= 0 && l->v[k]) {
				/* a newer record of the same path: in its place */
				drop(l->v[k]);
				l->v[k] = p;
			} else {
				PF_ALLOC_GROW(l->v, l->nv + 1, l->av);
				l->v[l->nv] = p;
				pf_strmap_put(&l->paths, p->relpath, l->nv++);
			}
			p = NULL;
			l->records++;
		} else if (tag[0] == 'd' ? !take_digest(p, tag, val, (size_t)len, &digests) :
					   !take(p, tag, val, (size_t)len)) {
			goto bad;
		}
	}
	if (!p) {
		crc_upto(&ca, end);
		*crc = ca.crc;
		return true;
	}
bad:
	if (p)
		drop(p);
	return false;
}

int pf_repocache_load(const char *path, struct pf_repocache **out, struct pf_repopkg ***pkgs,
		      size_t *n, size_t *alloc)
{
	struct pf_repocache *rc = pf_calloc(1, sizeof(*rc));
	struct pf_err err = PF_ERR_INIT;
	struct loading l;
	const char *s, *end;
	bool first = true;
	int ret = 0;

	memset(&l, 0, sizeof(l));
	*out = rc;
	rc->fresh = true;
	if (pf_map_file(path, MAX_CACHE, &rc->file, &err) < 0) {
		ret = err.errnum == ENOENT ? 0 : 1;
		goto out;
	}
	if (rc->file.len < strlen(MAGIC) || memcmp(rc->file.buf, MAGIC, strlen(MAGIC))) {
		ret = 1;
		goto out;
	}
	s = rc->file.buf + strlen(MAGIC);
	end = rc->file.buf + rc->file.len;
	/* segments: "base LEN CRC64\n" then LEN bytes of records, then any
	 * number of "batch LEN CRC64\n" and theirs */
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *data;
		const char *kw = first ? "base " : "batch ";
		char *lend, want[17], got[17];
		uint64_t crc = 0;
		unsigned long long len;

		if (!nl && !first && torn_header(s, (size_t)(end - s))) {
			rc->torn = true;
			break;
		}
		if (!nl || (size_t)(nl - s) < strlen(kw) || strncmp(s, kw, strlen(kw)))
			goto bad;
		len = strtoull(s + strlen(kw), &lend, 10);
		if (*lend != ' ' || nl - lend - 1 != 16)
			goto bad;
		memcpy(want, lend + 1, 16);
		want[16] = '\0';
		data = nl + 1;
		if (len > (unsigned long long)(end - data)) {
			/* an append cut short: what came before stands */
			if (first)
				goto bad;
			rc->torn = true;
			break;
		}
		if (!parse_records(&l, data, data + len, !first, &crc))
			goto bad;
		crc_hex(crc, got);
		if (strcmp(got, want))
			goto bad;
		s = data + len;
		first = false;
	}
	if (first)
		goto bad;
	for (size_t i = 0; i < l.nv; i++) {
		if (!l.v[i])
			continue;
		PF_ALLOC_GROW(*pkgs, *n + 1, *alloc);
		(*pkgs)[(*n)++] = l.v[i];
		l.v[i] = NULL;
	}
	rc->records = l.records;
	rc->fresh = false;
	goto out;
bad:
	ret = 1;
out:
	for (size_t i = 0; i < l.nv; i++)
		if (l.v[i])
			drop(l.v[i]);
	free(l.v);
	pf_strmap_release(&l.paths);
	pf_err_release(&err);
	if (ret) {
		/* nothing of it is used */
		pf_unmap(&rc->file);
		rc->fresh = true;
	}
	return ret;
}
