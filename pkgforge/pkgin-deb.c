// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a .deb or an .ipk back (libarchive): the control file's name,
 * version, architecture and relations, and the paths data.tar holds.
 * The member tar archives are read as they stream out of the outer
 * archive: ar (.deb, Yocto's .ipk) or a gzip'd tar (OpenWrt's .ipk).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkgin.h"
#include "util.h"
#include "arlib.h"
#include "banned.h"

#define MAX_CONTROL (4 << 20)
#define BLOCK (1 << 16)

struct member {
	struct archive *outer;
	char buf[BLOCK];
};

static ssize_t member_read(struct archive *a, void *ctx, const void **out)
{
	struct member *m = ctx;
	la_ssize_t n = archive_read_data(m->outer, m->buf, sizeof(m->buf));

	if (n < 0) {
		archive_set_error(a, EIO, "%s", archive_error_string(m->outer));
		return -1;
	}
	*out = m->buf;
	return n;
}

static struct archive *open_member(struct member *m)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open(a, m, NULL, member_read, NULL) != ARCHIVE_OK)
		return a;       /* the caller sees the error on the first header */
	return a;
}

/* "./opt/x/" → "/opt/x" */
static char *abs_path(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, name);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

static void add_relations(struct pf_strlist *l, const char *value)
{
	const char *p = value;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;

		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n)
			pf_strlist_add(l, pf_strndup(s, n));
		p += (comma ? comma - p + 1 : (ptrdiff_t)strlen(p));
	}
}

/* One field of the control file (continuation lines joined). */
static void control_field(struct pf_pkginfo *info, const char *name, const char *value)
{
	static const struct { const char *field; int kind; } rels[] = {
		{ "Depends", PF_REL_DEPENDS }, { "Pre-Depends", PF_REL_DEPENDS },
		{ "Recommends", PF_REL_RECOMMENDS }, { "Suggests", PF_REL_SUGGESTS },
		{ "Provides", PF_REL_PROVIDES }, { "Conflicts", PF_REL_CONFLICTS },
		{ "Breaks", PF_REL_CONFLICTS }, { "Replaces", PF_REL_REPLACES },
	};

	if (!strcasecmp(name, "Package") && !info->name)
		info->name = pf_strdup(value);
	else if (!strcasecmp(name, "Version") && !info->version)
		info->version = pf_strdup(value);
	else if (!strcasecmp(name, "Architecture") && !info->arch)
		info->arch = pf_strdup(value);
	for (size_t i = 0; i < PF_ARRAY_SIZE(rels); i++)
		if (!strcasecmp(name, rels[i].field))
			add_relations(&info->rel[rels[i].kind], value);
}

static void parse_control(struct pf_pkginfo *info, const char *text)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if ((line[0] == ' ' || line[0] == '\t') && name.len) {
			strbuf_addch(&value, ' ');
			strbuf_add(&value, line + 1, len - 1);
		} else {
			const char *colon = memchr(line, ':', len);
			if (name.len)
				control_field(info, name.buf, value.buf);
			strbuf_reset(&name);
			strbuf_reset(&value);
			if (colon) {
				const char *v = colon + 1;
				strbuf_add(&name, line, colon - line);
				while (v < line + len && (*v == ' ' || *v == '\t'))
					v++;
				strbuf_add(&value, v, line + len - v);
			}
		}
		line += len + (nl ? 1 : 0);
	}
	if (name.len)
		control_field(info, name.buf, value.buf);
	strbuf_release(&name);
	strbuf_release(&value);
}

static int read_control(struct archive *tar, struct pf_pkginfo *info, const char *path,
			struct pf_err *e)
{
	struct archive_entry *ent;
	int r;

