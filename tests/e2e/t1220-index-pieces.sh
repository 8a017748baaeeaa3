#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Indexes compressed piece by piece (zpiece.c), with the real clients:
# a feed large enough that Packages.xz has several xz blocks,
# Packages.gz several sync-flushed deflate parts and primary.xml.zst
# several zstd frames; apt reads it through xz and through gzip, dnf
# through zstd and gzip and sees every version.  A re-index compresses
# only the pieces that changed, hashes the text only from its first
# change on, and gives the bytes of an index made from scratch; a
# damaged .pkgforge/zcache is not used.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
. "$PF_TOP/tests/lib-repo.sh"
arch=$(uname -m)
deb=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=1717200000
nver=400

# pfpiece-<major>: $nver tiny versions with a long description, so each
# package's index record is about 2 KB
mkdir -p stage/pfpiece/bin src
printf '#!/bin/sh\necho pfpiece\n' >stage/pfpiece/bin/pfpiece && chmod 755 stage/pfpiece/bin/pfpiece
tar --owner=0 --group=0 --numeric-owner --mtime=2024-06-01 -C stage -czf pfpiece.tar.gz pfpiece
sha=$(sha256sum <pfpiece.tar.gz | cut -c1-64)
{
	cat <<YAML
package: pfpiece-\${major}
summary: a package of the pieces test, version \${version}
description: |
YAML
	for l in $(seq 24); do
		echo "  Line $l of a long description: the index record of this package is large, so that"
	done
	cat <<YAML
license: MIT
maintainer: pkgforge tests <tests@pkgforge.invalid>
prefix: /opt/pfpiece-\${major}-\${version}
hosts: [$arch]
source:
  url: https://example.org/pfpiece-\${version}.tar.gz
versions:
YAML
	for i in $(seq 0 $((nver - 1))); do
		v=$((i / 10 + 1)).$((i % 10))
		ln -f pfpiece.tar.gz src/pfpiece-$v.tar.gz
		printf '  - version: "%s"\n    sha256: {%s: %s}\n' "$v" "$arch" "$sha"
	done
} >pieces.yaml
pkgforge build -q -f deb,rpm -s src -o pkgs pieces.yaml >/dev/null || exit 1
# all but the last version first; the last is added later
mapfile -t first < <(ls pkgs/*.deb pkgs/*.rpm | grep -v -e "[-_]15\.9-1[._]")
mapfile -t last < <(ls pkgs/*.deb pkgs/*.rpm | grep -e "[-_]15\.9-1[._]")
R=$TRASH/srv/repo
P=$R/dists/stable/main/binary-$deb
start_httpd web
url=http://127.0.0.1:$port_web/ok/repo

idx() { pkgforge index --unsigned --keyring-package none "$@"; }

test_expect_success 'a large feed: its indexes are made of several pieces' '
	test ${#first[@]} = $((2 * nver - 2)) && test ${#last[@]} = 2 &&
	idx -q --url $url $R "${first[@]}" &&
	test $(stat -c %s $P/Packages) -gt 500000 &&
	xz --robot --list $P/Packages.xz >list &&
	blocks=$(awk -F"\t" "\$1 == \"file\" { print \$3 }" list) &&
	test "$blocks" -gt 2 &&
	xz -dc $P/Packages.xz | cmp - $P/Packages &&
	gzip -t $P/Packages.gz && gzip -dc $P/Packages.gz | cmp - $P/Packages &&
	primary=$(ls $R/rpm/repodata/*-primary.xml.zst) &&
	zstd -lv "$primary" >zl 2>&1 &&
	frames=$(sed -n "s/^# Zstandard Frames: *//p" zl) &&
	test "$frames" -gt 1 &&
	zstd -t -q "$primary"
'

apt_update() {
	local d=$TRASH/$1
	shift
	rm -rf "$d" && mapfile -t APT < <(apt_opts "$d") &&
	printf "Types: deb\nURIs: %s\nSuites: stable\nComponents: main\nTrusted: yes\n" "$url" \
		>"$d/sources/pfpiece.sources" &&
	apt-get "${APT[@]}" "$@" update
}

test_expect_success 'apt reads Packages.xz made of several blocks' '
	apt_update a >out 2>&1 && ! grep -E "^(W|E|N|Err):" out &&
	xz_sha=$(release_sha $R/dists/stable/Release main/binary-$deb/Packages.xz) &&
	grep -q "GET /ok/repo/dists/stable/main/binary-$deb/by-hash/SHA256/$xz_sha " web.log &&
	apt-cache "${APT[@]}" madison pfpiece-15 >m &&
	test $(wc -l <m) = 9 && grep -q "15.8-1" m
'

test_expect_success 'apt reads Packages.gz made of several parts' '
	apt_update b -o Acquire::CompressionTypes::Order::=gz >out 2>&1 &&
	! grep -E "^(W|E|N|Err):" out &&
	gz_sha=$(release_sha $R/dists/stable/Release main/binary-$deb/Packages.gz) &&
	grep -q "by-hash/SHA256/$gz_sha " web.log &&
	apt-cache "${APT[@]}" madison pfpiece-1 >m && test $(wc -l <m) = 10
'

dnf_query() {
	local d=$TRASH/dnf-$1
	shift
	mkdir -p "$d/repos" "$d/root" &&
	printf "[pfpiece]\nname=pfpiece\nbaseurl=%s/rpm\ngpgcheck=0\nrepo_gpgcheck=0\n" "$url" \
		>"$d/repos/pfpiece.repo" &&
	dnf -q --installroot="$d/root" --setopt=reposdir="$d/repos" \
		--setopt=cachedir="$d/cache" --releasever=1 "$@"
}

if ! require_root; then
	test_skip 'dnf reads primary.xml.zst and .gz made of pieces' 'needs root (dnf --installroot)'
else
	test_expect_success 'dnf reads primary.xml.zst made of several frames' '
		dnf_query zst repoquery --showduplicates "pfpiece-*" >q 2>err &&
		test $(grep -c "^pfpiece-" q) = $((nver - 1)) &&
		grep -q "^pfpiece-15-0:15.8-1.$arch$" q
	'

	test_expect_success 'dnf reads primary.xml.gz made of several parts' '
		cp -a $R gzrepo &&
		idx -q --rpmmd-compression gz gzrepo &&
		p=$(ls gzrepo/rpm/repodata/*-primary.xml.gz) &&
		gzip -t "$p" && test $(gzip -dc "$p" | wc -c) -gt 200000 &&
		rm -rf $R.zst && mv $R $R.zst && mv gzrepo $R &&
		dnf_query gz repoquery --showduplicates "pfpiece-*" >q 2>err &&
		test $(grep -c "^pfpiece-" q) = $((nver - 1)) &&
		rm -rf $R && mv $R.zst $R
	'
fi

# "compressed N index pieces, M more from .pkgforge/zcache; hashed H
# bytes of index text, S more from saved digest states"
zline='^pkgforge: compressed [0-9]* index pieces\?, [0-9]* more from .pkgforge/zcache; hashed [0-9]* bytes of index text, [0-9]* more from saved digest states$'

test_expect_success 'a re-index compresses only the pieces that changed' '
	idx --verbose --verbose $R "${last[@]}" 2>err &&
	grep "$zline" err >reindex.line &&
	new=$(cut -d" " -f3 reindex.line) && reused=$(cut -d" " -f6 reindex.line) &&
	test "$new" -ge 1 && test "$reused" -gt "$new" || { cat err; false; }
'

# the whole digests (Packages: MD5 and SHA-256; rpm-md: open-checksum)
# go on from the state saved at the last piece before the change; the
# digests themselves are checked below, against an index from scratch
test_expect_success 'a re-index hashes the index text from the first change on' '
	hashed=$(cut -d" " -f11 reindex.line) && resumed=$(cut -d" " -f16 reindex.line) &&
	test "$hashed" -gt 0 && test "$resumed" -gt 0 || { cat reindex.line; false; }
'

# the indexes of a copy of the repository made again from scratch
from_scratch() {
	rm -rf scratch && cp -a $R scratch &&
	rm -rf scratch/.pkgforge scratch/dists scratch/rpm/repodata &&
	idx -q scratch
}

same_indexes() {
	for f in dists/stable/Release dists/stable/main/binary-$deb/Packages \
		dists/stable/main/binary-$deb/Packages.gz dists/stable/main/binary-$deb/Packages.xz \
		rpm/repodata/repomd.xml; do
		cmp $R/$f scratch/$f || return 1
	done
}

test_expect_success 'the re-indexed feed has the bytes of one made from scratch' '
	from_scratch && same_indexes
'

test_expect_success 'a damaged zcache is not used: every piece is compressed again' '
	z=$R/.pkgforge/zcache &&
	printf "\\377" | dd of=$z bs=1 seek=100 conv=notrunc 2>/dev/null &&
	rm $R/pool/main/p/pfpiece-15/pfpiece-15_15.9-1_$deb.deb &&
	idx --verbose --verbose $R 2>err &&
	grep "$zline" err >line &&
	grep "^pkgforge: compressed [0-9]* index pieces, 0 more from .pkgforge/zcache; hashed [1-9][0-9]* bytes of index text, 0 more" line &&
	from_scratch && same_indexes &&
	idx --verbose --verbose $R 2>err &&
	grep "^pkgforge: compressed 0 index pieces, [1-9][0-9]* more from .pkgforge/zcache; hashed 0 bytes of index text, [1-9][0-9]* more" err
'
