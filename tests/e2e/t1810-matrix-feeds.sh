#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The slice of the real manifests (tests/fixtures/mkmirror) built from
# the kernel.org-shaped mirror straight into signed feeds (build --repo),
# served over HTTP on 127.0.0.1, and installed from them by the real
# clients: korg-llvm-22 with apt into this system, korg-gcc-16-arm64 with
# dnf into an empty root, every signature checked; then the installed
# compilers run.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
. "$PF_TOP/tests/lib-repo.sh"
korg_mirror
M=$PF_TOP/manifests
arch=$(uname -m)
deb=$(dpkg --print-architecture)
repo_keys || exit 1
mkdir -p srv && cp -r "$MIRROR/mirror" srv/mirror
start_httpd web
url=http://127.0.0.1:$port_web/ok
R=$TRASH/srv/repo
gcc=korg-gcc-16-arm64-16.2.0-1.$arch.rpm
bu=korg-binutils-16-arm64-16.2.0-1.$arch.rpm

test_expect_success 'build --repo: the slice from the mirror into signed feeds' '
	pkgforge build -q --keys "$PF_TOP/keys" --trust-key "$MIRROR/key.asc" \
		--trust-fpr "$mirror_fpr" --mirror "$url/mirror" \
		-f deb,rpm,ipk --repo "$R" --url "$url/repo" \
		--sign-key "$FPR" --usign-key "$TRASH/usign.key" "${slice[@]}" "$M" >list 2>err &&
	test $(grep -c "\.deb$" list) -eq 6 && test $(grep -c "\.rpm$" list) -eq 6 &&
	test $(grep -c "\.ipk$" list) -eq 6 &&
	check_line $R/setup/korg.sources "URIs: $url/repo" &&
	for f in dists/stable/InRelease dists/stable/Release.gpg rpm/repodata/repomd.xml.asc \
		ipk/$arch/Packages.sig ipk/$arch/Packages.asc rpm/Packages/k/$gcc; do
		test -s $R/$f || { echo "no $f"; return 1; }
	done
'

if ! require_root; then
	test_skip 'apt and dnf install from the feeds' 'needs root'
	exit 0
fi

test_cleanup 'dpkg -r korg-llvm-22 >/dev/null 2>&1'
test_expect_success 'apt-get installs korg-llvm-22 from the apt feed; clang runs' '
	mapfile -t APT < <(apt_opts "$TRASH/apt") &&
	sed "s|^Signed-By: .*|Signed-By: $R/keys/korg-archive-keyring.gpg|" \
		$R/setup/korg.sources >"$TRASH/apt/sources/korg.sources" &&
	apt-get "${APT[@]}" update >out 2>&1 &&
	! grep -E "^(W|E|N|Err):" out &&
	grep -q "^Get:.* stable InRelease" out &&
	DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" install -y korg-llvm-22 >out 2>&1 ||
		{ cat out; false; } &&
	grep -q "GET /ok/repo/pool/main/k/korg-llvm-22/korg-llvm-22_22.1.8-1_$deb.deb " web.log &&
	dpkg-query -W -f="\${Status} \${Version}\n" korg-llvm-22 >st &&
	check_lines st "install ok installed 22.1.8-1" &&
	/opt/korg/llvm-22/bin/clang --version >v &&
	check_lines v "clang version 22.1.8 (pkgforge fixture)" &&
	DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" remove -y korg-llvm-22 >out 2>&1 &&
	test ! -e /opt/korg/llvm-22
'

# The distribution's base for dnf's empty root: what the packages need
# from outside the feed (the C library, rtld, /bin/sh, update-alternatives
# for their scriptlets) is provided by one package standing for it; it
# ships no file of those, so the scriptlets cannot run in that root
# (tsflags=noscripts) and the compilers run with the host's libraries.
test_expect_success 'a base for the empty root, from what the packages require' '
	for p in $gcc $bu; do rpm -qp --requires $R/rpm/Packages/k/$p 2>/dev/null; done |
		grep -v -e "^rpmlib(" -e "^korg-" | sort -u >needs &&
	check_line needs "libc.so.6(GLIBC_2.34)(64bit)" &&
	check_line needs /bin/sh &&
	mkdir -p base/pfdnf-distro-base && echo "the distribution" >base/pfdnf-distro-base/README &&
	tar --owner=0 --group=0 --mtime=2024-06-01 -C base -czf base.tar.gz pfdnf-distro-base &&
	{
		echo "package: pfdnf-distro-base"
		echo "summary: the distribution base, for a test in an empty root"
		echo "description: What a real system provides."
		echo "license: MIT"
		echo "maintainer: pkgforge tests <tests@pkgforge.invalid>"
		echo "prefix: /usr/share/doc/pfdnf-distro-base"
		echo "hosts: [$arch]"
		echo "source: {url: \"https://example.org/base.tar.gz\"}"
		echo "provides:"
		echo "  rpm:"
		sed "s/.*/    - \"&\"/" needs
		echo "versions:"
		echo "  - version: \"1.0\""
		echo "    sha256: {$arch: $(sha256sum <base.tar.gz | cut -c1-64)}"
	} >base.yaml &&
	pkgforge build -q -f rpm -s base.tar.gz -o basepkg base.yaml >/dev/null &&
	index -q $R basepkg/pfdnf-distro-base-1.0-1.$arch.rpm
'

root=$TRASH/root
dnf_in() {
	dnf -y -q --refresh --installroot="$root" --setopt=reposdir="$TRASH/repos" \
		--setopt=cachedir="$TRASH/dnfcache" --setopt=install_weak_deps=0 \
		--setopt=metadata_expire=0 --setopt=skip_if_unavailable=False \
		--setopt=tsflags=noscripts --releasever=1 --nodocs "$@"
}

test_expect_success 'dnf installs korg-gcc-16-arm64 and its binutils, signatures checked; gcc runs' '
	mkdir -p repos "$root" &&
	sed "s|^gpgkey=.*|gpgkey=file://$R/keys/korg-archive-keyring.asc|" $R/setup/korg.repo >repos/korg.repo &&
	check_line repos/korg.repo "gpgcheck=1" && check_line repos/korg.repo "repo_gpgcheck=1" &&
	rpmkeys --root "$root" --import $R/keys/korg-archive-keyring.asc &&
	dnf_in install korg-gcc-16-arm64 >out 2>&1 || { cat out; false; } &&
	rpm --root "$root" -q korg-gcc-16-arm64 korg-binutils-16-arm64 >q &&
	check_lines q korg-gcc-16-arm64-16.2.0-1.$arch korg-binutils-16-arm64-16.2.0-1.$arch &&
	grep -q "GET /ok/repo/rpm/repodata/repomd.xml.asc" web.log &&
	grep -q "GET /ok/repo/rpm/Packages/k/$gcc " web.log &&
	rpmkeys --root "$root" -K $R/rpm/Packages/k/$gcc >k &&
	check_lines k "$R/rpm/Packages/k/$gcc: digests signatures OK" &&
	rpm --root "$root" -V korg-gcc-16-arm64 korg-binutils-16-arm64 >verify && test ! -s verify &&
	g=$root/opt/korg/gcc-16/aarch64-linux &&
	$g/bin/aarch64-linux-gcc --version >v &&
	check_lines v "aarch64-linux-gcc (GCC) 16.2.0" &&
	$g/bin/aarch64-linux-as --version | grep -q "^aarch64-linux-as (GNU Binutils) "
'
