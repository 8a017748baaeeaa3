#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge build --format deb: the .deb as dpkg-deb reads it.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
pkg=korg-llvm-18_18.1.8-1_$deb.deb
long=opt/korg/llvm-18/include/clang/StaticAnalyzer/Checkers/a-directory-name-long-enough-to-need-gnu-longnames/checker-registry-entry.h

for comp in xz gz zst bz2; do
	test_expect_success "build from a .tar.$comp source" "
		pkgforge build -q --only korg-llvm-18 -s '$FIX' -o out-$comp '$FIX/llvm-$comp.yaml' >list &&
		check_lines list 'out-$comp/$pkg' &&
		test -f out-$comp/$pkg
	"
done

test_expect_success 'the .deb holds debian-binary, control.tar.xz, data.tar.xz' '
	ar t out-xz/$pkg >members &&
	check_lines members debian-binary control.tar.xz data.tar.xz &&
	ar p out-xz/$pkg debian-binary >v && check_lines v 2.0
'

test_expect_success 'the same tar stream in any compression gives the same package' '
	cmp out-xz/$pkg out-gz/$pkg && cmp out-xz/$pkg out-zst/$pkg && cmp out-xz/$pkg out-bz2/$pkg
'

test_expect_success 'control file fields' '
	dpkg-deb --field out-xz/$pkg >control &&
	check_line control "Package: korg-llvm-18" &&
	check_line control "Version: 18.1.8-1" &&
	check_line control "Architecture: $deb" &&
	check_line control "Maintainer: pkgforge tests <tests@pkgforge.invalid>" &&
	check_line control "Depends: libc6 (>= 2.34), zlib1g (>= 1:1.2.11.dfsg)" &&
	check_line control "Section: devel" &&
	check_line control "Priority: optional" &&
	check_line control "Homepage: https://mirrors.edge.kernel.org/pub/tools/llvm/" &&
	check_line control "Description: LLVM 18 toolchain from kernel.org (test fixture)" &&
	check_line control " Prebuilt LLVM/Clang 18.1.8 laid out as kernel.org publishes it." &&
	check_line control " ." &&
	check_line control " Use it as the kernel documents: make LLVM=/opt/korg/llvm-18/bin/" &&
	grep -q "^Installed-Size: [0-9][0-9]*$" control
'

test_expect_success 'Installed-Size is counted as dpkg-gencontrol counts it' '
	mkdir x && dpkg-deb -x out-xz/$pkg x &&
	bytes=$( (find x -type f -links 1 -printf "%s\n";
		  find x -type f -links +1 -printf "%i %s\n" | sort -u | cut -d" " -f2;
		  find x -type l -printf "%l\n" | tr -d "\n" | wc -c;
		  find x -mindepth 1 -type d -printf "1024\n"; echo 1024) | paste -sd+ | bc) &&
	want=$(( (bytes + 1023) / 1024 )) &&
	check_line control "Installed-Size: $want"
'

test_expect_success 'data.tar: paths, owners, modes, links, long names, empty dir' '
	dpkg-deb --fsys-tarfile out-xz/$pkg | tar -tvf - --numeric-owner >listing &&
	awk "{print \$1, \$2, \$6, \$7, \$8, \$9}" listing | sed "s/ *\$//" >short &&
	check_line short "drwxr-xr-x 0/0 ./" &&
	check_line short "drwxr-xr-x 0/0 ./opt/" &&
	check_line short "drwxr-xr-x 0/0 ./opt/korg/" &&
	check_line short "drwxr-xr-x 0/0 ./opt/korg/llvm-18/" &&
	check_line short "-rwxr-xr-x 0/0 ./opt/korg/llvm-18/bin/clang" &&
	check_line short "lrwxrwxrwx 0/0 ./opt/korg/llvm-18/bin/clang++ -> clang" &&
	check_line short "hrwxr-xr-x 0/0 ./opt/korg/llvm-18/bin/clang-18 link to ./opt/korg/llvm-18/bin/clang" &&
	grep -q "^h.* ./opt/korg/llvm-18/bin/clang-18 link to ./opt/korg/llvm-18/bin/clang$" listing &&
	check_line short "-rw-r--r-- 0/0 ./opt/korg/llvm-18/lib/libclang.so.18" &&
	check_line short "lrwxrwxrwx 0/0 ./opt/korg/llvm-18/lib/libclang.so -> libclang.so.18" &&
	check_line short "-rw-r--r-- 0/0 ./$long" &&
	check_line short "drwxr-xr-x 0/0 ./opt/korg/llvm-18/share/empty/" &&
	! grep -v " 0/0 " listing
