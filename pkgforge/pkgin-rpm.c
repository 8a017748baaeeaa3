// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading an .rpm back: the lead, the signature header and the main
 * header are read (nothing of the payload) and their entries checked;
 * what `pkgforge check` needs goes to the pf_pkginfo, what rpm-md needs
 * to its pf_rpmmeta.  rpm's headers are simple enough to read here, and
 * an index of an rpm feed then never loads librpm (and the nine
 * libraries it brings, ~3 ms of CPU): only writing and signing do.
 * The tag and type numbers come from rpm's headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/rpmds.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>

#include "pkgin.h"
#include "util.h"
#include "banned.h"

#define LEAD_SIZE       96
/* rpm's own limits on a header's index entries and data */
#define MAX_TAGS        0xffff
#define MAX_DATA        (256u << 20)

static const unsigned char lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
static const unsigned char header_magic[4] = { 0x8e, 0xad, 0xe8, 0x01 };

/* each kind's tags: names, flags, versions */
static const struct {
	uint32_t name, flags, version;
} dep_tags[PF_RPMDEP_NR] = {
#define DEP(k, t) [PF_RPMDEP_##k] = { RPMTAG_##t##NAME, RPMTAG_##t##FLAGS, RPMTAG_##t##VERSION }
	DEP(PROVIDES, PROVIDE),
	DEP(REQUIRES, REQUIRE),
	DEP(CONFLICTS, CONFLICT),
	DEP(OBSOLETES, OBSOLETE),
	DEP(SUGGESTS, SUGGEST),
	DEP(ENHANCES, ENHANCE),
	DEP(RECOMMENDS, RECOMMEND),
	DEP(SUPPLEMENTS, SUPPLEMENT),
#undef DEP
};

/* pf_pkginfo's relation kind of each rpm-md list (-1: none) */
static const int rel_kind[PF_RPMDEP_NR] = {
	[PF_RPMDEP_PROVIDES] = PF_REL_PROVIDES,
	[PF_RPMDEP_REQUIRES] = PF_REL_DEPENDS,
	[PF_RPMDEP_CONFLICTS] = PF_REL_CONFLICTS,
	[PF_RPMDEP_OBSOLETES] = PF_REL_REPLACES,
	[PF_RPMDEP_SUGGESTS] = PF_REL_SUGGESTS,
	[PF_RPMDEP_ENHANCES] = -1,
	[PF_RPMDEP_RECOMMENDS] = PF_REL_RECOMMENDS,
	[PF_RPMDEP_SUPPLEMENTS] = -1,
};

void pf_rpmmeta_free(struct pf_rpmmeta *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->arch);
	free(m->epoch);
	free(m->version);
	free(m->release);
	free(m->summary);
	free(m->description);
	free(m->packager);
	free(m->url);
	free(m->license);
	free(m->vendor);
	free(m->group);
	free(m->buildhost);
	free(m->sourcerpm);
	for (int k = 0; k < PF_RPMDEP_NR; k++) {
		for (size_t i = 0; i < m->deps[k].nr; i++) {
			free(m->deps[k].v[i].name);
			free(m->deps[k].v[i].epoch);
			free(m->deps[k].v[i].ver);
			free(m->deps[k].v[i].rel);
		}
		free(m->deps[k].v);
	}
	for (size_t i = 0; i < m->nr_files; i++)
		free(m->files[i].path);
	free(m->files);
	for (size_t i = 0; i < m->nr_logs; i++) {
		free(m->logs[i].author);
		free(m->logs[i].text);
	}
	free(m->logs);
	free(m);
}

/* Where the package is: a file, or its content in memory. */
struct src {
	int fd;
	const unsigned char *mem;
	size_t len;
};

