#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A file of 4 GiB or more: cpio "newc" headers hold 32-bit sizes, so the
# package takes rpm's large-file form (LONGFILESIZES, LONGSIZE and
# LONGARCHIVESIZE, rpm's stripped cpio headers, rpmlib(LargeFiles)), as
# rpmbuild 4.12 and later write it.  The source is a pattern that
# compresses to under a megabyte; the build still reads, digests and
# spools 4 GiB (about half a minute), and installing writes 4 GiB.
. "$PF_TOP/tests/lib.sh"
arch=$(uname -m)
size=4294967396         # 4 GiB + 100 bytes
# The SHA-256 of mktar's pattern of that size, known in advance (computed
# once with: printf 'F big 0644 4294967396\n' | mktar | tar -xOf - big | sha256sum)
big_sha256=9262704d25c4729e21c875243cf8cc3f3cac7b6ebc2c7c38d4cede39df6c5484
pkg=pf-bigfile-1.0-1.$arch.rpm

# the content spool, the installed file, with room to spare
avail=$(df -Pk "$TRASH" | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt $((12 * 1024 * 1024)) ]; then
	test_skip 'a package with a file over 4 GiB' "needs 12 GiB free in ${TMPDIR:-/tmp}"
	exit 0
fi

printf 'd t/\nd t/bin\nF t/bin/big 0755 %s\nh t/bin/big2 t/bin/big\nf t/bin/small 0644 hello\nl t/bin/link big\n' $size |
	"$PF_TOOLS/mktar" | zstd -q -1 -T2 >big.tar.zst || exit 1
cat >big.yaml <<YAML
package: pf-bigfile
summary: a package with a file over 4 GiB
description: a package with a file over 4 GiB
license: MIT
maintainer: T <t@example.org>
prefix: /opt/pf-bigfile
hosts: [$arch]
source: {url: 'https://example.org/big.tar.zst'}
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <big.tar.zst | cut -c1-64)}
YAML

test_expect_success 'build' '
	pkgforge build -q -f rpm --rpm-compression zst:1 -s . -o out big.yaml >list &&
	check_lines list out/$pkg &&
	test $(stat -c %s out/$pkg) -lt 10000000
'

test_expect_success 'rpm -K: digests OK' '
	rpm -K --nosignature out/$pkg >k && check_lines k "out/$pkg: digests OK"
'

# Where the main header starts: the lead, then the signature header
# (16 bytes, 16 per index entry, its data) padded to 8 bytes.
header_offset() {
	local n d len
	read -r n d < <(head -c 112 "$1" | tail -c 8 | od -An -tu4 --endian=big)
	len=$((16 + 16 * n + d))
	echo $((96 + len + (8 - len % 8) % 8))
}

test_expect_success 'the large-file form: 64-bit sizes and rpmlib(LargeFiles)' '
	rpm -qp --requires out/$pkg >req &&
	check_line req "rpmlib(LargeFiles) <= 4.12.0-1" &&
	rpm -qp --qf "%{LONGSIZE} %{LONGSIGSIZE} %{LONGARCHIVESIZE}\n" out/$pkg >sizes &&
	read -r total sigsize archsize <sizes &&
	test "$total" = $((size + 5 + 3)) &&
	test "$sigsize" = $(( $(stat -c %s out/$pkg) - $(header_offset out/$pkg) )) &&
	test "$archsize" -gt $size
'

test_expect_success 'rpm -qpl --dump shows the real sizes and digests' '
	rpm -qpl --dump out/$pkg | grep "^/opt/pf-bigfile/bin/" >dump &&
	check_lines dump \
		"/opt/pf-bigfile/bin/big $size 1717200000 $big_sha256 0100755 root root 0 0 0 X" \
		"/opt/pf-bigfile/bin/big2 $size 1717200000 $big_sha256 0100755 root root 0 0 0 X" \
		"/opt/pf-bigfile/bin/link 3 1717200000 0000000000000000000000000000000000000000000000000000000000000000 0120777 root root 0 0 0 big" \
		"/opt/pf-bigfile/bin/small 5 1717200000 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 0100644 root root 0 0 0 X"
'

test_expect_success 'rpm2cpio refuses it as rpm 4.18 does for large files' '
	! rpm2cpio out/$pkg >/dev/null 2>err &&
	check_lines err "files over 4GB not supported by cpio, use rpm2archive instead"
'

if ! require_root; then
	test_skip 'rpm -i and rpm -V of the large file' 'needs root'
	exit 0
fi

test_expect_success 'rpm -i into a scratch root, then rpm -V finds nothing changed' '
	mkdir root &&
	rpm --root "$TRASH/root" --force-debian -i --nodeps out/$pkg &&
	rpm --root "$TRASH/root" -V --nodeps pf-bigfile >verify && test ! -s verify &&
	b=root/opt/pf-bigfile/bin &&
	test "$(stat -c %s $b/big)" = $size &&
	test "$(stat -c %h $b/big)" = 2 && test "$(stat -c %i $b/big)" = "$(stat -c %i $b/big2)" &&
	printf abcdefghijklmnopqrstuvwxyz | cmp - <(head -c 26 $b/big) &&
	printf hello | cmp - $b/small &&
	test "$(readlink $b/link)" = big
'
