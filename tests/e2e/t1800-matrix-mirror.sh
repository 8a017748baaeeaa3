#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real manifests against a kernel.org-shaped mirror (tests/fixtures/
# mkmirror): the newest LLVM, the newest LLVM+Rust and the newest GCC for
# arm64 with its binutils, for this machine's host, built into deb, rpm
# and ipk with nothing changed but the mirror URL and the trusted key
# (--mirror, --trust-key, --trust-fpr).  The slice's versions take their
# sha256 from the signed sha256sums.asc, which the mirror signs with a
# throwaway key; the crosstool tarballs' .tar.sign too.  Then the packages
# are checked (names, versions, the gcc -> binutils dependency, one fetch
# of the shared tarball, no path in both and none lost) and installed into
# scratch roots with dpkg and rpm, and the installed compilers run.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
korg_mirror
M=$PF_TOP/manifests
arch=$(uname -m)
case $arch in
x86_64) deb=amd64 chost=x86_64 ;;
aarch64) deb=arm64 chost=arm64 ;;
esac
fpr=$mirror_fpr
cp -r "$MIRROR/mirror" srv
start_httpd web
url=http://127.0.0.1:$port_web/ok
ct=pub/tools/crosstool/files/bin/$chost/16.2.0/$chost-gcc-16.2.0-nolibc-aarch64-linux
trust=(--keys "$PF_TOP/keys" --trust-key "$MIRROR/key.asc" --trust-fpr "$fpr")

test_expect_success 'the slice is the newest releases, verified against the signed lists' '
	check_lines "$MIRROR/slice" --host "$arch" \
		--only korg-binutils-16-arm64 --version 16.2.0 --only korg-gcc-16-arm64 --version 16.2.0 \
		--only korg-llvm-22 --version 22.1.8 --only korg-rust-1.97.0 --version 1.97.0 \
		--only korg-llvm --only korg-gcc-arm64 &&
	pkgforge plan --json "${slice[@]}" "$M" >slice.json &&
	jq -e "length == 6 and ([.[] | select(.metapackage | not) | .source.sha256] | unique) == [null]" slice.json
'

test_expect_success 'the real manifests build the slice in deb, rpm and ipk' '
	pkgforge build -q "${trust[@]}" --mirror "$url" -f deb,rpm,ipk -o out "${slice[@]}" "$M" >list 2>err &&
	check_lines err "pkgforge: warning: --trust-fpr: signatures are accepted from $fpr only, instead of the signers the manifests name" &&
	sort list >sorted &&
	printf "%s\n" \
		out/korg-binutils-16-arm64-16.2.0-1.$arch.rpm \
		out/korg-binutils-16-arm64_16.2.0-1_$arch.ipk \
		out/korg-binutils-16-arm64_16.2.0-1_$deb.deb \
		out/korg-gcc-16-arm64-16.2.0-1.$arch.rpm \
		out/korg-gcc-16-arm64_16.2.0-1_$arch.ipk \
		out/korg-gcc-16-arm64_16.2.0-1_$deb.deb \
		out/korg-gcc-arm64-16.2.0-1.$arch.rpm \
		out/korg-gcc-arm64_16.2.0-1_$arch.ipk \
		out/korg-gcc-arm64_16.2.0-1_$deb.deb \
		out/korg-llvm-22-22.1.8-1.$arch.rpm \
		out/korg-llvm-22.1.8-1.$arch.rpm \
		out/korg-llvm-22_22.1.8-1_$arch.ipk \
		out/korg-llvm-22_22.1.8-1_$deb.deb \
		out/korg-llvm_22.1.8-1_$arch.ipk \
		out/korg-llvm_22.1.8-1_$deb.deb \
		out/korg-rust-1.97.0-1.97.0-1.$arch.rpm \
		out/korg-rust-1.97.0_1.97.0-1_$arch.ipk \
		out/korg-rust-1.97.0_1.97.0-1_$deb.deb | sort >expected &&
	cmp expected sorted
'

test_expect_success 'gcc and binutils come from one fetch of their shared tarball' '
	test $(requests web "^GET /ok/$ct\.tar\.xz ") -eq 1 &&
	test $(requests web "^GET /ok/$ct\.tar\.sign ") -eq 1 &&
	test $(requests web "^GET /ok/pub/tools/crosstool/files/bin/$chost/16.2.0/sha256sums.asc ") -eq 1 &&
	test $(requests web "^GET /ok/pub/tools/llvm/files/sha256sums.asc ") -eq 1 &&
	test $(requests web "^GET /ok/pub/tools/llvm/rust/files/sha256sums.asc ") -eq 1
'

