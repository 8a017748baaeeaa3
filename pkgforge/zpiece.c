// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Indexes compressed piece by piece, and the cache of compressed pieces
 * (zpiece.h).  The cache file:
 *
 *   "pkgforge-zcache 5\n"
 *   per piece: method (1 byte), level (1), its identity (32),
 *              data length (8), xz unpadded size (8), CRC-32 (4),
 *              compressed length (4), the compressed bytes
 *   the CRC-64 (xz's) of everything before it (8)
 *
 * integers little-endian.  One that does not check out is ignored.  The
 * CRC is there for damage (a crash, a bad disk), as the index cache's:
 * whoever can write .pkgforge can write the feed.
 *
 * Besides pieces it keeps the states of the texts' whole digests (the
 * MD5 and SHA-256 of apt's Packages, rpm-md's open-checksum) at each
 * piece's end, so that a run hashes a text only from its first changed
 * piece on: method DSTATE + the algorithm, level 0, the identity of the
 * text up to there (the chain of its pieces' identities), the bytes
 * hashed as the data length, and as the compressed bytes the chaining
 * values (eight 32-bit words) and the bytes of the block not yet
 * hashed (digest.h's pf_dstate).
 */
#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <lzma.h>

#include "compress.h"
#include "digest.h"
#include "ofile.h"
#include "strmap.h"
#include "tarw.h"
#include "util.h"
#include "zpiece.h"
#include "banned.h"

/* 3: xz pieces compressed with other settings (compress.c); 4: a CRC-64
 * at the end instead of a SHA-256, a fifth of the time on each load and
 * save; 5: xz pieces without position bits (a piece compressed by 4
 * would give other bytes than the same piece compressed now) */
#define MAGIC "pkgforge-zcache 5\n"
#define MAX_ZCACHE (1u << 30)
/*
 * Piece sizes per method: never cut before min bytes, then at a record
 * whose hash says so (one in target bytes, on average), always by max;
 * about min + target on average.  Smaller pieces compress a little
 * worse and a change costs less to compress again: xz at level 6 is
 * slow (10-20 MB/s here, even with compress.c's quicker settings), zstd
 * and gzip are quicker and keep larger pieces.  A long min and a short
 * target keep the pieces close to their mean: the piece a change lands
 * in is more likely a long one.  The piece a change lands in (a
 * simulation of stanzas of 440 bytes, one added anywhere): xz 48 KiB
 * (89 with the (64, 24, 128) KiB of before), gzip 92 KiB (158 with
 * (112, 40, 384)): a re-index waits for its xz piece, on one processor,
 * while another does the gzip one.  The price, on the bench's
 * Packages: .xz 5.9% larger than one stream (2.9% with the pieces of
 * before), .gz 1.4% (0.5%).  zstd (rpm-md's 1.1 KiB records): 310 KiB.
 */
struct sizes {
	size_t min, target, max;
};

static struct sizes piece_sizes(enum pf_comp comp)
{
	switch (comp) {
	case PF_COMP_XZ:
		return (struct sizes){ 32u << 10, 16u << 10, 64u << 10 };
	case PF_COMP_GZIP:
		return (struct sizes){ 64u << 10, 24u << 10, 192u << 10 };
	default:
		return (struct sizes){ 256u << 10, 48u << 10, 1024u << 10 };
	}
}

struct zentry {
	char key[80];                   /* "<method>.<level>.<sha256>" */
	unsigned char comp, level, sha[32];
	struct pf_zpart part;
	bool owned;                     /* part.buf is ours, not the file's */
	bool pending;                   /* to be compressed in this call */
	bool used;                      /* this run */
};

/* the method byte of a digest state, ORed with its pf_dalg */
#define DSTATE 0x80

struct pf_zcache {
	struct pf_map file;             /* what was loaded (mapped: the
					 * pieces it has point into it) */
	struct zentry **v;
	size_t nr, alloc;
	struct pf_strmap map;
	size_t compressed, reused;
	uint64_t hashed, resumed;       /* whole digests: bytes hashed, and
					 * bytes skipped by a saved state */
	bool changed;
	bool broken;                    /* a compression failed: unusable */
};

static void make_key(char *key, unsigned comp, unsigned level, const unsigned char *sha)
{
	int n = snprintf(key, 80, "%u.%u.", comp, level);

	pf_hex(key + n, sha, 32);
}

static struct zentry *zc_add(struct pf_zcache *zc, unsigned comp, unsigned level,
			     const unsigned char *sha)
{
	struct zentry *z = pf_calloc(1, sizeof(*z));

	z->comp = (unsigned char)comp;
	z->level = (unsigned char)level;
	memcpy(z->sha, sha, 32);
	make_key(z->key, comp, level, sha);
	PF_ALLOC_GROW(zc->v, zc->nr + 1, zc->alloc);
	zc->v[zc->nr] = z;
	pf_strmap_put(&zc->map, z->key, zc->nr);
	zc->nr++;
	return z;
}

static struct zentry *zc_find(const struct pf_zcache *zc, unsigned comp, unsigned level,
			      const unsigned char *sha)
{
	char key[80];
	size_t i;

	if (!zc)
		return NULL;
	make_key(key, comp, level, sha);
	return pf_strmap_get(&zc->map, key, &i) ? zc->v[i] : NULL;
}

#define REC_HEAD (1 + 1 + 32 + 8 + 8 + 4 + 4)

static bool parse(struct pf_zcache *zc)
{
	const unsigned char *p = (const unsigned char *)zc->file.buf;
	size_t len = zc->file.len, off = strlen(MAGIC);

	if (len < off + 8 || memcmp(p, MAGIC, off))
		return false;
	len -= 8;
	if (lzma_crc64(p, len, 0) != pf_get_le(p + len, 8))
		return false;
	while (off < len) {
		struct zentry *z;
		uint64_t clen;

		if (len - off < REC_HEAD)
			return false;
		clen = pf_get_le(p + off + 54, 4);
		if (len - off - REC_HEAD < clen || zc_find(zc, p[off], p[off + 1], p + off + 2))
			return false;
		z = zc_add(zc, p[off], p[off + 1], p + off + 2);
		z->part.plain_len = pf_get_le(p + off + 34, 8);
		z->part.unpadded = pf_get_le(p + off + 42, 8);
		z->part.crc = (uint32_t)pf_get_le(p + off + 50, 4);
		z->part.len = clen;
		z->part.buf = (unsigned char *)p + off + REC_HEAD;
		off += REC_HEAD + clen;
	}
	return off == len;
}

static void zc_clear(struct pf_zcache *zc)
{
	for (size_t i = 0; i < zc->nr; i++) {
		if (zc->v[i]->owned)
			free(zc->v[i]->part.buf);
		free(zc->v[i]);
	}
	free(zc->v);
	zc->v = NULL;
	zc->nr = zc->alloc = 0;
	pf_strmap_release(&zc->map);
}

struct pf_zcache *pf_zcache_load(const char *path)
{
	struct pf_zcache *zc = pf_calloc(1, sizeof(*zc));
	struct pf_err ignore = PF_ERR_INIT;

	if (pf_map_file(path, MAX_ZCACHE, &zc->file, &ignore) == 0 && !parse(zc)) {
		zc_clear(zc);
		zc->changed = true;     /* a damaged file is replaced */
	}
	pf_err_release(&ignore);
	return zc;
}

int pf_zcache_save(struct pf_zcache *zc, const char *path, struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (zc->broken)
		return pf_err_set(e, PF_EFAIL, "the compressed pieces cache is unusable after an error");
	for (size_t i = 0; i < zc->nr; i++)
		zc->changed |= !zc->v[i]->used;
	if (!zc->changed)
		return 0;
	strbuf_addstr(&sb, MAGIC);
	for (size_t i = 0; i < zc->nr; i++) {
		const struct zentry *z = zc->v[i];

		if (!z->used)
			continue;
		strbuf_addch(&sb, (char)z->comp);
		strbuf_addch(&sb, (char)z->level);
		strbuf_add(&sb, z->sha, 32);
		strbuf_add_le(&sb, z->part.plain_len, 8);
		strbuf_add_le(&sb, z->part.unpadded, 8);
		strbuf_add_le(&sb, z->part.crc, 4);
		strbuf_add_le(&sb, z->part.len, 4);
		strbuf_add(&sb, z->part.buf, z->part.len);
	}
	strbuf_add_le(&sb, lzma_crc64((const uint8_t *)sb.buf, sb.len, 0), 8);
	/* no fsync: a file lost or cut short by a crash fails its digest
	 * and costs one compression of every piece */
	ret = pf_ofile_put_nosync(path, sb.buf, sb.len, e);
	if (!ret)
		zc->changed = false;
	strbuf_release(&sb);
	return ret;
}

void pf_zcache_free(struct pf_zcache *zc)
{
	if (!zc)
		return;
	zc_clear(zc);
	pf_unmap(&zc->file);
	free(zc);
}

void pf_zcache_stats(const struct pf_zcache *zc, size_t *compressed, size_t *reused)
{
	*compressed = zc ? zc->compressed : 0;
	*reused = zc ? zc->reused : 0;
}

void pf_zcache_digest_stats(const struct pf_zcache *zc, uint64_t *hashed, uint64_t *resumed)
{
	*hashed = zc ? zc->hashed : 0;
	*resumed = zc ? zc->resumed : 0;
}

/* A digest state kept as an entry (see the top), and back: false when
 * its length does not add up (the lookup, by DSTATE | alg and level 0,
 * gave the rest). */
static void dstate_put(struct zentry *z, const struct pf_dstate *st)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < 8; i++)
		strbuf_add_le(&sb, st->h[i], 4);
	strbuf_add(&sb, st->rest, st->len % 64);
	z->part.len = sb.len;
	z->part.buf = (unsigned char *)strbuf_detach(&sb, NULL);
	z->part.plain_len = st->len;
	z->owned = true;
}

