#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real manifests (manifests/*.yaml): lint clean, and the matrix they
# plan, spot-checked against kernel.org's facts (the signed lists of the
# issue's notes): names, versions, architectures, URLs, pinned sha256,
# the package counts and the metapackages.
. "$PF_TOP/tests/lib.sh"
M=$PF_TOP/manifests
K=https://mirrors.edge.kernel.org/pub/tools

test_expect_success 'every manifest lints clean' '
	pkgforge lint "$M"/*.yaml >out 2>err &&
	check_lines out "4 manifests, 1078 packages: ok" &&
	test ! -s err
'

test_expect_success 'plan lists the whole matrix, one line per package' '
	pkgforge plan "$M" >plan 2>err &&
	test ! -s err &&
	test $(wc -l <plan) -eq 1078 &&
	test $(grep -c "^korg-llvm-" plan) -eq 24 &&
	test $(grep -c "^korg-rust-" plan) -eq 14 &&
	test $(grep -c "^korg-gcc-[0-9]" plan) -eq 490 &&
	test $(grep -c "^korg-binutils-" plan) -eq 490 &&
	test $(grep -c " metapackage: " plan) -eq 60
'

# rows checked by hand against the notes: sha256 values are those of the
# signed sha256sums.asc copies (korg-sums/), not of the manifests
test_expect_success 'spot-checked rows, exactly' '
	check_line plan "korg-llvm-22                 22.1.8-1         deb:amd64,rpm:x86_64,ipk:x86_64      /opt/korg/llvm-22      $K/llvm/files/llvm-22.1.8-x86_64.tar.xz sha256:-" &&
	check_line plan "korg-llvm-18                 18.1.8-1         deb:arm64,rpm:aarch64,ipk:aarch64    /opt/korg/llvm-18      $K/llvm/files/llvm-18.1.8-aarch64.tar.xz sha256:0c40f3a507dc1fbe4806de7c8528c35c3ece220270a1660593a9d577ffa39708" &&
	check_line plan "korg-llvm-11                 11.1.0-1         deb:amd64,rpm:x86_64,ipk:x86_64      /opt/korg/llvm-11      $K/llvm/files/llvm-11.1.0-x86_64.tar.xz sha256:e5e0c90971e45340e7ee3ed6fd9c0b31d2ee8c42fe6ab7584b24cfccf988f994" &&
	check_line plan "korg-rust-1.87.0             1.87.0-1         deb:arm64,rpm:aarch64,ipk:aarch64    /opt/korg/rust-1.87.0  $K/llvm/rust/files/llvm-20.1.7-rust-1.87.0-aarch64.tar.xz sha256:-" &&
	check_line plan "korg-gcc-16-x86-64           16.2.0-1         deb:amd64,rpm:x86_64,ipk:x86_64      /opt/korg/gcc-16       $K/crosstool/files/bin/x86_64/16.2.0/x86_64-gcc-16.2.0-nolibc-x86_64-linux.tar.xz sha256:-" &&
	check_line plan "korg-gcc-14-arm64            14.2.0-1         deb:arm64,rpm:aarch64,ipk:aarch64    /opt/korg/gcc-14       $K/crosstool/files/bin/arm64/14.2.0/arm64-gcc-14.2.0-nolibc-aarch64-linux.tar.xz sha256:d9ed85ff577837368d36ee2e35dbcbdbf6d9ef585717f5d47beeaddcdc76cd22" &&
	check_line plan "korg-binutils-14-arm64       14.2.0-1         deb:amd64,rpm:x86_64,ipk:x86_64      /opt/korg/gcc-14       $K/crosstool/files/bin/x86_64/14.2.0/x86_64-gcc-14.2.0-nolibc-aarch64-linux.tar.xz sha256:53deb48c660f1453ca79fa224d44de1145c8c5377d90040934af063d1b726b29" &&
	check_line plan "korg-gcc-13-parisc64         13.3.0-1         deb:amd64,rpm:x86_64,ipk:x86_64      /opt/korg/gcc-13       $K/crosstool/files/bin/x86_64/13.3.0/x86_64-gcc-13.3.0-nolibc-hppa64-linux.tar.xz sha256:837cd8f088e60734e6574c3a07539c3773a3d7923975672347726a4ff565547f" &&
	check_line plan "korg-binutils-9-i386         9.5.0-1          deb:arm64,rpm:aarch64,ipk:aarch64    /opt/korg/gcc-9        $K/crosstool/files/bin/arm64/9.5.0/arm64-gcc-9.5.0-nolibc-i386-linux.tar.xz sha256:0da518ff53755ed61157b83e57185cbc37eb9331d8609802ffdd235b8bc75b88"
'

test_expect_success 'what kernel.org does not publish is not planned' '
	! grep -q "^korg-llvm-23 " plan &&
	! grep -q "^korg-llvm-10 " plan &&
	! grep -q "/x86_64/9.5.0/x86_64-gcc-9.5.0-nolibc-i386-linux" plan &&
	grep -q "/arm64/9.5.0/arm64-gcc-9.5.0-nolibc-i386-linux" plan &&
	! grep -q "/x86_64/14.2.0/x86_64-gcc-14.2.0-nolibc-hppa64-linux" plan &&
	! grep -q "/arm64/14.[24].0/arm64-gcc-14.[24].0-nolibc-i386-linux" plan &&
	! grep -q "nolibc-s390x-linux" plan &&
	! grep -q "nolibc-loongarch64-linux" <(grep "/1[01].5.0/" plan)
'

test_expect_success 'the metapackages: korg-llvm and korg-gcc-<target>, on the newest' '
	grep " metapackage: " plan | awk "{ print \$1, \$6, \$7, \$8 }" | sort -u >metas &&
	check_lines metas \
		"korg-gcc-alpha korg-gcc-14-alpha (>= 14.2.0-1)" \
		"korg-gcc-arc korg-gcc-14-arc (>= 14.2.0-1)" \
		"korg-gcc-arm korg-gcc-16-arm (>= 16.2.0-1)" \
		"korg-gcc-arm64 korg-gcc-16-arm64 (>= 16.2.0-1)" \
		"korg-gcc-csky korg-gcc-14-csky (>= 14.2.0-1)" \
		"korg-gcc-h8300 korg-gcc-9-h8300 (>= 9.5.0-1)" \
		"korg-gcc-i386 korg-gcc-16-i386 (>= 16.2.0-1)" \
		"korg-gcc-ia64 korg-gcc-10-ia64 (>= 10.5.0-1)" \
		"korg-gcc-loongarch korg-gcc-16-loongarch (>= 16.2.0-1)" \
		"korg-gcc-m68k korg-gcc-16-m68k (>= 16.2.0-1)" \
		"korg-gcc-microblaze korg-gcc-14-microblaze (>= 14.2.0-1)" \
		"korg-gcc-mips korg-gcc-16-mips (>= 16.2.0-1)" \
		"korg-gcc-mips64 korg-gcc-16-mips64 (>= 16.2.0-1)" \
		"korg-gcc-nds32le korg-gcc-9-nds32le (>= 9.5.0-1)" \
		"korg-gcc-nios2 korg-gcc-14-nios2 (>= 14.2.0-1)" \
		"korg-gcc-openrisc korg-gcc-14-openrisc (>= 14.2.0-1)" \
		"korg-gcc-parisc korg-gcc-14-parisc (>= 14.2.0-1)" \
		"korg-gcc-parisc64 korg-gcc-13-parisc64 (>= 13.3.0-1)" \
		"korg-gcc-powerpc korg-gcc-16-powerpc (>= 16.2.0-1)" \
		"korg-gcc-powerpc64 korg-gcc-16-powerpc64 (>= 16.2.0-1)" \
		"korg-gcc-riscv32 korg-gcc-16-riscv32 (>= 16.2.0-1)" \
		"korg-gcc-riscv64 korg-gcc-16-riscv64 (>= 16.2.0-1)" \
		"korg-gcc-s390 korg-gcc-16-s390 (>= 16.2.0-1)" \
		"korg-gcc-sh2 korg-gcc-14-sh2 (>= 14.2.0-1)" \
		"korg-gcc-sh4 korg-gcc-14-sh4 (>= 14.2.0-1)" \
		"korg-gcc-sparc korg-gcc-14-sparc (>= 14.2.0-1)" \
		"korg-gcc-sparc64 korg-gcc-16-sparc64 (>= 16.2.0-1)" \
		"korg-gcc-x86-64 korg-gcc-16-x86-64 (>= 16.2.0-1)" \
		"korg-gcc-xtensa korg-gcc-14-xtensa (>= 14.2.0-1)" \
		"korg-llvm korg-llvm-22 (>= 22.1.8-1)"
'

test_expect_success 'filters: --only, --host, --version, --format on the matrix' '
	pkgforge plan --only "korg-gcc-14-*" "$M" >g14 &&
	test $(wc -l <g14) -eq 76 &&
	! grep -v "^korg-gcc-14-" g14 &&
	pkgforge plan --only "korg-gcc-14-*" --host arm64 --version 14.4.0 --format deb "$M" >g &&
	test $(wc -l <g) -eq 13 &&
	test $(grep -c " deb:arm64 " g) -eq 13 &&
	! grep -q "^korg-gcc-14-i386 " g &&
	pkgforge plan --only "korg-llvm*" --host aarch64 "$M" >l &&
	test $(wc -l <l) -eq 13 &&
	pkgforge plan --only "korg-rust-*" --host amd64 --format rpm "$M" >r &&
	awk "{ print \$1, \$2, \$3 }" r >r3 &&
	check_lines r3 "korg-rust-1.97.0 1.97.0-1 rpm:x86_64" "korg-rust-1.91.0 1.91.0-1 rpm:x86_64" \
		"korg-rust-1.87.0 1.87.0-1 rpm:x86_64" "korg-rust-1.85.0 1.85.0-1 rpm:x86_64" \
		"korg-rust-1.84.0 1.84.0-1 rpm:x86_64" "korg-rust-1.83.0 1.83.0-1 rpm:x86_64" \
		"korg-rust-1.81.0 1.81.0-1 rpm:x86_64"
'

test_expect_success 'plan --json: checksums, signatures, alternatives, the gcc -> binutils dependency' '
	pkgforge plan --json --only korg-gcc-16-arm64 --only korg-binutils-16-arm64 --host x86_64 "$M" >j &&
	jq -e "length == 2" j &&
	jq -e "(.[] | select(.name == \"korg-gcc-16-arm64\")) as \$g |
	       \$g.version == \"16.2.0\" and \$g.prefix == \"/opt/korg/gcc-16\" and \$g.source.strip == 1 and
	       \$g.source.sha256 == null and
	       \$g.source.url == \"$K/crosstool/files/bin/x86_64/16.2.0/x86_64-gcc-16.2.0-nolibc-aarch64-linux.tar.xz\" and
	       \$g.source.checksums.url == \"$K/crosstool/files/bin/x86_64/16.2.0/sha256sums.asc\" and
	       \$g.source.checksums.signers == [\"B8868C80BA62A1FFFAF5FDA9632D3A06589DA6B1\"] and
	       \$g.source.signature.url == \"$K/crosstool/files/bin/x86_64/16.2.0/x86_64-gcc-16.2.0-nolibc-aarch64-linux.tar.sign\" and
	       \$g.source.signature.signers == [\"88AFCD206B1611957187F16B60AB47FFC9095227\"] and
	       \$g.formats.deb.relations.depends == [{\"text\": \"korg-binutils-16-arm64 (= 16.2.0-1)\", \"origin\": \"manifest\"}] and
	       \$g.formats.rpm.relations.depends[0].text == \"korg-binutils-16-arm64 = 16.2.0-1\" and
	       \$g.formats.ipk.relations.depends[0].text == \"korg-binutils-16-arm64 (= 16.2.0-1)\" and
	       \$g.alternatives == [{\"name\": \"aarch64-linux-gcc\", \"link\": \"/usr/bin/aarch64-linux-gcc\",
	                            \"path\": \"/opt/korg/gcc-16/aarch64-linux/bin/aarch64-linux-gcc\", \"priority\": 16}]" j &&
	jq -e "(.[] | select(.name == \"korg-gcc-16-arm64\")) as \$g |
	       (.[] | select(.name == \"korg-binutils-16-arm64\")) as \$b |
	       \$b.source.url == \$g.source.url and \$b.source.signature == \$g.source.signature and
	       \$b.prefix == \$g.prefix and (\$b.alternatives | length) == 15 and
	       \$b.alternatives[2] == {\"name\": \"aarch64-linux-as\", \"link\": \"/usr/bin/aarch64-linux-as\",
	                              \"path\": \"/opt/korg/gcc-16/aarch64-linux/bin/aarch64-linux-as\", \"priority\": 16} and
	       \$b.formats.deb.relations == {}" j
'

test_expect_success 'a pinned version keeps its pin; the newest LLVM takes the signed list' '
	pkgforge plan --json --only "korg-llvm-2[12]" --host x86_64 "$M" >l.json &&
	jq -e ".[0].name == \"korg-llvm-22\" and .[0].source.sha256 == null and
	       .[0].source.checksums.url == \"$K/llvm/files/sha256sums.asc\" and
	       (.[0].source | has(\"signature\") | not) and
	       .[1].name == \"korg-llvm-21\" and
	       .[1].source.sha256 == \"f198d8b06f2f29793f91a6c7c3f7f9d090503d0da0334b9a1920fe5f97638b8b\"" l.json
'
