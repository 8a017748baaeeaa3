#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge fetch and build from a real HTTP server on 127.0.0.1: the
# content-addressed cache, fetching once, --offline, file:// URLs,
# --cache and its default, usage errors.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
tar=llvm-18.1.8-$arch.tar.xz
pkg=korg-llvm-18_18.1.8-1_$deb.deb
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
mkdir -p srv/pub/tools/llvm/files && cp "$FIX/$tar" srv/pub/tools/llvm/files/
start_httpd web
base=http://127.0.0.1:$port_web
manifest m.yaml "$base/ok/pub/tools/llvm/files/llvm-\${version}-\${host}.tar.xz" "$sha"
cache=$XDG_CACHE_HOME/pkgforge

test_expect_success 'fetch downloads a tarball into the cache, named by its sha256' '
	pkgforge fetch m.yaml >out 2>err &&
	check_lines out "$sha  $tar" &&
	test ! -s err &&
	cmp "$FIX/$tar" "$cache/sha256/$sha" &&
	ls "$cache/sha256" >files && check_lines files "$sha" &&
	test "$(requests web "^GET /ok/pub/tools/llvm/files/$tar ")" = 1
'

test_expect_success 'the request says User-Agent: pkgforge/<version>, without a Range' '
	v=$(pkgforge --version | cut -d" " -f2) &&
	check_line web.log "GET /ok/pub/tools/llvm/files/$tar range=- ua=pkgforge/$v"
'

test_expect_success 'a second fetch downloads nothing' '
	pkgforge fetch m.yaml >out &&
	check_lines out "$sha  $tar" &&
	test "$(requests web "$tar")" = 1
'

test_expect_success 'build takes the tarball from the cache' '
	pkgforge build -q -o out1 m.yaml >list &&
	check_lines list out1/$pkg &&
	test "$(requests web "$tar")" = 1 &&
	pkgforge build -q -s "$FIX" -o ref m.yaml >/dev/null &&
	cmp ref/$pkg out1/$pkg
'

test_expect_success 'a build from --source alone downloads nothing into the cache' '
	XDG_CACHE_HOME=$TRASH/nocache pkgforge build -q -s "$FIX" -o out0 m.yaml >list &&
	check_lines list out0/$pkg &&
	test ! -e nocache/pkgforge/sha256 && test -d nocache/pkgforge/payloads &&
	XDG_CACHE_HOME=$TRASH/nocache2 pkgforge build -q --no-payload-cache -s "$FIX" -o out1 m.yaml >list &&
	test ! -e nocache2
'

test_expect_success 'build fetches what the cache lacks, then builds: one command' '
	pkgforge build -q --cache c2 -o out2 m.yaml >list &&
	check_lines list out2/$pkg &&
	cmp ref/$pkg out2/$pkg &&
	cmp "$FIX/$tar" c2/sha256/$sha &&
	test "$(requests web "$tar")" = 2
'

test_expect_success 'a tarball two manifests share is fetched once' '
	sed "s/^package: .*/package: korg-clang-\${major}/; s|^prefix: .*|prefix: /opt/korg/clang-\${major}|" m.yaml >m2.yaml &&
	pkgforge fetch --cache c3 m.yaml m2.yaml >out &&
	check_lines out "$sha  $tar" &&
	test "$(requests web "$tar")" = 3 &&
	pkgforge build -q --cache c4 -o out4 m.yaml m2.yaml >list &&
	check_lines list out4/$pkg out4/korg-clang-18_18.1.8-1_$deb.deb &&
	test "$(requests web "$tar")" = 4
'

test_expect_success '--offline builds from the cache without a request' '
	pkgforge build -q --offline -o out5 m.yaml >list &&
	check_lines list out5/$pkg &&
	cmp ref/$pkg out5/$pkg &&
	test "$(requests web "$tar")" = 4
'

