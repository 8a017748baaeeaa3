# SPDX-License-Identifier: GPL-2.0-or-later
# Shell test library: source it from tests/cli and tests/e2e scripts.
#
#   test_expect_success 'what it checks' 'commands'
#   test_expect_code N 'what' 'commands'      (the last command's exit code)
#   check_stderr FILE 'exact line'            (FILE contains exactly that line)
#
# Each script runs in its own scratch directory ($TRASH), removed at the
# end unless it failed.  Output is TAP-like: "ok N - ..." / "not ok N - ...".
set -u
: "${PF_TOP:?run through tests/run-tests or make check}"
: "${PKGFORGE:?}"
export LC_ALL=C.UTF-8 TZ=UTC
unset SOURCE_DATE_EPOCH
unset CURL_CA_BUNDLE PKGFORGE_CONNECT_TIMEOUT PKGFORGE_LOW_SPEED_LIMIT \
	PKGFORGE_LOW_SPEED_TIME PKGFORGE_RETRIES PKGFORGE_RETRY_DELAY_MS
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/pf-$TEST_NAME.XXXXXX")
test_count=0
test_failed=0
cleanup_cmds=()

pkgforge() { "$PKGFORGE" "$@"; }

test_cleanup() { cleanup_cmds+=("$1"); }

finish() {
	local c
	for c in "${cleanup_cmds[@]+"${cleanup_cmds[@]}"}"; do eval "$c" >/dev/null 2>&1; done
	if [ $test_failed -eq 0 ]; then
		rm -rf "$TRASH"
	else
		echo "# scratch directory kept: $TRASH"
	fi
	echo "1..$test_count"
	[ $test_failed -eq 0 ]
}
trap 'finish; exit $?' EXIT

cd "$TRASH" || exit 1
# pkgforge's download cache: the test's own, never the user's
export XDG_CACHE_HOME=$TRASH/.cache

say_fail() {
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $1"
	[ -s "$TRASH/.out" ] && sed 's/^/#   /' "$TRASH/.out" | tail -n 40
}

test_expect_success() {
	test_count=$((test_count + 1))
	if (set -e; eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		say_fail "$1"
	fi
}

test_expect_code() {
	local want=$1 rc
	test_count=$((test_count + 1))
	(eval "$3") >"$TRASH/.out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok $test_count - $2"
	else
		echo "# expected exit code $want, got $rc" >>"$TRASH/.out"
		say_fail "$2"
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # skip $2"
}

# A line that must appear exactly in a file.
check_line() {
	if ! grep -qxF -- "$2" "$1"; then
		echo "expected line in $1:"
		echo "  $2"
		echo "got:"
		sed 's/^/  /' "$1"
		return 1
	fi
}

# Exact content of a file against the rest of the arguments (one per line).
check_lines() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$TRASH/.expect"
	if ! cmp -s "$TRASH/.expect" "$f"; then
		diff -u "$TRASH/.expect" "$f"
		return 1
	fi
}

require_root() { [ "$(id -u)" -eq 0 ]; }

# Build the standard fixtures once per test run (cached under $BUILD).
fixtures() {
	FIX=$("$PF_TOP/tests/fixtures/mkfixtures" "$PF_TOP/$BUILD/fixtures") || {
		echo "cannot build fixtures" >&2
		exit 1
	}
	export FIX
}

# hostile_manifest NAME: NAME.yaml, a manifest that pins NAME.tar.gz (a
# tarball from tests/tools/mktar, files under a top directory "t/") for
# this machine, package hostile-NAME in /opt/korg/hostile
hostile_manifest() {
	cat >"$1.yaml" <<YAML
package: hostile-$1
summary: a hostile tarball
description: a hostile tarball
license: MIT
maintainer: T <t@example.org>
prefix: /opt/korg/hostile
hosts: [$(uname -m)]
source: {url: 'https://example.org/$1.tar.gz'}
versions:
  - version: 1.0
    sha256: {$(uname -m): $(sha256sum <"$1.tar.gz" | cut -c1-64)}
YAML
}
