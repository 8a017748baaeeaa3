#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile tarballs are refused for .ipk as for .deb (exit 2, the same
# message, no .ipk and no spool left behind), in both flavours; and the
# OpenWrt flavour refuses what its opkg cannot read.
. "$PF_TOP/tests/lib.sh"

# try NAME FLAVOR 'expected message' [FORMATS]: pin NAME.tar.gz (made by
# the caller) in a manifest, build it, expect exit 2, the message and an
# empty output directory
try() {
	local name=$1 flavor=$2 want=$3 formats=${4:-ipk}
	hostile_manifest "$name"
	mkdir "out-$name-$flavor"
	"$PKGFORGE" build -q --format "$formats" --ipk-flavor "$flavor" -s . \
		-o "out-$name-$flavor" "$name.yaml" >stdout 2>stderr
	rc=$?
	if [ $rc -ne 2 ]; then echo "exit code $rc, want 2"; cat stderr; return 1; fi
	check_lines stderr "pkgforge: error: $want" || return 1
	if [ -n "$(ls -A "out-$name-$flavor")" ]; then echo "left behind:"; ls -A "out-$name-$flavor"; return 1; fi
	test ! -s stdout
}

mk() { "$PF_TOOLS/mktar" | gzip -n >"$1.tar.gz"; }

printf "d t/\nf t/ok 0644 fine\nf t/su 4755 x\n" | mk suid
printf "d t/\nd t/bin\nf t/bin/tool 0755 tool\nl t/bin/evil ../../etc/shadow\n" | mk esc
printf "d t/\nf t/a 0644 x\nf t/a 0644 y\n" | mk dup
printf "d t/\nH t/big 0644 8589934592\n" | mk big
printf "d t/\nH t/almost 0644 8589934591\n" | mk almost

for flavor in openwrt yocto; do
	test_expect_success "$flavor: a setuid file" "
		try suid $flavor \"./suid.tar.gz: refusing 't/su': it has the setuid or setgid bit (mode 4755)\"
	"
	test_expect_success "$flavor: a symlink escaping the prefix (found after the data is written)" "
		try esc $flavor \"./esc.tar.gz: refusing 'opt/korg/hostile/bin/evil': symlink to '../../etc/shadow' points outside /opt/korg/hostile\"
	"
	test_expect_success "$flavor: a duplicate path, deb and ipk at once" "
		try dup $flavor \"./dup.tar.gz: refusing 't/a': duplicate path (it maps to /opt/korg/hostile/a twice)\" deb,ipk
	"
done

test_expect_success 'openwrt: a file of 8 GiB is refused before anything is read of it' '
	try big openwrt "hostile-big (ipk): /opt/korg/hostile/big is 8 GiB or more, which OpenWrt'"'"'s opkg cannot read (its tar headers hold sizes in 11 octal digits): build it with --ipk-flavor yocto"
'

# Under a 2 MiB file size limit: the entry cut short must be abandoned,
# not padded with 8 GiB of zeros into the compressed spool (about 8 MB of
# gzip), which would also take long.
test_expect_success 'openwrt: one byte less passes that check; the cut-short entry is abandoned' '
	ulimit -f 2048 &&
	try almost openwrt "./almost.tar.gz: corrupt or truncated archive: Truncated tar archive"
'

test_expect_success 'yocto: no such limit (the truncated tarball fails after)' '
	try big yocto "./big.tar.gz: corrupt or truncated archive: Truncated tar archive"
'
