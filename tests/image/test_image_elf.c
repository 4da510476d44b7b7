/* SPDX-License-Identifier: MIT */
/*
 * ELF reader: synthetic ELF32 ARM files covering what objcopy does (sections
 * at their LMA, headers mapped by a PT_LOAD left out, .bss never in flash)
 * and hostile headers. The real-toolchain check is image_roundtrip.
 */
#include "img_test.h"
#include "common/le.h"
#include "image/build.h"
#include "image/formats.h"
#include "image/suffix.h"

#define PT_LOAD	   1
#define SHT_PROG   1
#define SHT_NOBITS 8
#define A	   0x2 /* SHF_ALLOC */
#define W	   0x1 /* SHF_WRITE */

struct ph {
	uint32_t type, off, vaddr, paddr, filesz, memsz;
};
struct sh {
	uint32_t type, flags, addr, off, size;
};

static uint8_t elf[0x1000];

/* Header at 0, program headers at 0x40, section headers at 0x100, data from 0x200. */
static size_t make_elf(const struct ph *ph, unsigned nph, const struct sh *sh, unsigned nsh)
{
	memset(elf, 0, sizeof(elf));
	memcpy(elf,
	       "\x7f"
	       "ELF\x01\x01\x01",
	       7);
	le_put16(elf + 16, 2);	/* ET_EXEC */
	le_put16(elf + 18, 40); /* EM_ARM */
	le_put32(elf + 28, nph ? 0x40 : 0);
	le_put32(elf + 32, nsh ? 0x100 : 0);
	le_put16(elf + 40, 52);
	le_put16(elf + 42, 32);
	le_put16(elf + 44, (uint16_t)nph);
	le_put16(elf + 46, 40);
	le_put16(elf + 48, (uint16_t)nsh);
	for (unsigned i = 0; i < nph; i++) {
		uint8_t *p = elf + 0x40 + 32 * i;

		le_put32(p, ph[i].type);
		le_put32(p + 4, ph[i].off);
		le_put32(p + 8, ph[i].vaddr);
		le_put32(p + 12, ph[i].paddr);
		le_put32(p + 16, ph[i].filesz);
		le_put32(p + 20, ph[i].memsz);
	}
	for (unsigned i = 0; i < nsh; i++) {
		uint8_t *p = elf + 0x100 + 40 * i;

		le_put32(p + 4, sh[i].type);
		le_put32(p + 8, sh[i].flags);
		le_put32(p + 12, sh[i].addr);
		le_put32(p + 16, sh[i].off);
		le_put32(p + 20, sh[i].size);
	}
	for (unsigned i = 0x200; i < sizeof(elf); i++)
		elf[i] = (uint8_t)(i * 7);
	return 0x400;
}

/* .text in flash, .data in RAM loaded right after it, .bss, a non-ALLOC section. */
static const struct ph app_ph[] = {
	{PT_LOAD, 0x200, 0x08000000, 0x08000000, 16, 16},
	{PT_LOAD, 0x210, 0x20000000, 0x08000010, 8, 0x100},
};
static const struct sh app_sh[] = {
	{0, 0, 0, 0, 0},
	{SHT_PROG, A, 0x08000000, 0x200, 16},
	{SHT_PROG, A | W, 0x20000000, 0x210, 8},
	{SHT_NOBITS, A | W, 0x20000008, 0x218, 0xF8},
	{SHT_PROG, 0, 0, 0x218, 4},
};

static void sections_at_their_lma(void **state)
{
	size_t len = make_elf(app_ph, 2, app_sh, 5);
	struct stdfu_image *img = load_ok(elf, len, "app.elf", NULL);

	(void)state;
	assert_int_equal(img->format, STDFU_FORMAT_ELF);
	assert_int_equal(img->count, 1);
	assert_segment(img, 0, 0x08000000, elf + 0x200, 24); /* .text + .data, no .bss */
	stdfu_image_free(img);
}