	while ((r = archive_read_next_header(tar, &ent)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ent);
		struct strbuf text = STRBUF_INIT;
		char buf[BLOCK];
		la_ssize_t got;

		if (strcmp(n, "./control") && strcmp(n, "control"))
			continue;
		while ((got = archive_read_data(tar, buf, sizeof(buf))) > 0) {
			strbuf_add(&text, buf, got);
			if (text.len > MAX_CONTROL) {
				strbuf_release(&text);
				return pf_err_set(e, PF_EINVAL, "%s: the control file is larger than %d bytes",
						  path, MAX_CONTROL);
			}
		}
		if (got < 0) {
			strbuf_release(&text);
			break;
		}
		parse_control(info, text.buf);
		free(info->control);
		info->control = strbuf_detach(&text, NULL);
		return 1;
	}
	if (r == ARCHIVE_EOF)
		return 0;
	return pf_err_set(e, PF_EINVAL, "%s: corrupt control.tar: %s", path, archive_error_string(tar));
}

static int read_data(struct archive *tar, struct pf_pkginfo *info, const char *path,
		     struct pf_err *e)
{
	struct archive_entry *ent;
	int r;

	while ((r = archive_read_next_header(tar, &ent)) == ARCHIVE_OK) {
		if (archive_entry_filetype(ent) == AE_IFDIR)
			continue;
		pf_strlist_add(&info->files, abs_path(archive_entry_pathname(ent)));
	}
	if (r == ARCHIVE_EOF)
		return 0;
	return pf_err_set(e, PF_EINVAL, "%s: corrupt data.tar: %s", path, archive_error_string(tar));
}

/* "./control.tar.gz" (OpenWrt's tar) and "control.tar.gz" alike */
static const char *member_name(const char *n)
{
	while (n[0] == '.' && n[1] == '/')
		n += 2;
	return n;
}

int pf_pkgin_members(const char *path, const void *buf, size_t len, const char *what,
		     struct pf_pkginfo *info, struct pf_err *e)
{
	struct archive *ar;
	struct archive_entry *ent;
	struct member *m;
	bool control = false, data = false;
	int r, ret = -1;

	if (pf_libarchive_load(e) < 0)
		return -1;
	ar = archive_read_new();
	m = pf_calloc(1, sizeof(*m));
	archive_read_support_format_ar(ar);
	if (info->fmt == PF_FMT_IPK) {
		archive_read_support_format_tar(ar);
		archive_read_support_format_gnutar(ar);
		archive_read_support_filter_gzip(ar);
	}
	if ((buf ? archive_read_open_memory(ar, buf, len)
		 : archive_read_open_filename(ar, path, BLOCK)) != ARCHIVE_OK) {
		pf_err_set(e, PF_EINVAL, "%s: not %s: %s", path, what, archive_error_string(ar));
		goto out;
	}
	m->outer = ar;
	while ((r = archive_read_next_header(ar, &ent)) == ARCHIVE_OK) {
		const char *n = member_name(archive_entry_pathname(ent));
		struct archive *tar;
		int rc;

		if (!pf_starts_with(n, "control.tar") && !pf_starts_with(n, "data.tar"))
			continue;
		tar = open_member(m);
		if (pf_starts_with(n, "control.tar")) {
			rc = read_control(tar, info, path, e);
			control |= rc > 0;
		} else {
			rc = read_data(tar, info, path, e);
			data = rc == 0;
		}
		archive_read_free(tar);
		if (rc < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		pf_err_set(e, PF_EINVAL, "%s: not %s: %s", path, what, archive_error_string(ar));
		goto out;
	}
	if (!control || !data) {
		pf_err_set(e, PF_EINVAL, "%s: not %s: no %s", path, what,
			   !control ? "control file" : "data.tar member");
		goto out;
	}
	if (!info->name || !info->version || !info->arch) {
		pf_err_set(e, PF_EINVAL, "%s: the control file has no %s field", path,
			   !info->name ? "Package" : !info->version ? "Version" : "Architecture");
		goto out;
	}
	ret = 0;
out:
	archive_read_free(ar);
	free(m);
	return ret;
}

int pf_pkgin_deb(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e)
{
	return pf_pkgin_members(path, buf, len, "a Debian package", info, e);
}
