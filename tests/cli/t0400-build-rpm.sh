#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge build --format rpm: the .rpm as rpm 4.18, rpm2cpio and cpio read it.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 isa=x86-64 ;; aarch64) deb=arm64 isa=aarch-64 ;; esac
rpm=korg-llvm-18-18.1.8-1.$arch.rpm
zero=0000000000000000000000000000000000000000000000000000000000000000

build() { # DIR [OPTIONS...]: the 18.x package from the xz fixture
	local dir=$1
	shift
	pkgforge build -q --only korg-llvm-18 -f rpm "$@" -s "$FIX" -o "$dir" "$FIX/llvm-xz.yaml"
}

for comp in xz gz zst bz2; do
	test_expect_success "build from a .tar.$comp source" "
		pkgforge build -q --only korg-llvm-18 -f rpm -s '$FIX' -o out-$comp '$FIX/llvm-$comp.yaml' >list &&
		check_lines list 'out-$comp/$rpm' &&
		test -f out-$comp/$rpm
	"
done
p=out-xz/$rpm

# The changelog names the source file and its sha256, so the packages
# differ there and only there.
test_expect_success 'the same tar stream in any compression gives the same payload and files' '
	rpm2cpio $p >want.cpio && rpm -qpl --dump $p >want.dump &&
	for c in gz zst bz2; do
		rpm2cpio out-$c/$rpm | cmp - want.cpio &&
		rpm -qpl --dump out-$c/$rpm | cmp - want.dump &&
		rpm -qp --changelog out-$c/$rpm | grep -q "llvm-18.1.8-$arch.tar.$c (sha256 " || return 1
	done
'

test_expect_success 'a v3 lead for a binary package, as rpmbuild writes' '
	file -b $p >f && check_lines f "RPM v3.0 bin i386/$arch" &&
	head -c 96 $p | tail -c +11 | head -c 21 >name && printf "korg-llvm-18-18.1.8-1" | cmp - name
'

test_expect_success 'rpm -K: header and payload digests are good' '
	rpm -K --nosignature $p >k && check_lines k "$p: digests OK" &&
	rpm -Kv --nosignature $p >kv &&
	check_lines kv "$p:" "    Header SHA256 digest: OK" "    Header SHA1 digest: OK" \
		"    Payload SHA256 digest: OK" "    MD5 digest: OK"
'

test_expect_success 'rpm -K notices a damaged payload' '
	cp $p bad.rpm && size=$(stat -c %s bad.rpm) &&
	printf "\\377" | dd of=bad.rpm bs=1 seek=$((size - 100)) conv=notrunc status=none &&
	! rpm -K --nosignature bad.rpm >k 2>&1 &&
	grep -q "DIGESTS" k
'

test_expect_success 'Size counts file contents once per inode and symlink targets' '
	mkdir src && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C src &&
	( (find src -type f -links 1 -printf "%s\n";
	   find src -type f -links +1 -printf "%i %s\n" | sort -u | cut -d" " -f2;
	   find src -type l -printf "%l" | wc -c) | paste -sd+ | bc) >size.expected &&
	rpm -qp --qf "%{SIZE}\n" $p >size &&
	cmp size.expected size
'

test_expect_success 'rpm -qpi' '
	rpm -qpi $p >info &&
	check_lines info \
		"Name        : korg-llvm-18" \
		"Version     : 18.1.8" \
		"Release     : 1" \
		"Architecture: $arch" \
		"Install Date: (not installed)" \
		"Group       : Development/Tools" \
		"Size        : $(cat size.expected)" \
		"License     : Apache-2.0 WITH LLVM-exception" \
		"Signature   : (none)" \
		"Source RPM  : korg-llvm-18-18.1.8-1.src.rpm" \
		"Build Date  : Sat Jun  1 00:00:00 2024" \
		"Build Host  : pkgforge" \
		"Packager    : pkgforge tests <tests@pkgforge.invalid>" \
		"URL         : https://mirrors.edge.kernel.org/pub/tools/llvm/" \
		"Summary     : LLVM 18 toolchain from kernel.org (test fixture)" \
		"Description :" \
		"Prebuilt LLVM/Clang 18.1.8 laid out as kernel.org publishes it." \
		"" \
		"Use it as the kernel documents: make LLVM=/opt/korg/llvm-18/bin/"
