#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge plan: what a manifest expands to, as text and JSON.
. "$PF_TOP/tests/lib.sh"
fixtures
arch=$(uname -m)
case $arch in x86_64) deb=amd64 ;; aarch64) deb=arm64 ;; esac

test_expect_success 'plan lists one line per package' '
	pkgforge plan "$FIX/llvm-xz.yaml" >out &&
	test $(wc -l <out) -eq 2 &&
	grep -q "^korg-llvm-18 *18.1.8-1 *deb:$deb,rpm:$arch,ipk:$arch */opt/korg/llvm-18 *https://mirrors.edge.kernel.org/pub/tools/llvm/files/llvm-18.1.8-$arch.tar.xz sha256:$(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64)$" out &&
	grep -q "^korg-llvm-17 *17.0.6-1 " out
'

test_expect_success 'plan --json has every field' '
	pkgforge plan --json "$FIX/llvm-xz.yaml" >out.json &&
	jq -e ".[0].name == \"korg-llvm-18\" and .[0].version == \"18.1.8\" and
	       .[0].release == \"1\" and .[0].full_version == \"18.1.8-1\" and
	       .[0].formats.deb.arch == \"$deb\" and .[0].formats.rpm.arch == \"$arch\" and
	       .[0].formats.deb.file == \"korg-llvm-18_18.1.8-1_$deb.deb\" and
	       .[0].formats.rpm.file == \"korg-llvm-18-18.1.8-1.$arch.rpm\" and
	       .[0].formats.deb.relations.depends[0].text == \"libc6 (>= 2.34)\" and
	       .[0].formats.deb.relations.depends[0].origin == \"manifest\" and
	       .[0].formats.rpm.relations.depends[0].text == \"libc6 >= 2.34\" and
	       .[0].prefix == \"/opt/korg/llvm-18\" and
	       .[0].source.sha256 == \"$(sha256sum <"$FIX/llvm-18.1.8-$arch.tar.xz" | cut -c1-64)\" and
	       .[0].source.file == \"llvm-18.1.8-$arch.tar.xz\" and
	       (.[0].manifest | endswith(\"llvm-xz.yaml:18\")) and
	       (. | length) == 2" out.json
'

test_expect_success 'filters: --only, --host, --version, --format' '
	pkgforge plan --json --only "korg-llvm-1[7]" "$FIX/llvm-xz.yaml" >a.json &&
	jq -e "length == 1 and .[0].name == \"korg-llvm-17\"" a.json &&
	pkgforge plan --json --version 18.1.8 --format rpm "$FIX/llvm-xz.yaml" >b.json &&
	jq -e "length == 1 and (.[0].formats | keys) == [\"rpm\"]" b.json &&
	pkgforge plan --json --host nosuch "$FIX/llvm-xz.yaml" >c.json &&
	jq -e "length == 0" c.json &&
	pkgforge plan --json --host $deb "$FIX/llvm-xz.yaml" >d.json &&
	jq -e "length == 2" d.json
'

test_expect_code 2 'an unknown format is a usage error' '
	pkgforge plan --format deb,apk "$FIX/llvm-xz.yaml" 2>err; rc=$?
	check_lines err "pkgforge: error: unknown format '"'"'apk'"'"' (known: deb, rpm, ipk)" || exit 9
	exit $rc
'

test_expect_code 2 'plan of an invalid manifest fails with its errors' '
	sed "s/^prefix:.*/prefix: relative/" "$FIX/llvm-xz.yaml" >bad.yaml &&
	pkgforge plan bad.yaml >out 2>err; rc=$?
	check_lines err "bad.yaml:11:9: error: prefix '"'"'relative'"'"' must be an absolute path below /" || exit 9
	test ! -s out || exit 9
	exit $rc
'