static bool dstate_get(const struct zentry *z, enum pf_dalg alg, struct pf_dstate *st)
{
	if (z->part.len != 32 + z->part.plain_len % 64)
		return false;
	memset(st, 0, sizeof(*st));
	st->alg = alg;
	for (int i = 0; i < 8; i++)
		st->h[i] = (uint32_t)pf_get_le(z->part.buf + 4 * i, 4);
	st->len = z->part.plain_len;
	memcpy(st->rest, z->part.buf + 32, z->part.len - 32);
	return true;
}

/* ------------------------------------------------------------ text */

size_t pf_ztext_len(const struct pf_ztext *t)
{
	size_t n = strlen(t->head) + strlen(t->tail), sep = strlen(t->sep);

	for (size_t i = 0; i < t->n; i++)
		n += t->rec[i].len + sep;
	return n;
}

void pf_ztext_flatten(const struct pf_ztext *t, struct strbuf *out)
{
	size_t sep = strlen(t->sep);

	strbuf_grow(out, pf_ztext_len(t));
	strbuf_addstr(out, t->head);
	for (size_t i = 0; i < t->n; i++) {
		strbuf_add(out, t->rec[i].p, t->rec[i].len);
		strbuf_add(out, t->sep, sep);
	}
	strbuf_addstr(out, t->tail);
}

