// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The index cache (.pkgforge/index-cache): for every package of the
 * repository, its cache key (path, size, mtime, inode), digests, what
 * check needs and the fields its index writes (each with its SHA-256,
 * which names the index pieces it goes in), so that a package is
 * read once.  Binary records (their layout is above put_pkg()): every
 * run loads all of them, even one that adds a single package, so they
 * load without parsing text.  They come in segments, each "KIND LEN
 * CRC64\n" then LEN bytes of records whose CRC-64 (xz's, ECMA-182, 16
 * hex digits) that is: one "base", written whole, then any number of
 * "batch"es appended by runs that changed a few packages (their records
 * replace those of the same path; "gone" records say which packages
 * left).  The file is written anew when stale records would outnumber
 * the others, or when it has other names (a copy made with hard
 * links).  A batch cut short at the end (a run killed while appending)
 * is ignored; a segment whose CRC does not match, or anything else that
 * does not parse, drops the cache (every package is read again): a
 * damaged cache never reaches an index.  The file is mapped, and loaded
 * packages' strings point into it (borrowed) for as long as the cache
 * lives.
 */
#include <endian.h>
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

#define MAGIC "pkgforge-index-cache 7 " PF_VERSION "\n"
#define MAX_CACHE (4ULL << 30)

struct pf_repocache {
	struct pf_map file;             /* the loaded file: borrowed strings */
	size_t records;                 /* package and gone records in it */
	bool torn;                      /* a batch cut short at its end */
	bool fresh;                     /* no usable file: write it whole */
	struct pf_strlist gone;         /* paths left since it was loaded */
	struct pf_strmap paths;         /* the load's map, if whole (take_paths) */
};

/*
 * A package's record: a fixed head, then its strings.  All integers are
 * little-endian.
 *
 *   0   'P'
 *   1   format (enum pf_fmt_id)
 *   2   flags: 1 published, 2 md5 there
 *   3   0
 *   4   size, inode, mtime (ns), build time: 8 bytes each
 *   36  sha256, 64 hex digits; md5, 32 (zeros when not there)
 *   132 the SHA-256 of each field (zeros when it is not there), 3 x 32
 *   228 the strings, in the order of the S_ names below: each a 4-byte
 *       length (NO_STR: not there), its bytes and a NUL
 *
 * Lists are NUL-separated (each item with its own NUL, but the last).
 * A gone record is 'G' and one string.  Loading reads lengths and
 * points into the file: no tag to compare, no number to parse.
 */
#define REC_HEAD 228
#define NSTR (6 + PF_REL_NR + 1 + 3)
#define NO_STR 0xffffffffu
#define F_PUB 1u
#define F_MD5 2u

/* "the strings" of a record: path, name, version, arch, ident, sigkey,
 * rel[0..PF_REL_NR), files, field[0..3) */
enum { S_PATH, S_NAME, S_VERSION, S_ARCH, S_IDENT, S_SIGKEY, S_REL,
       S_FILES = S_REL + PF_REL_NR, S_FIELD };

static void put_str(struct strbuf *sb, const char *v, size_t len)
{
	if (!v) {
		strbuf_add_le(sb, NO_STR, 4);
		return;
	}
	strbuf_add_le(sb, len, 4);
	strbuf_add(sb, v, len);
	strbuf_addch(sb, '\0');
}

static void put_cstr(struct strbuf *sb, const char *v)
{
	put_str(sb, v, v ? strlen(v) : 0);
}

/* NUL-separated */
static void put_list(struct strbuf *sb, const struct pf_strlist *l)
{
	size_t total = 0;

	for (size_t i = 0; i < l->nr; i++)
		total += strlen(l->v[i]) + 1;
	strbuf_add_le(sb, total ? total - 1 : 0, 4);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_add(sb, l->v[i], strlen(l->v[i]) + 1);   /* its NUL too */
	if (!l->nr)
		strbuf_addch(sb, '\0');
}

