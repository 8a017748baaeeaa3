#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Downloads from a misbehaving server: every case with its exact outcome,
# the requests it made, and what it left in the cache.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
tar=llvm-18.1.8-$arch.tar.xz
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
size=$(stat -c %s "$FIX/$tar")
half=$((size / 2))
tar17=llvm-17.0.6-$arch.tar.xz
sha17=$(sha256sum <"$FIX/$tar17" | cut -c1-64)
mkdir -p srv/pub && cp "$FIX/$tar" "$FIX/$tar17" srv/pub/
start_httpd web
base=http://127.0.0.1:$port_web

# try MODE: fetch from /MODE/pub/<tar> into cache c-MODE; out, err, rc
try() {
	manifest m-$1.yaml "$base/$1/pub/llvm-\${version}-\${host}.tar.xz" "$sha"
	pkgforge_fast fetch --cache c-$1 m-$1.yaml >out 2>err
}
url() { echo "$base/$1/pub/$tar"; }
cached() { ls -A c-$1/sha256 >cached && check_lines cached "$sha" && cmp "$FIX/$tar" c-$1/sha256/$sha; }
empty() { test -z "$(ls -A c-$1/sha256)"; }

test_expect_success 'a body cut in the middle is resumed with a Range request' '
	try cut &&
	check_lines out "$sha  $tar" &&
	check_lines err "pkgforge: $(url cut): the connection closed after $half of $size bytes; resuming at byte $half in 1 ms (attempt 2 of 5)" &&
	test "$(requests web "^GET /cut/")" = 2 &&
	check_line web.log "GET /cut/pub/$tar range=bytes=$half- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cached cut
'

test_expect_success 'a connection reset in the middle is resumed too' '
	try reset &&
	check_lines err "pkgforge: $(url reset): connection lost: Connection reset by peer; resuming at byte $half in 1 ms (attempt 2 of 5)" &&
	check_line web.log "GET /reset/pub/$tar range=bytes=$half- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cached reset
'

test_expect_success '500 twice, then 200: retried with a growing delay' '
	try e500x2 &&
	check_lines err \
		"pkgforge: $(url e500x2): HTTP 500 (internal server error); retrying in 1 ms (attempt 2 of 5)" \
		"pkgforge: $(url e500x2): HTTP 500 (internal server error); retrying in 2 ms (attempt 3 of 5)" &&
	test "$(requests web "^GET /e500x2/")" = 3 &&
	cached e500x2
'

test_expect_success '429 is retried after the Retry-After the server asks for' '
	try e429 &&
	check_lines err "pkgforge: $(url e429): HTTP 429 (too many requests); retrying in 1000 ms (attempt 2 of 5)" &&
	test "$(requests web "^GET /e429/")" = 2 &&
	cached e429
'

test_expect_code 1 '404 fails at once: one request, no retry, nothing cached' '
	try e404; rc=$?
	check_lines err "pkgforge: error: $(url e404): HTTP 404 (not found)" || exit 9
	test ! -s out || exit 9
	test "$(requests web "^GET /e404/")" = 1 || exit 9
	empty e404 || exit 9
	exit $rc
'

test_expect_code 1 '403 fails at once too' '
	try e403; rc=$?
	check_lines err "pkgforge: error: $(url e403): HTTP 403 (forbidden)" || exit 9
	test "$(requests web "^GET /e403/")" = 1 || exit 9
	empty e403 || exit 9
	exit $rc
'

test_expect_success 'a redirect is followed' '
	try redir &&
	test ! -s err &&
	check_line web.log "GET /ok/pub/$tar range=- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cached redir
'

test_expect_code 1 'a redirect loop stops after 10 redirects' '
	try loop; rc=$?
	check_lines err "pkgforge: error: $(url loop): too many redirects (more than 10)" || exit 9
	test "$(requests web "^GET /loop/")" = 11 || exit 9
	empty loop || exit 9
	exit $rc
'

test_expect_code 1 'a redirect to file:// is not followed' '
	try tofile; rc=$?
	check_lines err "pkgforge: error: $(url tofile): redirected to file:///etc/passwd: not followed (https may only redirect to https, http to http or https)" || exit 9
	empty tofile || exit 9
	exit $rc
'

test_expect_code 1 'a server slower than the low-speed limit is abandoned' '
	manifest m-slow.yaml "$base/slow/pub/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	PKGFORGE_RETRIES=0 PKGFORGE_LOW_SPEED_TIME=1 pkgforge fetch --cache c-slow m-slow.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: $(url slow): too slow: less than 1024 bytes/s for 1 s (gave up after 1 attempt)" || exit 9
	test "$(requests web "^GET /slow/")" = 1 || exit 9
	exit $rc
'

test_expect_success 'the partial file it left is resumed by the next run' '
	mkdir -p srv/slow && ln -s ../pub srv/slow/pub &&
	part=c-slow/sha256/$sha.part &&
	test -f $part && got=$(stat -c %s $part) && test "$got" -gt 0 && test "$got" -lt $size &&
	cmp -n $got "$FIX/$tar" $part &&
	pkgforge fetch --cache c-slow --mirror $base/ok m-slow.yaml >out 2>err &&
	test ! -s err &&
	check_line web.log "GET /ok/slow/pub/$tar range=bytes=$got- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cached slow
'

