#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge check: closure, co-installability and well-formed relations of
# a set of built packages, each problem with its exact message.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
v18=korg-llvm-18_18.1.8-1_$deb.deb
v17=korg-llvm-17_17.0.6-1_$deb.deb

# variant NAME 'sed script': a copy of the fixture manifest, edited
variant() {
	sed "$2" "$FIX/llvm-xz.yaml" >"$1.yaml"
}

test_expect_success 'build the fixture feed' '
	pkgforge build -q -s "$FIX" -o feed "$FIX/llvm-xz.yaml" >/dev/null &&
	test -f feed/$v18 && test -f feed/$v17
'

test_expect_success 'korg-llvm-17 and korg-llvm-18 co-install and their dependencies are met' '
	pkgforge check feed >out 2>err &&
	check_lines out "2 packages checked against debian-12: no problem" &&
	test ! -s err &&
	pkgforge check --profile ubuntu-24.04 -q feed/$v18 feed/$v17 >out &&
	test ! -s out
'

test_expect_code 1 'a dependency nothing provides' '
	variant missing "s/^  - libc6 >= 2.34/  - libc6 >= 2.34\n  - libfoo1 >= 2/" &&
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o miss missing.yaml >/dev/null || exit 9
	pkgforge check miss >out 2>err; rc=$?
	check_lines err \
		"miss/$v18: error: korg-llvm-18 18.1.8-1: depends on '"'"'libfoo1 (>= 2)'"'"', which neither the packages checked nor debian-12 provide" \
		"1 problem in 1 package" || exit 9
	test ! -s out || exit 9
	exit $rc
'

test_expect_code 1 'a dependency the profile has, but too old' '
	variant newer "s/^  - libc6 >= 2.34/  - libc6 >= 2.40/" &&
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o newer newer.yaml >/dev/null || exit 9
	pkgforge check newer 2>err; rc=$?
	v=$(sed -n "s/^  libc6: .\(.*\).$/\1/p" "$PF_TOP/profiles/debian-12.$deb.yaml")
	check_lines err \
		"newer/$v18: error: korg-llvm-18 18.1.8-1: depends on '"'"'libc6 (>= 2.40)'"'"', but debian-12 has libc6 $v" \
		"1 problem in 1 package" || exit 9
	exit $rc
'

test_expect_success 'a dependency on another package of the feed, and on what one provides' '
	variant tools "s/^package: .*/package: korg-tools-\${major}/; s/^prefix: .*/prefix: \/opt\/korg\/tools-\${major}/; s/^  - libc6 >= 2.34/  - korg-llvm-18 = 18.1.8-1 | korg-llvm-19\n  - korg-cc/" &&
	variant prov "s/^depends:/provides: [korg-cc]\ndepends:/" &&
	pkgforge build -q --only korg-tools-18 -s "$FIX" -o feed tools.yaml >/dev/null &&
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o prov prov.yaml >/dev/null &&
	pkgforge check -q feed/korg-tools-18_18.1.8-1_$deb.deb prov/$v18
'

test_expect_code 1 'the same, without the package it depends on' '
	pkgforge check feed/korg-tools-18_18.1.8-1_$deb.deb 2>err; rc=$?
	check_lines err \
		"feed/korg-tools-18_18.1.8-1_$deb.deb: error: korg-tools-18 18.1.8-1: depends on '"'"'korg-llvm-18 (= 18.1.8-1) | korg-llvm-19'"'"', which neither the packages checked nor debian-12 provide" \
		"feed/korg-tools-18_18.1.8-1_$deb.deb: error: korg-tools-18 18.1.8-1: depends on '"'"'korg-cc'"'"', which neither the packages checked nor debian-12 provide" \
		"2 problems in 1 package" || exit 9
	exit $rc
'

test_expect_code 1 'two packages shipping one path' '
	variant clash "s/^package: .*/package: korg-clang-\${major}/" &&
	pkgforge build -q --only korg-clang-18 -s "$FIX" -o clash clash.yaml >/dev/null || exit 9
	pkgforge check clash/korg-clang-18_18.1.8-1_$deb.deb feed/$v18 2>err; rc=$?
	check_lines err \
		"feed/$v18: error: korg-clang-18 18.1.8-1 and korg-llvm-18 18.1.8-1 both ship /opt/korg/llvm-18/bin/clang (and 6 more paths), and neither conflicts with nor replaces the other" \
		"1 problem in 2 packages" || exit 9
	exit $rc
'

test_expect_success 'two packages shipping one path, one conflicting with the other' '
	variant conflict "s/^package: .*/package: korg-clang-\${major}/; s/^depends:/conflicts: [korg-llvm-18]\nreplaces: [korg-llvm-18 < 19]\ndepends:/" &&
	pkgforge build -q --only korg-clang-18 -s "$FIX" -o conflict conflict.yaml >/dev/null &&
	pkgforge check -q conflict feed/$v18
'

test_expect_code 1 'malformed relations and a package met twice' '
	mkdir -p b/DEBIAN b/opt/x &&
	printf "Package: broken\nVersion: 1.0\nArchitecture: $deb\nMaintainer: T <t@example.org>\nDepends: libc6 (>= ), libc6 (>> 2.2.5)\nConflicts: Foo\nDescription: x\n" >b/DEBIAN/control &&
	echo x >b/opt/x/f &&
	dpkg-deb --nocheck -b b broken.deb >/dev/null 2>&1 && mkdir again && cp broken.deb again/ || exit 9
	pkgforge check broken.deb again 2>err; rc=$?
	check_lines err \
		"again/broken.deb: error: broken 1.0: invalid Depends entry '"'"'libc6 (>= )'"'"': '"'"''"'"' is not a valid version" \
		"again/broken.deb: error: broken 1.0: invalid Conflicts entry '"'"'Foo'"'"': '"'"'Foo'"'"' is not a valid package name" \
		"broken.deb: error: broken 1.0: invalid Depends entry '"'"'libc6 (>= )'"'"': '"'"''"'"' is not a valid version" \
		"broken.deb: error: broken 1.0: invalid Conflicts entry '"'"'Foo'"'"': '"'"'Foo'"'"' is not a valid package name" \
		"broken.deb: error: broken 1.0 ($deb) is also in again/broken.deb" \
		"5 problems in 2 packages" || exit 9
	exit $rc
'

test_expect_code 2 'a file that is not a package' '
	echo garbage >bad.deb
	pkgforge check bad.deb 2>err; rc=$?
	check_lines err "pkgforge: error: bad.deb: not a Debian package: Unrecognized archive format" || exit 9
	exit $rc
'

test_expect_code 2 'an unknown profile' '
	pkgforge check --profile debian-11 feed 2>err; rc=$?
	check_lines err "pkgforge: error: unknown profile '"'"'debian-11'"'"' (known: debian-12, ubuntu-24.04)" || exit 9
	exit $rc
'

test_expect_code 2 'a directory without packages' '
	mkdir nothing
	pkgforge check nothing 2>err; rc=$?
	check_lines err "pkgforge: error: nothing: no package in this directory (deb, rpm, ipk)" || exit 9
	exit $rc
'
