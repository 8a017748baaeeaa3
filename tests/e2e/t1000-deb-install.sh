#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The .deb with the real dpkg: install, list, run, co-install, remove;
# and lintian.  Installing needs root (CI runs as root).
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac

pkgforge build -q -s "$FIX" -o out "$FIX/llvm-xz.yaml" >/dev/null || exit 1
p18=out/korg-llvm-18_18.1.8-1_$deb.deb
p17=out/korg-llvm-17_17.0.6-1_$deb.deb

test_expect_success 'dpkg-deb --info reads the package' '
	dpkg-deb --info $p18 >info &&
	grep -q "^ new Debian package, version 2.0.$" info &&
	grep -q "^ Package: korg-llvm-18$" info
'

test_expect_success 'dpkg-deb --contents lists the prefix' '
	dpkg-deb --contents $p18 >contents &&
	grep -q " ./opt/korg/llvm-18/bin/clang$" contents
'

# lintian, with the tags this kind of package earns by design:
#  dir-or-file-in-opt   the kernel.org toolchains live in /opt/korg/<name>
#                       (FHS 3.13: add-on packages in /opt/<provider>); that
#                       is where the kernel docs and users expect them
#  no-copyright-file, no-changelog
#                       a package writes nothing outside its prefix, so it
#                       co-installs with any other version; the license is
#                       in the control data and in the upstream tree
test_expect_success 'lintian finds no errors' '
	lintian --fail-on error --suppress-tags dir-or-file-in-opt,no-copyright-file,no-changelog \
		$p18 $p17 >lintian.out 2>&1 || { cat lintian.out; false; } &&
	! grep "^E:" lintian.out
'

if ! require_root; then
	test_skip 'dpkg -i, -L, -r' 'needs root'
	exit 0
fi

test_cleanup 'dpkg -r korg-llvm-18 korg-llvm-17'

test_expect_success 'dpkg -i installs the package' '
	dpkg -i $p18 >log 2>&1 &&
	dpkg-query -W -f="\${Status} \${Version}\n" korg-llvm-18 >st &&
	check_lines st "install ok installed 18.1.8-1"
'

test_expect_success 'dpkg -L lists the files under the prefix' '
	dpkg -L korg-llvm-18 >files &&
	check_line files /opt/korg/llvm-18/bin/clang &&
	check_line files /opt/korg/llvm-18/bin/clang++ &&
	check_line files /opt/korg/llvm-18/bin/clang-18 &&
	check_line files /opt/korg/llvm-18/lib/libclang.so.18 &&
	check_line files /opt/korg/llvm-18/share/empty
'

test_expect_success 'the installed clang runs, through its symlink and hardlink too' '
	/opt/korg/llvm-18/bin/clang --version >v &&
	check_lines v "clang version 18.1.8 (pkgforge fixture)" &&
	/opt/korg/llvm-18/bin/clang++ --version | grep -q "^clang version 18.1.8" &&
	/opt/korg/llvm-18/bin/clang-18 --version | grep -q "^clang version 18.1.8" &&
	test "$(stat -c %i /opt/korg/llvm-18/bin/clang)" = "$(stat -c %i /opt/korg/llvm-18/bin/clang-18)"
'

test_expect_success 'dpkg --verify finds nothing changed' '
	dpkg --verify korg-llvm-18 >verify && test ! -s verify
'

test_expect_success 'another version co-installs' '
	dpkg -i $p17 >log 2>&1 &&
	/opt/korg/llvm-17/bin/clang --version | grep -q "^clang version 17.0.6" &&
	/opt/korg/llvm-18/bin/clang --version | grep -q "^clang version 18.1.8"
'

test_expect_success 'dpkg -r removes everything it installed' '
	dpkg -r korg-llvm-18 >log 2>&1 &&
	test ! -e /opt/korg/llvm-18 &&
	test -x /opt/korg/llvm-17/bin/clang &&
	dpkg -r korg-llvm-17 >log 2>&1 &&
	test ! -e /opt/korg
'
