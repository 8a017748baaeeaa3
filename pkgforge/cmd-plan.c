// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge plan FILE|DIR... [--json]: the packages manifests expand to. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "convert.h"
#include "json.h"
#include "pkgfmt.h"
#include "pkgforge.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge plan [--json] [--only GLOB] [--host HOST] [--version V]\n"
	"                     [--format deb,rpm,ipk] [--maintainer WHO] [-s PATH]...\n"
	"                     MANIFEST|DIR...\n"
	"\n"
	"List the concrete packages that manifests expand to: name, version,\n"
	"each format's architecture and file name, prefix, source URL, sha256.\n"
	"\n"
	"      --json          machine-readable output, relations included\n"
	"  -s, --source PATH   a local tarball, or a directory of them: read\n"
	"                      (after checking its sha256) to show the relations\n"
	"                      derived from its ELF files; without it they are\n"
	"                      derived at build time (repeatable)\n"
	"      --only GLOB     only packages whose name matches (repeatable)\n"
	"      --host HOST     only this host or architecture (repeatable)\n"
	"      --version V     only this upstream version (repeatable)\n"
	"      --format LIST   formats to show (default: deb,rpm,ipk)\n"
	"      --maintainer WHO  'Full Name <address>' as every package's maintainer,\n"
	"                      instead of the manifests'\n"
	"\n"
	"Exit status: 0 ok, 2 invalid manifests or usage.\n";

static void json_upsig(struct pf_json *j, const char *key, const struct pf_upsig *u)
{
	if (!u->url)
		return;
	pf_json_key(j, key);
	pf_json_obj_begin(j);
	pf_json_kstr(j, "url", u->url);
	pf_json_key(j, "signers");
	pf_json_arr_begin(j);
	for (size_t i = 0; i < u->signers.nr; i++)
		pf_json_str(j, u->signers.v[i]);
	pf_json_arr_end(j);
	pf_json_obj_end(j);
}

/* rel: the relations with the derived ones, or NULL (declared only). */
static void json_spec(struct pf_json *j, const struct pf_pkgspec *s, const bool *want,
		      const struct pf_rellist (*rel)[PF_FMT_NR])
{
	char *full = pf_pkgspec_fullversion(s);

	pf_json_obj_begin(j);
	pf_json_kstr(j, "name", s->name);
	pf_json_kstr(j, "version", s->version);
	pf_json_kstr(j, "release", s->release);
	pf_json_kstr(j, "epoch", s->epoch);
	pf_json_kstr(j, "full_version", full);
	pf_json_kstr(j, "host", s->host);
	pf_json_kstr(j, "variant", s->variant ? s->variant->name.s : NULL);
	pf_json_key(j, "metapackage");
	pf_json_bool(j, s->meta);
	pf_json_key(j, "formats");
	pf_json_obj_begin(j);
	for (int f = 0; f < PF_FMT_NR; f++) {
		char *fn;
		if (!want[f])
			continue;
		fn = pf_pkgfmts[f]->filename(s);
		pf_json_key(j, pf_pkgfmts[f]->name);
		pf_json_obj_begin(j);
		pf_json_kstr(j, "arch", pf_pkgfmts[f]->arch(s));
		pf_json_kstr(j, "file", fn);
		pf_json_key(j, "relations");
		pf_json_obj_begin(j);
		for (int k = 0; k < PF_REL_NR; k++) {
			const struct pf_rellist *l = rel ? &rel[k][f] : &s->rel[k][f];
			if (!l->nr)
				continue;
			pf_json_key(j, pf_rel_key[k]);
			pf_json_arr_begin(j);
			for (size_t i = 0; i < l->nr; i++) {
				pf_json_obj_begin(j);
				pf_json_kstr(j, "text", l->v[i].text);
				pf_json_kstr(j, "origin", l->v[i].origin);
				pf_json_obj_end(j);
			}
			pf_json_arr_end(j);
		}
		pf_json_obj_end(j);
		pf_json_obj_end(j);
		free(fn);
	}
	pf_json_obj_end(j);
	/* plan reads no tarball unless given one: say whether the relations
	 * above include those derived from the ELF files */
	pf_json_kstr(j, "derived_relations", rel ? "included" : "at build time");
	pf_json_kstr(j, "profile", s->profile);
	pf_json_kstr(j, "prefix", s->prefix);
	pf_json_kstr(j, "summary", s->summary);
	pf_json_kstr(j, "maintainer", s->maintainer);
	pf_json_key(j, "alternatives");
	pf_json_arr_begin(j);
	for (size_t i = 0; i < s->nr_alts; i++) {
		pf_json_obj_begin(j);
		pf_json_kstr(j, "name", s->alts[i].name);
		pf_json_kstr(j, "link", s->alts[i].link);
		pf_json_kstr(j, "path", s->alts[i].path);
		pf_json_kint(j, "priority", s->alts[i].priority);
		pf_json_obj_end(j);
	}
	pf_json_arr_end(j);
	pf_json_key(j, "source");
	if (s->meta) {
		pf_json_str(j, NULL);
	} else {
		pf_json_obj_begin(j);
		pf_json_kstr(j, "url", s->url);
		pf_json_kstr(j, "file", s->file);
		pf_json_kstr(j, "sha256", s->sha256[0] ? s->sha256 : NULL);
		pf_json_key(j, "mirrors");
		pf_json_arr_begin(j);
		for (size_t i = 0; i < s->mirrors.nr; i++)
			pf_json_str(j, s->mirrors.v[i]);
		pf_json_arr_end(j);
		pf_json_kint(j, "strip", s->strip);
		json_upsig(j, "checksums", &s->sums);
		json_upsig(j, "signature", &s->sig);
		pf_json_obj_end(j);
	}
	pf_json_key(j, "manifest");
	{
		char *loc = s->meta ? pf_asprintf("%s:%d", s->m->path, s->m->meta.loc.line) :
				      pf_asprintf("%s:%d", s->mv->loc.file, s->mv->loc.line);
		pf_json_str(j, loc);
		free(loc);
	}
	pf_json_obj_end(j);
	free(full);
}

