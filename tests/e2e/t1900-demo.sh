#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo's script, into a directory of the test's own (DEMO_OUT): the
# mirror served, the slice built into signed feeds, apt taking them.
. "$PF_TOP/tests/lib.sh"

test_expect_success 'the demo builds the slice into signed feeds that apt takes' '
	(cd "$PF_TOP" && DEMO_OUT="$TRASH/d" BUILD="$BUILD" scripts/demo) >out 2>err ||
		{ cat out err; false; } &&
	check_line out "== done" &&
	grep -q "^    pool/main/k/korg-llvm-[0-9]*/korg-llvm-[0-9]*_.*\.deb$" out &&
	grep -q "^    rpm/Packages/k/korg-gcc-[0-9]*-arm64-.*\.rpm$" out &&
	grep -q "^    ipk/.*/korg-rust-1\.[0-9.]*_.*\.ipk$" out &&
	test $(grep -c "^      Candidate: [0-9]" out) -eq 2 &&
	! grep -E "^    (W|E|Err):" out &&
	for f in dists/stable/InRelease rpm/repodata/repomd.xml.asc ipk/all/Packages.sig; do
		test -s d/repo/$f || return 1
	done &&
	test -s d/keys/usign.key && test -d d/keys/gnupg &&
	check_line err "pkgforge: warning: --trust-fpr: signatures are accepted from $(cat "$PF_TOP/$BUILD/mirror/key.fpr") only, instead of the signers the manifests name"
'

test_expect_success 'run again, it keeps its keys and publishes the same feed' '
	cp d/keys/fpr fpr.before &&
	cp d/repo/dists/stable/main/binary-*/Packages Packages.before &&
	(cd "$PF_TOP" && DEMO_OUT="$TRASH/d" BUILD="$BUILD" scripts/demo) >out2 2>err2 &&
	check_line out2 "reusing the keys of an earlier run" &&
	cmp fpr.before d/keys/fpr &&
	cmp Packages.before d/repo/dists/stable/main/binary-*/Packages &&
	check_line out2 "== done"
'