size_t pf_ztext_iov(const struct pf_ztext *t, struct iovec **iov)
{
	size_t sep = strlen(t->sep), n = 0;
	struct iovec *v = pf_calloc(2 * t->n + 2, sizeof(*v));

#define PF_IOV(p, l) \
	do { \
		if (l) \
			v[n++] = (struct iovec){ (void *)(p), (l) }; \
	} while (0)
	PF_IOV(t->head, strlen(t->head));
	for (size_t i = 0; i < t->n; i++) {
		PF_IOV(t->rec[i].p, t->rec[i].len);
		PF_IOV(t->sep, sep);
	}
	PF_IOV(t->tail, strlen(t->tail));
#undef PF_IOV
	*iov = v;
	return n;
}

/* ----------------------------------------------------------- cutting */

/* One piece: the head alone, or records [r0, r1) and the tail if last. */
struct piece {
	bool head, tail;
	size_t r0, r1, len;
	unsigned char sha[32];
	struct zentry *z;
};

static uint64_t le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/*
 * A hash of a record's first bytes and its length, the same on every
 * machine: what decides where pieces end.  The first bytes name the
 * package (name, version, or its digest), which is what tells records
 * apart; hashing them all would read every index byte once more.
 * Records that share their first bytes end pieces alike, and the
 * limits still bound the pieces.
 */