static void text_spec(const struct pf_pkgspec *s, const bool *want)
{
	char *full = pf_pkgspec_fullversion(s);
	struct strbuf arches = STRBUF_INIT;

	for (int f = 0; f < PF_FMT_NR; f++)
		if (want[f])
			strbuf_addf(&arches, "%s%s:%s", arches.len ? "," : "",
				    pf_pkgfmts[f]->name, pf_pkgfmts[f]->arch(s));
	if (s->meta)
		printf("%-28s %-16s %-36s %-22s metapackage: %s\n", s->name, full, arches.buf, "-",
		       s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].text);
	else
		printf("%-28s %-16s %-36s %-22s %s sha256:%s\n", s->name, full, arches.buf,
		       s->prefix, s->url, s->sha256[0] ? s->sha256 : "-");
	strbuf_release(&arches);
	free(full);
}

/*
 * Read the local tarballs of the selected packages (one pass each, no
 * package written) to derive their relations; rel[i] is set for the
 * packages whose tarball was found, NULL for the others.
 */
static int derive(struct pf_plan *plan, const struct pf_filter *filt, const bool *want,
		  char **srcpaths, size_t nsrc, struct pf_convert **convs, size_t *nconv,
		  const struct pf_rellist (**rel)[PF_FMT_NR], struct pf_profiles *profiles,
		  struct pf_err *e)
{
	struct pf_buildopt opt;
	const char *tmp = getenv("TMPDIR");
	bool *done = pf_calloc(plan->nr + 1, sizeof(*done));
	int ret = -1;

	memset(&opt, 0, sizeof(opt));
	opt.outdir = tmp && *tmp ? tmp : "/tmp";
	opt.threads = 1;
	for (size_t i = 0; i < plan->nr; i++) {
		struct pf_pkgspec **specs = NULL;
		struct pf_convert *c;
		size_t nr = 0, alloc = 0;
		char *path;
		int fd;

		if (done[i] || !pf_filter_match(filt, &plan->v[i]))
			continue;
		path = pf_find_source(&plan->v[i], srcpaths, nsrc);
		if (!path)
			continue;
		/* every selected package of the same tarball: one pass */
		for (size_t k = i; k < plan->nr; k++) {
			char *other;
			if (done[k] || !pf_filter_match(filt, &plan->v[k]))
				continue;
			other = k == i ? NULL : pf_find_source(&plan->v[k], srcpaths, nsrc);
			if (k == i || (other && !strcmp(other, path) &&
				       !strcmp(plan->v[k].sha256, plan->v[i].sha256))) {
				PF_ALLOC_GROW(specs, nr + 1, alloc);
				specs[nr++] = &plan->v[k];
				done[k] = true;
			}
			free(other);
		}
		if (pf_source_verify(path, &plan->v[i], &fd, e) < 0) {
			free(specs);
			free(path);
			goto out;
		}
		c = pf_calloc(1, sizeof(*c));
		convs[(*nconv)++] = c;
		c->srcpath = path;
		c->fd = fd;
		c->sha256 = plan->v[i].sha256;
		c->specs = specs;
		c->nspecs = nr;
		c->opt = &opt;
		c->profiles = profiles;
		memcpy(c->derive, want, sizeof(c->derive));
		ret = pf_convert_run(c, e);
		close(fd);
		if (ret < 0)
			goto out;
		ret = -1;
		for (size_t k = 0; k < nr; k++)
			rel[specs[k] - plan->v] = (const struct pf_rellist (*)[PF_FMT_NR])c->rel[k];
	}
	ret = 0;
out:
	free(done);
	return ret;
}