'

test_expect_success 'format tags' '
	rpm -qp --qf "%{PAYLOADFORMAT} %{PAYLOADCOMPRESSOR} %{PAYLOADFLAGS} %{ENCODING} %{OS} %{ARCH} %{PAYLOADDIGESTALGO} %{FILEDIGESTALGO} %{BUILDTIME}\n" $p >tags &&
	check_lines tags "cpio xz 6 utf-8 linux $arch 8 8 1717200000"
'

test_expect_success 'requires: the relations and the rpmlib() features used' '
	rpm -qp --requires $p >req &&
	check_lines req "libc.so.6()(64bit)" \
		"libc.so.6(GLIBC_2.2.5)(64bit)" \
		"libc.so.6(GLIBC_2.34)(64bit)" \
		"libc6 >= 2.34" \
		"libm.so.6()(64bit)" \
		"libm.so.6(GLIBC_2.2.5)(64bit)" \
		"libz.so.1()(64bit)" \
		"libz.so.1(ZLIB_1.2.9)(64bit)" \
		"rpmlib(CompressedFileNames) <= 3.0.4-1" \
		"rpmlib(FileDigests) <= 4.6.0-1" \
		"rpmlib(PartialHardlinkSets) <= 4.0.4-1" \
		"rpmlib(PayloadFilesHavePrefix) <= 4.0-1" \
		"rpmlib(PayloadIsXz) <= 5.2-1" \
		"rtld(GNU_HASH)"
'

test_expect_success 'provides: the package itself, and for its ISA' '
	rpm -qp --provides $p >prov &&
	check_lines prov "korg-llvm-18 = 18.1.8-1" "korg-llvm-18($isa) = 18.1.8-1" \
		"libclang.so.18()(64bit)" "libclang.so.18(LLVM_18)(64bit)"
'

test_expect_success 'a changelog entry says where the package comes from' '
	rpm -qp --changelog $p >log &&
	sha=$(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64) &&
	check_lines log "* Sat Jun 01 2024 pkgforge tests <tests@pkgforge.invalid> - 18.1.8-1" \
		"- Packaged by pkgforge from https://mirrors.edge.kernel.org/pub/tools/llvm/files/llvm-18.1.8-$arch.tar.xz (sha256 $sha)" ""
'

