#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile tarballs are refused for rpm as for deb: a clear message, exit
# code 2, and no .rpm (nor temporary file) left in the output directory.
. "$PF_TOP/tests/lib.sh"

# refused FORMATS NAME 'expected message' < mktar spec
refused() {
	local fmts=$1 name=$2 want=$3 out=out-$2-${1/,/-}
	[ -f "$name.tar.gz" ] || { "$PF_TOOLS/mktar" | gzip -n >"$name.tar.gz" && hostile_manifest "$name"; } || return 1
	mkdir "$out"
	"$PKGFORGE" build -q -f "$fmts" -s . -o "$out" "$name.yaml" >stdout 2>stderr
	rc=$?
	if [ $rc -ne 2 ]; then echo "exit code $rc, want 2"; cat stderr; return 1; fi
	check_lines stderr "pkgforge: error: $want" || return 1
	if [ -n "$(ls -A "$out")" ]; then echo "left behind:"; ls -A "$out"; return 1; fi
	test ! -s stdout
}

for fmts in rpm deb,rpm; do
	test_expect_success "$fmts: absolute path" "
		printf 'd t/\nf /etc/passwd 0644 x\n' |
		refused $fmts abs \"./abs.tar.gz: refusing '/etc/passwd': absolute path\"
	"
	test_expect_success "$fmts: symlink escaping the prefix (found after the last entry)" "
		printf 'd t/\nd t/bin\nf t/bin/tool 0755 x\nl t/bin/evil ../../etc/shadow\n' |
		refused $fmts esc \"./esc.tar.gz: refusing 'opt/korg/hostile/bin/evil': symlink to '../../etc/shadow' points outside /opt/korg/hostile\"
	"
	test_expect_success "$fmts: setuid file after good ones" "
		printf 'd t/\nf t/a 0644 x\nf t/su 4755 x\n' |
		refused $fmts suid \"./suid.tar.gz: refusing 't/su': it has the setuid or setgid bit (mode 4755)\"
	"
	test_expect_success "$fmts: hardlink to a file the package does not hold" "
		printf 'd t/\nf other 0644 x\nh t/link other\n' |
		refused $fmts hardout \"./hardout.tar.gz: refusing 't/link': hardlink to 'other', outside the files of hostile-hardout\"
	"
	test_expect_success "$fmts: a file claiming more bytes than the archive holds" "
		printf 'd t/\nf t/a 0644 x\nH t/short 0644 100000\n' |
		refused $fmts short './short.tar.gz: corrupt or truncated archive: Truncated tar archive'
	"
done

# "./" + path + NUL must fit the 4096 bytes rpm's cpio reader takes: a
# path the tarball may hold (under 4096 bytes) can be too long once
# mapped into a longer prefix.
test_expect_success 'a path too long for rpm is refused (rpm only)' '
	long=$(printf "d%.0s" $(seq 200)) name=$(printf "f%.0s" $(seq 63)) &&
	{ echo "d t/"; p=t; for i in $(seq 20); do p=$p/$long; echo "d $p"; done;
	  echo "f $p/$name 0644 x"; } >long.spec &&
	"$PF_TOOLS/mktar" <long.spec | gzip -n >long.tar.gz && hostile_manifest long &&
	refused deb,rpm long "hostile-long (rpm): '"'"'/opt/korg/hostile/$(printf "d%.0s" $(seq 43))...'"'"': the path is 4101 bytes long; rpm takes at most 4094" &&
	mkdir debonly && "$PKGFORGE" build -q -s . -o debonly long.yaml >/dev/null
'

test_expect_success 'an interrupted build leaves no partial file' '
	printf "d t/\nF t/big 0644 400000000\n" | "$PF_TOOLS/mktar" | gzip -1 -n >slow.tar.gz && hostile_manifest slow &&
	mkdir os &&
	{ "$PKGFORGE" build -q -f rpm --rpm-compression xz:9 -s . -o os slow.yaml >/dev/null 2>&1 & pid=$!; } &&
	sleep 1 && kill -TERM $pid && { wait $pid; rc=$?; } ; test "$rc" = 143 &&
	test -z "$(ls -A os)"
'
