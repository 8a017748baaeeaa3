// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .rpm writer (v4 format, as rpm 4.18 reads and rpmbuild 4.18 writes it):
 *
 *   lead (96 bytes)  signature header (padded to 8)  main header  payload
 *
 * The headers are built with librpm's header API; the payload is a cpio
 * archive this file lays out itself and compresses through tarw.c.  The
 * main header precedes the payload but holds its digests, and the
 * signature header holds digests of both, so the package is written with
 * placeholders of the final sizes first (the sizes do not depend on the
 * digests), the payload streamed after them, and the headers written
 * over the placeholders at the end.
 *
 * The payload needs the file list in its final (sorted) order and every
 * hardlinked file's content on the last of its links, which one pass over
 * the tarball cannot know in advance: the format asks convert.c for the
 * raw content spool and writes the whole payload in finish().
 *
 * This is the only file that uses librpm's header and dependency API.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "ofile.h"
#include "mscript.h"
#include "pcache.h"
#include "pkgfmt.h"
#include "rpmlib.h"
#include "strmap.h"
#include "tarw.h"
#include "util.h"
#include "banned.h"

#define LEAD_SIZE       96
#define CHUNK           (1 << 18)
/* rpm's cpio reader refuses names longer than this (NUL included) */
#define MAX_CPIO_NAME   4096
/* what rpmbuild reserves in the signature header, so that rpmsign can
 * add a signature without rewriting the package */
#define RESERVED_SPACE  (32 + 4096)
#define BUILDHOST       "pkgforge"

static const unsigned char header_magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };

/* Per architecture: the lead's number (rpmrc's arch_canon) and the ISA
 * name rpmbuild's name(ISA) provide uses. */
static const struct {
	const char *arch;
	short num;
	const char *isa;
} rpm_arches[] = {
	{ "x86_64", 1, "x86-64" },
	{ "aarch64", 19, "aarch-64" },
};

/*
 * Directories the distribution's filesystem package owns: a package
 * creates them when it needs to but does not own them, so that they do
 * not go away with it.  Directories below them (/opt/korg and down) are
 * the package's own.
 */
static const char *const system_dirs[] = {
	"bin", "boot", "etc", "home", "lib", "lib64", "media", "mnt", "opt",
	"root", "run", "sbin", "srv", "tmp", "usr", "var",
	"usr/bin", "usr/include", "usr/lib", "usr/lib64", "usr/libexec",
	"usr/sbin", "usr/share", "usr/share/doc", "usr/share/info",
	"usr/share/licenses", "usr/share/man", "usr/src",
	"usr/local", "usr/local/bin", "usr/local/etc", "usr/local/include",
	"usr/local/lib", "usr/local/lib64", "usr/local/libexec", "usr/local/sbin",
	"usr/local/share", "usr/local/src",
};

struct pf_pkgw {
	const struct pf_pkgspec *spec;
	const struct pf_buildopt *opt;
	enum pf_comp comp;
	int level;
	/* the payload: a saved one to copy (saved_fd >= 0), or the one
	 * finish() wrote, for save() */
	int saved_fd;
	char *path;                     /* the package written */
	uint64_t payload_off, payload_len, payload_size;
	char pld[65], alt[65];          /* SHA-256 of it compressed, and not */
};

/* A file of the package, in header order. */
struct rfile {
	const struct pf_entry *ent;
	char *path;                     /* "/opt/korg/llvm-18/bin/clang" */
	uint32_t mode;                  /* st_mode, type bits included */
	uint64_t size;                  /* FILESIZES: content, or link target length */
	uint32_t ino;                   /* FILEINODES */
	uint32_t nlink;
	long next_link;                 /* next file of the hardlink set, or -1 */
	bool first_link, last_link;     /* in a set of more than one */
};

struct files {
	struct rfile *v;
	size_t nr;
	bool large;                     /* a file of 4 GiB or more */
	bool hardlinks;
	uint64_t total;                 /* SIZE: what the files take, once per inode */
};

/* ---------------------------------------------------- names, checks */

static const char *rpm_arch(const struct pf_pkgspec *s)
{
	return s->arch->rpm;
}

static char *rpm_filename(const struct pf_pkgspec *s)
{
	return pf_asprintf("%s-%s-%s.%s.rpm", s->name, s->version, s->release, s->arch->rpm);
}

/* rpmbuild's rules for package names: letters, digits and "-._+",
 * starting with a letter or digit. */
