#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge build --format ipk --ipk-flavor yocto: an ar archive of
# debian-binary, control.tar.gz and data.tar.{xz,zst,gz}.
#
# opkg itself is not packaged in Debian 12, so nothing here installs the
# package with it.  The package is read with binutils' ar and GNU tar,
# and again with bsdtar (libarchive, the library upstream opkg reads
# packages with), BusyBox's ar and tar, and dpkg-deb, which reads this
# layout too.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
pkg=korg-llvm-18_18.1.8-1_$arch.ipk

listing() { tar -tv --numeric-owner "$@" | tr -s ' '; }

build() { # DIR OPTIONS...: the 18.x package, Yocto flavour
	local dir=$1
	shift
	pkgforge build -q --format ipk --ipk-flavor yocto "$@" --only korg-llvm-18 \
		-s "$FIX" -o "$dir" "$FIX/llvm-xz.yaml"
}

test_expect_success 'build, xz by default' '
	build out >list && check_lines list out/$pkg
'

test_expect_success 'the ar archive holds debian-binary, control.tar.gz, data.tar.xz in that order' '
	ar t out/$pkg >members &&
	check_lines members debian-binary control.tar.gz data.tar.xz &&
	ar tv out/$pkg | cut -d" " -f1,2 >modes &&
	check_lines modes "rw-r--r-- 0/0" "rw-r--r-- 0/0" "rw-r--r-- 0/0" &&
	ar p out/$pkg debian-binary >v && check_lines v 2.0 &&
	head -c 8 out/$pkg >magic && printf "!<arch>\n" | cmp - magic
'

test_expect_success 'control.tar.gz holds only ./control, as opkg-build writes it' '
	ar p out/$pkg control.tar.gz >control.tar.gz &&
	echo $(od -An -tx1 -N8 control.tar.gz) >h && check_lines h "1f 8b 08 00 00 00 00 00" &&
	listing -zf control.tar.gz | cut -d" " -f1,2,4,5,6 >c &&
	check_lines c "-rw-r--r-- 0/0 2024-06-01 00:00 ./control"
'

test_expect_success 'the control file, field by field' '
	ar p out/$pkg data.tar.xz | xz -dc >data.tar &&
	tar -xOzf control.tar.gz ./control >control &&
	check_lines control \
		"Package: korg-llvm-18" \
		"Version: 18.1.8-1" \
		"Architecture: $arch" \
		"Maintainer: pkgforge tests <tests@pkgforge.invalid>" \
		"Installed-Size: $(wc -c <data.tar)" \
		"Depends: libc6 (>= 2.34), zlib1g (>= 1:1.2.11.dfsg)" \
		"Section: devel" \
		"Priority: optional" \
		"License: Apache-2.0 WITH LLVM-exception" \
		"Homepage: https://mirrors.edge.kernel.org/pub/tools/llvm/" \
		"Description: LLVM 18 toolchain from kernel.org (test fixture)" \
		" Prebuilt LLVM/Clang 18.1.8 laid out as kernel.org publishes it." \
		" ." \
		" Use it as the kernel documents: make LLVM=/opt/korg/llvm-18/bin/"
'

test_expect_success 'data.tar lists the prefix parents, then the tarball entry for entry (no ./)' '
	listing -f data.tar >data.list &&
	head -2 data.list >head &&
	check_lines head \
		"drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/" \
		"drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/" &&
	listing -f "$FIX/llvm-18.1.8-$arch.tar.xz" | sed "s#llvm-18.1.8-$arch/#./opt/korg/llvm-18/#g" >src.list &&
	tail -n +3 data.list >rest &&
	diff -u src.list rest &&
	grep -q "^hrwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/bin/clang-18 link to ./opt/korg/llvm-18/bin/clang$" rest &&
	grep -q "^lrwxrwxrwx 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/bin/clang++ -> clang$" rest &&
	grep -q "^drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/share/empty/$" rest
'

test_expect_success 'the files are the files of the tarball, byte for byte' '
	mkdir src x && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C src &&
	tar -xf data.tar -C x &&
	diff -r --no-dereference src/llvm-18.1.8-$arch x/opt/korg/llvm-18 &&
	test "$(stat -c %i x/opt/korg/llvm-18/bin/clang)" = "$(stat -c %i x/opt/korg/llvm-18/bin/clang-18)"