test_expect_code 1 'wrong content: both digests printed, nothing left in the cache' '
	try wrong; rc=$?
	bad=$( (head -c $((size - 1)) "$FIX/$tar"; tail -c 1 "$FIX/$tar" | perl -pe "\$_ ^= chr(1)") | sha256sum | cut -c1-64)
	check_lines err "pkgforge: error: $(url wrong): sha256 mismatch: the manifest pins $sha (m-wrong.yaml:12), the download has $bad (deleted)" || exit 9
	test ! -s out || exit 9
	empty wrong || exit 9
	exit $rc
'

test_expect_success 'a server that ignores Range after a cut: the download starts over' '
	try norange &&
	check_lines err \
		"pkgforge: $(url norange): the connection closed after $half of $size bytes; resuming at byte $half in 1 ms (attempt 2 of 5)" \
		"pkgforge: $(url norange): the server ignores the range request; downloading from the start" &&
	cached norange
'

test_expect_success 'a server that answers from the wrong offset: the download starts over' '
	try badrange &&
	check_lines err \
		"pkgforge: $(url badrange): the connection closed after $half of $size bytes; resuming at byte $half in 1 ms (attempt 2 of 5)" \
		"pkgforge: $(url badrange): the server answered the range request from byte $half with bytes from $((half - 1)); retrying in 2 ms (attempt 3 of 5)" &&
	check_line web.log "GET /badrange/pub/$tar range=- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cached badrange
'

# mirrors: the manifest names kernel.org; --mirror replaces its scheme and host
manifest k.yaml "https://mirrors.edge.kernel.org/pub/llvm-\${version}-\${host}.tar.xz" "$sha"

test_expect_success '--mirror replaces the scheme and host; mirrors are tried in order' '
	pkgforge_fast fetch --cache c-mirror --mirror http://127.0.0.1:1/ --mirror $base/e404 --mirror $base/ok/ k.yaml >out 2>err &&
	check_lines out "$sha  $tar" &&
	check_lines err \
		"pkgforge: http://127.0.0.1:1/pub/$tar: cannot connect: Connection refused; trying the next mirror" \
		"pkgforge: $base/e404/pub/$tar: HTTP 404 (not found); trying the next mirror" &&
	cmp "$FIX/$tar" c-mirror/sha256/$sha
'

test_expect_code 1 'when every mirror fails, each says why' '
	pkgforge_fast fetch -q --cache c-none --mirror $base/e404 --mirror $base/e403 k.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: $tar: no mirror has it: $base/e404/pub/$tar: HTTP 404 (not found); $base/e403/pub/$tar: HTTP 403 (forbidden)" || exit 9
	exit $rc
'

test_expect_success 'the manifest'"'"'s source.mirrors come after its URL' '
	mkdir -p srv/e404 && ln -s ../pub srv/e404/pub &&
	manifest mm.yaml "$base/e404/pub/llvm-\${version}-\${host}.tar.xz" "$sha" \
		"  mirrors: [\"$base/ok\"]" &&
	pkgforge_fast fetch --cache c-mm mm.yaml >out 2>err &&
	check_lines err "pkgforge: $base/e404/pub/$tar: HTTP 404 (not found); trying the next mirror" &&
	check_line web.log "GET /ok/e404/pub/$tar range=- ua=pkgforge/$(pkgforge --version | cut -d" " -f2)" &&
	cmp "$FIX/$tar" c-mm/sha256/$sha
'

test_expect_success 'several downloads run at once' '
	cat m-cut.yaml >two.yaml &&
	sed -i "s|/cut/|/hold/|" two.yaml &&
	printf "  - version: 17.0.6\n    sha256: {$arch: $sha17}\n" >>two.yaml &&
	{ pkgforge fetch --parallel 2 --cache c-two two.yaml >out 2>err & pid=$!; } &&
	for i in $(seq 400); do [ "$(requests web "^GET /hold/")" = 2 ] && break; sleep 0.05; done &&
	test "$(requests web "^GET /hold/")" = 2 &&
	touch gate && wait $pid &&
	check_lines out "$sha  $tar" "$sha17  $tar17" &&
	cmp "$FIX/$tar17" c-two/sha256/$sha17
'

test_expect_code 1 'several failures: each on its line, then the count' '
	sed "s|/hold/|/e404/|" two.yaml >two404.yaml &&
	pkgforge fetch --cache c-404s two404.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: $(url e404): HTTP 404 (not found)" \
		"pkgforge: error: $base/e404/pub/$tar17: HTTP 404 (not found)" \
		"pkgforge: error: 2 of 2 downloads failed" || exit 9
	test ! -s out || exit 9
	exit $rc
'

test_expect_success 'a libcurl that is not one (no curl_global_init) is refused by name' '
	echo "int pf_not_curl(void) { return 0; }" >notcurl.c &&
	mkdir -p fakelib && ${CC:-cc} -shared -fPIC -o fakelib/libcurl.so.4 notcurl.c &&
	manifest m-fake.yaml "$base/ok/pub/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	{ LD_LIBRARY_PATH=$TRASH/fakelib pkgforge fetch --cache c-fake m-fake.yaml >out 2>err; test $? = 1; } &&
	check_lines err "pkgforge: error: cannot load libcurl: libcurl.so.4 has no curl_global_init" &&
	test ! -s out
'
