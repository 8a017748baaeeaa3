#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpms that rpmbuild makes, not pkgforge: their rpm-md entries are
# createrepo_c's, read without librpm (an epoch, '~' and '^' in the
# version, a translated summary, relations of every kind with flags,
# pre-requirements and a rich one, config, ghost and directory entries,
# a symlink, a long path, twelve changelog entries of which rpm-md keeps
# ten); and damaged headers get the exact error.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
export SOURCE_DATE_EPOCH=1717200000

cat >pfrb.spec <<'EOF'
Name:           pfrb
Epoch:          2
Version:        1.0~rc1^git2
Release:        3.el9
Summary:        a package rpmbuild makes
Summary(de):    ein Paket, das rpmbuild macht
License:        GPL-2.0-or-later AND MIT
URL:            https://pkgforge.invalid/pfrb
Vendor:         pkgforge tests
Group:          Development/Tools
Packager:       pkgforge tests <t@pkgforge.invalid>
BuildArch:      noarch
Requires:       /bin/sh
Requires:       pfrb-libs = %{epoch}:%{version}-%{release}
Requires(pre):  coreutils
Requires(post): grep >= 3.0
Requires:       (bash or zsh)
Provides:       pfrb-virtual = 1.0
Conflicts:      pfrb-old < 1:0.5
Obsoletes:      pfrb-legacy <= 0.9-1
Recommends:     pfrb-doc
Suggests:       pfrb-extra > 2
Supplements:    pfrb-base
Enhances:       pfrb-core

%description
A package that rpmbuild makes, with
two lines & <markup>.

%description -l de
Ein Paket.

%package libs
Summary: its libraries

%description libs
The libraries.

%install
long=%{buildroot}/opt/pfrb/share/a/directory/name/that/goes/on/and/on
mkdir -p %{buildroot}/opt/pfrb/bin %{buildroot}/opt/pfrb/lib %{buildroot}/etc/pfrb $long
printf '#!/bin/sh\necho pfrb\n' >%{buildroot}/opt/pfrb/bin/pfrb
chmod 755 %{buildroot}/opt/pfrb/bin/pfrb
echo x >$long/a-file-name-of-$(printf 'x%.0s' $(seq 150))
echo conf >%{buildroot}/etc/pfrb/pfrb.conf
ln -s ../bin/pfrb %{buildroot}/opt/pfrb/lib/link
echo lib >%{buildroot}/opt/pfrb/lib/libpfrb.txt

%files
%dir /opt/pfrb
/opt/pfrb/bin
/opt/pfrb/share
%config(noreplace) /etc/pfrb/pfrb.conf
%ghost /var/log/pfrb.log

%files libs
/opt/pfrb/lib

%changelog
EOF
for i in $(seq 12 -1 1); do
	printf '* %s pkgforge tests <t@pkgforge.invalid> - 1.%s-1\n- entry %s & <%s>\n\n' \
		"$(date -u -d "@$((1717200000 - (12 - i) * 86400))" '+%a %b %d %Y')" $i $i $i
done >>pfrb.spec
rpmbuild -bb --define "_topdir $TRASH/top" --define "_buildhost pkgforge-test" pfrb.spec \
	>rpmbuild.log 2>&1 || { cat rpmbuild.log; exit 1; }
R=$(ls top/RPMS/noarch/pfrb-1*.rpm)
L=$(ls top/RPMS/noarch/pfrb-libs-*.rpm)