# The expected dump line of every file of the extracted tarball:
# path size mtime sha256 mode owner group isconfig isdoc rdev symlink
dump_tree() { # DIR PREFIX
	(cd "$1" && find . -mindepth 1 | while read -r f; do
		path=$2/${f#./} mt=$(stat -c %Y "$f") perm=$(stat -c %a "$f")
		if [ -L "$f" ]; then
			t=$(readlink "$f")
			echo "$path ${#t} $mt $zero 0120$perm root root 0 0 0 $t"
		elif [ -d "$f" ]; then
			echo "$path 0 $mt $zero 040$perm root root 0 0 0 X"
		else
			echo "$path $(stat -c %s "$f") $mt $(sha256sum <"$f" | cut -c1-64) 0100$perm root root 0 0 0 X"
		fi
	done)
}

test_expect_success 'rpm -qpl --dump agrees with the tarball: sizes, times, digests, modes, links' '
	top=src/llvm-18.1.8-$arch && mt=$(stat -c %Y $top) &&
	{ echo "/opt/korg 0 $mt $zero 040755 root root 0 0 0 X";
	  echo "/opt/korg/llvm-18 0 $mt $zero 040755 root root 0 0 0 X";
	  dump_tree $top /opt/korg/llvm-18; } | LC_ALL=C sort >want &&
	rpm -qpl --dump $p >dump &&
	LC_ALL=C sort dump >got && diff -u want got &&
	grep -q "^/opt/korg/llvm-18/lib/libclang.so.18 .* 0100755 " dump
'

test_expect_success 'files are in sorted order; /opt itself is not owned' '
	rpm -qpl $p >names && LC_ALL=C sort names | cmp - names &&
	head -1 names >first && check_lines first /opt/korg
'

test_expect_success 'hardlinks share an inode number, nothing else does' '
	rpm -qp --qf "[%{FILEINODES} %{FILENLINKS} %{FILENAMES}\n]" $p >inodes &&
	check_line inodes "4 2 /opt/korg/llvm-18/bin/clang" &&
	check_line inodes "4 2 /opt/korg/llvm-18/bin/clang-18" &&
	test $(cut -d" " -f1 inodes | sort -u | wc -l) -eq $(($(wc -l <inodes) - 1)) &&
	test $(grep -c " 1 " inodes) -eq $(($(wc -l <inodes) - 2))
'

test_expect_success 'rpm2cpio: "./" names, the hardlink set last with its content on the last link' '
	rpm2cpio $p >payload.cpio &&
	cpio -tv --quiet <payload.cpio >cpio.list &&
	sed "s/^\\(.\\{10\\}\\) *\\([0-9]*\\) root *root *\\([0-9]*\\) .* \\(\\.\\/.*\\)/\\1 \\2 \\3 \\4/" cpio.list >short &&
	tail -2 short >last &&
	check_lines last "-rwxr-xr-x 2 0 ./opt/korg/llvm-18/bin/clang" \
		"-rwxr-xr-x 2 14496 ./opt/korg/llvm-18/bin/clang-18" &&
	cpio -t --quiet <payload.cpio | sort >cpio.names && sed "s|^|.|" names | sort >want.names &&
	cmp cpio.names want.names
'

test_expect_success 'the payload unpacks to the tarball, hardlinks and all' '
	mkdir x && (cd x && cpio -idm --quiet <../payload.cpio) &&
	diff -r src/llvm-18.1.8-$arch x/opt/korg/llvm-18 &&
	test "$(stat -c %h x/opt/korg/llvm-18/bin/clang)" = 2 &&
	test "$(stat -c %i x/opt/korg/llvm-18/bin/clang)" = "$(stat -c %i x/opt/korg/llvm-18/bin/clang-18)"
'

test_expect_success 'PAYLOADSIZE and PAYLOADDIGESTALT: size and SHA-256 of the uncompressed cpio' '
	rpm -qp --qf "%{LONGARCHIVESIZE} %{PAYLOADDIGESTALT}\n" $p >asize &&
	check_lines asize "$(stat -c %s payload.cpio) $(sha256sum <payload.cpio | cut -c1-64)"
'

test_expect_success '--rpm-compression gz, zst and none' '
	for c in gz zst none; do
		build c-$c --rpm-compression $c >/dev/null &&
		rpm -K --nosignature c-$c/$rpm >k && check_lines k "c-$c/$rpm: digests OK" &&
		rpm -qp --qf "%{PAYLOADCOMPRESSOR} %{PAYLOADFLAGS}\n" c-$c/$rpm >t &&
		case $c in
		gz) check_lines t "gzip 9" ;;
		zst) check_lines t "zstd 19" ;;
		none) check_lines t "(none) " ;;
		esac &&
		{ rpm -qp --requires c-$c/$rpm | grep PayloadIs || :; } >pis &&
		case $c in
		zst) check_lines pis "rpmlib(PayloadIsZstd) <= 5.4.18-1" ;;
		*) test ! -s pis ;;
		esac &&
		rpm2cpio c-$c/$rpm | cmp - payload.cpio || return 1
	done
