#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge check on .rpm (read with librpm, rpm's relation rules and
# version comparison) and .ipk (both flavours), each problem with its
# exact message.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
r18=korg-llvm-18-18.1.8-1.$arch.rpm
r17=korg-llvm-17-17.0.6-1.$arch.rpm
i18=korg-llvm-18_18.1.8-1_$arch.ipk

variant() {
	sed "$2" "$FIX/llvm-xz.yaml" >"$1.yaml"
}

test_expect_success 'a feed of every format, and the yocto flavour of .ipk' '
	pkgforge build -q -f deb,rpm,ipk -s "$FIX" -o feed "$FIX/llvm-xz.yaml" >/dev/null &&
	pkgforge build -q -f ipk --ipk-flavor yocto -s "$FIX" -o yocto "$FIX/llvm-xz.yaml" >/dev/null &&
	pkgforge check feed >out &&
	check_lines out "6 packages checked against debian-12: no problem" &&
	pkgforge check yocto >out &&
	check_lines out "2 packages checked against debian-12: no problem"
'

test_expect_code 1 'rpm: names the profile does not have, as rpm spells them' '
	variant rpmdeps "s/^depends:/depends:\n  rpm: [\"libfoo.so.9()(64bit)\", \"libc.so.6(GLIBC_9.99)(64bit)\", \"glibc >= 2.34\", \"(korg-missing or korg-absent >= 2)\", \"\/usr\/bin\/python3\"]\n  all:/" &&
	pkgforge build -q -f rpm --only korg-llvm-18 -s "$FIX" -o rpmdeps rpmdeps.yaml >/dev/null || exit 9
	pkgforge check rpmdeps 2>err; rc=$?
	p="rpmdeps/$r18: error: korg-llvm-18 18.1.8-1: depends on"
	n="which neither the packages checked nor debian-12 provide"
	check_lines err \
		"$p '"'"'(korg-missing or korg-absent >= 2)'"'"', $n" \
		"$p '"'"'/usr/bin/python3'"'"', $n" \
		"$p '"'"'glibc >= 2.34'"'"', $n" \
		"$p '"'"'libc.so.6(GLIBC_9.99)(64bit)'"'"', $n" \
		"$p '"'"'libfoo.so.9()(64bit)'"'"', $n" \
		"5 problems in 1 package" || exit 9
	exit $rc
'

test_expect_success 'rpm: rich dependencies, file dependencies and provides satisfied by the feed' '
	variant tools "s/^package: .*/package: korg-tools-\${major}/; s/^prefix: .*/prefix: \/opt\/korg\/tools-\${major}/; s/^depends:/provides: [korg-cc]\ndepends:\n  rpm: [\"(korg-llvm-17 or korg-nope)\", \"\/opt\/korg\/llvm-17\/bin\/clang\", \"korg-llvm-17 >= 17.0\", \"korg-llvm-17 < 17.0.7\"]\n  all:/" &&
	variant user "s/^package: .*/package: korg-user-\${major}/; s/^prefix: .*/prefix: \/opt\/korg\/user-\${major}/; s/^depends:/depends:\n  rpm: [\"korg-cc\", \"korg-cc >= 5\"]\n  all:/" &&
	pkgforge build -q -f rpm --only korg-tools-18 -s "$FIX" -o tools tools.yaml >/dev/null &&
	pkgforge build -q -f rpm --only korg-user-18 -s "$FIX" -o tools user.yaml >/dev/null &&
	pkgforge check -q tools feed/$r17
'

test_expect_code 1 'rpm: a version too old, two packages shipping one path' '
	variant old "s/^package: .*/package: korg-clang-\${major}/; s/^depends:/depends:\n  rpm: [\"korg-llvm-17 > 17.0.6-1\"]\n  all:/" &&
	pkgforge build -q -f rpm --only korg-clang-18 -s "$FIX" -o old old.yaml >/dev/null || exit 9
	pkgforge check old feed/$r17 feed/$r18 2>err; rc=$?
	check_lines err \
		"old/korg-clang-18-18.1.8-1.$arch.rpm: error: korg-clang-18 18.1.8-1: depends on '"'"'korg-llvm-17 > 17.0.6-1'"'"', which neither the packages checked nor debian-12 provide" \
		"old/korg-clang-18-18.1.8-1.$arch.rpm: error: korg-llvm-18 18.1.8-1 and korg-clang-18 18.1.8-1 both ship /opt/korg/llvm-18/bin/clang (and 6 more paths), and neither conflicts with nor replaces the other" \
		"2 problems in 3 packages" || exit 9
	exit $rc
'

test_expect_code 1 'ipk: a dependency nothing provides' '
	variant ipkdeps "s/^  - libc6 >= 2.34/  - libc6 >= 2.34\n  - libfoo1 >= 2/" &&
	pkgforge build -q -f ipk --only korg-llvm-18 -s "$FIX" -o ipkdeps ipkdeps.yaml >/dev/null || exit 9
	pkgforge check ipkdeps 2>err; rc=$?
	check_lines err \
		"ipkdeps/$i18: error: korg-llvm-18 18.1.8-1: depends on '"'"'libfoo1 (>= 2)'"'"', which neither the packages checked nor debian-12 provide" \
		"1 problem in 1 package" || exit 9
	exit $rc
'

test_expect_code 2 'a file that is not an rpm' '
	echo garbage >bad.rpm
	pkgforge check bad.rpm 2>err; rc=$?
	check_lines err "pkgforge: error: bad.rpm: not an rpm package: no rpm lead" || exit 9
	exit $rc
'

test_expect_code 2 'a truncated rpm' '
	head -c 300 feed/$r18 >cut.rpm
	pkgforge check cut.rpm 2>err; rc=$?
	check_lines err "pkgforge: error: cut.rpm: not an rpm package: truncated signature header" || exit 9
	exit $rc
'

test_expect_code 2 'a file that is not an ipk' '
	echo garbage >bad.ipk
	pkgforge check bad.ipk 2>err; rc=$?
	check_lines err "pkgforge: error: bad.ipk: not an opkg package: Unrecognized archive format" || exit 9
	exit $rc
'
