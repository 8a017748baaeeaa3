#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge keygen: an OpenPGP signing key in a GnuPG home of the test's
# own, and a usign key pair that signify (OpenBSD's tool, whose file
# format usign shares) reads and signs with.
. "$PF_TOP/tests/lib.sh"
export GNUPGHOME=$TRASH/gnupg
test_cleanup "GNUPGHOME=$TRASH/gnupg gpgconf --kill all; GNUPGHOME=$TRASH/other gpgconf --kill all"

test_expect_success 'keygen makes an OpenPGP key and a usign pair' '
	pkgforge keygen --name "Test Repo <repo@pkgforge.invalid>" --usign-key usign.key >out &&
	fpr=$(sed -n "s/^openpgp: //p" out) && test ${#fpr} = 40 &&
	fp=$(sed -n "s/^usign: \([0-9a-f]*\) usign.key$/\1/p" out) && test ${#fp} = 16 &&
	gpg --batch --with-colons --list-secret-keys $fpr >keys &&
	grep -q "^uid:.*Test Repo <repo@pkgforge.invalid>" keys &&
	grep -q "^sec:u:3072:1:" keys &&
	test "$(stat -c %a usign.key)" = 600 &&
	test "$(stat -c %a usign.key.pub)" = 644 &&
	check_lines usign.key.pub "untrusted comment: usign public key $fp" "$(sed -n 2p usign.key.pub)"
'

test_expect_success 'signify signs with the usign secret key and verifies with its public key' '
	cp usign.key k.sec && cp usign.key.pub k.pub &&
	echo "a message" >msg &&
	signify-openbsd -S -s k.sec -m msg -x msg.sig &&
	signify-openbsd -V -q -p k.pub -m msg -x msg.sig &&
	echo "another message" >msg &&
	! signify-openbsd -V -q -p k.pub -m msg -x msg.sig
'

test_expect_success 'an ed25519 key in another GnuPG home, without usign' '
	pkgforge keygen --algo ed25519 --gnupghome other >out &&
	check_lines out "openpgp: $(sed -n "s/^openpgp: //p" out)" &&
	test "$(stat -c %a other)" = 700 &&
	gpg --homedir other --batch --with-colons --list-secret-keys >keys &&
	grep -q "^sec:u:255:22:" keys &&
	grep -q "^uid:.*pkgforge repository signing key" keys
'

test_expect_code 2 'keygen never overwrites a key' '
	pkgforge keygen --no-openpgp --usign-key usign.key 2>err; rc=$?
	check_lines err "pkgforge: error: usign.key already exists: pkgforge does not overwrite keys" || exit 9
	exit $rc
'

test_expect_code 2 'an unknown algorithm' '
	pkgforge keygen --algo dsa1024 2>err; rc=$?
	check_lines err "pkgforge: error: unknown key algorithm '"'"'dsa1024'"'"' (rsa3072, rsa4096, ed25519)" || exit 9
	exit $rc
'

test_expect_code 2 '--no-openpgp without --usign-key makes nothing' '
	pkgforge keygen --no-openpgp 2>err; rc=$?
	head -1 err | grep -q "^usage: pkgforge keygen" || exit 9
	exit $rc
'
