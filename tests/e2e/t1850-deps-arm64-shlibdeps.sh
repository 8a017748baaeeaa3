#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The arm64 data against the arm64 packages of the Debian 12 archive:
# the committed symbol data is what their symbols and shlibs files give,
# and the Depends pkgforge derives for aarch64 ELF files (cross-compiled
# ones, and arm64 libraries out of those packages) equal what
# dpkg-shlibdeps, told the host is arm64 (DEB_HOST_ARCH), computes for
# the same files from the packages' own symbols files.
#
# The packages come through apt, as scripts/mkprofile-debian-foreign
# downloads them (the machine's sources, a configuration of its own: the
# machine's apt and dpkg state are not touched).  It is the one test
# that reaches beyond 127.0.0.1, so it runs only when asked to
# (PKGFORGE_TEST_ARCHIVE=1 make check), never in a plain make check; and
# when apt cannot download the packages, it is skipped.
. "$PF_TOP/tests/lib.sh"

if test "${PKGFORGE_TEST_ARCHIVE:-}" != 1; then
	test_skip 'the arm64 data against the Debian archive and dpkg-shlibdeps' \
		'reaches the Debian archive: run with PKGFORGE_TEST_ARCHIVE=1'
	exit 0
fi

debs=$TRASH/debs
"$PF_TOP/scripts/mkprofile-debian-foreign" --debs "$debs" arm64 debian-12 >fresh.yaml 2>fetch.err
rc=$?
if ! compgen -G "$debs/libc6_*_arm64.deb" >/dev/null; then
	test_skip 'the arm64 data against the Debian archive and dpkg-shlibdeps' \
		"apt cannot download Debian's arm64 packages: $(grep -m1 -E '^(E|W):' fetch.err)"
	exit 0
fi

test_expect_success 'the committed arm64 symbol data is what the archive'"'"'s packages give' '
	test $rc -eq 0 &&
	sed -n "/^libraries:/,\$p" "$PF_TOP/profiles/debian-12.arm64.yaml" >committed &&
	sed -n "/^libraries:/,\$p" fresh.yaml >now &&
	test -s now &&
	diff -u committed now
'

# deptree PKG...: each package unpacked as a package build tree,
# deps/PKG with its control data (symbols, shlibs) in DEBIAN/
deptree() {
	local p
	for p in "$@"; do
		mkdir -p "deps/$p/DEBIAN" &&
		dpkg-deb -x "$debs/${p}_"*"_arm64.deb" "deps/$p" &&
		dpkg-deb -e "$debs/${p}_"*"_arm64.deb" "deps/$p/DEBIAN" || return 1
	done
}

# shlibdeps TREE PREFIX PKG...: dpkg-shlibdeps for an arm64 host over the
# ELF files of TREE installed as PREFIX, the libraries found in the
# package build trees of PKG... (and their symbols files used)
shlibdeps() {
	local tree=$1 prefix=$2 p
	shift 2
	rm -rf shl && mkdir -p shl/debian/x/DEBIAN "shl/debian/x$(dirname "$prefix")" &&
	printf "Source: x\nBuild-Depends:\n\nPackage: x\nArchitecture: any\n" >shl/debian/control &&
	cp -a "$tree" "shl/debian/x$prefix" &&
	set -- $(for p in "$@"; do echo "-S$TRASH/deps/$p"; done) &&
	(cd shl && find debian/x -type f ! -path "*/DEBIAN/*" -exec sh -c "head -c4 \"\$1\" | grep -q ELF" sh {} \; -print | sort >elf &&
	 DEB_HOST_ARCH=arm64 dpkg-shlibdeps -O "$@" $(cat elf) 2>../shlibdeps.err) |
		sed -n "s/^shlibs:Depends=//p" >want
}

# depends MANIFEST TARBALL: pkgforge's deb Depends of the package
depends() {
	pkgforge plan --json --format deb -s "$2" "$1" >plan.json &&
	jq -r "[.[0].formats.deb.relations.depends[] | .text] | join(\", \")" plan.json >got
}

# manifest NAME TARBALL: a manifest for host aarch64
manifest() {
	cat <<YAML
package: $1
summary: aarch64 ELF files
description: aarch64 ELF files
license: MIT
maintainer: T <t@example.org>
prefix: /opt/$1
hosts: [aarch64]
source: {url: "https://example.org/\${version}/$(basename "$2")"}
versions:
  - version: 1.0
    sha256: {aarch64: $(sha256sum <"$2" | cut -c1-64)}
YAML
}

deptree libc6 libstdc++6 libgcc-s1 zlib1g libzstd1 libgmp10 libmpfr6 || exit 1

test_expect_success 'cross-compiled aarch64 binaries: Depends equal dpkg-shlibdeps' '
	"$PF_TOP/tests/fixtures/mkarm64" "$TRASH" &&
	manifest tc tc-1.0-aarch64.tar.gz >tc.yaml &&
	depends tc.yaml tc-1.0-aarch64.tar.gz &&
	shlibdeps stage/tc-1.0-aarch64 /opt/tc libc6 libstdc++6 libgcc-s1 &&
	check_lines want "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 5.2)" &&
	diff -u want got
'

# arm64 libraries of the archive whose needs the profile knows: libz3
# (libstdc++, libgcc_s, libm, libc), libelf (zlib, zstd), libmpc (mpfr,
# gmp), libisl (gmp); none needs another of them
test_expect_success 'arm64 libraries of Debian 12: Depends equal dpkg-shlibdeps' '
	mkdir -p real/libs-1.0/lib &&
	for p in libz3-4 libelf1 libmpc3 libisl23; do
		dpkg-deb -x "$debs/${p}_"*"_arm64.deb" "x-$p" || exit 1
	done &&
	for so in libz3.so.4 libelf.so.1 libmpc.so.3 libisl.so.23; do
		cp -L "$(find x-* -name "$so" | head -1)" real/libs-1.0/lib/ || exit 1
	done &&
	readelf -h real/libs-1.0/lib/libz3.so.4 | grep -q "Machine: *AArch64" &&
	tar -C real --sort=name --owner=0 --group=0 -czf libs.tar.gz libs-1.0 &&
	manifest libs libs.tar.gz >libs.yaml &&
	depends libs.yaml libs.tar.gz &&
	shlibdeps real/libs-1.0 /opt/libs libc6 libstdc++6 libgcc-s1 zlib1g libzstd1 libgmp10 libmpfr6 &&
	grep -q "libstdc++6 (>= " want && grep -q "libgmp10 (>= " want &&
	grep -q "zlib1g (>= " want && grep -q "libmpfr6 (>= " want &&
	diff -u want got
'
