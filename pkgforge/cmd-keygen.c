// SPDX-License-Identifier: GPL-2.0-or-later
/* pkgforge keygen: the OpenPGP and usign keys that sign a repository. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdutil.h"
#include "ofile.h"
#include "pkgforge.h"
#include "sign.h"
#include "usign.h"
#include "util.h"
#include "banned.h"

static const char usage_text[] =
	"usage: pkgforge keygen [options]\n"
	"\n"
	"Create the keys that sign a repository feed (see 'pkgforge index'):\n"
	"an OpenPGP signing key in a GnuPG home, for apt, dnf and opkg's\n"
	"Packages.asc; and, with --usign-key, a usign/signify Ed25519 key pair\n"
	"for OpenWrt's opkg.  Neither has a passphrase or an expiry date: keep\n"
	"them where only the publishing account can read them (keys/README.md).\n"
	"\n"
	"      --name UID          the OpenPGP user id (default: \"pkgforge\n"
	"                          repository signing key\")\n"
	"      --algo ALGO         rsa3072 (default), rsa4096 or ed25519\n"
	"      --gnupghome DIR     the GnuPG home that keeps the key (created if\n"
	"                          missing; default: $GNUPGHOME, else ~/.gnupg)\n"
	"      --usign-key FILE    also write a usign secret key to FILE (mode\n"
	"                          0600) and its public key to FILE.pub\n"
	"      --no-openpgp        make the usign key only\n"
	"\n"
	"Prints \"openpgp: FINGERPRINT\" and \"usign: FINGERPRINT FILE\"; give\n"
	"them to 'pkgforge index' as --sign-key and --usign-key.\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage.\n";

static int write_usign(const char *path, struct pf_usign_key *k, char fp[17], struct pf_err *e)
{
	struct strbuf sec = STRBUF_INIT, pub = STRBUF_INIT, comment = STRBUF_INIT;
	struct pf_ofile o = PF_OFILE_INIT;
	char *pubpath = pf_asprintf("%s.pub", path);
	struct stat st;
	int ret = -1;

	if (lstat(path, &st) == 0 || lstat(pubpath, &st) == 0) {
		pf_err_set(e, PF_EINVAL, "%s already exists: pkgforge does not overwrite keys",
			   lstat(path, &st) == 0 ? path : pubpath);
		goto out;
	}
	if (pf_usign_generate(k, e) < 0)
		goto out;
	pf_usign_fingerprint(k, fp);
	strbuf_addf(&comment, "usign secret key %s", fp);
	pf_usign_secret_text(k, comment.buf, &sec);
	strbuf_reset(&comment);
	strbuf_addf(&comment, "usign public key %s", fp);
	pf_usign_public_text(k, comment.buf, &pub);
	if (pf_ofile_open(&o, path, e) < 0)
		goto out;
	if (pf_ofile_write(&o, sec.buf, sec.len, e) < 0) {
		pf_ofile_abort(&o);
		goto out;
	}
	if (pf_ofile_commit(&o, 0600, e) < 0 || pf_ofile_put(pubpath, pub.buf, pub.len, e) < 0)
		goto out;
	ret = 0;
out:
	if (sec.len)
		memset(sec.buf, 0, sec.len);
	strbuf_release(&sec);
	strbuf_release(&pub);
	strbuf_release(&comment);
	free(pubpath);
	return ret;
}

int cmd_keygen(int argc, char **argv)
{
	enum { O_NAME = 256, O_ALGO, O_HOME, O_USIGN, O_NOPGP };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "algo", required_argument, NULL, O_ALGO },
		{ "gnupghome", required_argument, NULL, O_HOME },
		{ "usign-key", required_argument, NULL, O_USIGN },
		{ "no-openpgp", no_argument, NULL, O_NOPGP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "pkgforge repository signing key", *algo = "rsa3072";
	const char *home = NULL, *usign = NULL;
	bool pgp = true;
	struct pf_err e = PF_ERR_INIT;
	struct pf_pgp *p = NULL;
	struct pf_usign_key k;
	char *fpr = NULL, fp[17];
	int c, ret = 2;

	memset(&k, 0, sizeof(k));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME:
			name = optarg;
			break;
		case O_ALGO:
			algo = optarg;
			break;
		case O_HOME:
			home = optarg;
			break;
		case O_USIGN:
			usign = optarg;
			break;
		case O_NOPGP:
			pgp = false;
			break;
		case 'h':
			return pf_cli_help(usage_text);
		default:
			return pf_cli_usage_error(usage_text);
		}
	}
	if (optind < argc || (!pgp && !usign))
		return pf_cli_usage_error(usage_text);
	if (strcmp(algo, "rsa3072") && strcmp(algo, "rsa4096") && strcmp(algo, "ed25519")) {
		pf_err_set(&e, PF_EINVAL, "unknown key algorithm '%s' (rsa3072, rsa4096, ed25519)",
			   algo);
		goto fail;
	}
	if (!*name || strchr(name, '\n')) {
		pf_err_set(&e, PF_EINVAL, "--name must be one line of text");
		goto fail;
	}
	/* the usign key first: it is the one that can fail on user input */
	if (usign && write_usign(usign, &k, fp, &e) < 0)
		goto fail;
	if (pgp) {
		if (pf_pgp_open_home(&p, home, true, &e) < 0 ||
		    pf_pgp_genkey(p, name, algo, &fpr, &e) < 0) {
			ret = e.code == PF_EINVAL ? 2 : 1;
			goto fail_printed;
		}
		printf("openpgp: %s\n", fpr);
	}
	if (usign)
		printf("usign: %s %s\n", fp, usign);
	ret = 0;
	goto out;
fail:
	ret = e.code == PF_EINVAL ? 2 : 1;
fail_printed:
	pf_err_print(&e, stderr);
out:
	memset(&k, 0, sizeof(k));
	free(fpr);
	pf_pgp_free(p);
	pf_err_release(&e);
	return ret;
}
