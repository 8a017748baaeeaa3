#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An aarch64-host toolchain: its .deb and .ipk dependencies come from the
# profile's arm64 data (profiles/debian-12.arm64.yaml), chosen by the
# package's architecture; a profile without arm64 data is an error; the
# payload cache and `pkgforge check` use the data of each package's
# architecture.  The aarch64 ELF files are cross-compiled against Debian
# 12's arm64 glibc and libstdc++ (tests/fixtures/mkarm64); what
# dpkg-shlibdeps says of the same files with the archive's arm64 symbols
# files is tests/e2e/t1850-deps-arm64-shlibdeps.sh.
. "$PF_TOP/tests/lib.sh"

want="libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 5.2)"

# the toolchain (tests/fixtures/mkarm64): bin/tool (C: libm, the dynamic
# loader's __libc_stack_end, lib/libtool.so.1 through $ORIGIN/../lib) and
# lib/libtool.so.1 (C++)
"$PF_TOP/tests/fixtures/mkarm64" "$TRASH" || exit 1
T=stage/tc-1.0-aarch64
cp tc-1.0-aarch64.tar.gz tc-1.0-arm64.tar.gz
sha=$(sha256sum <tc-1.0-aarch64.tar.gz | cut -c1-64)

# manifest HOST [EXTRA]: the toolchain's manifest for host HOST
manifest() {
	cat <<YAML
package: tc-arm
summary: a cross-compiled aarch64 toolchain
description: a cross-compiled aarch64 toolchain
license: MIT
maintainer: T <t@example.org>
prefix: /opt/tc
hosts: [$1]
source: {url: "https://example.org/tc-\${version}-\${host}.tar.gz"}
versions:
  - version: 1.0
    sha256: {$1: $sha}
${2:-}
YAML
}

# profiles of our own: mini = Debian 12's data plus a package libfoo1,
# 1.0 on amd64 and 2.0 on arm64; only/ holds its amd64 data alone
mkdir -p pro only
sed "s/^packages:\$/packages:\n  libfoo1: '1.0'/" "$PF_TOP/profiles/debian-12.amd64.yaml" >pro/mini.amd64.yaml
sed "s/^packages:\$/packages:\n  libfoo1: '2.0'/" "$PF_TOP/profiles/debian-12.arm64.yaml" >pro/mini.arm64.yaml
cp pro/mini.amd64.yaml only/

test_expect_success 'the toolchain holds aarch64 ELF files that need the arm64 loader' '
	readelf -h $T/bin/tool | grep -q "Machine: *AArch64" &&
	readelf -d $T/bin/tool | grep -q "NEEDED.*\[ld-linux-aarch64.so.1\]" &&
	readelf -V $T/bin/tool | grep -q "Name: GLIBC_2.17" &&
	readelf -d $T/lib/libtool.so.1 | grep -q "NEEDED.*\[libstdc++.so.6\]"
'

test_expect_success 'deb and ipk Depends come from the arm64 data' '
	manifest aarch64 >tc.yaml &&
	pkgforge plan --json --format deb,ipk -s tc-1.0-aarch64.tar.gz tc.yaml >plan.json &&
	for f in deb ipk; do
		jq -r "[.[0].formats.$f.relations.depends[] | .text] | join(\", \")" plan.json >got &&
		check_lines got "$want" || exit 1
	done &&
	jq -e "[.[0].formats.deb.relations.depends[] | .origin] == [\"elf:bin/tool\", \"elf:lib/libtool.so.1\", \"elf:lib/libtool.so.1\"]" plan.json
'

test_expect_success 'the .deb is arm64, the .ipk aarch64, both with those Depends' '
	pkgforge build -q -f deb,ipk -s tc-1.0-aarch64.tar.gz -o pkgs tc.yaml >/dev/null &&
	dpkg-deb --field pkgs/tc-arm_1.0-1_arm64.deb Architecture Depends >f &&
	check_lines f "Architecture: arm64" "Depends: $want" &&
	mkdir ipk && (cd ipk && tar -xzf ../pkgs/tc-arm_1.0-1_aarch64.ipk && tar -xzf control.tar.gz) &&
	grep -E "^(Architecture|Depends):" ipk/control >f &&
	check_lines f "Architecture: aarch64" "Depends: $want"
'

test_expect_success 'crosstool spells the host arm64: the same data' '
	manifest arm64 >tc64.yaml &&
	pkgforge build -q -f deb -s tc-1.0-arm64.tar.gz -o out64 tc64.yaml >/dev/null &&
	dpkg-deb --field out64/tc-arm_1.0-1_arm64.deb Architecture Depends >f &&
	check_lines f "Architecture: arm64" "Depends: $want"
'

test_expect_success 'ubuntu-24.04 has arm64 data too' '
	manifest aarch64 "profile: ubuntu-24.04" >u.yaml &&
	pkgforge build -q -f deb -s tc-1.0-aarch64.tar.gz -o outu u.yaml >/dev/null &&
	dpkg-deb --field outu/tc-arm_1.0-1_arm64.deb Architecture Depends >f &&
	check_lines f "Architecture: arm64" "Depends: $want"
'

test_expect_code 2 'a profile without arm64 data: build (with the payload cache) names it' '
	manifest aarch64 "profile: mini" >mini.yaml &&
	PKGFORGE_PROFILES=$TRASH/only pkgforge build -f deb -s tc-1.0-aarch64.tar.gz -o no mini.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: tc-arm: profile '"'"'mini'"'"' has no data for arm64 (it has data for amd64)" || exit 9
	test ! -e no/tc-arm_1.0-1_arm64.deb || exit 9
	exit $rc
'

