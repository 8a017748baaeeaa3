#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge build --format ipk, OpenWrt flavour (the default): a gzip'd
# tar of ./debian-binary, ./control.tar.gz and ./data.tar.gz.
#
# opkg itself is not packaged in Debian 12, so nothing here installs the
# package with it.  The package is read with GNU tar and gzip, and again
# with BusyBox: OpenWrt's opkg pipes each layer through the system's
# `gzip -d -c` (BusyBox's, on OpenWrt) into its own copy of BusyBox's old
# tar reader (libbb/unarchive.c), so BusyBox is the nearest independent
# reader Debian has.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
pkg=korg-llvm-18_18.1.8-1_$arch.ipk
long=./opt/korg/llvm-18/include/clang/StaticAnalyzer/Checkers/a-directory-name-long-enough-to-need-gnu-longnames/checker-registry-entry.h

# unpack PKG DIR: outer tar, control.tar.gz and data.tar.gz with GNU tar
unpack() {
	mkdir -p "$2/outer" "$2/control" "$2/data" &&
	tar -xzf "$1" -C "$2/outer" &&
	tar -xzf "$2/outer/control.tar.gz" -C "$2/control" &&
	tar -xzf "$2/outer/data.tar.gz" -C "$2/data"
}

# "mode owner size date time name [-> target | link to target]"
listing() { tar -tv --numeric-owner "$@" | tr -s ' '; }

for comp in xz gz zst bz2; do
	test_expect_success "build from a .tar.$comp source" "
		pkgforge build -q --format ipk --only korg-llvm-18 -s '$FIX' -o out-$comp '$FIX/llvm-$comp.yaml' >list &&
		check_lines list 'out-$comp/$pkg'
	"
done

test_expect_success 'the same tar stream in any compression gives the same package' '
	cmp out-xz/$pkg out-gz/$pkg && cmp out-xz/$pkg out-zst/$pkg && cmp out-xz/$pkg out-bz2/$pkg
'

test_expect_success 'the package is a gzip stream with no time or name in its header' '
	gzip -t out-xz/$pkg &&
	echo $(od -An -tx1 -N10 out-xz/$pkg) >hdr &&
	# no flags, time 0, extra flags 4 (what zlib writes for the fastest level,
	# here 0: stored), OS 3 (Unix)
	check_lines hdr "1f 8b 08 00 00 00 00 00 04 03"
'

test_expect_success 'the outer tar holds debian-binary, control.tar.gz, data.tar.gz in that order' '
	tar -tzf out-xz/$pkg >members &&
	check_lines members ./debian-binary ./control.tar.gz ./data.tar.gz &&
	listing -zf out-xz/$pkg | cut -d" " -f1,2,4,5,6 >long &&
	check_lines long \
		"-rw-r--r-- 0/0 2024-06-01 00:00 ./debian-binary" \
		"-rw-r--r-- 0/0 2024-06-01 00:00 ./control.tar.gz" \
		"-rw-r--r-- 0/0 2024-06-01 00:00 ./data.tar.gz" &&
	unpack out-xz/$pkg u &&
	check_lines u/outer/debian-binary 2.0
'

test_expect_success 'control.tar.gz and data.tar.gz are gzip without timestamps' '
	for m in control data; do
		gzip -t u/outer/$m.tar.gz &&
		echo $(od -An -tx1 -N8 u/outer/$m.tar.gz) >h &&
		check_lines h "1f 8b 08 00 00 00 00 00" || return 1
	done
'

test_expect_success 'control.tar.gz holds ./ and ./control, as ipkg-build writes it' '
	listing -zf u/outer/control.tar.gz | cut -d" " -f1,2,4,5,6 >c &&
	check_lines c \
		"drwxr-xr-x 0/0 2024-06-01 00:00 ./" \
		"-rw-r--r-- 0/0 2024-06-01 00:00 ./control"
'

test_expect_success 'the control file, field by field' '
	size=$(gzip -dc u/outer/data.tar.gz | wc -c) &&
	check_lines u/control/control \
		"Package: korg-llvm-18" \
		"Version: 18.1.8-1" \
		"Architecture: $arch" \
		"Maintainer: pkgforge tests <tests@pkgforge.invalid>" \
		"Installed-Size: $size" \
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

test_expect_success 'data.tar.gz lists ./, the prefix parents, then the tarball entry for entry' '
	listing -zf u/outer/data.tar.gz >data.list &&
	head -3 data.list >head &&
	check_lines head \
		"drwxr-xr-x 0/0 0 2024-06-01 00:00 ./" \
		"drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/" \
		"drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/" &&
	listing -f "$FIX/llvm-18.1.8-$arch.tar.xz" | sed "s#llvm-18.1.8-$arch/#./opt/korg/llvm-18/#g" >src.list &&
	tail -n +4 data.list >rest &&
	diff -u src.list rest
