// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <string.h>

#include "arch.h"
#include "banned.h"

static const struct pf_arch arches[] = {
	{ "x86_64", "x86_64", "amd64", "x86_64", "x86_64", EM_X86_64, ELFCLASS64 },
	{ "aarch64", "aarch64", "arm64", "aarch64", "aarch64", EM_AARCH64, ELFCLASS64 },
	{ "arm64", "aarch64", "arm64", "aarch64", "aarch64", EM_AARCH64, ELFCLASS64 },
	/* architecture-independent packages (data, keyrings): an ELF file
	 * in one is refused as for a wrong machine */
	{ "all", "all", "all", "noarch", "all", EM_NONE, ELFCLASSNONE },
};

const struct pf_arch *pf_arch_find(const char *host)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i].host, host))
			return &arches[i];
	return NULL;
}

const char *pf_arch_known(void)
{
	return "x86_64, aarch64, arm64, all";
}