/* 0 when len bytes were read, 1 at the end of the file, -1 on error */
static int read_at(const struct src *in, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	int fd = in->fd;

	if (in->mem) {
		if (off > in->len || len > in->len - off)
			return 1;
		memcpy(buf, in->mem + off, len);
		return 0;
	}

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_fail(int r, const char *path, const char *which, struct pf_err *e)
{
	if (r < 0)
		return pf_err_errno(e, "cannot read %s", path);
	return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: truncated %s", path, which);
}

/*
 * A header as the file has it: the index (il entries of 16 bytes: tag,
 * type, offset, count, big-endian) and the data they point into (dl
 * bytes).  Every entry is checked when the header is read, so that the
 * getters below never look past the data: a known type, an offset
 * aligned for it, and every element (each string up to its NUL) inside.
 */
struct hdr {
	const unsigned char *index, *data;
	uint32_t il, dl;
	bool sorted;                    /* tags ascending, as rpm writes them */
	unsigned char *blob;            /* a copy read from the file, or NULL */
};

/* One entry of a header, checked: count elements from p on. */
struct ent {
	uint32_t type, count;
	const unsigned char *p;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* the size of a fixed-size type's element, 0 for strings */
static uint32_t type_size(uint32_t type)
{
	switch (type) {
	case RPM_CHAR_TYPE:
	case RPM_INT8_TYPE:
	case RPM_BIN_TYPE:
		return 1;
	case RPM_INT16_TYPE:
		return 2;
	case RPM_INT32_TYPE:
		return 4;
	case RPM_INT64_TYPE:
		return 8;
	}
	return 0;
}

/* *walked: the bytes of strings walked so far, in every entry */
static bool entry_ok(const struct hdr *h, const unsigned char *e, uint64_t *walked)
{
	uint32_t type = be32(e + 4), off = be32(e + 8), count = be32(e + 12), from = off;
	uint32_t size = type_size(type);

	if (type == RPM_NULL_TYPE)
		return true;
	if (type > RPM_I18NSTRING_TYPE || off > h->dl || count == 0 || count > h->dl)
		return false;
	if (size)
		return off % size == 0 && (uint64_t)count * size <= h->dl - off;
	if (type == RPM_STRING_TYPE && count != 1)
		return false;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *nul = memchr(h->data + off, 0, h->dl - off);

		if (!nul)
			return false;
		off = (uint32_t)(nul - h->data) + 1;
	}
	/* rpm's entries do not share their data: many pointing at the
	 * same strings would make the checks quadratic */
	*walked += off - from;
	return *walked <= 2 * (uint64_t)h->dl;
}

static void hdr_free(struct hdr *h)
{
	free(h->blob);
	memset(h, 0, sizeof(*h));
}

/* Read the header at *off (magic, intro, index, data); *off moves past it. */
static int read_header(const struct src *fd, const char *path, const char *which,
		       uint64_t *off, struct hdr *h, struct pf_err *e)
{
	unsigned char intro[16];
	const unsigned char *blob;
	uint64_t walked = 0;
	uint32_t last = 0;
	size_t len;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = read_at(fd, intro, sizeof(intro), *off)) != 0)
		return read_fail(r, path, which, e);
	if (memcmp(intro, header_magic, 4))
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: no %s", path, which);
	h->il = be32(intro + 8);
	h->dl = be32(intro + 12);
	if (h->il > MAX_TAGS || h->dl > MAX_DATA)
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: absurd %s size", path,
				  which);
	len = (size_t)h->il * 16 + h->dl;
	if (fd->mem && *off + 16 <= fd->len && len <= fd->len - *off - 16) {
		blob = fd->mem + *off + 16;
	} else {
		h->blob = pf_malloc(len ? len : 1);
		if ((r = read_at(fd, h->blob, len, *off + 16)) != 0) {
			hdr_free(h);
			return read_fail(r, path, which, e);
		}
		blob = h->blob;
	}
	h->index = blob;
	h->data = blob + (size_t)h->il * 16;
	h->sorted = true;
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *ent = h->index + (size_t)i * 16;

		if (!entry_ok(h, ent, &walked)) {
			hdr_free(h);
			return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: corrupt %s", path,
					  which);
		}
		if (be32(ent) < last)
			h->sorted = false;
		last = be32(ent);
	}
	*off += 16 + len;
	return 0;
}

static bool find(const struct hdr *h, uint32_t tag, struct ent *out)
{
	const unsigned char *e = NULL;

	if (h->sorted) {
		uint32_t lo = 0, hi = h->il;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			uint32_t t = be32(h->index + (size_t)mid * 16);

			if (t == tag) {
				e = h->index + (size_t)mid * 16;
				break;
			}
			if (t < tag)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
		for (uint32_t i = 0; i < h->il && !e; i++)
			if (be32(h->index + (size_t)i * 16) == tag)
				e = h->index + (size_t)i * 16;
	}
	if (!e || be32(e + 4) == RPM_NULL_TYPE)
		return false;
	out->type = be32(e + 4);
	out->count = be32(e + 12);
	out->p = h->data + be32(e + 8);
	return true;
}

static bool has(const struct hdr *h, uint32_t tag)
{
	struct ent en;

	return find(h, tag, &en);
}