'

test_expect_success 'links, hardlinks, long names and the empty directory are there' '
	check_line data.list "lrwxrwxrwx 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/bin/clang++ -> clang" &&
	check_line data.list "hrwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/bin/clang-18 link to ./opt/korg/llvm-18/bin/clang" &&
	check_line data.list "-rwxr-xr-x 0/0 $(stat -c %s "$FIX/stage/llvm-18.1.8-$arch/lib/libclang.so.18") 2024-06-01 00:00 ./opt/korg/llvm-18/lib/libclang.so.18" &&
	check_line data.list "-rw-r--r-- 0/0 46 2024-06-01 00:00 $long" &&
	check_line data.list "drwxr-xr-x 0/0 0 2024-06-01 00:00 ./opt/korg/llvm-18/share/empty/"
'

test_expect_success 'the files are the files of the tarball, byte for byte' '
	mkdir src && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C src &&
	diff -r --no-dereference src/llvm-18.1.8-$arch u/data/opt/korg/llvm-18 &&
	test "$(stat -c %h u/data/opt/korg/llvm-18/bin/clang)" = 2 &&
	test "$(stat -c %i u/data/opt/korg/llvm-18/bin/clang)" = "$(stat -c %i u/data/opt/korg/llvm-18/bin/clang-18)" &&
	find u/data -printf "%U:%G\n" | sort -u >owners && check_lines owners 0:0
'

test_expect_success 'BusyBox gzip and tar read every layer the same way' '
	mkdir -p bb/outer bb/control bb/data &&
	busybox gzip -dc out-xz/$pkg | busybox tar -xf - -C bb/outer &&
	busybox gzip -dc bb/outer/control.tar.gz | busybox tar -xf - -C bb/control &&
	busybox gzip -dc bb/outer/data.tar.gz | busybox tar -xf - -C bb/data &&
	cmp bb/control/control u/control/control &&
	diff -r --no-dereference src/llvm-18.1.8-$arch bb/data/opt/korg/llvm-18 &&
	test "$(stat -c %i bb/data/opt/korg/llvm-18/bin/clang)" = "$(stat -c %i bb/data/opt/korg/llvm-18/bin/clang-18)" &&
	test "$(readlink bb/data/opt/korg/llvm-18/lib/libclang.so)" = libclang.so.18
'

test_expect_success 'modes are normalised as for every format, without the .deb rule for libraries' '
	printf "d t/ 0700\nd t/bin 0775\nf t/bin/tool 0700 x\nf t/bin/script 0750 y\nd t/lib 0755\nf t/lib/libfoo.so.1 0755 z\nf t/data 0600 w\nf t/note 0444 n\nd t/tmp 1777\n" |
		"$PF_TOOLS/mktar" | gzip -n >modes.tar.gz &&
	cat >modes.yaml <<-YAML &&
	package: modes
	summary: modes
	description: modes
	license: MIT
	maintainer: T <t@example.org>
	prefix: /opt/korg/modes
	hosts: [$arch]
	source: {url: "https://example.org/modes.tar.gz"}
	versions:
	  - version: 1.0
	    sha256: {$arch: $(sha256sum <modes.tar.gz | cut -c1-64)}
	YAML
	pkgforge build -q --format deb,ipk -s . -o m modes.yaml >list &&
	check_lines list m/modes_1.0-1_$deb.deb m/modes_1.0-1_$arch.ipk &&
	tar -xOzf m/modes_1.0-1_$arch.ipk ./data.tar.gz | listing -zf - | cut -d" " -f1,6 | tail -n +4 >modes &&
	check_lines modes \
		"drwxr-xr-x ./opt/korg/modes/" \
		"drwxr-xr-x ./opt/korg/modes/bin/" \
		"-rwxr-xr-x ./opt/korg/modes/bin/tool" \
		"-rwxr-xr-x ./opt/korg/modes/bin/script" \
		"drwxr-xr-x ./opt/korg/modes/lib/" \
		"-rwxr-xr-x ./opt/korg/modes/lib/libfoo.so.1" \
		"-rw-r--r-- ./opt/korg/modes/data" \
		"-rw-r--r-- ./opt/korg/modes/note" \
		"drwxr-xr-x ./opt/korg/modes/tmp/" &&
	dpkg-deb --fsys-tarfile m/modes_1.0-1_$deb.deb | listing -f - | grep libfoo | cut -d" " -f1 >debmode &&
	check_lines debmode -rw-r--r--
'

