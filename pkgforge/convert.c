// SPDX-License-Identifier: GPL-2.0-or-later
/* The one pass: check, map, digest and fan out every entry of a tarball. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "convert.h"
#include "depgen.h"
#include "digest.h"
#include "elfdeps.h"
#include "glob.h"
#include "ofile.h"
#include "source.h"
#include "strmap.h"
#include "util.h"
#include "banned.h"

#define CHUNK (1 << 17)
#define MAX_SYMLINK_HOPS 40

/* A package being built from this source. */
struct job {
	const struct pf_pkgspec *spec;
	struct pf_pkgw *w[PF_FMT_NR];
	const struct pf_pkgfmt *f[PF_FMT_NR];
	size_t nw;

	const char *root;               /* prefix without the leading '/' */
	size_t root_depth;              /* components in root */
	struct pf_filelist files;
	struct pf_strmap index;         /* path → index in files */
	struct pf_strlist seen_dir_keys;
	struct pf_strmap seen_dirs;     /* dirs not (yet) emitted → mtime */
	int64_t prefix_mtime;
	bool have_prefix_mtime;
	uint32_t next_ino;
	int64_t newest;
	bool active;                    /* the current entry belongs here */
	bool stamp_only;                /* read for the timestamp, no output */
	/* derived relations, kept for the payload cache */
	struct pf_rellist derived[PF_REL_NR][PF_FMT_NR];
	char key[65];                   /* payload cache: the job's key */
	char fkey[PF_FMT_NR][65];       /* and each writer's */
	struct pf_entry cur;            /* the current entry, between begin and end */
	struct strbuf cur_path;
	size_t *elf_of_ino;             /* ino → ELF record + 1 (0: not an ELF) */
	size_t elf_alloc;
};

/* An ELF file of the source, spooled for the scan at the end. */
struct elfrec {
	char *srcpath;                  /* the entry's name in the tarball */
	int fd;                         /* the spool it is in */
	uint64_t off, size;
	struct pf_elfinfo info;
};

struct pass {
	struct pf_convert *c;
	struct pf_err *e;
	struct job *jobs;
	size_t njobs;
	int spool_fd;
	uint64_t spool_size;
	bool derive;                    /* ELF files are spooled and scanned */
	int elf_fd;                     /* ELF-only spool, when no raw spool */
	uint64_t elf_size;
	struct elfrec *elf;
	size_t nr_elf, alloc_elf;
	uint64_t total;
	size_t entries;
	int64_t first_mtime;
	bool have_first;
	struct pf_digest *md5, *sha;
	struct timespec last_draw;
};

void pf_quote_name(struct strbuf *out, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p >= 0x80 || *p == '\\')
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, *p);
	}
}

