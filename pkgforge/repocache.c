// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The index cache (.pkgforge/index-cache): for every package of the
 * repository, its cache key (path, size, mtime, inode), digests, what
 * check needs and the fields its index writes, so that a package is
 * read once.  A file of records, each field "TAG LEN\n" then LEN bytes
 * and a newline; lists are NUL-separated.  It is only a cache: one that
 * does not parse is dropped (and every package read again).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ofile.h"
#include "repofmt.h"
#include "util.h"
#include "banned.h"

#define MAGIC "pkgforge-index-cache 1 " PF_VERSION "\n"
#define MAX_CACHE (4ULL << 30)

static void put_field(struct strbuf *sb, const char *tag, const char *val, size_t len)
{
	strbuf_addf(sb, "%s %zu\n", tag, len);
	strbuf_add(sb, val, len);
	strbuf_addch(sb, '\n');
}

static void put_str(struct strbuf *sb, const char *tag, const char *val)
{
	if (val)
		put_field(sb, tag, val, strlen(val));
}

static void put_num(struct strbuf *sb, const char *tag, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	put_str(sb, tag, buf);
}

static void put_list(struct strbuf *sb, struct strbuf *tmp, const char *tag,
		     const struct pf_strlist *l)
{
	strbuf_reset(tmp);
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addch(tmp, '\0');
		strbuf_addstr(tmp, l->v[i]);
	}
	put_field(sb, tag, tmp->buf, tmp->len);
}

int pf_repocache_save(const char *path, struct pf_repopkg *const *pkgs, size_t n,
		      struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	static const char *const rtags[PF_REL_NR] = { "r0", "r1", "r2", "r3", "r4", "r5" };
	static const char *const ftags[3] = { "f0", "f1", "f2" };
	int ret;

	strbuf_addstr(&sb, MAGIC);
	for (size_t i = 0; i < n; i++) {
		const struct pf_repopkg *p = pkgs[i];

		put_str(&sb, "path", p->relpath);
		put_num(&sb, "fmt", p->fmt);
		put_num(&sb, "size", (int64_t)p->size);
		put_num(&sb, "ino", (int64_t)p->ino);
		put_num(&sb, "mtime", p->mtime_ns);
		put_num(&sb, "btime", p->buildtime);
		put_str(&sb, "sha256", p->sha256);
		if (p->md5[0])
			put_str(&sb, "md5", p->md5);
		put_str(&sb, "name", p->info.name);
		put_str(&sb, "version", p->info.version);
		put_str(&sb, "arch", p->info.arch);
		for (int k = 0; k < PF_REL_NR; k++)
			put_list(&sb, &tmp, rtags[k], &p->info.rel[k]);
		put_list(&sb, &tmp, "files", &p->info.files);
		for (int k = 0; k < 3; k++)
			put_str(&sb, ftags[k], p->field[k]);
		put_str(&sb, "ident", p->ident);
		if (p->sigkey[0])
			put_str(&sb, "sigkey", p->sigkey);
		put_num(&sb, "pub", p->published);
		put_str(&sb, "end", "");
	}
	/* a cache: a lost one costs a run that reads everything, an fsync
	 * of megabytes costs every run */
	ret = pf_ofile_put_nosync(path, sb.buf, sb.len, e);
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}

static void get_list(struct pf_strlist *l, const char *v, size_t len)
{
	const char *end = v + len;

	if (!len)
		return;
	for (;;) {
		size_t k = strnlen(v, (size_t)(end - v));

		pf_strlist_add(l, pf_strndup(v, k));
		if (v + k >= end)
			break;
		v += k + 1;
	}
}

static bool get_num(const char *v, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return !errno && *v && !*end;
}