'

test_expect_success 'the data.tar stream is the OpenWrt one without its leading ./' '
	pkgforge build -q --format ipk --only korg-llvm-18 -s "$FIX" -o owrt "$FIX/llvm-xz.yaml" >/dev/null &&
	tar -xOzf owrt/$pkg ./data.tar.gz | gzip -dc >owrt.tar &&
	tail -c +513 owrt.tar | cmp - data.tar &&
	tar -xOzf owrt/$pkg ./control.tar.gz | tar -xOzf - ./control >owrt.control &&
	grep -v "^Installed-Size:" owrt.control >a && grep -v "^Installed-Size:" control >b && cmp a b
'

test_expect_success '--ipk-compression zst and gz: data.tar.zst, data.tar.gz, the same tar stream' '
	for c in zst gz; do
		build c-$c --ipk-compression $c >/dev/null &&
		ar t c-$c/$pkg >m && check_lines m debian-binary control.tar.gz data.tar.$c &&
		case $c in zst) dc="zstd -dc" ;; gz) dc="gzip -dc" ;; esac &&
		ar p c-$c/$pkg data.tar.$c | $dc | cmp - data.tar &&
		ar p c-$c/$pkg control.tar.gz | cmp - control.tar.gz || return 1
	done
'

test_expect_success '--ipk-compression xz:LEVEL and zst:LEVEL' '
	build xz0 --ipk-compression xz:0 >/dev/null && ! cmp -s xz0/$pkg out/$pkg &&
	ar p xz0/$pkg data.tar.xz | xz -dc | cmp - data.tar &&
	build zst3 --ipk-compression zst:3 >/dev/null && ! cmp -s zst3/$pkg c-zst/$pkg &&
	ar p zst3/$pkg data.tar.zst | zstd -dc | cmp - data.tar
'

test_expect_success 'bsdtar (libarchive, as upstream opkg) reads every layer' '
	bsdtar -tf out/$pkg >m && check_lines m debian-binary control.tar.gz data.tar.xz &&
	bsdtar -xOf out/$pkg control.tar.gz | bsdtar -xOf - control | cmp - control &&
	mkdir bsd && bsdtar -xOf c-zst/$pkg data.tar.zst | bsdtar -xf - -C bsd &&
	diff -r --no-dereference src/llvm-18.1.8-$arch bsd/opt/korg/llvm-18
'

test_expect_success 'BusyBox ar and tar read it' '
	mkdir bb && (cd bb && busybox ar -x ../out/$pkg) &&
	ls bb >m && check_lines m control.tar.gz data.tar.xz debian-binary &&
	busybox tar -xzOf bb/control.tar.gz ./control | cmp - control &&
	mkdir bb/data && busybox xz -dc bb/data.tar.xz | busybox tar -xf - -C bb/data &&
	diff -r --no-dereference src/llvm-18.1.8-$arch bb/data/opt/korg/llvm-18
'

test_expect_success 'dpkg-deb reads the same layout' '
	dpkg-deb --field out/$pkg Package Version Architecture >f &&
	check_lines f "Package: korg-llvm-18" "Version: 18.1.8-1" "Architecture: $arch" &&
	dpkg-deb --fsys-tarfile out/$pkg | cmp - data.tar
'

test_expect_code 2 'no compression' '
	build bad --ipk-compression none 2>err; rc=$?
	check_lines err "pkgforge: error: opkg cannot read an uncompressed data.tar: use gz, xz or zst for ipk" || exit 9
	test ! -e bad || exit 9
	exit $rc
'

test_expect_code 2 'an xz level out of range' '
	build bad --ipk-compression xz:10 2>err; rc=$?
	check_lines err "pkgforge: error: xz has no level 10 (0 to 9)" || exit 9
	exit $rc
'

test_expect_code 2 'a zstd level out of range' '
	build bad --ipk-compression zst:0 2>err; rc=$?
	check_lines err "pkgforge: error: zstd has no level 0 (1 to 22)" || exit 9
	exit $rc
'