test_expect_success 'relations: Provides and Replaces as bare names, the others as written' '
	sed "s/^depends:/recommends: [aa, bb >= 1 | cc]\nsuggests: [dd]\nprovides: [ee = 1, ff]\nconflicts: [gg < 2]\nreplaces: [hh < 3]\ndepends:/" \
		"$FIX/llvm-xz.yaml" >rel.yaml &&
	pkgforge build -q --format ipk --only korg-llvm-18 -s "$FIX" -o rel rel.yaml >/dev/null &&
	tar -xOzf rel/$pkg ./control.tar.gz | tar -xOzf - ./control | grep -E "^(Depends|Recommends|Suggests|Conflicts|Replaces|Provides):" >rels &&
	check_lines rels \
		"Depends: libc6 (>= 2.34), zlib1g (>= 1:1.2.11.dfsg)" \
		"Recommends: aa, bb (>= 1) | cc" \
		"Suggests: dd" \
		"Conflicts: gg (<< 2)" \
		"Replaces: hh" \
		"Provides: ee, ff"
'

test_expect_code 2 'alternatives in an opkg Provides are refused where they are written' '
	sed "s/^depends:/provides: [aa | bb]\ndepends:/" "$FIX/llvm-xz.yaml" >alt.yaml &&
	pkgforge lint alt.yaml 2>err; rc=$?
	check_lines err \
		"alt.yaml:15:12: error: invalid RPM relation '"'"'(aa or bb)'"'"' in '"'"'provides'"'"': rich dependencies (alternatives) are not allowed here" \
		"alt.yaml:15:12: error: invalid opkg relation '"'"'aa | bb'"'"' in '"'"'provides'"'"': opkg takes one package name per item here, no alternatives" "2 errors" || exit 9
	exit $rc
'

test_expect_success 'deb and ipk from one pass, each the same as when built alone' '
	pkgforge build -q --format deb,ipk --only korg-llvm-18 -s "$FIX" -o both "$FIX/llvm-xz.yaml" >list &&
	check_lines list both/korg-llvm-18_18.1.8-1_$deb.deb both/$pkg &&
	cmp both/$pkg out-xz/$pkg &&
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o debonly "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp both/korg-llvm-18_18.1.8-1_$deb.deb debonly/korg-llvm-18_18.1.8-1_$deb.deb
'

test_expect_success '--ipk-compression gz:LEVEL changes the bytes, not the tar stream' '
	pkgforge build -q --format ipk --ipk-compression gz:1 --only korg-llvm-18 -s "$FIX" -o gz1 "$FIX/llvm-xz.yaml" >/dev/null &&
	! cmp -s gz1/$pkg out-xz/$pkg &&
	tar -xOzf gz1/$pkg ./data.tar.gz | gzip -dc >a.tar &&
	gzip -dc u/outer/data.tar.gz >b.tar && cmp a.tar b.tar &&
	tar -xOzf gz1/$pkg ./control.tar.gz | cmp - u/outer/control.tar.gz
'

test_expect_success 'both versions are built' '
	pkgforge build -q --format ipk -s "$FIX" -o all "$FIX/llvm-xz.yaml" >list &&
	check_lines list all/$pkg all/korg-llvm-17_17.0.6-1_$arch.ipk
'

# bad_opt 'options' 'expected message': exit 2, that message, nothing written
bad_opt() {
	pkgforge build -q --format ipk $1 -s "$FIX" -o bad "$FIX/llvm-xz.yaml" >out 2>err
	rc=$?
	check_lines err "pkgforge: error: $2" || return 9
	test ! -e bad && test ! -s out || return 9
	return $rc
}

test_expect_code 2 'an unknown flavour' 'bad_opt "--ipk-flavor debian" "unknown ipk flavor '"'"'debian'"'"' (openwrt, yocto)"'
test_expect_code 2 'an empty flavour' 'bad_opt "--ipk-flavor=" "unknown ipk flavor '"'"''"'"' (openwrt, yocto)"'
test_expect_code 2 'xz for OpenWrt' \
	'bad_opt "--ipk-compression xz" "OpenWrt'"'"'s opkg reads only gzip: xz needs --ipk-flavor yocto"'
test_expect_code 2 'zstd for OpenWrt, even when building only deb' '
	pkgforge build -q --format deb --ipk-compression zst -s "$FIX" -o bad "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: OpenWrt'"'"'s opkg reads only gzip: zstd needs --ipk-flavor yocto" || exit 9
	test ! -e bad || exit 9
	exit $rc
'
test_expect_code 2 'no compression' \
	'bad_opt "--ipk-compression none" "opkg cannot read an uncompressed data.tar: use gz, xz or zst for ipk"'
test_expect_code 2 'a gzip level out of range' 'bad_opt "--ipk-compression gz:12" "gzip has no level 12 (1 to 9)"'
test_expect_code 2 'an unknown compression' \
	'bad_opt "--ipk-compression lz4" "unknown compression '"'"'lz4'"'"' (xz, gz, zst, none)"'
test_expect_code 2 'a malformed level' 'bad_opt "--ipk-compression gz:fast" "invalid compression level '"'"'fast'"'"'"'