#define REC_HASH_BYTES 192

static uint64_t rec_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	if (n > REC_HASH_BYTES)
		n = REC_HASH_BYTES;

	for (; n >= 8; p += 8, n -= 8) {
		h = (h ^ le64(p)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h = (h ^ pf_get_le(p, (int)n)) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* v to at least n pieces, the new ones zeroed */
static void grow_pieces(struct piece **v, size_t n, size_t *alloc)
{
	size_t had = *alloc;

	PF_ALLOC_GROW(*v, n, *alloc);
	memset(*v + had, 0, (*alloc - had) * sizeof(**v));
}

/* The pieces: the head, then runs of records closed where a record's
 * hash (with odds of its length to the target) or the limits say; the
 * tail goes with the last. */
static size_t cut(const struct sizes *sz, const struct pf_ztext *t, struct piece **out)
{
	size_t sep = strlen(t->sep), tail = strlen(t->tail), nr = 0, alloc = 0, size = 0, r0 = 0;
	struct piece *v = NULL;

	/* a few pieces, grown as they come (not one for each record:
	 * their zeroed pages were most of a re-index's page faults here) */
	grow_pieces(&v, 2, &alloc);
	if (*t->head) {
		v[nr].head = true;
		v[nr++].len = strlen(t->head);
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t rlen = t->rec[i].len + sep;

		size += rlen;
		if (i + 1 < t->n && size < sz->max &&
		    (size < sz->min ||
		     rec_hash((const unsigned char *)t->rec[i].p, t->rec[i].len) % sz->target >= rlen))
			continue;
		grow_pieces(&v, nr + 2, &alloc);
		v[nr].r0 = r0;
		v[nr].r1 = i + 1;
		v[nr++].len = size;
		r0 = i + 1;
		size = 0;
	}
	if (tail) {
		if (!t->n)
			nr++;
		v[nr - 1].tail = true;
		v[nr - 1].len += tail;
	}
	*out = v;
	return nr;
}

/* The bytes of a piece, in order, to f(ctx, buf, len). */
static void piece_spans(const struct pf_ztext *t, const struct piece *pc,
			void (*f)(void *ctx, const void *buf, size_t len), void *ctx)
{
	size_t sep = strlen(t->sep);

	if (pc->head) {
		f(ctx, t->head, strlen(t->head));
		return;
	}
	for (size_t i = pc->r0; i < pc->r1; i++) {
		f(ctx, t->rec[i].p, t->rec[i].len);
		if (sep)
			f(ctx, t->sep, sep);
	}
	if (pc->tail)
		f(ctx, t->tail, strlen(t->tail));
}

/*
 * A digest fed through a buffer: the text comes a record at a time
 * (a kilobyte, or the 40 bytes of a piece's identity), and each small
 * update costs the digest a partial block copied and kept; whole
 * buffers of them hash at its full speed.
 */
#define STAGE_SIZE (16u << 10)

struct stage {
	struct pf_digest *d;
	size_t len;
	unsigned char buf[STAGE_SIZE];
};

static void stage_flush(struct stage *s)
{
	if (s->len)
		pf_digest_update(s->d, s->buf, s->len);
	s->len = 0;
}

static void stage_add(struct stage *s, const void *p, size_t n)
{
	if (n > STAGE_SIZE - s->len) {
		stage_flush(s);
		if (n >= STAGE_SIZE / 2) {
			pf_digest_update(s->d, p, n);
			return;
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void stage_span(void *ctx, const void *buf, size_t len)
{
	stage_add(ctx, buf, len);
}

static void put_len(struct stage *s, size_t n)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)n >> (8 * i));
	stage_add(s, b, 8);
}

/*
 * A piece's identity: the SHA-256 of "H" and the head, or of "R", the
 * separator and the tail (each after its length), and every record's
 * length and SHA-256.  Records' digests are collision-resistant, so
 * the identity says what the bytes are without reading them again.
 */
static void piece_id(const struct pf_ztext *t, const struct piece *pc, struct stage *s,
		     unsigned char *out)
{
	const char *tail = pc->tail ? t->tail : "";

	if (pc->head) {
		stage_add(s, "H", 1);
		stage_add(s, t->head, strlen(t->head));
		goto done;
	}
	stage_add(s, "R", 1);
	put_len(s, strlen(t->sep));
	stage_add(s, t->sep, strlen(t->sep));
	put_len(s, strlen(tail));
	stage_add(s, tail, strlen(tail));
	for (size_t i = pc->r0; i < pc->r1; i++) {
		unsigned char own[32];
		const unsigned char *sha = t->rec[i].sha;

		if (!sha) {
			pf_digest_buf(PF_SHA256, t->rec[i].p, t->rec[i].len, own);
			sha = own;
		}
		put_len(s, t->rec[i].len);
		stage_add(s, sha, 32);
	}
done:
	stage_flush(s);
	pf_digest_final(s->d, out);
}

static void span_copy(void *ctx, const void *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
}

/* --------------------------------------------------------- compressing */

/*
 * The work of one call, for all its files at once, on up to threads
 * threads: the pieces the cache lacks, and each file's whole digest
 * (tasks: a piece, or a file), the costliest first.
 */
struct task {
	struct pf_zfile *f;
	struct piece *pc;               /* NULL: a whole digest of the file */
	bool md5;                       /* that one is open_md5 */
	double cost;                    /* a guess, in ns */
	size_t out;                     /* a digest of f->out from here on
					 * (the second round), or SIZE_MAX */
	struct resume *rs;              /* a whole digest (pc NULL, out
					 * SIZE_MAX): from where */
};

/*
 * A whole digest, resumed: the file's pieces, the identities of the
 * text up to each one's end (chain), the state saved at the end of
 * piece first - 1 (when first > 0), and the states at the ends of the
 * pieces hashed, to be kept.
 */
struct resume {
	const struct piece *pcs;
	size_t npc, first;
	const unsigned char (*chain)[32];
	struct pf_dstate from;
	struct pf_dstate *states;
};

struct pool {
	struct task *t;
	size_t nt;
	pthread_mutex_t lock;
	size_t next[2];                 /* the next task of each kind */
	struct pf_err err;
	bool failed;
};

/*
 * Tasks of two kinds: digests (0) and pieces to compress (1).  The
 * thread that calls prefers digests, the others pieces, each taking the
 * other kind when its own runs out: a thread that compresses sets up a
 * zstd context first, some 768 KB of tables on fresh pages (0.4 ms
 * here), which a re-index's three pieces need only once.
 */
enum { TASK_DIGEST, TASK_PIECE };

struct hand {
	struct pool *pl;
	int prefer;
};

static int kind_of(const struct task *t)
{
	return t->pc ? TASK_PIECE : TASK_DIGEST;
}

/* The costliest task of that kind left (tasks are by cost), or
 * SIZE_MAX; under the lock. */
static size_t take(struct pool *pl, int kind)
{
	for (size_t i = pl->next[kind]; i < pl->nt; i++) {
		if (kind_of(&pl->t[i]) == kind) {
			pl->next[kind] = i + 1;
			return i;
		}
	}
	pl->next[kind] = pl->nt;
	return SIZE_MAX;
}

/* The whole digest from where rs says, saving the state at each piece's
 * end on the way. */
static void resumed_digest(const struct pf_ztext *t, enum pf_dalg alg, struct resume *rs,
			   unsigned char *out)
{
	struct stage *s = pf_malloc(sizeof(*s));

	s->d = pf_digest_resume(alg, rs->first ? &rs->from : NULL);
	s->len = 0;
	for (size_t i = rs->first; i < rs->npc; i++) {
		piece_spans(t, &rs->pcs[i], stage_span, s);
		stage_flush(s);
		pf_digest_save(s->d, &rs->states[i]);
	}
	pf_digest_final(s->d, out);
	pf_digest_free(s->d);
	free(s);
}

static void *worker(void *arg)
{
	const struct hand *h = arg;
	struct pool *pl = h->pl;
	struct strbuf buf = STRBUF_INIT;
	struct pf_zpart_ctx zc = { NULL };

	for (;;) {
		struct pf_err e = PF_ERR_INIT;
		struct task *t;
		size_t i = SIZE_MAX;

		pthread_mutex_lock(&pl->lock);
		if (!pl->failed && (i = take(pl, h->prefer)) == SIZE_MAX)
			i = take(pl, !h->prefer);
		pthread_mutex_unlock(&pl->lock);
		if (i == SIZE_MAX)
			break;
		t = &pl->t[i];
		if (t->out != SIZE_MAX) {
			pf_digest_buf(t->md5 ? PF_MD5 : PF_SHA256, t->f->out->buf + t->out,
				      t->f->out->len - t->out, t->md5 ? t->f->out_md5 : t->f->out_sha);
		} else if (!t->pc) {
			resumed_digest(t->f->text, t->md5 ? PF_MD5 : PF_SHA256, t->rs,
				       t->md5 ? t->f->open_md5 : t->f->open_sha);
		} else {
			strbuf_reset(&buf);
			strbuf_grow(&buf, t->pc->len);  /* in one go, not doubling */
			piece_spans(t->f->text, t->pc, span_copy, &buf);
			if (pf_compress_part(&zc, t->f->comp, t->f->level, buf.buf, buf.len,
					     &t->pc->z->part, &e) < 0) {
				pthread_mutex_lock(&pl->lock);
				if (!pl->failed) {
					pl->failed = true;
					pf_err_set(&pl->err, e.code, "%s", e.msg.buf);
				}
				pthread_mutex_unlock(&pl->lock);
			}
		}
		pf_err_release(&e);
	}
	pf_zpart_ctx_release(&zc);
	strbuf_release(&buf);
	return NULL;
}

/* Rough costs per byte, to start the longest tasks first. */
#define SHA_COST 0.6
#define MD5_COST 1.4
static double comp_cost(enum pf_comp c)
{
	return c == PF_COMP_XZ ? 120.0 : c == PF_COMP_GZIP ? 30.0 : 4.0;
}

static int cmp_cost(const void *a, const void *b)
{
	double x = ((const struct task *)a)->cost, y = ((const struct task *)b)->cost;

	return x > y ? -1 : x < y;
}

static int run_pool(struct pool *pl, int threads, struct pf_err *e)
{
	pthread_t *t;
	size_t nt = threads > 1 ? (size_t)threads : 1;
	struct hand mine = { pl, TASK_DIGEST }, theirs = { pl, TASK_PIECE };

	if (nt > pl->nt)
		nt = pl->nt;
	t = pf_calloc(nt ? nt : 1, sizeof(*t));
	pl->next[TASK_DIGEST] = pl->next[TASK_PIECE] = 0;
	pthread_mutex_init(&pl->lock, NULL);
	/* this thread works too */
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&t[i], NULL, worker, &theirs)) {
			nt = i;
			break;
		}
	worker(&mine);
	for (size_t i = 1; i < nt; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&pl->lock);
	free(t);
	if (pl->failed) {
		pf_err_set(e, pl->err.code, "%s", pl->err.msg.buf);
		pf_err_release(&pl->err);
		return -1;
	}
	return 0;
}