# what the override cannot do: the manifests' signers stay in force
# without it, and importing a key (--trust-key) alone trusts nothing
test_expect_code 1 'without --trust-fpr, the mirror'"'"'s signed lists are refused' '
	pkgforge build -q --keys "$PF_TOP/keys" --mirror "$url" -o refused "${slice[@]}" "$M" 2>err; rc=$?
	check_lines err "pkgforge: error: korg-binutils-16-arm64 16.2.0: https://mirrors.edge.kernel.org/pub/tools/crosstool/files/bin/$chost/16.2.0/sha256sums.asc: signed by an unknown key $fpr: it is not in $PF_TOP/keys" || exit 9
	test ! -e refused || exit 9
	pkgforge build -q --keys "$PF_TOP/keys" --trust-key "$MIRROR/key.asc" --mirror "$url" -o refused "${slice[@]}" "$M" 2>err2; rc2=$?
	check_lines err2 "pkgforge: error: korg-binutils-16-arm64 16.2.0: https://mirrors.edge.kernel.org/pub/tools/crosstool/files/bin/$chost/16.2.0/sha256sums.asc: good signature by $fpr (pkgforge test mirror <mirror@pkgforge.invalid>), but that key is not a trusted signer (trusted: B8868C80BA62A1FFFAF5FDA9632D3A06589DA6B1)" || exit 9
	test ! -e refused || exit 9
	[ $rc2 = $rc ] && exit $rc
'

test_expect_success 'names, versions, the gcc -> binutils dependency, in every format' '
	d=out/korg-gcc-16-arm64_16.2.0-1_$deb.deb &&
	dpkg-deb -f $d Package Version Architecture >f &&
	check_lines f "Package: korg-gcc-16-arm64" "Version: 16.2.0-1" "Architecture: $deb" &&
	dpkg-deb -f $d Depends | tr "," "\n" | sed "s/^ //" >dep &&
	check_line dep "korg-binutils-16-arm64 (= 16.2.0-1)" &&
	dpkg-deb -f out/korg-binutils-16-arm64_16.2.0-1_$deb.deb Depends >bdep &&
	! grep -q korg- bdep &&
	rpm -qp --requires out/korg-gcc-16-arm64-16.2.0-1.$arch.rpm >req &&
	check_line req "korg-binutils-16-arm64 = 16.2.0-1" &&
	tar -xzOf out/korg-gcc-16-arm64_16.2.0-1_$arch.ipk ./control.tar.gz | tar -xzOf - ./control >ctl &&
	grep "^Depends: korg-binutils-16-arm64 (= 16.2.0-1)" ctl &&
	dpkg-deb -f out/korg-llvm_22.1.8-1_$deb.deb Depends >m &&
	check_lines m "korg-llvm-22 (>= 22.1.8-1)" &&
	dpkg-deb -f out/korg-gcc-arm64_16.2.0-1_$deb.deb Depends >m &&
	check_lines m "korg-gcc-16-arm64 (>= 16.2.0-1)" &&
	dpkg-deb -f out/korg-rust-1.97.0_1.97.0-1_$deb.deb Package Version >r &&
	check_lines r "Package: korg-rust-1.97.0" "Version: 1.97.0-1"
'

# the files of a .deb, directories left out, as absolute paths
files() { dpkg-deb --fsys-tarfile "$1" | tar -tvf - | awk "\$1 !~ /^d/ { print substr(\$6, 2) }" | sort; }

test_expect_success 'gcc and binutils split the tarball: no path in both, none lost' '
	files out/korg-gcc-16-arm64_16.2.0-1_$deb.deb >gcc.files &&
	files out/korg-binutils-16-arm64_16.2.0-1_$deb.deb >bu.files &&
	comm -12 gcc.files bu.files >both && test ! -s both &&
	xz -dc srv/$ct.tar.xz | tar -tvf - | awk "\$1 !~ /^d/ { print \$6 }" |
		sed "s|^gcc-16.2.0-nolibc/|/opt/korg/gcc-16/|" | sort >tarball.files &&
	sort -m gcc.files bu.files >union &&
	cmp tarball.files union &&
	check_line bu.files /opt/korg/gcc-16/aarch64-linux/bin/aarch64-linux-as &&
	check_line bu.files /opt/korg/gcc-16/aarch64-linux/aarch64-linux/bin/as &&
	check_line bu.files /opt/korg/gcc-16/aarch64-linux/aarch64-linux/lib/ldscripts/elf.x &&
	check_line bu.files /opt/korg/gcc-16/aarch64-linux/lib/bfd-plugins/libdep.so &&
	check_line gcc.files /opt/korg/gcc-16/aarch64-linux/bin/aarch64-linux-gcc &&
	check_line gcc.files /opt/korg/gcc-16/aarch64-linux/lib/bfd-plugins/liblto_plugin.so &&
	check_line gcc.files /opt/korg/gcc-16/aarch64-linux/libexec/gcc/aarch64-linux/16.2.0/cc1 &&
	dpkg-deb -c out/korg-gcc-16-arm64_16.2.0-1_$deb.deb >gcc.all &&
	! grep -q "/aarch64-linux/aarch64-linux/" gcc.all &&
	pkgforge check out >chk &&
	check_lines chk "18 packages checked against debian-12: no problem"
'

