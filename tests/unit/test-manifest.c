// SPDX-License-Identifier: GPL-2.0-or-later
/* Manifest parsing and plan expansion: good inputs and bad ones, each
 * with the exact diagnostics it must produce. */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "plan.h"
#include "pkgfmt.h"
#include "unit.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define FPR_A "B8868C80BA62A1FFFAF5FDA9632D3A06589DA6B1"
#define FPR_B "647F28654894E3BD457199BE38DBBDC86092693E"

/* The good manifest's source with a signed list instead of pins. */
#define SIGNED_SOURCE \
	"  url: https://example.org/llvm-${version}-${host}.tar.xz\n"   /* 11 */ \
	"  checksums:\n"                                                /* 12 */ \
	"    url: ${url_dir}/sha256sums.asc\n"                          /* 13 */ \
	"    signers: [" FPR_A "]\n"                                    /* 14 */ \
	"  signature:\n"                                                /* 15 */ \
	"    url: ${url_tar}.sign\n"                                    /* 16 */ \
	"    signers: [" FPR_A ", " FPR_B "]\n"                        /* 17 */

/* A valid manifest; cases below change one thing at a time. */
static const char good[] =
	"package: korg-llvm-${major}\n"                                   /* 1 */
	"summary: LLVM ${major} from kernel.org\n"                        /* 2 */
	"description: |\n"                                                /* 3 */
	"  Prebuilt LLVM ${version}.\n"                                   /* 4 */
	"homepage: https://mirrors.edge.kernel.org/pub/tools/llvm/\n"     /* 5 */
	"license: Apache-2.0 WITH LLVM-exception\n"                       /* 6 */
	"maintainer: A Packager <a@example.org>\n"                        /* 7 */
	"prefix: /opt/korg/llvm-${major}\n"                               /* 8 */
	"hosts: [x86_64, aarch64]\n"                                      /* 9 */
	"source:\n"                                                       /* 10 */
	"  url: https://example.org/llvm-${version}-${host}.tar.xz\n"     /* 11 */
	"depends:\n"                                                      /* 12 */
	"  - libc6 >= 2.34\n"                                             /* 13 */
	"versions:\n"                                                     /* 14 */
	"  - version: 18.1.8\n"                                           /* 15 */
	"    sha256:\n"                                                   /* 16 */
	"      x86_64: " SHA_A "\n"                                       /* 17 */
	"      aarch64: " SHA_B "\n";                                     /* 18 */

/* Replace the first occurrence of from with to in good. */
static char *edit(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	size_t n;
	char *out;

	if (!at) {
		printf("# edit: '%s' not in the base manifest\n", from);
		abort();
	}
	n = strlen(good) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	memcpy(out, good, at - good);
	strcpy(out + (at - good), to);
	strcat(out, at + strlen(from));
	return out;
}

/* Load + plan; the joined diagnostics ("" when clean) into *diag. */
static int run(const char *yaml, struct pf_plan *plan, char **diag)
{
	struct pf_manifest *m = calloc(1, sizeof(*m));
	struct pf_diag d = PF_DIAG_INIT;
	struct strbuf sb = STRBUF_INIT;
	int ret;

	ret = pf_manifest_load_buf(m, "t.yaml", yaml, strlen(yaml), &d);
	if (!ret)
		ret = pf_plan_add(plan, m, &d);
	for (size_t i = 0; i < d.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "\n" : "", d.lines[i]);
	*diag = strbuf_detach(&sb, NULL);
	pf_diag_release(&d);
	/* the plan points into the manifest: keep it for the caller */
	if (!plan->nr) {
		pf_manifest_release(m);
		free(m);
	} else {
		plan->v[0].m = m;       /* remembered for cleanup */
	}
	return ret;
}

static void plan_free(struct pf_plan *plan)
{
	struct pf_manifest *m = plan->nr ? (struct pf_manifest *)plan->v[0].m : NULL;

	pf_plan_release(plan);
	if (m) {
		pf_manifest_release(m);
		free(m);
	}
}

struct bad {
	const char *name;
	const char *from, *to;     /* edit of the good manifest, or */
	const char *yaml;          /* a whole manifest */
	const char *diag;          /* exact diagnostics, newline-joined */
};