static int refuse(struct pass *p, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "<tarball>: refusing '<entry>': <reason>" */
static int refuse(struct pass *p, const char *name, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "%s: refusing '", p->c->srcpath);
	pf_quote_name(&sb, name);
	strbuf_addstr(&sb, "': ");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	pf_err_set(p->e, PF_EINVAL, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static int64_t clamp(const struct pass *p, int64_t t)
{
	if (p->c->opt->sde_set && t > p->c->opt->sde)
		return p->c->opt->sde;
	return t < 0 ? 0 : t;
}

/*
 * Normalise an archive path: drop "./" and empty components, refuse
 * absolute paths and "..".  Returns the number of components, -1 on
 * error (with the error set).
 */
static int normalise(struct pass *p, const char *name, struct strbuf *out)
{
	const char *s = name;
	int n = 0;
	size_t len = strlen(name);

	strbuf_reset(out);
	if (!pf_utf8_clean(name, len))
		return refuse(p, name, "the name is not valid UTF-8 or holds control characters (a newline, a tab...)");
	if (len > PF_MAX_PATH)
		return refuse(p, name, "the name is longer than %d bytes", PF_MAX_PATH);
	if (name[0] == '/')
		return refuse(p, name, "absolute path");
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t clen = slash ? (size_t)(slash - s) : strlen(s);

		if (clen == 2 && s[0] == '.' && s[1] == '.')
			return refuse(p, name, "the path has a '..' component");
		if (clen && !(clen == 1 && s[0] == '.')) {
			if (out->len)
				strbuf_addch(out, '/');
			strbuf_add(out, s, clen);
			n++;
		}
		s += clen + (slash ? 1 : 0);
	}
	return n;
}

/* The part of a normalised path after strip components, or NULL. */
static const char *strip_path(const char *path, int ncomp, int strip)
{
	if (ncomp <= strip)
		return NULL;
	for (int i = 0; i < strip; i++)
		path = strchr(path, '/') + 1;
	return path;
}

static bool selected(const struct pf_pkgspec *s, const char *rel)
{
	bool in = false;

	for (size_t i = 0; i < s->include.nr && !in; i++)
		in = pf_glob_match(s->include.v[i], rel);
	for (size_t i = 0; i < s->exclude.nr && in; i++)
		if (pf_glob_match(s->exclude.v[i], rel))
			in = false;
	return in;
}

static bool external_ok(const struct job *j, const char *path)
{
	const char *rel = path + strlen(j->root);

	if (*rel == '/')
		rel++;
	for (size_t i = 0; i < j->spec->extlinks.nr; i++)
		if (pf_glob_match(j->spec->extlinks.v[i], rel))
			return true;
	return false;
}

/* ---------------------------------------------------------- fan out */

static int emit_begin(struct pass *p, struct job *j, const struct pf_entry *ent)
{
	for (size_t i = 0; i < j->nw; i++)
		if (j->f[i]->begin(j->w[i], ent, p->e) < 0)
			return pf_err_prefix(p->e, "%s (%s)", j->spec->name, j->f[i]->name);
	return 0;
}

static int emit_end(struct pass *p, struct job *j, const struct pf_entry *ent)
{
	for (size_t i = 0; i < j->nw; i++)
		if (j->f[i]->end && j->f[i]->end(j->w[i], ent, p->e) < 0)
			return pf_err_prefix(p->e, "%s (%s)", j->spec->name, j->f[i]->name);
	return 0;
}

/* Append an entry to the job's list (copying path and link). */
static struct pf_entry *add_entry(struct job *j, const struct pf_entry *tmpl)
{
	struct pf_entry *ent;

	PF_ALLOC_GROW(j->files.v, j->files.nr + 1, j->files.alloc);
	ent = &j->files.v[j->files.nr];
	*ent = *tmpl;
	ent->path = pf_strdup(tmpl->path);
	ent->link = tmpl->link ? pf_strdup(tmpl->link) : NULL;
	pf_strmap_put(&j->index, ent->path, j->files.nr);
	j->files.nr++;
	if (ent->mtime > j->newest)
		j->newest = ent->mtime;
	return ent;
}

static int64_t fallback_mtime(const struct pass *p, const struct job *j)
{
	return j->have_prefix_mtime ? j->prefix_mtime : p->first_mtime;
}

/* Make sure every parent directory of path exists in the package. */
static int ensure_parents(struct pass *p, struct job *j, const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *s = path;
	int ret = -1;

	for (;;) {
		const char *slash = strchr(s, '/');
		size_t idx;

		if (!slash)
			break;
		strbuf_reset(&dir);
		strbuf_add(&dir, path, slash - path);
		s = slash + 1;
		if (pf_strmap_get(&j->index, dir.buf, &idx)) {
			const struct pf_entry *pe = &j->files.v[idx];
			if (pe->type != PF_E_DIR) {
				refuse(p, path, "it lies below '%s', which is a %s, not a directory",
				       dir.buf, pe->type == PF_E_SYMLINK ? "symlink" : "file");
				goto out;
			}
			continue;
		} else {
			struct pf_entry ent;
			size_t seen;

			memset(&ent, 0, sizeof(ent));
			ent.path = dir.buf;
			ent.type = PF_E_DIR;
			ent.mode = 0755;
			ent.synthetic = true;
			ent.spool_off = PF_SPOOL_NONE;
			if (pf_strmap_get(&j->seen_dirs, dir.buf, &seen))
				ent.mtime = (int64_t)seen;
			else
				ent.mtime = fallback_mtime(p, j);
			ent.mtime = clamp(p, ent.mtime);
			add_entry(j, &ent);
			if (emit_begin(p, j, &ent) < 0 || emit_end(p, j, &ent) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	strbuf_release(&dir);
	return ret;
}

/* ---------------------------------------------------------- one entry */

static unsigned norm_mode(enum pf_etype t, unsigned mode)
{
	switch (t) {
	case PF_E_DIR:
		return 0755;
	case PF_E_SYMLINK:
		return 0777;
	default:
		return (mode & 0111) ? 0755 : 0644;
	}
}

static void remember_dir(struct job *j, const char *full, int64_t mtime)
{
	if (pf_strmap_get(&j->seen_dirs, full, NULL))
		return;
	pf_strlist_add(&j->seen_dir_keys, pf_strdup(full));
	pf_strmap_put(&j->seen_dirs, j->seen_dir_keys.v[j->seen_dir_keys.nr - 1],
		      (size_t)(mtime < 0 ? 0 : mtime));
}

/*
 * Decide whether the entry goes into job j and emit its header.  norm is
 * the normalised archive path with ncomp components.
 */
static int job_entry(struct pass *p, struct job *j, const struct pf_srcentry *se,
		     const char *norm, int ncomp, struct strbuf *tgt)
{
	const struct pf_pkgspec *s = j->spec;
	struct pf_entry *ent = &j->cur;
	struct strbuf *full = &j->cur_path;
	const char *rel = strip_path(norm, ncomp, s->strip);
	size_t idx;

	j->active = false;
	if (!rel) {
		if (se->type == PF_S_DIR && ncomp == s->strip && !j->have_prefix_mtime) {
			j->prefix_mtime = se->mtime;
			j->have_prefix_mtime = true;
		}
		return 0;
	}
	strbuf_reset(full);
	strbuf_addf(full, "%s/%s", j->root, rel);
	if (!selected(s, rel)) {
		if (se->type == PF_S_DIR)
			remember_dir(j, full->buf, se->mtime);
		return 0;
	}
	if (pf_strmap_get(&j->index, full->buf, &idx)) {
		const struct pf_entry *old = &j->files.v[idx];
		if (old->type == PF_E_DIR && old->synthetic && se->type == PF_S_DIR)
			return 0;
		return refuse(p, se->path, "duplicate path (it maps to /%s twice)", full->buf);
	}
	memset(ent, 0, sizeof(*ent));
	ent->path = full->buf;
	ent->mtime = clamp(p, se->mtime);
	ent->spool_off = PF_SPOOL_NONE;
	switch (se->type) {
	case PF_S_DIR:
		ent->type = PF_E_DIR;
		break;
	case PF_S_REG:
		ent->type = PF_E_REG;
		ent->size = (uint64_t)se->size;
		ent->ino = ++j->next_ino;
		break;
	case PF_S_SYMLINK:
		ent->type = PF_E_SYMLINK;
		ent->link = se->link;
		break;
	case PF_S_HARDLINK: {
		const char *trel;
		int tn = normalise(p, se->link, tgt);
		const struct pf_entry *te;

		if (tn < 0)
			return -1;
		trel = strip_path(tgt->buf, tn, s->strip);
		if (!trel)
			return refuse(p, se->path, "hardlink to '%s', outside the files of %s",
				      se->link, s->name);
		trel = pf_strdup(trel);
		strbuf_reset(tgt);
		strbuf_addf(tgt, "%s/%s", j->root, trel);
		free((char *)trel);
		if (!pf_strmap_get(&j->index, tgt->buf, &idx))
			return refuse(p, se->path,
				      "hardlink to '%s', which %s does not include (or which comes later)",
				      se->link, s->name);
		te = &j->files.v[idx];
		if (te->type == PF_E_HARDLINK) {
			pf_strmap_get(&j->index, te->link, &idx);
			te = &j->files.v[idx];
		}
		if (te->type != PF_E_REG)
			return refuse(p, se->path, "hardlink to '%s', which is not a regular file",
				      se->link);
		ent->type = PF_E_HARDLINK;
		ent->link = te->path;
		ent->ino = te->ino;
		ent->mode = te->mode;
		ent->size = te->size;
		memcpy(ent->md5, te->md5, sizeof(ent->md5));
		memcpy(ent->sha256, te->sha256, sizeof(ent->sha256));
		ent->spool_off = te->spool_off;
		break;
	}
	case PF_S_OTHER:
		return -1;      /* refused before */
	}
	if (ent->type != PF_E_HARDLINK)
		ent->mode = norm_mode(ent->type, se->mode);
	if (ensure_parents(p, j, full->buf) < 0)
		return -1;
	j->active = true;
	return emit_begin(p, j, ent);
}

static void draw_progress(struct pass *p, struct pf_source *src, bool final)
{
	struct timespec now;
	uint64_t done, total;

	if (!p->c->progress)
		return;
	if (final) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last_draw.tv_sec) * 1000 +
	    (now.tv_nsec - p->last_draw.tv_nsec) / 1000000 < 200)
		return;
	p->last_draw = now;
	pf_source_progress(src, &done, &total);
	fprintf(stderr, "\r\033[K%s: %3d%% (%.1f of %.1f MiB read)", p->c->srcpath,
		total ? (int)(done * 100 / total) : 0, done / 1048576.0, total / 1048576.0);
	fflush(stderr);
}

static int check_srcentry(struct pass *p, const struct pf_srcentry *se)
{
	if (++p->entries > PF_MAX_ENTRIES)
		return refuse(p, se->path, "the archive has more than %u entries", PF_MAX_ENTRIES);
	if (se->type == PF_S_OTHER)
		return refuse(p, se->path, "it is a %s; packages hold only files, directories and links",
			      se->typename);
	if ((se->type == PF_S_REG || se->type == PF_S_DIR) && (se->mode & 06000))
		return refuse(p, se->path, "it has the setuid or setgid bit (mode %04o)",
			      se->mode & 07777);
	if (se->type == PF_S_REG) {
		if (se->size < 0 || (uint64_t)se->size > PF_MAX_FILE_SIZE)
			return refuse(p, se->path, "absurd size (%" PRId64 " bytes; the limit is %llu)",
				      se->size, (unsigned long long)PF_MAX_FILE_SIZE);
		p->total += (uint64_t)se->size;
		if (p->total > PF_MAX_TOTAL_SIZE)
			return refuse(p, se->path, "the archive unpacks to more than %llu bytes",
				      (unsigned long long)PF_MAX_TOTAL_SIZE);
	}
	if (se->type == PF_S_SYMLINK) {
		size_t n = strlen(se->link);
		if (!n)
			return refuse(p, se->path, "symlink with an empty target");
		if (n > PF_MAX_PATH || !pf_utf8_clean(se->link, n))
			return refuse(p, se->path, "symlink target is too long, not UTF-8 or holds control characters");
	}
	return 0;
}

/* Copy an ELF file's bytes to the ELF spool (when there is no raw one). */
static int elf_spool(struct pass *p, const void *buf, size_t n)
{
	if (pf_write_all(p->elf_fd, buf, n) < 0)
		return pf_err_errno(p->e, "cannot write the ELF spool");
	p->elf_size += n;
	return 0;
}

/* The file is one the manifest says is for another machine (files:
 * foreign-elf): a target runtime of a cross toolchain, say. */
static bool foreign_elf(const struct job *j, const char *path)
{
	const char *rel = path + strlen(j->root);

	if (*rel == '/')
		rel++;
	for (size_t i = 0; i < j->spec->foreign_elf.nr; i++)
		if (pf_glob_match(j->spec->foreign_elf.v[i], rel))
			return true;
	return false;
}

/* Refuse an executable or library for another machine than the package's. */
static int check_machine(struct pass *p, const struct job *j, const char *srcpath,
			 int elfclass, unsigned machine, unsigned type, bool interp)
{
	const struct pf_arch *a = j->spec->arch;
	char mbuf[32], abuf[32];

	if ((type != ET_EXEC && type != ET_DYN) ||
	    (machine == a->elf_machine && elfclass == a->elf_class))
		return 0;
	return refuse(p, srcpath, "it is a %d-bit %s ELF %s, but %s is for %s (%d-bit %s)",
		      elfclass == ELFCLASS64 ? 64 : 32, pf_elf_machine_name(machine, mbuf),
		      type == ET_EXEC || interp ? "executable" : "shared library",
		      j->spec->name, a->canon, a->elf_class == ELFCLASS64 ? 64 : 32,
		      pf_elf_machine_name(a->elf_machine, abuf));
}

/*
 * An executable or library for another machine is refused as soon as
 * its header streams in, not after every package has been compressed;
 * the full check at the end of the pass covers what the first chunk
 * cannot tell.
 */
static int early_machine_check(struct pass *p, const struct pf_srcentry *se,
			       const void *buf, size_t n)
{
	struct pf_elfpeek pk;

	if (pf_elf_peek(buf, n, &pk) != 1)
		return 0;
	for (size_t k = 0; k < p->njobs; k++) {
		struct job *j = &p->jobs[k];

		if (!j->active || foreign_elf(j, j->cur.path))
			continue;
		if (check_machine(p, j, se->path, pk.elfclass, pk.machine, pk.type, pk.interp) < 0)
			return -1;
	}
	return 0;
}

static int pump_content(struct pass *p, struct pf_source *src,
			const struct pf_srcentry *se, char *buf)
{
	uint64_t got = 0, off = p->spool_size, elf_off = p->elf_size;
	unsigned char magic[SELFMAG];
	size_t mlen = 0;
	enum { UNKNOWN, ELF, OTHER } kind = p->derive ? UNKNOWN : OTHER;

	for (;;) {
		ssize_t n = pf_source_read(src, buf, CHUNK, p->e);

		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
		pf_digest_update(p->md5, buf, n);
		pf_digest_update(p->sha, buf, n);
		if (p->spool_fd >= 0) {
			if (pf_write_all(p->spool_fd, buf, n) < 0)
				return pf_err_errno(p->e, "cannot write the content spool");
			p->spool_size += n;
		}
		if (got == (uint64_t)n && p->derive && early_machine_check(p, se, buf, n) < 0)
			return -1;
		if (kind == UNKNOWN) {
			/* only ELF files are kept for the scan: look at the
			 * magic as the data streams */
			size_t take = SELFMAG - mlen < (size_t)n ? SELFMAG - mlen : (size_t)n;
			memcpy(magic + mlen, buf, take);
			mlen += take;
			if (mlen == SELFMAG) {
				kind = pf_elf_magic(magic, mlen) ? ELF : OTHER;
				if (kind == ELF && p->elf_fd >= 0 &&
				    (elf_spool(p, magic, mlen) < 0 ||
				     elf_spool(p, buf + take, n - take) < 0))
					return -1;
			}
		} else if (kind == ELF && p->elf_fd >= 0 && elf_spool(p, buf, n) < 0) {
			return -1;
		}
		for (size_t k = 0; k < p->njobs; k++) {
			struct job *j = &p->jobs[k];
			if (!j->active)
				continue;
			for (size_t i = 0; i < j->nw; i++)
				if (j->f[i]->data(j->w[i], buf, n, p->e) < 0)
					return pf_err_prefix(p->e, "%s (%s)", j->spec->name,
							     j->f[i]->name);
		}
		draw_progress(p, src, false);
	}
	if (got != (uint64_t)se->size)
		return refuse(p, se->path, "the archive holds %" PRIu64 " bytes of a %" PRId64 "-byte file",
			      got, se->size);
	if (kind == ELF) {
		struct elfrec *r;

		PF_ALLOC_GROW(p->elf, p->nr_elf + 1, p->alloc_elf);
		r = &p->elf[p->nr_elf++];
		memset(r, 0, sizeof(*r));
		r->srcpath = pf_strdup(se->path);
		r->fd = p->elf_fd >= 0 ? p->elf_fd : p->spool_fd;
		r->off = p->elf_fd >= 0 ? elf_off : off;
		r->size = got;
	}
	for (size_t k = 0; k < p->njobs; k++) {
		struct job *j = &p->jobs[k];
		if (!j->active)
			continue;
		j->cur.spool_off = p->spool_fd >= 0 ? off : PF_SPOOL_NONE;
		if (kind == ELF) {
			size_t old = j->elf_alloc;
			PF_ALLOC_GROW(j->elf_of_ino, (size_t)j->cur.ino + 1, j->elf_alloc);
			memset(j->elf_of_ino + old, 0, (j->elf_alloc - old) * sizeof(*j->elf_of_ino));
			j->elf_of_ino[j->cur.ino] = p->nr_elf;
		}
	}
	return 0;
}

static int do_entry(struct pass *p, struct pf_source *src, const struct pf_srcentry *se,
		    char *buf, struct strbuf *norm, struct strbuf *tgt)
{
	int ncomp;
	bool any = false;

	if (!p->have_first) {
		p->first_mtime = se->mtime;
		p->have_first = true;
	}
	if (check_srcentry(p, se) < 0)
		return -1;
	ncomp = normalise(p, se->path, norm);
	if (ncomp < 0)
		return -1;
	for (size_t k = 0; k < p->njobs; k++) {
		if (job_entry(p, &p->jobs[k], se, norm->buf, ncomp, tgt) < 0)
			return -1;
		any |= p->jobs[k].active;
	}
	if (se->type == PF_S_REG && any) {
		if (pump_content(p, src, se, buf) < 0)
			return -1;
	}
	if (se->type == PF_S_REG) {
		unsigned char md5[16], sha[32];
		pf_digest_final(p->md5, md5);
		pf_digest_final(p->sha, sha);
		for (size_t k = 0; k < p->njobs; k++) {
			memcpy(p->jobs[k].cur.md5, md5, 16);
			memcpy(p->jobs[k].cur.sha256, sha, 32);
		}
	}
	for (size_t k = 0; k < p->njobs; k++) {
		struct job *j = &p->jobs[k];
		struct pf_entry *stored;

		if (!j->active)
			continue;
		stored = add_entry(j, &j->cur);
		if (emit_end(p, j, stored) < 0)
			return -1;
		j->active = false;
	}
	return 0;
}

/* --------------------------------------------------------- end checks */

static void split_push(struct pf_strlist *l, const char *path)
{
	const char *s = path;

	while (*s) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);
		if (n)
			pf_strlist_add(l, pf_strndup(s, n));
		s += n + (slash ? 1 : 0);
	}
}

