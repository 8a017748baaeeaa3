#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The apt feed with the real apt, served over HTTP on 127.0.0.1: a deb822
# .sources file with Signed-By the published keyring, apt-get update
# confined to that source without a warning, install, run, remove; a
# changed byte makes update fail; and pkgforge index killed (SIGKILL) at
# every rename it makes leaves a feed apt takes.  Package names are this
# test's own (pfapt-*): other tests install korg-* into the real system.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
deb=$(dpkg --print-architecture)
repo_keys || exit 1
repo_fixture pfapt feed deb || exit 1
start_httpd web
url=http://127.0.0.1:$port_web/ok/repo
R=$TRASH/srv/repo

# apt on the feed only: its own .sources, lists and cache ($1: a fresh
# state directory); prints apt-get update's output
apt_update() {
	local d=$TRASH/$1
	rm -rf "$d" && mapfile -t APT < <(apt_opts "$d") &&
	sed "s|^Signed-By: .*|Signed-By: $R/keys/korg-archive-keyring.gpg|" \
		$R/setup/korg.sources >"$d/sources/pfapt.sources" &&
	apt-get "${APT[@]}" update
}

test_expect_success 'the feed, published with the URL it is served at' '
	index -q --url $url $R feed/pfapt-17_17.0.6-1_$deb.deb &&
	check_line $R/setup/korg.sources "URIs: $url"
'

test_expect_success 'apt-get update takes the signed feed and prints no warning' '
	apt_update a >out 2>&1 &&
	! grep -E "^(W|E|N|Err):" out &&
	grep -q "^Get:.* stable InRelease" out &&
	apt-cache "${APT[@]}" policy pfapt-17 >pol &&
	grep -q "Candidate: 17.0.6-1" pol &&
	grep -q "by-hash/SHA256/" "$TRASH/web.log"
'

test_expect_success 'one changed byte of a Packages file makes apt-get update fail' '
	cp -a $R pristine &&
	for f in $R/dists/stable/main/binary-$deb/Packages* $R/dists/stable/main/binary-$deb/by-hash/SHA256/*; do
		printf "\\377" | dd of=$f bs=1 seek=40 conv=notrunc 2>/dev/null || return 1
	done &&
	! apt_update b >out 2>&1 &&
	grep -E "^E: Failed to fetch .*(Hash Sum mismatch|File has unexpected size)" out &&
	rm -rf $R && cp -a pristine $R &&
	apt_update c >out 2>&1 && ! grep -E "^(W|E|N|Err):" out
'

test_expect_success 'a changed byte of InRelease makes apt-get update refuse the feed' '
	sed -i "s/^Suite: stable/Suite: stablf/" $R/dists/stable/InRelease &&
	! apt_update d >out 2>&1 &&
	grep -q "BADSIG\|not signed\|NO_PUBKEY\|invalid" out &&
	rm -rf $R && cp -a pristine $R
'

if ! require_root; then
	test_skip 'apt-get install, run, remove' 'needs root'
else
	test_cleanup 'dpkg -r pfapt-17'
	test_expect_success 'apt-get install from the feed, run what it installed, remove it' '
		apt_update e >/dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" install -y pfapt-17 >out 2>&1 &&
		/opt/pfapt-17/bin/clang --version >v &&
		check_lines v "clang version 17.0.6 (pkgforge fixture)" &&
		dpkg-query -W -f="\${Status} \${Version}\n" pfapt-17 >st &&
		check_lines st "install ok installed 17.0.6-1" &&
		DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" remove -y pfapt-17 >out 2>&1 &&
		test ! -e /opt/pfapt-17
	'
fi

# pkgforge index adding a package, killed at its Nth rename: every file
# it puts in place gets there by a rename, so this stops it at each
# moment the repository changes.  After each, apt must take the feed:
# the old one, or the new one whole.  (LeakSanitizer cannot run under
# ptrace: the sanitizer build's leak check is off for these runs.)
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0
test_expect_success 'pkgforge index killed at every rename leaves a feed apt takes' '
	rm -rf $R && cp -a pristine $R && cp -a pristine before &&
	strace -qq -o trace -e trace=rename,renameat,renameat2 \
		"$PKGFORGE" index -q $R feed/pfapt-18_18.1.8-1_$deb.deb &&
	n=$(grep -c "^rename" trace) && test $n -ge 10 &&
	k=1 &&
	while [ $k -le $n ]; do
		rm -rf $R && cp -a before $R &&
		{ strace -qq -o /dev/null -e trace=rename,renameat,renameat2 \
			-e inject=rename,renameat,renameat2:signal=SIGKILL:when=$k \
			"$PKGFORGE" index -q $R feed/pfapt-18_18.1.8-1_$deb.deb; test $? = 137; } ||
			{ echo "not killed at rename $k"; return 1; }
		apt_update k$k >out 2>&1 || { echo "apt after a kill at rename $k:"; cat out; return 1; }
		! grep -E "^(W|E|N|Err):" out || { echo "kill at rename $k"; return 1; }
		apt-cache "${APT[@]}" policy pfapt-17 | grep -q "Candidate: 17.0.6-1" || return 1
		k=$((k + 1))
	done &&
	index -q $R &&
	apt_update last >out 2>&1 && ! grep -E "^(W|E|N|Err):" out &&
	apt-cache "${APT[@]}" policy pfapt-18 | grep -q "Candidate: 18.1.8-1"
'

test_expect_success 'after a killed run, the next one publishes and leaves no temporary file' '
	rm -rf $R && cp -a before $R &&
	{ strace -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:signal=SIGKILL:when=8 \
		"$PKGFORGE" index -q $R feed/pfapt-18_18.1.8-1_$deb.deb; test $? = 137; } &&
	find $R -name ".*.tmp.*" | grep -q . &&
	index -q $R feed/pfapt-18_18.1.8-1_$deb.deb &&
	! find $R -name ".*.tmp.*" | grep -v /.pkgforge/incoming/ | grep . &&
	apt_update after >out 2>&1 && ! grep -E "^(W|E|N|Err):" out &&
	apt-cache "${APT[@]}" policy pfapt-18 | grep -q "Candidate: 18.1.8-1"
'
