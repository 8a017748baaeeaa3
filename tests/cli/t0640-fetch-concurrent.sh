#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two pkgforge runs at once share the cache safely: the second waits for
# the first's lock, then finds the file there; one download in all.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
tar=llvm-18.1.8-$arch.tar.xz
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
mkdir -p srv/pub && cp "$FIX/$tar" srv/pub/
start_httpd web
base=http://127.0.0.1:$port_web
cache=$XDG_CACHE_HOME/pkgforge
# /hold/ answers only once the file "gate" exists
manifest m.yaml "$base/hold/pub/llvm-\${version}-\${host}.tar.xz" "$sha"

# until CMD: poll (at most 20 s) for a state the other process reaches
until_() { local i; for i in $(seq 400); do eval "$1" && return 0; sleep 0.05; done; return 1; }

test_expect_success 'two fetches at once: both succeed, one download' '
	{ pkgforge fetch m.yaml >out1 2>err1 & pid1=$!; } &&
	until_ "test \"\$(requests web $tar)\" = 1" &&
	{ pkgforge fetch m.yaml >out2 2>err2 & pid2=$!; } &&
	until_ "test -s err2" &&
	touch gate &&
	wait $pid1 && wait $pid2 &&
	check_lines out1 "$sha  $tar" &&
	check_lines out2 "$sha  $tar" &&
	test ! -s err1 &&
	check_lines err2 "pkgforge: waiting for another pkgforge to finish downloading into $cache" &&
	test "$(requests web $tar)" = 1 &&
	cmp "$FIX/$tar" $cache/sha256/$sha &&
	ls -A $cache/sha256 >files && check_lines files $sha
'

test_expect_success 'a fetch and a build at once: the build waits, then builds' '
	rm -f gate && cp "$FIX/llvm-17.0.6-$arch.tar.xz" srv/pub/ &&
	sha17=$(sha256sum <"$FIX/llvm-17.0.6-$arch.tar.xz" | cut -c1-64) &&
	manifest m17.yaml "$base/hold/pub/llvm-\${version}-\${host}.tar.xz" $sha17 &&
	sed -i "s/version: 18.1.8/version: 17.0.6/" m17.yaml &&
	{ pkgforge fetch m17.yaml >out3 2>err3 & pid3=$!; } &&
	until_ "test \"\$(requests web llvm-17)\" = 1" &&
	{ pkgforge build -o out m17.yaml >out4 2>err4 & pid4=$!; } &&
	until_ "test -s err4" &&
	touch gate &&
	wait $pid3 && wait $pid4 &&
	check_lines out4 out/korg-llvm-17_17.0.6-1_$deb.deb &&
	check_lines err4 "pkgforge: waiting for another pkgforge to finish downloading into $cache" &&
	test "$(requests web llvm-17)" = 1
'
