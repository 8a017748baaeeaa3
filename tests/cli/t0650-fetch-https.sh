#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# HTTPS: certificates are always verified.  A throwaway CA made here
# (trusted through CURL_CA_BUNDLE) signs one server; a self-signed server
# and one whose certificate names another host are refused.
. "$PF_TOP/tests/lib.sh"
. "$PF_TOP/tests/lib-fetch.sh"
fixtures
arch=$(uname -m)
tar=llvm-18.1.8-$arch.tar.xz
sha=$(sha256sum <"$FIX/$tar" | cut -c1-64)
mkdir -p srv/pub && cp "$FIX/$tar" srv/pub/

ec() { echo -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes; }
# cert NAME SAN: a server certificate signed by the test CA
cert() {
	openssl req $(ec) -keyout $1.key -out $1.csr -subj "/CN=$1" 2>/dev/null &&
	openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile <(printf "subjectAltName=%s\n" "$2") -out $1.pem 2>/dev/null
}
openssl req -x509 $(ec) -keyout ca.key -out ca.pem -days 2 -subj "/CN=pkgforge test CA" 2>/dev/null &&
cert good IP:127.0.0.1 && cert wronghost DNS:elsewhere.invalid &&
openssl req -x509 $(ec) -keyout self.key -out self.pem -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null || exit 1

start_httpd web
start_httpd good --tls good.pem good.key --redirect-base "http://127.0.0.1:$port_web"
start_httpd self --tls self.pem self.key
start_httpd wrong --tls wronghost.pem wronghost.key

# try NAME: fetch https://127.0.0.1:<port of NAME>/ok/pub/<tar>
try() {
	local port=port_$1
	manifest $1.yaml "https://127.0.0.1:${!port}/${2:-ok}/pub/llvm-\${version}-\${host}.tar.xz" "$sha"
	pkgforge fetch --cache c-$1${2:-} $1.yaml >out 2>err
}
url() { local port=port_$1; echo "https://127.0.0.1:${!port}/${2:-ok}/pub/$tar"; }

test_expect_code 1 'a server with a certificate no trusted CA signed is refused' '
	try good; rc=$?
	check_lines err "pkgforge: error: $(url good): the server'"'"'s TLS certificate is not trusted: SSL certificate problem: unable to get local issuer certificate" || exit 9
	test -z "$(ls -A c-good/sha256)" || exit 9
	exit $rc
'

test_expect_success 'the same server, its CA given in CURL_CA_BUNDLE, is accepted' '
	CURL_CA_BUNDLE=$TRASH/ca.pem try good &&
	check_lines out "$sha  $tar" &&
	cmp "$FIX/$tar" c-good/sha256/$sha
'

test_expect_code 1 'a self-signed server is refused, whatever the CA bundle' '
	CURL_CA_BUNDLE=$TRASH/ca.pem try self; rc=$?
	check_lines err "pkgforge: error: $(url self): the server'"'"'s TLS certificate is not trusted: SSL certificate problem: self-signed certificate" || exit 9
	test "$(requests self "^GET ")" = 0 || exit 9
	exit $rc
'

test_expect_code 1 'a certificate for another host name is refused' '
	CURL_CA_BUNDLE=$TRASH/ca.pem try wrong; rc=$?
	check_lines err "pkgforge: error: $(url wrong): the server'"'"'s TLS certificate is not trusted: SSL: no alternative certificate subject name matches target host name '"'"'127.0.0.1'"'"'" || exit 9
	exit $rc
'

test_expect_code 1 'https never redirects to http' '
	CURL_CA_BUNDLE=$TRASH/ca.pem try good away; rc=$?
	check_lines err "pkgforge: error: $(url good away): redirected to http://127.0.0.1:$port_web/ok/pub/$tar: not followed (https may only redirect to https, http to http or https)" || exit 9
	test "$(requests web "^GET ")" = 0 || exit 9
	exit $rc
'
