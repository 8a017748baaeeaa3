#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The payload cache: a rebuild that changes only metadata reuses the
# compressed payloads, file list and derived dependencies, reads nothing
# else, and writes the same bytes as a build from scratch.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
export XDG_CACHE_HOME=$TRASH/cache
pc=$XDG_CACHE_HOME/pkgforge/payloads
cp "$FIX/llvm-xz.yaml" m.yaml

build() { # OUT [options]: build korg-llvm-18 in every format
	local out=$1
	shift
	pkgforge build -f deb,rpm,ipk --only korg-llvm-18 -s "$FIX" -o "$out" "$@" m.yaml
}

same() { # DIR1 DIR2: the same files, byte for byte
	(cd "$1" && ls) >l1 && (cd "$2" && ls) >l2 && cmp l1 l2 &&
	for f in $(cat l1); do cmp "$1/$f" "$2/$f" || return 1; done
}

test_expect_success 'a first build fills the cache' '
	build first >list 2>err &&
	test $(wc -l <list) -eq 3 && test ! -s err &&
	ls "$pc" >items &&
	test $(grep -c "\.meta$" items) -eq 1 &&
	test $(grep -c "\.payload$" items) -eq 3 &&
	test $(grep -c "\.info$" items) -eq 2
'

test_expect_success 'the same build again comes from the cache, the same bytes' '
	build again >list 2>err &&
	check_lines err "pkgforge: $FIX/llvm-18.1.8-$arch.tar.xz: the payloads come from the payload cache" &&
	same first again
'

test_expect_success 'a metadata change reuses the payloads and equals a build from scratch' '
	sed -i -e "s/^  - version: 18.1.8/  - version: 18.1.8\n    release: 3/" \
	       -e "s/^summary: .*/summary: another summary/" \
	       -e "s/^  - libc6 >= 2.34/  - libc6 >= 2.36\n  - korg-doc/" m.yaml &&
	build meta >list 2>err &&
	grep -q "the payloads come from the payload cache" err &&
	build scratch --no-payload-cache >/dev/null 2>err2 && test ! -s err2 &&
	same meta scratch &&
	dpkg-deb --field meta/korg-llvm-18_18.1.8-3_$deb.deb Version Depends >f &&
	check_lines f "Version: 18.1.8-3" "Depends: libc6 (>= 2.36), korg-doc, zlib1g (>= 1:1.2.11.dfsg)" &&
	rpm -K --nosignature meta/korg-llvm-18-18.1.8-3.$arch.rpm | grep -q "digests OK"
'

test_expect_success 'another compression level is another payload' '
	build level --deb-compression xz:1 >list 2>err &&
	! grep -q "payload cache" err &&
	test $(ls "$pc" | grep -c "\.payload$") -eq 4 &&
	build level2 --deb-compression xz:1 >list 2>err &&
	grep -q "payload cache" err && same level level2
'

test_expect_success 'another file mapping is another entry' '
	sed -i "s/^versions:/files: {exclude: [share\/doc\/**]}\nversions:/" m.yaml &&
	build mapped >list 2>err && ! grep -q "payload cache" err &&
	dpkg-deb --contents mapped/korg-llvm-18_18.1.8-3_$deb.deb >c &&
	! grep -q "share/doc" c
'

test_expect_success 'SOURCE_DATE_EPOCH is part of the key' '
	SOURCE_DATE_EPOCH=1700000000 build sde >list 2>err && ! grep -q "payload cache" err &&
	SOURCE_DATE_EPOCH=1700000000 build sde2 >list 2>err && grep -q "payload cache" err &&
	same sde sde2
'

test_expect_success 'a damaged item costs a full pass, with a warning' '
	for m in "$pc"/*.meta; do echo garbage >"$m"; done &&
	build damaged >list 2>err &&
	grep -q "^pkgforge: warning: the payload cache cannot serve $FIX/llvm-18.1.8-$arch.tar.xz ($pc/[0-9a-f]*.meta is damaged): reading it again$" err &&
	same damaged mapped
'

test_expect_code 2 'a build that fails after its pass saves nothing' '
	rm -rf "$pc" &&
	sed "s/^files: .*/files: {include: [nothing\/**]}/" m.yaml >none.yaml &&
	pkgforge build -f deb,rpm,ipk --only korg-llvm-18 -s "$FIX" -o failed none.yaml 2>err; rc=$?
	check_lines err "pkgforge: error: $FIX/llvm-18.1.8-$arch.tar.xz: no entry matches the files of korg-llvm-18 (check '"'"'strip'"'"' and '"'"'include'"'"')" || exit 9
	test -z "$(ls -A "$pc")" || exit 9
	exit $rc
'
