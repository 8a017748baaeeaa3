#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb Depends derived from the ELF files with the debian-12 profile are
# what dpkg-shlibdeps computes for the same files on this Debian system.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac

# deb_depends MANIFEST SRC: the derived Depends of the first package
deb_depends() {
	pkgforge plan --json --format deb -s "$2" "$1" >plan.json &&
	jq -r '[.[0].formats.deb.relations.depends // [] | .[] | .text] | join(", ")' plan.json >got
}

# shlibdeps ROOT PREFIX: dpkg-shlibdeps over every ELF file of a package
# tree installed as debian/x/PREFIX, private libraries in PREFIX/lib
shlibdeps() {
	rm -rf shl && mkdir -p shl/debian/x/DEBIAN "shl/debian/x$(dirname "$2")" &&
	printf "Source: x\nBuild-Depends:\n\nPackage: x\nArchitecture: any\n" >shl/debian/control &&
	cp -a "$1" "shl/debian/x$2" &&
	(cd shl && find debian/x -type f ! -path "*/DEBIAN/*" -exec sh -c "head -c4 \"\$1\" | grep -q ELF" sh {} \; -print | sort >elf &&
	 dpkg-shlibdeps -O -l"$2/lib" $(cat elf) 2>/dev/null) | sed -n "s/^shlibs:Depends=//p" >want
}

test_expect_success 'fixture toolchain: Depends equal dpkg-shlibdeps' '
	sed "/^depends:/,/^  - /d" "$FIX/llvm-xz.yaml" >nodecl.yaml &&
	deb_depends nodecl.yaml "$FIX" &&
	mkdir fx && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C fx &&
	shlibdeps fx/llvm-18.1.8-$arch /opt/korg/llvm-18 &&
	check_lines want "libc6 (>= 2.34), zlib1g (>= 1:1.2.11.dfsg)" &&
	diff -u want got
'

test_expect_success 'each derived dependency names the file that needs it' '
	jq -e "[.[0].formats.deb.relations.depends[] | .origin] == [\"elf:bin/clang\", \"elf:lib/libclang.so.18\"]" plan.json
'

test_expect_success 'a declared dependency and a derived one: the stronger stays' '
	sed "s/^  - libc6 >= 2.34/  - libc6 >= 2.36\n  - zlib1g >= 1:1.2.3/" "$FIX/llvm-xz.yaml" >strong.yaml &&
	deb_depends strong.yaml "$FIX" &&
	check_lines got "libc6 (>= 2.36), zlib1g (>= 1:1.2.11.dfsg)" &&
	jq -e "[.[0].formats.deb.relations.depends[] | .origin] == [\"manifest\", \"elf:lib/libclang.so.18\"]" plan.json
'

test_expect_success 'the built .deb carries declared and derived Depends' '
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o out "$FIX/llvm-xz.yaml" >/dev/null &&
	dpkg-deb --field out/korg-llvm-18_18.1.8-1_$deb.deb Depends >dep &&
	check_lines dep "libc6 (>= 2.34), zlib1g (>= 1:1.2.11.dfsg)"
'

test_expect_success 'without --source, plan says relations are derived at build time' '
	pkgforge plan --json "$FIX/llvm-xz.yaml" >p.json &&
	jq -e ".[0].derived_relations == \"at build time\" and .[0].profile == \"debian-12\"" p.json
'

L=/usr/lib/llvm-14
files="bin/count bin/not bin/llvm-PerfectShuffle bin/llvm-ar bin/llvm-nm
	lib/libc++.so.1.0 lib/libc++abi.so.1.0 lib/libunwind.so.1.0 lib/libomp.so.5
	lib/libarcher.so lib/libompd.so lib/libomptarget.so lib/LLVMgold.so
	lib/libLTO.so.14 lib/libRemarks.so.14"
mkdir -p l14/llvm-14/bin l14/llvm-14/lib
for f in $files; do cp "$L/$f" l14/llvm-14/$f; done
ln -s libc++.so.1.0 l14/llvm-14/lib/libc++.so.1
ln -s libc++abi.so.1.0 l14/llvm-14/lib/libc++abi.so.1
ln -s libunwind.so.1.0 l14/llvm-14/lib/libunwind.so.1
tar -C l14 --sort=name --owner=0 --group=0 -czf llvm14.tar.gz llvm-14
# manifest EXTRA: a manifest for llvm14.tar.gz with EXTRA appended
manifest() {
	cat <<YAML
package: llvm14-sample
summary: binaries of Debian llvm-14
description: binaries of Debian llvm-14
license: Apache-2.0 WITH LLVM-exception
maintainer: T <t@example.org>
prefix: /opt/l14
hosts: [$arch]
source: {url: "https://example.org/llvm14.tar.gz"}
versions:
  - version: 14.0.6
    sha256: {$arch: $(sha256sum <llvm14.tar.gz | cut -c1-64)}
$1
YAML
}

test_expect_success 'llvm-14 binaries: Depends equal dpkg-shlibdeps' '
	manifest "sonames: {map: {libLLVM-14.so.1: libllvm14}}" >l14.yaml &&
	deb_depends l14.yaml llvm14.tar.gz &&
	shlibdeps l14/llvm-14 /opt/l14 &&
	grep -q "libllvm14" want && grep -q "libz3-4" want && grep -q "libstdc++6 (>= " want &&
	diff -u want got
'

test_expect_code 2 'an unknown soname is an error naming the file and the library' '
	manifest "" >unknown.yaml &&
	pkgforge plan --json --format deb -s llvm14.tar.gz unknown.yaml >stdout 2>err; rc=$?
	check_lines err "pkgforge: error: llvm14-sample: /opt/l14/bin/llvm-ar needs libLLVM-14.so.1, which debian-12 does not list: map it to a package with '"'"'sonames: map'"'"', or leave it out with '"'"'sonames: ignore'"'"'" || exit 9
	exit $rc
'

test_expect_success 'an ignored soname gives no dependency in any format' '
	manifest "sonames: {ignore: [libLLVM-*]}" >ign.yaml &&
	pkgforge plan --json -s llvm14.tar.gz ign.yaml >ign.json &&
	jq -e "[.[0].formats[].relations.depends[] | .text | select(test(\"LLVM|llvm\"))] == []" ign.json &&
	jq -e "[.[0].formats.rpm.relations.depends[] | .text | select(. == \"libstdc++.so.6()(64bit)\")] | length == 1" ign.json
'

test_expect_success 'rpm needs no map: an unknown soname is an rpm requirement' '
	pkgforge plan --json --format rpm -s llvm14.tar.gz unknown.yaml >r.json &&
	jq -e "[.[0].formats.rpm.relations.depends[] | select(.text == \"libLLVM-14.so.1()(64bit)\") | .origin] == [\"elf:bin/llvm-ar\"]" r.json
'