/* A PT_LOAD that also maps the ELF headers: objcopy copies only the sections. */
static void headers_in_load_segment(void **state)
{
	const struct ph ph[] = {{PT_LOAD, 0, 0x07FFFE00, 0x07FFFE00, 0x210, 0x210}};
	const struct sh sh[] = {{0, 0, 0, 0, 0}, {SHT_PROG, A, 0x08000000, 0x200, 16}};
	size_t len = make_elf(ph, 1, sh, 2);
	struct stdfu_image *img = load_ok(elf, len, "hdr.elf", NULL);

	(void)state;
	assert_int_equal(img->count, 1);
	assert_segment(img, 0, 0x08000000, elf + 0x200, 16);
	stdfu_image_free(img);
}

/* No section headers: PT_LOAD p_filesz bytes at p_paddr; p_memsz beyond is RAM. */
static void segments_without_sections(void **state)
{
	const struct ph ph[] = {{PT_LOAD, 0x200, 0x20000000, 0x08000000, 16, 64},
				{PT_LOAD, 0x300, 0x20001000, 0x08001000, 0, 0x100}};
	size_t len = make_elf(ph, 2, NULL, 0);
	struct stdfu_image *img = load_ok(elf, len, "strip.elf", NULL);

	(void)state;
	assert_int_equal(img->count, 1);
	assert_segment(img, 0, 0x08000000, elf + 0x200, 16);
	stdfu_image_free(img);
}

static void filesz_above_memsz(void **state)
{
	const struct ph ph[] = {{PT_LOAD, 0x200, 0x08000000, 0x08000000, 64, 16}};
	size_t len = make_elf(ph, 1, NULL, 0);

	(void)state;
	expect_fail(elf, len, "f.elf", NULL, STDFU_ERR_IMAGE,
		    "f.elf: program header 0: p_filesz 0x40 > p_memsz 0x10");
}

/* BFD: all p_paddr zero and several PT_LOADs: keep the VMAs. */
static void all_paddr_zero_uses_vaddr(void **state)
{
	const struct ph ph[] = {{PT_LOAD, 0x200, 0x1000, 0, 16, 16},
				{PT_LOAD, 0x300, 0x2000, 0, 16, 16}};
	const struct sh sh[] = {{0, 0, 0, 0, 0},
				{SHT_PROG, A, 0x1000, 0x200, 16},
				{SHT_PROG, A, 0x2000, 0x300, 16}};
	size_t len = make_elf(ph, 2, sh, 3);
	struct stdfu_image *img = load_ok(elf, len, "z.elf", NULL);

	(void)state;
	assert_int_equal(img->count, 2);
	assert_segment(img, 0, 0x1000, elf + 0x200, 16);
	assert_segment(img, 1, 0x2000, elf + 0x300, 16);
	stdfu_image_free(img);
}

static void bad_headers(void **state)
{
	size_t len = make_elf(app_ph, 2, app_sh, 5);

	(void)state;
	expect_fail(elf, 40, "t.elf", NULL, STDFU_ERR_IMAGE, "t.elf: ELF header truncated (40 of");
	elf[4] = 2;
	expect_fail(elf, len, "t.elf", NULL, STDFU_ERR_UNSUPPORTED,
		    "t.elf: offset 0x4: ELF class 2");
	elf[4] = 1;
	elf[5] = 2;
	expect_fail(elf, len, "t.elf", NULL, STDFU_ERR_UNSUPPORTED, "ELF data encoding 2");
	elf[5] = 1;
	le_put16(elf + 18, 62);
	expect_fail(elf, len, "t.elf", NULL, STDFU_ERR_UNSUPPORTED,
		    "t.elf: offset 0x12: ELF machine 62 is not ARM");
	le_put16(elf + 18, 40);
	le_put16(elf + 48, 200); /* 200 section headers at 0x100 do not fit in 0x400 bytes */
	expect_fail(elf, len, "t.elf", NULL, STDFU_ERR_IMAGE,
		    "t.elf: offset 0x100: 200 section header entries run past the end of the file");
	le_put16(elf + 48, 5);
	le_put16(elf + 46, 8);
	expect_fail(elf, len, "t.elf", NULL, STDFU_ERR_IMAGE, "section header entry size 8");
}