'

test_expect_success '--rpm-compression with a level' '
	build c-zst3 --rpm-compression zst:3 >/dev/null &&
	rpm -qp --qf "%{PAYLOADCOMPRESSOR} %{PAYLOADFLAGS}\n" c-zst3/$rpm >t &&
	check_lines t "zstd 3" &&
	rpm2cpio c-zst3/$rpm | cmp - payload.cpio
'

test_expect_code 2 'a compression level the compressor does not take is a usage error' '
	build bad --rpm-compression xz:15 2>err; rc=$?
	check_lines err "pkgforge: error: xz has no level 15 (0 to 9)" || exit 9
	test ! -e bad || exit 9
	exit $rc
'

test_expect_code 2 'none takes no level' '
	build bad --rpm-compression none:3 2>err; rc=$?
	check_lines err "pkgforge: error: '"'"'none'"'"' takes no compression level" || exit 9
	exit $rc
'

test_expect_success 'deb and rpm in one pass are the packages each gives alone' '
	pkgforge build -q --only korg-llvm-18 -f deb,rpm -s "$FIX" -o both "$FIX/llvm-xz.yaml" >list &&
	check_lines list both/korg-llvm-18_18.1.8-1_$deb.deb both/$rpm &&
	pkgforge build -q --only korg-llvm-18 -s "$FIX" -o debonly "$FIX/llvm-xz.yaml" >/dev/null &&
	cmp both/$rpm $p && cmp both/korg-llvm-18_18.1.8-1_$deb.deb debonly/korg-llvm-18_18.1.8-1_$deb.deb &&
	test -z "$(ls -A both | grep -v "\\.deb$\\|\\.rpm$")"
'

test_expect_success 'both versions, one package each' '
	pkgforge build -q -f rpm -s "$FIX" -o two "$FIX/llvm-xz.yaml" >list &&
	check_lines list two/$rpm two/korg-llvm-17-17.0.6-1.$arch.rpm &&
	rpm -qpl two/korg-llvm-17-17.0.6-1.$arch.rpm | grep -q "^/opt/korg/llvm-17/bin/clang-17$"
'

# A manifest with RPM-native relations of every kind, an epoch and a
# version with a tilde.
cat >rel.yaml <<YAML
package: korg-llvm-\${major}
summary: LLVM \${major}
description: |
  Relations.
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/llvm-\${major}
hosts: [$arch]
epoch: 3
source:
  url: https://example.org/llvm-18.1.8-\${host}.tar.xz
depends:
  all: ['korg-binutils = \${version}-\${release}']
  rpm: ['glibc >= 2.34', '(zlib or zlib-ng-compat)', 'pkgconfig(zlib)']
recommends: ['korg-doc']
suggests: ['korg-extra > 1 | korg-other']
conflicts: ['korg-old < 2']
replaces: ['korg-llvm <= 17']
provides:
  rpm: ['llvm-toolchain = 18']
versions:
  - version: 18.1.8~rc1
    sha256:
      $arch: $(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64)
YAML

