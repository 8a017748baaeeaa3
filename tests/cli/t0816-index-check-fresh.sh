#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The feed's check after one that passed (.pkgforge/checked): a run that
# only adds packages checks those, against all the others, and finds
# what a check of the whole feed finds; a run from which a package that
# passed has left, or with other profile data, or with the file damaged,
# checks the whole feed.  The packages are made with dpkg-deb, so that
# they can provide, depend and clash as each case needs.
. "$PF_TOP/tests/lib.sh"
deb=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=1717200000
S=repo/.pkgforge/checked
FRESH="pkgforge: checked the 1 package added since the last check"

# mkdeb NAME VERSION DEPENDS PROVIDES PATH...: NAME_VERSION_ARCH.deb here
mkdeb() {
	local n=$1 v=$2 dep=$3 prov=$4 d=src/$1-$2 p
	shift 4
	rm -rf "$d" && mkdir -p "$d/DEBIAN" &&
	{
		printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$n" "$v" "$deb"
		printf 'Maintainer: pkgforge tests <t@pkgforge.invalid>\n'
		test -z "$dep" || printf 'Depends: %s\n' "$dep"
		test -z "$prov" || printf 'Provides: %s\n' "$prov"
		printf 'Description: a test package\n'
	} >"$d/DEBIAN/control" &&
	for p; do
		mkdir -p "$d/${p%/*}" && echo "$n $v" >"$d/$p" || return 1
	done &&
	dpkg-deb -Zgzip --root-owner-group -b "$d" "${n}_${v}_$deb.deb" >/dev/null
}
idx() { pkgforge index --unsigned --keyring-package none --verbose --verbose "$@"; }
# the run's problems and whether only the new packages were checked
run() { idx repo "$@" >out 2>log; echo $? >rc; grep -v '^pkgforge: [^e]' log >err; true; }
# the same run, checking the whole feed: the same problems
same_as_whole() {
	cp err err.fresh && cp rc rc.fresh && cp -a repo whole &&
	rm whole/.pkgforge/checked &&
	idx whole >/dev/null 2>log.whole; echo $? >rc.whole
	rm -rf whole
	! grep -q "added since the last check" log.whole &&
	grep -v '^pkgforge: [^e]' log.whole | sed "s|^$TRASH/whole/|$TRASH/repo/|" >err.whole &&
	cmp rc.fresh rc.whole && cmp err.fresh err.whole
}

mkdeb pa 1.0 "" "pa-virt" opt/pa/bin/pa || exit 1
mkdeb pb 1.0 "pa (>= 1.0)" "" opt/pb/x || exit 1
mkdeb pc 1.0 "pa-virt" "" opt/pc/x || exit 1
mkdeb pd 1.0 "" "" opt/pa/bin/pa opt/pd/x || exit 1
mkdeb pe 1.0 "pb | pnone" "" opt/pe/x || exit 1

test_expect_success 'a feed that passes is remembered with its packages' '
	idx repo pa_1.0_$deb.deb pb_1.0_$deb.deb >out 2>log &&
	! grep -q "added since" log &&
	head -2 $S >head && check_lines head "pkgforge-checked 1 0.1.0" "profile debian-12" &&
	grep -qx "packages 2" $S && grep -q "^data $deb [0-9a-f]\{64\}$" $S &&
	grep -q "^crc [0-9a-f]\{16\}$" $S
'

test_expect_success 'a package added checks alone; a Provides of one before satisfies it' '
	run pc_1.0_$deb.deb &&
	test "$(cat rc)" = 0 && test ! -s err && grep -qx "$FRESH" log &&
	grep -qx "packages 3" $S
'

test_expect_success 'a run adding nothing checks nothing, and leaves the file' '
	cp $S s.before && run && test "$(cat rc)" = 0 &&
	grep -qx "pkgforge: checked the 0 packages added since the last check" log &&
	cmp s.before $S
'

