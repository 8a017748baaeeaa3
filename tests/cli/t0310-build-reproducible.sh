#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The same manifest and tarball give the same bytes, whatever the time,
# time zone, locale, umask and directory.
. "$PF_TOP/tests/lib.sh"
fixtures
# every build here must be a fresh pass: the payload cache stays out

arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
pkg=korg-llvm-18_18.1.8-1_$deb.deb

build_in() { # DIR ENV...: build the 18.x package into DIR with the given environment
	local dir=$1
	shift
	mkdir -p "$dir" && cp "$FIX/llvm-xz.yaml" "$FIX/llvm-18.1.8-$arch.tar.xz" "$dir/" &&
	(cd "$dir" && env "$@" "$PKGFORGE" build -q --no-payload-cache --only korg-llvm-18 -s . -o out llvm-xz.yaml >/dev/null)
}

test_expect_success 'two builds in different places, times, zones, locales and umasks are identical' '
	build_in a TZ=UTC LC_ALL=C.UTF-8 &&
	sleep 1.1 &&
	(umask 077 && build_in deeper/b TZ=Asia/Kathmandu LC_ALL=C) &&
	cmp a/out/$pkg deeper/b/out/$pkg
'

test_expect_success 'the output does not depend on the number of compressor threads' '
	mkdir t1 t4 &&
	pkgforge build -q --no-payload-cache --only korg-llvm-18 -j1 -s "$FIX" -o t1 "$FIX/llvm-xz.yaml" >/dev/null &&
	pkgforge build -q --no-payload-cache --only korg-llvm-18 -j4 -s "$FIX" -o t4 "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp t1/$pkg t4/$pkg && cmp t1/$pkg a/out/$pkg &&
	for c in gz zst; do
		pkgforge build -q --no-payload-cache --only korg-llvm-18 -j1 --deb-compression $c -s "$FIX" -o t1$c "$FIX/llvm-xz.yaml" >/dev/null &&
		pkgforge build -q --no-payload-cache --only korg-llvm-18 -j3 --deb-compression $c -s "$FIX" -o t3$c "$FIX/llvm-xz.yaml" >/dev/null &&
		cmp t1$c/$pkg t3$c/$pkg || return 1
	done
'

test_expect_success 'packages are written with mode 0644 whatever the umask' '
	test "$(stat -c %a a/out/$pkg)" = 644 && test "$(stat -c %a deeper/b/out/$pkg)" = 644
'

test_expect_success 'SOURCE_DATE_EPOCH clamps every timestamp and is reproducible' '
	SOURCE_DATE_EPOCH=1700000000 pkgforge build -q --no-payload-cache --only korg-llvm-18 -s "$FIX" -o s1 "$FIX/llvm-xz.yaml" >/dev/null &&
	sleep 1.1 &&
	SOURCE_DATE_EPOCH=1700000000 TZ=America/Denver pkgforge build -q --no-payload-cache --only korg-llvm-18 -s "$FIX" -o s2 "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp s1/$pkg s2/$pkg &&
	! cmp -s s1/$pkg a/out/$pkg &&
	dpkg-deb --fsys-tarfile s1/$pkg | tar -tvf - >l &&
	test $(grep -c "2023-11-14 22:13" l) -eq $(wc -l <l) &&
	dpkg-deb --ctrl-tarfile s1/$pkg | tar -tvf - >c &&
	test $(grep -c "2023-11-14 22:13" c) -eq $(wc -l <c) &&
	ar tv s1/$pkg >m && test $(grep -c "Nov 14 22:13 2023" m) -eq 3
'

test_expect_success 'a SOURCE_DATE_EPOCH later than the files leaves their times alone' '
	SOURCE_DATE_EPOCH=1800000000 pkgforge build -q --no-payload-cache --only korg-llvm-18 -s "$FIX" -o late "$FIX/llvm-xz.yaml" >/dev/null &&
	dpkg-deb --fsys-tarfile late/$pkg | tar -tvf - >l &&
	test $(grep -c "2024-06-01 00:00" l) -eq $(wc -l <l) &&
	ar tv late/$pkg >m && test $(grep -c "Jan 15 08:00 2027" m) -eq 3
'

test_expect_code 2 'a malformed SOURCE_DATE_EPOCH is refused' '
	SOURCE_DATE_EPOCH=yesterday pkgforge build -q --no-payload-cache -s "$FIX" -o bad "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: SOURCE_DATE_EPOCH must be a number of seconds since 1970" || exit 9
	exit $rc
'
