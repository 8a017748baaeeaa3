#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The .rpm with the real rpm 4.18: rpmlint; install into a scratch root,
# verify, run, co-install, upgrade, erase.  Installing needs root (CI runs
# as root).  The fixture depends on libc6, a Debian name the scratch
# root's empty database cannot satisfy: rpm -i and -V take --nodeps.
# --force-debian silences the Debian rpm wrapper's advice to use alien.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)

pkgforge build -q -f rpm -s "$FIX" -o out "$FIX/llvm-xz.yaml" >/dev/null || exit 1
p18=out/korg-llvm-18-18.1.8-1.$arch.rpm
p17=out/korg-llvm-17-17.0.6-1.$arch.rpm

# rpmlint, with the errors this kind of package earns by design:
cat >rpmlintrc <<'EOF'
# The kernel.org toolchains live in /opt/korg/<name> (FHS 3.13: add-on
# packages in /opt/<provider>); that is where the kernel docs and users
# expect them.
addFilter("E: dir-or-file-in-opt ")
# rpmlint takes a package whose name ends in a number and that holds a
# shared library for a library package; /opt/korg is the directory every
# korg toolchain shares, each in its own versioned directory below it.
addFilter("E: non-versioned-file-in-library-package /opt/korg$")
# Packages are signed when a repository is published, not when built.
addFilter("E: no-signature")
# The libraries live in the toolchain's private prefix, outside the
# dynamic linker's search path; its binaries find them through their
# RUNPATH, and ldconfig has nothing to do for them.
addFilter("E: library-without-ldconfig-post(in|un) /opt/korg/llvm-[0-9]+/lib/")
# pkgforge packages upstream binaries unchanged.  Upstream links its
# tools with RUNPATH $ORIGIN/../lib (inside the package: that is how
# bin/clang finds lib/libclang.so), and modern linkers emit .gnu.hash
# only (rpmlint wants the old SysV .hash too).
addFilter("E: binary-or-shlib-defines-rpath /opt/korg/llvm-[0-9]+/bin/clang(-[0-9]+)? \(RUNPATH: \$ORIGIN/../lib\)")
addFilter("E: missing-hash-section /opt/korg/llvm-[0-9]+/lib/libclang.so.[0-9]+")
EOF

test_expect_success 'rpmlint finds no errors' '
	rpmlint -r rpmlintrc $p18 $p17 >rpmlint.out 2>&1 || { cat rpmlint.out; false; } &&
	! grep ": E: " rpmlint.out &&
	grep -q "2 packages and 0 specfiles checked; 0 errors" rpmlint.out
'

if ! require_root; then
	test_skip 'rpm -i, -V, -U, -e into a scratch root' 'needs root'
	exit 0
fi

root=$TRASH/root
r() { rpm --root "$root" --force-debian "$@"; }

test_expect_success 'rpm -i installs the package' '
	mkdir root &&
	r -i --nodeps $p18 &&
	r -q korg-llvm-18 >q && check_lines q korg-llvm-18-18.1.8-1.$arch
'

test_expect_success 'rpm -ql lists the files under the prefix, and /opt/korg' '
	r -ql korg-llvm-18 >files &&
	check_line files /opt/korg &&
	check_line files /opt/korg/llvm-18/bin/clang &&
	check_line files /opt/korg/llvm-18/bin/clang++ &&
	check_line files /opt/korg/llvm-18/bin/clang-18 &&
	check_line files /opt/korg/llvm-18/lib/libclang.so.18 &&
	check_line files /opt/korg/llvm-18/share/empty &&
	! grep -qx /opt files
'

test_expect_success 'the installed clang runs, through its symlink and hardlink too' '
	b=$root/opt/korg/llvm-18/bin &&
	$b/clang --version >v &&
	check_lines v "clang version 18.1.8 (pkgforge fixture)" &&
	$b/clang++ --version | grep -q "^clang version 18.1.8" &&
	$b/clang-18 --version | grep -q "^clang version 18.1.8" &&
	test "$(stat -c %i $b/clang)" = "$(stat -c %i $b/clang-18)" &&
	test "$(stat -c %h $b/clang)" = 2
