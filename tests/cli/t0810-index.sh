#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge index: the three feeds' structure checked against the files
# they name, with gpgv, rpm -K and xmllint; the keyring packages; the
# client snippets; settings remembered; the cache.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac

# the stanza of an index (Packages) that names file FILE
stanza_of() {
	awk -v f="Filename: $2" 'BEGIN { RS = "" } { n = split($0, l, "\n"); for (i = 1; i <= n; i++) if (l[i] == f) print }' "$1"
}

repo_keys || exit 1
repo_fixture pfidx feed || exit 1

test_expect_success 'index publishes every feed and prints the client configuration' '
	index --url http://repo.example/korg repo feed/* >out 2>err &&
	grep -qx "repo: 9 packages (deb 3, rpm 3, ipk 3): 9 read, 0 from the cache, 3 rpms signed" out &&
	sed -n "/^published /p" out >published &&
	check_lines published \
		"published dists/stable/main/binary-$deb/Packages" \
		"published dists/stable/main/binary-$deb/Packages.gz" \
		"published dists/stable/main/binary-$deb/Packages.xz" \
		"published dists/stable/Release" \
		"published dists/stable/Release.gpg" \
		"published dists/stable/InRelease" \
		"published rpm/repodata/repomd.xml.asc" \
		"published rpm/repodata/repomd.xml" \
		"published ipk/all/Packages.gz" \
		"published ipk/all/Packages" \
		"published ipk/all/Packages.asc" \
		"published ipk/all/Packages.sig" \
		"published ipk/$arch/Packages.gz" \
		"published ipk/$arch/Packages" \
		"published ipk/$arch/Packages.asc" \
		"published ipk/$arch/Packages.sig" &&
	check_line out "Signed-By: /usr/share/keyrings/korg-archive-keyring.gpg" &&
	check_line out "baseurl=http://repo.example/korg/rpm" &&
	check_line out "gpgkey=http://repo.example/korg/keys/korg-archive-keyring.asc" &&
	check_line out "src/gz korg-$arch http://repo.example/korg/ipk/$arch" &&
	check_line out "option check_signature 1" &&
	test -f repo/setup/korg.sources && test -f repo/setup/korg.repo &&
	test -f repo/setup/korg-opkg.conf &&
	grep -q "^built the keyring package" err || grep -q "keyring package korg-archive-keyring" err
'

test_expect_success 'packages are in the pool layout' '
	test -f repo/pool/main/p/pfidx-18/pfidx-18_18.1.8-1_$deb.deb &&
	test -f repo/rpm/Packages/p/pfidx-18-18.1.8-1.$arch.rpm &&
	test -f repo/ipk/$arch/pfidx-18_18.1.8-1_$arch.ipk &&
	kv=$(ls repo/pool/main/k/korg-archive-keyring/ | sed -n "s/^korg-archive-keyring_\(.*\)_all.deb$/\1/p") &&
	test -n "$kv" &&
	test -f repo/rpm/Packages/k/korg-archive-keyring-$kv.noarch.rpm &&
	test -f repo/ipk/all/korg-archive-keyring_${kv}_all.ipk
'

test_expect_success 'InRelease and Release.gpg verify with gpgv and the published keyring' '
	gpgv --keyring repo/keys/korg-archive-keyring.gpg repo/dists/stable/InRelease 2>v &&
	gpgv --keyring repo/keys/korg-archive-keyring.gpg repo/dists/stable/Release.gpg \
		repo/dists/stable/Release &&
	gpg --batch --decrypt repo/dists/stable/InRelease 2>/dev/null >signed &&
	cmp signed repo/dists/stable/Release
'

test_expect_success 'Release lists every index with its size and hashes, and by-hash copies' '
	r=repo/dists/stable/Release &&
	grep -qx "Origin: korg" $r && grep -qx "Suite: stable" $r && grep -qx "Codename: stable" $r &&
	grep -qx "Architectures: $deb" $r && grep -qx "Components: main" $r &&
	grep -qx "Acquire-By-Hash: yes" $r && grep -qE "^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} UTC$" $r &&
	for f in Packages Packages.gz Packages.xz; do
		p=main/binary-$deb/$f &&
		sha=$(sha256sum <repo/dists/stable/$p | cut -c1-64) &&
		md5=$(md5sum <repo/dists/stable/$p | cut -c1-32) &&
		size=$(stat -c %s repo/dists/stable/$p) &&
		test "$(release_sha $r $p)" = $sha &&
		grep -qE "^ $md5 +$size $p$" $r &&
		cmp repo/dists/stable/$p repo/dists/stable/main/binary-$deb/by-hash/SHA256/$sha || return 1
	done &&
	xz -dc repo/dists/stable/main/binary-$deb/Packages.xz | cmp - repo/dists/stable/main/binary-$deb/Packages &&
	gzip -dc repo/dists/stable/main/binary-$deb/Packages.gz | cmp - repo/dists/stable/main/binary-$deb/Packages
