#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checksums from a signed list (kernel.org's clearsigned sha256sums.asc)
# instead of pinned ones: a good signature, a bad one, a tampered line,
# an unknown key, an untrusted one, an expired one; --trust-fpr and
# --trust-key; the list in the cache for --offline.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
tar=llvm-18.1.8-$arch.tar.xz
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
files=srv/pub/tools/llvm/files
mkdir -p $files && cp "$FIX/$tar" "$FIX/llvm-17.0.6-$arch.tar.xz" $files/
(cd $files && sha256sum llvm-*.tar.xz) >sums
start_httpd web
base=http://127.0.0.1:$port_web

mkkey signer && mkkey other && mkkey stranger &&
KEY_EXPIRE=1d mkkey old --faked-system-time 20200101T000000! || exit 1
mkdir pubkeys && cp keys-signer.asc pubkeys/signer.asc

# serve_list NAME FILE: FILE as /ok/lists/NAME/pub/tools/llvm/files/sha256sums.asc,
# beside the tarball
serve_list() {
	mkdir -p srv/lists/$1/pub/tools/llvm/files &&
	ln -sf "$TRASH/$files/$tar" srv/lists/$1/pub/tools/llvm/files/$tar &&
	cp "$2" srv/lists/$1/pub/tools/llvm/files/sha256sums.asc
}
# m.yaml for list NAME, trusting SIGNER's fingerprint
sums_manifest() {
	manifest $1.yaml "$base/ok/lists/$1/pub/tools/llvm/files/llvm-\${version}-\${host}.tar.xz" - \
"  checksums:
    url: \${url_dir}/sha256sums.asc
    signers: [$2]"
}
list_url() { echo "$base/ok/lists/$1/pub/tools/llvm/files/sha256sums.asc"; }

clearsign_as signer sums good.asc || exit 1
serve_list good good.asc
sums_manifest good "$fpr_signer"

test_expect_success 'a good signature by a trusted key: the sha256 comes from the list' '
	pkgforge fetch --keys pubkeys good.yaml >out 2>err &&
	check_lines out "$sha  $tar" &&
	test ! -s err &&
	cmp "$FIX/$tar" "$XDG_CACHE_HOME/pkgforge/sha256/$sha" &&
	ls "$XDG_CACHE_HOME/pkgforge/lists" | grep -c "\.asc$" >n && check_lines n 1
'

test_expect_success 'plan shows where the sha256 will come from' '
	pkgforge plan --json good.yaml >plan.json &&
	jq -e ".[0].source.sha256 == null and
	       .[0].source.checksums.url == \"$(list_url good)\" and
	       .[0].source.checksums.signers == [\"$fpr_signer\"]" plan.json
'

test_expect_success 'build --offline uses the cached list, without a request' '
	n=$(requests web sha256sums.asc) &&
	pkgforge build -q --offline --keys pubkeys -o out1 good.yaml >list &&
	test "$(wc -l <list)" = 1 &&
	test "$(requests web sha256sums.asc)" = $n
'

test_expect_code 1 '--offline without the list in the cache says so' '
	pkgforge build -q --offline --keys pubkeys --cache empty -o out2 good.yaml 2>err; rc=$?
	check_lines err "pkgforge: error: --offline: 1 file is not in the cache empty:" \
		"  $(list_url good) (signed checksum list), for korg-llvm-18 18.1.8 ($arch)" || exit 9
	exit $rc
'

test_expect_code 1 'a tampered line: BAD signature, nothing downloaded' '
	sed "s/^$sha /$(echo $sha | tr 0-9a-f 1-9a-f0)/" good.asc >tampered.asc &&
	! cmp -s good.asc tampered.asc &&
	serve_list tampered tampered.asc && sums_manifest tampered "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --cache c-t tampered.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url tampered): BAD signature by $fpr_signer (signer <signer@pkgforge.invalid>): the signed data was altered" || exit 9
	test "$(requests web "/lists/tampered/.*\.tar\.xz")" = 0 || exit 9
	test -z "$(find c-t/sha256 c-t/lists -type f)" || exit 9
	exit $rc
'

test_expect_code 1 'a bad signature (one made over other text) is refused' '
	printf "%s  %s\n" $sha other.tar.xz >othertext && clearsign_as signer othertext other.asc &&
	{ sed -n "1,/^-----BEGIN PGP SIGNATURE-----/p" good.asc | sed "\$d"; sed -n "/^-----BEGIN PGP SIGNATURE-----/,\$p" other.asc; } >bad.asc &&
	serve_list bad bad.asc && sums_manifest bad "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --cache c-b bad.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url bad): BAD signature by $fpr_signer (signer <signer@pkgforge.invalid>): the signed data was altered" || exit 9
	exit $rc
'

test_expect_code 1 'a signature by an unknown key is refused, even one in the user'"'"'s keyring' '
	clearsign_as stranger sums stranger.asc &&
	serve_list stranger stranger.asc && sums_manifest stranger "$fpr_stranger" &&
	gpg --batch --list-keys "$fpr_stranger" >/dev/null &&
	pkgforge fetch --keys pubkeys --cache c-s stranger.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url stranger): signed by an unknown key $fpr_stranger: it is not in pubkeys" || exit 9
	exit $rc
