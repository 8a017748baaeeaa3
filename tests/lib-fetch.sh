# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the download tests; source it after tests/lib.sh.
#
#   start_httpd NAME [--tls CERT KEY]   serve $TRASH/srv on 127.0.0.1 (a free
#                                       port, in $port_NAME; requests logged
#                                       to $TRASH/NAME.log); stopped at the end
#   requests NAME PATTERN               how many logged requests match (grep -E)
#   mkkey NAME [gpg options]            a throwaway signing key "NAME" in the
#                                       test's own GNUPGHOME; its fingerprint in
#                                       $fpr_NAME, its public key in keys-NAME.asc
#   pkgforge_fast ...                   pkgforge with short retry delays
#   korg_mirror                         the kernel.org-shaped mirror of
#                                       tests/fixtures/mkmirror (made once, in
#                                       $BUILD/mirror): its directory in
#                                       $MIRROR, its slice's filter options in
#                                       the array slice, the signer's
#                                       fingerprint in $mirror_fpr
#
# Nothing here reaches another address than 127.0.0.1, and the keys live
# only as long as the test.

# The test's keyring (pkgforge itself never reads it: it has its own).
export GNUPGHOME=$TRASH/gnupg
mkdir -m 700 -p "$GNUPGHOME"
test_cleanup "gpgconf --kill all"

start_httpd() {
	local name=$1 i
	shift
	mkdir -p "$TRASH/srv"
	rm -f "$TRASH/$name.port"
	python3 "$PF_TOP/tests/tools/httpd.py" --root "$TRASH/srv" \
		--port-file "$TRASH/$name.port" --log "$TRASH/$name.log" \
		--gate "$TRASH/gate" "$@" >"$TRASH/$name.err" 2>&1 &
	test_cleanup "kill $!"
	# wait until it listens (it writes the port once bound)
	for i in $(seq 200); do
		[ -s "$TRASH/$name.port" ] && break
		sleep 0.05
	done
	[ -s "$TRASH/$name.port" ] || { echo "httpd $name did not start" >&2; cat "$TRASH/$name.err" >&2; exit 1; }
	printf -v "port_$name" '%s' "$(cat "$TRASH/$name.port")"
}

requests() {
	grep -cE -- "$2" "$TRASH/$1.log"
}

korg_mirror() {
	MIRROR=$("$PF_TOP/tests/fixtures/mkmirror" "$PF_TOP/$BUILD/mirror") || {
		echo "cannot build the mirror" >&2
		exit 1
	}
	mapfile -t slice <"$MIRROR/slice"
	mirror_fpr=$(cat "$MIRROR/key.fpr")
}

mkkey() {
	local name=$1
	shift
	gpg --batch --quiet --passphrase '' "$@" \
		--quick-gen-key "$name <$name@pkgforge.invalid>" ed25519 sign "${KEY_EXPIRE:-never}" 2>/dev/null ||
		return 1
	printf -v "fpr_$name" '%s' "$(gpg --batch --with-colons --list-keys "<$name@pkgforge.invalid>" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }')"
	gpg --batch --armor --export "<$name@pkgforge.invalid>" >"$TRASH/keys-$name.asc" 2>/dev/null
}

# clearsign_as NAME IN OUT, detach_sign_as NAME OUT <data: sign as NAME
# (extra gpg options in $GPG_OPTS, e.g. --faked-system-time).
clearsign_as() {
	gpg --batch --yes ${GPG_OPTS:-} --local-user "<$1@pkgforge.invalid>" --clearsign -o "$3" "$2" 2>/dev/null
}
detach_sign_as() {
	gpg --batch --yes ${GPG_OPTS:-} --local-user "<$1@pkgforge.invalid>" --armor --detach-sign -o "$2" 2>/dev/null
}

pkgforge_fast() {
	PKGFORGE_RETRY_DELAY_MS=${PKGFORGE_RETRY_DELAY_MS:-1} "$PKGFORGE" "$@"
}

# manifest FILE URL [SHA256|-] [extra lines for source:]
# A manifest for the llvm 18.1.8 fixture of this host, its source at URL
# (a template: ${version}, ${host}...), pinned to SHA256 unless "-".
manifest() {
	local file=$1 url=$2 sha=${3:--} extra=${4:-}
	{
		cat <<YAML
package: korg-llvm-\${major}
summary: LLVM \${major} (download test)
description: the download test's toolchain
license: MIT
maintainer: pkgforge tests <tests@pkgforge.invalid>
prefix: /opt/korg/llvm-\${major}
hosts: [$(uname -m)]
source:
  url: $url
YAML
		[ -n "$extra" ] && printf '%s\n' "$extra"
		echo "versions:"
		echo "  - version: 18.1.8"
		[ "$sha" != - ] && echo "    sha256: {$(uname -m): $sha}"
		true
	} >"$file"
}
