#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# .ipk packages of both flavours are the same bytes whatever the time,
# time zone, locale, umask, directory and number of compressor threads.
. "$PF_TOP/tests/lib.sh"
fixtures
# every build here must be a fresh pass: the payload cache stays out

arch=$(uname -m)
pkg=korg-llvm-18_18.1.8-1_$arch.ipk

build_in() { # DIR FLAVOR ENV...: build the 18.x package into DIR/out
	local dir=$1 flavor=$2
	shift 2
	mkdir -p "$dir" && cp "$FIX/llvm-xz.yaml" "$FIX/llvm-18.1.8-$arch.tar.xz" "$dir/" &&
	(cd "$dir" && env "$@" "$PKGFORGE" build -q --no-payload-cache --format ipk --ipk-flavor "$flavor" \
		--only korg-llvm-18 -s . -o out llvm-xz.yaml >/dev/null)
}

for flavor in openwrt yocto; do
	test_expect_success "$flavor: builds in different places, times, zones, locales and umasks are identical" "
		build_in $flavor-a $flavor TZ=UTC LC_ALL=C.UTF-8 &&
		sleep 1.1 &&
		(umask 077 && build_in deeper/$flavor-b $flavor TZ=Asia/Kathmandu LC_ALL=C) &&
		cmp $flavor-a/out/$pkg deeper/$flavor-b/out/$pkg &&
		test \"\$(stat -c %a deeper/$flavor-b/out/$pkg)\" = 644
	"
done

test_expect_success 'the output does not depend on the number of compressor threads' '
	for c in openwrt:gz yocto:xz yocto:zst yocto:gz; do
		f=${c%:*} z=${c#*:} &&
		pkgforge build -q --no-payload-cache --format ipk --ipk-flavor $f --ipk-compression $z -j1 --only korg-llvm-18 \
			-s "$FIX" -o j1-$f-$z "$FIX/llvm-xz.yaml" >/dev/null &&
		pkgforge build -q --no-payload-cache --format ipk --ipk-flavor $f --ipk-compression $z -j4 --only korg-llvm-18 \
			-s "$FIX" -o j4-$f-$z "$FIX/llvm-xz.yaml" >/dev/null &&
		cmp j1-$f-$z/$pkg j4-$f-$z/$pkg || return 1
	done &&
	cmp j1-openwrt-gz/$pkg openwrt-a/out/$pkg && cmp j4-yocto-xz/$pkg yocto-a/out/$pkg
'

test_expect_success 'deb,ipk in one pass gives the same .ipk as ipk alone' '
	pkgforge build -q --no-payload-cache --format deb,ipk --ipk-flavor yocto -j3 --only korg-llvm-18 \
		-s "$FIX" -o both "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp both/$pkg yocto-a/out/$pkg
'

# every timestamp of every layer, as "date time" lines
all_times_openwrt() {
	tar -tvzf "$1" | awk "{print \$4, \$5}" &&
	tar -xOzf "$1" ./control.tar.gz | tar -tvzf - | awk "{print \$4, \$5}" &&
	tar -xOzf "$1" ./data.tar.gz | tar -tvzf - | awk "{print \$4, \$5}"
}
all_times_yocto() {
	ar tv "$1" | awk "{print \$4, \$5, \$6, \$7}" &&
	ar p "$1" control.tar.gz | tar -tvzf - | awk "{print \$4, \$5}" &&
	ar p "$1" data.tar.xz | tar -tvJf - | awk "{print \$4, \$5}"
}

test_expect_success 'SOURCE_DATE_EPOCH clamps every timestamp of both flavours' '
	for f in openwrt yocto; do
		SOURCE_DATE_EPOCH=1700000000 pkgforge build -q --no-payload-cache --format ipk --ipk-flavor $f --only korg-llvm-18 \
			-s "$FIX" -o s1-$f "$FIX/llvm-xz.yaml" >/dev/null &&
		SOURCE_DATE_EPOCH=1700000000 TZ=America/Denver pkgforge build -q --no-payload-cache --format ipk --ipk-flavor $f \
			--only korg-llvm-18 -s "$FIX" -o s2-$f "$FIX/llvm-xz.yaml" >/dev/null &&
		cmp s1-$f/$pkg s2-$f/$pkg &&
		! cmp -s s1-$f/$pkg $f-a/out/$pkg &&
		all_times_$f s1-$f/$pkg | sort -u >times &&
		case $f in
		openwrt) check_lines times "2023-11-14 22:13" ;;
		yocto) check_lines times "2023-11-14 22:13" "Nov 14 22:13 2023" ;;
		esac || return 1
	done
'

test_expect_success 'without SOURCE_DATE_EPOCH every time comes from the tarball' '
	all_times_openwrt openwrt-a/out/$pkg | sort -u >times &&
	check_lines times "2024-06-01 00:00" &&
	all_times_yocto yocto-a/out/$pkg | sort -u >times &&
	check_lines times "2024-06-01 00:00" "Jun 1 00:00 2024"
'
