// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of index formats, and what they share: publication, stanzas. */
#include <ctype.h>
#include <dirent.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "repofmt.h"
#include "templates.h"
#include "tmpl.h"
#include "util.h"
#include "zpiece.h"
#include "banned.h"

extern const struct pf_repofmt pf_repofmt_apt;
extern const struct pf_repofmt pf_repofmt_rpmmd;
extern const struct pf_repofmt pf_repofmt_opkg;

const struct pf_repofmt *const pf_repofmts[PF_FMT_NR] = {
	[PF_FMT_DEB] = &pf_repofmt_apt,
	[PF_FMT_RPM] = &pf_repofmt_rpmmd,
	[PF_FMT_IPK] = &pf_repofmt_opkg,
};

void pf_repopkg_release(struct pf_repopkg *p)
{
	if (p->borrowed) {
		/* the strings are the cache's; the lists' arrays are ours,
		 * in one block (pf_repopkg_lists) */
		free(p->lists_block);
		free(p->info.control);
		pf_rpmmeta_free(p->info.rpm);
		memset(p, 0, sizeof(*p));
		return;
	}
	free(p->relpath);
	pf_pkginfo_release(&p->info);
	for (size_t i = 0; i < PF_ARRAY_SIZE(p->field); i++)
		free(p->field[i]);
	free(p->ident);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------ publication */

/* What a file holds: bytes, or a text written from its records. */
struct content {
	const void *buf;
	size_t len;
	const struct pf_ztext *t;
};

static int put(struct pf_publish *pub, const char *relpath, const struct content *c,
	       struct pf_ofile *o, struct pf_err *e)
{
	char *path = pf_asprintf("%s/%s", pub->root, relpath), *dir = pf_strdup(path);
	int ret = -1, w;

	*strrchr(dir, '/') = '\0';
	if (pf_mkdir_p(dir, 0755, e) < 0 || pf_ofile_open(o, path, e) < 0)
		goto out;
	if (c->t) {
		struct iovec *iov;
		size_t n = pf_ztext_iov(c->t, &iov);

		w = pf_ofile_writev(o, iov, n, e);
		free(iov);
	} else {
		w = pf_ofile_write(o, c->buf, c->len, e);
	}
	if (w < 0) {
		pf_ofile_abort(o);
		goto out;
	}
	/* its writeback under way now, while the rest is written: the
	 * commit's fsync then finds less to wait for */
	pf_ofile_start_sync(o);
	ret = 0;
out:
	free(path);
	free(dir);
	return ret;
}

static int leaf(struct pf_publish *pub, const char *relpath, const struct content *c,
		struct pf_err *e)
{
	struct pf_ofile *o;

	PF_ALLOC_GROW(pub->leaf, pub->nr_leaf + 1, pub->alloc_leaf);
	o = &pub->leaf[pub->nr_leaf];
	*o = (struct pf_ofile)PF_OFILE_INIT;
	if (put(pub, relpath, c, o, e) < 0)
		return -1;
	pub->nr_leaf++;
	return 0;
}

int pf_publish_leaf(struct pf_publish *pub, const char *relpath, const void *buf,
		    size_t len, struct pf_err *e)
{
	struct content c = { buf, len, NULL };

	return leaf(pub, relpath, &c, e);
}

/* A file of this generation (named by its content: there already means
 * written already, after a look at its bytes). */
static int generated(struct pf_publish *pub, const char *relpath, const struct content *c,
		     struct pf_err *e)
{
	char *path = pf_asprintf("%s/%s", pub->root, relpath);
	struct strbuf old = STRBUF_INIT, mine = STRBUF_INIT;
	struct pf_err ignore = PF_ERR_INIT;
	const void *buf = c->buf;
	size_t len = c->t ? pf_ztext_len(c->t) : c->len;
	struct stat st;
	int ret = 0;

	pf_strlist_add(&pub->generated, pf_strdup(relpath));
	if (stat(path, &st) == 0 && (uint64_t)st.st_size == len) {
		if (c->t) {
			pf_ztext_flatten(c->t, &mine);
			buf = mine.buf;
		}
		if (pf_read_file(path, len + 1, &old, &ignore) < 0 || old.len != len ||
		    memcmp(old.buf, buf, len))
			ret = leaf(pub, relpath, c, e);
	} else {
		ret = leaf(pub, relpath, c, e);
	}
	strbuf_release(&old);
	strbuf_release(&mine);
	pf_err_release(&ignore);
	free(path);
	return ret;
}

int pf_publish_generated(struct pf_publish *pub, const char *relpath, const void *buf,
			 size_t len, struct pf_err *e)
{
	struct content c = { buf, len, NULL };

	return generated(pub, relpath, &c, e);
}

int pf_publish_generated_text(struct pf_publish *pub, const char *relpath,
			      const struct pf_ztext *t, struct pf_err *e)
{
	struct content c = { NULL, 0, t };

	return generated(pub, relpath, &c, e);
}

/* The next top file's slot; it counts once kept (top_kept). */
static struct pf_ofile *top_slot(struct pf_publish *pub)
{
	PF_ALLOC_GROW(pub->top, pub->nr_top + 1, pub->alloc_top);
	PF_ALLOC_GROW(pub->top_rel, pub->nr_top + 1, pub->alloc_rel);
	pub->top[pub->nr_top] = (struct pf_ofile)PF_OFILE_INIT;
	return &pub->top[pub->nr_top];
}

static void top_kept(struct pf_publish *pub, const char *relpath)
{
	pub->top_rel[pub->nr_top++] = pf_strdup(relpath);
}

static int top(struct pf_publish *pub, const char *relpath, const struct content *c,
	       struct pf_err *e)
{
	if (put(pub, relpath, c, top_slot(pub), e) < 0)
		return -1;
	top_kept(pub, relpath);
	return 0;
}

int pf_publish_top(struct pf_publish *pub, const char *relpath, const void *buf,
		   size_t len, struct pf_err *e)
{
	struct content c = { buf, len, NULL };

	return top(pub, relpath, &c, e);
}

static int top_as(struct pf_publish *pub, const char *relpath, const char *leaf,
		  const struct content *c, struct pf_err *e)
{
	char *path = pf_asprintf("%s/%s", pub->root, relpath);
	char *lpath = pf_asprintf("%s/%s", pub->root, leaf);
	const char *source = lpath;
	struct pf_err ignore = PF_ERR_INIT;
	int ret;

	/* the leaf written now is still its temporary file */
	for (size_t i = 0; i < pub->nr_leaf; i++)
		if (pub->leaf[i].path && !strcmp(pub->leaf[i].path, lpath))
			source = pub->leaf[i].tmp;
	if (pf_ofile_open_link(top_slot(pub), path, source, &ignore) == 0) {
		top_kept(pub, relpath);
		ret = 0;
	} else {
		ret = top(pub, relpath, c, e);
	}
	pf_err_release(&ignore);
	free(path);
	free(lpath);
	return ret;
}

int pf_publish_top_as(struct pf_publish *pub, const char *relpath, const char *leaf,
		      const void *buf, size_t len, struct pf_err *e)
{
	struct content c = { buf, len, NULL };

	return top_as(pub, relpath, leaf, &c, e);
}

int pf_publish_top_as_text(struct pf_publish *pub, const char *relpath, const char *leaf,
			   const struct pf_ztext *t, struct pf_err *e)
{
	struct content c = { NULL, 0, t };

	return top_as(pub, relpath, leaf, &c, e);
}

/* ----------------------------------------------------------- stanzas */

static bool field_name_ok(const char *s, size_t n)
{
	if (!n || s[0] == '#' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ':')
			return false;
	return true;
}

/* UTF-8 without control characters, tabs allowed */
static bool clean_line(const char *s, size_t n)
{
	while (n) {
		const char *tab = memchr(s, '\t', n);
		size_t k = tab ? (size_t)(tab - s) : n;

		if (!pf_utf8_clean(s, k))
			return false;
		if (!tab)
			return true;
		s += k + 1;
		n -= k + 1;
	}
	return true;
}

int pf_repo_stanza(const char *control, const char *path, struct strbuf *out,
		   struct pf_err *e)
{
	static const char *const ours[] = {
		"Filename", "Size", "MD5sum", "MD5Sum", "SHA1", "SHA256", "SHA256sum", "SHA512",
	};
	const char *line = control;
	bool skipping = false;
	size_t start = out->len;
	int lineno = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		lineno++;
		if (!len) {
			/* only trailing blank lines */
			const char *rest = line;
			while (*rest == '\n')
				rest++;
			if (*rest)
				return pf_err_set(e, PF_EINVAL,
						  "%s: the control file has a blank line (line %d), which would end the index entry",
						  path, lineno);
			break;
		}
		if (!clean_line(line, len))
			return pf_err_set(e, PF_EINVAL,
					  "%s: the control file's line %d holds control characters or invalid UTF-8",
					  path, lineno);
		if (line[0] == ' ' || line[0] == '\t') {
			if (lineno == 1)
				return pf_err_set(e, PF_EINVAL,
						  "%s: the control file starts with a continuation line", path);
			if (!skipping) {
				strbuf_add(out, line, len);
				strbuf_addch(out, '\n');
			}
		} else {
			const char *colon = memchr(line, ':', len);

			if (!colon || !field_name_ok(line, (size_t)(colon - line)))
				return pf_err_set(e, PF_EINVAL,
						  "%s: the control file's line %d is not a 'Field: value' line",
						  path, lineno);
			skipping = false;
			for (size_t i = 0; i < PF_ARRAY_SIZE(ours); i++)
				if ((size_t)(colon - line) == strlen(ours[i]) &&
				    !strncasecmp(line, ours[i], strlen(ours[i])))
					skipping = true;
			if (!skipping) {
				strbuf_add(out, line, len);
				strbuf_addch(out, '\n');
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (out->len == start)
		return pf_err_set(e, PF_EINVAL, "%s: the control file is empty", path);
	return 0;
}

void pf_repo_rfc2822(int64_t t, struct strbuf *out)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	/* apt parses the English names: never the locale's */
	strbuf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d UTC", days[tm.tm_wday], tm.tm_mday,
		    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int pf_repo_template(const char *name, struct strbuf *out, struct pf_err *e, ...)
{
	struct pf_tvars vars = { NULL, 0, 0 };
	const char *k;
	va_list ap;
	int ret;

	va_start(ap, e);
	while ((k = va_arg(ap, const char *)) != NULL)
		pf_tvars_set(&vars, k, va_arg(ap, const char *));
	va_end(ap);
	ret = pf_template_fill(name, &vars, out, e);
	pf_tvars_release(&vars);
	return ret;
}

void pf_repo_prune_dir(const char *root, const char *rel, const struct pf_strmap *keep,
		       const char *const *except)
{
	char *path = pf_asprintf("%s/%s", root, rel);
	DIR *d = opendir(path);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		bool spare = de->d_name[0] == '.';
		char *r;
		size_t v;

		for (const char *const *x = except; x && *x && !spare; x++)
			spare = !strcmp(*x, de->d_name);
		if (spare)
			continue;
		r = pf_asprintf("%s/%s", rel, de->d_name);
		if (!pf_strmap_get(keep, r, &v)) {
			char *full = pf_asprintf("%s/%s", root, r);
			unlink(full);
			free(full);
		}
		free(r);
	}
	if (d)
		closedir(d);
	free(path);
}

int pf_repo_mkdir(const struct pf_repoctx *c, const char *rel, struct pf_err *e)
{
	char *path = pf_asprintf("%s/%s", c->root, rel);
	int ret = pf_mkdir_p(path, 0755, e);

	free(path);
	return ret;
}

int pf_repo_pgp_sign(const struct pf_repoctx *c, enum pf_pgp_sigmode mode, const void *buf,
		     size_t len, struct strbuf *out, struct pf_err *e)
{
	if (!c->pgp)
		return 0;
	return pf_pgp_sign(c->pgp, c->fpr, mode, buf, len, out, NULL, e);
}

void pf_itext_init(struct pf_itext *t, const char *sep, const char *tail)
{
	memset(t, 0, sizeof(*t));
	t->t.head = "";
	t->t.sep = sep;
	t->t.tail = tail;
}

void pf_itext_head(struct pf_itext *t, char *head)
{
	free(t->head);
	t->head = head;
	t->t.head = head;
}

void pf_itext_add(struct pf_itext *t, const char *rec, size_t len, const unsigned char *sha)
{
	PF_ALLOC_GROW(t->rec, t->nr + 1, t->alloc);
	t->rec[t->nr].p = rec;
	t->rec[t->nr].sha = sha;
	t->rec[t->nr++].len = len;
}

void pf_itext_release(struct pf_itext *t)
{
	free(t->head);
	free(t->rec);
	memset(t, 0, sizeof(*t));
}

static void itext_sync(struct pf_itext *t)
{
	t->t.rec = t->rec;
	t->t.n = t->nr;
}

int pf_itext_compress(const struct pf_repoctx *c, struct pf_itext *t, enum pf_comp comp,
		      int level, unsigned char *open_sha, struct strbuf *out, struct pf_err *e)
{
	itext_sync(t);
	return pf_zpiece_compress(c->zcache, comp, level, c->threads, &t->t, open_sha, out, e);
}

void pf_itext_flatten(struct pf_itext *t, struct strbuf *out)
{
	itext_sync(t);
	strbuf_reset(out);
	pf_ztext_flatten(&t->t, out);
}

const struct pf_ztext *pf_itext_text(struct pf_itext *t)
{
	itext_sync(t);
	return &t->t;
}