'

test_expect_success 'Packages describes each .deb as its control file and the file itself' '
	P=repo/dists/stable/main/binary-$deb/Packages &&
	grep -c "^Package: " $P | grep -qx 3 &&
	for f in $(sed -n "s/^Filename: //p" $P); do
		stanza=$(stanza_of $P "$f") &&
		printf "%s\n" "$stanza" | grep -qx "Size: $(stat -c %s repo/$f)" &&
		printf "%s\n" "$stanza" | grep -qx "SHA256: $(sha256sum <repo/$f | cut -c1-64)" &&
		printf "%s\n" "$stanza" | grep -qx "MD5sum: $(md5sum <repo/$f | cut -c1-32)" &&
		dpkg-deb -f repo/$f Package Version Architecture Depends >ctl &&
		while read -r line; do printf "%s\n" "$stanza" | grep -qxF "$line" || return 1; done <ctl ||
		return 1
	done
'

test_expect_success 'repomd.xml names its files with their checksums, and its signature verifies' '
	md=repo/rpm/repodata/repomd.xml &&
	xmllint --noout $md &&
	gpgv --keyring repo/keys/korg-archive-keyring.gpg $md.asc $md &&
	for t in primary filelists other; do
		href=$(xmllint --xpath "string(//*[local-name()=\"data\"][@type=\"$t\"]/*[local-name()=\"location\"]/@href)" $md) &&
		sum=$(xmllint --xpath "string(//*[local-name()=\"data\"][@type=\"$t\"]/*[local-name()=\"checksum\"])" $md) &&
		osum=$(xmllint --xpath "string(//*[local-name()=\"data\"][@type=\"$t\"]/*[local-name()=\"open-checksum\"])" $md) &&
		size=$(xmllint --xpath "string(//*[local-name()=\"data\"][@type=\"$t\"]/*[local-name()=\"size\"])" $md) &&
		osize=$(xmllint --xpath "string(//*[local-name()=\"data\"][@type=\"$t\"]/*[local-name()=\"open-size\"])" $md) &&
		case $href in repodata/$sum-$t.xml.zst) ;; *) return 1 ;; esac &&
		test "$(sha256sum <repo/rpm/$href | cut -c1-64)" = $sum &&
		test "$(stat -c %s repo/rpm/$href)" = $size &&
		zstd -qdc repo/rpm/$href >$t.xml &&
		test "$(sha256sum <$t.xml | cut -c1-64)" = $osum &&
		test "$(stat -c %s $t.xml)" = $osize &&
		xmllint --noout $t.xml || return 1
	done
'

test_expect_success 'primary.xml describes each rpm as createrepo_c does' '
	p=pfidx-18-18.1.8-1.$arch.rpm &&
	mkdir cr && createrepo_c -q --no-database --simple-md-filenames -o cr repo/rpm >/dev/null &&
	zcat cr/repodata/primary.xml.gz >cr-primary.xml &&
	for x in primary.xml cr-primary.xml; do
		xmllint --xpath "//*[local-name()=\"package\"][*[local-name()=\"location\"]/@href=\"Packages/p/$p\"]" $x |
			sed -e "s/<time [^>]*>//" -e "s/^ *//" >$x.one || return 1
	done &&
	diff -u cr-primary.xml.one primary.xml.one
'