/* A string, or an array's first (the untranslated text of an i18n one). */
static const char *get_cstr(const struct hdr *h, uint32_t tag)
{
	struct ent en;

	if (!find(h, tag, &en) || type_size(en.type))
		return NULL;
	return (const char *)en.p;
}

static char *get_str(const struct hdr *h, uint32_t tag)
{
	const char *s = get_cstr(h, tag);

	return s ? pf_strdup(s) : NULL;
}

/* An entry's i-th number (i below its count, and it of a number type). */
static uint64_t ent_num(const struct ent *en, uint32_t i)
{
	const unsigned char *p = en->p + (size_t)i * type_size(en->type);

	switch (en->type) {
	case RPM_INT16_TYPE:
		return (uint64_t)p[0] << 8 | p[1];
	case RPM_INT32_TYPE:
		return be32(p);
	case RPM_INT64_TYPE:
		return (uint64_t)be32(p) << 32 | be32(p + 4);
	}
	return p[0];
}

static bool is_num(const struct ent *en)
{
	return en->type != RPM_BIN_TYPE && type_size(en->type);
}

/* A number tag's first value; 0 without one. */
static uint64_t get_num(const struct hdr *h, uint32_t tag)
{
	struct ent en;

	return find(h, tag, &en) && is_num(&en) ? ent_num(&en, 0) : 0;
}

/* An array of strings: its count, 0 if absent (or not strings). */
static uint32_t get_strs(const struct hdr *h, uint32_t tag, const char **first)
{
	struct ent en;

	if (!find(h, tag, &en) || type_size(en.type))
		return 0;
	*first = (const char *)en.p;
	return en.count;
}

/* An array of numbers: its count, 0 if absent (or not numbers). */
static uint32_t get_nums(const struct hdr *h, uint32_t tag, struct ent *en)
{
	if (!find(h, tag, en) || !is_num(en))
		return 0;
	return en->count;
}

static const char *next_str(const char *s)
{
	return s + strlen(s) + 1;
}

static const char *flag_name(uint32_t f)
{
	switch (f & RPMSENSE_SENSEMASK) {
	case RPMSENSE_EQUAL:
		return "EQ";
	case RPMSENSE_LESS:
		return "LT";
	case RPMSENSE_GREATER:
		return "GT";
	case RPMSENSE_LESS | RPMSENSE_EQUAL:
		return "LE";
	case RPMSENSE_GREATER | RPMSENSE_EQUAL:
		return "GE";
	}
	return NULL;
}

static const char *flag_op(uint32_t f)
{
	switch (f & RPMSENSE_SENSEMASK) {
	case RPMSENSE_EQUAL:
		return "=";
	case RPMSENSE_LESS:
		return "<";
	case RPMSENSE_GREATER:
		return ">";
	case RPMSENSE_LESS | RPMSENSE_EQUAL:
		return "<=";
	case RPMSENSE_GREATER | RPMSENSE_EQUAL:
		return ">=";
	}
	return NULL;
}

/* "[E:]V[-R]" → its parts, as rpm-md writes them (epoch "0" when unset) */
static void split_evr(const char *evr, struct pf_rpmdep *d)
{
	const char *colon, *dash, *v = evr;

	if (!evr || !*evr)
		return;
	colon = strchr(evr, ':');
	if (colon) {
		d->epoch = pf_strndup(evr, (size_t)(colon - evr));
		v = colon + 1;
	} else {
		d->epoch = pf_strdup("0");
	}
	dash = strrchr(v, '-');
	if (dash) {
		d->ver = pf_strndup(v, (size_t)(dash - v));
		d->rel = pf_strdup(dash + 1);
	} else {
		d->ver = pf_strdup(v);
	}
}

/* The relations of each kind: names, and flags and versions when the
 * header has them.  As librpm, a kind whose flags or versions are not
 * as many as its names is left out. */