test_expect_success 'relations of every kind, rich ones, an epoch, a tilde' '
	pkgforge build -q -f rpm -s "$FIX/llvm-18.1.8-$arch.tar.xz" -o rel rel.yaml >list &&
	r=rel/korg-llvm-18-18.1.8~rc1-1.$arch.rpm && check_lines list $r &&
	rpm -K --nosignature $r >k && check_lines k "$r: digests OK" &&
	rpm -qp --requires $r >req &&
	check_lines req "(zlib or zlib-ng-compat)" \
		"glibc >= 2.34" \
		"korg-binutils = 18.1.8~rc1-1" \
		"libc.so.6()(64bit)" \
		"libc.so.6(GLIBC_2.2.5)(64bit)" \
		"libc.so.6(GLIBC_2.34)(64bit)" \
		"libm.so.6()(64bit)" \
		"libm.so.6(GLIBC_2.2.5)(64bit)" \
		"libz.so.1()(64bit)" \
		"libz.so.1(ZLIB_1.2.9)(64bit)" \
		"pkgconfig(zlib)" \
		"rpmlib(CompressedFileNames) <= 3.0.4-1" \
		"rpmlib(FileDigests) <= 4.6.0-1" \
		"rpmlib(PartialHardlinkSets) <= 4.0.4-1" \
		"rpmlib(PayloadFilesHavePrefix) <= 4.0-1" \
		"rpmlib(PayloadIsXz) <= 5.2-1" \
		"rpmlib(RichDependencies) <= 4.12.0-1" \
		"rpmlib(TildeInVersions) <= 4.10.0-1" \
		"rtld(GNU_HASH)" &&
	rpm -qp --provides $r >prov &&
	check_lines prov "korg-llvm-18 = 3:18.1.8~rc1-1" "korg-llvm-18($isa) = 3:18.1.8~rc1-1" \
		"libclang.so.18()(64bit)" "libclang.so.18(LLVM_18)(64bit)" "llvm-toolchain = 18" &&
	rpm -qp --recommends $r >o && check_lines o korg-doc &&
	rpm -qp --suggests $r >o && check_lines o "(korg-extra > 1 or korg-other)" &&
	rpm -qp --conflicts $r >o && check_lines o "korg-old < 2" &&
	rpm -qp --obsoletes $r >o && check_lines o "korg-llvm <= 17" &&
	rpm -qp --qf "%{EPOCH} %{NEVR}\n" $r >o && check_lines o "3 korg-llvm-18-3:18.1.8~rc1-1"
'

cat >badrel.yaml <<YAML
package: korg-bad
summary: s
description: d
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/bad
hosts: [$arch]
source:
  url: https://example.org/bad.tar.gz
depends:
  rpm: ['(a or)', '(a or b) c', 'glibc >= 2.34-1-2', '-x', 'a >> 2', '/bin/sh = 1']
provides: ['a | b']
versions:
  - version: 1.0
    sha256:
      $arch: $zero
YAML

test_expect_code 2 'invalid RPM relations are reported where they are written' '
	pkgforge lint badrel.yaml 2>err; rc=$?
	grep "RPM" err >rpmerr
	check_lines rpmerr \
		"badrel.yaml:11:10: error: invalid RPM relation '"'"'(a or)'"'"' in '"'"'depends'"'"': missing argument to rich dependency op" \
		"badrel.yaml:11:20: error: invalid RPM relation '"'"'(a or b) c'"'"' in '"'"'depends'"'"': unexpected '"'"'c'"'"' after the rich dependency" \
		"badrel.yaml:11:34: error: invalid RPM relation '"'"'glibc >= 2.34-1-2'"'"' in '"'"'depends'"'"': '"'"'2.34-1-2'"'"' is not a valid version" \
		"badrel.yaml:11:55: error: invalid RPM relation '"'"'-x'"'"' in '"'"'depends'"'"': '"'"'-x'"'"' is not a valid name" \
		"badrel.yaml:11:61: error: invalid RPM relation '"'"'a >> 2'"'"' in '"'"'depends'"'"': expected one of <, <=, =, >=, > at '"'"'>> 2'"'"'" \
		"badrel.yaml:11:71: error: invalid RPM relation '"'"'/bin/sh = 1'"'"' in '"'"'depends'"'"': a file name cannot have a version" \
		"badrel.yaml:12:13: error: invalid RPM relation '"'"'(a or b)'"'"' in '"'"'provides'"'"': rich dependencies (alternatives) are not allowed here" || exit 9
	exit $rc
'