static void join(struct strbuf *out, const struct pf_strlist *l, size_t n)
{
	strbuf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(out, '/');
		strbuf_addstr(out, l->v[i]);
	}
}

/*
 * Resolve a symlink through the package's own tree (following the other
 * symlinks it holds, as the installed system would) and refuse it if any
 * step leaves the prefix.  Links allowed to point outside, and links that
 * go through them, are let be.
 */
static int check_symlink(struct pass *p, struct job *j, const struct pf_entry *link)
{
	struct pf_strlist cur = { NULL, 0, 0 }, todo = { NULL, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	size_t pos = 0, hops = 0;
	int ret = 0;

	if (external_ok(j, link->path))
		return 0;
	if (link->link[0] == '/') {
		ret = refuse(p, link->path, "symlink to '%s', an absolute path outside /%s",
			     link->link, j->root);
		goto out;
	}
	split_push(&cur, link->path);
	free(cur.v[--cur.nr]);
	split_push(&todo, link->link);
	while (pos < todo.nr) {
		const char *c = todo.v[pos++];
		size_t idx;

		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (cur.nr <= j->root_depth) {
				ret = refuse(p, link->path, "symlink to '%s' points outside /%s",
					     link->link, j->root);
				goto out;
			}
			free(cur.v[--cur.nr]);
			continue;
		}
		pf_strlist_add(&cur, pf_strdup(c));
		join(&path, &cur, cur.nr);
		if (!pf_strmap_get(&j->index, path.buf, &idx))
			continue;       /* dangling inside the prefix: fine */
		if (j->files.v[idx].type != PF_E_SYMLINK)
			continue;
		if (external_ok(j, path.buf))
			goto out;
		if (++hops > MAX_SYMLINK_HOPS) {
			ret = refuse(p, link->path, "symlink loop");
			goto out;
		}
		if (j->files.v[idx].link[0] == '/') {
			ret = refuse(p, link->path, "symlink to '%s' goes through '/%s', which points outside /%s",
				     link->link, path.buf, j->root);
			goto out;
		}
		free(cur.v[--cur.nr]);
		{
			/* replace the component with the link's target */
			struct pf_strlist rest = { NULL, 0, 0 };
			split_push(&rest, j->files.v[idx].link);
			for (size_t i = pos; i < todo.nr; i++)
				pf_strlist_add(&rest, todo.v[i]);
			for (size_t i = 0; i < pos; i++)
				free(todo.v[i]);
			free(todo.v);
			todo = rest;
			pos = 0;
		}
	}
out:
	pf_strlist_release(&todo);
	pf_strlist_release(&cur);
	strbuf_release(&path);
	return ret;
}