/*
 * Where a whole digest of alg over the pieces can start: after the last
 * piece whose chain the cache has a state for (every state it has of
 * this text is kept).  The pieces' hashed bytes and those skipped go to
 * the cache's counts.
 */
static void resume_from(struct pf_zcache *zc, enum pf_dalg alg, struct resume *rs)
{
	uint64_t skipped = 0, all = 0;

	rs->first = 0;
	for (size_t k = 0; k < rs->npc; k++) {
		struct zentry *z = zc_find(zc, DSTATE | alg, 0, rs->chain[k]);
		struct pf_dstate st;

		all += rs->pcs[k].len;
		/* a chain names the whole text up to there: any state of
		 * one will do, the last the best */
		if (z && dstate_get(z, alg, &st) && st.len == all) {
			z->used = true;
			rs->first = k + 1;
			rs->from = st;
			skipped = all;
		}
	}
	zc->hashed += all - skipped;
	zc->resumed += skipped;
}

/* The states a resumed digest saved, into the cache. */
static void resume_keep(struct pf_zcache *zc, enum pf_dalg alg, const struct resume *rs)
{
	for (size_t i = rs->first; i < rs->npc; i++) {
		struct zentry *z = zc_find(zc, DSTATE | alg, 0, rs->chain[i]);

		if (!z) {
			z = zc_add(zc, DSTATE | alg, 0, rs->chain[i]);
			dstate_put(z, &rs->states[i]);
			zc->changed = true;
		}
		z->used = true;
	}
}

