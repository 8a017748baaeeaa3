// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF facts for automatic dependencies: the only file that uses libelf. */
#include <elf.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfdeps.h"
#include "util.h"
#include "banned.h"

bool pf_elf_magic(const void *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

static uint64_t rd(const unsigned char *p, size_t n, bool le)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[le ? i : n - 1 - i] << (8 * i);
	return v;
}

int pf_elf_peek(const void *buf, size_t len, struct pf_elfpeek *out)
{
	const unsigned char *b = buf;
	bool le, is64;
	uint64_t phoff;
	unsigned phentsize, phnum;

	if (len < EI_NIDENT || !pf_elf_magic(buf, len))
		return len < EI_NIDENT ? 0 : -1;
	if ((b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) ||
	    (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB))
		return -1;
	is64 = b[EI_CLASS] == ELFCLASS64;
	le = b[EI_DATA] == ELFDATA2LSB;
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return 0;
	out->elfclass = b[EI_CLASS];
	out->type = (unsigned)rd(b + 16, 2, le);
	out->machine = (unsigned)rd(b + 18, 2, le);
	out->interp = false;
	phoff = is64 ? rd(b + 32, 8, le) : rd(b + 28, 4, le);
	phentsize = (unsigned)rd(b + (is64 ? 54 : 42), 2, le);
	phnum = (unsigned)rd(b + (is64 ? 56 : 44), 2, le);
	if (!phnum)
		return 1;
	if (phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return 0;
	for (unsigned i = 0; i < phnum; i++)
		if (rd(b + phoff + (uint64_t)i * phentsize, 4, le) == PT_INTERP)
			out->interp = true;
	return 1;
}

const char *pf_elf_machine_name(unsigned machine, char buf[32])
{
	static const struct { unsigned m; const char *name; } names[] = {
		{ EM_X86_64, "x86-64" }, { EM_AARCH64, "AArch64" }, { EM_386, "i386" },
		{ EM_ARM, "ARM" }, { EM_RISCV, "RISC-V" }, { EM_PPC64, "PowerPC64" },
		{ EM_PPC, "PowerPC" }, { EM_S390, "S/390" }, { EM_MIPS, "MIPS" },
		{ EM_LOONGARCH, "LoongArch" }, { EM_SPARCV9, "SPARC V9" },
	};

	for (size_t i = 0; i < PF_ARRAY_SIZE(names); i++)
		if (names[i].m == machine)
			return names[i].name;
	snprintf(buf, 32, "machine %u", machine);
	return buf;
}

/* The relocation type that copies a symbol's data into the executable. */
static unsigned copy_reloc(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return R_X86_64_COPY;
	case EM_AARCH64:
		return R_AARCH64_COPY;
	case EM_386:
		return R_386_COPY;
	case EM_ARM:
		return R_ARM_COPY;
	case EM_RISCV:
		return R_RISCV_COPY;
	case EM_PPC64:
		return R_PPC64_COPY;
	case EM_PPC:
		return R_PPC_COPY;
	case EM_S390:
		return R_390_COPY;
	default:
		return 0;       /* none known: no symbol is taken that way */
	}
}

void pf_elfinfo_release(struct pf_elfinfo *info)
{
	free(info->interp);
	free(info->soname);
	pf_strlist_release(&info->needed);
	pf_strlist_release(&info->rpath);
	pf_strlist_release(&info->runpath);
	for (size_t i = 0; i < info->nr_verneed; i++) {
		free(info->verneed[i].file);
		free(info->verneed[i].version);
	}
	free(info->verneed);
	for (size_t i = 0; i < info->nr_verdef; i++)
		free(info->verdef[i].name);
	free(info->verdef);
	for (size_t i = 0; i < info->nr_syms; i++) {
		free(info->syms[i].name);
		free(info->syms[i].version);
	}
	free(info->syms);
	memset(info, 0, sizeof(*info));
}

/* A version index (from SHT_GNU_versym) and the names it stands for. */
struct vername {
	unsigned idx;
	const char *name;       /* in the ELF image */
	const char *file;       /* verneed: the library; verdef: NULL */
};

struct scan {
	Elf *elf;
	size_t len;
	struct pf_elfinfo *info;
	struct pf_err *e;
	struct vername *vn;
	size_t nr_vn, alloc_vn;
};

static int corrupt(struct scan *s, const char *what)
{
	return pf_err_set(s->e, PF_EINVAL, "corrupt ELF file: %s", what);
}

static int libelf_err(struct scan *s, const char *what)
{
	return pf_err_set(s->e, PF_EINVAL, "corrupt ELF file: %s: %s", what,
			  elf_errmsg(-1));
}

static const char *str(struct scan *s, size_t link, size_t off, const char *what)
{
	const char *p = elf_strptr(s->elf, link, off);

	if (!p)
		corrupt(s, what);
	return p;
}

