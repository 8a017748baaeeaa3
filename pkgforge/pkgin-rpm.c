// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading an .rpm back with librpm's header API: the lead, the
 * signature header and the main header are read (nothing of the
 * payload) and imported; what `pkgforge check` needs goes to the
 * pf_pkginfo, what rpm-md needs to its pf_rpmmeta.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkgin.h"
#include "rpmlib.h"
#include "util.h"
#include "banned.h"

#define LEAD_SIZE       96
/* rpm's own limits on a header's index entries and data */
#define MAX_TAGS        0xffff
#define MAX_DATA        (256u << 20)

static const unsigned char lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
static const unsigned char header_magic[4] = { 0x8e, 0xad, 0xe8, 0x01 };

static const rpmTagVal dep_tags[PF_RPMDEP_NR] = {
	[PF_RPMDEP_PROVIDES] = RPMTAG_PROVIDENAME,
	[PF_RPMDEP_REQUIRES] = RPMTAG_REQUIRENAME,
	[PF_RPMDEP_CONFLICTS] = RPMTAG_CONFLICTNAME,
	[PF_RPMDEP_OBSOLETES] = RPMTAG_OBSOLETENAME,
	[PF_RPMDEP_SUGGESTS] = RPMTAG_SUGGESTNAME,
	[PF_RPMDEP_ENHANCES] = RPMTAG_ENHANCENAME,
	[PF_RPMDEP_RECOMMENDS] = RPMTAG_RECOMMENDNAME,
	[PF_RPMDEP_SUPPLEMENTS] = RPMTAG_SUPPLEMENTNAME,
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

/* Read the header at *off (magic, intro, index, data); *off moves past it. */
static Header read_header(const struct src *fd, const char *path, const char *which,
			  uint64_t *off, struct pf_err *e)
{
	unsigned char intro[16];
	uint32_t il, dl;
	size_t len;
	char *blob;
	Header h;

	int r;

	if ((r = read_at(fd, intro, sizeof(intro), *off)) != 0) {
		read_fail(r, path, which, e);
		return NULL;
	}
	if (memcmp(intro, header_magic, 4)) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package: no %s", path, which);
		return NULL;
	}
	memcpy(&il, intro + 8, 4);
	memcpy(&dl, intro + 12, 4);
	il = ntohl(il);
	dl = ntohl(dl);
	if (il > MAX_TAGS || dl > MAX_DATA) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package: absurd %s size", path, which);
		return NULL;
	}
	len = 8 + (size_t)il * 16 + dl;
	if (fd->mem && *off + 8 <= fd->len && len <= fd->len - *off - 8) {
		/* imported as a copy: the buffer is not written */
		h = headerImport((void *)(fd->mem + *off + 8), (unsigned)len, HEADERIMPORT_COPY);
	} else {
		blob = pf_malloc(len);
		if ((r = read_at(fd, blob, len, *off + 8)) != 0) {
			read_fail(r, path, which, e);
			free(blob);
			return NULL;
		}
		h = headerImport(blob, (unsigned)len, HEADERIMPORT_COPY);
		free(blob);
	}
	if (!h) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package: corrupt %s", path, which);
		return NULL;
	}
	*off += 8 + len;
	return h;
}

static char *get_str(Header h, rpmTagVal tag)
{
	const char *s = headerGetString(h, tag);

	return s ? pf_strdup(s) : NULL;
}

static const char *flag_name(rpmsenseFlags f)
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

static const char *flag_op(rpmsenseFlags f)
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

static void read_deps(Header h, struct pf_pkginfo *info, struct pf_rpmmeta *m)
{
	/* one string pool for all the kinds (rpmdsNew makes one each) */
	rpmstrPool pool = rpmstrPoolCreate();

	for (int k = 0; k < PF_RPMDEP_NR; k++) {
		rpmds ds = rpmdsNewPool(pool, h, dep_tags[k], 0);
		size_t alloc = 0;

		while (ds && rpmdsNext(ds) >= 0) {
			const char *n = rpmdsN(ds), *evr = rpmdsEVR(ds), *op;
			rpmsenseFlags f = rpmdsFlags(ds);
			struct pf_rpmdep *d;

			PF_ALLOC_GROW(m->deps[k].v, m->deps[k].nr + 1, alloc);
			d = &m->deps[k].v[m->deps[k].nr++];
			memset(d, 0, sizeof(*d));
			d->name = pf_strdup(n);
			d->flags = flag_name(f);
			if (d->flags)
				split_evr(evr, d);
			d->pre = (f & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_POSTTRANS |
				       RPMSENSE_PRETRANS | RPMSENSE_SCRIPT_POST)) != 0;
			if (rel_kind[k] < 0)
				continue;
			op = flag_op(f);
			if (op && evr && *evr)
				pf_strlist_add(&info->rel[rel_kind[k]],
					       pf_asprintf("%s %s %s", n, op, evr));
			else
				pf_strlist_add(&info->rel[rel_kind[k]], pf_strdup(n));
		}
		rpmdsFree(ds);
	}
	rpmstrPoolFree(pool);
}