/* ---------------------------------------------------------- ELF files */

/* Read every spooled ELF file, one mapping at a time. */
static int scan_elf(struct pass *p)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < p->nr_elf; i++) {
		struct elfrec *r = &p->elf[i];
		uint64_t start = r->off - r->off % (uint64_t)page;
		size_t len = (size_t)(r->off - start + r->size);
		void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, r->fd, (off_t)start);
		int rc;

		if (map == MAP_FAILED)
			return pf_err_errno(p->e, "cannot map %s from the spool", r->srcpath);
		rc = pf_elf_scan((char *)map + (r->off - start), (size_t)r->size, &r->info, p->e);
		munmap(map, len);
		if (rc < 0) {
			struct strbuf why = STRBUF_INIT;
			strbuf_addstr(&why, p->e->msg.buf);
			refuse(p, r->srcpath, "%s", why.buf);
			strbuf_release(&why);
			return -1;
		}
	}
	return 0;
}

/* The ELF files of the job's package; machine and class checked. */
static int job_elf_files(struct pass *p, struct job *j, struct pf_elffile **out, size_t *nr)
{
	size_t alloc = 0;

	*out = NULL;
	*nr = 0;
	for (size_t i = 0; i < j->files.nr; i++) {
		const struct pf_entry *ent = &j->files.v[i];
		const struct elfrec *r;

		if ((ent->type != PF_E_REG && ent->type != PF_E_HARDLINK) ||
		    ent->ino >= j->elf_alloc || !j->elf_of_ino[ent->ino])
			continue;
		r = &p->elf[j->elf_of_ino[ent->ino] - 1];
		if (foreign_elf(j, ent->path))
			continue;       /* not this machine's: no check, no dependencies */
		if (check_machine(p, j, r->srcpath, r->info.elfclass, r->info.machine,
				  r->info.type, r->info.interp != NULL) < 0)
			return -1;
		PF_ALLOC_GROW(*out, *nr + 1, alloc);
		(*out)[*nr].path = ent->path;
		(*out)[*nr].mode = ent->mode;
		(*out)[*nr].info = &r->info;
		(*nr)++;
	}
	return 0;
}