static void add_vername(struct scan *s, unsigned idx, const char *name, const char *file)
{
	PF_ALLOC_GROW(s->vn, s->nr_vn + 1, s->alloc_vn);
	s->vn[s->nr_vn].idx = idx;
	s->vn[s->nr_vn].name = name;
	s->vn[s->nr_vn].file = file;
	s->nr_vn++;
}

static void split_path(struct pf_strlist *l, const char *v)
{
	while (*v) {
		const char *colon = strchr(v, ':');
		size_t n = colon ? (size_t)(colon - v) : strlen(v);

		if (n)
			pf_strlist_add(l, pf_strndup(v, n));
		v += n + (colon ? 1 : 0);
	}
}

static int do_dynamic(struct scan *s, Elf_Scn *scn, const GElf_Shdr *sh)
{
	struct pf_elfinfo *in = s->info;
	Elf_Data *data = NULL;

	while ((data = elf_getdata(scn, data)) != NULL) {
		size_t n = data->d_size / gelf_fsize(s->elf, ELF_T_DYN, 1, EV_CURRENT);

		for (size_t i = 0; i < n; i++) {
			GElf_Dyn dyn;
			const char *v;

			if (!gelf_getdyn(data, (int)i, &dyn))
				return libelf_err(s, "the dynamic section");
			switch (dyn.d_tag) {
			case DT_HASH:
				in->has_hash = true;
				break;
			case DT_GNU_HASH:
				in->has_gnu_hash = true;
				break;
			case DT_DEBUG:
				in->has_debug = true;
				break;
			case DT_NEEDED:
			case DT_SONAME:
			case DT_RPATH:
			case DT_RUNPATH:
				v = str(s, sh->sh_link, dyn.d_un.d_val, "a dynamic entry names no string");
				if (!v)
					return -1;
				if (dyn.d_tag == DT_NEEDED)
					pf_strlist_add(&in->needed, pf_strdup(v));
				else if (dyn.d_tag == DT_SONAME && !in->soname)
					in->soname = pf_strdup(v);
				else if (dyn.d_tag == DT_RPATH)
					split_path(&in->rpath, v);
				else if (dyn.d_tag == DT_RUNPATH)
					split_path(&in->runpath, v);
				break;
			}
		}
	}
	return 0;
}

static int do_verneed(struct scan *s, Elf_Scn *scn, const GElf_Shdr *sh)
{
	struct pf_elfinfo *in = s->info;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0;

	if (!data)
		return libelf_err(s, "the version needs");
	for (size_t i = 0; i < sh->sh_info; i++) {
		GElf_Verneed need;
		const char *file;
		size_t aoff;

		if (!gelf_getverneed(data, (int)off, &need))
			return corrupt(s, "the version needs run past their section");
		file = str(s, sh->sh_link, need.vn_file, "a version need names no library");
		if (!file)
			return -1;
		aoff = off + need.vn_aux;
		for (size_t j = 0; j < need.vn_cnt; j++) {
			GElf_Vernaux aux;
			const char *name;

			if (!gelf_getvernaux(data, (int)aoff, &aux))
				return corrupt(s, "the version needs run past their section");
			name = str(s, sh->sh_link, aux.vna_name, "a version need has no name");
			if (!name)
				return -1;
			PF_ALLOC_GROW(in->verneed, in->nr_verneed + 1, in->alloc_verneed);
			in->verneed[in->nr_verneed].file = pf_strdup(file);
			in->verneed[in->nr_verneed].version = pf_strdup(name);
			in->nr_verneed++;
			add_vername(s, aux.vna_other & 0x7fff, name, in->verneed[in->nr_verneed - 1].file);
			if (!aux.vna_next)
				break;
			aoff += aux.vna_next;
		}
		if (!need.vn_next)
			break;
		off += need.vn_next;
	}
	return 0;
}

static int do_verdef(struct scan *s, Elf_Scn *scn, const GElf_Shdr *sh)
{
	struct pf_elfinfo *in = s->info;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0;

	if (!data)
		return libelf_err(s, "the version definitions");
	for (size_t i = 0; i < sh->sh_info; i++) {
		GElf_Verdef def;
		GElf_Verdaux aux;
		const char *name;

		if (!gelf_getverdef(data, (int)off, &def) ||
		    !gelf_getverdaux(data, (int)(off + def.vd_aux), &aux))
			return corrupt(s, "the version definitions run past their section");
		name = str(s, sh->sh_link, aux.vda_name, "a version definition has no name");
		if (!name)
			return -1;
		PF_ALLOC_GROW(in->verdef, in->nr_verdef + 1, in->alloc_verdef);
		in->verdef[in->nr_verdef].name = pf_strdup(name);
		in->verdef[in->nr_verdef].base = def.vd_flags & VER_FLG_BASE;
		in->nr_verdef++;
		add_vername(s, def.vd_ndx & 0x7fff, name, NULL);
		if (!def.vd_next)
			break;
		off += def.vd_next;
	}
	return 0;
}

