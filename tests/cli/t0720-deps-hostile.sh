#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Broken and foreign ELF files: refused with the file and the reason,
# exit code 2, nothing left behind.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in
x86_64) mine="64-bit x86-64" other=183 othername="64-bit AArch64" ;;
aarch64) mine="64-bit AArch64" other=62 othername="64-bit x86-64" ;;
esac

mkdir fx && tar -xf "$FIX/llvm-18.1.8-$arch.tar.xz" -C fx
clang=fx/llvm-18.1.8-$arch/bin/clang

# put NAME FILE: a tarball NAME.tar.gz holding FILE as t/bin/tool
put() {
	rm -rf stage && mkdir -p stage/t/bin && cp "$2" stage/t/bin/tool &&
	tar -C stage --owner=0 --group=0 -czf "$1.tar.gz" t
}

# try NAME 'expected message' [exit code] [extra manifest lines]: build it
# with the manifest pinned
try() {
	local name=$1 want=$2 code=${3:-2} extra=${4:-}
	cat >"$name.yaml" <<YAML
package: elf-$name
summary: an odd ELF file
description: an odd ELF file
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/elf
hosts: [$arch]
source: {url: 'https://example.org/$name.tar.gz'}
$extra
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <"$name.tar.gz" | cut -c1-64)}
YAML
	mkdir "out-$name"
	"$PKGFORGE" build -q -f deb -s . -o "out-$name" "$name.yaml" >stdout 2>stderr
	rc=$?
	if [ $rc -ne $code ]; then echo "exit code $rc, want $code"; cat stderr; return 1; fi
	if [ -n "$want" ]; then check_lines stderr "$want" || return 1; fi
	if [ $code -ne 0 ] && [ -n "$(ls -A "out-$name")" ]; then
		echo "left behind:"; ls -A "out-$name"; return 1
	fi
	return 0
}

# patch FILE OFFSET BYTE...: overwrite bytes in place
patch() {
	local f=$1 off=$2
	shift 2
	printf "$(printf '\\%03o' "$@")" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

test_expect_success 'a truncated ELF file' '
	head -c 2000 $clang >cut && put trunc cut &&
	try trunc "pkgforge: error: ./trunc.tar.gz: refusing '"'"'t/bin/tool'"'"': truncated ELF file: its section headers end past its 2000 bytes"
'

test_expect_success 'an ELF file cut inside its header' '
	head -c 30 $clang >cut30 && put hdr cut30 &&
	try hdr "pkgforge: error: ./hdr.tar.gz: refusing '"'"'t/bin/tool'"'"': truncated ELF file: 30 bytes, shorter than an ELF header"
'

test_expect_success 'a section that runs past the end of the file' '
	size=$(stat -c %s $clang) &&
	shoff=$(od -An -t u8 -j 40 -N 8 $clang | tr -d " ") &&
	shnum=$(od -An -t u2 -j 60 -N 2 $clang | tr -d " ") &&
	cp $clang sect &&
	# the last section header: make its data end 4096 bytes past the file
	last=$((shoff + (shnum - 1) * 64)) &&
	off=$(od -An -t u8 -j $((last + 24)) -N 8 sect | tr -d " ") &&
	big=$((size - off + 4096)) &&
	patch sect $((last + 32)) $((big & 255)) $(((big >> 8) & 255)) $(((big >> 16) & 255)) $(((big >> 24) & 255)) 0 0 0 0 &&
	put sect sect &&
	try sect "pkgforge: error: ./sect.tar.gz: refusing '"'"'t/bin/tool'"'"': truncated ELF file: section $((shnum - 1)) ends at byte $((size + 4096)), past its $size bytes"
'

test_expect_success 'an unknown ELF class is a corrupt file' '
	cp $clang cls && patch cls 4 7 && put cls cls &&
	try cls "pkgforge: error: ./cls.tar.gz: refusing '"'"'t/bin/tool'"'"': corrupt ELF file: unknown class 7"
'

test_expect_success 'an executable for another machine' '
	cp $clang foreign && patch foreign 18 $((other & 255)) $((other >> 8)) && put foreign foreign &&
	try foreign "pkgforge: error: ./foreign.tar.gz: refusing '"'"'t/bin/tool'"'"': it is a $othername ELF executable, but elf-foreign is for $arch ($mine)"
'

test_expect_success 'a shared library for another machine' '
	cp fx/llvm-18.1.8-$arch/lib/libclang.so.18 flib && patch flib 18 $((other & 255)) $((other >> 8)) && put flib flib &&
	try flib "pkgforge: error: ./flib.tar.gz: refusing '"'"'t/bin/tool'"'"': it is a $othername ELF shared library, but elf-flib is for $arch ($mine)"
'

test_expect_success 'a relocatable object for another machine is target code: accepted' '
	printf "int f(void) { return 1; }\n" >f.c && cc -c -o f.o f.c &&
	patch f.o 18 $((other & 255)) $((other >> 8)) && put obj f.o &&
	try obj "" 0 && test -s out-obj/elf-obj_1.0-1_*.deb
'

test_expect_success 'files that only start like ELF are not ELF files' '
	printf "\177EL" >short && put short short && try short "" 0
'

test_expect_success 'files the manifest marks foreign-elf are neither refused nor scanned' '
	cp foreign.tar.gz foreign2.tar.gz &&
	try foreign2 "" 0 "files: {foreign-elf: [bin/tool]}" &&
	dpkg-deb --field out-foreign2/elf-foreign2_1.0-1_*.deb >control &&
	! grep -q "^Depends:" control
'

test_expect_success 'a foreign executable is refused as soon as its header is read' '
	# after it comes a file the archive has fewer bytes of: a check at the
	# end of the pass would report that truncation first
	rm -rf stage && mkdir -p stage/t/bin && cp foreign stage/t/bin/tool &&
	head -c 300000 /dev/urandom >stage/t/zz-random &&
	tar -C stage --sort=name --owner=0 --group=0 -cf early.tar t && head -c 100000 early.tar | gzip -n >early.tar.gz &&
	try early "pkgforge: error: ./early.tar.gz: refusing '"'"'t/bin/tool'"'"': it is a $othername ELF executable, but elf-early is for $arch ($mine)"
'