static void truncated_file(void **state)
{
	size_t len = make_elf(app_ph, 2, app_sh, 5);

	(void)state;
	(void)len;
	expect_fail(elf, 0x20C, "cut.elf", NULL, STDFU_ERR_IMAGE,
		    "cut.elf: section 1: data at offset 0x200, 0x10 bytes, runs past the end of "
		    "the file (524 bytes): truncated?");
}

static void absurd_section_size(void **state)
{
	struct sh sh[5];
	size_t len;

	(void)state;
	memcpy(sh, app_sh, sizeof(sh));
	sh[1].size = 0xFFFFFFF0;
	len = make_elf(app_ph, 2, sh, 5);
	expect_fail(elf, len, "big.elf", NULL, STDFU_ERR_IMAGE,
		    "big.elf: section 1: data at offset 0x200, 0xfffffff0 bytes, runs past");
}

/* Many sections over the same file bytes: refused before any large allocation. */
static void sections_sharing_bytes(void **state)
{
	const struct sh sh[] = {{0, 0, 0, 0, 0},
				{SHT_PROG, A, 0x08000000, 0x200, 0x180},
				{SHT_PROG, A, 0x08100000, 0x200, 0x180},
				{SHT_PROG, A, 0x08200000, 0x200, 0x180}};
	size_t len = make_elf(NULL, 0, sh, 4);

	(void)state;
	expect_fail(elf, len, "dup.elf", NULL, STDFU_ERR_IMAGE,
		    "dup.elf: section 3: sections claim more data than the file holds");
}

static void overlapping_sections(void **state)
{
	const struct sh sh[] = {{0, 0, 0, 0, 0},
				{SHT_PROG, A, 0x08000000, 0x200, 16},
				{SHT_PROG, A, 0x08000008, 0x300, 16}};
	size_t len = make_elf(NULL, 0, sh, 3);

	(void)state;
	expect_fail(elf, len, "ov.elf", NULL, STDFU_ERR_IMAGE,
		    "ov.elf: overlapping data: 0x08000000-0x0800000f and 0x08000008-0x08000017");
}

static void wraps_past_4g(void **state)
{
	const struct sh sh[] = {{0, 0, 0, 0, 0}, {SHT_PROG, A, 0xFFFFFFF8, 0x200, 16}};
	size_t len = make_elf(NULL, 0, sh, 2);

	(void)state;
	expect_fail(elf, len, "w.elf", NULL, STDFU_ERR_IMAGE,
		    "w.elf: section 1: 16 bytes at 0xfffffff8 run past the end of the 4 GiB");
}

static void nothing_loadable(void **state)
{
	const struct sh sh[] = {{0, 0, 0, 0, 0}, {SHT_NOBITS, A | W, 0x20000000, 0x200, 0x100}};
	size_t len = make_elf(NULL, 0, sh, 2);

	(void)state;
	expect_fail(elf, len, "bss.elf", NULL, STDFU_ERR_IMAGE,
		    "bss.elf: the ELF file has no loadable data");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sections_at_their_lma),
		cmocka_unit_test(headers_in_load_segment),
		cmocka_unit_test(segments_without_sections),
		cmocka_unit_test(filesz_above_memsz),
		cmocka_unit_test(all_paddr_zero_uses_vaddr),
		cmocka_unit_test(bad_headers),
		cmocka_unit_test(truncated_file),
		cmocka_unit_test(absurd_section_size),
		cmocka_unit_test(sections_sharing_bytes),
		cmocka_unit_test(overlapping_sections),
		cmocka_unit_test(wraps_past_4g),
		cmocka_unit_test(nothing_loadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