static const struct vername *find_vername(const struct scan *s, unsigned idx)
{
	for (size_t i = 0; i < s->nr_vn; i++)
		if (s->vn[i].idx == idx)
			return &s->vn[i];
	return NULL;
}

/* Undefined dynamic symbols, and defined ones a copy relocation takes. */
static int do_symbols(struct scan *s, Elf_Scn *dynsym, Elf_Scn *versym,
		      Elf_Scn **rels, size_t nrels)
{
	struct pf_elfinfo *in = s->info;
	GElf_Shdr sh;
	Elf_Data *data, *vdata = NULL;
	size_t n;
	unsigned char *copied = NULL;
	unsigned copytype = copy_reloc(in->machine);
	int ret = -1;

	if (!gelf_getshdr(dynsym, &sh) || !(data = elf_getdata(dynsym, NULL)))
		return libelf_err(s, "the dynamic symbols");
	n = data->d_size / gelf_fsize(s->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (versym && !(vdata = elf_getdata(versym, NULL)))
		return libelf_err(s, "the symbol versions");
	copied = pf_calloc(n ? n : 1, 1);
	for (size_t r = 0; r < nrels && copytype; r++) {
		GElf_Shdr rsh;
		Elf_Data *rd;
		size_t m;

		if (!gelf_getshdr(rels[r], &rsh) || !(rd = elf_getdata(rels[r], NULL))) {
			libelf_err(s, "the relocations");
			goto out;
		}
		m = rd->d_size / gelf_fsize(s->elf, rsh.sh_type == SHT_RELA ? ELF_T_RELA : ELF_T_REL,
					    1, EV_CURRENT);
		for (size_t i = 0; i < m; i++) {
			GElf_Rela rela;
			GElf_Rel rel;
			GElf_Xword info;

			if (rsh.sh_type == SHT_RELA) {
				if (!gelf_getrela(rd, (int)i, &rela))
					break;
				info = rela.r_info;
			} else {
				if (!gelf_getrel(rd, (int)i, &rel))
					break;
				info = rel.r_info;
			}
			if (GELF_R_TYPE(info) == copytype && GELF_R_SYM(info) < n)
				copied[GELF_R_SYM(info)] = 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Versym vs = 0;
		const char *name;
		struct pf_elfsym *out;

		if (!gelf_getsym(data, (int)i, &sym)) {
			libelf_err(s, "the dynamic symbols");
			goto out;
		}
		if (sym.st_shndx != SHN_UNDEF && !copied[i])
			continue;
		if (GELF_ST_BIND(sym.st_info) == STB_LOCAL)
			continue;
		name = str(s, sh.sh_link, sym.st_name, "a dynamic symbol has no name");
		if (!name)
			goto out;
		if (!*name)
			continue;
		if (vdata && !gelf_getversym(vdata, (int)i, &vs)) {
			corrupt(s, "the symbol versions do not cover every dynamic symbol");
			goto out;
		}
		PF_ALLOC_GROW(in->syms, in->nr_syms + 1, in->alloc_syms);
		out = &in->syms[in->nr_syms++];
		memset(out, 0, sizeof(*out));
		out->name = pf_strdup(name);
		out->weak = GELF_ST_BIND(sym.st_info) == STB_WEAK;
		if ((vs & 0x7fff) > 1) {
			const struct vername *v = find_vername(s, vs & 0x7fff);
			if (!v) {
				corrupt(s, "a symbol has a version the file does not define or need");
				goto out;
			}
			out->version = pf_strdup(v->name);
			out->file = v->file;
		}
	}
	ret = 0;
out:
	free(copied);
	return ret;
}

/* Bounds the libelf API takes on trust, checked so that a truncated
 * file gets a message saying so. */
static int check_bounds(struct scan *s, const GElf_Ehdr *eh)
{
	size_t shnum;

	if (eh->e_phnum &&
	    (eh->e_phoff > s->len ||
	     (uint64_t)eh->e_phnum * eh->e_phentsize > s->len - eh->e_phoff))
		return pf_err_set(s->e, PF_EINVAL,
				  "truncated ELF file: its program headers end past its %zu bytes",
				  s->len);
	if (eh->e_shoff &&
	    (eh->e_shoff > s->len ||
	     (uint64_t)(eh->e_shnum ? eh->e_shnum : 1) * eh->e_shentsize > s->len - eh->e_shoff))
		return pf_err_set(s->e, PF_EINVAL,
				  "truncated ELF file: its section headers end past its %zu bytes",
				  s->len);
	if (elf_getshdrnum(s->elf, &shnum) < 0)
		return libelf_err(s, "the section headers");
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(s->elf, i);
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			return libelf_err(s, "the section headers");
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > s->len || sh.sh_size > s->len - sh.sh_offset))
			return pf_err_set(s->e, PF_EINVAL,
					  "truncated ELF file: section %zu ends at byte %" PRIu64 ", past its %zu bytes",
					  i, (uint64_t)(sh.sh_offset + sh.sh_size), s->len);
	}
	return 0;
}

