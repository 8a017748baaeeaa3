// SPDX-License-Identifier: GPL-2.0-or-later
/* A repository's settings: options merged with .pkgforge/settings. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ofile.h"
#include "pkgfmt.h"
#include "repo-priv.h"
#include "util.h"
#include "banned.h"

static const char *const setting_keys[] = {
	"suite", "codename", "component", "origin", "label", "description", "url",
	"sign-key", "gnupghome", "usign-key", "profile", "rpmmd-compression",
	"keyring-package", "keep", "by-hash-keep",
};

static char **cfg_slot(struct pf_repo_cfg *c, const char *key, int **num)
{
	*num = NULL;
	if (!strcmp(key, "suite"))
		return &c->suite;
	if (!strcmp(key, "codename"))
		return &c->codename;
	if (!strcmp(key, "component"))
		return &c->component;
	if (!strcmp(key, "origin"))
		return &c->origin;
	if (!strcmp(key, "label"))
		return &c->label;
	if (!strcmp(key, "description"))
		return &c->description;
	if (!strcmp(key, "url"))
		return &c->url;
	if (!strcmp(key, "sign-key"))
		return &c->sign_key;
	if (!strcmp(key, "gnupghome"))
		return &c->gnupghome;
	if (!strcmp(key, "usign-key"))
		return &c->usign_key;
	if (!strcmp(key, "profile"))
		return &c->profile;
	if (!strcmp(key, "keyring-package"))
		return &c->keyring;
	if (!strcmp(key, "keep"))
		*num = &c->keep;
	else if (!strcmp(key, "by-hash-keep"))
		*num = &c->byhash_keep;
	return NULL;
}

void pf_repo_cfg_release(struct pf_repo_cfg *c)
{
	free(c->suite);
	free(c->codename);
	free(c->component);
	free(c->origin);
	free(c->label);
	free(c->description);
	free(c->url);
	free(c->sign_key);
	free(c->gnupghome);
	free(c->usign_key);
	free(c->profile);
	free(c->keyring);
	free(c->keyfile);
	memset(c, 0, sizeof(*c));
}

static bool name_ok(const char *s)
{
	if (!*s || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-", *p)))
			return false;
	return true;
}

/* One setting, from the settings file (where: its path) or an option
 * (where: NULL). */
