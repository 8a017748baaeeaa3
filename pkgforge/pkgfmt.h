/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PKGFMT_H
#define PF_PKGFMT_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "plan.h"

/*
 * The package writer interface.  convert.c reads the source tarball once
 * and calls, for every entry of a package, in order:
 *
 *   begin(entry)  data(buf, len)...  end(entry with digests)
 *
 * and finish() once with the whole file list, after which the writer has
 * put the package in place atomically (or failed and left nothing).
 * free() releases the writer and removes whatever it had not committed.
 * Adding a format means one pkgfmt-<name>.c and one row in pkgfmt.c.
 */

enum pf_etype { PF_E_DIR, PF_E_REG, PF_E_SYMLINK, PF_E_HARDLINK };

struct pf_entry {
	const char *path;       /* "opt/korg/llvm-18/bin/clang": relative,
				 * no "./", no trailing '/' */
	enum pf_etype type;
	unsigned mode;          /* permissions only, normalised */
	uint64_t size;          /* regular files and hardlinks: content
				 * bytes (a hardlink's are its file's); else 0 */
	int64_t mtime;
	const char *link;       /* symlink target as written; hardlink: the
				 * path (same form as path) of the file it links */
	uint32_t ino;           /* 1-based; hardlinks share their file's */
	uint32_t nlink;         /* links to ino; final only in finish() */
	bool synthetic;         /* a parent directory pkgforge added */
	unsigned char md5[16];  /* regular files and hardlinks, from end() on */
	unsigned char sha256[32];
	uint64_t spool_off;     /* content offset in the raw spool */
};

#define PF_SPOOL_NONE UINT64_MAX

struct pf_filelist {
	struct pf_entry *v;
	size_t nr, alloc;
};

/* What finish() gets besides the per-entry calls it has seen. */
struct pf_pkgsum {
	const struct pf_filelist *files;
	int64_t timestamp;              /* metadata time (SOURCE_DATE_EPOCH or
					 * newest mtime of the source) */
	uint64_t file_bytes;            /* sum of regular file sizes */
	uint64_t installed_kib;         /* dpkg-style Installed-Size */
	int spool_fd;                   /* raw content spool, or -1 */
	/*
	 * The relations to write, rel[kind][format]: the manifest's
	 * (spec->rel) merged with those derived from the package's ELF files
	 * (depgen.h; origin "elf:<path>", rpm Requires in
	 * [PF_REL_DEPENDS][PF_FMT_RPM] and Provides in [PF_REL_PROVIDES]...).
	 * Writers take relations from here, not from spec->rel.
	 */
	const struct pf_rellist (*rel)[PF_FMT_NR];
};

enum pf_comp { PF_COMP_DEFAULT, PF_COMP_XZ, PF_COMP_GZIP, PF_COMP_ZSTD, PF_COMP_NONE };

struct pf_buildopt {
	const char *outdir;
	enum pf_comp comp[PF_FMT_NR];   /* payload compression per format */
	int level[PF_FMT_NR];           /* -1: the algorithm's default */
	int threads;                    /* compressor threads (>= 1) */
	int64_t sde;                    /* SOURCE_DATE_EPOCH, when sde_set */
	bool sde_set;
	const char *ipk_flavor;         /* "openwrt" or "yocto" */
};

struct pf_pkgw;
struct pf_pcache;

struct pf_pkgfmt {
	const char *name;               /* "deb" */
	enum pf_fmt_id id;
	unsigned flags;

	/* Check that spec's name, version, release and relations are
	 * valid for this format; problems go to d at spec's locations. */
	void (*check)(const struct pf_pkgspec *spec, struct pf_diag *d);
	/* The package's file name, e.g. "korg-llvm-18_18.1.8-1_amd64.deb". */
	char *(*filename)(const struct pf_pkgspec *spec);
	/* The architecture name this format uses for spec. */
	const char *(*arch)(const struct pf_pkgspec *spec);
	/* Check the build options that concern this format (flavours,
	 * compression) before any input is read; NULL when there are none.
	 * Called whether or not the format is being built. */
	int (*check_opts)(const struct pf_buildopt *opt, struct pf_err *e);

	int (*open)(struct pf_pkgw **w, const struct pf_pkgspec *spec,
		    const struct pf_buildopt *opt, struct pf_err *e);
	int (*begin)(struct pf_pkgw *w, const struct pf_entry *ent, struct pf_err *e);
	int (*data)(struct pf_pkgw *w, const void *buf, size_t len, struct pf_err *e);
	/* NULL when the writer needs nothing from the finished entry */
	int (*end)(struct pf_pkgw *w, const struct pf_entry *ent, struct pf_err *e);
	int (*finish)(struct pf_pkgw *w, const struct pf_pkgsum *sum, struct pf_err *e);
	void (*free)(struct pf_pkgw *w);

	/*
	 * Payload reuse (pcache.h): payload_key() adds to a cache key the
	 * settings the payload depends on besides the entries (compression,
	 * level, flavour); save() runs after a successful finish() and
	 * stores the compressed payload, and what else finish() needs,
	 * under key; a writer from open_saved() gets no entries, only
	 * finish(), and writes the same bytes as the first one did.
	 */
	void (*payload_key)(const struct pf_buildopt *opt, struct strbuf *out);
	int (*save)(struct pf_pkgw *w, const struct pf_pcache *pc, const char *key,
		    struct pf_err *e);
	int (*open_saved)(struct pf_pkgw **w, const struct pf_pkgspec *spec,
			  const struct pf_buildopt *opt, const struct pf_pcache *pc,
			  const char *key, struct pf_err *e);
};

