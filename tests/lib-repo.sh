# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the repository tests; source it after tests/lib.sh.
#
#   repo_keys                 throwaway signing keys: an OpenPGP key in the
#                             test's own GNUPGHOME ($FPR) and a usign pair
#                             ($TRASH/usign.key, .pub); made by pkgforge keygen
#   repo_fixture NAME DIR [FORMATS]
#                             the llvm fixture packages, renamed NAME-<major>
#                             (prefix /opt/NAME-<major>), built into DIR
#   index ...                 pkgforge index with the keys
#   release_sha FILE REL      the SHA256 a Release gives REL
#   apt_opts DIR              apt-get options that confine apt to DIR: its
#                             own sources, lists, cache; nothing of the system's
#
# Keys live only as long as the test; gpg-agent is stopped at the end.

export GNUPGHOME=$TRASH/gnupg
mkdir -m 700 -p "$GNUPGHOME"
test_cleanup "GNUPGHOME=$TRASH/gnupg gpgconf --kill all"

repo_keys() {
	pkgforge keygen --name "pkgforge tests <repo@pkgforge.invalid>" \
		--usign-key "$TRASH/usign.key" >"$TRASH/keygen.out" || return 1
	FPR=$(sed -n 's/^openpgp: //p' "$TRASH/keygen.out")
	USIGN_FP=$(sed -n 's/^usign: \([0-9a-f]*\) .*/\1/p' "$TRASH/keygen.out")
	KEYID=$(printf '%s' "$FPR" | tail -c 16 | tr A-F a-f)
	export FPR USIGN_FP KEYID
}

repo_fixture() {
	local name=$1 dir=$2 fmts=${3:-deb,rpm,ipk}
	sed -e "s/^package: .*/package: $name-\${major}/" \
	    -e "s|^prefix: .*|prefix: /opt/$name-\${major}|" "$FIX/llvm-xz.yaml" >"$TRASH/$name.yaml"
	pkgforge build -q -f "$fmts" -s "$FIX" -o "$dir" "$TRASH/$name.yaml" >/dev/null
}

index() {
	pkgforge index --sign-key "$FPR" --usign-key "$TRASH/usign.key" "$@"
}

release_sha() {
	awk -v f="$2" '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == f { print $1 }' "$1"
}

apt_opts() {
	local d=$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources"
	printf '%s\n' -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$d/sources" \
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" \
		-o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$d/sources" \
		-o "APT::Sandbox::User=root" \
		-o "APT::Architectures::=$(dpkg --print-architecture)" -o "DPkg::Lock::Timeout=600"
}