test_expect_success 'every alternative points at a file its package holds' '
	for p in gcc binutils; do
		jq -r ".[] | select(.name == \"korg-$p-16-arm64\") | .alternatives[].path" slice.json >alts &&
		test -s alts &&
		while read -r a; do check_line $( [ $p = gcc ] && echo gcc.files || echo bu.files) "$a" || return 1; done <alts
	done &&
	dpkg-deb --ctrl-tarfile out/korg-binutils-16-arm64_16.2.0-1_$deb.deb | tar -xOf - ./postinst >pi &&
	grep -qx "	update-alternatives --install /usr/bin/aarch64-linux-as aarch64-linux-as /opt/korg/gcc-16/aarch64-linux/bin/aarch64-linux-as 16" pi &&
	test $(grep -c "update-alternatives --install" pi) -eq 15 &&
	sh -n pi
'

test_expect_code 1 'a .tar.sign by another key fails the build, before any package' '
	mkkey intruder &&
	cp -r srv srv2 && rm -f srv2/$ct.tar.sign &&
	xz -dc srv/$ct.tar.xz | detach_sign_as intruder srv2/$ct.tar.sign &&
	mv srv srv.good && mv srv2 srv &&
	pkgforge build -q "${trust[@]}" --trust-key keys-intruder.asc --cache c2 --mirror "$url" -o bad \
		--only "korg-*-16-arm64" --host "$arch" "$M" 2>err; rc=$?
	mv srv srv2 && mv srv.good srv
	check_lines err "pkgforge: warning: --trust-fpr: signatures are accepted from $fpr only, instead of the signers the manifests name" \
		"pkgforge: error: https://mirrors.edge.kernel.org/pub/tools/crosstool/files/bin/$chost/16.2.0/$chost-gcc-16.2.0-nolibc-aarch64-linux.tar.sign: good signature by $fpr_intruder (intruder <intruder@pkgforge.invalid>), but that key is not a trusted signer (trusted: $fpr)" || exit 9
	test -z "$(ls bad 2>/dev/null)" || exit 9
	exit $rc
'

if ! require_root; then
	test_skip 'install into scratch roots with dpkg and rpm' 'needs root'
	exit 0
fi

test_expect_success 'dpkg installs korg-llvm-22 (scratch root); clang runs' '
	mkdir -p root/var/lib/dpkg/info root/var/lib/dpkg/updates &&
	touch root/var/lib/dpkg/status root/var/lib/dpkg/available &&
	dpkg --root="$TRASH/root" --force-depends -i out/korg-llvm-22_22.1.8-1_$deb.deb >log 2>&1 &&
	dpkg --root="$TRASH/root" -s korg-llvm-22 | grep -qx "Status: install ok installed" &&
	root/opt/korg/llvm-22/bin/clang --version >v &&
	check_lines v "clang version 22.1.8 (pkgforge fixture)" &&
	root/opt/korg/llvm-22/bin/ld.lld --version | grep -qx "LLD 22.1.8 (pkgforge fixture)"
'

r() { rpm --root "$TRASH/rroot" --force-debian "$@"; }

test_expect_success 'rpm refuses gcc without its binutils' '
	mkdir rroot &&
	! r --test -i out/korg-gcc-16-arm64-16.2.0-1.$arch.rpm 2>err &&
	check_line err "	korg-binutils-16-arm64 = 16.2.0-1 is needed by korg-gcc-16-arm64-16.2.0-1.$arch"
'

# The scratch root has no libc or /bin/sh in its database: --nodeps, and
# --noscripts (the alternatives' scriptlets would run chrooted in it).
test_expect_success 'rpm installs gcc and binutils (scratch root); the compiler runs' '
	r -i --nodeps --noscripts out/korg-binutils-16-arm64-16.2.0-1.$arch.rpm \
		out/korg-gcc-16-arm64-16.2.0-1.$arch.rpm &&
	r -q korg-gcc-16-arm64 korg-binutils-16-arm64 >q &&
	check_lines q korg-gcc-16-arm64-16.2.0-1.$arch korg-binutils-16-arm64-16.2.0-1.$arch &&
	r -V --nodeps korg-gcc-16-arm64 korg-binutils-16-arm64 >verify && test ! -s verify &&
	! r --test -e korg-binutils-16-arm64 2>err &&
	grep -q "korg-binutils-16-arm64 = 16.2.0-1 is needed by (installed) korg-gcc-16-arm64" err &&
	g=rroot/opt/korg/gcc-16/aarch64-linux &&
	$g/bin/aarch64-linux-gcc --version >v &&
	check_lines v "aarch64-linux-gcc (GCC) 16.2.0" &&
	$g/bin/aarch64-linux-gcc -dumpversion | grep -qx 16.2.0 &&
	$g/bin/aarch64-linux-as --version | grep -q "^aarch64-linux-as (GNU Binutils) " &&
	test "$(stat -c %i $g/bin/aarch64-linux-as)" = "$(stat -c %i $g/aarch64-linux/bin/as)"
'