static void read_deps(const struct hdr *h, struct pf_pkginfo *info, struct pf_rpmmeta *m)
{
	for (int k = 0; k < PF_RPMDEP_NR; k++) {
		const char *n = NULL, *evr = NULL;
		uint32_t nr = get_strs(h, dep_tags[k].name, &n), ne, nf;
		struct ent flags;

		if (!nr)
			continue;
		ne = get_strs(h, dep_tags[k].version, &evr);
		nf = get_nums(h, dep_tags[k].flags, &flags);
		if ((ne && ne != nr) || (nf && nf != nr))
			continue;
		m->deps[k].v = pf_calloc(nr, sizeof(*m->deps[k].v));
		m->deps[k].nr = m->deps[k].alloc = nr;
		for (uint32_t i = 0; i < nr; i++, n = next_str(n)) {
			const char *ev = evr, *op;
			uint32_t f = nf ? (uint32_t)ent_num(&flags, i) : 0;
			struct pf_rpmdep *d = &m->deps[k].v[i];

			if (evr)
				evr = next_str(evr);
			d->name = pf_strdup(n);
			d->flags = flag_name(f);
			if (d->flags)
				split_evr(ev, d);
			d->pre = (f & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_POSTTRANS |
				       RPMSENSE_PRETRANS | RPMSENSE_SCRIPT_POST)) != 0;
			if (rel_kind[k] < 0)
				continue;
			op = flag_op(f);
			if (op && ev && *ev)
				pf_strlist_add(&info->rel[rel_kind[k]],
					       pf_asprintf("%s %s %s", n, op, ev));
			else
				pf_strlist_add(&info->rel[rel_kind[k]], pf_strdup(n));
		}
	}
}

/* The files: directory + base name (or the old full names), their modes
 * and flags; as many as all three have. */
static int read_files(const struct hdr *h, struct pf_pkginfo *info, struct pf_rpmmeta *m)
{
	const char *base = NULL, *dir = NULL, **dirs = NULL;
	struct ent idx, modes, flags;
	uint32_t nb, nd = 0, nm, nf, n;

	nb = get_strs(h, RPMTAG_BASENAMES, &base);
	if (nb) {
		nd = get_strs(h, RPMTAG_DIRNAMES, &dir);
		if (get_nums(h, RPMTAG_DIRINDEXES, &idx) != nb || !nd)
			return -1;
		dirs = pf_calloc(nd, sizeof(*dirs));
		for (uint32_t i = 0; i < nd; i++, dir = next_str(dir))
			dirs[i] = dir;
	} else {
		nb = get_strs(h, RPMTAG_OLDFILENAMES, &base);
	}
	nm = get_nums(h, RPMTAG_FILEMODES, &modes);
	nf = get_nums(h, RPMTAG_FILEFLAGS, &flags);
	n = nb < nm ? nb : nm;
	if (nf < n)
		n = nf;
	for (uint32_t i = 0; i < n; i++, base = next_str(base)) {
		uint64_t mode = ent_num(&modes, i), fl = ent_num(&flags, i);
		struct pf_rpmfile *f;
		char *p;

		if (dirs) {
			uint64_t d = ent_num(&idx, i);

			if (d >= nd) {
				free(dirs);
				return -1;
			}
			p = pf_asprintf("%s%s", dirs[d], base);
		} else {
			p = pf_strdup(base);
		}
		PF_ALLOC_GROW(m->files, m->nr_files + 1, m->alloc_files);
		f = &m->files[m->nr_files++];
		f->path = p;
		f->type = S_ISDIR(mode) ? 'd' : (fl & RPMFILE_GHOST) ? 'g' : 'f';
		if (!S_ISDIR(mode))
			pf_strlist_add(&info->files, pf_strdup(p));
	}
	free(dirs);
	return 0;
}

static void read_changelog(const struct hdr *h, struct pf_rpmmeta *m)
{
	const char *name = NULL, *text = NULL;
	struct ent times;
	uint32_t n = get_nums(h, RPMTAG_CHANGELOGTIME, &times), nn, nt;

	if (!n)
		return;
	nn = get_strs(h, RPMTAG_CHANGELOGNAME, &name);
	nt = get_strs(h, RPMTAG_CHANGELOGTEXT, &text);
	if (nn < n)
		n = nn;
	if (nt < n)
		n = nt;
	for (uint32_t i = 0; i < n; i++, name = next_str(name), text = next_str(text)) {
		struct pf_rpmlog *l;

		PF_ALLOC_GROW(m->logs, m->nr_logs + 1, m->alloc_logs);
		l = &m->logs[m->nr_logs++];
		l->date = (int64_t)(uint32_t)ent_num(&times, i);
		l->author = pf_strdup(name);
		l->text = pf_strdup(text);
	}
}

/* An OpenPGP length in a subpacket area: 1, 2 or 5 octets (RFC 4880 5.2.3.1). */
static bool subpacket_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
	const unsigned char *q = *p;

	if (q >= end)
		return false;
	if (q[0] < 192) {
		*len = q[0];
		q += 1;
	} else if (q[0] < 255) {
		if (end - q < 2)
			return false;
		*len = ((size_t)(q[0] - 192) << 8) + q[1] + 192;
		q += 2;
	} else {
		if (end - q < 5)
			return false;
		*len = be32(q + 1);
		q += 5;
	}
	*p = q;
	return *len <= (size_t)(end - q);
}