test_expect_code 2 'the same without the payload cache, and in plan' '
	PKGFORGE_PROFILES=$TRASH/only pkgforge build --no-payload-cache -f ipk -s tc-1.0-aarch64.tar.gz -o no mini.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: tc-arm: profile '"'"'mini'"'"' has no data for arm64 (it has data for amd64)" || exit 9
	PKGFORGE_PROFILES=$TRASH/only pkgforge plan --json --format deb -s tc-1.0-aarch64.tar.gz mini.yaml >out 2>err2
	test $? -eq $rc || exit 9
	cmp err err2 || exit 9
	exit $rc
'

test_expect_success 'without arm64 data, lint passes and the rpm builds' '
	PKGFORGE_PROFILES=$TRASH/only pkgforge lint mini.yaml &&
	PKGFORGE_PROFILES=$TRASH/only pkgforge build -q -f rpm -s tc-1.0-aarch64.tar.gz -o rpm mini.yaml >/dev/null &&
	test -f rpm/tc-arm-1.0-1.aarch64.rpm
'

test_expect_code 2 'a path to amd64 data for an arm64 package' '
	manifest aarch64 "profile: $TRASH/pro/mini.amd64.yaml" >path.yaml &&
	pkgforge build -q -f deb -s tc-1.0-aarch64.tar.gz -o no path.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: tc-arm: profile '"'"'$TRASH/pro/mini.amd64.yaml'"'"' has no data for arm64 (it has data for amd64)" || exit 9
	exit $rc
'

test_expect_success 'a path DIR/NAME: the file of the package'"'"'s architecture' '
	manifest aarch64 "profile: $TRASH/pro/mini" >stem.yaml &&
	pkgforge build -q -f deb -s tc-1.0-aarch64.tar.gz -o stem stem.yaml >/dev/null &&
	dpkg-deb --field stem/tc-arm_1.0-1_arm64.deb Architecture Depends >f &&
	check_lines f "Architecture: arm64" "Depends: $want"
'

test_expect_success 'the payload cache key is the digest of the arm64 data only' '
	export XDG_CACHE_HOME=$TRASH/pcache &&
	mkdir pro2 && cp pro/mini.*.yaml pro2/ &&
	b() { PKGFORGE_PROFILES=$TRASH/pro2 pkgforge build -f deb -s tc-1.0-aarch64.tar.gz -o "$1" mini.yaml >/dev/null 2>"$1.err"; } &&
	b c1 && ! grep -q "payload cache" c1.err &&
	b c2 && check_lines c2.err "pkgforge: tc-1.0-aarch64.tar.gz: the payloads come from the payload cache" &&
	echo "# changed" >>pro2/mini.amd64.yaml &&
	b c3 && grep -q "the payloads come from the payload cache" c3.err &&
	echo "# changed" >>pro2/mini.arm64.yaml &&
	b c4 && ! grep -q "payload cache" c4.err && test ! -s c4.err &&
	cmp c1/tc-arm_1.0-1_arm64.deb c4/tc-arm_1.0-1_arm64.deb
'

# mkdeb NAME ARCH DEPENDS: a package made with dpkg-deb
mkdeb() {
	rm -rf "d-$1" && mkdir -p "d-$1/DEBIAN" "d-$1/opt/$1" &&
	printf "Package: %s\nVersion: 1.0\nArchitecture: %s\nMaintainer: T <t@example.org>\nDepends: %s\nDescription: x\n" \
		"$1" "$2" "$3" >"d-$1/DEBIAN/control" &&
	echo "$1" >"d-$1/opt/$1/f" &&
	dpkg-deb --root-owner-group -b "d-$1" "$1.deb" >/dev/null
}

test_expect_success 'check: an arm64 package is checked against the arm64 base' '
	mkdeb a64 arm64 "libfoo1 (>= 2.0), libc6 (>= 2.17)" &&
	mkdeb a86 amd64 "libfoo1 (>= 2.0), libc6 (>= 2.17)" &&
	mkdeb any all "libfoo1 (>= 2.0)" &&
	PKGFORGE_PROFILES=$TRASH/pro pkgforge check --profile mini a64.deb >out &&
	check_lines out "1 package checked against mini: no problem" &&
	pkgforge check pkgs/tc-arm_1.0-1_arm64.deb >out &&
	check_lines out "1 package checked against debian-12: no problem"
'

test_expect_code 1 'check: the amd64 one against the amd64 base, in one set' '
	PKGFORGE_PROFILES=$TRASH/pro pkgforge check --profile mini a64.deb a86.deb >out 2>err; rc=$?
	check_lines err \
		"a86.deb: error: a86 1.0: depends on '"'"'libfoo1 (>= 2.0)'"'"', but mini has libfoo1 1.0" \
		"1 problem in 2 packages" || exit 9
	exit $rc
'

test_expect_success 'check: an all package with arm64 packages is checked on arm64' '
	PKGFORGE_PROFILES=$TRASH/pro pkgforge check -q --profile mini any.deb a64.deb
'

test_expect_code 1 'check: an all package alone, on every architecture of the profile' '
	PKGFORGE_PROFILES=$TRASH/pro pkgforge check --profile mini any.deb >out 2>err; rc=$?
	check_lines err \
		"any.deb: error: any 1.0: depends on '"'"'libfoo1 (>= 2.0)'"'"', but mini (amd64) has libfoo1 1.0" \
		"1 problem in 1 package" || exit 9
	exit $rc
'

test_expect_code 2 'check: a profile without arm64 data' '
	PKGFORGE_PROFILES=$TRASH/only pkgforge check --profile mini a86.deb a64.deb >out 2>err; rc=$?
	check_lines err "pkgforge: error: profile '"'"'mini'"'"' has no data for arm64 (it has data for amd64)" || exit 9
	test ! -s out || exit 9
	exit $rc
'