static int do_interp(struct scan *s, const GElf_Ehdr *eh, const char *buf)
{
	for (size_t i = 0; i < eh->e_phnum; i++) {
		GElf_Phdr ph;
		const char *p, *nul;

		if (!gelf_getphdr(s->elf, (int)i, &ph))
			return libelf_err(s, "the program headers");
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_offset >= s->len || ph.p_filesz > s->len - ph.p_offset)
			return pf_err_set(s->e, PF_EINVAL,
					  "truncated ELF file: its interpreter lies past its %zu bytes",
					  s->len);
		p = buf + ph.p_offset;
		nul = memchr(p, '\0', ph.p_filesz);
		if (!nul || nul == p)
			return corrupt(s, "the interpreter name is empty or not terminated");
		s->info->interp = pf_strdup(p);
		break;
	}
	return 0;
}

int pf_elf_scan(const void *buf, size_t len, struct pf_elfinfo *info, struct pf_err *e)
{
	const unsigned char *id = buf;
	struct scan s;
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL, *dynsym = NULL, *versym = NULL;
	Elf_Scn **rels = NULL;
	size_t nrels = 0, arels = 0, ehsize;
	int ret = -1;

	memset(info, 0, sizeof(*info));
	memset(&s, 0, sizeof(s));
	s.len = len;
	s.info = info;
	s.e = e;
	if (len < EI_NIDENT)
		return pf_err_set(e, PF_EINVAL, "truncated ELF file: %zu bytes, shorter than an ELF header", len);
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return pf_err_set(e, PF_EINVAL, "corrupt ELF file: unknown class %u", id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
		return pf_err_set(e, PF_EINVAL, "corrupt ELF file: unknown byte order %u", id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return pf_err_set(e, PF_EINVAL, "corrupt ELF file: unknown ELF version %u", id[EI_VERSION]);
	ehsize = id[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize)
		return pf_err_set(e, PF_EINVAL, "truncated ELF file: %zu bytes, shorter than an ELF header", len);
	elf_version(EV_CURRENT);
	s.elf = elf_memory((char *)buf, len);
	if (!s.elf || elf_kind(s.elf) != ELF_K_ELF) {
		libelf_err(&s, "the ELF header");
		goto out;
	}
	if (!gelf_getehdr(s.elf, &eh)) {
		libelf_err(&s, "the ELF header");
		goto out;
	}
	info->elfclass = id[EI_CLASS];
	info->machine = eh.e_machine;
	info->type = eh.e_type;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		ret = 0;
		goto out;
	}
	if (check_bounds(&s, &eh) < 0 || do_interp(&s, &eh, buf) < 0)
		goto out;
	/* version names first: the symbols refer to them */
	while ((scn = elf_nextscn(s.elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh)) {
			libelf_err(&s, "the section headers");
			goto out;
		}
		switch (sh.sh_type) {
		case SHT_GNU_verneed:
			if (do_verneed(&s, scn, &sh) < 0)
				goto out;
			break;
		case SHT_GNU_verdef:
			if (do_verdef(&s, scn, &sh) < 0)
				goto out;
			break;
		case SHT_DYNAMIC:
			if (do_dynamic(&s, scn, &sh) < 0)
				goto out;
			break;
		case SHT_DYNSYM:
			if (!dynsym)
				dynsym = scn;
			break;
		case SHT_GNU_versym:
			versym = scn;
			break;
		case SHT_RELA:
		case SHT_REL:
			PF_ALLOC_GROW(rels, nrels + 1, arels);
			rels[nrels++] = scn;
			break;
		}
	}
	if (dynsym) {
		/* only relocations that refer to the dynamic symbols */
		size_t k = 0, dynidx = elf_ndxscn(dynsym);
		for (size_t i = 0; i < nrels; i++) {
			GElf_Shdr sh;
			if (gelf_getshdr(rels[i], &sh) && sh.sh_link == dynidx)
				rels[k++] = rels[i];
		}
		if (do_symbols(&s, dynsym, versym, rels, k) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		pf_elfinfo_release(info);
	free(rels);
	free(s.vn);
	if (s.elf)
		elf_end(s.elf);
	return ret;
}