int pf_zpiece_compress_many(struct pf_zcache *zc, struct pf_zfile *files, size_t nf, int threads,
			    struct pf_err *e)
{
	struct pf_zcache local;
	struct piece **pcs = pf_calloc(nf + 1, sizeof(*pcs));
	size_t *npc = pf_calloc(nf + 1, sizeof(*npc)), ntasks = 0, ncomp = 0;
	struct pf_digest *d = NULL;
	struct stage *st = NULL;
	unsigned char (**chains)[32] = NULL;
	struct resume *rs = NULL;
	struct pool pl;
	int ret = -1;

	if (zc && zc->broken) {
		pf_err_set(e, PF_EFAIL, "the compressed pieces cache is unusable after an error");
		goto out;
	}
	if (!zc) {
		memset(&local, 0, sizeof(local));
		zc = &local;
	}
	memset(&pl, 0, sizeof(pl));
	for (size_t f = 0; f < nf; f++) {
		struct sizes sz = piece_sizes(files[f].comp);

		if (files[f].level < 0)
			files[f].level = pf_comp_default_level(files[f].comp);
		npc[f] = cut(&sz, files[f].text, &pcs[f]);
		ntasks += npc[f] + (files[f].open_sha != NULL) + (files[f].open_md5 != NULL);
	}
	/* the pieces' identities (cheap: the records bring their digests),
	 * and what the cache has of them */
	pl.t = pf_calloc(ntasks + 1, sizeof(*pl.t));
	d = pf_digest_new(PF_SHA256);
	st = pf_malloc(sizeof(*st));
	st->d = d;
	st->len = 0;
	for (size_t f = 0; f < nf; f++) {
		unsigned comp = (unsigned)files[f].comp, level = (unsigned)files[f].level;

		for (size_t i = 0; i < npc[f]; i++) {
			struct piece *pc = &pcs[f][i];
			struct zentry *z;

			piece_id(files[f].text, pc, st, pc->sha);
			z = zc_find(zc, comp, level, pc->sha);

			if (z && (z->pending || z->part.plain_len == pc->len)) {
				if (!z->used)
					zc->reused++;
			} else if (!z) {
				z = zc_add(zc, comp, level, pc->sha);
				z->owned = true;
				z->pending = true;
				pl.t[pl.nt++] = (struct task){ &files[f], pc, false,
							       comp_cost(files[f].comp) * (double)pc->len,
							       SIZE_MAX, NULL };
				ncomp++;
				zc->changed = true;
			} else {
				/* the same digest, another length: not ours */
				pf_err_set(e, PF_EFAIL, "the compressed pieces cache disagrees with itself");
				goto out;
			}
			z->used = true;
			pc->z = z;
		}
	}
	/* the whole digests, each from the last state the cache has of its
	 * text (the text's identity at each piece's end: a chain) */
	chains = pf_calloc(nf + 1, sizeof(*chains));
	rs = pf_calloc(2 * nf + 1, sizeof(*rs));
	for (size_t f = 0; f < nf; f++) {
		const enum pf_dalg algs[2] = { PF_SHA256, PF_MD5 };
		const bool want[2] = { files[f].open_sha != NULL, files[f].open_md5 != NULL };

		if (!want[0] && !want[1])
			continue;
		chains[f] = pf_calloc(npc[f] + 1, sizeof(*chains[f]));
		for (size_t i = 0; i < npc[f]; i++) {
			if (i)
				pf_digest_update(d, chains[f][i - 1], 32);
			pf_digest_update(d, pcs[f][i].sha, 32);
			pf_digest_final(d, chains[f][i]);
		}
		for (int a = 0; a < 2; a++) {
			struct resume *r = &rs[2 * f + (size_t)a];
			double left;

			if (!want[a])
				continue;
			*r = (struct resume){ pcs[f], npc[f], 0, (const unsigned char (*)[32])chains[f],
					      { 0 }, pf_calloc(npc[f] + 1, sizeof(*r->states)) };
			resume_from(zc, algs[a], r);
			left = 0;
			for (size_t i = r->first; i < npc[f]; i++)
				left += (double)pcs[f][i].len;
			pl.t[pl.nt++] = (struct task){ &files[f], NULL, a == 1,
						       (a ? MD5_COST : SHA_COST) * left, SIZE_MAX, r };
		}
	}
	qsort(pl.t, pl.nt, sizeof(*pl.t), cmp_cost);
	if (pl.nt && run_pool(&pl, threads, e) < 0) {
		zc->broken = true;
		goto out;
	}
	for (size_t i = 0; i < pl.nt; i++) {
		if (pl.t[i].pc)
			pl.t[i].pc->z->pending = false;
		else if (pl.t[i].rs)
			resume_keep(zc, pl.t[i].md5 ? PF_MD5 : PF_SHA256, pl.t[i].rs);
	}
	zc->compressed += ncomp;
	/* the files joined, then the digests of what they came to, if wanted:
	 * a second, short round */
	free(pl.t);
	pl.t = pf_calloc(2 * nf + 1, sizeof(*pl.t));
	pl.nt = 0;
	for (size_t f = 0; f < nf; f++) {
		const struct pf_zpart **parts = pf_calloc(npc[f] + 1, sizeof(*parts));
		size_t from = files[f].out->len;
		int r;

		for (size_t i = 0; i < npc[f]; i++)
			parts[i] = &pcs[f][i].z->part;
		r = pf_compress_join(files[f].comp, files[f].level, parts, npc[f], files[f].out, e);
		free(parts);
		if (r < 0)
			goto out;
		if (files[f].out_md5)
			pl.t[pl.nt++] = (struct task){ &files[f], NULL, true, 0, from, NULL };
		if (files[f].out_sha)
			pl.t[pl.nt++] = (struct task){ &files[f], NULL, false, 0, from, NULL };
	}
	if (pl.nt && run_pool(&pl, threads, e) < 0)
		goto out;
	ret = 0;
out:
	if (zc == &local)
		zc_clear(&local);
	for (size_t f = 0; rs && f < 2 * nf; f++)
		free(rs[f].states);
	free(rs);
	for (size_t f = 0; chains && f < nf; f++)
		free(chains[f]);
	free(chains);
	for (size_t f = 0; f < nf; f++)
		free(pcs[f]);
	free(pcs);
	free(npc);
	free(pl.t);
	free(st);
	pf_digest_free(d);
	return ret;
}

int pf_zpiece_compress(struct pf_zcache *zc, enum pf_comp comp, int level, int threads,
		       const struct pf_ztext *t, unsigned char *open_sha, struct strbuf *out,
		       struct pf_err *e)
{
	struct pf_zfile f = { comp, level, t, open_sha, NULL, out, NULL, NULL };

	return pf_zpiece_compress_many(zc, &f, 1, threads, e);
}