test_expect_success 'every entry of the three files is createrepo_c'"'"'s' '
	pkgforge index -q --unsigned --allow-problems --keyring-package none repo "$R" "$L" \
		>out 2>err &&
	grep -qx "pkgforge: warning: published with 3 problems (--allow-problems)" err &&
	mkdir cr && createrepo_c -q --no-database --simple-md-filenames -o cr repo/rpm >/dev/null &&
	for k in primary filelists other; do
		zstdcat repo/rpm/repodata/*-$k.xml.zst | sed "s/<time [^>]*>//" >pf-$k.xml &&
		{ zcat cr/repodata/$k.xml.gz; echo; } | sed "s/<time [^>]*>//" >cr-$k.xml &&
		diff -u cr-$k.xml pf-$k.xml || return 1
	done &&
	grep -q "<rpm:entry name=\"grep\" flags=\"GE\" epoch=\"0\" ver=\"3.0\" pre=\"1\"/>" pf-primary.xml &&
	grep -q "<version epoch=\"2\" ver=\"1.0~rc1^git2\" rel=\"3.el9\"/>" pf-primary.xml &&
	grep -q "<file type=\"ghost\">/var/log/pfrb.log</file>" pf-filelists.xml &&
	test $(grep -c "<changelog " pf-other.xml) = 20 &&
	sed -n "/name=\"pfrb\"/,/<\/package>/p" pf-other.xml | grep -o "entry [0-9]*" >order &&
	check_lines order "entry 3" "entry 4" "entry 5" "entry 6" "entry 7" "entry 8" \
		"entry 9" "entry 10" "entry 11" "entry 12"
'

test_expect_code 1 'pkgforge check reads their relations' '
	pkgforge check "$R" "$L" >out 2>err; rc=$?
	grep "depends on" err | sed "s/.*: depends on //" >deps &&
	check_lines deps \
		"'"'"'(bash or zsh)'"'"', which neither the packages checked nor debian-12 (amd64) provide" \
		"'"'"'coreutils'"'"', which neither the packages checked nor debian-12 (amd64) provide" \
		"'"'"'grep >= 3.0'"'"', which neither the packages checked nor debian-12 (amd64) provide" || exit 9
	exit $rc
'

test_expect_success 'signed by another key, or published unsigned: left so, one warning a run' '
	repo_keys &&
	GNUPGHOME=$TRASH/other pkgforge keygen --gnupghome "$TRASH/other" >o &&
	test_cleanup "GNUPGHOME=$TRASH/other gpgconf --kill all" &&
	ofpr=$(sed -n "s/^openpgp: //p" o) &&
	pkgforge index -q --sign-key $ofpr --gnupghome "$TRASH/other" --keyring-package none \
		orepo "$L" &&
	pkgforge index -q --unsigned --keyring-package none urepo "$L" &&
	mkdir -p srepo/rpm/Packages/p &&
	cp orepo/rpm/Packages/p/pfrb-libs-* srepo/rpm/Packages/p/other.rpm &&
	cp urepo/rpm/Packages/p/pfrb-libs-* srepo/rpm/Packages/p/unsigned.rpm &&
	cp -r urepo/rpm/repodata srepo/rpm/ &&
	for run in 1 2; do
		pkgforge index -q --sign-key "$FPR" --keyring-package none --allow-problems srepo \
			2>err$run &&
		grep -c "^pkgforge: warning: rpm/Packages/p/other.rpm is signed by another key ($(printf %s "$ofpr" | tail -c 16 | tr A-F a-f))" err$run >n &&
		grep -c "^pkgforge: warning: rpm/Packages/p/unsigned.rpm was published unsigned" err$run >>n &&
		check_lines n 1 1 || return 1
	done &&
	cmp orepo/rpm/Packages/p/pfrb-libs-* srepo/rpm/Packages/p/other.rpm &&
	cmp urepo/rpm/Packages/p/pfrb-libs-* srepo/rpm/Packages/p/unsigned.rpm
'

# damage R's main header (at offset 4504 here, after the lead and the
# signature header): ENTRY TAG FIELD VALUE sets the field (1 type, 2
# offset, 3 count) of the index entry with that tag; DATA TAG VALUE the
# first 32-bit value of that tag's data
damage() {
	python3 - "$R" "$@" <<-'EOF'
	import struct, sys
	path, out, what, tag, x, *rest = sys.argv[1:]
	b = bytearray(open(path, 'rb').read())
	off = 96
	il, dl = struct.unpack('>II', b[off + 8:off + 16])
	off += 16 + il * 16 + dl
	off += (8 - off % 8) % 8
	il, dl = struct.unpack('>II', b[off + 8:off + 16])
	for i in range(il):
	    e = off + 16 + i * 16
	    t, ty, o, c = struct.unpack('>IIII', b[e:e + 16])
	    if t != int(tag):
	        continue
	    if what == 'entry':
	        f = int(x)
	        b[e + 4 * f:e + 4 * f + 4] = struct.pack('>I', int(rest[0]))
	    else:
	        d = off + 16 + il * 16 + o
	        b[d:d + 4] = struct.pack('>I', int(x))
	    open(out, 'wb').write(b)
	    sys.exit(0)
	sys.exit(1)
	EOF
}

# checked FILE ERROR: pkgforge check refuses FILE with exactly ERROR
# (after "pkgforge: error: FILE: "); the case's exit status is check's
checked() {
	pkgforge check "$1" 2>err; rc=$?
	check_lines err "pkgforge: error: $1: $2" || exit 9
	exit $rc
}
CORRUPT="not an rpm package: corrupt main header"

# damage's arguments: what the header gets wrong
while IFS='|' read -r what args <&3; do
	test_expect_code 2 "$what" "damage bad.rpm $args || exit 9; checked bad.rpm \"\$CORRUPT\""
done 3<<'EOF'
an entry of an unknown type|entry 1000 1 10
an entry whose data is past the end|entry 1000 2 4000000
a count larger than the data|entry 1117 3 100000
a number at an offset not aligned for it|entry 1116 2 1
a file in a directory the header does not have|data 1116 100000
EOF

test_expect_code 2 'an absurd count of index entries' '
	python3 -c "
import struct, sys
b = bytearray(open(sys.argv[1], \"rb\").read())
b[96 + 8:96 + 12] = struct.pack(\">I\", 70000)
open(\"bad.rpm\", \"wb\").write(b)" "$R" || exit 9
	checked bad.rpm "not an rpm package: absurd signature header size"
'

test_expect_code 2 'entries that all share their strings are refused, and quickly' '
	python3 -c "
import struct
n, dl = 65535, 1 << 20
lead = b\"\\xed\\xab\\xee\\xdb\" + bytes(92)
magic = b\"\\x8e\\xad\\xe8\\x01\" + bytes(4)
sig = magic + struct.pack(\">II\", 0, 0)
main = magic + struct.pack(\">II\", n, dl)
main += b\"\".join(struct.pack(\">IIII\", 1000 + i, 8, 0, dl) for i in range(n))
open(\"share.rpm\", \"wb\").write(lead + sig + main + bytes(dl))" || exit 9
	timeout 60 "$PKGFORGE" check share.rpm 2>err; rc=$?
	check_lines err "pkgforge: error: share.rpm: $CORRUPT" || exit 9
	exit $rc
'

test_expect_code 2 'a main header cut short' '
	head -c 5000 "$R" >cut.rpm
	checked cut.rpm "not an rpm package: truncated main header"
'

test_expect_code 2 'a header without a name' '
	damage bad.rpm entry 1000 0 0 || exit 9
	checked bad.rpm "the rpm header has no name"
'

finish