'

test_expect_success 'the installed tree is the tarball' '
	mkdir src && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C src &&
	diff -r src/llvm-18.1.8-$arch $root/opt/korg/llvm-18 &&
	find $root/opt/korg ! -user root -o ! -group root >notroot && test ! -s notroot
'

test_expect_success 'rpm -V finds nothing changed' '
	r -V --nodeps korg-llvm-18 >verify && test ! -s verify
'

test_expect_success 'rpm -V notices a changed file' '
	printf x >>$root/opt/korg/llvm-18/share/doc/README &&
	! r -V --nodeps korg-llvm-18 >verify &&
	check_lines verify "S.5....T.    /opt/korg/llvm-18/share/doc/README" &&
	r -i --nodeps --replacepkgs $p18 &&
	r -V --nodeps korg-llvm-18 >verify && test ! -s verify
'

test_expect_success 'another version co-installs; both own /opt/korg' '
	r -i --nodeps $p17 &&
	$root/opt/korg/llvm-17/bin/clang --version | grep -q "^clang version 17.0.6" &&
	$root/opt/korg/llvm-18/bin/clang --version | grep -q "^clang version 18.1.8" &&
	r -qf /opt/korg | sort >owners &&
	check_lines owners korg-llvm-17-17.0.6-1.$arch korg-llvm-18-18.1.8-1.$arch &&
	r -V --nodeps korg-llvm-17 >verify && test ! -s verify
'

test_expect_success 'rpm -U upgrades to a new release' '
	sed "s/^versions:/release: \"2\"\nversions:/" "$FIX/llvm-xz.yaml" >rel2.yaml &&
	pkgforge build -q -f rpm --only korg-llvm-18 -s "$FIX" -o up rel2.yaml >list &&
	check_lines list up/korg-llvm-18-18.1.8-2.$arch.rpm &&
	r -U --nodeps up/korg-llvm-18-18.1.8-2.$arch.rpm &&
	r -q korg-llvm-18 >q && check_lines q korg-llvm-18-18.1.8-2.$arch &&
	r -V --nodeps korg-llvm-18 >verify && test ! -s verify &&
	$root/opt/korg/llvm-18/bin/clang --version | grep -q "^clang version 18.1.8"
'

# Hardlink sets with the file first, in the middle and last, a set of
# empty files: rpm's installer takes each set's content from its last
# entry in the payload.
test_expect_success 'hardlink sets in any order install and verify' '
	printf "%s\n" "d t/" "f t/m 0755 middle" "h t/a t/m" "h t/z t/m" "f t/empty 0644" \
		"h t/empty2 t/empty" "f t/b0 0644 b0" | "$PF_TOOLS/mktar" | gzip -n >tricky.tar.gz &&
	cat >tricky.yaml <<YAML &&
package: pf-tricky
summary: hardlinks in awkward orders
description: hardlinks in awkward orders
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/tricky
hosts: [$arch]
source: {url: "https://example.org/tricky.tar.gz"}
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <tricky.tar.gz | cut -c1-64)}
YAML
	pkgforge build -q -f rpm -s tricky.tar.gz -o tricky tricky.yaml >/dev/null &&
	r -i --nodeps tricky/pf-tricky-1.0-1.$arch.rpm &&
	r -V --nodeps pf-tricky >verify && test ! -s verify &&
	d=$root/opt/korg/tricky &&
	for f in a m z; do printf middle | cmp - $d/$f || return 1; done &&
	test "$(stat -c %h $d/m)" = 3 && test "$(stat -c %i $d/a)" = "$(stat -c %i $d/z)" &&
	test ! -s $d/empty2 && test "$(stat -c %i $d/empty)" = "$(stat -c %i $d/empty2)" &&
	r -e pf-tricky && test ! -e $d
'

test_expect_success 'rpm -e removes everything it installed' '
	r -e korg-llvm-18 &&
	test ! -e $root/opt/korg/llvm-18 &&
	test -x $root/opt/korg/llvm-17/bin/clang &&
	r -e korg-llvm-17 &&
	test ! -e $root/opt/korg &&
	r -qa >left && test ! -s left
'