/* One field into p; false when the record makes no sense. */
static bool take(struct pf_repopkg *p, const char *tag, const char *v, size_t len)
{
	int64_t num;

	if (!strcmp(tag, "path"))
		p->relpath = pf_strndup(v, len);
	else if (!strcmp(tag, "fmt")) {
		if (!get_num(v, &num) || num < 0 || num >= PF_FMT_NR)
			return false;
		p->fmt = (enum pf_fmt_id)num;
		p->info.fmt = p->fmt;
	} else if (!strcmp(tag, "size") || !strcmp(tag, "ino") || !strcmp(tag, "mtime") ||
		   !strcmp(tag, "btime") || !strcmp(tag, "pub")) {
		if (!get_num(v, &num))
			return false;
		if (tag[0] == 's')
			p->size = (uint64_t)num;
		else if (tag[0] == 'i')
			p->ino = (uint64_t)num;
		else if (tag[0] == 'm')
			p->mtime_ns = num;
		else if (tag[0] == 'b')
			p->buildtime = num;
		else
			p->published = num != 0;
	} else if (!strcmp(tag, "sha256") && len == 64)
		memcpy(p->sha256, v, 65);
	else if (!strcmp(tag, "md5") && len == 32)
		memcpy(p->md5, v, 33);
	else if (!strcmp(tag, "sigkey") && len < sizeof(p->sigkey))
		memcpy(p->sigkey, v, len + 1);
	else if (!strcmp(tag, "name"))
		p->info.name = pf_strndup(v, len);
	else if (!strcmp(tag, "version"))
		p->info.version = pf_strndup(v, len);
	else if (!strcmp(tag, "arch"))
		p->info.arch = pf_strndup(v, len);
	else if (!strcmp(tag, "files"))
		get_list(&p->info.files, v, len);
	else if (tag[0] == 'r' && tag[1] >= '0' && tag[1] < '0' + PF_REL_NR && !tag[2])
		get_list(&p->info.rel[tag[1] - '0'], v, len);
	else if (tag[0] == 'f' && tag[1] >= '0' && tag[1] <= '2' && !tag[2])
		p->field[tag[1] - '0'] = pf_strndup(v, len);
	else if (!strcmp(tag, "ident"))
		p->ident = pf_strndup(v, len);
	else
		return false;
	return true;
}

int pf_repocache_load(const char *path, struct pf_repopkg ***out, size_t *n, size_t *alloc,
		      struct pf_err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	struct pf_repopkg *p = NULL;
	const char *s, *end;
	size_t first = *n;
	int ret = 0;

	if (pf_read_file(path, MAX_CACHE, &sb, &err) < 0) {
		ret = err.errnum == ENOENT ? 0 : 1;
		goto out;
	}
	if (!pf_starts_with(sb.buf, MAGIC)) {
		ret = 1;
		goto out;
	}
	s = sb.buf + strlen(MAGIC);
	end = sb.buf + sb.len;
	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s)), *nl;
		char tag[16], *lend;
		unsigned long long len;

		if (!sp || sp - s >= (ptrdiff_t)sizeof(tag))
			goto bad;
		memcpy(tag, s, (size_t)(sp - s));
		tag[sp - s] = '\0';
		nl = memchr(sp, '\n', (size_t)(end - sp));
		if (!nl)
			goto bad;
		len = strtoull(sp + 1, &lend, 10);
		if (lend != nl || len > (unsigned long long)(end - nl - 1) ||
		    nl[1 + len] != '\n')
			goto bad;
		if (!p) {
			if (strcmp(tag, "path"))
				goto bad;
			p = pf_calloc(1, sizeof(*p));
		}
		if (!strcmp(tag, "end")) {
			if (!p->relpath || !p->info.name || !p->info.version || !p->info.arch ||
			    !p->sha256[0] || !p->ident)
				goto bad;
			p->info.path = pf_strdup(p->relpath);
			PF_ALLOC_GROW(*out, *n + 1, *alloc);
			(*out)[(*n)++] = p;
			p = NULL;
		} else {
			/* a field's value is a string: NUL-terminate it in place */
			char *v = (char *)nl + 1;
			v[len] = '\0';
			if (!take(p, tag, v, (size_t)len))
				goto bad;
		}
		s = nl + 1 + len + 1;
	}
	if (p)
		goto bad;
	goto out;
bad:
	ret = 1;
	if (p) {
		pf_repopkg_release(p);
		free(p);
	}
	while (*n > first) {
		pf_repopkg_release((*out)[--*n]);
		free((*out)[*n]);
	}
out:
	(void)e;
	pf_err_release(&err);
	strbuf_release(&sb);
	return ret;
}
