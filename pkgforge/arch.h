/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_ARCH_H
#define PF_ARCH_H

/*
 * Host architectures: the spelling a manifest uses (kernel.org's, which
 * differs between LLVM's "aarch64" and crosstool's "arm64") and each
 * format's name for it.
 */
struct pf_arch {
	const char *host;       /* as written in a manifest */
	const char *canon;      /* x86_64, aarch64 */
	const char *deb;        /* amd64, arm64 */
	const char *rpm;        /* x86_64, aarch64 */
	const char *ipk;        /* x86_64, aarch64 */
	unsigned elf_machine;   /* EM_X86_64, EM_AARCH64 */
	int elf_class;          /* ELFCLASS64 */
};

const struct pf_arch *pf_arch_find(const char *host);
/* "x86_64, aarch64, arm64" for messages. */
const char *pf_arch_known(void);

#endif