/* The writer needs the raw content spool in finish(). */
#define PF_FMT_NEEDS_SPOOL 1u

extern const struct pf_pkgfmt *const pf_pkgfmts[PF_FMT_NR];
const struct pf_pkgfmt *pf_pkgfmt_find(const char *name);

/* Parse "xz", "gz"/"gzip", "zst"/"zstd", "none". */
int pf_comp_parse(const char *s, enum pf_comp *out);
const char *pf_comp_name(enum pf_comp c);
/* The file name suffix of a compression: ".xz", ".gz", ".zst", "". */
const char *pf_comp_ext(enum pf_comp c);

/* Debian policy's package names: [a-z0-9][a-z0-9+.-]+ (deb, ipk). */
bool pf_debname_ok(const char *name);
/* Shared by formats whose relations use Debian syntax (deb, ipk). */
int pf_debrel_check(const char *rel, bool allow_ops, struct strbuf *why);
/*
 * Debian version comparison (dpkg's, from pkgfmt-deb.c: libdpkg stays
 * there): <0, 0, >0.  A malformed version sorts before any valid one.
 */
int pf_debver_cmp(const char *a, const char *b);
/* Whether dpkg accepts v as a version (without warnings). */
bool pf_debver_valid(const char *v);

/*
 * RPM's rules, for `pkgforge check` (pkgfmt-rpm.c: librpm stays with the
 * rpm modules).
 */
bool pf_rpmname_ok(const char *name);
bool pf_rpmevr_valid(const char *evr);
/* A relation as the writer accepts it for kind (rich ones included). */
int pf_rpmrel_check(const char *rel, int kind, struct strbuf *why);

/*
 * RPM's version rules, without librpm (rpmver.c).  pf_rpmvercmp compares
 * two version strings as rpmvercmp(3); pf_rpmevr_cmp "[E:]V[-R]" as rpm
 * matches dependencies: epoch, version, then the release only when both
 * sides have one.  <0, 0, >0; an empty string sorts first.
 */
int pf_rpmvercmp(const char *a, const char *b);
int pf_rpmevr_cmp(const char *a, const char *b);
/* Whether rpm 4.18 provides an rpmlib() feature in that version ("<",
 * "<=", "=", ">=", ">"; op NULL: in any version). */
bool pf_rpmlib_has(const char *name, const char *op, const char *evr);
/* The i-th of those features (when i is below the count returned). */
size_t pf_rpmlib_features(const char **name, const char **evr, size_t i);

/*
 * Sign an rpm as rpmsign 4.18 does, without rpmsign: an OpenPGP
 * signature over the main header (the v4 header-only signature) goes
 * into the signature header (RSAHEADER for RSA keys, DSAHEADER for DSA
 * and EdDSA ones), replacing any other, and the room the package
 * reserved for it shrinks by as much: the package keeps its size, its
 * main header and its payload.  sign() makes a binary detached
 * signature of the bytes it is given and says its public key algorithm
 * (OpenPGP's number).  The file is replaced through ofile.
 */
typedef int (*pf_rpm_signer)(void *ctx, const void *hdr, size_t len, struct strbuf *sig,
			     int *pubkey_algo, struct pf_err *e);
int pf_rpm_sign(const char *path, pf_rpm_signer sign, void *ctx, struct pf_err *e);

/* One alternative of a relation in Debian syntax. */
struct pf_debalt {
	char *name;
	char *arch;             /* ":any" qualifier without the ':', or NULL */
	const char *op;         /* NULL, "<<", "<=", "=", ">=", ">>" */
	char *version;          /* NULL when unversioned */
};

/* Split "a (>= 1) | b" into alternatives; -1 when malformed. */
int pf_debrel_parse(const char *rel, struct pf_debalt **alts, size_t *nr);
/*
 * The same for rpm: "name OP evr", or a rich "(a >= 1 or b)" split at
 * its "or"s, operators spelt the Debian way ("<" is "<<").  A rich
 * dependency built of anything but "or" gives no alternative (*nr 0):
 * it cannot be checked this simply.
 */
int pf_rpmrel_parse(const char *rel, struct pf_debalt **alts, size_t *nr);
void pf_debalts_free(struct pf_debalt *alts, size_t nr);
/* Whether version have satisfies "op want" (op NULL: always). */
bool pf_debver_satisfies(const char *have, const char *op, const char *want);

/* Shared control-file helpers (deb, ipk): Description with a synopsis
 * line and the extended text, each line indented, blank lines as " .". */
void pf_control_description(struct strbuf *out, const char *summary,
			    const char *description);
/* The relation fields (Depends, Recommends, Suggests, Conflicts,
 * Replaces, Provides, in dpkg-gencontrol's order) from rel[*][fmt]
 * (pf_pkgsum.rel); the kinds in the mask names_only (1u << PF_REL_...)
 * are written as bare package names, without version constraints. */
void pf_control_relations(struct strbuf *out, const struct pf_rellist (*rel)[PF_FMT_NR],
			  enum pf_fmt_id fmt, unsigned names_only);

#endif
