/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_MANIFEST_H
#define PF_MANIFEST_H

#include <stdbool.h>
#include "err.h"
#include "yaml.h"

/*
 * A manifest: one YAML file per toolchain, parsed strictly.  Every value
 * keeps the position it was read from so that later checks (a template
 * variable, a checksum, a package name) can still point at its line.
 * Values are kept as written (templates unexpanded); plan.c expands them.
 * The keys are documented in manifests/README.md.
 */

/* A string read from the manifest; s is NULL when the key was absent. */
struct pf_mstr {
	const char *s;          /* owned by the YAML tree */
	struct pf_loc loc;
};

struct pf_mlist {
	struct pf_mstr *v;
	size_t nr, alloc;
};

struct pf_mvar {
	struct pf_mstr name;
	struct pf_mstr value;
};

struct pf_mvars {
	struct pf_mvar *v;
	size_t nr, alloc;
};

/* The package formats pkgforge knows; order is the output order. */
enum pf_fmt_id { PF_FMT_DEB, PF_FMT_RPM, PF_FMT_IPK, PF_FMT_NR };

/* Relation kinds, as Debian names them; rpm and opkg use the same set. */
enum pf_rel_kind {
	PF_REL_DEPENDS,
	PF_REL_RECOMMENDS,
	PF_REL_SUGGESTS,
	PF_REL_PROVIDES,
	PF_REL_CONFLICTS,
	PF_REL_REPLACES,
	PF_REL_NR
};

extern const char *const pf_rel_key[PF_REL_NR];       /* "depends", ... */
extern const char *const pf_fmt_key[PF_FMT_NR];       /* "deb", ... */

/*
 * One relation kind: "all" holds entries in pkgforge's format-neutral
 * syntax ("name", "name >= 1.2", "a | b"), rendered for every format;
 * fmt[] holds entries written in one format's native syntax.
 */
struct pf_mrel {
	struct pf_mlist all;
	struct pf_mlist fmt[PF_FMT_NR];
};

struct pf_msha {
	struct pf_mstr key;     /* a host, or a source file's name */
	struct pf_mstr hex;
};

/* The variants a version has on one host (versions[].variants as a mapping). */
struct pf_mhostvar {
	struct pf_mstr host;
	struct pf_mlist variants;
};

struct pf_mversion {
	struct pf_loc loc;
	struct pf_mstr version;
	struct pf_mstr release;         /* overrides the manifest's */
	struct pf_mstr epoch;
	struct pf_mstr url;             /* overrides source.url */
	struct pf_mlist hosts;          /* overrides the manifest's, if nr */
	struct pf_mlist variants;       /* the variants this version has, if nr */
	struct pf_mhostvar *host_variants;      /* or per host, if nr_host_variants */
	size_t nr_host_variants, alloc_host_variants;
	struct pf_mvars vars;
	struct pf_msha *sha;
	size_t sha_nr, sha_alloc;
};

/* One variant of a toolchain (a crosstool target): its name is the
 * ${variant} variable, its other keys are variables too. */
struct pf_mvariant {
	struct pf_loc loc;
	struct pf_mstr name;
	struct pf_mvars vars;
};

/* An update-alternatives / alternatives link the package registers. */
struct pf_malt {
	struct pf_loc loc;
	struct pf_mstr name;            /* the alternative's name */
	struct pf_mstr link;            /* the generic path, e.g. /usr/bin/clang */
	struct pf_mstr path;            /* the file in the prefix */
	struct pf_mstr priority;
};

/*
 * An upstream OpenPGP signature the manifest asks for: source.checksums
 * (a clearsigned list of "<sha256>  <file>" lines) or source.signature
 * (a detached signature over the uncompressed tar).  set is false when
 * the key is absent.
 */
struct pf_msigned {
	bool set;
	struct pf_loc loc;              /* the mapping */
	struct pf_mstr url;             /* URL template */
	struct pf_mlist signers;        /* fingerprints, literal */
};

struct pf_manifest {
	struct pf_ydoc doc;
	const char *path;               /* = doc.file */

	struct pf_mstr package;         /* name template */
	struct pf_mstr summary;
	struct pf_mstr description;
	struct pf_mstr homepage;
	struct pf_mstr license;
	struct pf_mstr maintainer;
	struct pf_mstr section;         /* deb; default "devel" */
	struct pf_mstr priority;        /* deb; default "optional" */
	struct pf_mstr group;           /* rpm; default "Development/Tools" */
	struct pf_mstr prefix;
	struct pf_mstr release;         /* default "1" */
	struct pf_mstr epoch;
	struct pf_mlist hosts;
	struct pf_mvars vars;

	struct {
		struct pf_mstr url;
		struct pf_mlist mirrors;
		struct pf_msigned checksums;
		struct pf_msigned signature;
	} source;

	struct {
		struct pf_loc loc;
		int strip;
		struct pf_mlist include;        /* default: everything */
		struct pf_mlist exclude;
		struct pf_mlist external_links; /* allow-external-links */
		struct pf_mlist foreign_elf;    /* ELF files for other machines */
	} files;

	struct pf_mrel rel[PF_REL_NR];

	struct pf_mvariant *variants;
	size_t nr_variants, alloc_variants;

	struct pf_malt *alts;
	size_t nr_alts, alloc_alts;

	/* a metapackage that depends on the newest package (per variant
	 * and host) */
	struct {
		struct pf_loc loc;
		bool present;
		struct pf_mstr package;
		struct pf_mstr summary;
		struct pf_mstr description;
	} meta;

	/* automatic dependencies (depgen.h) */
	struct pf_mstr profile;         /* distribution profile for deb/ipk */
	struct {
		struct pf_loc loc;
		struct pf_mvars map;    /* soname → Debian relation */
		struct pf_mlist ignore; /* soname globs */
	} sonames;

	struct pf_mversion *versions;
	size_t nr_versions, alloc_versions;
};

/*
 * Read and check the structure of a manifest: keys, types, required
 * keys, duplicate versions, sha256 syntax.  Every problem is added to
 * d; returns -1 if there was any error.  Checks that need the expanded
 * values (names, versions, templates) are plan.c's.
 */
int pf_manifest_load(struct pf_manifest *m, const char *path, struct pf_diag *d);
/* The same, from memory (tests). */
int pf_manifest_load_buf(struct pf_manifest *m, const char *name,
			 const char *buf, size_t len, struct pf_diag *d);
void pf_manifest_release(struct pf_manifest *m);

#endif