test_expect_code 1 '--offline without the file in the cache says exactly what is missing' '
	manifest two.yaml "$base/ok/pub/tools/llvm/files/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	sed -i "s/^package: .*/package: korg-clang-\${major}/" two.yaml &&
	pkgforge build -q --offline --cache empty -o out6 m.yaml two.yaml 2>err; rc=$?
	check_lines err "pkgforge: error: --offline: 1 file is not in the cache empty:" \
		"  $tar (sha256 $sha), for korg-llvm-18 18.1.8 ($arch), korg-clang-18 18.1.8 ($arch)" || exit 9
	test ! -e out6 || exit 9
	test "$(requests web "$tar")" = 4 || exit 9
	exit $rc
'

test_expect_success 'fetch --offline checks the cache without a request' '
	pkgforge fetch --offline m.yaml >out &&
	check_lines out "$sha  $tar" &&
	test "$(requests web "$tar")" = 4
'

test_expect_success 'file:// URLs are fetched into the cache too, even offline' '
	manifest f.yaml "file://$TRASH/srv/pub/tools/llvm/files/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	pkgforge fetch --offline --cache c7 f.yaml >out &&
	check_lines out "$sha  $tar" &&
	cmp "$FIX/$tar" c7/sha256/$sha
'

test_expect_code 1 'a missing file:// source fails with its URL' '
	manifest f2.yaml "file://$TRASH/nowhere/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	pkgforge fetch --cache c8 f2.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: file://$TRASH/nowhere/$tar: no such file" || exit 9
	test ! -s out || exit 9
	exit $rc
'

test_expect_success 'the cache is $XDG_CACHE_HOME/pkgforge, else ~/.cache/pkgforge' '
	XDG_CACHE_HOME=$TRASH/xdg pkgforge fetch m.yaml >/dev/null &&
	cmp "$FIX/$tar" xdg/pkgforge/sha256/$sha &&
	(unset XDG_CACHE_HOME; HOME=$TRASH/home pkgforge fetch m.yaml >/dev/null) &&
	cmp "$FIX/$tar" home/.cache/pkgforge/sha256/$sha
'

test_expect_code 1 'no HOME and no XDG_CACHE_HOME: --cache is needed' '
	(unset XDG_CACHE_HOME HOME; "$PKGFORGE" fetch m.yaml) 2>err; rc=$?
	check_lines err "pkgforge: error: no cache directory: set HOME or XDG_CACHE_HOME, or give --cache DIR" || exit 9
	exit $rc
'

usage_error() {
	local want=$1
	shift
	"$@" >out 2>err
	rc=$?
	check_lines err "$want" || return 9
	test ! -s out || return 9
	return $rc
}

test_expect_code 2 '--mirror must be a URL' '
	usage_error "pkgforge: error: --mirror '"'"'ftp://x/'"'"' must be an https://, http:// or file:// URL" \
		pkgforge fetch --mirror ftp://x/ m.yaml
'
test_expect_code 2 '--parallel must be a small number' '
	usage_error "pkgforge: error: --parallel must be from 1 to 64, not '"'"'0'"'"'" \
		pkgforge build -o o --parallel 0 m.yaml
'
test_expect_code 2 '--trust-fpr must be a full fingerprint' '
	usage_error "pkgforge: error: --trust-fpr '"'"'632D3A06589DA6B1'"'"' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)" \
		pkgforge fetch --trust-fpr 632D3A06589DA6B1 m.yaml
'
test_expect_code 2 'a malformed PKGFORGE_LOW_SPEED_TIME is refused' '
	usage_error "pkgforge: error: PKGFORGE_LOW_SPEED_TIME must be a whole number from 1 to 3600, not '"'"'0'"'"'" \
		env PKGFORGE_LOW_SPEED_TIME=0 "$PKGFORGE" fetch m.yaml
'
test_expect_code 2 'fetch with filters that match nothing' '
	usage_error "pkgforge: error: no package matches the filters" \
		pkgforge fetch --only nothing m.yaml
'
