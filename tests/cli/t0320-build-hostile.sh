#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile and broken tarballs are refused with a clear message, exit code
# 2, and nothing left in the output directory.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)

# hostile NAME 'expected message' < spec: make NAME.tar.gz from a mktar
# spec (files under a top directory "t/"), pin it in a manifest, build.
hostile() {
	"$PF_TOOLS/mktar" | gzip -n >"$1.tar.gz" || return 1
	try "$1" "refusing $2"
}

# pin_and_build NAME 'expected message after the file name' [exit code]
try() {
	local name=$1 want=$2 code=${3:-2}
	hostile_manifest "$name"
	mkdir "out-$name"
	"$PKGFORGE" build -q -s . -o "out-$name" "$name.yaml" >stdout 2>stderr
	rc=$?
	if [ $rc -ne $code ]; then echo "exit code $rc, want $code"; cat stderr; return 1; fi
	check_lines stderr "pkgforge: error: ./$name.tar.gz: $want" || return 1
	if [ -n "$(ls -A "out-$name")" ]; then echo "left behind:"; ls -A "out-$name"; return 1; fi
	test ! -s stdout
}

test_expect_success 'absolute path' '
	printf "d t/\nf /etc/passwd 0644 x\n" | hostile abs "'"'"'/etc/passwd'"'"': absolute path"
'
test_expect_success '.. component' '
	printf "d t/\nf t/../../etc/passwd 0644 x\n" | hostile dotdot "'"'"'t/../../etc/passwd'"'"': the path has a '"'"'..'"'"' component"
'
test_expect_success 'symlink escaping the prefix' '
	printf "d t/\nd t/bin\nl t/bin/evil ../../etc/shadow\n" | hostile esc \
		"'"'"'opt/korg/hostile/bin/evil'"'"': symlink to '"'"'../../etc/shadow'"'"' points outside /opt/korg/hostile"
'
test_expect_success 'absolute symlink' '
	printf "d t/\nl t/sh /bin/sh\n" | hostile abslink \
		"'"'"'opt/korg/hostile/sh'"'"': symlink to '"'"'/bin/sh'"'"', an absolute path outside /opt/korg/hostile"
'
test_expect_success 'symlink escaping through another symlink' '
	printf "d t/\nd t/a\nd t/a/b\nl t/a/b/up ../..\nl t/x a/b/up/..\n" | hostile chain \
		"'"'"'opt/korg/hostile/x'"'"': symlink to '"'"'a/b/up/..'"'"' points outside /opt/korg/hostile"
'
test_expect_success 'symlink loop' '
	printf "d t/\nl t/a b/x\nl t/b a/x\n" | hostile loop "'"'"'opt/korg/hostile/a'"'"': symlink loop"
'
test_expect_success 'a file below a symlink' '
	printf "d t/\nl t/lib /usr/lib\nf t/lib/evil.so 0644 x\n" | hostile below \
		"'"'"'opt/korg/hostile/lib/evil.so'"'"': it lies below '"'"'opt/korg/hostile/lib'"'"', which is a symlink, not a directory"
'
test_expect_success 'hardlink escaping the prefix' '
	printf "d t/\nh t/passwd /etc/passwd\n" | hostile hardabs "'"'"'/etc/passwd'"'"': absolute path"
'
test_expect_success 'hardlink to something outside the package' '
	printf "d t/\nf other 0644 x\nh t/link other\n" | hostile hardout \
		"'"'"'t/link'"'"': hardlink to '"'"'other'"'"', outside the files of hostile-hardout"
'
test_expect_success 'character device' '
	printf "d t/\nc t/null\n" | hostile chr "'"'"'t/null'"'"': it is a character device; packages hold only files, directories and links"
'
test_expect_success 'block device' '
	printf "d t/\nb t/sda\n" | hostile blk "'"'"'t/sda'"'"': it is a block device; packages hold only files, directories and links"
'
test_expect_success 'FIFO' '
	printf "d t/\np t/fifo\n" | hostile fifo "'"'"'t/fifo'"'"': it is a FIFO; packages hold only files, directories and links"
'
test_expect_success 'setuid file' '
	printf "d t/\nf t/su 4755 x\n" | hostile suid "'"'"'t/su'"'"': it has the setuid or setgid bit (mode 4755)"
'
test_expect_success 'setgid directory' '
	printf "d t/\nd t/g 2755\n" | hostile sgid "'"'"'t/g'"'"': it has the setuid or setgid bit (mode 2755)"