/*
 * Does deriving the package's relations read its profile?  For deb and
 * ipk, the data of the package's architecture; an architecture-
 * independent package ("all") holds no ELF file and needs none.
 */
static bool wants_profile(const struct pf_convert *c, const struct pf_pkgspec *s)
{
	return (c->derive[PF_FMT_DEB] || c->derive[PF_FMT_IPK]) && strcmp(s->arch->deb, "all");
}

/* Derive the job's relations and merge them with the declared ones. */
static int job_relations(struct pass *p, struct job *j, struct pf_rellist rel[PF_REL_NR][PF_FMT_NR])
{
	struct pf_rellist (*derived)[PF_FMT_NR] = j->derived;
	struct pf_depgen g;
	struct pf_elffile *elf = NULL;
	size_t nr_elf = 0;
	int ret = -1;

	memset(&g, 0, sizeof(g));
	if (p->derive) {
		if (job_elf_files(p, j, &elf, &nr_elf) < 0)
			goto out;
		g.spec = j->spec;
		g.files = &j->files;
		g.index = &j->index;
		g.elf = elf;
		g.nr_elf = nr_elf;
		memcpy(g.want, p->c->derive, sizeof(g.want));
		if (wants_profile(p->c, j->spec) &&
		    pf_profiles_get(p->c->profiles, j->spec->profile, j->spec->arch->deb,
				    &g.profile, p->e) < 0)
			goto prefix;
		if (pf_depgen_run(&g, derived, p->e) < 0)
			goto prefix;
	}
	for (int k = 0; k < PF_REL_NR; k++)
		for (int f = 0; f < PF_FMT_NR; f++)
			pf_rel_merge(&rel[k][f], &j->spec->rel[k][f], &derived[k][f], f);
	ret = 0;
	goto out;
prefix:
	pf_err_prefix(p->e, "%s", j->spec->name);
out:
	free(elf);
	return ret;
}

/*
 * The link counts of the file list, and the sizes: content bytes, and
 * dpkg-gencontrol's Installed-Size (content once per inode, symlink
 * targets, 1 KiB for every directory and for the root of the tree).
 */
static void list_sums(struct pf_filelist *files, struct pf_pkgsum *sum)
{
	uint32_t max = 0, *links;
	uint64_t bytes = 0;

	for (size_t i = 0; i < files->nr; i++)
		if (files->v[i].ino > max)
			max = files->v[i].ino;
	links = pf_calloc((size_t)max + 1, sizeof(*links));
	for (size_t i = 0; i < files->nr; i++) {
		const struct pf_entry *ent = &files->v[i];
		if (ent->type == PF_E_REG || ent->type == PF_E_HARDLINK)
			links[ent->ino]++;
		if (ent->type == PF_E_REG)
			bytes += ent->size;
	}
	sum->file_bytes = bytes;
	bytes += 1024;
	for (size_t i = 0; i < files->nr; i++) {
		struct pf_entry *ent = &files->v[i];
		if (ent->type == PF_E_REG || ent->type == PF_E_HARDLINK)
			ent->nlink = links[ent->ino];
		else
			ent->nlink = ent->type == PF_E_DIR ? 2 : 1;
		if (ent->type == PF_E_SYMLINK)
			bytes += strlen(ent->link);
		else if (ent->type == PF_E_DIR)
			bytes += 1024;
	}
	free(links);
	sum->files = files;
	sum->installed_kib = (bytes + 1023) / 1024;
}

/* Every writer of a job finishes its package. */
static int finish_writers(struct pf_convert *c, const struct pf_pkgspec *spec,
			  const struct pf_pkgfmt *const *f, struct pf_pkgw *const *w, size_t nw,
			  const struct pf_pkgsum *sum, struct pf_err *e)
{
	for (size_t i = 0; i < nw; i++) {
		char *name;

		if (f[i]->finish(w[i], sum, e) < 0)
			return pf_err_prefix(e, "%s (%s)", spec->name, f[i]->name);
		name = f[i]->filename(spec);
		pf_strlist_add(&c->written, pf_asprintf("%s/%s", c->opt->outdir, name));
		free(name);
	}
	return 0;
}

static int finish_job(struct pass *p, struct job *j, struct pf_rellist rel[PF_REL_NR][PF_FMT_NR],
		      int64_t *stamp)
{
	struct pf_pkgsum sum;
	bool anyfile = false;

	for (size_t i = 0; i < j->files.nr; i++) {
		const struct pf_entry *ent = &j->files.v[i];
		if (ent->type == PF_E_SYMLINK && check_symlink(p, j, ent) < 0)
			return -1;
		if (ent->type != PF_E_DIR || !ent->synthetic)
			anyfile = true;
	}
	if (!anyfile)
		return pf_err_set(p->e, PF_EINVAL,
				  "%s: no entry matches the files of %s (check 'strip' and 'include')",
				  p->c->srcpath, j->spec->name);
	memset(&sum, 0, sizeof(sum));
	list_sums(&j->files, &sum);
	*stamp = p->c->opt->sde_set ? p->c->opt->sde : j->newest;
	if (j->stamp_only)
		return 0;
	if (job_relations(p, j, rel) < 0)
		return -1;
	sum.rel = (const struct pf_rellist (*)[PF_FMT_NR])rel;
	sum.timestamp = *stamp;
	sum.spool_fd = p->spool_fd;
	return finish_writers(p->c, j->spec, j->f, j->w, j->nw, &sum, p->e);
}

