#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Global options, usage errors and exit codes.
. "$PF_TOP/tests/lib.sh"

test_expect_success '--version prints the version' '
	pkgforge --version >out &&
	grep -qx "pkgforge [0-9][0-9.]*" out
'

test_expect_success '--help lists the commands' '
	pkgforge --help >out &&
	grep -q "^  lint " out && grep -q "^  plan " out && grep -q "^  fetch " out && grep -q "^  build " out
'

test_expect_code 2 'no command is a usage error' '
	pkgforge 2>err
'

test_expect_code 2 'an unknown command is a usage error' '
	pkgforge frobnicate 2>err; rc=$?
	check_line err "pkgforge: error: unknown command '"'"'frobnicate'"'"'" || exit 9
	exit $rc
'

for cmd in lint plan fetch build; do
	test_expect_success "$cmd --help prints its usage" "
		pkgforge $cmd --help >out &&
		grep -q '^usage: pkgforge $cmd' out
	"
	test_expect_code 2 "$cmd without arguments is a usage error" "
		pkgforge $cmd 2>err; rc=\$?
		grep -q '^usage: pkgforge $cmd' err || exit 9
		exit \$rc
	"
done

test_expect_code 2 'an unknown option is a usage error' '
	pkgforge plan --frobnicate x.yaml 2>err
'

test_expect_code 2 'a thread count out of range is refused' '
	pkgforge build -j 0 -o threads x.yaml 2>err; rc=$?
	check_lines err "pkgforge: error: invalid thread count '"'"'0'"'"' (1 to 256)" || exit 9
	pkgforge build -j 2x -o threads x.yaml 2>err; test $? = 2 || exit 9
	check_lines err "pkgforge: error: invalid thread count '"'"'2x'"'"' (1 to 256)" || exit 9
	test ! -e threads || exit 9
	exit $rc
'
