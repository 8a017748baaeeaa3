#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A signature over the uncompressed tar (kernel.org's .tar.sign), checked
# in the one pass that reads the tarball, before any package is written.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
tar=llvm-18.1.8-$arch.tar.xz
sign=llvm-18.1.8-$arch.tar.sign
pkg=korg-llvm-18_18.1.8-1_$deb.deb
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
start_httpd web
base=http://127.0.0.1:$port_web
mkkey signer && mkkey other || exit 1
mkdir pubkeys && cp keys-signer.asc keys-other.asc pubkeys/

# serve NAME: the tarball and a signature under /ok/NAME/; a manifest
# NAME.yaml that wants it, signed by SIGNER (default: signer)
serve() {
	mkdir -p srv/$1 && cp "$FIX/$tar" srv/$1/ &&
	manifest $1.yaml "$base/ok/$1/llvm-\${version}-\${host}.tar.xz" "$sha" \
"  signature:
    url: \${url_tar}.sign
    signers: [${2:-$fpr_signer}]"
}
sig_url() { echo "$base/ok/$1/$sign"; }

test_expect_success 'a good signature over the uncompressed tar: the package is built' '
	serve good && xz -dc "$FIX/$tar" | detach_sign_as signer srv/good/$sign &&
	pkgforge build -q --keys pubkeys -o out-good good.yaml >list 2>err &&
	check_lines list out-good/$pkg &&
	test ! -s err &&
	cmp srv/good/$sign "$XDG_CACHE_HOME/pkgforge/sigs/$sha.sign" &&
	manifest ref.yaml "$base/ok/good/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	pkgforge build -q -s "$FIX" -o ref ref.yaml >/dev/null &&
	cmp ref/$pkg out-good/$pkg
'

test_expect_success 'fetch downloads the signature with the tarball; build then works offline' '
	pkgforge fetch --keys pubkeys --cache c2 good.yaml >out &&
	check_lines out "$sha  $tar" &&
	cmp srv/good/$sign c2/sigs/$sha.sign &&
	pkgforge build -q --offline --keys pubkeys --cache c2 -o out-off good.yaml >list &&
	check_lines list out-off/$pkg
'

test_expect_code 1 'offline, a missing signature is named' '
	manifest nosig.yaml "$base/ok/good/llvm-\${version}-\${host}.tar.xz" "$sha" &&
	pkgforge fetch --cache c-ns nosig.yaml >/dev/null &&
	pkgforge build -q --offline --keys pubkeys --cache c-ns -o out-ns good.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: --offline: 1 file is not in the cache c-ns:" \
		"  $sign (its signature), for korg-llvm-18 18.1.8 ($arch)" || exit 9
	test ! -e out-ns || exit 9
	exit $rc
'

test_expect_success 'with --source, the signature is still required and checked' '
	n=$(requests web "^GET /ok/good/$tar ") &&
	pkgforge build -q --keys pubkeys --cache c3 -s "$FIX" -o out-src good.yaml >list &&
	check_lines list out-src/$pkg &&
	test "$(requests web "^GET /ok/good/$tar ")" = $n &&
	test -f c3/sigs/$sha.sign
'

test_expect_code 1 'a signature over the compressed file is BAD: no package is written' '
	serve compressed && detach_sign_as signer srv/compressed/$sign <"$FIX/$tar" &&
	mkdir out-c &&
	pkgforge build -q --keys pubkeys --cache c4 -o out-c compressed.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: $(sig_url compressed): BAD signature by $fpr_signer (signer <signer@pkgforge.invalid>): the signed data was altered" || exit 9
	test ! -s list || exit 9
	test -z "$(ls -A out-c)" || exit 9
	test ! -e c4/sigs/$sha.sign || exit 9
	exit $rc
'

test_expect_code 1 'a signature over other data is BAD' '
	serve other-data && printf "not the tarball\n" | detach_sign_as signer srv/other-data/$sign &&
	pkgforge build -q --keys pubkeys --cache c5 -o out-o other-data.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: $(sig_url other-data): BAD signature by $fpr_signer (signer <signer@pkgforge.invalid>): the signed data was altered" || exit 9
	test -z "$(ls -A out-o)" || exit 9
	exit $rc
'

test_expect_code 1 'a good signature by a key the manifest does not trust' '
	serve untrusted && xz -dc "$FIX/$tar" | detach_sign_as other srv/untrusted/$sign &&
	pkgforge build -q --keys pubkeys --cache c6 -o out-u untrusted.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: $(sig_url untrusted): good signature by $fpr_other (other <other@pkgforge.invalid>), but that key is not a trusted signer (trusted: $fpr_signer)" || exit 9
	test -z "$(ls -A out-u)" || exit 9
	exit $rc
'

test_expect_code 1 'a missing signature fails the fetch' '
	serve missing &&
	pkgforge fetch --keys pubkeys --cache c7 missing.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: $(sig_url missing): HTTP 404 (not found)" || exit 9
	test ! -s out || exit 9
	exit $rc
'

test_expect_code 1 'a signature file that is no signature' '
	serve garbage && printf "hello\n" >srv/garbage/$sign &&
	pkgforge build -q --keys pubkeys --cache c8 -o out-g garbage.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: $(sig_url garbage): not an OpenPGP signature" || exit 9
	exit $rc
'

test_expect_code 2 'two manifests asking for different signatures of one tarball' '
	serve two && xz -dc "$FIX/$tar" | detach_sign_as signer srv/two/$sign &&
	cp srv/two/$sign srv/two/alt.sign &&
	sed "s/^package: .*/package: korg-clang-\${major}/; s|^prefix: .*|prefix: /opt/korg/clang-\${major}|; s|\${url_tar}.sign|\${url_dir}/alt.sign|" two.yaml >two-b.yaml &&
	pkgforge build -q --keys pubkeys --cache c9 -o out-2 two.yaml two-b.yaml >list 2>err; rc=$?
	check_lines err "pkgforge: error: $tar: two different signatures are asked for: $(sig_url two) (two.yaml:11) and $base/ok/two/alt.sign (two-b.yaml:11)" || exit 9
	exit $rc
'