/* ------------------------------------------------------ payload cache */

static void key_list(struct strbuf *k, const char *what, const struct pf_strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(k, "%s %s\n", what, l->v[i]);
}

/*
 * The key of what a pass makes for a package that does not depend on
 * its metadata: the tarball, how its tree maps into the package, the
 * time clamp, and what the derived relations depend on.  Each format's
 * key adds its payload settings.
 */
static int job_keys(struct pf_convert *c, struct job *j, struct pf_err *e)
{
	const struct pf_pkgspec *s = j->spec;
	struct strbuf k = STRBUF_INIT;
	unsigned char dg[32];
	int ret = -1;

	strbuf_addf(&k, "pkgforge %s payload cache 1\nsource %s\n", PF_VERSION, c->sha256);
	if (c->opt->sde_set)
		strbuf_addf(&k, "sde %lld\n", (long long)c->opt->sde);
	strbuf_addf(&k, "arch %s\nprefix %s\nstrip %d\n", s->arch->canon, s->prefix, s->strip);
	key_list(&k, "include", &s->include);
	key_list(&k, "exclude", &s->exclude);
	key_list(&k, "external-link", &s->extlinks);
	key_list(&k, "foreign-elf", &s->foreign_elf);
	/* a signature the manifest asks for was checked when the item was made */
	if (s->sig.url) {
		strbuf_addf(&k, "signature %s\n", s->sig.url);
		key_list(&k, "signer", &s->sig.signers);
	}
	for (int f = 0; f < PF_FMT_NR; f++)
		if (c->derive[f])
			strbuf_addf(&k, "derive %s\n", pf_pkgfmts[f]->name);
	if (wants_profile(c, s)) {
		const struct pf_profile *prof;

		/* the data of the package's architecture, digested as read */
		if (pf_profiles_get(c->profiles, s->profile, s->arch->deb, &prof, e) < 0) {
			pf_err_prefix(e, "%s", s->name);
			goto out;
		}
		strbuf_addf(&k, "profile %s %s %s\n", s->profile, prof->arch, prof->sha256);
	}
	for (size_t i = 0; i < s->nr_somap; i++)
		strbuf_addf(&k, "soname %s %s\n", s->somap[i].soname, s->somap[i].rel);
	key_list(&k, "soname-ignore", &s->soignore);
	pf_digest_buf(PF_SHA256, k.buf, k.len, dg);
	pf_hex(j->key, dg, 32);
	for (size_t i = 0; i < j->nw; i++) {
		struct strbuf fk = STRBUF_INIT;

		strbuf_addf(&fk, "%s\n", j->key);
		j->f[i]->payload_key(c->opt, &fk);
		pf_digest_buf(PF_SHA256, fk.buf, fk.len, dg);
		pf_hex(j->fkey[i], dg, 32);
		strbuf_release(&fk);
	}
	ret = 0;
out:
	strbuf_release(&k);
	return ret;
}

static const char etypes[] = { [PF_E_DIR] = 'd', [PF_E_REG] = 'f', [PF_E_SYMLINK] = 'l',
			       [PF_E_HARDLINK] = 'h' };

/* The job's file list, newest time and derived relations, as text. */
static void meta_text(const struct job *j, struct strbuf *t)
{
	char md5[33], sha[65];

	strbuf_addf(t, "pkgforge-payload-meta 1\nnewest %lld\n", (long long)j->newest);
	for (size_t i = 0; i < j->files.nr; i++) {
		const struct pf_entry *ent = &j->files.v[i];
		bool content = ent->type == PF_E_REG || ent->type == PF_E_HARDLINK;

		pf_hex(md5, ent->md5, 16);
		pf_hex(sha, ent->sha256, 32);
		strbuf_addf(t, "E\t%c\t%o\t%llu\t%lld\t%u\t%d\t%s\t%s\t%s\t%s\n",
			    etypes[ent->type], ent->mode, (unsigned long long)ent->size,
			    (long long)ent->mtime, ent->ino, ent->synthetic ? 1 : 0,
			    content ? md5 : "-", content ? sha : "-", ent->path,
			    ent->link ? ent->link : "-");
	}
	for (int k = 0; k < PF_REL_NR; k++)
		for (int f = 0; f < PF_FMT_NR; f++)
			for (size_t i = 0; i < j->derived[k][f].nr; i++)
				strbuf_addf(t, "R\t%d\t%d\t%s\t%s\n", k, f,
					    j->derived[k][f].v[i].origin, j->derived[k][f].v[i].text);
}

static int unhex(const char *h, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Read meta_text() back; -1 on anything unexpected (a damaged item). */
static int meta_parse(char *t, struct pf_filelist *files, int64_t *newest,
		      struct pf_rellist derived[PF_REL_NR][PF_FMT_NR])
{
	char *save = NULL, *line = strtok_r(t, "\n", &save);

	if (!line || strcmp(line, "pkgforge-payload-meta 1"))
		return -1;
	line = strtok_r(NULL, "\n", &save);
	if (!line || sscanf(line, "newest %lld", (long long *)newest) != 1)
		return -1;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *f[12], *fs = NULL;
		size_t n = 0;

		for (char *tok = strtok_r(line, "\t", &fs); tok && n < 12;
		     tok = strtok_r(NULL, "\t", &fs))
			f[n++] = tok;
		if (n == 11 && !strcmp(f[0], "E")) {
			struct pf_entry ent;

			memset(&ent, 0, sizeof(ent));
			ent.type = f[1][0] == 'd' ? PF_E_DIR : f[1][0] == 'f' ? PF_E_REG :
				   f[1][0] == 'l' ? PF_E_SYMLINK : PF_E_HARDLINK;
			ent.mode = (unsigned)strtoul(f[2], NULL, 8);
			ent.size = strtoull(f[3], NULL, 10);
			ent.mtime = strtoll(f[4], NULL, 10);
			ent.ino = (uint32_t)strtoul(f[5], NULL, 10);
			ent.synthetic = f[6][0] == '1';
			ent.spool_off = PF_SPOOL_NONE;
			if (strcmp(f[7], "-") && (strlen(f[7]) != 32 || strlen(f[8]) != 64 ||
						  unhex(f[7], ent.md5, 16) < 0 ||
						  unhex(f[8], ent.sha256, 32) < 0))
				return -1;
			ent.path = pf_strdup(f[9]);
			ent.link = strcmp(f[10], "-") ? pf_strdup(f[10]) : NULL;
			PF_ALLOC_GROW(files->v, files->nr + 1, files->alloc);
			files->v[files->nr++] = ent;
		} else if (n == 5 && !strcmp(f[0], "R")) {
			int k = atoi(f[1]), fm = atoi(f[2]);
			if (k < 0 || k >= PF_REL_NR || fm < 0 || fm >= PF_FMT_NR)
				return -1;
			pf_rellist_add(&derived[k][fm], f[4], NULL, f[3]);
		} else {
			return -1;
		}
	}
	return 0;
}

