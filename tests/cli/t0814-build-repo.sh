#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge build --repo: build into the repository's pool and index in
# one step; what it built is read once, when it is put in place.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
repo_keys || exit 1
sed -e "s/^package: .*/package: pfbr-\${major}/" -e "s|^prefix: .*|prefix: /opt/pfbr-\${major}|" \
	"$FIX/llvm-xz.yaml" >m.yaml

test_expect_success 'build --repo puts each package in its place and publishes the feeds' '
	pkgforge build -q -f deb,rpm,ipk -s "$FIX" --repo repo --sign-key $FPR \
		--usign-key usign.key m.yaml >out &&
	check_lines out \
		repo/pool/main/p/pfbr-18/pfbr-18_18.1.8-1_$deb.deb \
		repo/rpm/Packages/p/pfbr-18-18.1.8-1.$arch.rpm \
		repo/ipk/$arch/pfbr-18_18.1.8-1_$arch.ipk \
		repo/pool/main/p/pfbr-17/pfbr-17_17.0.6-1_$deb.deb \
		repo/rpm/Packages/p/pfbr-17-17.0.6-1.$arch.rpm \
		repo/ipk/$arch/pfbr-17_17.0.6-1_$arch.ipk &&
	gpgv --keyring repo/keys/korg-archive-keyring.gpg repo/dists/stable/InRelease 2>/dev/null &&
	grep -qx "Package: pfbr-18" repo/dists/stable/main/binary-$deb/Packages &&
	mkdir db && rpmkeys --root "$TRASH/db" --import repo/keys/korg-archive-keyring.asc &&
	rpmkeys --root "$TRASH/db" -K repo/rpm/Packages/p/pfbr-18-18.1.8-1.$arch.rpm | grep -q "signatures OK" &&
	test -z "$(ls repo/.pkgforge/incoming)"
'

test_expect_success 'the repository remembered the keys; a rebuild of the same bytes reads nothing' '
	pkgforge build -f deb,rpm,ipk -s "$FIX" --repo repo m.yaml >out &&
	grep -qx "repo: 9 packages (deb 3, rpm 3, ipk 3): 0 read, 9 from the cache" out
'

test_expect_success 'a new release: the new packages are read once, when added' '
	sed "s/^versions:/release: \"2\"\nversions:/" m.yaml >m2.yaml &&
	pkgforge build -f deb --version 18.1.8 -s "$FIX" --repo repo m2.yaml >out &&
	check_line out repo/pool/main/p/pfbr-18/pfbr-18_18.1.8-2_$deb.deb &&
	grep -qx "repo: 10 packages (deb 4, rpm 3, ipk 3): 1 read, 9 from the cache" out &&
	grep -qx "Version: 18.1.8-2" repo/dists/stable/main/binary-$deb/Packages
'

test_expect_code 2 '-o and --repo together' '
	pkgforge build -o out --repo repo m.yaml 2>err; rc=$?
	head -1 err | grep -q "^usage: pkgforge build" || exit 9
	exit $rc
'

test_expect_code 2 'a repository without a key fails before anything is built' '
	pkgforge build -f deb -s "$FIX" --repo other m.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: no signing key: give --sign-key FPR (see '"'"'pkgforge keygen'"'"'), or --unsigned for a feed no client can verify" || exit 9
	test ! -s out && test ! -e other/pool || exit 9
	exit $rc
'