'
test_expect_success 'duplicate path' '
	printf "d t/\nf t/a 0644 x\nf t/a 0644 y\n" | hostile dup "'"'"'t/a'"'"': duplicate path (it maps to /opt/korg/hostile/a twice)"
'
test_expect_success 'duplicate path spelt differently' '
	printf "d t/\nf t/a 0644 x\nf t//./a 0644 y\n" | hostile dup2 "'"'"'t//./a'"'"': duplicate path (it maps to /opt/korg/hostile/a twice)"
'
test_expect_success 'newline in a name' '
	printf "d t/\nf t/a\\\\nb 0644 x\n" | hostile nl \
		"'"'"'t/a\\x0ab'"'"': the name is not valid UTF-8 or holds control characters (a newline, a tab...)"
'
test_expect_success 'invalid UTF-8 in a name' '
	printf "d t/\nf t/caf\\\\xe9 0644 x\n" | hostile utf \
		"'"'"'t/caf\\xe9'"'"': the name is not valid UTF-8 or holds control characters (a newline, a tab...)"
'
test_expect_success 'absurd size' '
	printf "d t/\nH t/huge 0644 109951162777600\n" | hostile huge \
		"'"'"'t/huge'"'"': absurd size (109951162777600 bytes; the limit is 68719476736)"
'
test_expect_success 'a file claiming more bytes than the archive holds' '
	printf "d t/\nH t/short 0644 100000\n" | "$PF_TOOLS/mktar" | gzip -n >short.tar.gz &&
	try short "corrupt or truncated archive: Truncated tar archive"
'

test_expect_success 'a truncated compressed stream' '
	head -c 2000 "$FIX/llvm-18.1.8-$arch.tar.gz" >cut.tar.gz &&
	try cut "not a readable tar archive (corrupt, truncated or another format): truncated gzip input" &&
	mkdir -p t && head -c 300000 /dev/urandom >t/random &&
	tar -cf - t | gzip -n | head -c 200000 >cut2.tar.gz &&
	try cut2 "corrupt or truncated archive: truncated gzip input"
'

test_expect_success 'corrupt compressed data' '
	cp "$FIX/llvm-18.1.8-$arch.tar.xz" bad.tar.xz &&
	printf "\xff\xff\xff\xff\xff\xff\xff\xff" | dd of=bad.tar.xz bs=1 seek=600 conv=notrunc 2>/dev/null &&
	mv bad.tar.xz bad.tar.gz &&
	try bad "not a readable tar archive (corrupt, truncated or another format): Lzma library error: Corrupted input data"
'

test_expect_success 'not a tar archive at all' '
	printf "just some text\n" | gzip -n >text.tar.gz &&
	try text "not a readable tar archive (corrupt, truncated or another format): Unrecognized archive format"
'

test_expect_code 1 'a tarball that does not match its pinned sha256' '
	cp "$FIX/llvm-xz.yaml" m.yaml && cp "$FIX/llvm-18.1.8-$arch.tar.xz" . &&
	printf "x" >>llvm-18.1.8-$arch.tar.xz &&
	mkdir o && "$PKGFORGE" build -q --only korg-llvm-18 -s . -o o m.yaml 2>err; rc=$?
	got=$(sha256sum <llvm-18.1.8-$arch.tar.xz | cut -c1-64)
	pin=$(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64)
	check_lines err "pkgforge: error: ./llvm-18.1.8-$arch.tar.xz: sha256 mismatch: the manifest pins $pin (m.yaml:20), the file has $got" || exit 9
	test -z "$(ls -A o)" || exit 9
	exit $rc
'

test_expect_success 'an interrupted build leaves no partial file' '
	printf "d t/\nF t/big 0644 400000000\n" | "$PF_TOOLS/mktar" | gzip -1 -n >slow.tar.gz &&
	cat >slow.yaml <<YAML &&
package: slow
summary: s
description: d
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/slow
hosts: [$arch]
source: {url: "https://example.org/slow.tar.gz"}
versions:
  - version: 1.0
    sha256: {$arch: $(sha256sum <slow.tar.gz | cut -c1-64)}
YAML
	mkdir os &&
	{ "$PKGFORGE" build -q --deb-compression xz:9 -s . -o os slow.yaml >/dev/null 2>&1 & pid=$!; } &&
	sleep 1 && kill -TERM $pid && { wait $pid; rc=$?; } ; test "$rc" = 143 &&
	test -z "$(ls -A os)"
'