static void read_files(Header h, struct pf_pkginfo *info, struct pf_rpmmeta *m)
{
	struct rpmtd_s names, modes, flags;
	bool ok;

	ok = headerGet(h, RPMTAG_FILENAMES, &names, HEADERGET_EXT);
	if (!ok)
		return;
	if (!headerGet(h, RPMTAG_FILEMODES, &modes, HEADERGET_MINMEM)) {
		rpmtdFreeData(&names);
		return;
	}
	if (!headerGet(h, RPMTAG_FILEFLAGS, &flags, HEADERGET_MINMEM)) {
		rpmtdFreeData(&names);
		rpmtdFreeData(&modes);
		return;
	}
	while (rpmtdNext(&names) >= 0 && rpmtdNext(&modes) >= 0 && rpmtdNext(&flags) >= 0) {
		const char *p = rpmtdGetString(&names);
		uint64_t mode = rpmtdGetNumber(&modes), fl = rpmtdGetNumber(&flags);
		struct pf_rpmfile *f;

		if (!p)
			continue;
		PF_ALLOC_GROW(m->files, m->nr_files + 1, m->alloc_files);
		f = &m->files[m->nr_files++];
		f->path = pf_strdup(p);
		f->type = S_ISDIR(mode) ? 'd' : (fl & RPMFILE_GHOST) ? 'g' : 'f';
		if (!S_ISDIR(mode))
			pf_strlist_add(&info->files, pf_strdup(p));
	}
	rpmtdFreeData(&names);
	rpmtdFreeData(&modes);
	rpmtdFreeData(&flags);
}

static void read_changelog(Header h, struct pf_rpmmeta *m)
{
	struct rpmtd_s times, names, texts;

	if (!headerGet(h, RPMTAG_CHANGELOGTIME, &times, HEADERGET_MINMEM))
		return;
	if (headerGet(h, RPMTAG_CHANGELOGNAME, &names, HEADERGET_MINMEM)) {
		if (headerGet(h, RPMTAG_CHANGELOGTEXT, &texts, HEADERGET_MINMEM)) {
			while (rpmtdNext(&times) >= 0 && rpmtdNext(&names) >= 0 &&
			       rpmtdNext(&texts) >= 0) {
				struct pf_rpmlog *l;

				PF_ALLOC_GROW(m->logs, m->nr_logs + 1, m->alloc_logs);
				l = &m->logs[m->nr_logs++];
				l->date = (int64_t)rpmtdGetNumber(&times);
				l->author = pf_strdup(rpmtdGetString(&names) ? rpmtdGetString(&names) : "");
				l->text = pf_strdup(rpmtdGetString(&texts) ? rpmtdGetString(&texts) : "");
			}
			rpmtdFreeData(&texts);
		}
		rpmtdFreeData(&names);
	}
	rpmtdFreeData(&times);
}

/* The key id of an OpenPGP header signature, if there is one. */
static void read_signature(Header sig, struct pf_rpmmeta *m)
{
	static const rpmTagVal tags[] = { RPMSIGTAG_RSA, RPMSIGTAG_DSA };
	const char *sha;

	for (size_t i = 0; i < PF_ARRAY_SIZE(tags) && !m->sigkeyid[0]; i++) {
		struct rpmtd_s td;
		pgpDigParams dig = NULL;

		if (!headerGet(sig, tags[i], &td, HEADERGET_MINMEM))
			continue;
		if (td.type == RPM_BIN_TYPE &&
		    pgpPrtParams(td.data, td.count, PGPTAG_SIGNATURE, &dig) == 0 && dig)
			pf_hex(m->sigkeyid, pgpDigParamsSignID(dig), 8);
		pgpDigParamsFree(dig);
		rpmtdFreeData(&td);
	}
	sha = headerGetString(sig, RPMSIGTAG_SHA256);
	if (sha && strlen(sha) == 64)
		memcpy(m->hdrsha256, sha, 65);
}

int pf_pkgin_rpm(const char *path, const void *buf, size_t len, struct pf_pkginfo *info,
		 struct pf_err *e)
{
	unsigned char lead[LEAD_SIZE];
	struct pf_rpmmeta *m = pf_calloc(1, sizeof(*m));
	Header sig = NULL, h = NULL;
	uint64_t off = LEAD_SIZE;
	struct src in = { -1, buf, len };
	int ret = -1, r;

