#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The index cache (.pkgforge/index-cache): a run that changed a few
# packages appends a batch; a batch cut short is ignored (its packages
# read again); the file is written anew once stale records outnumber
# the others; a cache hard-linked into a copy is replaced, never
# changed under the other name; and whatever the cache went through,
# the feed has the bytes of one made from scratch.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
deb=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=1717200000
repo_fixture pfcache feed deb,rpm || exit 1
repo_fixture pfcnew new deb || exit 1
C=repo/.pkgforge/index-cache

idx() { pkgforge index --unsigned --keyring-package none "$@"; }
# the batch headers of a cache (its records are binary; none of this
# test's packages has "batch " in its text)
batches() { grep -a -o "batch [0-9]* [0-9a-f]\{16\}" "$1" | wc -l; }
# a gone record of PATH: G, its length (4 bytes, little-endian), PATH
# and a NUL
gone_record() { printf "G$(printf '\\x%02x\\x%02x' $((${#1} % 256)) $((${#1} / 256)))\\0\\0%s\\0" "$1"; }

# the feed's indexes equal those of a copy indexed from scratch
same_as_scratch() {
	rm -rf scratch && cp -a repo scratch &&
	rm -rf scratch/.pkgforge scratch/dists scratch/rpm/repodata &&
	idx -q scratch &&
	for f in dists/stable/main/binary-$deb/Packages dists/stable/Release rpm/repodata/repomd.xml; do
		cmp repo/$f scratch/$f || return 1
	done
}

test_expect_success 'the first run writes the cache whole' '
	idx repo feed/* >out &&
	grep -qx "repo: 4 packages (deb 2, rpm 2, ipk 0): 4 read, 0 from the cache" out &&
	test "$(batches $C)" = 0 &&
	cp $C cache.1
'

test_expect_success 'a new package is appended as a batch; what was there stays' '
	idx repo new/pfcnew-18_18.1.8-1_$deb.deb >out &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 1 read, 4 from the cache" out &&
	test "$(batches $C)" = 1 &&
	cmp -n $(stat -c %s cache.1) cache.1 $C &&
	idx repo >out &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 0 read, 5 from the cache" out &&
	same_as_scratch
'

test_expect_success 'a package removed from the pool leaves by a gone record' '
	rm repo/pool/main/p/pfcnew-18/pfcnew-18_18.1.8-1_$deb.deb &&
	idx repo >out &&
	grep -qx "repo: 4 packages (deb 2, rpm 2, ipk 0): 0 read, 4 from the cache" out &&
	test "$(batches $C)" = 2 &&
	gone_record pool/main/p/pfcnew-18/pfcnew-18_18.1.8-1_$deb.deb >want &&
	tail -c $(wc -c <want) $C >got && cmp want got &&
	idx repo >out &&
	grep -qx "repo: 4 packages (deb 2, rpm 2, ipk 0): 0 read, 4 from the cache" out &&
	same_as_scratch
'

test_expect_success 'a batch cut short is ignored: its packages are read again' '
	idx repo new/pfcnew-18_18.1.8-1_$deb.deb >/dev/null &&
	test "$(batches $C)" = 3 &&
	truncate -s -5 $C &&
	idx repo >out &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 1 read, 4 from the cache" out &&
	test "$(batches $C)" = 0 &&
	same_as_scratch
'

test_expect_success 'a batch header cut short is ignored too' '
	printf "bat" >>$C &&
	idx repo >out &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 0 read, 5 from the cache" out &&
	test "$(batches $C)" = 0 && ! tail -c 3 $C | grep -q bat
'

test_expect_success 'stale records outnumbering the others: the file is written anew' '
	deb17=repo/pool/main/p/pfcache-17/pfcache-17_17.0.6-1_$deb.deb &&
	for i in $(seq 12); do
		touch -d "@$((1717200000 + i))" $deb17 &&
		idx -q repo && batches $C >>counts || return 1
	done &&
	tr "\n" " " <counts >seen &&
	grep -q "^1 2 3 .* 0 " seen &&
	idx repo >out &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 0 read, 5 from the cache" out &&
	same_as_scratch
'

test_expect_success 'a cache hard-linked into a copy is replaced, not appended to' '
	rm -rf copy && cp -al repo copy && cp $C before &&
	rm copy/pool/main/p/pfcnew-18/pfcnew-18_18.1.8-1_$deb.deb &&
	idx -q copy &&
	cmp before $C &&
	test "$(stat -c %h $C)" = 1 && test "$(stat -c %h copy/.pkgforge/index-cache)" = 1
'

test_expect_success 'a damaged cache is dropped with a warning and everything read again' '
	printf "garbage" | dd of=$C bs=1 seek=$(head -1 $C | wc -c) conv=notrunc 2>/dev/null &&
	idx repo >out 2>err &&
	check_lines err "pkgforge: warning: $TRASH/repo/.pkgforge/index-cache is unreadable (another pkgforge version?): every package is read again" &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 5 read, 0 from the cache" out &&
	same_as_scratch
'

test_expect_success 'a byte changed inside an index entry is caught by the CRC' '
	idx -q repo &&
	off=$(grep -a -b -o "Description: " $C | head -1 | cut -d: -f1) &&
	test -n "$off" &&
	printf "d" | dd of=$C bs=1 seek=$off conv=notrunc 2>/dev/null &&
	idx repo >out 2>err &&
	check_lines err "pkgforge: warning: $TRASH/repo/.pkgforge/index-cache is unreadable (another pkgforge version?): every package is read again" &&
	grep -qx "repo: 5 packages (deb 3, rpm 2, ipk 0): 5 read, 0 from the cache" out &&
	! grep -q "^description: " repo/dists/stable/main/binary-$deb/Packages &&
	same_as_scratch
'