# Hardlink sets in every position (the file first, in the middle, last;
# a set of empty files) and directory names that come back out of order
# once paths are sorted (b, b-x, b/c, b0).
printf '%s\n' 'd t/' 'f t/m 0755 middle' 'h t/a t/m' 'h t/z t/m' 'f t/empty 0644' \
	'h t/empty2 t/empty' 'd t/b' 'f t/b/c 0644 c' 'f t/b-x 0644 bx' 'f t/b0 0644 b0' \
	'l t/lnk m' | "$PF_TOOLS/mktar" | gzip -n >tricky.tar.gz
cat >tricky.yaml <<YAML
package: pf-tricky
summary: hardlinks and names in awkward orders
description: hardlinks and names in awkward orders
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/tricky
hosts: [$arch]
source: {url: 'https://example.org/tricky.tar.gz'}
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <tricky.tar.gz | cut -c1-64)}
YAML

test_expect_success 'hardlink sets anywhere in the list, directories out of order' '
	pkgforge build -q -f rpm -s tricky.tar.gz -o tricky tricky.yaml >list &&
	t=tricky/pf-tricky-1.0-1.$arch.rpm && check_lines list $t &&
	rpm -K --nosignature $t >k && check_lines k "$t: digests OK" &&
	rpm -qp --qf "[%{FILEINODES} %{FILENLINKS} %{FILESIZES} %{FILENAMES}\n]" $t >files &&
	check_lines files \
		"1 1 0 /opt/korg" \
		"2 1 0 /opt/korg/tricky" \
		"3 3 6 /opt/korg/tricky/a" \
		"4 1 0 /opt/korg/tricky/b" \
		"5 1 2 /opt/korg/tricky/b-x" \
		"6 1 1 /opt/korg/tricky/b/c" \
		"7 1 2 /opt/korg/tricky/b0" \
		"8 2 0 /opt/korg/tricky/empty" \
		"8 2 0 /opt/korg/tricky/empty2" \
		"10 1 1 /opt/korg/tricky/lnk" \
		"3 3 6 /opt/korg/tricky/m" \
		"3 3 6 /opt/korg/tricky/z" &&
	rpm -qp --qf "[%{DIRNAMES}\n]" $t >dirs &&
	check_lines dirs /opt/ /opt/korg/ /opt/korg/tricky/ /opt/korg/tricky/b/ &&
	rpm2cpio $t | cpio -tv --quiet >cpio.list &&
	sed "s/^\\(.\\{10\\}\\) *\\([0-9]*\\) root *root *\\([0-9]*\\) .* \\(\\.\\/.*\\)/\\1 \\2 \\3 \\4/" cpio.list >short &&
	check_lines short \
		"drwxr-xr-x 1 0 ./opt/korg" \
		"drwxr-xr-x 1 0 ./opt/korg/tricky" \
		"drwxr-xr-x 1 0 ./opt/korg/tricky/b" \
		"-rw-r--r-- 1 2 ./opt/korg/tricky/b-x" \
		"-rw-r--r-- 1 1 ./opt/korg/tricky/b/c" \
		"-rw-r--r-- 1 2 ./opt/korg/tricky/b0" \
		"lrwxrwxrwx 1 1 ./opt/korg/tricky/lnk -> m" \
		"-rwxr-xr-x 3 0 ./opt/korg/tricky/a" \
		"-rwxr-xr-x 3 0 ./opt/korg/tricky/m" \
		"-rwxr-xr-x 3 6 ./opt/korg/tricky/z" \
		"-rw-r--r-- 2 0 ./opt/korg/tricky/empty" \
		"-rw-r--r-- 2 0 ./opt/korg/tricky/empty2" &&
	mkdir tx && rpm2cpio $t | (cd tx && cpio -idm --quiet) &&
	for f in a m z; do printf middle | cmp - tx/opt/korg/tricky/$f || return 1; done &&
	test "$(stat -c %h tx/opt/korg/tricky/a)" = 3 &&
	test "$(stat -c %i tx/opt/korg/tricky/a)" = "$(stat -c %i tx/opt/korg/tricky/z)"
'