static void convs_release(struct pf_convert **convs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pf_convert_release(convs[i]);
		free((char *)convs[i]->srcpath);
		free((void *)convs[i]->specs);
		free(convs[i]);
	}
	free(convs);
}

int cmd_plan(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_JSON, O_MAINTAINER };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		PF_FILTER_LONGOPTS,
		{ "format", required_argument, NULL, O_FORMAT },
		{ "maintainer", required_argument, NULL, O_MAINTAINER },
		{ "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_manifests ms = { NULL, 0, 0 };
	struct pf_plan plan = { NULL, 0, 0 };
	struct pf_diag d = PF_DIAG_INIT;
	struct pf_filter filt;
	struct pf_err e = PF_ERR_INIT;
	bool want[PF_FMT_NR] = { true, true, true };
	char *srcpaths[64];
	size_t nsrc = 0, nconv = 0;
	struct pf_convert **convs = NULL;
	const struct pf_rellist (**rel)[PF_FMT_NR] = NULL;
	struct pf_profiles profiles = { NULL, 0, 0, NULL };
	const char *maintainer = NULL;
	int json = 0, c, ret = 2;

	memset(&filt, 0, sizeof(filt));
	optind = 1;
	while ((c = getopt_long(argc, argv, "hs:", opts, NULL)) != -1) {
		int r = pf_filter_option(&filt, c, optarg, &e);

		if (r < 0)
			goto usage_err;
		if (r)
			continue;
		switch (c) {
		case 's':
			if (nsrc == PF_ARRAY_SIZE(srcpaths)) {
				pf_err_set(&e, PF_EINVAL, "too many --source options");
				goto usage_err;
			}
			srcpaths[nsrc++] = optarg;
			break;
		case O_JSON:
			json = 1;
			break;
		case O_FORMAT:
			if (pf_parse_formats(optarg, want, &e) < 0)
				goto usage_err;
			break;
		case O_MAINTAINER:
			if (pf_cli_maintainer(optarg, &maintainer, &e) < 0)
				goto usage_err;
			break;
		case 'h':
			return pf_cli_help(usage_text);
		default:
			return pf_cli_usage_error(usage_text);
		}
	}
	if (optind >= argc)
		return pf_cli_usage_error(usage_text);
	if (pf_load_and_plan(argc - optind, argv + optind, &ms, &plan, &d) < 0) {
		pf_diag_print(&d, stderr);
		goto out;
	}
	pf_diag_print(&d, stderr);
	if (maintainer)
		pf_plan_set_maintainer(&plan, maintainer);
	rel = pf_calloc(plan.nr + 1, sizeof(*rel));
	convs = pf_calloc(plan.nr + 1, sizeof(*convs));
	if (nsrc && derive(&plan, &filt, want, srcpaths, nsrc, convs, &nconv, rel,
			   &profiles, &e) < 0) {
		pf_err_print(&e, stderr);
		ret = e.code ? e.code : 1;
		goto out;
	}
	if (json) {
		struct strbuf sb = STRBUF_INIT;
		struct pf_json j;

		pf_json_init(&j, &sb);
		pf_json_arr_begin(&j);
		for (size_t i = 0; i < plan.nr; i++)
			if (pf_filter_match(&filt, &plan.v[i]))
				json_spec(&j, &plan.v[i], want, rel[i]);
		pf_json_arr_end(&j);
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	} else {
		for (size_t i = 0; i < plan.nr; i++)
			if (pf_filter_match(&filt, &plan.v[i]))
				text_spec(&plan.v[i], want);
	}
	ret = 0;
	goto out;
usage_err:
	pf_err_print(&e, stderr);
	ret = 2;
out:
	convs_release(convs, nconv);
	free(rel);
	pf_profiles_release(&profiles);
	pf_err_release(&e);
	pf_plan_release(&plan);
	pf_manifests_release(&ms);
	pf_diag_release(&d);
	return ret;
}