'

test_expect_code 1 'a good signature by a key the manifest does not trust is refused' '
	clearsign_as other sums other-signed.asc &&
	serve_list other other-signed.asc && sums_manifest other "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --trust-key keys-other.asc --cache c-o other.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url other): good signature by $fpr_other (other <other@pkgforge.invalid>), but that key is not a trusted signer (trusted: $fpr_signer)" || exit 9
	exit $rc
'

test_expect_success '--trust-fpr replaces the manifest'"'"'s signers, and says so' '
	pkgforge fetch --keys pubkeys --trust-key keys-other.asc --trust-fpr "$fpr_other" --cache c-o2 other.yaml >out 2>err &&
	check_lines out "$sha  $tar" &&
	check_lines err "pkgforge: warning: --trust-fpr: signatures are accepted from $fpr_other only, instead of the signers the manifests name"
'

test_expect_code 1 '--trust-fpr cannot make an unsigned or badly signed list pass' '
	pkgforge fetch -q --keys pubkeys --trust-key keys-other.asc --trust-fpr "$fpr_other" --cache c-o3 good.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: warning: --trust-fpr: signatures are accepted from $fpr_other only, instead of the signers the manifests name" \
		"pkgforge: error: korg-llvm-18 18.1.8: $(list_url good): good signature by $fpr_signer (signer <signer@pkgforge.invalid>), but that key is not a trusted signer (trusted: $fpr_other)" || exit 9
	exit $rc
'

test_expect_code 1 'a signature by an expired key is refused' '
	GPG_OPTS="--faked-system-time 20200101T120000!" clearsign_as old sums old.asc &&
	serve_list old old.asc && sums_manifest old "$fpr_old" &&
	pkgforge fetch --trust-key keys-old.asc --cache c-x old.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url old): signature by $fpr_old (old <old@pkgforge.invalid>): the key has expired" || exit 9
	exit $rc
'

test_expect_code 1 'a list that is not signed at all is refused' '
	serve_list plain sums && sums_manifest plain "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --cache c-p plain.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url plain): not a clearsigned OpenPGP message" || exit 9
	exit $rc
'

test_expect_code 1 'unsigned lines around the signed block are refused' '
	{ cat good.asc; printf "%s  %s\n" 0000000000000000000000000000000000000000000000000000000000000000 $tar; } >extra.asc &&
	serve_list extra extra.asc && sums_manifest extra "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --cache c-e extra.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url extra): text outside the signed part (only one clearsigned block is accepted)" || exit 9
	exit $rc
'

test_expect_code 1 'a file the list does not name' '
	grep -v "$tar" sums >fewer && clearsign_as signer fewer fewer.asc &&
	serve_list fewer fewer.asc && sums_manifest fewer "$fpr_signer" &&
	pkgforge fetch --keys pubkeys --cache c-f fewer.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: korg-llvm-18 18.1.8: $(list_url fewer): no sha256 for $tar in this signed list (for korg-llvm-18 18.1.8)" || exit 9
	exit $rc
'

test_expect_success 'a cached list that lacks a file is fetched again (a new release)' '
	mkdir -p srv/lists/grow/pub/tools/llvm/files &&
	ln -sf "$TRASH/$files/$tar" "$TRASH/$files/llvm-17.0.6-$arch.tar.xz" srv/lists/grow/pub/tools/llvm/files/ &&
	cp fewer.asc srv/lists/grow/pub/tools/llvm/files/sha256sums.asc &&
	sums_manifest grow "$fpr_signer" &&
	sed "s/version: 18.1.8/version: 17.0.6/" grow.yaml >grow17.yaml &&
	pkgforge fetch --keys pubkeys --cache c-g grow17.yaml >/dev/null &&
	cp good.asc srv/lists/grow/pub/tools/llvm/files/sha256sums.asc &&
	pkgforge fetch --keys pubkeys --cache c-g grow.yaml >out &&
	check_lines out "$sha  $tar" &&
	test "$(requests web "/lists/grow/.*sha256sums.asc")" = 2
'

test_expect_code 2 '--trust-key refuses a secret key' '
	gpg --batch --armor --export-secret-keys "<signer@pkgforge.invalid>" >secret.asc &&
	pkgforge fetch --trust-key secret.asc --cache c-k good.yaml >out 2>err; rc=$?
	check_lines err "pkgforge: error: --trust-key: secret.asc holds a secret key: give public keys only" || exit 9
	exit $rc
'