test_expect_success 'the rpms carry an RSA header signature rpm -K accepts with the key' '
	mkdir rpmdb && rpmkeys --root "$TRASH/rpmdb" --import repo/keys/korg-archive-keyring.asc &&
	for f in repo/rpm/Packages/*/*.rpm; do
		rpmkeys --root "$TRASH/rpmdb" -K $f >k && grep -qx "$f: digests signatures OK" k || return 1
	done &&
	rpm -qp --qf "%{RSAHEADER:pgpsig}\n" repo/rpm/Packages/p/pfidx-18-18.1.8-1.$arch.rpm >sig &&
	grep -q "^RSA/SHA[0-9]*, .*, Key ID $KEYID$" sig &&
	test $(stat -c %s repo/rpm/Packages/p/pfidx-18-18.1.8-1.$arch.rpm) = \
		$(stat -c %s feed/pfidx-18-18.1.8-1.$arch.rpm) &&
	! rpmkeys --root "$TRASH/rpmdb" -K feed/pfidx-18-18.1.8-1.$arch.rpm | grep -q signatures
'

test_expect_success 'the keyring packages install the keys where each system looks' '
	kv=$(ls repo/pool/main/k/korg-archive-keyring/ | sed -n "s/^korg-archive-keyring_\(.*\)_all.deb$/\1/p") &&
	dpkg-deb -c repo/pool/main/k/korg-archive-keyring/korg-archive-keyring_${kv}_all.deb |
		grep -q " ./usr/share/keyrings/korg-archive-keyring.gpg$" &&
	dpkg-deb --fsys-tarfile repo/pool/main/k/korg-archive-keyring/korg-archive-keyring_${kv}_all.deb |
		tar -xOf - ./usr/share/keyrings/korg-archive-keyring.gpg | cmp - repo/keys/korg-archive-keyring.gpg &&
	rpm -qpl repo/rpm/Packages/k/korg-archive-keyring-$kv.noarch.rpm >l &&
	check_line l /etc/pki/rpm-gpg/RPM-GPG-KEY-korg &&
	rpm -qp --qf "%{ARCH}\n" repo/rpm/Packages/k/korg-archive-keyring-$kv.noarch.rpm | grep -qx noarch &&
	tar -xzOf repo/ipk/all/korg-archive-keyring_${kv}_all.ipk ./data.tar.gz | tar -tzf - >l &&
	check_line l ./etc/opkg/keys/$USIGN_FP &&
	tar -xzOf repo/ipk/all/korg-archive-keyring_${kv}_all.ipk ./data.tar.gz |
		tar -xzOf - ./etc/opkg/keys/$USIGN_FP | sed -n 2p >k &&
	sed -n 2p usign.key.pub | cmp - k &&
	sed -n 2p repo/keys/korg-archive-keyring.pub | cmp - k
'

test_expect_success 'pkgforge check finds no problem in the published pool' '
	pkgforge check repo/pool repo/rpm repo/ipk >out &&
	check_lines out "9 packages checked against debian-12: no problem"
'

test_expect_success 'settings are remembered; a second run reads nothing' '
	grep -qx "sign-key $FPR" repo/.pkgforge/settings &&
	grep -qx "url http://repo.example/korg" repo/.pkgforge/settings &&
	grep -qx "usign-key $TRASH/usign.key" repo/.pkgforge/settings &&
	(cd /tmp && "$PKGFORGE" index "$TRASH/repo") >out &&
	grep -qx "$TRASH/repo: 9 packages (deb 3, rpm 3, ipk 3): 0 read, 9 from the cache" out
'

test_expect_success 'a package changed on disk is read again, and a new one' '
	touch repo/pool/main/p/pfidx-17/pfidx-17_17.0.6-1_$deb.deb &&
	repo_fixture pfnew new deb &&
	cp new/pfnew-18_18.1.8-1_$deb.deb repo/pool/main/ &&
	pkgforge index repo >out &&
	grep -qx "repo: 10 packages (deb 4, rpm 3, ipk 3): 2 read, 8 from the cache" out &&
	grep -q "^Filename: pool/main/pfnew-18_18.1.8-1_$deb.deb$" repo/dists/stable/main/binary-$deb/Packages
'

test_expect_code 1 'a package already published with other content is refused' '
	sed "s/^summary: .*/summary: the same version, other content/" pfidx.yaml >other.yaml &&
	pkgforge build -q -f deb --only pfidx-18 -s "$FIX" -o other other.yaml >/dev/null || exit 9
	pkgforge index repo other/pfidx-18_18.1.8-1_$deb.deb 2>err; rc=$?
	check_lines err "pkgforge: error: pool/main/p/pfidx-18/pfidx-18_18.1.8-1_$deb.deb is already in the repository with other content: a published package never changes; give the new one another version or release" || exit 9
	exit $rc
'

test_expect_success 'the same package added again is no change' '
	pkgforge index -q repo feed/pfidx-18_18.1.8-1_$deb.deb feed/pfidx-18-18.1.8-1.$arch.rpm >out &&
	test ! -s out
'

