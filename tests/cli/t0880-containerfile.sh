#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge containerfile: the exact Containerfiles for Debian and Fedora,
# and that they are well formed.  No container engine runs on this
# machine, so the test parses each Containerfile (instructions, line
# continuations, every RUN through sh -n), runs the steps that only
# write files into a scratch root, and has the real clients read what
# they wrote: apt-get the deb822 .sources, dnf (its Python API) the
# .repo, gpg the key.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
mkkey feed

# check.py FILE ROOT: well formed?  Writes ROOT/steps.sh, the RUN steps
# that only write files, writing below ROOT instead of /.
cat >check.py <<'EOF'
import re, subprocess, sys
text = open(sys.argv[1]).read()
root = sys.argv[2]
assert text.endswith("\n") and "\t" not in text, "tabs or no final newline"
logical, cur = [], ""
for line in text.split("\n")[:-1]:
    if not cur and (line.startswith("#") or not line.strip()):
        continue
    if line.endswith("\\"):
        cur += line[:-1]
        continue
    logical.append(cur + line)
    cur = ""
assert not cur, "a continuation at the end"
instr = [l.split(None, 1) for l in logical]
assert instr[0][0] == "FROM", "FROM first"
assert sum(1 for i in instr if i[0] == "FROM") == 1
steps = []
for name, arg in instr:
    assert name in ("FROM", "ARG", "RUN", "ADD"), "unknown instruction " + name
    if name == "RUN":
        subprocess.run(["sh", "-n", "-c", arg], check=True)
        if arg.startswith(("printf", "mkdir")):
            steps.append(arg.replace(">/etc/", ">" + root + "/etc/")
                            .replace("mkdir -p /etc/", "mkdir -p " + root + "/etc/"))
    if name == "ADD":
        assert len(arg.split()) == 2 and re.match(r"https?://", arg)
open(root + "/steps.sh", "w").write("set -e\n" + "\n".join(steps) + "\n")
EOF

test_expect_success 'Debian: the key from the feed, the deb822 source, the packages' '
	pkgforge containerfile --repo-url https://feeds.example.org/korg/apt \
		korg-llvm-22 korg-gcc-16-arm64=16.2.0-1 >deb.cf 2>err &&
	test ! -s err &&
	check_lines deb.cf \
		"# Containerfile made by pkgforge: korg-llvm-22 korg-gcc-16-arm64=16.2.0-1" \
		"# from the signed apt feed https://feeds.example.org/korg/apt" \
		"FROM debian:12" \
		"ARG DEBIAN_FRONTEND=noninteractive" \
		"RUN apt-get update \\" \
		" && apt-get install -y --no-install-recommends ca-certificates \\" \
		" && rm -rf /var/lib/apt/lists/*" \
		"# the key the feed is signed with: apt takes its Release files only with" \
		"# a good signature by this key (Signed-By)" \
		"ADD https://feeds.example.org/korg/apt/keys/korg-archive-keyring.asc /etc/apt/keyrings/korg.asc" \
		"RUN chmod 0644 /etc/apt/keyrings/korg.asc" \
		"RUN printf '"'"'%s\n'"'"' \\" \
		"      '"'"'Types: deb'"'"' \\" \
		"      '"'"'URIs: https://feeds.example.org/korg/apt'"'"' \\" \
		"      '"'"'Suites: stable'"'"' \\" \
		"      '"'"'Components: main'"'"' \\" \
		"      '"'"'Signed-By: /etc/apt/keyrings/korg.asc'"'"' \\" \
		"      >/etc/apt/sources.list.d/korg.sources" \
		"RUN apt-get update \\" \
		" && apt-get install -y --no-install-recommends korg-llvm-22 korg-gcc-16-arm64=16.2.0-1 \\" \
		" && rm -rf /var/lib/apt/lists/*"
'