static int set_one(struct pf_repo_cfg *c, struct strbuf *rpmmd, const char *key,
		   const char *val, const char *where, struct pf_err *e)
{
	int *num, ret = -1;
	char **slot = cfg_slot(c, key, &num);
	char *what = where ? pf_asprintf("%s: %s", where, key) : pf_asprintf("--%s", key);

	if (strchr(val, '\n') || !pf_utf8_clean(val, strlen(val))) {
		pf_err_set(e, PF_EINVAL, "%s must be one line of text", what);
		goto out;
	}
	if (!strcmp(key, "rpmmd-compression")) {
		if (strcmp(val, "zst") && strcmp(val, "gz") && strcmp(val, "xz")) {
			pf_err_set(e, PF_EINVAL, "%s: unknown compression '%s' (zst, gz, xz)", what, val);
			goto out;
		}
		strbuf_reset(rpmmd);
		strbuf_addstr(rpmmd, val);
		ret = 0;
		goto out;
	}
	if (num) {
		char *end;
		long v = strtol(val, &end, 10);
		int lo = num == &c->byhash_keep ? 1 : 0;

		if (!*val || *end || v < lo || v > 1000) {
			pf_err_set(e, PF_EINVAL, "%s must be a number from %d to 1000, not '%s'", what,
				   lo, val);
			goto out;
		}
		*num = (int)v;
		ret = 0;
		goto out;
	}
	if (!slot) {
		pf_err_set(e, PF_EINVAL, "%s: unknown setting", what);
		goto out;
	}
	if ((!strcmp(key, "suite") || !strcmp(key, "codename") || !strcmp(key, "component") ||
	     !strcmp(key, "origin") || !strcmp(key, "profile")) && !name_ok(val)) {
		pf_err_set(e, PF_EINVAL, "%s '%s' must be letters, digits, '.', '_', '+' and '-'",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "origin") && !pf_debname_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' must be a valid package name (lower case letters, digits, '+', '-', '.'): it names the keyring package",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "keyring-package") && strcmp(val, "none") && !pf_debname_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' is not a valid package name (lower case letters, digits, '+', '-', '.'), nor 'none'",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "sign-key") && !pf_pgp_fpr_ok(val)) {
		pf_err_set(e, PF_EINVAL,
			   "%s '%s' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)",
			   what, val);
		goto out;
	}
	if (!strcmp(key, "url") && (strchr(val, ' ') || !strstr(val, "://"))) {
		pf_err_set(e, PF_EINVAL, "%s '%s' must be a URL without spaces", what, val);
		goto out;
	}
	free(*slot);
	*slot = pf_strdup(val);
	if (!strcmp(key, "sign-key"))
		for (char *p = *slot; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
	if (!strcmp(key, "url"))
		while (strlen(*slot) > 1 && (*slot)[strlen(*slot) - 1] == '/')
			(*slot)[strlen(*slot) - 1] = '\0';
	ret = 0;
out:
	free(what);
	return ret;
}

static int load_settings(struct pf_repo *r, struct pf_repo_cfg *saved, struct strbuf *rpmmd,
			 struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/settings", r->root);
	struct strbuf sb = STRBUF_INIT;
	struct pf_err err = PF_ERR_INIT;
	char *line, *save = NULL;
	int ret = 0;

	if (pf_read_file(path, MAX_SETTINGS, &sb, &err) < 0) {
		if (err.errnum != ENOENT) {
			pf_err_set(e, PF_EFAIL, "%s", err.msg.buf);
			ret = -1;
		}
		goto out;
	}
	for (line = strtok_r(sb.buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (line[0] == '#')
			continue;
		if (!sp) {
			ret = pf_err_set(e, PF_EINVAL, "%s: malformed line '%s'", path, line);
			break;
		}
		*sp = '\0';
		ret = set_one(saved, rpmmd, line, sp + 1, path, e);
	}
out:
	free(path);
	strbuf_release(&sb);
	pf_err_release(&err);
	return ret;
}

static int save_settings(struct pf_repo *r, const struct pf_repo_cfg *saved,
			 const char *rpmmd, struct pf_err *e)
{
	char *path = pf_asprintf("%s/" STATE "/settings", r->root);
	struct strbuf sb = STRBUF_INIT, old = STRBUF_INIT;
	struct pf_err ignore = PF_ERR_INIT;
	int ret = 0;

	strbuf_addstr(&sb, "# pkgforge index settings of this repository: what an option gave\n"
		      "# once; give the option again to change it\n");
	for (size_t i = 0; i < PF_ARRAY_SIZE(setting_keys); i++) {
		int *num;
		char **slot = cfg_slot((struct pf_repo_cfg *)saved, setting_keys[i], &num);

		if (!strcmp(setting_keys[i], "rpmmd-compression")) {
			if (*rpmmd)
				strbuf_addf(&sb, "%s %s\n", setting_keys[i], rpmmd);
		} else if (num && *num >= 0) {
			strbuf_addf(&sb, "%s %d\n", setting_keys[i], *num);
		} else if (slot && *slot) {
			strbuf_addf(&sb, "%s %s\n", setting_keys[i], *slot);
		}
	}
	if (pf_read_file(path, MAX_SETTINGS, &old, &ignore) < 0 || strcmp(old.buf, sb.buf))
		ret = pf_ofile_put(path, sb.buf, sb.len, e);
	free(path);
	strbuf_release(&sb);
	strbuf_release(&old);
	pf_err_release(&ignore);
	return ret;
}

char *pf_repo_absolute(const char *p)
{
	char buf[PATH_MAX];

	if (p[0] == '/')
		return pf_strdup(p);
	if (!getcwd(buf, sizeof(buf)))
		return pf_strdup(p);
	return pf_asprintf("%s/%s", buf, p);
}

int pf_repo_settings(struct pf_repo *r, bool save, struct pf_err *e)
{
	const struct pf_repo_opts *o = &r->opts;
	struct pf_repo_cfg saved;
	struct strbuf rpmmd = STRBUF_INIT;
	const char *given[PF_ARRAY_SIZE(setting_keys)];
	char nbuf[2][16];
	char *abs_usign = o->usign_key ? pf_repo_absolute(o->usign_key) : NULL;
	char *abs_home = o->gnupghome ? pf_repo_absolute(o->gnupghome) : NULL;
	int ret = -1;

	memset(&saved, 0, sizeof(saved));
	saved.keep = saved.byhash_keep = -1;
	if (load_settings(r, &saved, &rpmmd, e) < 0)
		goto out;
	snprintf(nbuf[0], sizeof(nbuf[0]), "%d", o->keep);
	snprintf(nbuf[1], sizeof(nbuf[1]), "%d", o->byhash_keep);
	given[0] = o->suite;
	given[1] = o->codename;
	given[2] = o->component;
	given[3] = o->origin;
	given[4] = o->label;
	given[5] = o->description;
	given[6] = o->url;
	given[7] = o->sign_key;
	given[8] = abs_home;
	given[9] = abs_usign;
	given[10] = o->profile;
	given[11] = o->rpmmd_comp;
	given[12] = o->keyring;
	given[13] = o->keep >= 0 ? nbuf[0] : NULL;
	given[14] = o->byhash_keep >= 0 ? nbuf[1] : NULL;
	for (size_t i = 0; i < PF_ARRAY_SIZE(setting_keys); i++)
		if (given[i] && set_one(&saved, &rpmmd, setting_keys[i], given[i], NULL, e) < 0)
			goto out;
	if (save && save_settings(r, &saved, rpmmd.buf, e) < 0)
		goto out;

	/* the run's configuration: defaults, then the settings */
	r->cfg.suite = pf_strdup(saved.suite ? saved.suite : "stable");
	r->cfg.codename = pf_strdup(saved.codename ? saved.codename : r->cfg.suite);
	r->cfg.component = pf_strdup(saved.component ? saved.component : "main");
	r->cfg.origin = pf_strdup(saved.origin ? saved.origin : "korg");
	r->cfg.label = pf_strdup(saved.label ? saved.label : r->cfg.origin);
	r->cfg.description = pf_strdup(saved.description ? saved.description : "");
	r->cfg.url = saved.url ? pf_strdup(saved.url) : pf_asprintf("file://%s", r->root);
	r->cfg.sign_key = saved.sign_key ? pf_strdup(saved.sign_key) : NULL;
	r->cfg.gnupghome = saved.gnupghome ? pf_strdup(saved.gnupghome) : NULL;
	r->cfg.usign_key = saved.usign_key ? pf_strdup(saved.usign_key) : NULL;
	r->cfg.profile = pf_strdup(saved.profile ? saved.profile : PF_DEFAULT_PROFILE);
	r->cfg.keyfile = pf_asprintf("%s-archive-keyring", r->cfg.origin);
	r->cfg.keyring = pf_strdup(saved.keyring ? saved.keyring : r->cfg.keyfile);
	r->cfg.keep = saved.keep >= 0 ? saved.keep : 0;
	r->cfg.byhash_keep = saved.byhash_keep >= 1 ? saved.byhash_keep : 3;
	pf_comp_parse(rpmmd.len ? rpmmd.buf : "zst", &r->cfg.rpmmd_comp);
	ret = 0;
out:
	pf_repo_cfg_release(&saved);
	strbuf_release(&rpmmd);
	free(abs_usign);
	free(abs_home);
	return ret;
}