test_expect_success 'a killed run'"'"'s temporary files go, wherever they are; other dot files stay' '
	temps="pool/main/p/pfidx-18/.pfidx-18_18.1.8-1_$deb.deb.tmp.AbC123
		rpm/Packages/p/.pfidx-18-18.1.8-1.$arch.rpm.tmp.AbC123
		rpm/repodata/.repomd.xml.tmp.AbC123
		ipk/$arch/.Packages.tmp.AbC123
		dists/stable/main/binary-$deb/.Packages.xz.tmp.AbC123
		keys/.korg-archive-keyring.asc.tmp.AbC123
		.pkgforge/.index-cache.tmp.AbC123" &&
	for t in $temps; do echo half >repo/$t || return 1; done &&
	echo keep >repo/pool/main/p/pfidx-18/.not-ours &&
	echo keep >repo/rpm/Packages/p/.pfidx.tmp.toolong &&
	mkdir repo/pool/main/p/.dir.tmp.AbC123 &&
	pkgforge index -q repo >out &&
	test ! -s out &&
	for t in $temps; do test ! -e repo/$t || { echo "left: $t"; return 1; }; done &&
	test -f repo/pool/main/p/pfidx-18/.not-ours &&
	test -f repo/rpm/Packages/p/.pfidx.tmp.toolong &&
	test -d repo/pool/main/p/.dir.tmp.AbC123 &&
	rm -r repo/pool/main/p/pfidx-18/.not-ours repo/rpm/Packages/p/.pfidx.tmp.toolong \
		repo/pool/main/p/.dir.tmp.AbC123
'

test_expect_code 2 'without a signing key nothing is published' '
	pkgforge index norepo feed/pfidx-18_18.1.8-1_$deb.deb 2>err; rc=$?
	check_lines err "pkgforge: error: no signing key: give --sign-key FPR (see '"'"'pkgforge keygen'"'"'), or --unsigned for a feed no client can verify" || exit 9
	test ! -e norepo/dists || exit 9
	exit $rc
'

test_expect_code 2 'an .ipk feed needs a usign key' '
	pkgforge index --sign-key $FPR ipkonly feed/pfidx-18_18.1.8-1_$arch.ipk 2>err; rc=$?
	check_lines err "pkgforge: error: the opkg feed needs a usign key too (--usign-key FILE, see '"'"'pkgforge keygen'"'"'): OpenWrt'"'"'s opkg checks Packages.sig" || exit 9
	exit $rc
'

test_expect_code 1 'a secret key the GnuPG home does not have' '
	pkgforge index --sign-key 0123456789ABCDEF0123456789ABCDEF01234567 nokey 2>err; rc=$?
	check_lines err "pkgforge: error: no secret key 0123456789ABCDEF0123456789ABCDEF01234567 in $GNUPGHOME" || exit 9
	exit $rc
'

test_expect_code 2 'bad option values' '
	pkgforge index --sign-key 1234 bad 2>err; rc=$?
	check_lines err "pkgforge: error: --sign-key '"'"'1234'"'"' is not an OpenPGP fingerprint (40 hexadecimal digits, no spaces)" || exit 9
	pkgforge index --suite "a/b" bad 2>err; test $? = 2 || exit 9
	check_lines err "pkgforge: error: --suite '"'"'a/b'"'"' must be letters, digits, '"'"'.'"'"', '"'"'_'"'"', '"'"'+'"'"' and '"'"'-'"'"'" || exit 9
	pkgforge index --keep -1 bad 2>err; test $? = 2 || exit 9
	check_lines err "pkgforge: error: --keep must be a number from 0 to 1000, not '"'"'-1'"'"'" || exit 9
	pkgforge index --rpmmd-compression bz2 bad 2>err; test $? = 2 || exit 9
	check_lines err "pkgforge: error: --rpmmd-compression: unknown compression '"'"'bz2'"'"' (zst, gz, xz)" || exit 9
	pkgforge index -j 65 threads 2>err; test $? = 2 || exit 9
	check_lines err "pkgforge: error: invalid thread count '"'"'65'"'"' (1 to 64)" || exit 9
	test ! -e threads || exit 9
	exit $rc
'

test_expect_code 2 'a file that is not a package' '
	echo garbage >junk.deb
	pkgforge index repo junk.deb 2>err; rc=$?
	check_lines err "pkgforge: error: junk.deb: not a Debian package: Unrecognized archive format" || exit 9
	exit $rc
'
