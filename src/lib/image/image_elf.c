/* SPDX-License-Identifier: MIT */
/*
 * ELF32 little-endian ARM executables: exactly the bytes that
 * `objcopy -O binary` / `-O ihex` would put in flash.
 *
 * objcopy (BFD) works on sections, not segments: it copies every SHF_ALLOC
 * section that has file contents (not SHT_NOBITS, size > 0) to its load
 * address (LMA). BFD derives the LMA from the first PT_LOAD segment that
 * contains the section (PT_TLS for SHF_TLS sections) as
 * p_paddr + sh_offset - p_offset, else it is sh_addr; when every program
 * header has p_paddr == 0 and there are several PT_LOADs, it keeps sh_addr
 * (bfd/elf.c, _bfd_elf_make_section_from_shdr). Reading segments instead
 * would differ when a PT_LOAD also maps the ELF headers or the padding
 * between sections. Without section headers (stripped to the bone) we fall
 * back to the PT_LOAD segments: p_filesz bytes at p_paddr; the rest up to
 * p_memsz (.bss) is RAM that nothing writes to flash.
 */
#include <stdio.h>

#include "common/error_internal.h"
#include "common/le.h"
#include "image/formats.h"

#define EHDR_SIZE  52u
#define PHDR_SIZE  32u
#define SHDR_SIZE  40u
#define EM_ARM	   40u
#define PT_LOAD	   1u
#define PT_TLS	   7u
#define SHT_NULL   0u
#define SHT_NOBITS 8u
#define SHF_ALLOC  0x2u
#define SHF_TLS	   0x400u

struct elf {
	struct img_build *b;
	const uint8_t *buf;
	size_t len;
	uint32_t phoff, shoff;
	unsigned phnum, shnum, phentsize, shentsize;
	bool use_vaddr; /* every p_paddr is 0: BFD keeps the VMAs */
};

struct phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

struct shdr {
	uint32_t type, flags, addr, offset, size;
};

static void get_phdr(const struct elf *e, unsigned i, struct phdr *p)
{
	const uint8_t *q = e->buf + e->phoff + (size_t)i * e->phentsize;

	p->type = le_get32(q);
	p->offset = le_get32(q + 4);
	p->vaddr = le_get32(q + 8);
	p->paddr = le_get32(q + 12);
	p->filesz = le_get32(q + 16);
	p->memsz = le_get32(q + 20);
}

static void get_shdr(const struct elf *e, unsigned i, struct shdr *s)
{
	const uint8_t *q = e->buf + e->shoff + (size_t)i * e->shentsize;

	s->type = le_get32(q + 4);
	s->flags = le_get32(q + 8);
	s->addr = le_get32(q + 12);
	s->offset = le_get32(q + 16);
	s->size = le_get32(q + 20);
}

static int check_header(struct elf *e)
{
	const uint8_t *h = e->buf;
	const char *name = e->b->name;

	if (e->len < EHDR_SIZE)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: ELF header truncated (%zu of 52 bytes)",
				   name, e->len);
	if (h[4] != 1)
		return stdfu__fail(
			STDFU_ERR_UNSUPPORTED,
			"%s: offset 0x4: ELF class %u; only 32-bit ELF (ARM Cortex-M) is "
			"supported",
			name, h[4]);
	if (h[5] != 1)
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "%s: offset 0x5: ELF data encoding %u; only little-endian is "
				   "supported",
				   name, h[5]);
	if (le_get16(h + 18) != EM_ARM)
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "%s: offset 0x12: ELF machine %u is not ARM (40); wrong file?",
				   name, le_get16(h + 18));
	e->phoff = le_get32(h + 28);
	e->shoff = le_get32(h + 32);
	e->phentsize = le_get16(h + 42);
	e->phnum = le_get16(h + 44);
	e->shentsize = le_get16(h + 46);
	e->shnum = le_get16(h + 48);
	return STDFU_OK;
}

static int check_table(const struct elf *e, const char *what, uint32_t off, unsigned num,
		       unsigned entsize, unsigned minsize)
{
	if (num == 0)
		return STDFU_OK;
	if (entsize < minsize)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: %s entry size %u, expected at least %u",
				   e->b->name, what, entsize, minsize);
	if ((uint64_t)off + (uint64_t)num * entsize > e->len)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%x: %u %s entries run past the end of the file (%zu "
			"bytes): truncated?",
			e->b->name, off, num, what, e->len);
	return STDFU_OK;
}

