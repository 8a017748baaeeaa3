#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A file past the 8 GiB that a tar header's octal size field holds: the
# .deb takes it in GNU tar's base-256 form, and dpkg-deb reads it back.
. "$PF_TOP/tests/lib.sh"
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
big=8589934600          # 8 GiB + 8 bytes

# the source tarball (8 GiB), the spooled data.tar and the .deb
if [ "$(df -Pk "$TRASH" | awk 'NR == 2 {print $4}')" -lt $((26 * 1024 * 1024)) ]; then
	test_skip 'an 8 GiB file in a .deb' "less than 26 GiB free in $TRASH"
	exit 0
fi

test_expect_success 'an 8 GiB file in a .deb, read back by dpkg-deb' '
	printf "d t/\nF t/big 0644 $big\nf t/small 0644 small\n" | "$PF_TOOLS/mktar" >big.tar &&
	cat >big.yaml <<YAML &&
package: large-file
summary: one very large file
description: one very large file
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/large
hosts: [$arch]
source: {url: "https://example.org/big.tar"}
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <big.tar | cut -c1-64)}
YAML
	pkgforge build -q --no-payload-cache --deb-compression none -s . -o out big.yaml >list &&
	rm -f big.tar &&
	dpkg-deb --fsys-tarfile out/large-file_1.0-1_$deb.deb | tar -tvf - >listing &&
	grep -q "^-rw-r--r-- root/root $big .* ./opt/korg/large/big$" listing &&
	grep -q " ./opt/korg/large/small$" listing &&
	dpkg-deb --ctrl-tarfile out/large-file_1.0-1_$deb.deb | tar -xOf - ./md5sums >md5sums &&
	want=$(grep "  opt/korg/large/big$" md5sums | cut -d" " -f1) &&
	got=$(dpkg-deb --fsys-tarfile out/large-file_1.0-1_$deb.deb | tar -xOf - ./opt/korg/large/big | md5sum | cut -d" " -f1) &&
	test -n "$want" && test "$want" = "$got" &&
	dpkg-deb --field out/large-file_1.0-1_$deb.deb Installed-Size >size &&
	# content once, 1 KiB for each of ./opt, ./opt/korg, ./opt/korg/large and the root
	test "$(cat size)" -eq $(( (big + 5 + 4 * 1024 + 1023) / 1024 )) || { cat size; false; }
'
