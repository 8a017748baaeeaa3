#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm-md feed with the real dnf 4.14, served over HTTP on 127.0.0.1:
# install into an empty --installroot with gpgcheck=1 and
# repo_gpgcheck=1 and the key imported into that root's rpmdb; a
# package signed by another key is refused; so is a changed repomd.xml.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
. "$PF_TOP/tests/lib-repo.sh"
fixtures
arch=$(uname -m)
if ! require_root; then
	test_skip 'dnf installs from the feed' 'needs root (dnf --installroot)'
	exit 0
fi
repo_keys || exit 1
repo_fixture pfdnf feed rpm || exit 1

# The distribution's base.  The fixture's binaries need the C library
# and zlib, which every real system has (glibc, zlib); an empty
# installroot has nothing.  pfdnf-distro-base stands for that base: it
# ships no library, it only says it provides what glibc and zlib
# provide, and the installed binaries then run with the host's own
# libraries (their RUNPATH finds the toolchain's libclang).
mkdir -p base/pfdnf-distro-base && echo "stands for the distribution's base" >base/pfdnf-distro-base/README
tar --owner=0 --group=0 --mtime=2024-06-01 -C base -czf base.tar.gz pfdnf-distro-base
cat >base.yaml <<YAML
package: pfdnf-distro-base
summary: the distribution's base, for a test in an empty root
description: What glibc and zlib provide on a real system.
license: MIT
maintainer: pkgforge tests <tests@pkgforge.invalid>
prefix: /usr/share/doc/pfdnf-distro-base
hosts: [$arch]
source: {url: "https://example.org/base.tar.gz"}
provides:
  rpm: ["libc6 = 2.36", "libc.so.6()(64bit)", "libc.so.6(GLIBC_2.2.5)(64bit)",
        "libc.so.6(GLIBC_2.34)(64bit)", "libm.so.6()(64bit)", "libm.so.6(GLIBC_2.2.5)(64bit)",
        "libz.so.1()(64bit)", "libz.so.1(ZLIB_1.2.9)(64bit)", "rtld(GNU_HASH)"]
versions:
  - version: "1.0"
    sha256: {$arch: $(sha256sum <base.tar.gz | cut -c1-64)}
YAML
pkgforge build -q -f rpm -s base.tar.gz -o feed base.yaml >/dev/null || exit 1

start_httpd web
R=$TRASH/srv/repo
root=$TRASH/root

# --refresh: each run fetches repomd.xml again.  metadata_expire=0
# alone is not enough: dnf counts the cache's age in whole seconds, and
# a run less than a second after the last one used the cache as it was
# (the next test's new package: "Unable to find a match").
dnf_in() {
	dnf -y -q --refresh --installroot="$root" --setopt=reposdir="$TRASH/repos" \
		--setopt=cachedir="$TRASH/dnfcache" --setopt=install_weak_deps=0 \
		--setopt=metadata_expire=0 --setopt=skip_if_unavailable=False \
		--releasever=1 --nodocs "$@"
}

test_expect_success 'the feed, and a root that trusts its key' '
	index -q --url http://127.0.0.1:$port_web/ok/repo $R feed/* &&
	mkdir -p repos "$root" &&
	sed "s|^gpgkey=.*|gpgkey=file://$R/keys/korg-archive-keyring.asc|" $R/setup/korg.repo >repos/korg.repo &&
	check_line repos/korg.repo "gpgcheck=1" && check_line repos/korg.repo "repo_gpgcheck=1" &&
	check_line repos/korg.repo "baseurl=http://127.0.0.1:$port_web/ok/repo/rpm" &&
	rpmkeys --root "$root" --import $R/keys/korg-archive-keyring.asc
'

test_expect_success 'dnf installs a package and what it needs, checking every signature' '
	dnf_in install pfdnf-18 >out 2>&1 || { cat out; false; } &&
	rpm --root "$root" -q pfdnf-18 pfdnf-distro-base >q &&
	check_lines q pfdnf-18-18.1.8-1.$arch pfdnf-distro-base-1.0-1.$arch &&
	"$root/opt/pfdnf-18/bin/clang" --version >v &&
	check_lines v "clang version 18.1.8 (pkgforge fixture)" &&
	grep -q "GET /ok/repo/rpm/repodata/repomd.xml.asc" web.log &&
	rpm --root "$root" -V pfdnf-18 >verify && test ! -s verify
'

test_expect_success 'rpm -K in that root says the packages are signed' '
	rpmkeys --root "$root" -K $R/rpm/Packages/p/pfdnf-18-18.1.8-1.$arch.rpm >k &&
	check_lines k "$R/rpm/Packages/p/pfdnf-18-18.1.8-1.$arch.rpm: digests signatures OK"
'

test_expect_success 'a package signed by another key is refused' '
	GNUPGHOME=$TRASH/other pkgforge keygen --gnupghome "$TRASH/other" >o &&
	ofpr=$(sed -n "s/^openpgp: //p" o) &&
	test_cleanup "GNUPGHOME=$TRASH/other gpgconf --kill all" &&
	sed -e "s/^package: .*/package: pfdnf-other/" -e "s|^prefix: .*|prefix: /opt/pfdnf-other|" \
		pfdnf.yaml >other.yaml &&
	pkgforge build -q -f rpm --version 18.1.8 -s "$FIX" -o ofeed other.yaml >/dev/null &&
	pkgforge index -q --unsigned --keyring-package none orepo ofeed/* &&
	pkgforge index -q --resign --sign-key $ofpr --gnupghome "$TRASH/other" orepo &&
	cp orepo/rpm/Packages/p/pfdnf-other-18.1.8-1.$arch.rpm $R/rpm/Packages/p/ &&
	pkgforge index -q $R 2>err &&
	test $(grep -c "^pkgforge: warning: rpm/Packages/p/pfdnf-other-18.1.8-1.$arch.rpm is signed by another key" err) = 1 &&
	! dnf_in install pfdnf-other >out 2>&1 &&
	check_line out "Error: GPG check FAILED" &&
	! rpm --root "$root" -q pfdnf-other
'

test_expect_success 'a changed repomd.xml is refused (repo_gpgcheck)' '
	sed -i "s|<revision>|<revision>1|" $R/rpm/repodata/repomd.xml &&
	! dnf_in makecache >out 2>&1 &&
	check_line out "Error: Failed to download metadata for repo '"'"'korg'"'"': repomd.xml GPG signature verification error: Bad GPG signature"
'
