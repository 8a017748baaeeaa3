/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_REPOFMT_H
#define PF_REPOFMT_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "ofile.h"
#include "pkgfmt.h"
#include "pkgin.h"
#include "repo.h"
#include "sign.h"
#include "strmap.h"
#include "usign.h"
#include "zpiece.h"

/*
 * The index interface: one file per index format (repofmt-apt.c,
 * repofmt-rpmmd.c, repofmt-opkg.c), one row in repofmt.c.  repo.c finds
 * the packages, reads the new ones (prepare() turns what was read into
 * the fields the index writes, kept in the cache so that a package is
 * read once), checks the whole set, and has write() lay out the index.
 * Files go through pf_publish: data first, the files that name other
 * files last, renamed together at the very end.
 */

/* One package of the repository, as the index knows it (cached). */
struct pf_repopkg {
	char *relpath;                  /* below the repository */
	enum pf_fmt_id fmt;
	/* the cache key: a file with other values is read again */
	uint64_t size, ino;
	int64_t mtime_ns;
	char sha256[65], md5[33];
	int64_t buildtime;
	/* name, version, arch, relations and files for check; the control
	 * text and rpm metadata only right after reading */
	struct pf_pkginfo info;
	/* the format's fields (prepare()): apt/opkg the Packages stanza;
	 * rpm-md the primary, filelists and other fragments */
	char *field[3];
	size_t field_len[3];
	unsigned char field_sha[3][32]; /* SHA-256 of each field there is */
	char *ident;                    /* what makes two files the same
					 * package: the sha256, or for rpm
					 * the main header's (signatures aside) */
	char sigkey[17];                /* rpm: key id of its signature */
	bool published;                 /* in the feed the last run published */
	bool borrowed;                  /* strings in the cache's buffer */
	bool saved, saved_pub;          /* its record in the cache, and the
					 * published flag that record has */
	bool in_feed;                   /* this run: kept by --keep */
	bool seen;                      /* this run: the file exists */
	/* loaded from the cache: the relations (rel[], then files) as it
	 * holds them, NUL-separated, until pf_repopkg_lists() makes info's
	 * lists of them (only the check wants them) */
	bool lists_raw;
	const char *list_raw[PF_REL_NR + 1];
	size_t list_len[PF_REL_NR + 1];
	char **lists_block;             /* the arrays of info's lists, made
					 * from those (borrowed strings) */
};

void pf_repopkg_release(struct pf_repopkg *p);
/* info's relations and files, from the cache's text if not yet made. */
void pf_repopkg_lists(struct pf_repopkg *p);

/* The settings a run goes by (options merged with remembered ones). */
struct pf_repo_cfg {
	char *suite, *codename, *component, *origin, *label, *description, *url;
	char *sign_key, *gnupghome, *usign_key, *profile, *keyring;
	char *keyfile;                  /* "<origin>-archive-keyring": the
					 * public key files' name (keys/,
					 * /usr/share/keyrings/) */
	enum pf_comp rpmmd_comp;
	int keep, byhash_keep;
};

/* Files of one publication. */
struct pf_publish {
	const char *root;               /* the repository directory */
	struct pf_ofile *leaf;          /* written; commit syncs them and
					 * puts them in place first */
	size_t nr_leaf, alloc_leaf;
	struct pf_ofile *top;           /* written; commit syncs them and
					 * puts them in place after */
	char **top_rel;
	size_t nr_top, alloc_top, alloc_rel;
	struct pf_strlist generated;    /* content-addressed files this
					 * generation refers to (relpaths) */
	struct pf_strlist remove;       /* stale files, removed after commit */
};

/* Write relpath now, to be put in place at commit before any top file
 * (a file nothing published names yet). */
int pf_publish_leaf(struct pf_publish *pub, const char *relpath, const void *buf,
		    size_t len, struct pf_err *e);
/* The same, recorded as a file of this generation (by-hash, repodata). */
int pf_publish_generated(struct pf_publish *pub, const char *relpath, const void *buf,
			 size_t len, struct pf_err *e);
/* Write relpath's content now, put it in place at commit (in call order,
 * after every leaf). */
int pf_publish_top(struct pf_publish *pub, const char *relpath, const void *buf,
		   size_t len, struct pf_err *e);
/* The same for a top file with the bytes of a leaf published in this
 * generation (apt's by-hash copy): a hard link to it, nothing written
 * twice; written when no link can be made. */
int pf_publish_top_as(struct pf_publish *pub, const char *relpath, const char *leaf,
		      const void *buf, size_t len, struct pf_err *e);
/* pf_publish_generated and pf_publish_top_as for a text, written from
 * its records' own bytes (apt's Packages: no copy of the whole). */
struct pf_ztext;
int pf_publish_generated_text(struct pf_publish *pub, const char *relpath,
			      const struct pf_ztext *t, struct pf_err *e);
int pf_publish_top_as_text(struct pf_publish *pub, const char *relpath, const char *leaf,
			   const struct pf_ztext *t, struct pf_err *e);

/* What write() has to work with. */
struct pf_repoctx {
	const char *root;               /* the repository directory */
	const struct pf_repo_cfg *cfg;
	int64_t date;                   /* SOURCE_DATE_EPOCH, else now */
	int threads;
	struct pf_pgp *pgp;             /* NULL: unsigned */
	const char *fpr;
	const struct pf_usign_key *usign;       /* NULL: none */
	const struct pf_log *log;
	struct pf_zcache *zcache;       /* compressed pieces (zpiece.h) */
};