static const struct bad bads[] = {
	{ "unknown key with a suggestion", "    sha256:\n", "    sha265:\n", NULL,
	  "t.yaml:16:5: error: unknown key 'sha265' in a version (did you mean 'sha256'?)" },
	{ "unknown top-level key", "license:", "licence:", NULL,
	  "t.yaml:6:1: error: unknown key 'licence' (did you mean 'license'?)\n"
	  "t.yaml:1:1: error: missing required key 'license'" },
	{ "wrong type: list for a string", "license: Apache-2.0 WITH LLVM-exception", "license: [MIT]", NULL,
	  "t.yaml:6:10: error: 'license' must be a string, not a list" },
	{ "wrong type: string for a list", "hosts: [x86_64, aarch64]", "hosts: x86_64", NULL,
	  "t.yaml:9:8: error: 'hosts' must be a list, not a scalar" },
	{ "missing required key", "maintainer: A Packager <a@example.org>\n", "", NULL,
	  "t.yaml:1:1: error: missing required key 'maintainer'" },
	{ "empty value", "summary: LLVM ${major} from kernel.org", "summary:", NULL,
	  "t.yaml:2:1: error: 'summary' has no value" },
	{ "boolean where a string belongs", "license: Apache-2.0 WITH LLVM-exception", "license: yes", NULL,
	  "t.yaml:6:10: error: 'license' must be a string, not the boolean 'yes' (quote it if you mean the text)" },
	{ "sha256 too short", SHA_A "\n", "0123\n", NULL,
	  "t.yaml:17:15: error: sha256 must be 64 hexadecimal digits, not 4" },
	{ "sha256 not hex", SHA_A "\n", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n", NULL,
	  "t.yaml:17:78: error: sha256 has a non-hexadecimal character 'g'" },
	{ "sha256 for an unknown key", "      aarch64: " SHA_B, "      arm64: " SHA_B, NULL,
	  "t.yaml:15:5: error: version '18.1.8' pins no sha256 for 'llvm-18.1.8-aarch64.tar.xz' (host aarch64)\n"
	  "t.yaml:18:7: error: sha256 for 'arm64' matches no host or source file of version '18.1.8'" },
	{ "undefined template variable", "llvm-${version}-${host}.tar.xz", "llvm-${vesrion}-${host}.tar.xz", NULL,
	  "t.yaml:11:8: error: undefined variable '${vesrion}' in 'url'" },
	{ "unterminated template", "prefix: /opt/korg/llvm-${major}", "prefix: /opt/korg/llvm-${major", NULL,
	  "t.yaml:8:9: error: unterminated '${' in 'prefix'" },
	{ "stray dollar", "summary: LLVM ${major} from kernel.org", "summary: LLVM $5 from kernel.org", NULL,
	  "t.yaml:2:10: error: stray '$' in 'summary' (write ${name} for a variable, $$ for a dollar sign)" },
	{ "malformed version", "version: 18.1.8", "version: v18.1.8", NULL,
	  "t.yaml:15:14: error: invalid version 'v18.1.8': it must start with a digit\n"
	  "t.yaml:1:10: error: undefined variable '${major}' in 'package'" },
	{ "version with a hyphen", "version: 18.1.8", "version: 18.1-8", NULL,
	  "t.yaml:15:14: error: invalid version '18.1-8': '-' is not valid in both Debian and RPM versions (letters, digits, '.', '+', '~')" },
	{ "package name invalid for Debian", "package: korg-llvm-${major}", "package: Korg_LLVM-${major}", NULL,
	  "t.yaml:1:10: error: package name 'Korg_LLVM-18' is not valid for Debian: use lower case letters, digits, '+', '-' and '.', starting with a letter or digit" },
	{ "duplicate version", NULL, NULL,
	  "package: korg-llvm-${major}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${version}.tar.xz'}\n"
	  "versions:\n"
	  "  - {version: 1.0, sha256: {x86_64: " SHA_A "}}\n"
	  "  - {version: 1.0, sha256: {x86_64: " SHA_A "}}\n",
	  "t.yaml:11:15: error: duplicate version '1.0' (first at line 10)" },
	{ "duplicate key", "homepage:", "license: MIT\nhomepage:", NULL,
	  "t.yaml:7:1: error: duplicate key 'license' (first at line 5)" },
	{ "unknown host", "hosts: [x86_64, aarch64]", "hosts: [x86_64, riscv64]", NULL,
	  "t.yaml:9:17: error: unknown host architecture 'riscv64' (known: x86_64, aarch64, arm64, all)\n"
	  "t.yaml:18:7: error: sha256 for 'aarch64' matches no host or source file of version '18.1.8'" },
	{ "prefix not absolute", "prefix: /opt/korg/llvm-${major}", "prefix: opt/korg", NULL,
	  "t.yaml:8:9: error: prefix 'opt/korg' must be an absolute path below /" },
	{ "prefix with ..", "prefix: /opt/korg/llvm-${major}", "prefix: /opt/../etc", NULL,
	  "t.yaml:8:9: error: prefix '/opt/../etc' must be normalised (no empty, '.' or '..' components)" },
	{ "bad relation", "  - libc6 >= 2.34", "  - libc6 >== 2.34", NULL,
	  "t.yaml:13:5: error: invalid relation 'libc6 >== 2.34' in 'depends': unknown operator '>==' (use =, >=, <=, > or <)" },
	{ "bad native deb relation", "depends:\n  - libc6 >= 2.34", "depends:\n  deb: ['libc6 (>> )']", NULL,
	  "t.yaml:13:10: error: invalid Debian relation 'libc6 (>> )' in 'depends': '' is not a valid version" },
	{ "malformed maintainer", "maintainer: A Packager <a@example.org>", "maintainer: a@example.org", NULL,
	  "t.yaml:7:13: error: maintainer 'a@example.org' must read 'Full Name <address@example.org>'" },
	{ "invalid YAML", "hosts: [x86_64, aarch64]", "hosts: [x86_64, aarch64", NULL,
	  "t.yaml:12:7: error: invalid YAML: missing comma in flow sequence" },
	{ "aliases refused", "hosts: [x86_64, aarch64]", "hosts: &h [x86_64, aarch64]", NULL,
	  "t.yaml:9:11: error: YAML anchors are not supported in manifests" },
	{ "release with a hyphen", "versions:\n", "release: 1-2\nversions:\n", NULL,
	  "t.yaml:14:10: error: invalid release '1-2': only letters, digits, '.', '+' and '~' are valid in both Debian revisions and RPM releases" },
	{ "strip out of range", "versions:\n", "files: {strip: -1}\nversions:\n", NULL,
	  "t.yaml:14:16: error: 'strip' must be a whole number from 0 to 16" },
	{ "redefining a built-in variable", "versions:\n", "vars: {host: x}\nversions:\n", NULL,
	  "t.yaml:14:8: error: variable 'host' is built in and cannot be redefined" },
	{ "summary too long", "summary: LLVM ${major} from kernel.org",
	  "summary: LLVM ${major} from kernel.org, the reference toolchain for building the Linux kernel with clang", NULL,
	  "t.yaml:2:10: error: summary is 89 characters long; keep it to 80" },
	{ "unknown profile", "versions:\n", "profile: debian-11\nversions:\n", NULL,
	  "t.yaml:14:10: error: unknown profile 'debian-11' (known: debian-12, ubuntu-24.04)" },
	{ "sonames must be a mapping", "versions:\n", "sonames: [libfoo.so.1]\nversions:\n", NULL,
	  "t.yaml:14:10: error: 'sonames' must be a mapping, not a list" },
	{ "unknown key in sonames", "versions:\n", "sonames: {mapp: {}}\nversions:\n", NULL,
	  "t.yaml:14:11: error: unknown key 'mapp' in sonames (did you mean 'map'?)" },
	{ "a map key that is not a soname", "versions:\n",
	  "sonames:\n  map: {libfoo: libfoo1}\nversions:\n", NULL,
	  "t.yaml:15:9: error: 'libfoo' is not a soname (a file name holding '.so', like libfoo.so.1)" },
	{ "a map value that is not a Debian relation", "versions:\n",
	  "sonames:\n  map:\n    libfoo.so.1: Libfoo1\nversions:\n", NULL,
	  "t.yaml:16:18: error: invalid Debian relation 'Libfoo1' for libfoo.so.1 in 'sonames: map': 'Libfoo1' is not a valid package name" },
	{ "a soname mapped twice", "versions:\n",
	  "sonames:\n  map:\n    libfoo.so.1: libfoo1\n    libfoo.so.1: libfoo2\nversions:\n", NULL,
	  "t.yaml:17:5: error: duplicate soname 'libfoo.so.1' (first at line 16)" },
	{ "a soname mapped and ignored", "versions:\n",
	  "sonames:\n  map: {libfoo.so.1: libfoo1}\n  ignore: [libfoo.so.1]\nversions:\n", NULL,
	  "t.yaml:16:12: error: soname 'libfoo.so.1' is both mapped (line 15) and ignored" },
	{ "an ignore pattern with a slash", "versions:\n",
	  "sonames:\n  ignore: ['lib/libcuda.so.*']\nversions:\n", NULL,
	  "t.yaml:15:13: error: 'lib/libcuda.so.*' is not a soname pattern (no '/', no blanks)" },
	{ "checksums without signers", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n  checksums: {url: 'https://example.org/s.asc'}\n", NULL,
	  "t.yaml:12:14: error: missing required key 'signers'" },
	{ "checksums that is not a mapping", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n  checksums: https://example.org/s.asc\n", NULL,
	  "t.yaml:12:14: error: 'checksums' must be a mapping, not a scalar" },
	{ "empty signers", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n  signature: {url: 'https://example.org/s.sign', signers: []}\n", NULL,
	  "t.yaml:12:59: error: 'signers' must not be empty" },
	{ "a short key id is not a fingerprint", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n"
	  "  checksums:\n    url: https://example.org/s.asc\n    signers: [632D3A06589DA6B1, 'B886 8C80 BA62 A1FF FAF5  FDA9 632D 3A06 589D A6B1']\n", NULL,
	  "t.yaml:14:15: error: signer '632D3A06589DA6B1' is not an OpenPGP fingerprint: write the key's 40 hexadecimal digits, without spaces\n"
	  "t.yaml:14:34: error: signer 'B886 8C80 BA62 A1FF FAF5  FDA9 632D 3A06 589D A6B1' is not an OpenPGP fingerprint: write the key's 40 hexadecimal digits, without spaces" },
	{ "duplicate signer", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n"
	  "  signature:\n    url: https://example.org/s.sign\n    signers:\n      - " FPR_A "\n      - " FPR_B "\n      - b8868c80ba62a1fffaf5fda9632d3a06589da6b1\n", NULL,
	  "t.yaml:17:9: error: duplicate signer 'b8868c80ba62a1fffaf5fda9632d3a06589da6b1' (first at line 15)" },
	{ "unknown key in checksums", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n"
	  "  checksums:\n    url: https://example.org/s.asc\n    signer: [" FPR_A "]\n", NULL,
	  "t.yaml:14:5: error: unknown key 'signer' in source.checksums (did you mean 'signers'?)\n"
	  "t.yaml:13:5: error: missing required key 'signers'" },
	{ "signature url not a URL", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n"
	  "  signature:\n    url: ${file}.sign\n    signers: [" FPR_A "]\n", NULL,
	  "t.yaml:13:10: error: signature url 'llvm-18.1.8-x86_64.tar.xz.sign' must be an https://, http:// or file:// URL\n"
	  "t.yaml:13:10: error: signature url 'llvm-18.1.8-aarch64.tar.xz.sign' must be an https://, http:// or file:// URL" },
	{ "undefined variable in a checksums url", "  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
	  "  url: https://example.org/llvm-${version}-${host}.tar.xz\n"
	  "  checksums:\n    url: ${url_base}/sha256sums.asc\n    signers: [" FPR_A "]\n", NULL,
	  "t.yaml:13:10: error: undefined variable '${url_base}' in 'checksums url'" },
	{ "a signature alone does not pin the tarball", NULL, NULL,
	  "package: p\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source:\n  url: 'https://e.org/${version}.tar.xz'\n"
	  "  signature: {url: '${url_tar}.sign', signers: [" FPR_A "]}\n"
	  "versions:\n  - version: 1.0\n",
	  "t.yaml:12:5: error: version '1.0' pins no sha256 for '1.0.tar.xz' (host x86_64)" },
	{ "not a mapping", NULL, NULL, "- just\n- a list\n",
	  "t.yaml:1:1: error: a manifest must be a mapping, not a list" },
	{ "empty file", NULL, NULL, "",
	  "t.yaml: error: empty manifest" },
	{ "unknown variant", NULL, NULL,
	  "package: p-${variant}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${variant}-${version}.tar.xz'}\n"
	  "variants: [{name: a}, {name: b}, {name: a}]\n"
	  "versions:\n"
	  "  - {version: 1.0, variants: [c], sha256: {x86_64: " SHA_A "}}\n",
	  "t.yaml:9:41: error: duplicate variant 'a' (first at line 9)" },
	{ "variant not defined", NULL, NULL,
	  "package: p-${variant}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${variant}-${version}.tar.xz'}\n"
	  "variants: [{name: a}, {name: b}]\n"
	  "versions:\n"
	  "  - {version: 1.0, variants: [c], sha256: {a-1.0.tar.xz: " SHA_A "}}\n",
	  "t.yaml:11:31: error: unknown variant 'c'\n"
	  "t.yaml:11:44: error: sha256 for 'a-1.0.tar.xz' matches no source file of version '1.0' (with variants, key sha256 values by file name)" },
	{ "sha256 by host with variants", NULL, NULL,
	  "package: p-${variant}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${variant}-${version}.tar.xz'}\n"
	  "variants: [{name: a}]\n"
	  "versions:\n"
	  "  - {version: 1.0, sha256: {x86_64: " SHA_A "}}\n",
	  "t.yaml:11:5: error: version '1.0' pins no sha256 for 'a-1.0.tar.xz' (host x86_64)\n"
	  "t.yaml:11:29: error: sha256 for 'x86_64' matches no source file of version '1.0' (with variants, key sha256 values by file name)" },
	{ "variants by host: each host once, every host, known names", NULL, NULL,
	  "package: p-${variant}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64, arm64]\n"
	  "source: {url: 'https://e.org/${host}-${variant}-${version}.tar.xz'}\n"
	  "variants: [{name: a}, {name: b}]\n"
	  "versions:\n"
	  "  - version: 1.0\n"
	  "    variants:\n"
	  "      x86_64: [a, c, a]\n"
	  "      aarch64: [b]\n"
	  "    sha256: {x86_64-a-1.0.tar.xz: " SHA_A "}\n",
	  "t.yaml:13:19: error: unknown variant 'c'\n"
	  "t.yaml:13:22: error: variant 'a' listed twice\n"
	  "t.yaml:14:7: error: variants for host 'aarch64', which version '1.0' does not have\n"
	  "t.yaml:13:7: error: version '1.0' lists variants by host, but none for host 'arm64'" },
	{ "variants by host without variants", NULL, NULL,
	  "package: pp\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${version}.tar.xz'}\n"
	  "versions:\n"
	  "  - {version: 1.0, variants: {x86_64: [a]}, sha256: {x86_64: " SHA_A "}}\n",
	  "t.yaml:10:31: error: version '1.0' lists variants, but the manifest defines none" },
	{ "variants by host, twice", NULL, NULL,
	  "package: p-${variant}\nsummary: s\ndescription: d\nlicense: MIT\n"
	  "maintainer: A <a@b.org>\nprefix: /opt/x\nhosts: [x86_64]\n"
	  "source: {url: 'https://e.org/${variant}-${version}.tar.xz'}\n"
	  "variants: [{name: a}]\n"
	  "versions:\n"
	  "  - {version: 1.0, variants: {x86_64: [a], x86_64: [a]}, sha256: {a-1.0.tar.xz: " SHA_A "}}\n",
	  "t.yaml:11:44: error: duplicate variants for host 'x86_64' (first at line 11)" },
	{ "alternative path outside the prefix", "versions:\n",
	  "alternatives:\n  - {name: cc, link: /usr/bin/cc, path: /usr/bin/gcc, priority: '10'}\nversions:\n", NULL,
	  "t.yaml:15:41: error: alternative path '/usr/bin/gcc' must lie under the prefix /opt/korg/llvm-18" },
	{ "alternative link inside the prefix", "versions:\n",
	  "alternatives:\n  - {name: cc, link: '${prefix}/cc', path: '${prefix}/bin/clang', priority: '10'}\nversions:\n", NULL,
	  "t.yaml:15:23: error: alternative link '/opt/korg/llvm-18/cc' must lie outside the prefix /opt/korg/llvm-18" },
	{ "alternative with a bad priority and unsafe name", "versions:\n",
	  "alternatives:\n  - {name: 'c c', link: /usr/bin/cc, path: '${prefix}/bin/clang', priority: high}\nversions:\n", NULL,
	  "t.yaml:15:13: error: alternative name 'c c' must be letters, digits and '._+@-'\n"
	  "t.yaml:15:77: error: alternative priority 'high' must be a whole number" },
	{ "metapackage without its description", "versions:\n",
	  "metapackage: {package: korg-llvm, summary: s}\nversions:\n", NULL,
	  "t.yaml:14:14: error: missing required key 'description'" },
};