static bool rpmname_ok(const char *s, size_t n)
{
	if (!n || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-._+", s[i]))
			return false;
	return true;
}

/* A dependency name as rpmbuild takes it: starting with a letter, digit,
 * '_' or '/', then anything printable but spaces and commas (so that
 * "pkgconfig(zlib)" and "libc.so.6(GLIBC_2.34)(64bit)" are names). */
static bool depname_ok(const char *s, size_t n)
{
	if (!n || !(isalnum((unsigned char)s[0]) || s[0] == '_' || s[0] == '/'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == ',' || s[i] == 0x7f)
			return false;
	return true;
}

/* [epoch:]version[-release] in rpmbuild's characters. */
static bool rpmevr_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *dash;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+~^:-", s[i]))
			return false;
	if (colon) {
		if (colon == s || memchr(colon + 1, ':', n - (colon + 1 - s)))
			return false;
		for (const char *p = s; p < colon; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	dash = memchr(s, '-', n);
	if (dash && (memchr(dash + 1, '-', n - (dash + 1 - s)) || dash == s + n - 1))
		return false;
	return true;
}

/* A parsed relation: a plain one, or a rich dependency (name is the
 * whole expression, flags 0). */
struct rpmrel {
	const char *name;
	size_t name_len;
	rpmsenseFlags flags;
	const char *evr;
	size_t evr_len;
	bool rich;
};

/* Parse "name", "name OP [epoch:]version[-release]" or "( ... )". */
static int rpmrel_parse(const char *rel, rpmTagVal tag, struct rpmrel *r,
			struct strbuf *why)
{
	const char *p = rel, *start;

	memset(r, 0, sizeof(*r));
	r->evr = "";
	if (*p == '(') {
		const char *end = rel;
		char *emsg = NULL;

		if (tag == RPMTAG_PROVIDENAME || tag == RPMTAG_OBSOLETENAME) {
			strbuf_addstr(why, "rich dependencies (alternatives) are not allowed here");
			return -1;
		}
		/* only a rich relation needs librpm here */
		pf_librpm_need();
		if (rpmrichParseForTag(&end, &emsg, NULL, NULL, tag) != RPMRC_OK) {
			/* librpm's message, in our style: lower case */
			if (emsg && *emsg)
				emsg[0] = (char)tolower((unsigned char)emsg[0]);
			strbuf_addstr(why, emsg ? emsg : "malformed rich dependency");
			free(emsg);
			return -1;
		}
		free(emsg);
		while (*end == ' ')
			end++;
		if (*end) {
			strbuf_addf(why, "unexpected '%s' after the rich dependency", end);
			return -1;
		}
		r->name = rel;
		r->name_len = strlen(rel);
		r->rich = true;
		return 0;
	}
	start = p;
	while (*p && *p != ' ')
		p++;
	if (!depname_ok(start, p - start)) {
		strbuf_addf(why, "'%.*s' is not a valid name", (int)(p - start), start);
		return -1;
	}
	r->name = start;
	r->name_len = p - start;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	start = p;
	while (*p == '<' || *p == '>' || *p == '=')
		p++;
	if (p - start == 0 || p - start > 2 ||
	    (p - start == 2 && (p[-1] != '=' || start[0] == '='))) {
		strbuf_addf(why, "expected one of <, <=, =, >=, > at '%s'", start);
		return -1;
	}
	for (const char *o = start; o < p; o++)
		r->flags |= *o == '<' ? RPMSENSE_LESS : *o == '>' ? RPMSENSE_GREATER : RPMSENSE_EQUAL;
	while (*p == ' ')
		p++;
	start = p;
	while (*p && *p != ' ')
		p++;
	if (!rpmevr_ok(start, p - start) || *p) {
		strbuf_addf(why, "'%s' is not a valid version", start);
		return -1;
	}
	if (r->name[0] == '/') {
		strbuf_addstr(why, "a file name cannot have a version");
		return -1;
	}
	r->evr = start;
	r->evr_len = p - start;
	return 0;
}

static const rpmTagVal rel_tag[PF_REL_NR] = {
	[PF_REL_DEPENDS] = RPMTAG_REQUIRENAME,
	[PF_REL_RECOMMENDS] = RPMTAG_RECOMMENDNAME,
	[PF_REL_SUGGESTS] = RPMTAG_SUGGESTNAME,
	[PF_REL_PROVIDES] = RPMTAG_PROVIDENAME,
	[PF_REL_CONFLICTS] = RPMTAG_CONFLICTNAME,
	/* Debian's Replaces is closest to RPM's Obsoletes (fpm maps it so) */
	[PF_REL_REPLACES] = RPMTAG_OBSOLETENAME,
};

static void rpm_check(const struct pf_pkgspec *s, struct pf_diag *d)
{
	if (!rpmname_ok(s->name, strlen(s->name)))
		pf_diag_error(d, &s->m->package.loc,
			      "package name '%s' is not valid for RPM (letters, digits, '-', '.', '_', '+')",
			      s->name);
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &s->rel[k][PF_FMT_RPM];
		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf why = STRBUF_INIT;
			struct rpmrel r;

			if (rpmrel_parse(l->v[i].text, rel_tag[k], &r, &why) < 0)
				pf_diag_error(d, &l->v[i].loc, "invalid RPM relation '%s' in '%s': %s",
					      l->v[i].text, pf_rel_key[k], why.buf);
			strbuf_release(&why);
		}
	}
}

/* ------------------------------------------------ rules, for check */

bool pf_rpmname_ok(const char *name)
{
	return rpmname_ok(name, strlen(name));
}

bool pf_rpmevr_valid(const char *evr)
{
	return rpmevr_ok(evr, strlen(evr));
}

int pf_rpmrel_check(const char *rel, int kind, struct strbuf *why)
{
	struct rpmrel r;

	return rpmrel_parse(rel, rel_tag[kind], &r, why);
}

/* One "name [OP evr]" term into a Debian-spelt alternative. */
static int rpm_term(const char *s, size_t n, struct pf_debalt *a)
{
	char *t = pf_strndup(s, n), *p, *op;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	p = t;
	while (*p == ' ')
		p++;
	op = p + strcspn(p, " ");
	a->name = pf_strndup(p, (size_t)(op - p));
	while (*op == ' ')
		op++;
	if (!*op) {
		ret = 0;
		goto out;
	}
	if (pf_starts_with(op, "<=") || pf_starts_with(op, ">=")) {
		a->op = op[0] == '<' ? "<=" : ">=";
		op += 2;
	} else if (*op == '<' || *op == '>' || *op == '=') {
		a->op = *op == '<' ? "<<" : *op == '>' ? ">>" : "=";
		op++;
		if (*op == '=')
			op++;
	} else {
		goto out;
	}
	while (*op == ' ')
		op++;
	if (!*op || strchr(op, ' '))
		goto out;
	a->version = pf_strdup(op);
	ret = 0;
out:
	if (ret) {
		free(a->name);
		a->name = NULL;
	}
	free(t);
	return ret;
}

int pf_rpmrel_parse(const char *rel, struct pf_debalt **alts, size_t *nr)
{
	size_t alloc = 0, len = strlen(rel);
	const char *p, *start;
	int depth = 0;

	*alts = NULL;
	*nr = 0;
	if (rel[0] != '(') {
		PF_ALLOC_GROW(*alts, 1, alloc);
		if (rpm_term(rel, len, &(*alts)[0]) < 0) {
			free(*alts);
			*alts = NULL;
			return -1;
		}
		*nr = 1;
		return 0;
	}
	if (len < 2 || rel[len - 1] != ')')
		return -1;
	/* "(a or b or c)": split at the "or"s outside inner parentheses */
	start = rel + 1;
	for (p = rel + 1; p < rel + len - 1; p++) {
		bool at_or = depth == 0 && pf_starts_with(p, " or ");

		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (depth < 0)
			break;
		if (!at_or && p + 1 < rel + len - 1)
			continue;
		{
			const char *end = at_or ? p : p + 1;
			struct pf_debalt a;

			while (start < end && *start == ' ')
				start++;
			/* nested or not built of "or": leave it unchecked */
			if (*start == '(' || strstr(start, " and ") || strstr(start, " if ") ||
			    strstr(start, " with ") || strstr(start, " unless ") ||
			    strstr(start, " without ") || rpm_term(start, (size_t)(end - start), &a) < 0) {
				pf_debalts_free(*alts, *nr);
				*alts = NULL;
				*nr = 0;
				return 0;
			}
			PF_ALLOC_GROW(*alts, *nr + 1, alloc);
			(*alts)[(*nr)++] = a;
			if (at_or)
				p += 3;
			start = p + 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------ the writer */

static void rpm_free(struct pf_pkgw *w)
{
	if (!w)
		return;
	if (w->saved_fd >= 0)
		close(w->saved_fd);
	free(w->path);
	free(w);
}

static int rpm_open(struct pf_pkgw **out, const struct pf_pkgspec *spec,
		    const struct pf_buildopt *opt, struct pf_err *e)
{
	struct pf_pkgw *w;

	*out = NULL;
	if (pf_librpm_load(e) < 0)
		return -1;
	w = pf_calloc(1, sizeof(*w));
	w->spec = spec;
	w->opt = opt;
	w->comp = opt->comp[PF_FMT_RPM] == PF_COMP_DEFAULT ? PF_COMP_XZ : opt->comp[PF_FMT_RPM];
	w->level = opt->level[PF_FMT_RPM] >= 0 ? opt->level[PF_FMT_RPM]
					       : pf_comp_default_level(w->comp);
	w->saved_fd = -1;
	*out = w;
	return 0;
}

static void rpm_payload_key(const struct pf_buildopt *opt, struct strbuf *out)
{
	enum pf_comp c = opt->comp[PF_FMT_RPM] == PF_COMP_DEFAULT ? PF_COMP_XZ : opt->comp[PF_FMT_RPM];
	int level = opt->level[PF_FMT_RPM];

	strbuf_addf(out, "rpm cpio %s %d\n", pf_comp_name(c),
		    level < 0 ? pf_comp_default_level(c) : level);
}

static int rpm_save(struct pf_pkgw *w, const struct pf_pcache *pc, const char *key,
		    struct pf_err *e)
{
	struct strbuf info = STRBUF_INIT;
	int fd = open(w->path, O_RDONLY | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return pf_err_errno(e, "cannot read %s", w->path);
	strbuf_addf(&info, "payload-sha256 %s\npayload-sha256-alt %s\npayload-size %llu\n",
		    w->pld, w->alt, (unsigned long long)w->payload_size);
	if (pf_pcache_put_fd(pc, key, "payload", fd, w->payload_off, w->payload_len, e) < 0 ||
	    pf_pcache_put_buf(pc, key, "info", info.buf, info.len, e) < 0)
		goto out;
	ret = 0;
out:
	close(fd);
	strbuf_release(&info);
	return ret;
}

static int rpm_open_saved(struct pf_pkgw **out, const struct pf_pkgspec *spec,
			  const struct pf_buildopt *opt, const struct pf_pcache *pc,
			  const char *key, struct pf_err *e)
{
	struct strbuf info = STRBUF_INIT;
	struct pf_pkgw *w;
	char *pld = NULL, *alt = NULL, *size = NULL;
	int ret = -1;

	if (rpm_open(&w, spec, opt, e) < 0)
		return -1;
	if (pf_pcache_read(pc, key, "info", &info, e) < 0)
		goto out;
	pld = pf_pcache_field(info.buf, "payload-sha256");
	alt = pf_pcache_field(info.buf, "payload-sha256-alt");
	size = pf_pcache_field(info.buf, "payload-size");
	if (!pld || !alt || !size || strlen(pld) != 64 || strlen(alt) != 64) {
		pf_err_set(e, PF_EFAIL, "a damaged payload cache item %s.info", key);
		goto out;
	}
	memcpy(w->pld, pld, 65);
	memcpy(w->alt, alt, 65);
	w->payload_size = strtoull(size, NULL, 10);
	if (pf_pcache_open_item(pc, key, "payload", &w->saved_fd, &w->payload_len, e) < 0) {
		w->saved_fd = -1;
		goto out;
	}
	ret = 0;
out:
	free(pld);
	free(alt);
	free(size);
	strbuf_release(&info);
	if (ret < 0)
		rpm_free(w);
	else
		*out = w;
	return ret;
}

static int rpm_begin(struct pf_pkgw *w, const struct pf_entry *ent, struct pf_err *e)
{
	size_t len = strlen(ent->path);

	/* "./" + path + NUL must fit rpm's cpio reader */
	if (len + 3 > MAX_CPIO_NAME)
		return pf_err_set(e, PF_EINVAL,
				  "'/%.60s...': the path is %zu bytes long; rpm takes at most %d",
				  ent->path, len + 1, MAX_CPIO_NAME - 2);
	return 0;
}

static int rpm_data(struct pf_pkgw *w, const void *buf, size_t len, struct pf_err *e)
{
	return 0;       /* the content comes from the spool in finish() */
}

/* ------------------------------------------------------- file list */

static bool system_dir(const char *path)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(system_dirs); i++)
		if (!strcmp(path, system_dirs[i]))
			return true;
	return false;
}

static int cmp_rfile(const void *a, const void *b)
{
	return strcmp(((const struct rfile *)a)->path, ((const struct rfile *)b)->path);
}

static void files_release(struct files *f)
{
	for (size_t i = 0; i < f->nr; i++)
		free(f->v[i].path);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/*
 * The package's files in header order (sorted by path, as rpm looks
 * them up by binary search), with rpmbuild's inode numbering: the index
 * in the list plus one, a hardlink set sharing the number of its first
 * member.
 */
static void files_build(struct files *f, const struct pf_filelist *fl)
{
	uint32_t max_ino = 0, *count;
	long *first, *last;

	memset(f, 0, sizeof(*f));
	f->v = pf_calloc(fl->nr, sizeof(*f->v));
	for (size_t i = 0; i < fl->nr; i++) {
		const struct pf_entry *ent = &fl->v[i];
		struct rfile *r;

		if (ent->type == PF_E_DIR && system_dir(ent->path))
			continue;
		r = &f->v[f->nr++];
		r->ent = ent;
		r->path = pf_asprintf("/%s", ent->path);
		r->next_link = -1;
		switch (ent->type) {
		case PF_E_DIR:
			r->mode = S_IFDIR | ent->mode;
			break;
		case PF_E_SYMLINK:
			r->mode = S_IFLNK | ent->mode;
			r->size = strlen(ent->link);
			break;
		case PF_E_REG:
		case PF_E_HARDLINK:
			r->mode = S_IFREG | ent->mode;
			r->size = ent->size;
			if (ent->ino > max_ino)
				max_ino = ent->ino;
			if (ent->size >= UINT32_MAX)
				f->large = true;
			break;
		}
	}
	qsort(f->v, f->nr, sizeof(*f->v), cmp_rfile);

	first = pf_malloc((max_ino + 1) * sizeof(*first));
	last = pf_malloc((max_ino + 1) * sizeof(*last));
	count = pf_calloc(max_ino + 1, sizeof(*count));
	for (uint32_t i = 0; i <= max_ino; i++)
		first[i] = last[i] = -1;
	for (size_t i = 0; i < f->nr; i++) {
		struct rfile *r = &f->v[i];
		uint32_t ino = r->ent->ino;

		r->ino = (uint32_t)i + 1;
		r->nlink = 1;
		if (!S_ISREG(r->mode))
			continue;
		if (first[ino] < 0) {
			first[ino] = (long)i;
		} else {
			r->ino = f->v[first[ino]].ino;
			f->v[last[ino]].next_link = (long)i;
		}
		last[ino] = (long)i;
		count[ino]++;
	}
	for (size_t i = 0; i < f->nr; i++) {
		struct rfile *r = &f->v[i];
		uint32_t ino = r->ent->ino;

		if (S_ISREG(r->mode) && count[ino] > 1) {
			r->nlink = count[ino];
			r->first_link = first[ino] == (long)i;
			r->last_link = last[ino] == (long)i;
			f->hardlinks = true;
		}
		if (S_ISLNK(r->mode) || (S_ISREG(r->mode) && first[ino] == (long)i))
			f->total += r->size;
	}
	free(first);
	free(last);
	free(count);
}

/* ---------------------------------------------------------- header */

static int put_failed(rpmTagVal tag, struct pf_err *e)
{
	return pf_err_set(e, PF_EFAIL, "cannot add tag %s to the rpm header",
			  rpmTagGetName(tag));
}

static int put_str(Header h, rpmTagVal tag, const char *s, struct pf_err *e)
{
	return headerPutString(h, tag, s) ? 0 : put_failed(tag, e);
}

static int put_i18n(Header h, rpmTagVal tag, const char *s, struct pf_err *e)
{
	return headerAddI18NString(h, tag, s, "C") ? 0 : put_failed(tag, e);
}

static int put_u32(Header h, rpmTagVal tag, const uint32_t *v, size_t n, struct pf_err *e)
{
	return headerPutUint32(h, tag, v, (rpm_count_t)n) ? 0 : put_failed(tag, e);
}

/* Strings must be UTF-8 for the ENCODING tag to be true (rpmbuild checks too). */
static int check_utf8(const char *what, const char *s, struct pf_err *e)
{
	const char *line = s;

	for (;;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!pf_utf8_clean(line, len))
			return pf_err_set(e, PF_EINVAL,
					  "%s is not valid UTF-8 or holds control characters", what);
		if (!nl)
			return 0;
		line = nl + 1;
	}
}

static char *evr_of(const struct pf_pkgspec *s)
{
	if (s->epoch)
		return pf_asprintf("%s:%s-%s", s->epoch, s->version, s->release);
	return pf_asprintf("%s-%s", s->version, s->release);
}

static const char *isa_of(const char *arch)
{
	for (size_t i = 0; i < PF_ARRAY_SIZE(rpm_arches); i++)
		if (!strcmp(rpm_arches[i].arch, arch))
			return rpm_arches[i].isa;
	return NULL;
}

/* Add one dependency to a set (rpmds keeps it sorted and unique, as
 * rpmbuild's are). */
static void ds_add(rpmds *ds, rpmTagVal tag, const char *name, size_t nlen,
		   const char *evr, size_t elen, rpmsenseFlags flags)
{
	char *n = pf_strndup(name, nlen), *v = pf_strndup(evr, elen);
	rpmds one = rpmdsSingle(tag, n, v, flags);

	rpmdsMerge(ds, one);
	rpmdsFree(one);
	free(n);
	free(v);
}

static void need_rpmlib(rpmds *req, const char *feature, const char *version)
{
	char *name = pf_asprintf("rpmlib(%s)", feature);

	ds_add(req, RPMTAG_REQUIRENAME, name, strlen(name), version, strlen(version),
	       RPMSENSE_RPMLIB | RPMSENSE_LESS | RPMSENSE_EQUAL);
	free(name);
}

static int add_deps(Header h, const struct pf_pkgspec *s,
		    const struct pf_rellist (*rel)[PF_FMT_NR], const struct files *f,
		    enum pf_comp comp, struct pf_err *e)
{
	rpmds ds[PF_REL_NR] = { NULL };
	char *evr = evr_of(s);
	const char *isa = isa_of(s->arch->rpm);
	bool rich = false, tilde = false, caret = false;
	int ret = -1;

	/* the package provides itself, and itself for its ISA */
	ds_add(&ds[PF_REL_PROVIDES], RPMTAG_PROVIDENAME, s->name, strlen(s->name),
	       evr, strlen(evr), RPMSENSE_EQUAL);
	if (isa) {
		char *n = pf_asprintf("%s(%s)", s->name, isa);
		ds_add(&ds[PF_REL_PROVIDES], RPMTAG_PROVIDENAME, n, strlen(n),
		       evr, strlen(evr), RPMSENSE_EQUAL);
		free(n);
	}
	tilde = strchr(evr, '~') != NULL;
	caret = strchr(evr, '^') != NULL;
	for (int k = 0; k < PF_REL_NR; k++) {
		const struct pf_rellist *l = &rel[k][PF_FMT_RPM];

		for (size_t i = 0; i < l->nr; i++) {
			struct strbuf why = STRBUF_INIT;
			struct rpmrel r;

			if (rpmrel_parse(l->v[i].text, rel_tag[k], &r, &why) < 0) {
				pf_err_set(e, PF_EINVAL, "invalid RPM relation '%s' in '%s': %s",
					   l->v[i].text, pf_rel_key[k], why.buf);
				strbuf_release(&why);
				goto out;
			}
			strbuf_release(&why);
			ds_add(&ds[k], rel_tag[k], r.name, r.name_len, r.evr, r.evr_len, r.flags);
			rich |= r.rich;
			/* a rich dependency's versions are inside its text */
			tilde |= memchr(r.rich ? r.name : r.evr, '~',
					r.rich ? r.name_len : r.evr_len) != NULL;
			caret |= memchr(r.rich ? r.name : r.evr, '^',
					r.rich ? r.name_len : r.evr_len) != NULL;
		}
	}

	/* scriptlets: their interpreter, and the commands they run */
	if (s->nr_alts) {
		static const char *const alt = "/usr/sbin/update-alternatives";

		ds_add(&ds[PF_REL_DEPENDS], RPMTAG_REQUIRENAME, "/bin/sh", 7, "", 0,
		       RPMSENSE_INTERP | RPMSENSE_SCRIPT_POST);
		ds_add(&ds[PF_REL_DEPENDS], RPMTAG_REQUIRENAME, "/bin/sh", 7, "", 0,
		       RPMSENSE_INTERP | RPMSENSE_SCRIPT_POSTUN);
		ds_add(&ds[PF_REL_DEPENDS], RPMTAG_REQUIRENAME, alt, strlen(alt), "", 0,
		       RPMSENSE_SCRIPT_POST | RPMSENSE_SCRIPT_POSTUN);
	}

	/* the rpmlib() features this package needs, as rpmbuild adds them */
	need_rpmlib(&ds[PF_REL_DEPENDS], "CompressedFileNames", "3.0.4-1");
	need_rpmlib(&ds[PF_REL_DEPENDS], "FileDigests", "4.6.0-1");
	need_rpmlib(&ds[PF_REL_DEPENDS], "PayloadFilesHavePrefix", "4.0-1");
	if (f->hardlinks)
		need_rpmlib(&ds[PF_REL_DEPENDS], "PartialHardlinkSets", "4.0.4-1");
	if (f->large)
		need_rpmlib(&ds[PF_REL_DEPENDS], "LargeFiles", "4.12.0-1");
	if (comp == PF_COMP_XZ)
		need_rpmlib(&ds[PF_REL_DEPENDS], "PayloadIsXz", "5.2-1");
	if (comp == PF_COMP_ZSTD)
		need_rpmlib(&ds[PF_REL_DEPENDS], "PayloadIsZstd", "5.4.18-1");
	if (rich)
		need_rpmlib(&ds[PF_REL_DEPENDS], "RichDependencies", "4.12.0-1");
	if (tilde)
		need_rpmlib(&ds[PF_REL_DEPENDS], "TildeInVersions", "4.10.0-1");
	if (caret)
		need_rpmlib(&ds[PF_REL_DEPENDS], "CaretInVersions", "4.15.0-1");

	for (int k = 0; k < PF_REL_NR; k++) {
		if (ds[k] && rpmdsPutToHeader(ds[k], h) != 0) {
			put_failed(rel_tag[k], e);
			goto out;
		}
	}
	ret = 0;
out:
	for (int k = 0; k < PF_REL_NR; k++)
		rpmdsFree(ds[k]);
	free(evr);
	return ret;
}

static uint32_t clamp32(int64_t t)
{
	return t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static int add_file_tags(Header h, const struct files *f, struct pf_err *e)
{
	size_t n = f->nr;
	uint16_t *modes = pf_calloc(n, sizeof(*modes)), *rdevs = pf_calloc(n, sizeof(*rdevs));
	uint32_t *u32 = pf_calloc(n, sizeof(*u32));
	uint64_t *u64 = pf_calloc(n, sizeof(*u64));
	const char **strs = pf_calloc(n, sizeof(*strs));
	char (*hex)[65] = pf_calloc(n, sizeof(*hex));
	const char **dirs = NULL;
	size_t ndirs = 0, dalloc = 0;
	struct pf_strmap dirmap = PF_STRMAP_INIT;
	int ret = -1;

#define PUT_STRS(tag, expr)                                                    \
	do {                                                                   \
		for (size_t i = 0; i < n; i++)                                 \
			strs[i] = (expr);                                      \
		if (!headerPutStringArray(h, tag, strs, (rpm_count_t)n)) {     \
			put_failed(tag, e);                                    \
			goto out;                                              \
		}                                                              \
	} while (0)
#define PUT_U32(tag, expr)                                                     \
	do {                                                                   \
		for (size_t i = 0; i < n; i++)                                 \
			u32[i] = (expr);                                       \
		if (put_u32(h, tag, u32, n, e) < 0)                            \
			goto out;                                              \
	} while (0)

	/* names: each path as a directory (with its '/') and a base name */
	for (size_t i = 0; i < n; i++) {
		const char *path = f->v[i].path, *slash = strrchr(path, '/');
		char *dir = pf_strndup(path, slash + 1 - path);
		size_t idx;

		if (!pf_strmap_get(&dirmap, dir, &idx)) {
			idx = ndirs;
			PF_ALLOC_GROW(dirs, ndirs + 1, dalloc);
			dirs[ndirs++] = dir;
			pf_strmap_put(&dirmap, dir, idx);
		} else {
			free(dir);
		}
		u32[i] = (uint32_t)idx;
		strs[i] = slash + 1;
	}
	if (!headerPutStringArray(h, RPMTAG_BASENAMES, strs, (rpm_count_t)n))
		goto fail_bn;
	if (put_u32(h, RPMTAG_DIRINDEXES, u32, n, e) < 0)
		goto out;
	if (!headerPutStringArray(h, RPMTAG_DIRNAMES, dirs, (rpm_count_t)ndirs)) {
		put_failed(RPMTAG_DIRNAMES, e);
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		modes[i] = (uint16_t)f->v[i].mode;
		u64[i] = f->v[i].size;
		if (S_ISREG(f->v[i].mode))
			pf_hex(hex[i], f->v[i].ent->sha256, 32);
	}
	if (!headerPutUint16(h, RPMTAG_FILEMODES, modes, (rpm_count_t)n)) {
		put_failed(RPMTAG_FILEMODES, e);
		goto out;
	}
	if (!headerPutUint16(h, RPMTAG_FILERDEVS, rdevs, (rpm_count_t)n)) {
		put_failed(RPMTAG_FILERDEVS, e);
		goto out;
	}
	if (f->large) {
		if (!headerPutUint64(h, RPMTAG_LONGFILESIZES, u64, (rpm_count_t)n)) {
			put_failed(RPMTAG_LONGFILESIZES, e);
			goto out;
		}
	} else {
		PUT_U32(RPMTAG_FILESIZES, (uint32_t)f->v[i].size);
	}
	PUT_U32(RPMTAG_FILEMTIMES, clamp32(f->v[i].ent->mtime));
	PUT_STRS(RPMTAG_FILEDIGESTS, hex[i]);
	PUT_STRS(RPMTAG_FILELINKTOS, f->v[i].ent->type == PF_E_SYMLINK ? f->v[i].ent->link : "");
	PUT_U32(RPMTAG_FILEFLAGS, 0);
	PUT_STRS(RPMTAG_FILEUSERNAME, "root");
	PUT_STRS(RPMTAG_FILEGROUPNAME, "root");
	PUT_U32(RPMTAG_FILEVERIFYFLAGS, RPMVERIFY_ALL);
	PUT_U32(RPMTAG_FILEDEVICES, 1);
	PUT_U32(RPMTAG_FILEINODES, f->v[i].ino);
	PUT_STRS(RPMTAG_FILELANGS, "");
	{
		uint32_t algo = RPM_HASH_SHA256;
		if (put_u32(h, RPMTAG_FILEDIGESTALGO, &algo, 1, e) < 0)
			goto out;
	}
	ret = 0;
	goto out;
fail_bn:
	put_failed(RPMTAG_BASENAMES, e);
out:
#undef PUT_STRS
#undef PUT_U32
	for (size_t i = 0; i < ndirs; i++)
		free((char *)dirs[i]);
	free(dirs);
	pf_strmap_release(&dirmap);
	free(modes);
	free(rdevs);
	free(u32);
	free(u64);
	free(strs);
	free(hex);
	return ret;
}

static int add_files(Header h, const struct files *f, struct pf_err *e)
{
	/* a metapackage has no file tags at all, as rpmbuild writes it */
	return f->nr ? add_file_tags(h, f, e) : 0;
}

/*
 * One changelog entry that says where the package comes from: the
 * upstream file and the sha256 it was verified against.  Dated noon UTC
 * of the package's timestamp, as rpmbuild dates its entries at noon.
 */
/* What a metapackage depends on, for its changelog. */
static const char *sum_rel_text(const struct pf_pkgspec *s)
{
	const struct pf_rellist *l = &s->rel[PF_REL_DEPENDS][PF_FMT_RPM];
	return l->nr ? l->v[0].text : "nothing";
}

static int add_changelog(Header h, const struct pf_pkgspec *s, int64_t timestamp,
			 struct pf_err *e)
{
	char *evr = evr_of(s);
	char *name = pf_asprintf("%s - %s", s->maintainer, evr);
	char *text = s->meta
		? pf_asprintf("- Metapackage made by pkgforge: %s",
			      sum_rel_text(s))
		: s->sha256[0]
		? pf_asprintf("- Packaged by pkgforge from %s (sha256 %s)", s->url, s->sha256)
		: pf_asprintf("- Packaged by pkgforge from %s", s->url);
	uint32_t t = clamp32(timestamp - timestamp % 86400 + 43200);
	int ret = 0;

	if (put_u32(h, RPMTAG_CHANGELOGTIME, &t, 1, e) < 0 ||
	    put_str(h, RPMTAG_CHANGELOGNAME, name, e) < 0 ||
	    put_str(h, RPMTAG_CHANGELOGTEXT, text, e) < 0)
		ret = -1;
	free(evr);
	free(name);
	free(text);
	return ret;
}

/* The main header, with the payload digests as given (placeholders
 * first, of the same length). */
/* %post and %postun from templates/rpm, run by /bin/sh. */
static int add_scripts(Header h, const struct pf_pkgspec *s, struct pf_err *e)
{
	static const struct {
		const char *kind;
		rpmTagVal tag, prog;
	} scripts[] = {
		{ "post", RPMTAG_POSTIN, RPMTAG_POSTINPROG },
		{ "postun", RPMTAG_POSTUN, RPMTAG_POSTUNPROG },
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(scripts); i++) {
		char *text;
		int r = 0;

		if (pf_mscript(s, "rpm", scripts[i].kind, &text, e) < 0)
			return -1;
		if (text)
			r = put_str(h, scripts[i].tag, text, e) < 0 ||
			    put_str(h, scripts[i].prog, "/bin/sh", e) < 0 ? -1 : 0;
		free(text);
		if (r < 0)
			return -1;
	}
	return 0;
}

static Header make_header(const struct pf_pkgw *w, const struct pf_pkgsum *sum,
			  const struct files *f, struct pf_err *e)
{
	const struct pf_pkgspec *s = w->spec;
	Header h = headerNew();
	struct strbuf desc = STRBUF_INIT;
	char *srpm = pf_asprintf("%s-%s-%s.src.rpm", s->name, s->version, s->release);
	char level[16];
	uint32_t u;
	int ok = 0;

	strbuf_addstr(&desc, s->description);
	while (desc.len && (desc.buf[desc.len - 1] == '\n' || desc.buf[desc.len - 1] == ' '))
		strbuf_setlen(&desc, desc.len - 1);
	snprintf(level, sizeof(level), "%d", w->level);

	if (check_utf8("the summary", s->summary, e) < 0 ||
	    check_utf8("the description", desc.buf, e) < 0 ||
	    check_utf8("the license", s->license, e) < 0 ||
	    check_utf8("the group", s->group, e) < 0 ||
	    check_utf8("the maintainer", s->maintainer, e) < 0 ||
	    (s->homepage && check_utf8("the homepage", s->homepage, e) < 0))
		goto out;
	if (put_str(h, RPMTAG_NAME, s->name, e) < 0 ||
	    put_str(h, RPMTAG_VERSION, s->version, e) < 0 ||
	    put_str(h, RPMTAG_RELEASE, s->release, e) < 0)
		goto out;
	if (s->epoch) {
		u = (uint32_t)strtoul(s->epoch, NULL, 10);
		if (put_u32(h, RPMTAG_EPOCH, &u, 1, e) < 0)
			goto out;
	}
	if (put_i18n(h, RPMTAG_SUMMARY, s->summary, e) < 0 ||
	    put_i18n(h, RPMTAG_DESCRIPTION, desc.buf, e) < 0)
		goto out;
	u = clamp32(sum->timestamp);
	if (put_u32(h, RPMTAG_BUILDTIME, &u, 1, e) < 0 ||
	    put_str(h, RPMTAG_BUILDHOST, BUILDHOST, e) < 0)
		goto out;
	if (f->total < UINT32_MAX) {
		u = (uint32_t)f->total;
		if (put_u32(h, RPMTAG_SIZE, &u, 1, e) < 0)
			goto out;
	} else if (!headerPutUint64(h, RPMTAG_LONGSIZE, &f->total, 1)) {
		put_failed(RPMTAG_LONGSIZE, e);
		goto out;
	}
	if (put_str(h, RPMTAG_LICENSE, s->license, e) < 0 ||
	    put_i18n(h, RPMTAG_GROUP, s->group, e) < 0 ||
	    put_str(h, RPMTAG_PACKAGER, s->maintainer, e) < 0 ||
	    (s->homepage && put_str(h, RPMTAG_URL, s->homepage, e) < 0) ||
	    put_str(h, RPMTAG_OS, "linux", e) < 0 ||
	    put_str(h, RPMTAG_ARCH, s->arch->rpm, e) < 0 ||
	    /* rpm tells binary packages from source ones by this tag */
	    put_str(h, RPMTAG_SOURCERPM, srpm, e) < 0)
		goto out;
	if (add_files(h, f, e) < 0 || add_deps(h, s, sum->rel, f, w->comp, e) < 0 ||
	    add_scripts(h, s, e) < 0 || add_changelog(h, s, sum->timestamp, e) < 0)
		goto out;
	if (put_str(h, RPMTAG_PAYLOADFORMAT, "cpio", e) < 0 ||
	    /* none: rpm reads a payload without compressor through zlib,
	     * which passes uncompressed data through, as for rpmbuild's
	     * w.ufdio */
	    (w->comp != PF_COMP_NONE &&
	     put_str(h, RPMTAG_PAYLOADCOMPRESSOR, pf_comp_name(w->comp), e) < 0) ||
	    put_str(h, RPMTAG_PAYLOADFLAGS, w->comp == PF_COMP_NONE ? "" : level, e) < 0 ||
	    put_str(h, RPMTAG_ENCODING, "utf-8", e) < 0)
		goto out;
	u = RPM_HASH_SHA256;
	if (put_u32(h, RPMTAG_PAYLOADDIGESTALGO, &u, 1, e) < 0)
		goto out;
	ok = 1;
out:
	strbuf_release(&desc);
	free(srpm);
	if (!ok) {
		headerFree(h);
		return NULL;
	}
	return h;
}

/* The on-disk form of a header: magic and the immutable region. */
static int export_header(Header h, rpmTagVal region, struct strbuf *out, struct pf_err *e)
{
	Header copy = headerReload(headerCopy(h), region);
	unsigned int len = 0;
	void *blob;

	if (!copy)
		return pf_err_set(e, PF_EFAIL, "cannot lay out the rpm header");
	blob = headerExport(copy, &len);
	headerFree(copy);
	if (!blob)
		return pf_err_set(e, PF_EFAIL, "cannot lay out the rpm header");
	strbuf_reset(out);
	strbuf_add(out, header_magic, sizeof(header_magic));
	strbuf_add(out, blob, len);
	free(blob);
	return 0;
}

static int header_with_digests(Header h, const char *pld, const char *alt,
			       struct strbuf *out, struct pf_err *e)
{
	headerDel(h, RPMTAG_PAYLOADDIGEST);
	headerDel(h, RPMTAG_PAYLOADDIGESTALT);
	if (put_str(h, RPMTAG_PAYLOADDIGEST, pld, e) < 0 ||
	    put_str(h, RPMTAG_PAYLOADDIGESTALT, alt, e) < 0)
		return -1;
	return export_header(h, RPMTAG_HEADERIMMUTABLE, out, e);
}

struct sigvals {
	char sha1[41];
	char sha256[65];
	unsigned char md5[16];
	uint64_t size;                  /* main header + compressed payload */
	uint64_t payload_size;          /* uncompressed payload */
};

static int sig_put(Header sig, rpmTagVal tag, rpmTagType type, const void *data,
		   rpm_count_t count, struct pf_err *e)
{
	struct rpmtd_s td;

	rpmtdReset(&td);
	td.tag = tag;
	td.type = type;
	td.count = count;
	td.data = (void *)data;
	return headerPut(sig, &td, HEADERPUT_DEFAULT) ? 0 : put_failed(tag, e);
}

/*
 * The signature header as rpmbuild writes an unsigned one, reserved
 * space included.  Its size does not depend on the values: the 64-bit
 * sizes, when needed, take their room from the reserved space.  want is
 * that size, or 0 to learn it.
 */
static int make_sig(const struct sigvals *v, size_t want, struct strbuf *out, struct pf_err *e)
{
	bool large = v->size >= UINT32_MAX || v->payload_size >= UINT32_MAX;
	size_t reserve = RESERVED_SPACE;
	unsigned char *zeros = pf_calloc(1, RESERVED_SPACE);
	int ret = -1;

	for (int pass = 0; pass < 2; pass++) {
		Header sig = headerNew();
		uint32_t s32 = (uint32_t)v->size, p32 = (uint32_t)v->payload_size;
		int r = 0;

		r |= sig_put(sig, RPMSIGTAG_SHA256, RPM_STRING_TYPE, v->sha256, 1, e);
		r |= sig_put(sig, RPMSIGTAG_SHA1, RPM_STRING_TYPE, v->sha1, 1, e);
		r |= sig_put(sig, RPMSIGTAG_MD5, RPM_BIN_TYPE, v->md5, 16, e);
		if (large) {
			r |= sig_put(sig, RPMSIGTAG_LONGARCHIVESIZE, RPM_INT64_TYPE,
				     &v->payload_size, 1, e);
			r |= sig_put(sig, RPMSIGTAG_LONGSIZE, RPM_INT64_TYPE, &v->size, 1, e);
		} else {
			r |= sig_put(sig, RPMSIGTAG_PAYLOADSIZE, RPM_INT32_TYPE, &p32, 1, e);
			r |= sig_put(sig, RPMSIGTAG_SIZE, RPM_INT32_TYPE, &s32, 1, e);
		}
		r |= sig_put(sig, RPMSIGTAG_RESERVEDSPACE, RPM_BIN_TYPE, zeros,
			     (rpm_count_t)reserve, e);
		if (!r)
			r = export_header(sig, RPMTAG_HEADERSIGNATURES, out, e);
		headerFree(sig);
		if (r)
			goto out;
		if (!want || out->len == want)
			break;
		/* the reserved space is the last item: shrink it by the difference */
		if (pass || out->len < want || out->len - want >= reserve) {
			pf_err_set(e, PF_EFAIL, "the rpm signature header does not fit its room");
			goto out;
		}
		reserve -= out->len - want;
	}
	ret = 0;
out:
	free(zeros);
	return ret;
}

static void lead(unsigned char *l, const struct pf_pkgspec *s)
{
	char *nevr = s->epoch ? pf_asprintf("%s-%s:%s-%s", s->name, s->epoch, s->version, s->release)
			      : pf_asprintf("%s-%s-%s", s->name, s->version, s->release);
	short num = 0;

	for (size_t i = 0; i < PF_ARRAY_SIZE(rpm_arches); i++)
		if (!strcmp(rpm_arches[i].arch, s->arch->rpm))
			num = rpm_arches[i].num;
	memset(l, 0, LEAD_SIZE);
	l[0] = 0xed;
	l[1] = 0xab;
	l[2] = 0xee;
	l[3] = 0xdb;
	l[4] = 3;               /* format 3.0, as rpmbuild still writes */
	l[5] = 0;
	l[6] = 0;               /* type: binary */
	l[7] = 0;
	l[8] = (unsigned char)(num >> 8);
	l[9] = (unsigned char)num;
	memcpy(l + 10, nevr, strlen(nevr) < 65 ? strlen(nevr) : 65);
	l[76] = 0;              /* os: Linux (1) */
	l[77] = 1;
	l[78] = 0;              /* signature type: a header (5) */
	l[79] = 5;
	free(nevr);
}

/* --------------------------------------------------------- payload */

struct payload {
	struct pf_tarw *z;
	struct pf_digest *sha;          /* of the uncompressed cpio */
	uint64_t size;                  /* uncompressed bytes so far */
	int spool_fd;
	struct strbuf hdr;
	char *buf;
};

static int pl_write(struct payload *pl, const void *buf, size_t len, struct pf_err *e)
{
	pf_digest_update(pl->sha, buf, len);
	pl->size += len;
	return pf_tarw_data(pl->z, buf, len, e);
}

static int pl_pad(struct payload *pl, struct pf_err *e)
{
	static const char zeros[4];
	size_t n = (4 - pl->size % 4) % 4;

	return n ? pl_write(pl, zeros, n, e) : 0;
}

/* A "new ASCII" cpio header, name padded to 4 bytes. */
static int pl_newc(struct payload *pl, uint32_t ino, uint32_t mode, uint32_t nlink,
		   uint32_t mtime, uint32_t size, const char *name, struct pf_err *e)
{
	size_t nlen = strlen(name) + 1;

	strbuf_reset(&pl->hdr);
	strbuf_addf(&pl->hdr, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		    ino, mode, 0u, 0u, nlink, mtime, size, 0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
	strbuf_add(&pl->hdr, name, nlen);
	if (pl_write(pl, pl->hdr.buf, pl->hdr.len, e) < 0)
		return -1;
	return pl_pad(pl, e);
}

/* rpm's "stripped" header for packages with 64-bit file sizes: the
 * file's index in the header, everything else is there. */
static int pl_stripped(struct payload *pl, uint32_t fx, struct pf_err *e)
{
	strbuf_reset(&pl->hdr);
	strbuf_addf(&pl->hdr, "07070X%08x", fx);
	if (pl_write(pl, pl->hdr.buf, pl->hdr.len, e) < 0)
		return -1;
	return pl_pad(pl, e);
}

static int pl_entry(struct payload *pl, const struct files *f, size_t i, struct pf_err *e)
{
	const struct rfile *r = &f->v[i];
	const struct pf_entry *ent = r->ent;
	uint64_t size = S_ISDIR(r->mode) || (r->nlink > 1 && !r->last_link) ? 0 : r->size;
	uint64_t off, left;

	if (f->large) {
		if (pl_stripped(pl, (uint32_t)i, e) < 0)
			return -1;
	} else {
		char *name = pf_asprintf(".%s", r->path);
		int rc = pl_newc(pl, r->ino, r->mode, r->nlink, clamp32(ent->mtime),
				 (uint32_t)size, name, e);
		free(name);
		if (rc < 0)
			return -1;
	}
	if (S_ISLNK(r->mode)) {
		if (pl_write(pl, ent->link, size, e) < 0)
			return -1;
	} else if (S_ISREG(r->mode) && size) {
		if (pl->spool_fd < 0 || ent->spool_off == PF_SPOOL_NONE)
			return pf_err_set(e, PF_EFAIL, "no content for '%s'", r->path);
		off = ent->spool_off;
		left = size;
		while (left) {
			size_t n = left < CHUNK ? (size_t)left : CHUNK;

			if (pf_pread_all(pl->spool_fd, pl->buf, n, (off_t)off) < 0)
				return pf_err_errno(e, "cannot read the content spool");
			if (pl_write(pl, pl->buf, n, e) < 0)
				return -1;
			off += n;
			left -= n;
		}
	}
	return pl_pad(pl, e);
}

/*
 * The cpio archive in rpmbuild's order: first every file that is not
 * hardlinked, in header order; then each hardlink set, its members in
 * header order with the content on the last one (rpm unpacks a set when
 * it reaches the member with the content, and takes no other file while
 * a set is open).
 */
static int write_payload(struct payload *pl, const struct files *f, struct pf_err *e)
{
	for (size_t i = 0; i < f->nr; i++)
		if (f->v[i].nlink < 2 && pl_entry(pl, f, i, e) < 0)
			return -1;
	for (size_t i = 0; i < f->nr; i++) {
		if (!f->v[i].first_link)
			continue;
		for (long k = (long)i; k >= 0; k = f->v[k].next_link)
			if (pl_entry(pl, f, (size_t)k, e) < 0)
				return -1;
	}
	return pl_newc(pl, 0, 0, 1, 0, 0, "TRAILER!!!", e);
}

/* ----------------------------------------------------------- finish */

static int digest_range(int fd, uint64_t off, uint64_t len, struct pf_digest *d,
			char *buf, struct pf_err *e)
{
	while (len) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;

		if (pf_pread_all(fd, buf, n, (off_t)off) < 0)
			return pf_err_errno(e, "cannot read back the payload");
		pf_digest_update(d, buf, n);
		off += n;
		len -= n;
	}
	return 0;
}

static int rpm_finish(struct pf_pkgw *w, const struct pf_pkgsum *sum, struct pf_err *e)
{
	static const char zero_hex[65] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	struct files f;
	struct payload pl;
	struct pf_ofile o = PF_OFILE_INIT;
	struct pf_digest *zsha = pf_digest_new(PF_SHA256);
	struct pf_digest *md5 = pf_digest_new(PF_MD5);
	struct strbuf sigb = STRBUF_INIT, hdrb = STRBUF_INIT;
	struct sigvals sv;
	unsigned char lead_buf[LEAD_SIZE], dg[32];
	char pld[65], alt[65];
	Header h = NULL;
	char *name = NULL, *path = NULL;
	size_t sig_len, hdr_len, pad;
	uint64_t hdr_off, payload_off, zlen = 0;
	int ret = -1;

	memset(&pl, 0, sizeof(pl));
	strbuf_init(&pl.hdr, 0);
	pl.spool_fd = sum->spool_fd;
	pl.buf = pf_malloc(CHUNK);
	pl.sha = pf_digest_new(PF_SHA256);
	files_build(&f, sum->files);

	h = make_header(w, sum, &f, e);
	if (!h)
		goto out;
	/* placeholders of the final sizes */
	memset(&sv, 0, sizeof(sv));
	memset(sv.sha1, '0', 40);
	memset(sv.sha256, '0', 64);
	if (make_sig(&sv, 0, &sigb, e) < 0 ||
	    header_with_digests(h, zero_hex, zero_hex, &hdrb, e) < 0)
		goto out;
	sig_len = sigb.len;
	hdr_len = hdrb.len;
	pad = (8 - sig_len % 8) % 8;
	hdr_off = LEAD_SIZE + sig_len + pad;
	payload_off = hdr_off + hdr_len;

	name = rpm_filename(w->spec);
	path = pf_asprintf("%s/%s", w->opt->outdir, name);
	if (pf_ofile_open(&o, path, e) < 0)
		goto out;
	if (lseek(o.fd, (off_t)payload_off, SEEK_SET) < 0) {
		pf_err_errno(e, "cannot write %s", path);
		goto abort;
	}
	if (w->saved_fd >= 0) {
		if (pf_copy_range(w->saved_fd, 0, o.fd, w->payload_len) < 0) {
			pf_err_errno(e, "cannot write %s", path);
			goto abort;
		}
		zlen = w->payload_len;
		pl.size = w->payload_size;
		memcpy(pld, w->pld, sizeof(pld));
		memcpy(alt, w->alt, sizeof(alt));
	} else {
		if (pf_tarw_open_stream(&pl.z, o.fd, w->comp, w->level, w->opt->threads, zsha, e) < 0 ||
		    write_payload(&pl, &f, e) < 0 ||
		    pf_tarw_close(pl.z, &zlen, e) < 0)
			goto abort;
		pf_digest_final(zsha, dg);
		pf_hex(pld, dg, 32);
		pf_digest_final(pl.sha, dg);
		pf_hex(alt, dg, 32);
	}
	if (header_with_digests(h, pld, alt, &hdrb, e) < 0)
		goto abort;
	if (hdrb.len != hdr_len) {
		pf_err_set(e, PF_EFAIL, "the rpm header changed size (%zu, then %zu bytes)",
			   hdr_len, hdrb.len);
		goto abort;
	}

	/* the signature header: digests of the header, and of it and the payload */
	{
		struct pf_digest *d = pf_digest_new(PF_SHA1);
		pf_digest_update(d, hdrb.buf, hdrb.len);
		pf_digest_final(d, dg);
		pf_hex(sv.sha1, dg, 20);
		pf_digest_free(d);
		d = pf_digest_new(PF_SHA256);
		pf_digest_update(d, hdrb.buf, hdrb.len);
		pf_digest_final(d, dg);
		pf_hex(sv.sha256, dg, 32);
		pf_digest_free(d);
	}
	pf_digest_update(md5, hdrb.buf, hdrb.len);
	if (digest_range(o.fd, payload_off, zlen, md5, pl.buf, e) < 0)
		goto abort;
	pf_digest_final(md5, sv.md5);
	sv.size = hdr_len + zlen;
	sv.payload_size = pl.size;
	if (make_sig(&sv, sig_len, &sigb, e) < 0)
		goto abort;

	lead(lead_buf, w->spec);
	{
		static const unsigned char zeros[8];
		if (pwrite(o.fd, lead_buf, LEAD_SIZE, 0) != LEAD_SIZE ||
		    pwrite(o.fd, sigb.buf, sigb.len, LEAD_SIZE) != (ssize_t)sigb.len ||
		    pwrite(o.fd, zeros, pad, (off_t)(LEAD_SIZE + sig_len)) != (ssize_t)pad ||
		    pwrite(o.fd, hdrb.buf, hdrb.len, (off_t)hdr_off) != (ssize_t)hdrb.len) {
			pf_err_errno(e, "cannot write %s", path);
			goto abort;
		}
	}
	if (pf_ofile_commit(&o, 0644, e) < 0)
		goto out;
	/* what save() stores */
	free(w->path);
	w->path = pf_strdup(path);
	w->payload_off = payload_off;
	w->payload_len = zlen;
	w->payload_size = pl.size;
	memcpy(w->pld, pld, sizeof(pld));
	memcpy(w->alt, alt, sizeof(alt));
	ret = 0;
	goto out;
abort:
	pf_ofile_abort(&o);
out:
	pf_tarw_free(pl.z);
	pf_digest_free(pl.sha);
	strbuf_release(&pl.hdr);
	free(pl.buf);
	pf_digest_free(zsha);
	pf_digest_free(md5);
	strbuf_release(&sigb);
	strbuf_release(&hdrb);
	if (h)
		headerFree(h);
	files_release(&f);
	free(name);
	free(path);
	return ret;
}

/* ---------------------------------------------------------- signing */

/* A header's size on disk (magic and intro included) from its intro. */
static int header_size_at(int fd, uint64_t off, const char *path, size_t *len,
			  struct pf_err *e)
{
	unsigned char intro[16];
	uint32_t il, dl;

	if (pf_pread_all(fd, intro, sizeof(intro), (off_t)off) < 0 ||
	    memcmp(intro, header_magic, 4))
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package", path);
	il = (uint32_t)intro[8] << 24 | (uint32_t)intro[9] << 16 | (uint32_t)intro[10] << 8 | intro[11];
	dl = (uint32_t)intro[12] << 24 | (uint32_t)intro[13] << 16 | (uint32_t)intro[14] << 8 | intro[15];
	if (il > 0xffff || dl > (256u << 20))
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package", path);
	*len = 16 + (size_t)il * 16 + dl;
	return 0;
}

static int read_range(int fd, uint64_t off, size_t len, const char *path, struct strbuf *out,
		      struct pf_err *e)
{
	strbuf_reset(out);
	strbuf_grow(out, len);
	if (pf_pread_all(fd, out->buf, len, (off_t)off) < 0)
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package (truncated)", path);
	strbuf_setlen(out, len);
	return 0;
}

/* The old signature header's tags, but signatures and the reserved
 * space, plus the new signature and the reserved space that keeps the
 * header at want bytes. */
static int resigned(Header old, rpmTagVal tag, const struct strbuf *pkt, size_t want,
		    struct strbuf *out, struct pf_err *e)
{
	struct rpmtd_s td;
	rpm_count_t reserve;
	unsigned char *zeros = NULL;
	int ret = -1;

	if (!headerGet(old, RPMSIGTAG_RESERVEDSPACE, &td, HEADERGET_MINMEM))
		return pf_err_set(e, PF_EINVAL,
				  "the package has no room reserved for a signature (rpmbuild and pkgforge leave some)");
	reserve = td.count;
	rpmtdFreeData(&td);
	zeros = pf_calloc(1, reserve);
	for (int pass = 0; pass < 2; pass++) {
		Header sig = headerNew();
		HeaderIterator hi = headerInitIterator(old);
		int r = 0;

		while (headerNext(hi, &td)) {
			switch (td.tag) {
			case RPMSIGTAG_RSA:
			case RPMSIGTAG_DSA:
			case RPMSIGTAG_GPG:
			case RPMSIGTAG_PGP:
			case RPMSIGTAG_RESERVEDSPACE:
			case RPMTAG_HEADERSIGNATURES:
				break;
			default:
				if (!headerPut(sig, &td, HEADERPUT_DEFAULT))
					r = put_failed(td.tag, e);
			}
			rpmtdFreeData(&td);
		}
		headerFreeIterator(hi);
		if (!r)
			r = sig_put(sig, tag, RPM_BIN_TYPE, pkt->buf, (rpm_count_t)pkt->len, e);
		if (!r)
			r = sig_put(sig, RPMSIGTAG_RESERVEDSPACE, RPM_BIN_TYPE, zeros, reserve, e);
		if (!r)
			r = export_header(sig, RPMTAG_HEADERSIGNATURES, out, e);
		headerFree(sig);
		if (r)
			goto out;
		if (out->len == want)
			break;
		if (pass || out->len < want || out->len - want >= reserve) {
			pf_err_set(e, PF_EFAIL,
				   "the signature (%zu bytes) does not fit the room the package reserved for it",
				   pkt->len);
			goto out;
		}
		reserve -= (rpm_count_t)(out->len - want);
	}
	ret = 0;
out:
	free(zeros);
	return ret;
}

int pf_rpm_sign(const char *path, pf_rpm_signer sign, void *ctx, struct pf_err *e)
{
	struct strbuf sigb = STRBUF_INIT, hdrb = STRBUF_INIT, pkt = STRBUF_INIT;
	struct pf_ofile o = PF_OFILE_INIT;
	unsigned char lead_buf[LEAD_SIZE];
	Header old = NULL;
	size_t sig_len, hdr_len;
	uint64_t hdr_off;
	struct stat st;
	int fd, algo = 0, ret = -1;

	if (pf_librpm_load(e) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pf_err_errno(e, "cannot open %s", path);
	if (fstat(fd, &st) < 0) {
		pf_err_errno(e, "cannot read %s", path);
		goto out;
	}
	if (pf_pread_all(fd, lead_buf, LEAD_SIZE, 0) < 0 || lead_buf[0] != 0xed ||
	    lead_buf[1] != 0xab || lead_buf[2] != 0xee || lead_buf[3] != 0xdb) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package", path);
		goto out;
	}
	if (header_size_at(fd, LEAD_SIZE, path, &sig_len, e) < 0 ||
	    read_range(fd, LEAD_SIZE, sig_len, path, &sigb, e) < 0)
		goto out;
	old = headerImport(sigb.buf + 8, (unsigned)(sig_len - 8), HEADERIMPORT_COPY);
	if (!old) {
		pf_err_set(e, PF_EINVAL, "%s: corrupt rpm signature header", path);
		goto out;
	}
	hdr_off = LEAD_SIZE + sig_len + (8 - sig_len % 8) % 8;
	if (header_size_at(fd, hdr_off, path, &hdr_len, e) < 0 ||
	    read_range(fd, hdr_off, hdr_len, path, &hdrb, e) < 0)
		goto out;
	if (sign(ctx, hdrb.buf, hdrb.len, &pkt, &algo, e) < 0)
		goto out;
	if (algo != 1 && algo != 17 && algo != 22) {
		pf_err_set(e, PF_EINVAL, "rpm takes RSA, DSA and EdDSA signatures, not algorithm %d",
			   algo);
		goto out;
	}
	if (resigned(old, algo == 1 ? RPMSIGTAG_RSA : RPMSIGTAG_DSA, &pkt, sig_len, &sigb, e) < 0) {
		pf_err_prefix(e, "%s", path);
		goto out;
	}
	if (pf_ofile_open(&o, path, e) < 0)
		goto out;
	if (pf_copy_range(fd, 0, o.fd, (uint64_t)st.st_size) < 0 ||
	    pwrite(o.fd, sigb.buf, sigb.len, LEAD_SIZE) != (ssize_t)sigb.len) {
		pf_err_errno(e, "cannot write %s", path);
		pf_ofile_abort(&o);
		goto out;
	}
	if (pf_ofile_commit(&o, st.st_mode & 07777, e) < 0)
		goto out;
	ret = 0;
out:
	if (old)
		headerFree(old);
	close(fd);
	strbuf_release(&sigb);
	strbuf_release(&hdrb);
	strbuf_release(&pkt);
	return ret;
}

const struct pf_pkgfmt pf_pkgfmt_rpm = {
	.name = "rpm",
	.id = PF_FMT_RPM,
	.flags = PF_FMT_NEEDS_SPOOL,
	.check = rpm_check,
	.filename = rpm_filename,
	.arch = rpm_arch,
	.open = rpm_open,
	.begin = rpm_begin,
	.data = rpm_data,
	.finish = rpm_finish,
	.free = rpm_free,
	.payload_key = rpm_payload_key,
	.save = rpm_save,
	.open_saved = rpm_open_saved,
};