static void put_pkg(struct strbuf *sb, const struct pf_repopkg *p)
{
	unsigned char head[4] = { 'P', (unsigned char)p->fmt,
				  (unsigned char)((p->published ? F_PUB : 0) | (p->md5[0] ? F_MD5 : 0)),
				  0 };
	static const char zeros[64];

	strbuf_add(sb, head, 4);
	strbuf_add_le(sb, p->size, 8);
	strbuf_add_le(sb, p->ino, 8);
	strbuf_add_le(sb, (uint64_t)p->mtime_ns, 8);
	strbuf_add_le(sb, (uint64_t)p->buildtime, 8);
	strbuf_add(sb, p->sha256, 64);
	strbuf_add(sb, p->md5[0] ? p->md5 : zeros, 32);
	for (int k = 0; k < 3; k++)
		strbuf_add(sb, p->field[k] ? (const char *)p->field_sha[k] : zeros, 32);
	put_cstr(sb, p->relpath);
	put_cstr(sb, p->info.name);
	put_cstr(sb, p->info.version);
	put_cstr(sb, p->info.arch);
	put_cstr(sb, p->ident);
	put_cstr(sb, p->sigkey[0] ? p->sigkey : NULL);
	for (int k = 0; k <= PF_REL_NR; k++) {
		/* as loaded, or made */
		if (p->lists_raw)
			put_str(sb, p->list_raw[k] ? p->list_raw[k] : "", p->list_len[k]);
		else
			put_list(sb, k < PF_REL_NR ? &p->info.rel[k] : &p->info.files);
	}
	for (int k = 0; k < 3; k++)
		put_str(sb, p->field[k], p->field_len[k]);
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

	for (size_t i = 0; i < rc->gone.nr; i++) {
		strbuf_addch(&sb, 'G');
		put_cstr(&sb, rc->gone.v[i]);
	}
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
	pf_strmap_release(&rc->paths);
	free(rc);
}

bool pf_repocache_take_paths(struct pf_repocache *rc, struct pf_strmap *out)
{
	if (!rc || !rc->paths.nr)
		return false;
	*out = rc->paths;
	memset(&rc->paths, 0, sizeof(rc->paths));
	return true;
}

/* The items of a NUL-separated list of len bytes (none when empty). */
static size_t list_items(const char *v, size_t len)
{
	size_t nr = 1;

	if (!len)
		return 0;
	for (const char *p = v, *end = v + len; (p = memchr(p, '\0', (size_t)(end - p))); p++)
		nr++;
	return nr;
}

/* A NUL-separated list, borrowed, into l, its array at slots. */
static void get_list(struct pf_strlist *l, char **slots, const char *v, size_t len)
{
	if (!len)
		return;
	l->v = slots;
	for (const char *end = v + len;;) {
		size_t k = strnlen(v, (size_t)(end - v));

		l->v[l->nr++] = (char *)v;
		if (v + k >= end)
			break;
		v += k + 1;
	}
	l->alloc = l->nr;
}

/* The arrays of all the lists in one allocation (some 2,000 packages
 * a run, each with a few lists: one each was most of the cost). */