/* Sign text as the feed's key wants it (NULL pgp: out is left empty). */
int pf_repo_pgp_sign(const struct pf_repoctx *c, enum pf_pgp_sigmode mode, const void *buf,
		     size_t len, struct strbuf *out, struct pf_err *e);

struct pf_repofmt {
	const char *name;               /* "apt" */
	enum pf_fmt_id fmt;             /* the packages it indexes */
	const char *dir;                /* where they are: "pool", "rpm", "ipk" */

	/* Load the libraries reading its packages and writing its index
	 * need (dynlib.h): done ahead, on a thread of its own, when the
	 * repository has its directory. */
	int (*libs)(struct pf_err *e);

	/* The path (below the repository) where a package goes. */
	char *(*place)(const struct pf_repo_cfg *cfg, const struct pf_pkginfo *info,
		       const char *base);
	/* The index's fields for a package just read (p: relpath, digests,
	 * size are set); a package the format cannot index is an error. */
	int (*prepare)(const struct pf_repo_cfg *cfg, struct pf_repopkg *p, struct pf_err *e);
	/*
	 * Write the index of pkgs (those of this format the feed keeps,
	 * sorted by name, version, architecture, path).  Called also with
	 * none, when the format's feed existed: an empty index is written.
	 */
	int (*write)(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		     struct pf_publish *pub, struct pf_err *e);
	/* Remove generated files no kept generation names (keep: relpaths). */
	void (*prune)(const struct pf_repoctx *c, const struct pf_strmap *keep);
	/* Whether the feed has been published before (so must be rewritten
	 * even when it has no package left). */
	bool (*exists)(const struct pf_repoctx *c);
	/* The client configuration, from templates/setup/: its file name
	 * in setup/ and text; NULL name when the feed is empty. */
	int (*snippet)(const struct pf_repoctx *c, struct pf_repopkg *const *pkgs, size_t n,
		       char **name, struct strbuf *out, struct pf_err *e);
};

extern const struct pf_repofmt *const pf_repofmts[PF_FMT_NR];

/* ------------------------------------------- the cache (repocache.c) */

struct pf_repocache;

/* Append the cached packages to *pkgs (their strings borrowed from
 * *rc, which must outlive them); 0, or 1 when the cache was unreadable
 * and dropped (nothing appended).  *rc is always set. */
int pf_repocache_load(const char *path, struct pf_repocache **rc, struct pf_repopkg ***pkgs,
		      size_t *n, size_t *alloc);
/* Save what changed since the load (appended, or the file anew). */
int pf_repocache_save(struct pf_repocache *rc, const char *path, struct pf_repopkg *const *pkgs,
		      size_t n, struct pf_err *e);
/* A package (about to be) dropped from the repository's list. */
void pf_repocache_gone(struct pf_repocache *rc, const struct pf_repopkg *p);
/* Whether its end was cut short (it must be written anew). */
bool pf_repocache_torn(const struct pf_repocache *rc);
/* The loaded packages by path (their index in *pkgs), as the load
 * found them: moved to *out and true when the load appended to an
 * empty list and left no gaps, else false (*out untouched).  Once. */
bool pf_repocache_take_paths(struct pf_repocache *rc, struct pf_strmap *out);
void pf_repocache_free(struct pf_repocache *rc);

/* ------------------------------------------------ helpers they share */

/* A control file (deb, ipk) checked for a Packages stanza: "Field:
 * value" lines and continuations only, no blank line, no field the
 * index writes itself (Filename, Size, checksums); the text without
 * those fields and trailing newlines goes to out. */
int pf_repo_stanza(const char *control, const char *path, struct strbuf *out,
		   struct pf_err *e);
/* "Sat, 01 Jun 2024 00:00:00 UTC" */
void pf_repo_rfc2822(int64_t t, struct strbuf *out);
/* Fill a template of templates/ with vars (name, value, ..., NULL). */
int pf_repo_template(const char *name, struct strbuf *out, struct pf_err *e, ...)
	__attribute__((sentinel));
/* Remove the files of directory rel (below root) that keep does not
 * name, but those called one of except (NULL-terminated, may be NULL). */
void pf_repo_prune_dir(const char *root, const char *rel, const struct pf_strmap *keep,
		       const char *const *except);
/* An index's text: a head (it names the count), the records (not
 * copied), each followed by sep, and a tail; compressed piece by piece
 * (zpiece.h). */
struct pf_itext {
	struct pf_ztext t;
	char *head;
	struct pf_zrec *rec;
	size_t nr, alloc;
};

void pf_itext_init(struct pf_itext *t, const char *sep, const char *tail);
/* The head (taken: freed with t). */
void pf_itext_head(struct pf_itext *t, char *head);
/* A record (len bytes), and its SHA-256 (NULL: worked out when needed). */
void pf_itext_add(struct pf_itext *t, const char *rec, size_t len, const unsigned char *sha);
void pf_itext_release(struct pf_itext *t);
/* Compress it with the repository's cache of pieces into out; open_sha
 * (NULL: not wanted) gets the SHA-256 of the whole text. */
int pf_itext_compress(const struct pf_repoctx *c, struct pf_itext *t, enum pf_comp comp,
		      int level, unsigned char *open_sha, struct strbuf *out, struct pf_err *e);
/* The whole text into out (replacing what it had). */
void pf_itext_flatten(struct pf_itext *t, struct strbuf *out);
/* The text as zpiece.h takes it (valid until the next add). */
const struct pf_ztext *pf_itext_text(struct pf_itext *t);

/* A directory below the repository, created when missing. */
int pf_repo_mkdir(const struct pf_repoctx *c, const char *rel, struct pf_err *e);

#endif