test_expect_success 'Fedora: the key written in, a .repo with gpgcheck and repo_gpgcheck' '
	pkgforge containerfile --base fedora:41 --repo-url https://feeds.example.org/korg/rpm \
		--key keys-feed.asc korg-llvm korg-rust-1.97.0=1.97.0-1 >fed.cf &&
	{
		printf "%s\n" \
			"# Containerfile made by pkgforge: korg-llvm korg-rust-1.97.0=1.97.0-1" \
			"# from the signed rpm-md feed https://feeds.example.org/korg/rpm" \
			"FROM fedora:41" \
			"# the key the feed is signed with: dnf checks the repository metadata" \
			"# (repo_gpgcheck) and every package (gpgcheck) against it" \
			"RUN mkdir -p /etc/pki/rpm-gpg \\" \
			" && printf '"'"'%s\n'"'"' \\"
		sed "s/.*/      '"'"'&'"'"' \\\\/" keys-feed.asc
		printf "%s\n" \
			"      >/etc/pki/rpm-gpg/RPM-GPG-KEY-korg" \
			"RUN printf '"'"'%s\n'"'"' \\" \
			"      '"'"'[korg]'"'"' \\" \
			"      '"'"'name=kernel.org toolchains'"'"' \\" \
			"      '"'"'baseurl=https://feeds.example.org/korg/rpm'"'"' \\" \
			"      '"'"'enabled=1'"'"' \\" \
			"      '"'"'gpgcheck=1'"'"' \\" \
			"      '"'"'repo_gpgcheck=1'"'"' \\" \
			"      '"'"'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-korg'"'"' \\" \
			"      >/etc/yum.repos.d/korg.repo" \
			"RUN dnf install -y korg-llvm korg-rust-1.97.0-1.97.0-1 \\" \
			" && dnf clean all"
	} >fed.expect &&
	diff -u fed.expect fed.cf
'

test_expect_success 'Debian: well formed; apt reads the source, the key is the feed'"'"'s' '
	pkgforge containerfile --base debian:12 --repo-url https://feeds.example.org/korg/apt \
		--suite bookworm --key keys-feed.asc korg-llvm >deb2.cf &&
	mkdir -p droot/lists/partial droot/etc/apt/sources.list.d &&   # as debian:12 has it
	python3 check.py deb.cf "$TRASH/droot" &&
	python3 check.py deb2.cf "$TRASH/droot" &&
	sh droot/steps.sh &&
	cmp keys-feed.asc droot/etc/apt/keyrings/korg.asc &&
	gpg --batch --with-colons --show-keys droot/etc/apt/keyrings/korg.asc | grep -qx "fpr:::::::::$fpr_feed:" &&
	check_lines droot/etc/apt/sources.list.d/korg.sources "Types: deb" \
		"URIs: https://feeds.example.org/korg/apt" "Suites: bookworm" "Components: main" \
		"Signed-By: /etc/apt/keyrings/korg.asc" &&
	apt-get -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$TRASH/droot/etc/apt/sources.list.d" \
		-o Dir::State::Lists="$TRASH/droot/lists" -o APT::Architecture=amd64 -o APT::Architectures=amd64 \
		--print-uris update >uris &&
	cut -d" " -f1 uris >u &&
	check_lines u "'"'"'https://feeds.example.org/korg/apt/dists/bookworm/InRelease'"'"'" \
		"'"'"'https://feeds.example.org/korg/apt/dists/bookworm/main/binary-amd64/Packages.xz'"'"'" \
		"'"'"'https://feeds.example.org/korg/apt/dists/bookworm/main/binary-all/Packages.xz'"'"'"
'

test_expect_success 'Fedora: well formed; dnf reads the .repo, the key is the feed'"'"'s' '
	mkdir -p froot/etc/yum.repos.d &&   # as fedora:41 has it
	python3 check.py fed.cf "$TRASH/froot" &&
	sh froot/steps.sh &&
	cmp keys-feed.asc froot/etc/pki/rpm-gpg/RPM-GPG-KEY-korg &&
	/usr/bin/python3 -c "