int main(void)
{
	/* profiles come from the source tree */
	{
		const char *top = getenv("PF_TOP");
		char *dir = malloc(strlen(top ? top : ".") + 16);
		strcpy(dir, top ? top : ".");
		strcat(dir, "/profiles");
		setenv("PKGFORGE_PROFILES", dir, 1);
		free(dir);
	}
	TEST("profile and sonames reach the package spec", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *yaml = edit("versions:\n",
					 "profile: debian-12\n"
					 "sonames:\n"
					 "  map: {libcuda.so.1: 'libcuda1 (>= 525)'}\n"
					 "  ignore: ['libnvidia-*.so.*']\n"
					 "versions:\n");
		CHECK_INT(run(yaml, &plan, &diag), 0);
		CHECK_STR(diag, "");
		if (plan.nr) {
			const struct pf_pkgspec *s = &plan.v[0];
			CHECK_STR(s->profile, "debian-12");
			CHECK_INT(s->nr_somap, 1);
			CHECK_STR(s->somap[0].soname, "libcuda.so.1");
			CHECK_STR(s->somap[0].rel, "libcuda1 (>= 525)");
			CHECK_INT(s->somap[0].loc.line, 16);
			CHECK_INT(s->soignore.nr, 1);
			CHECK_STR(s->soignore.v[0], "libnvidia-*.so.*");
		}
		plan_free(&plan);
		free(diag);
		free(yaml);
	});
	TEST("without 'profile', deb dependencies use debian-12", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag;
		CHECK_INT(run(good, &plan, &diag), 0);
		if (plan.nr)
			CHECK_STR(plan.v[0].profile, "debian-12");
		plan_free(&plan);
		free(diag);
	});
	TEST("a good manifest expands to one package per host", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag;
		CHECK_INT(run(good, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 2);
		if (plan.nr == 2) {
			const struct pf_pkgspec *s = &plan.v[1];
			CHECK_STR(plan.v[0].name, "korg-llvm-18");
			CHECK_STR(s->name, "korg-llvm-18");
			CHECK_STR(s->version, "18.1.8");
			CHECK_STR(s->release, "1");
			CHECK(s->epoch == NULL);
			CHECK_STR(s->host, "aarch64");
			CHECK_STR(s->arch->deb, "arm64");
			CHECK_STR(s->arch->rpm, "aarch64");
			CHECK_STR(s->prefix, "/opt/korg/llvm-18");
			CHECK_STR(s->url, "https://example.org/llvm-18.1.8-aarch64.tar.xz");
			CHECK_STR(s->file, "llvm-18.1.8-aarch64.tar.xz");
			CHECK_STR(s->sha256, SHA_B);
			CHECK_STR(s->description, "Prebuilt LLVM 18.1.8.\n");
			CHECK_STR(s->section, "devel");
			CHECK_STR(s->priority, "optional");
			CHECK_INT(s->strip, 1);
			CHECK_INT(s->include.nr, 1);
			CHECK_STR(s->include.v[0], "**");
			CHECK_INT(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].nr, 1);
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].text, "libc6 (>= 2.34)");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_RPM].v[0].text, "libc6 >= 2.34");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_IPK].v[0].text, "libc6 (>= 2.34)");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].origin, "manifest");
			CHECK_INT(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].loc.line, 13);
		}
		plan_free(&plan);
		free(diag);
	});

	TEST("neutral relations render per format (alternatives, > and <)", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("  - libc6 >= 2.34\n",
				      "  - libfoo1 > 1 | libbar2 < 2\n  - korg-binutils = ${version}-${release}\n");
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		if (plan.nr) {
			const struct pf_pkgspec *s = &plan.v[0];
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].text, "libfoo1 (>> 1) | libbar2 (<< 2)");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_RPM].v[0].text, "(libfoo1 > 1 or libbar2 < 2)");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[1].text, "korg-binutils (= 18.1.8-1)");
			CHECK_STR(s->rel[PF_REL_DEPENDS][PF_FMT_RPM].v[1].text, "korg-binutils = 18.1.8-1");
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	TEST("per-version overrides, user variables, sha256 by file name", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("  - version: 18.1.8\n",
				      "  - version: 1.83.0\n"
				      "    release: 3\n"
				      "    epoch: 1\n"
				      "    hosts: [x86_64]\n"
				      "    vars: {llvm: 19.1.4}\n"
				      "    url: https://example.org/llvm-${llvm}-rust-${version}-${host}.tar.xz\n"
				      "    sha256:\n"
				      "      llvm-19.1.4-rust-1.83.0-x86_64.tar.xz: " SHA_A "\n"
				      "  - version: 18.1.8\n");
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 3);
		if (plan.nr == 3) {
			const struct pf_pkgspec *s = &plan.v[0];
			CHECK_STR(s->name, "korg-llvm-1");
			CHECK_STR(s->release, "3");
			CHECK_STR(s->epoch, "1");
			CHECK_STR(s->url, "https://example.org/llvm-19.1.4-rust-1.83.0-x86_64.tar.xz");
			CHECK_STR(s->sha256, SHA_A);
			char *full = pf_pkgspec_fullversion(s);
			CHECK_STR(full, "1:1.83.0-3");
			free(full);
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	TEST("globs in files are expanded", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("versions:\n",
				      "files:\n  strip: 2\n  include: ['bin/${host}-*']\n"
				      "  exclude: ['share/doc/**']\nversions:\n");
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		if (plan.nr) {
			CHECK_INT(plan.v[0].strip, 2);
			CHECK_STR(plan.v[0].include.v[0], "bin/x86_64-*");
			CHECK_STR(plan.v[0].exclude.v[0], "share/doc/**");
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	TEST("variants: one package per version x variant x host", {
		struct pf_plan plan = { NULL, 0, 0 };
		static const char y[] =
			"package: korg-gcc-${major}-${variant}\nsummary: s\ndescription: d\nlicense: GPL-3.0\n"
			"maintainer: A <a@b.org>\nprefix: /opt/korg/gcc-${major}\nhosts: [x86_64, arm64]\n"
			"source: {url: 'https://e.org/${host}-gcc-${version}-nolibc-${triple}.tar.xz'}\n"
			"variants:\n"
			"  - {name: arm64, triple: aarch64-linux}\n"
			"  - {name: riscv64, triple: riscv64-linux}\n"
			"versions:\n"
			"  - version: 14.2.0\n"
			"    variants: [riscv64]\n"
			"    hosts: [x86_64]\n"
			"    sha256: {x86_64-gcc-14.2.0-nolibc-riscv64-linux.tar.xz: " SHA_A "}\n"
			"  - version: 13.3.0\n"
			"    sha256:\n"
			"      x86_64-gcc-13.3.0-nolibc-aarch64-linux.tar.xz: " SHA_A "\n"
			"      arm64-gcc-13.3.0-nolibc-aarch64-linux.tar.xz: " SHA_A "\n"
			"      x86_64-gcc-13.3.0-nolibc-riscv64-linux.tar.xz: " SHA_B "\n"
			"      arm64-gcc-13.3.0-nolibc-riscv64-linux.tar.xz: " SHA_B "\n";
		char *diag;
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 5);
		if (plan.nr == 5) {
			CHECK_STR(plan.v[0].name, "korg-gcc-14-riscv64");
			CHECK_STR(plan.v[0].variant->name.s, "riscv64");
			CHECK_STR(plan.v[1].name, "korg-gcc-13-arm64");
			CHECK_STR(plan.v[1].host, "x86_64");
			CHECK_STR(plan.v[2].name, "korg-gcc-13-arm64");
			CHECK_STR(plan.v[2].host, "arm64");
			CHECK_STR(plan.v[2].arch->deb, "arm64");
			CHECK_STR(plan.v[2].url, "https://e.org/arm64-gcc-13.3.0-nolibc-aarch64-linux.tar.xz");
			CHECK_STR(plan.v[4].sha256, SHA_B);
		}
		plan_free(&plan);
		free(diag);
	});

	TEST("variants by host: only the listed variant x host pairs", {
		struct pf_plan plan = { NULL, 0, 0 };
		static const char y[] =
			"package: korg-gcc-${major}-${variant}\nsummary: s\ndescription: d\nlicense: GPL-3.0\n"
			"maintainer: A <a@b.org>\nprefix: /opt/korg/gcc-${major}\nhosts: [x86_64, arm64]\n"
			"source:\n"
			"  url: 'https://e.org/${host}-gcc-${version}-nolibc-${triple}.tar.xz'\n"
			"  checksums: {url: '${url_dir}/sha256sums.asc', signers: [" FPR_A "]}\n"
			"variants:\n"
			"  - {name: arm64, triple: aarch64-linux}\n"
			"  - {name: i386, triple: i386-linux}\n"
			"  - {name: ia64, triple: ia64-linux}\n"
			"versions:\n"
			"  - version: 9.5.0\n"
			"    variants:\n"
			"      x86_64: [arm64]\n"
			"      arm64: [i386, arm64]\n";
		char *diag;
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 3);
		if (plan.nr == 3) {
			CHECK_STR(plan.v[0].name, "korg-gcc-9-arm64");
			CHECK_STR(plan.v[0].host, "x86_64");
			CHECK_STR(plan.v[1].name, "korg-gcc-9-arm64");
			CHECK_STR(plan.v[1].host, "arm64");
			CHECK_STR(plan.v[2].name, "korg-gcc-9-i386");
			CHECK_STR(plan.v[2].host, "arm64");
			CHECK_STR(plan.v[2].file, "arm64-gcc-9.5.0-nolibc-i386-linux.tar.xz");
		}
		plan_free(&plan);
		free(diag);
	});

	TEST("metapackage: one per name and architecture, on the newest version", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("versions:\n  - version: 18.1.8\n",
				      "metapackage:\n"
				      "  package: korg-llvm\n"
				      "  summary: the newest LLVM from kernel.org\n"
				      "  description: Depends on the newest korg-llvm-N.\n"
				      "versions:\n"
				      "  - version: 9.0.1\n"
				      "    sha256: {x86_64: " SHA_A ", aarch64: " SHA_B "}\n"
				      "  - version: 18.1.8\n");
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 6);
		if (plan.nr == 6) {
			const struct pf_pkgspec *m = &plan.v[4];
			CHECK(m->meta);
			CHECK_STR(m->name, "korg-llvm");
			CHECK_STR(m->version, "18.1.8");
			CHECK_STR(m->host, "x86_64");
			CHECK(m->prefix == NULL && m->url == NULL);
			CHECK_STR(m->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].text, "korg-llvm-18 (>= 18.1.8-1)");
			CHECK_STR(m->rel[PF_REL_DEPENDS][PF_FMT_RPM].v[0].text, "korg-llvm-18 >= 18.1.8-1");
			CHECK_STR(m->rel[PF_REL_DEPENDS][PF_FMT_DEB].v[0].origin, "metapackage");
			CHECK_STR(plan.v[5].host, "aarch64");
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});


	TEST("sha256 from a signed list; a signature over the tar", {
		struct pf_plan plan = { NULL, 0, 0 };
		const char *from = "  url: https://example.org/llvm-${version}-${host}.tar.xz\n";
		char *diag, *y = edit(from, SIGNED_SOURCE), *z;

		/* no sha256 pinned at all: the list gives them */
		z = strstr(y, "    sha256:\n");
		*z = '\0';
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		CHECK_INT(plan.nr, 2);
		if (plan.nr == 2) {
			const struct pf_pkgspec *s = &plan.v[0];
			CHECK_STR(s->sha256, "");
			CHECK(!s->sha_pinned);
			CHECK_STR(s->sums.url, "https://example.org/sha256sums.asc");
			CHECK_INT(s->sums.signers.nr, 1);
			CHECK_STR(s->sums.signers.v[0], FPR_A);
			CHECK_INT(s->sums.loc.line, 13);
			CHECK_INT(s->sha_loc.line, 13);
			CHECK_STR(s->sig.url, "https://example.org/llvm-18.1.8-x86_64.tar.sign");
			CHECK_INT(s->sig.signers.nr, 2);
			CHECK_STR(s->sig.signers.v[1], FPR_B);
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	TEST("alternatives are expanded per package", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("versions:\n",
				      "alternatives:\n"
				      "  - {name: clang, link: /usr/bin/clang, path: '${prefix}/bin/clang', priority: '${major}0'}\n"
				      "versions:\n");
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		if (plan.nr) {
			CHECK_INT(plan.v[0].nr_alts, 1);
			CHECK_STR(plan.v[0].alts[0].link, "/usr/bin/clang");
			CHECK_STR(plan.v[0].alts[0].path, "/opt/korg/llvm-18/bin/clang");
			CHECK_INT(plan.v[0].alts[0].priority, 180);
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	TEST("a pinned sha256 wins over the list; fingerprints are upper-cased", {
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = edit("  url: https://example.org/llvm-${version}-${host}.tar.xz\n",
				      "  url: https://example.org/llvm-${version}-${host}.tgz\n"
				      "  checksums: {url: '${url_tar}.sums', signers: [b8868c80ba62a1fffaf5fda9632d3a06589da6b1]}\n");
		/* .tgz: url_tar is the .tar name; the pins by host still apply */
		CHECK_INT(run(y, &plan, &diag), 0);
		CHECK_STR(diag, "");
		if (plan.nr) {
			const struct pf_pkgspec *s = &plan.v[0];
			CHECK(s->sha_pinned);
			CHECK_STR(s->sha256, SHA_A);
			CHECK_STR(s->sums.url, "https://example.org/llvm-18.1.8-x86_64.tar.sums");
			CHECK_STR(s->sums.signers.v[0], FPR_A);
		}
		plan_free(&plan);
		free(diag);
		free(y);
	});

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct pf_plan plan = { NULL, 0, 0 };
		char *diag, *y = b->yaml ? strdup(b->yaml) : edit(b->from, b->to);

		unit_begin();
		CHECK_INT(run(y, &plan, &diag), -1);
		CHECK_STR(diag, b->diag);
		unit_end(b->name);
		plan_free(&plan);
		free(diag);
		free(y);
	}
	return unit_done();
}