/* The issuer in one subpacket area: the key id (16), or the last eight
 * octets of a v4 fingerprint (33). */
static bool issuer(const unsigned char *p, size_t n, unsigned char keyid[8])
{
	const unsigned char *end = p + n;
	bool found = false;

	while (p < end) {
		size_t len;

		if (!subpacket_len(&p, end, &len) || len == 0)
			return found;
		switch (p[0] & 0x7f) {
		case 16:
			if (len != 9)
				return false;
			memcpy(keyid, p + 1, 8);
			return true;
		case 33:
			if (len == 22 && p[1] == 4) {
				memcpy(keyid, p + 2 + 12, 8);
				found = true;
			}
			break;
		}
		p += len;
	}
	return found;
}

/*
 * The key id of a signature packet (RFC 4880 5.2): at a fixed place in
 * a v3 one, in a subpacket of a v4 one (the hashed ones first).
 */
static bool sig_keyid(const unsigned char *p, size_t n, unsigned char keyid[8])
{
	const unsigned char *end = p + n;
	size_t len, hashed, unhashed;

	if (n < 2 || !(p[0] & 0x80))
		return false;
	if (p[0] & 0x40) {                      /* new format */
		if ((p[0] & 0x3f) != 2)
			return false;
		p++;
		if (p[0] < 192) {
			len = p[0];
			p += 1;
		} else if (p[0] < 224) {
			if (end - p < 2)
				return false;
			len = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
			p += 2;
		} else if (p[0] == 255) {
			if (end - p < 5)
				return false;
			len = be32(p + 1);
			p += 5;
		} else {
			return false;           /* partial lengths: not in a signature */
		}
	} else {                                /* old format */
		int lt = p[0] & 3;

		if (((p[0] >> 2) & 0xf) != 2 || lt == 3)
			return false;
		p++;
		if (end - p < (1 << lt))
			return false;
		len = lt == 0 ? p[0] : lt == 1 ? (size_t)p[0] << 8 | p[1] : be32(p);
		p += 1 << lt;
	}
	if (len > (size_t)(end - p) || len < 1)
		return false;
	end = p + len;
	if (p[0] == 3) {
		if (len < 15 || p[1] != 5)
			return false;
		memcpy(keyid, p + 7, 8);
		return true;
	}
	if (p[0] != 4 || len < 6)
		return false;
	hashed = (size_t)p[4] << 8 | p[5];
	p += 6;
	if (hashed > (size_t)(end - p) || (size_t)(end - p) - hashed < 2)
		return false;
	if (issuer(p, hashed, keyid))
		return true;
	p += hashed;
	unhashed = (size_t)p[0] << 8 | p[1];
	p += 2;
	if (unhashed > (size_t)(end - p))
		return false;
	return issuer(p, unhashed, keyid);
}

/* The key id of an OpenPGP header signature, if there is one. */
static void read_signature(const struct hdr *sig, struct pf_rpmmeta *m)
{
	static const uint32_t tags[] = { RPMSIGTAG_RSA, RPMSIGTAG_DSA };
	const char *sha;

	for (size_t i = 0; i < PF_ARRAY_SIZE(tags) && !m->sigkeyid[0]; i++) {
		unsigned char keyid[8];
		struct ent en;

		if (find(sig, tags[i], &en) && en.type == RPM_BIN_TYPE &&
		    sig_keyid(en.p, en.count, keyid))
			pf_hex(m->sigkeyid, keyid, 8);
	}
	sha = get_cstr(sig, RPMSIGTAG_SHA256);
	if (sha && strlen(sha) == 64)
		memcpy(m->hdrsha256, sha, 65);
}

/* The lead, checked, and the signature header after it; *off moves past
 * that header. */
static int read_lead_sig(const struct src *in, const char *path, uint64_t *off, struct hdr *sig,
			 struct pf_err *e)
{
	unsigned char lead[LEAD_SIZE];
	int r = read_at(in, lead, sizeof(lead), 0);

	memset(sig, 0, sizeof(*sig));
	if (r < 0)
		return pf_err_errno(e, "cannot read %s", path);
	if (r > 0 || memcmp(lead, lead_magic, 4))
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: no rpm lead", path);
	*off = LEAD_SIZE;
	return read_header(in, path, "signature header", off, sig, e);
}