import dnf
b = dnf.Base()
b.conf.reposdir = [\"$TRASH/froot/etc/yum.repos.d\"]
for k, v in ((\"releasever\", \"41\"), (\"basearch\", \"x86_64\"), (\"arch\", \"x86_64\")):
    b.conf.substitutions[k] = v
b.read_all_repos()
r = b.repos[\"korg\"]
print(r.name, list(r.baseurl), r.enabled, r.gpgcheck, r.repo_gpgcheck, list(r.gpgkey))
" >repo 2>/dev/null &&
	check_lines repo "kernel.org toolchains ['"'"'https://feeds.example.org/korg/rpm'"'"'] True True True ['"'"'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-korg'"'"']"
'

test_expect_success 'Ubuntu takes the apt feed; -o writes the same bytes through a temporary file' '
	pkgforge containerfile --base ubuntu:24.04 --repo-url http://127.0.0.1:8080/repo/ \
		--component toolchains korg-llvm >ub.cf &&
	grep -qx "FROM ubuntu:24.04" ub.cf &&
	grep -qx "ADD http://127.0.0.1:8080/repo/keys/korg-archive-keyring.asc /etc/apt/keyrings/korg.asc" ub.cf &&
	grep -qx "      '"'"'Components: toolchains'"'"' \\\\" ub.cf &&
	pkgforge containerfile -o out.cf --base ubuntu:24.04 --repo-url http://127.0.0.1:8080/repo/ \
		--component toolchains korg-llvm >stdout &&
	test ! -s stdout && cmp ub.cf out.cf &&
	test -z "$(ls -A | grep "^\.out\.cf\|tmp")"
'

test_expect_code 2 'without --repo-url or packages: usage' '
	pkgforge containerfile korg-llvm 2>err; rc=$?
	grep -q "^usage: pkgforge containerfile" err || exit 9
	pkgforge containerfile --repo-url https://x.org 2>err || rc2=$?
	[ "${rc2:-0}" = 2 ] || exit 9
	exit $rc
'

cf_error() {    # CODE MESSAGE ARGS...: exit code and exact message, no output
	local code=$1 msg=$2
	shift 2
	pkgforge containerfile -o bad.cf "$@" >out 2>err
	local rc=$?
	[ $rc = "$code" ] || { echo "exit $rc, expected $code"; return 1; }
	check_lines err "$msg" && test ! -s out && test ! -e bad.cf
}

test_expect_success 'bad input: each with its exact message and exit code' '
	cf_error 2 "pkgforge: error: --base '"'"'alpine:3'"'"' is not supported (debian:TAG, ubuntu:TAG or fedora:TAG)" \
		--repo-url https://x.org --base alpine:3 korg-llvm &&
	cf_error 2 "pkgforge: error: --base '"'"'debian:12 AS x'"'"' is not supported (debian:TAG, ubuntu:TAG or fedora:TAG)" \
		--repo-url https://x.org --base "debian:12 AS x" korg-llvm &&
	cf_error 2 "pkgforge: error: --repo-url '"'"'https://x.org/a'"'"'b'"'"' must be an http:// or https:// URL without quotes, spaces, '"'"'\$'"'"' or '"'"'\\'"'"'" \
		--repo-url "https://x.org/a'"'"'b" korg-llvm &&
	cf_error 2 "pkgforge: error: --repo-url '"'"'https://x.org/\${HOME}'"'"' must be an http:// or https:// URL without quotes, spaces, '"'"'\$'"'"' or '"'"'\\'"'"'" \
		--repo-url "https://x.org/\${HOME}" korg-llvm &&
	cf_error 2 "pkgforge: error: --repo-url '"'"'ftp://x.org'"'"' must be an http:// or https:// URL without quotes, spaces, '"'"'\$'"'"' or '"'"'\\'"'"'" \
		--repo-url ftp://x.org korg-llvm &&
	cf_error 2 "pkgforge: error: '"'"'Korg'"'"' is not a package name (lower case letters, digits, '"'"'+'"'"', '"'"'-'"'"', '"'"'.'"'"')" \
		--repo-url https://x.org Korg &&
	cf_error 2 "pkgforge: error: '"'"'korg;rm'"'"' is not a package name (lower case letters, digits, '"'"'+'"'"', '"'"'-'"'"', '"'"'.'"'"')" \
		--repo-url https://x.org "korg;rm" &&
	cf_error 2 "pkgforge: error: '"'"'1 x'"'"' is not a package version in '"'"'korg-llvm=1 x'"'"'" \
		--repo-url https://x.org "korg-llvm=1 x" &&
	cf_error 2 "pkgforge: error: --suite and --component take letters, digits, '"'"'.'"'"', '"'"'-'"'"' and '"'"'_'"'"'" \
		--repo-url https://x.org --suite "a b" korg-llvm &&
	cf_error 1 "pkgforge: error: --key: cannot read nosuch.asc: No such file or directory" \
		--repo-url https://x.org --key nosuch.asc korg-llvm &&
	printf "not a key\n" >notakey &&
	cf_error 2 "pkgforge: error: --key notakey: not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----)" \
		--repo-url https://x.org --key notakey korg-llvm &&
	sed "2s/^/Comment: it'"'"'s mine/" keys-feed.asc >quoted.asc &&
	cf_error 2 "pkgforge: error: --key quoted.asc: a line of the key holds a quote, a backslash or a control character" \
		--repo-url https://x.org --key quoted.asc korg-llvm &&
	cf_error 2 "pkgforge: error: --key '"'"'https://x.org/k ey'"'"' must be an http:// or https:// URL without quotes, spaces, '"'"'\$'"'"' or '"'"'\\'"'"', or a file" \
		--repo-url https://x.org --key "https://x.org/k ey" korg-llvm
'