void pf_repopkg_lists(struct pf_repopkg *p)
{
	size_t nr[PF_REL_NR + 1], all = 0;

	if (!p->lists_raw)
		return;
	for (int k = 0; k <= PF_REL_NR; k++)
		all += nr[k] = list_items(p->list_raw[k], p->list_len[k]);
	p->lists_block = all ? pf_malloc(all * sizeof(*p->lists_block)) : NULL;
	all = 0;
	for (int k = 0; k <= PF_REL_NR; k++) {
		get_list(k < PF_REL_NR ? &p->info.rel[k] : &p->info.files, p->lists_block + all,
			 p->list_raw[k], p->list_len[k]);
		all += nr[k];
	}
	p->lists_raw = false;
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

/* Little-endian numbers of a record, read in place (some 40,000 a run:
 * pf_get_le's loop of bytes was half of what loading cost, the CRC
 * aside). */
static uint32_t le32_at(const char *s)
{
	uint32_t v;

	memcpy(&v, s, 4);
	return le32toh(v);
}

static uint64_t le64_at(const char *s)
{
	uint64_t v;

	memcpy(&v, s, 8);
	return le64toh(v);
}

/* A string of a record at *s: *v is NULL when it is not there; false
 * when it runs past end or lacks its NUL. */
static bool get_str(const char **s, const char *end, const char **v, size_t *len)
{
	uint64_t n;

	if (end - *s < 4)
		return false;
	n = le32_at(*s);
	*s += 4;
	if (n == NO_STR) {
		*v = NULL;
		*len = 0;
		return true;
	}
	if (n >= (uint64_t)(end - *s) || (*s)[n] != '\0')
		return false;
	*v = *s;
	*len = (size_t)n;
	*s += n + 1;
	return true;
}

/* The package's record at *sp (its 'P' first) into a new package, *sp
 * past it; NULL when it makes no sense.  Offsets as put_pkg() has
 * them. */
static struct pf_repopkg *get_pkg(const char **sp, const char *end)
{
	struct pf_repopkg *p;
	const char *s = *sp, *str[NSTR];
	size_t len[NSTR];
	unsigned flags;

	if (end - s < REC_HEAD || s[0] != 'P')
		return NULL;
	flags = (unsigned char)s[2];
	if ((unsigned char)s[1] >= PF_FMT_NR || flags & ~(F_PUB | F_MD5) || s[3])
		return NULL;
	p = pf_calloc(1, sizeof(*p));
	p->borrowed = true;
	p->fmt = (enum pf_fmt_id)(unsigned char)s[1];
	p->info.fmt = p->fmt;
	p->published = flags & F_PUB;
	p->size = le64_at(s + 4);
	p->ino = le64_at(s + 12);
	p->mtime_ns = (int64_t)le64_at(s + 20);
	p->buildtime = (int64_t)le64_at(s + 28);
	memcpy(p->sha256, s + 36, 64);
	if (flags & F_MD5)
		memcpy(p->md5, s + 100, 32);
	if (strlen(p->md5) != (flags & F_MD5 ? 32 : 0))
		goto bad;
	memcpy(p->field_sha, s + 132, sizeof(p->field_sha));
	s += REC_HEAD;
	for (int k = 0; k < NSTR; k++)
		if (!get_str(&s, end, &str[k], &len[k]))
			goto bad;
	/* what every package has */
	if (!str[S_PATH] || !str[S_NAME] || !str[S_VERSION] || !str[S_ARCH] || !str[S_IDENT] ||
	    strlen(p->sha256) != 64 || (str[S_SIGKEY] && len[S_SIGKEY] >= sizeof(p->sigkey)))
		goto bad;
	for (int k = 0; k <= PF_REL_NR; k++)
		if (!str[S_REL + k])
			goto bad;
	p->relpath = (char *)str[S_PATH];
	p->info.path = p->relpath;
	p->info.name = (char *)str[S_NAME];
	p->info.version = (char *)str[S_VERSION];
	p->info.arch = (char *)str[S_ARCH];
	p->ident = (char *)str[S_IDENT];
	if (str[S_SIGKEY])
		memcpy(p->sigkey, str[S_SIGKEY], len[S_SIGKEY] + 1);
	for (int k = 0; k <= PF_REL_NR; k++) {
		p->list_raw[k] = str[S_REL + k];
		p->list_len[k] = len[S_REL + k];
	}
	p->lists_raw = true;
	for (int k = 0; k < 3; k++) {
		p->field[k] = (char *)str[S_FIELD + k];
		p->field_len[k] = len[S_FIELD + k];
	}
	p->saved = true;
	p->saved_pub = p->published;
	*sp = s;
	return p;
bad:
	drop(p);
	return NULL;
}

/* The records of one segment, [s, end); false when they make no sense.
 * *crc gets the segment's CRC-64 when they do. */
static bool parse_records(struct loading *l, const char *s, const char *end, bool batch,
			  uint64_t *crc)
{
	struct crc_ahead ca = { s, end, 0 };

	while (s < end) {
		struct pf_repopkg *p;
		ssize_t k;

		if (ca.at - s < (ptrdiff_t)(CRC_AHEAD / 2))
			crc_upto(&ca, s);
		if (*s == 'G') {
			const char *path;
			size_t len;

			s++;
			if (!batch || !get_str(&s, end, &path, &len) || !path)
				return false;
			k = find(&l->paths, path);
			if (k >= 0 && l->v[k]) {
				drop(l->v[k]);
				l->v[k] = NULL;
			}
			l->records++;
			continue;
		}
		if (!(p = get_pkg(&s, end)))
			return false;
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
		l->records++;
	}
	crc_upto(&ca, end);
	*crc = ca.crc;
	return true;
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
	{
		/* the map says where each went when the list was empty
		 * and no record left a gap: it is kept for the caller */
		bool whole = !*n;

		for (size_t i = 0; i < l.nv; i++) {
			if (!l.v[i]) {
				whole = false;
				continue;
			}
			PF_ALLOC_GROW(*pkgs, *n + 1, *alloc);
			(*pkgs)[(*n)++] = l.v[i];
			l.v[i] = NULL;
		}
		if (whole) {
			rc->paths = l.paths;
			memset(&l.paths, 0, sizeof(l.paths));
		}
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