'

test_expect_success 'data.tar entries follow the source order with parents first' '
	dpkg-deb --fsys-tarfile out-xz/$pkg | tar -tf - >names &&
	head -5 names >first &&
	check_lines first ./ ./opt/ ./opt/korg/ ./opt/korg/llvm-18/ ./opt/korg/llvm-18/bin/
'

test_expect_success 'md5sums lists every regular file, hardlinks included, and matches' '
	dpkg-deb --ctrl-tarfile out-xz/$pkg | tar -xOf - ./md5sums >md5sums &&
	test $(wc -l <md5sums) -eq 5 &&
	grep -q "  opt/korg/llvm-18/bin/clang-18$" md5sums &&
	grep -q "  $long$" md5sums &&
	(cd x && md5sum -c --quiet ../md5sums)
'

test_expect_success 'the files are the files of the tarball' '
	mkdir src && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C src &&
	diff -r src/llvm-18.1.8-$arch x/opt/korg/llvm-18 &&
	test "$(stat -c %h x/opt/korg/llvm-18/bin/clang)" = 2 &&
	test "$(stat -c %i x/opt/korg/llvm-18/bin/clang)" = "$(stat -c %i x/opt/korg/llvm-18/bin/clang-18)"
'

test_expect_success 'mtimes come from the tarball without SOURCE_DATE_EPOCH' '
	grep -c "2024-06-01 00:00" listing >n && test $(cat n) -eq $(wc -l <listing) &&
	ar tv out-xz/$pkg | grep -c "Jun  1 00:00 2024" >n && test $(cat n) -eq 3
'

test_expect_success '--deb-compression gz, zst and none' '
	for c in gz zst none; do
		pkgforge build -q --only korg-llvm-18 --deb-compression $c -s "$FIX" -o c-$c "$FIX/llvm-xz.yaml" >/dev/null &&
		ar t c-$c/$pkg | tail -1 >m &&
		case $c in none) want=data.tar ;; *) want=data.tar.$c ;; esac &&
		check_lines m $want &&
		dpkg-deb --fsys-tarfile c-$c/$pkg | tar -tf - >n2 && cmp names n2 || return 1
	done
'

test_expect_success 'both versions are built by default' '
	pkgforge build -q -s "$FIX" -o both "$FIX/llvm-xz.yaml" >list &&
	check_lines list both/$pkg both/korg-llvm-17_17.0.6-1_$deb.deb
'

test_expect_code 2 'an unknown compression is a usage error' '
	pkgforge build --deb-compression lz4 -s "$FIX" -o o "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: unknown compression '"'"'lz4'"'"' (xz, gz, zst, none)" || exit 9
	exit $rc
'

test_expect_code 1 'offline, a package without a source fails and says what is missing' '
	sha=$(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64)
	pkgforge build -q --offline --only korg-llvm-18 -o o "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: --offline: 1 file is not in the cache $TRASH/.cache/pkgforge:" \
		"  llvm-18.1.8-$arch.tar.xz (sha256 $sha), for korg-llvm-18 18.1.8 ($arch)" || exit 9
	test ! -e o || exit 9
	exit $rc
'
