#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge index: --keep moves old versions to attic/, old index
# generations go, a feed with problems is not published, and a lock
# makes a second run wait for the first.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
repo_keys || exit 1
repo_fixture pfkeep r1 deb || exit 1
sed 's/^versions:/release: "2"\nversions:/' pfkeep.yaml >r2.yaml
pkgforge build -q -f deb -s "$FIX" -o r2 r2.yaml >/dev/null || exit 1
P=repo/dists/stable/main/binary-$deb/Packages

test_expect_success 'every version is in the feed by default' '
	index -q repo r1/* r2/* &&
	grep "^Version: " $P | sort >v &&
	check_lines v "Version: 17.0.6-1" "Version: 17.0.6-2" "Version: 18.1.8-1" "Version: 18.1.8-2" \
		"Version: $(ls repo/pool/main/k/korg-archive-keyring | sed -n "s/.*_\(.*\)_all.deb/\1/p")"
'

test_expect_success '--keep 1 moves the older versions to attic/, and is remembered' '
	pkgforge index --keep 1 repo >out &&
	grep -q ", 2 moved to attic/$" out &&
	grep "^Version: " $P | sort >v &&
	check_lines v "Version: 17.0.6-2" "Version: 18.1.8-2" \
		"Version: $(ls repo/pool/main/k/korg-archive-keyring | sed -n "s/.*_\(.*\)_all.deb/\1/p")" &&
	test -f repo/attic/pool/main/p/pfkeep-18/pfkeep-18_18.1.8-1_$deb.deb &&
	test -f repo/attic/pool/main/p/pfkeep-17/pfkeep-17_17.0.6-1_$deb.deb &&
	test ! -e repo/pool/main/p/pfkeep-18/pfkeep-18_18.1.8-1_$deb.deb &&
	grep -qx "keep 1" repo/.pkgforge/settings &&
	pkgforge index repo >out &&
	grep -q "3 packages (deb 3, rpm 0, ipk 0): 0 read, 3 from the cache$" out
'

test_expect_success 'index generations older than --by-hash-keep go' '
	byhash=repo/dists/stable/main/binary-$deb/by-hash/SHA256 &&
	ls $byhash | wc -l >n && test $(cat n) = 6 &&
	pkgforge index -q --by-hash-keep 1 repo &&
	ls $byhash | sort >now &&
	for f in Packages Packages.gz Packages.xz; do
		sha256sum <repo/dists/stable/main/binary-$deb/$f | cut -c1-64 || return 1
	done | sort >want &&
	cmp want now
'

test_expect_code 1 'a feed with a problem is not published' '
	sed "s/^  - libc6 >= 2.34/  - libc6 >= 2.34\n  - libfoo1 >= 2/; s/^package: .*/package: pfbad/; s|^prefix: .*|prefix: /opt/pfbad|" pfkeep.yaml >bad.yaml &&
	pkgforge build -q -f deb --version 18.1.8 -s "$FIX" -o bad bad.yaml >/dev/null &&
	cp -a repo/dists before || exit 9
	pkgforge index repo bad/pfbad_18.1.8-1_$deb.deb >out 2>err; rc=$?
	check_lines err \
		"pool/main/p/pfbad/pfbad_18.1.8-1_$deb.deb: error: pfbad 18.1.8-1: depends on '"'"'libfoo1 (>= 2)'"'"', which neither the packages checked nor debian-12 provide" \
		"pkgforge: error: 1 problem in the feed: nothing was published (--allow-problems publishes anyway)" || exit 9
	test ! -s out && diff -r before repo/dists || exit 9
	exit $rc
'

test_expect_success '--allow-problems publishes it, and says so' '
	pkgforge index --allow-problems repo >out 2>err &&
	grep -q "^pool/main/p/pfbad/pfbad_18.1.8-1_$deb.deb: error: pfbad 18.1.8-1: depends on" err &&
	check_line err "pkgforge: warning: published with 1 problem (--allow-problems)" &&
	grep -qx "Package: pfbad" $P &&
	rm repo/pool/main/p/pfbad/pfbad_18.1.8-1_$deb.deb &&
	pkgforge index -q repo && ! grep -qx "Package: pfbad" $P
'

test_expect_success 'a second run waits for the lock of the first' '
	flock repo/.pkgforge/lock sh -c "touch held; while [ ! -e release ]; do sleep 0.05; done" &
	holder=$!
	while [ ! -e held ]; do sleep 0.05; done &&
	{ pkgforge index repo >out 2>err & } &&
	runner=$! &&
	until grep -q "waiting" err 2>/dev/null; do sleep 0.05; done &&
	test ! -s out &&
	touch release && wait $holder && wait $runner &&
	check_lines err "pkgforge: waiting for another pkgforge run on $TRASH/repo (it holds $TRASH/repo/.pkgforge/lock)" &&
	grep -q "from the cache" out
'
