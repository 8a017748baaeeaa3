#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The opkg feeds (opkg is not packaged in Debian): their structure,
# Packages against the .ipk files of both flavours, Packages.sig checked
# with signify-openbsd, which reads usign's files as they are (usign
# took signify's format: "untrusted comment:" line, base64 of "Ed",
# the key number and the key or signature, so no conversion is needed),
# and Packages.asc with gpgv.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
repo_keys || exit 1
repo_fixture pfopk feed ipk || exit 1
sed -e "s/^package: .*/package: pfyocto-\${major}/" -e "s|^prefix: .*|prefix: /opt/pfyocto-\${major}|" \
	"$FIX/llvm-xz.yaml" >y.yaml
pkgforge build -q -f ipk --ipk-flavor yocto -s "$FIX" -o feed y.yaml >/dev/null || exit 1
F=repo/ipk/$arch

stanza_of() {
	awk -v f="Filename: $2" 'BEGIN { RS = "" } { n = split($0, l, "\n"); for (i = 1; i <= n; i++) if (l[i] == f) print }' "$1"
}

test_expect_success 'one feed per architecture, and one for "all"' '
	index -q repo feed/* &&
	for f in Packages Packages.gz Packages.sig Packages.asc; do
		test -f $F/$f && test -f repo/ipk/all/$f || return 1
	done &&
	ls $F/*.ipk | wc -l | grep -qx 4 &&
	gzip -dc $F/Packages.gz | cmp - $F/Packages
'

test_expect_success 'Packages has each control file, Filename, Size and SHA256sum of the file' '
	grep -c "^Package: " $F/Packages | grep -qx 4 &&
	for f in $(sed -n "s/^Filename: //p" $F/Packages); do
		test -f $F/$f &&
		s=$(stanza_of $F/Packages $f) &&
		printf "%s\n" "$s" | grep -qx "Size: $(stat -c %s $F/$f)" &&
		printf "%s\n" "$s" | grep -qx "SHA256sum: $(sha256sum <$F/$f | cut -c1-64)" &&
		case $f in
		pfopk*) tar -xzOf $F/$f ./control.tar.gz | tar -xzOf - ./control >ctl ;;
		pfyocto*) ar p $F/$f control.tar.gz | tar -xzOf - ./control >ctl ;;
		esac &&
		grep -v "^ " ctl >fields &&
		while read -r line; do printf "%s\n" "$s" | grep -qxF "$line" || return 1; done <fields ||
		return 1
	done
'

test_expect_success 'signify verifies Packages.sig with the published usign key' '
	signify-openbsd -V -p repo/keys/korg-archive-keyring.pub -m $F/Packages -x $F/Packages.sig >v &&
	check_lines v "Signature Verified" &&
	signify-openbsd -V -q -p repo/keys/korg-archive-keyring.pub -m repo/ipk/all/Packages \
		-x repo/ipk/all/Packages.sig &&
	head -1 $F/Packages.sig | grep -qx "untrusted comment: signed by key $USIGN_FP"
'

test_expect_success 'a changed byte of Packages fails the usign and the OpenPGP check' '
	cp $F/Packages changed && printf "X" | dd of=changed bs=1 seek=10 conv=notrunc 2>/dev/null &&
	! signify-openbsd -V -q -p repo/keys/korg-archive-keyring.pub -m changed -x $F/Packages.sig &&
	! gpgv --keyring repo/keys/korg-archive-keyring.gpg $F/Packages.asc changed 2>/dev/null
'

test_expect_success 'gpgv verifies Packages.asc with the published keyring' '
	gpgv --keyring repo/keys/korg-archive-keyring.gpg $F/Packages.asc $F/Packages &&
	gpgv --keyring repo/keys/korg-archive-keyring.gpg repo/ipk/all/Packages.asc repo/ipk/all/Packages
'

test_expect_success 'the opkg.conf lines name every feed' '
	check_line repo/setup/korg-opkg.conf "src/gz korg-all file://$TRASH/repo/ipk/all" &&
	check_line repo/setup/korg-opkg.conf "src/gz korg-$arch file://$TRASH/repo/ipk/$arch"
'

test_expect_code 2 'a package in the feed of another architecture is refused' '
	mkdir -p repo/ipk/aarch64 repo/ipk/x86_64 &&
	other=$([ $arch = x86_64 ] && echo aarch64 || echo x86_64) &&
	cp feed/pfopk-18_18.1.8-1_$arch.ipk repo/ipk/$other/ || exit 9
	pkgforge index repo 2>err; rc=$?
	check_lines err "pkgforge: error: ipk/$other/pfopk-18_18.1.8-1_$arch.ipk: a package for $arch in the $other feed: opkg would refuse to install it" || exit 9
	exit $rc
'