int pf_pkgin_rpm(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e)
{
	struct pf_rpmmeta *m = pf_calloc(1, sizeof(*m));
	struct hdr sig = { 0 }, h = { 0 };
	uint64_t off;
	struct src in = { -1, buf, len };
	int ret = -1;

	info->rpm = m;
	if (!buf) {
		in.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in.fd < 0)
			return pf_err_errno(e, "cannot open %s", path);
	}
	if (read_lead_sig(&in, path, &off, &sig, e) < 0)
		goto out;
	off += (8 - off % 8) % 8;
	m->header_start = off;
	if (read_header(&in, path, "main header", &off, &h, e) < 0)
		goto out;
	m->header_end = off;
	if (!get_cstr(&h, RPMTAG_NAME) || !get_cstr(&h, RPMTAG_VERSION) ||
	    !get_cstr(&h, RPMTAG_RELEASE) || !get_cstr(&h, RPMTAG_ARCH)) {
		pf_err_set(e, PF_EINVAL, "%s: the rpm header has no %s", path,
			   !get_cstr(&h, RPMTAG_NAME) ? "name" :
			   !get_cstr(&h, RPMTAG_VERSION) ? "version" :
			   !get_cstr(&h, RPMTAG_RELEASE) ? "release" : "architecture");
		goto out;
	}
	m->name = get_str(&h, RPMTAG_NAME);
	m->arch = has(&h, RPMTAG_SOURCEPACKAGE) ? pf_strdup("src") : get_str(&h, RPMTAG_ARCH);
	m->epoch = has(&h, RPMTAG_EPOCH)
		? pf_asprintf("%llu", (unsigned long long)get_num(&h, RPMTAG_EPOCH))
		: pf_strdup("0");
	m->version = get_str(&h, RPMTAG_VERSION);
	m->release = get_str(&h, RPMTAG_RELEASE);
	m->summary = get_str(&h, RPMTAG_SUMMARY);
	m->description = get_str(&h, RPMTAG_DESCRIPTION);
	m->packager = get_str(&h, RPMTAG_PACKAGER);
	m->url = get_str(&h, RPMTAG_URL);
	m->license = get_str(&h, RPMTAG_LICENSE);
	m->vendor = get_str(&h, RPMTAG_VENDOR);
	m->group = get_str(&h, RPMTAG_GROUP);
	m->buildhost = get_str(&h, RPMTAG_BUILDHOST);
	m->sourcerpm = get_str(&h, RPMTAG_SOURCERPM);
	m->buildtime = (int64_t)(uint32_t)get_num(&h, RPMTAG_BUILDTIME);
	/* a package of 4 GiB or more has LONGSIZE instead of SIZE */
	m->installed_size = has(&h, RPMTAG_LONGSIZE) ? get_num(&h, RPMTAG_LONGSIZE)
						     : get_num(&h, RPMTAG_SIZE);
	m->archive_size = has(&sig, RPMSIGTAG_LONGARCHIVESIZE)
		? get_num(&sig, RPMSIGTAG_LONGARCHIVESIZE)
		: get_num(&sig, RPMSIGTAG_PAYLOADSIZE);
	read_signature(&sig, m);

	info->name = pf_strdup(m->name);
	info->arch = pf_strdup(m->arch);
	info->version = has(&h, RPMTAG_EPOCH)
		? pf_asprintf("%s:%s-%s", m->epoch, m->version, m->release)
		: pf_asprintf("%s-%s", m->version, m->release);
	read_deps(&h, info, m);
	if (read_files(&h, info, m) < 0) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package: corrupt main header", path);
		goto out;
	}
	read_changelog(&h, m);
	ret = 0;
out:
	hdr_free(&sig);
	hdr_free(&h);
	if (in.fd >= 0)
		close(in.fd);
	return ret;
}

int pf_rpm_sigkey(const char *path, char keyid[17], struct pf_err *e)
{
	struct pf_rpmmeta m;
	struct src in = { -1, NULL, 0 };
	uint64_t off;
	struct hdr sig;
	int r;

	memset(&m, 0, sizeof(m));
	keyid[0] = '\0';
	in.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in.fd < 0)
		return pf_err_errno(e, "cannot open %s", path);
	r = read_lead_sig(&in, path, &off, &sig, e);
	close(in.fd);
	if (r < 0)
		return -1;
	read_signature(&sig, &m);
	memcpy(keyid, m.sigkeyid, 17);
	hdr_free(&sig);
	return 0;
}
