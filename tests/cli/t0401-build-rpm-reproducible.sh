#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The same manifest and tarball give the same .rpm, whatever the time,
# time zone, locale, umask, directory and number of threads.
. "$PF_TOP/tests/lib.sh"
fixtures
# every build here must be a fresh pass: the payload cache stays out

arch=$(uname -m)
rpm=korg-llvm-18-18.1.8-1.$arch.rpm

build_in() { # DIR ENV...: build the 18.x package into DIR with the given environment
	local dir=$1
	shift
	mkdir -p "$dir" && cp "$FIX/llvm-xz.yaml" "$FIX/llvm-18.1.8-$arch.tar.xz" "$dir/" &&
	(cd "$dir" && env "$@" "$PKGFORGE" build -q --no-payload-cache -f rpm --only korg-llvm-18 -s . -o out llvm-xz.yaml >/dev/null)
}

test_expect_success 'two builds in different places, times, zones, locales and umasks are identical' '
	build_in a TZ=UTC LC_ALL=C.UTF-8 &&
	sleep 1.1 &&
	(umask 077 && build_in deeper/b TZ=Asia/Kathmandu LC_ALL=C) &&
	cmp a/out/$rpm deeper/b/out/$rpm &&
	test "$(stat -c %a deeper/b/out/$rpm)" = 644
'

test_expect_success 'the output does not depend on the number of compressor threads' '
	for c in xz gz zst; do
		pkgforge build -q --no-payload-cache -f rpm --only korg-llvm-18 -j1 --rpm-compression $c -s "$FIX" -o t1$c "$FIX/llvm-xz.yaml" >/dev/null &&
		pkgforge build -q --no-payload-cache -f rpm --only korg-llvm-18 -j4 --rpm-compression $c -s "$FIX" -o t4$c "$FIX/llvm-xz.yaml" >/dev/null &&
		cmp t1$c/$rpm t4$c/$rpm || return 1
	done &&
	cmp t1xz/$rpm a/out/$rpm
'

test_expect_success 'building deb and rpm together gives the same rpm' '
	pkgforge build -q --no-payload-cache -f deb,rpm --only korg-llvm-18 -s "$FIX" -o both "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp both/$rpm a/out/$rpm
'

test_expect_success 'SOURCE_DATE_EPOCH clamps every timestamp and is reproducible' '
	SOURCE_DATE_EPOCH=1700000000 pkgforge build -q --no-payload-cache -f rpm --only korg-llvm-18 -s "$FIX" -o s1 "$FIX/llvm-xz.yaml" >/dev/null &&
	sleep 1.1 &&
	SOURCE_DATE_EPOCH=1700000000 TZ=America/Denver pkgforge build -q --no-payload-cache -f rpm --only korg-llvm-18 -s "$FIX" -o s2 "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp s1/$rpm s2/$rpm &&
	! cmp -s s1/$rpm a/out/$rpm &&
	rpm -qp --qf "%{BUILDTIME} %{CHANGELOGTIME}\n" s1/$rpm >t &&
	check_lines t "1700000000 1699963200" &&
	rpm -qp --qf "[%{FILEMTIMES}\n]" s1/$rpm | sort -u >mt &&
	check_lines mt 1700000000 &&
	rpm2cpio s1/$rpm | cpio -tv --quiet >l &&
	test $(grep -c "Nov 14  2023" l) -eq $(wc -l <l)
'

test_expect_success 'a SOURCE_DATE_EPOCH later than the files leaves their times alone' '
	SOURCE_DATE_EPOCH=1800000000 pkgforge build -q --no-payload-cache -f rpm --only korg-llvm-18 -s "$FIX" -o late "$FIX/llvm-xz.yaml" >/dev/null &&
	rpm -qp --qf "[%{FILEMTIMES}\n]" late/$rpm | sort -u >mt &&
	check_lines mt 1717200000 &&
	rpm -qp --qf "%{BUILDTIME}\n" late/$rpm >t && check_lines t 1800000000
'