static void filelist_release(struct pf_filelist *files)
{
	for (size_t i = 0; i < files->nr; i++) {
		free((char *)files->v[i].path);
		free((char *)files->v[i].link);
	}
	free(files->v);
	memset(files, 0, sizeof(*files));
}

static void rels_release(struct pf_rellist rel[PF_REL_NR][PF_FMT_NR])
{
	for (int k = 0; k < PF_REL_NR; k++)
		for (int f = 0; f < PF_FMT_NR; f++)
			pf_rellist_release(&rel[k][f]);
}

/* Whether everything these jobs need is in the cache. */
static bool cache_complete(const struct pf_convert *c, const struct job *jobs, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (!pf_pcache_has(c->pcache, jobs[k].key, "meta"))
			return false;
		for (size_t i = 0; i < jobs[k].nw; i++)
			if (!pf_pcache_has(c->pcache, jobs[k].fkey[i], "payload"))
				return false;
	}
	return true;
}

/* After a good pass: save every job's meta and every writer's payload. */
static void cache_save(struct pf_convert *c, struct job *jobs, size_t n)
{
	struct pf_err e = PF_ERR_INIT;

	for (size_t k = 0; k < n; k++) {
		struct job *j = &jobs[k];
		struct strbuf t = STRBUF_INIT;
		int r;

		if (j->stamp_only)
			continue;
		meta_text(j, &t);
		/* payloads first: a meta item promises they are there */
		r = 0;
		for (size_t i = 0; i < j->nw && !r; i++)
			r = j->f[i]->save(j->w[i], c->pcache, j->fkey[i], &e);
		if (!r)
			r = pf_pcache_put_buf(c->pcache, j->key, "meta", t.buf, t.len, &e);
		strbuf_release(&t);
		if (r < 0) {
			pf_log(c->log, PF_LOG_WARN, "cannot save %s in the payload cache: %s",
			       j->spec->name, e.msg.buf);
			pf_err_release(&e);
		}
	}
}

/*
 * Write every package of these jobs from the cache: no pass at all.
 * Everything is read and opened before anything is written: 1 when the
 * cache cannot serve after all (a damaged item), so that the caller
 * makes a full pass instead.
 */
static int from_cache(struct pf_convert *c, struct job *jobs, size_t n, struct pf_err *e)
{
	struct pf_filelist *files = pf_calloc(n ? n : 1, sizeof(*files));
	int64_t *newest = pf_calloc(n ? n : 1, sizeof(*newest));
	struct pf_err why = PF_ERR_INIT;
	int ret = 1;

	for (size_t k = 0; k < n; k++) {
		struct job *j = &jobs[k];
		struct strbuf t = STRBUF_INIT;
		int r = pf_pcache_read(c->pcache, j->key, "meta", &t, &why);

		if (!r && meta_parse(t.buf, &files[k], &newest[k], j->derived) < 0)
			r = pf_err_set(&why, PF_EFAIL, "%s/%s.meta is damaged", c->pcache->dir, j->key);
		strbuf_release(&t);
		for (size_t i = 0; i < j->nw && !r; i++)
			r = j->f[i]->open_saved(&j->w[i], j->spec, c->opt, c->pcache, j->fkey[i], &why);
		if (r < 0)
			goto out;
	}
	c->rel = pf_calloc(n ? n : 1, sizeof(*c->rel));
	c->timestamps = pf_calloc(n ? n : 1, sizeof(*c->timestamps));
	for (size_t k = 0; k < n; k++) {
		struct job *j = &jobs[k];
		struct pf_pkgsum sum;

		c->timestamps[k] = c->opt->sde_set ? c->opt->sde : newest[k];
		if (j->stamp_only)
			continue;
		memset(&sum, 0, sizeof(sum));
		list_sums(&files[k], &sum);
		for (int kind = 0; kind < PF_REL_NR; kind++)
			for (int f = 0; f < PF_FMT_NR; f++)
				pf_rel_merge(&c->rel[k][kind][f], &j->spec->rel[kind][f],
					     &j->derived[kind][f], f);
		sum.rel = (const struct pf_rellist (*)[PF_FMT_NR])c->rel[k];
		sum.timestamp = c->timestamps[k];
		sum.spool_fd = -1;
		if (finish_writers(c, j->spec, j->f, j->w, j->nw, &sum, e) < 0) {
			ret = -1;
			goto out;
		}
	}
	c->from_cache = true;
	ret = 0;
out:
	if (ret > 0) {
		pf_log(c->log, PF_LOG_WARN, "the payload cache cannot serve %s (%s): reading it again",
		       c->srcpath, why.msg.buf);
		for (size_t k = 0; k < n; k++) {
			for (size_t i = 0; i < jobs[k].nw; i++) {
				if (jobs[k].w[i])
					jobs[k].f[i]->free(jobs[k].w[i]);
				jobs[k].w[i] = NULL;
			}
			rels_release(jobs[k].derived);
		}
	}
	for (size_t k = 0; k < n; k++)
		filelist_release(&files[k]);
	free(files);
	free(newest);
	pf_err_release(&why);
	return ret;
}

/* ------------------------------------------------------------ driver */

static void job_release(struct job *j)
{
	for (size_t i = 0; i < j->nw; i++)
		if (j->w[i])
			j->f[i]->free(j->w[i]);
	for (size_t i = 0; i < j->files.nr; i++) {
		free((char *)j->files.v[i].path);
		free((char *)j->files.v[i].link);
	}
	free(j->files.v);
	free(j->elf_of_ino);
	pf_strmap_release(&j->index);
	pf_strmap_release(&j->seen_dirs);
	pf_strlist_release(&j->seen_dir_keys);
	strbuf_release(&j->cur_path);
	rels_release(j->derived);
}

/* The jobs and their formats, writers not opened yet. */
static void setup_jobs(struct pass *p)
{
	struct pf_convert *c = p->c;

	p->jobs = pf_calloc(c->nspecs ? c->nspecs : 1, sizeof(*p->jobs));
	p->njobs = c->nspecs;
	for (size_t k = 0; k < c->nspecs; k++) {
		struct job *j = &p->jobs[k];
		const char *r;

		j->spec = c->specs[k];
		strbuf_init(&j->cur_path, 0);
		j->root = j->spec->prefix + 1;
		j->root_depth = 1;
		for (r = j->root; *r; r++)
			j->root_depth += *r == '/';
		j->stamp_only = c->stamp_only && c->stamp_only[k];
		for (size_t i = 0; i < c->nfmts && !j->stamp_only; i++)
			j->f[j->nw++] = c->fmts[i];
	}
}

