#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpm Requires and Provides derived from the ELF files are those rpm's own
# /usr/lib/rpm/elfdeps prints for the same files, less the requirements
# the package satisfies itself (the sonames it provides).
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)

# rpm_sets MANIFEST SRC: pkgforge's derived rpm requires and provides
# (origin elf:...) of the first package, sorted, into got-req and got-prov
rpm_sets() {
	pkgforge plan --json --format rpm -s "$2" "$1" >plan.json &&
	jq -r '.[0].formats.rpm.relations.depends // [] | .[] | select(.origin | startswith("elf:")) | .text' plan.json | sort >got-req &&
	jq -r '.[0].formats.rpm.relations.provides // [] | .[] | select(.origin | startswith("elf:")) | .text' plan.json | sort >got-prov &&
	jq -e '.[0].derived_relations == "included"' plan.json >/dev/null
}

# elfdeps_sets DIR: what rpm's elfdeps says of every regular file below
# DIR, requires without those on sonames the files provide
elfdeps_sets() {
	find "$1" -type f | sort >files &&
	/usr/lib/rpm/elfdeps --provides <files | sort -u >want-prov &&
	/usr/lib/rpm/elfdeps --requires <files | sort -u >all-req &&
	sed 's/(.*//' want-prov | sort -u >provided &&
	awk -F'(' 'NR == FNR { p[$1] = 1; next } !($1 in p)' provided all-req >want-req
}

test_expect_success 'fixture toolchain: requires and provides equal elfdeps output' '
	rpm_sets "$FIX/llvm-xz.yaml" "$FIX" &&
	mkdir fx && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C fx &&
	elfdeps_sets fx &&
	diff -u want-req got-req && diff -u want-prov got-prov &&
	grep -qx "libclang.so.18(LLVM_18)(64bit)" got-prov &&
	grep -qx "libz.so.1(ZLIB_1.2.9)(64bit)" got-req &&
	grep -qx "rtld(GNU_HASH)" got-req &&
	! grep -q "^libclang" got-req
'

test_expect_success 'the library a binary finds through $ORIGIN is not required' '
	grep -qx "libclang.so.18(LLVM_18)(64bit)" all-req &&
	grep -qx "libclang.so.18()(64bit)" all-req
'

test_expect_success 'origins name the file that needs or provides' '
	jq -e "[.[0].formats.rpm.relations.provides[] | select(.text == \"libclang.so.18()(64bit)\") | .origin] == [\"elf:lib/libclang.so.18\"]" plan.json &&
	jq -e "[.[0].formats.rpm.relations.depends[] | select(.text == \"libc6 >= 2.34\") | .origin] == [\"manifest\"]" plan.json
'

# Real binaries of this system: a selection of /usr/lib/llvm-14, bundled
# libraries with their symlinks, as a toolchain tarball lays them out.
L=/usr/lib/llvm-14
files="bin/count bin/not bin/llvm-PerfectShuffle bin/llvm-ar bin/llvm-nm
	lib/libc++.so.1.0 lib/libc++abi.so.1.0 lib/libunwind.so.1.0 lib/libomp.so.5
	lib/libarcher.so lib/libompd.so lib/libomptarget.so lib/LLVMgold.so
	lib/libLTO.so.14 lib/libRemarks.so.14"
if ! test -x /usr/lib/rpm/elfdeps; then
	test_skip 'llvm-14 binaries: requires and provides equal elfdeps output' 'no /usr/lib/rpm/elfdeps (package rpm)'
else
test_expect_success 'llvm-14 binaries: requires and provides equal elfdeps output' '
	mkdir -p l14/llvm-14/bin l14/llvm-14/lib &&
	for f in $files; do cp "$L/$f" l14/llvm-14/$f || exit 1; done &&
	ln -s libc++.so.1.0 l14/llvm-14/lib/libc++.so.1 &&
	ln -s libc++abi.so.1.0 l14/llvm-14/lib/libc++abi.so.1 &&
	ln -s libunwind.so.1.0 l14/llvm-14/lib/libunwind.so.1 &&
	ln -s libLTO.so.14 l14/llvm-14/lib/libLTO.so &&
	tar -C l14 --sort=name --owner=0 --group=0 -czf llvm14.tar.gz llvm-14 &&
	cat >l14.yaml <<YAML &&
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
YAML
	rpm_sets l14.yaml llvm14.tar.gz &&
	elfdeps_sets l14 &&
	diff -u want-req got-req && diff -u want-prov got-prov &&
	grep -qx "libLLVM-14.so.1()(64bit)" got-req &&
	grep -qx "libc++abi.so.1()(64bit)" all-req && ! grep -q "^libc++abi" got-req &&
	grep -qx "libomp.so.5(VERSION)(64bit)" got-prov
'
fi
