#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unsigned index files are the same bytes whatever the time zone, umask,
# thread count, directory or order packages came in, with dates from
# SOURCE_DATE_EPOCH; an incremental run gives what a full one gives.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
repo_fixture pfrep feed || exit 1
repo_fixture pfrep2 feed2 || exit 1

# the index files of a repository's current feeds, signatures aside:
# fixed names, and the files repomd.xml names (older generations stay
# for clients, named by their content)
indexes() {
	(cd "$1" && find dists ipk -type f ! -path '*/by-hash/*' ! -name '*.ipk' ! -name InRelease \
		! -name Release.gpg ! -name '*.asc' ! -name '*.sig' &&
	 echo rpm/repodata/repomd.xml &&
	 sed -n 's|.*<location href="\(.*\)"/>|rpm/\1|p' rpm/repodata/repomd.xml) | LC_ALL=C sort
}

same_indexes() {
	indexes "$1" >a.list && indexes "$2" >b.list && cmp a.list b.list &&
	test -s a.list &&
	while read -r f; do cmp "$1/$f" "$2/$f" || return 1; done <a.list
}

test_expect_success 'two repositories of the same packages: the same index bytes' '
	export SOURCE_DATE_EPOCH=1700000000 &&
	pkgforge index -q --unsigned one feed/* feed2/* &&
	mkdir -p elsewhere &&
	(cd elsewhere && umask 077 && TZ=Asia/Tokyo LC_ALL=C "$PKGFORGE" index -q -j 1 --unsigned \
		../two ../feed2/* ../feed/*) &&
	same_indexes one two &&
	grep -qx "Date: Tue, 14 Nov 2023 22:13:20 UTC" one/dists/stable/Release &&
	grep -q "<revision>1700000000</revision>" one/rpm/repodata/repomd.xml
'

test_expect_success 'an unsigned feed has no signature files and says so in setup/' '
	test ! -e one/dists/stable/InRelease && test ! -e one/dists/stable/Release.gpg &&
	test ! -e one/rpm/repodata/repomd.xml.asc &&
	! ls one/ipk/*/Packages.sig one/ipk/*/Packages.asc 2>/dev/null &&
	check_line one/setup/korg.sources "Trusted: yes" &&
	check_line one/setup/korg.repo "gpgcheck=0" &&
	test ! -e one/keys
'

test_expect_success 'one package at a time gives what all at once gives' '
	export SOURCE_DATE_EPOCH=1700000000 &&
	for f in feed2/* feed/*; do pkgforge index -q --unsigned three $f || return 1; done &&
	same_indexes one three
'

test_expect_success 'a signed repository indexed again from nothing: the same index bytes' '
	export SOURCE_DATE_EPOCH=1700000000 &&
	repo_keys &&
	index -q four feed/* &&
	cp -a four five &&
	rm -rf five/.pkgforge five/dists five/rpm/repodata five/ipk/*/Packages* five/setup &&
	index -q five &&
	same_indexes four five &&
	for f in korg.sources korg.repo korg-opkg.conf; do
		sed "s/four/five/" four/setup/$f | cmp - five/setup/$f || return 1
	done
'
