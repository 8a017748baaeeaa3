#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge lint: valid manifests, invalid ones with compiler-style errors.
. "$PF_TOP/tests/lib.sh"
fixtures

test_expect_success 'a valid manifest passes' '
	pkgforge lint "$FIX/llvm-xz.yaml" >out 2>err &&
	check_lines out "1 manifest, 2 packages: ok" &&
	test ! -s err
'

test_expect_success 'a directory means every *.yaml in it' '
	mkdir m && cp "$FIX"/llvm-xz.yaml m/ && touch m/notes.txt &&
	sed "s/^package: .*/package: korg-clang-\${major}/" "$FIX"/llvm-gz.yaml >m/clang.yaml &&
	pkgforge lint m >out &&
	check_lines out "2 manifests, 4 packages: ok"
'

test_expect_code 2 'a typo in a key is reported with its position' '
	sed "s/^    sha256:/    sha265:/" "$FIX/llvm-xz.yaml" >bad.yaml &&
	pkgforge lint bad.yaml 2>err; rc=$?
	check_lines err \
		"bad.yaml:19:5: error: unknown key '"'"'sha265'"'"' in a version (did you mean '"'"'sha256'"'"'?)" \
		"bad.yaml:22:5: error: unknown key '"'"'sha265'"'"' in a version (did you mean '"'"'sha256'"'"'?)" \
		"2 errors" || exit 9
	exit $rc
'

test_expect_code 2 'every error of every manifest is reported' '
	sed "s/^license:.*/license: [x]/; s/\${version}-\${host}/\${vers}-\${host}/" "$FIX/llvm-xz.yaml" >bad.yaml &&
	printf "package: x\n" >short.yaml &&
	pkgforge lint bad.yaml short.yaml 2>err; rc=$?
	check_line err "bad.yaml:9:10: error: '"'"'license'"'"' must be a string, not a list" &&
	check_line err "short.yaml:1:1: error: missing required key '"'"'summary'"'"'" &&
	check_line err "short.yaml:1:1: error: missing required key '"'"'versions'"'"'" || exit 9
	exit $rc
'

test_expect_code 2 'a missing file is an error' '
	pkgforge lint nosuch.yaml 2>err; rc=$?
	check_lines err "nosuch.yaml: error: cannot read manifest: no such file or directory" "1 error" || exit 9
	exit $rc
'

test_expect_code 2 'two manifests that make the same package are an error' '
	pkgforge lint "$FIX"/llvm-xz.yaml "$FIX"/llvm-gz.yaml 2>err; rc=$?
	arch=$(uname -m)
	check_lines err \
		"$FIX/llvm-gz.yaml:18:5: error: package korg-llvm-18 18.1.8-1 for $arch is also produced at $FIX/llvm-xz.yaml:18" \
		"$FIX/llvm-gz.yaml:21:5: error: package korg-llvm-17 17.0.6-1 for $arch is also produced at $FIX/llvm-xz.yaml:21" \
		"2 errors" || exit 9
	exit $rc
'