static int open_jobs(struct pass *p)
{
	struct pf_convert *c = p->c;
	bool spool = false;

	for (size_t k = 0; k < p->njobs; k++) {
		struct job *j = &p->jobs[k];

		for (size_t i = 0; i < j->nw; i++) {
			const struct pf_pkgfmt *f = j->f[i];
			if (f->open(&j->w[i], j->spec, c->opt, p->e) < 0)
				return pf_err_prefix(p->e, "%s (%s)", j->spec->name, f->name);
			spool |= !!(f->flags & PF_FMT_NEEDS_SPOOL);
		}
	}
	p->spool_fd = -1;
	if (spool) {
		p->spool_fd = pf_tmpfile(c->opt->outdir, p->e);
		if (p->spool_fd < 0)
			return -1;
	}
	for (int f = 0; f < PF_FMT_NR; f++)
		p->derive |= c->derive[f];
	if (p->derive && !spool) {
		p->elf_fd = pf_tmpfile(c->opt->outdir, p->e);
		if (p->elf_fd < 0)
			return -1;
	}
	return 0;
}

int pf_convert_run(struct pf_convert *c, struct pf_err *e)
{
	struct pass p;
	struct pf_source *src = NULL;
	struct pf_source_tap tap;
	unsigned char sha[32];
	struct strbuf norm = STRBUF_INIT, tgt = STRBUF_INIT;
	char *buf = pf_malloc(CHUNK);
	int ret = -1;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.e = e;
	p.spool_fd = -1;
	p.elf_fd = -1;
	p.md5 = pf_digest_new(PF_MD5);
	p.sha = pf_digest_new(PF_SHA256);
	setup_jobs(&p);
	if (c->pcache) {
		for (size_t k = 0; k < p.njobs; k++)
			if (job_keys(c, &p.jobs[k], e) < 0)
				goto out;
		if (cache_complete(c, p.jobs, p.njobs)) {
			int r = from_cache(c, p.jobs, p.njobs, e);
			if (r <= 0) {
				ret = r;
				goto out;
			}
		}
	}
	if (open_jobs(&p) < 0)
		goto out;
	tap.data = c->tap;
	tap.ctx = c->tap_ctx;
	if (pf_source_open(&src, c->srcpath, c->fd, c->tap ? &tap : NULL, e) < 0)
		goto out;
	for (;;) {
		struct pf_srcentry se;
		int r = pf_source_next(src, &se, e);

		if (r < 0)
			goto out;
		if (!r)
			break;
		if (do_entry(&p, src, &se, buf, &norm, &tgt) < 0)
			goto out;
		draw_progress(&p, src, false);
	}
	if (pf_source_finish(src, sha, e) < 0)
		goto out;
	draw_progress(&p, src, true);
	if (c->sha256) {
		char hex[65];

		pf_hex(hex, sha, 32);
		if (strcmp(hex, c->sha256)) {
			pf_err_set(e, PF_EFAIL,
				   "%s changed while it was read (sha256 %s, verified as %s)",
				   c->srcpath, hex, c->sha256);
			goto out;
		}
	}
	/* the signature, before any package becomes visible */
	if (c->tap_end && c->tap_end(c->tap_ctx, e) < 0)
		goto out;
	if (scan_elf(&p) < 0)
		goto out;
	c->rel = pf_calloc(c->nspecs ? c->nspecs : 1, sizeof(*c->rel));
	c->timestamps = pf_calloc(c->nspecs ? c->nspecs : 1, sizeof(*c->timestamps));
	for (size_t k = 0; k < p.njobs; k++)
		if (finish_job(&p, &p.jobs[k], c->rel[k], &c->timestamps[k]) < 0)
			goto out;
	if (c->pcache)
		cache_save(c, p.jobs, p.njobs);
	ret = 0;
out:
	if (ret < 0)
		draw_progress(&p, src, true);
	pf_source_close(src);
	for (size_t k = 0; k < p.njobs; k++)
		job_release(&p.jobs[k]);
	free(p.jobs);
	if (p.spool_fd >= 0)
		close(p.spool_fd);
	if (p.elf_fd >= 0)
		close(p.elf_fd);
	for (size_t i = 0; i < p.nr_elf; i++) {
		free(p.elf[i].srcpath);
		pf_elfinfo_release(&p.elf[i].info);
	}
	free(p.elf);
	pf_digest_free(p.md5);
	pf_digest_free(p.sha);
	strbuf_release(&norm);
	strbuf_release(&tgt);
	free(buf);
	return ret;
}

int pf_convert_meta(struct pf_convert *c, struct pf_err *e)
{
	struct pf_filelist none = { NULL, 0, 0 };
	int ret = -1;

	for (size_t k = 0; k < c->nspecs; k++) {
		const struct pf_pkgspec *spec = c->specs[k];
		struct pf_pkgsum sum;

		memset(&sum, 0, sizeof(sum));
		sum.files = &none;
		sum.rel = (const struct pf_rellist (*)[PF_FMT_NR])spec->rel;
		sum.installed_kib = 1;          /* the root directory */
		sum.timestamp = c->meta_timestamps[k];
		sum.spool_fd = -1;
		for (size_t i = 0; i < c->nfmts; i++) {
			const struct pf_pkgfmt *f = c->fmts[i];
			struct pf_pkgw *w = NULL;
			char *name;

			if (f->open(&w, spec, c->opt, e) < 0 || f->finish(w, &sum, e) < 0) {
				pf_err_prefix(e, "%s (%s)", spec->name, f->name);
				if (w)
					f->free(w);
				goto out;
			}
			f->free(w);
			name = f->filename(spec);
			pf_strlist_add(&c->written, pf_asprintf("%s/%s", c->opt->outdir, name));
			free(name);
		}
	}
	ret = 0;
out:
	return ret;
}

void pf_convert_release(struct pf_convert *c)
{
	pf_strlist_release(&c->written);
	if (c->rel) {
		for (size_t i = 0; i < c->nspecs; i++)
			for (int k = 0; k < PF_REL_NR; k++)
				for (int f = 0; f < PF_FMT_NR; f++)
					pf_rellist_release(&c->rel[i][k][f]);
		free(c->rel);
		c->rel = NULL;
	}
	free(c->timestamps);
	c->timestamps = NULL;
}