static bool in_segment(const struct shdr *s, const struct phdr *p)
{
	bool tls = (s->flags & SHF_TLS) != 0;

	if (!(p->type == PT_LOAD && !tls) && !(p->type == PT_TLS && tls))
		return false;
	return s->offset >= p->offset && (uint64_t)s->offset - p->offset + s->size <= p->filesz &&
	       s->addr >= p->vaddr && (uint64_t)s->addr - p->vaddr + s->size <= p->memsz;
}

static uint32_t section_lma(const struct elf *e, const struct shdr *s)
{
	struct phdr p;

	if (e->use_vaddr)
		return s->addr;
	for (unsigned i = 0; i < e->phnum; i++) {
		get_phdr(e, i, &p);
		if (in_segment(s, &p))
			return p.paddr + (s->offset - p.offset);
	}
	return s->addr;
}

/* BFD: "binaries with all the program header p_paddr fields zero". */
static bool all_paddr_zero(const struct elf *e)
{
	unsigned nload = 0;
	struct phdr p;

	for (unsigned i = 0; i < e->phnum; i++) {
		get_phdr(e, i, &p);
		if (p.paddr != 0)
			return false;
		if (p.type == PT_LOAD && p.memsz != 0)
			nload++;
	}
	return nload > 1;
}

static int data_in_file(const struct elf *e, const char *what, unsigned i, uint32_t off,
			uint32_t size, uint64_t *claimed)
{
	if ((uint64_t)off + size > e->len)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: %s %u: data at offset 0x%x, 0x%x bytes, runs past the end of "
			"the file (%zu bytes): truncated?",
			e->b->name, what, i, off, size, e->len);
	/* Real sections never share file bytes: refuse a file that claims more. */
	*claimed += size;
	if (*claimed > e->len)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: %s %u: %ss claim more data than the file holds", e->b->name,
				   what, i, what);
	return STDFU_OK;
}

static int add_sections(struct elf *e)
{
	uint64_t claimed = 0;
	char where[300];
	struct shdr s;
	int rc;

	for (unsigned i = 0; i < e->shnum; i++) {
		get_shdr(e, i, &s);
		if (!(s.flags & SHF_ALLOC) || s.type == SHT_NOBITS || s.type == SHT_NULL ||
		    s.size == 0)
			continue;
		if ((rc = data_in_file(e, "section", i, s.offset, s.size, &claimed)) < 0)
			return rc;
		snprintf(where, sizeof(where), "%s: section %u", e->b->name, i);
		rc = stdfu__img_add(e->b, 0, section_lma(e, &s), e->buf + s.offset, s.size, where);
		if (rc < 0)
			return rc;
	}
	return STDFU_OK;
}

static int add_segments(struct elf *e)
{
	uint64_t claimed = 0;
	char where[300];
	struct phdr p;
	int rc;

	for (unsigned i = 0; i < e->phnum; i++) {
		get_phdr(e, i, &p);
		if (p.type != PT_LOAD || p.filesz == 0)
			continue;
		if (p.filesz > p.memsz)
			return stdfu__fail(STDFU_ERR_IMAGE,
					   "%s: program header %u: p_filesz 0x%x > p_memsz 0x%x",
					   e->b->name, i, p.filesz, p.memsz);
		if ((rc = data_in_file(e, "program header", i, p.offset, p.filesz, &claimed)) < 0)
			return rc;
		snprintf(where, sizeof(where), "%s: program header %u", e->b->name, i);
		rc = stdfu__img_add(e->b, 0, e->use_vaddr ? p.vaddr : p.paddr, e->buf + p.offset,
				    p.filesz, where);
		if (rc < 0)
			return rc;
	}
	return STDFU_OK;
}

int stdfu__image_read_elf(struct img_build *b, const uint8_t *buf, size_t len)
{
	struct elf e = {.b = b, .buf = buf, .len = len};
	int rc;

	if ((rc = check_header(&e)) < 0)
		return rc;
	if ((rc = check_table(&e, "program header", e.phoff, e.phnum, e.phentsize, PHDR_SIZE)) < 0)
		return rc;
	if ((rc = check_table(&e, "section header", e.shoff, e.shnum, e.shentsize, SHDR_SIZE)) < 0)
		return rc;
	e.use_vaddr = all_paddr_zero(&e);
	if (e.shnum > 0 && e.shoff != 0)
		rc = add_sections(&e);
	else
		rc = add_segments(&e);
	if (rc < 0)
		return rc;
	if (b->img->count == 0)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: the ELF file has no loadable data (an object file, or only "
				   ".bss?)",
				   b->name);
	return STDFU_OK;
}