	if (pf_librpm_load(e) < 0) {
		free(m);
		return -1;
	}
	info->rpm = m;
	if (!buf) {
		in.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in.fd < 0)
			return pf_err_errno(e, "cannot open %s", path);
	}
	r = read_at(&in, lead, sizeof(lead), 0);
	if (r < 0) {
		pf_err_errno(e, "cannot read %s", path);
		goto out;
	}
	if (r > 0 || memcmp(lead, lead_magic, 4)) {
		pf_err_set(e, PF_EINVAL, "%s: not an rpm package: no rpm lead", path);
		goto out;
	}
	sig = read_header(&in, path, "signature header", &off, e);
	if (!sig)
		goto out;
	off += (8 - off % 8) % 8;
	m->header_start = off;
	h = read_header(&in, path, "main header", &off, e);
	if (!h)
		goto out;
	m->header_end = off;
	if (!headerIsEntry(h, RPMTAG_NAME) || !headerIsEntry(h, RPMTAG_VERSION) ||
	    !headerIsEntry(h, RPMTAG_RELEASE) || !headerIsEntry(h, RPMTAG_ARCH)) {
		pf_err_set(e, PF_EINVAL, "%s: the rpm header has no %s", path,
			   !headerIsEntry(h, RPMTAG_NAME) ? "name" :
			   !headerIsEntry(h, RPMTAG_VERSION) ? "version" :
			   !headerIsEntry(h, RPMTAG_RELEASE) ? "release" : "architecture");
		goto out;
	}
	m->name = get_str(h, RPMTAG_NAME);
	m->arch = headerIsEntry(h, RPMTAG_SOURCEPACKAGE) ? pf_strdup("src")
							 : get_str(h, RPMTAG_ARCH);
	m->epoch = headerIsEntry(h, RPMTAG_EPOCH)
		? pf_asprintf("%llu", (unsigned long long)headerGetNumber(h, RPMTAG_EPOCH))
		: pf_strdup("0");
	m->version = get_str(h, RPMTAG_VERSION);
	m->release = get_str(h, RPMTAG_RELEASE);
	m->summary = get_str(h, RPMTAG_SUMMARY);
	m->description = get_str(h, RPMTAG_DESCRIPTION);
	m->packager = get_str(h, RPMTAG_PACKAGER);
	m->url = get_str(h, RPMTAG_URL);
	m->license = get_str(h, RPMTAG_LICENSE);
	m->vendor = get_str(h, RPMTAG_VENDOR);
	m->group = get_str(h, RPMTAG_GROUP);
	m->buildhost = get_str(h, RPMTAG_BUILDHOST);
	m->sourcerpm = get_str(h, RPMTAG_SOURCERPM);
	m->buildtime = (int64_t)headerGetNumber(h, RPMTAG_BUILDTIME);
	m->installed_size = headerGetNumber(h, RPMTAG_LONGSIZE);
	m->archive_size = headerIsEntry(sig, RPMSIGTAG_LONGARCHIVESIZE)
		? headerGetNumber(sig, RPMSIGTAG_LONGARCHIVESIZE)
		: headerGetNumber(sig, RPMSIGTAG_PAYLOADSIZE);
	read_signature(sig, m);

	info->name = pf_strdup(m->name);
	info->arch = pf_strdup(m->arch);
	info->version = headerIsEntry(h, RPMTAG_EPOCH)
		? pf_asprintf("%s:%s-%s", m->epoch, m->version, m->release)
		: pf_asprintf("%s-%s", m->version, m->release);
	read_deps(h, info, m);
	read_files(h, info, m);
	read_changelog(h, m);
	ret = 0;
out:
	if (sig)
		headerFree(sig);
	if (h)
		headerFree(h);
	if (in.fd >= 0)
		close(in.fd);
	return ret;
}

int pf_rpm_sigkey(const char *path, char keyid[17], struct pf_err *e)
{
	struct pf_rpmmeta m;
	struct src in = { -1, NULL, 0 };
	unsigned char lead[LEAD_SIZE];
	uint64_t off = LEAD_SIZE;
	Header sig;
	int r;

	memset(&m, 0, sizeof(m));
	keyid[0] = '\0';
	if (pf_librpm_load(e) < 0)
		return -1;
	in.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in.fd < 0)
		return pf_err_errno(e, "cannot open %s", path);
	r = read_at(&in, lead, sizeof(lead), 0);
	if (r || memcmp(lead, lead_magic, 4)) {
		close(in.fd);
		if (r < 0)
			return pf_err_errno(e, "cannot read %s", path);
		return pf_err_set(e, PF_EINVAL, "%s: not an rpm package: no rpm lead", path);
	}
	sig = read_header(&in, path, "signature header", &off, e);
	close(in.fd);
	if (!sig)
		return -1;
	read_signature(sig, &m);
	memcpy(keyid, m.sigkeyid, 17);
	headerFree(sig);
	return 0;
}
