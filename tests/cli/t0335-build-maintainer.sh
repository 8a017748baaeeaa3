#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --maintainer: a feed's owner names themself as every package's
# maintainer without editing the manifests; plan shows it; a rebuild
# from the payload cache takes it too; a malformed one is refused.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac
export XDG_CACHE_HOME=$TRASH/cache
who="Jane Doe <jane@kernel.example>"

test_expect_success 'plan shows the manifest'"'"'s maintainer, or --maintainer' '
	pkgforge plan --json --only korg-llvm-18 "$FIX/llvm-xz.yaml" | jq -r ".[].maintainer" >m &&
	check_lines m "$(sed -n "s/^maintainer: //p" "$FIX/llvm-xz.yaml")" &&
	pkgforge plan --json --maintainer "$who" "$FIX/llvm-xz.yaml" | jq -r ".[].maintainer" | sort -u >m2 &&
	check_lines m2 "$who"
'

test_expect_success 'every format names --maintainer, also from the payload cache' '
	pkgforge build -q -f deb,rpm,ipk --only korg-llvm-18 -s "$FIX" -o plain "$FIX/llvm-xz.yaml" >/dev/null &&
	pkgforge build -f deb,rpm,ipk --only korg-llvm-18 --maintainer "$who" -s "$FIX" -o mine \
		"$FIX/llvm-xz.yaml" >/dev/null 2>err &&
	grep -q "payload cache" err &&
	dpkg-deb -f mine/korg-llvm-18_18.1.8-1_$deb.deb Maintainer >d && check_lines d "$who" &&
	rpm -qp --qf "%{PACKAGER}\n" mine/korg-llvm-18-18.1.8-1.$arch.rpm >r 2>/dev/null && check_lines r "$who" &&
	tar -xzOf mine/korg-llvm-18_18.1.8-1_$arch.ipk ./control.tar.gz | tar -xzOf - ./control >c &&
	grep -qx "Maintainer: $who" c &&
	! dpkg-deb -f plain/korg-llvm-18_18.1.8-1_$deb.deb Maintainer | grep -q Jane &&
	pkgforge build -q -f deb,rpm,ipk --only korg-llvm-18 --no-payload-cache --maintainer "$who" \
		-s "$FIX" -o scratch "$FIX/llvm-xz.yaml" >/dev/null &&
	for f in $(cd mine && ls); do cmp mine/$f scratch/$f || return 1; done
'

test_expect_code 2 'a maintainer without an address is refused, before anything is read' '
	pkgforge build --maintainer "Jane Doe" -s "$FIX" -o bad "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: --maintainer: '"'"'Jane Doe'"'"' must read '"'"'Full Name <address@example.org>'"'"'" || exit 9
	test ! -e bad || exit 9
	exit $rc
'

test_expect_code 2 'plan refuses it too' '
	pkgforge plan --maintainer "<jane@kernel.example>" "$FIX/llvm-xz.yaml" >out 2>err; rc=$?
	check_lines err "pkgforge: error: --maintainer: '"'"'<jane@kernel.example>'"'"' must read '"'"'Full Name <address@example.org>'"'"'" || exit 9
	test ! -s out || exit 9
	exit $rc
'