test_expect_success 'a package clashing with one before is found, as a whole check finds it' '
	run pd_1.0_$deb.deb &&
	test "$(cat rc)" = 1 && grep -qx "$FRESH" log &&
	check_lines err \
		"pool/main/p/pd/pd_1.0_$deb.deb: error: pa 1.0 and pd 1.0 both ship /opt/pa/bin/pa, and neither conflicts with nor replaces the other" \
		"pkgforge: error: 1 problem in the feed: nothing was published (--allow-problems publishes anyway)" &&
	same_as_whole && cmp s.before $S
'

test_expect_success 'the failed run left the file: the next finds the same problem' '
	run && test "$(cat rc)" = 1 && grep -qx "$FRESH" log &&
	grep -q "pa 1.0 and pd 1.0 both ship /opt/pa/bin/pa" err &&
	cmp err err.fresh &&
	run -j 1 && test "$(cat rc)" = 1 && cmp err err.fresh &&
	! grep -q "beside the indexes" log && grep -q "beside the indexes" log.whole &&
	rm repo/pool/main/p/pd/pd_1.0_$deb.deb && run && test "$(cat rc)" = 0 && test ! -s err
'

test_expect_success 'the same package twice is found, as a whole check finds it' '
	mkdeb pa 1.0 "" "pa-virt" opt/pa/bin/pa opt/pa/extra &&
	cp pa_1.0_$deb.deb repo/pool/main/p/pa/pa_1.0_$deb.rebuilt.deb &&
	run && test "$(cat rc)" = 1 && grep -qx "$FRESH" log &&
	check_lines err \
		"pool/main/p/pa/pa_1.0_$deb.rebuilt.deb: error: pa 1.0 ($deb) is also in pool/main/p/pa/pa_1.0_$deb.deb" \
		"pkgforge: error: 1 problem in the feed: nothing was published (--allow-problems publishes anyway)" &&
	same_as_whole &&
	rm repo/pool/main/p/pa/pa_1.0_$deb.rebuilt.deb
'

test_expect_success 'an alternative satisfied by a package before passes' '
	run pe_1.0_$deb.deb && test "$(cat rc)" = 0 && test ! -s err && grep -qx "$FRESH" log
'

test_expect_success 'a package that passed leaving: the whole feed is checked' '
	rm repo/pool/main/p/pa/pa_1.0_$deb.deb &&
	run && test "$(cat rc)" = 1 && ! grep -q "added since" log &&
	check_lines err \
		"pool/main/p/pb/pb_1.0_$deb.deb: error: pb 1.0: depends on '"'"'pa (>= 1.0)'"'"', which neither the packages checked nor debian-12 provide" \
		"pool/main/p/pc/pc_1.0_$deb.deb: error: pc 1.0: depends on '"'"'pa-virt'"'"', which neither the packages checked nor debian-12 provide" \
		"pkgforge: error: 2 problems in the feed: nothing was published (--allow-problems publishes anyway)" &&
	run pa_1.0_$deb.deb && test "$(cat rc)" = 0 && ! grep -q "added since" log &&
	grep -qx "packages 4" $S
'

test_expect_success 'a damaged file: the whole feed is checked' '
	sed -i "3s/./0/" $S && cp $S s.damaged &&
	run && test "$(cat rc)" = 0 && ! grep -q "added since" log &&
	! cmp -s s.damaged $S && run && grep -q "checked the 0 packages added" log
'

test_expect_success 'other profile data: the whole feed is checked' '
	mkdir profiles &&
	cp "$PF_TOP"/profiles/debian-12.*.yaml profiles/ &&
	echo "# changed" >>profiles/debian-12.$deb.yaml &&
	PKGFORGE_PROFILES=$TRASH/profiles run && test "$(cat rc)" = 0 &&
	! grep -q "added since" log &&
	PKGFORGE_PROFILES=$TRASH/profiles run && grep -q "checked the 0 packages added" log
'
