/* SPDX-License-Identifier: MIT */
/* DfuSe reader: targets to alt settings, elements, suffix, hostile sizes. */
#include <stdlib.h>

#include "img_test.h"
#include "common/le.h"
#include "image/build.h"
#include "image/formats.h"
#include "image/suffix.h"

static uint8_t *file;
static size_t flen;

/* Two targets: alt 0 with two elements, alt 1 with one. */
static void make_dfu(void)
{
	static const uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[4] = {9, 9, 9, 9},
			     c[2] = {0xAB, 0xCD};
	struct stdfu_image_load_opts lo = {0};
	struct stdfu_image_save_opts so = {.vid = 0x0483, .pid = 0xdf11, .bcd_device = 0x2200};
	struct stdfu_image *img = NULL;
	struct img_build bld;

	assert_int_equal(stdfu__img_build_init(&bld, "t", &lo, STDFU_FORMAT_DFUSE), 0);
	assert_int_equal(stdfu__img_add(&bld, 0, 0x08000000, a, 8, "t"), 0);
	assert_int_equal(stdfu__img_add(&bld, 0, 0x08020000, b, 4, "t"), 0);
	assert_int_equal(stdfu__img_add(&bld, 1, 0x1FFFC000, c, 2, "t"), 0);
	assert_int_equal(stdfu__img_build_finish(&bld, &img), 0);
	free(file);
	assert_int_equal(stdfu__image_write_dfuse(img, &so, "t.dfu", &file, &flen), 0);
	stdfu_image_free(img);
}

/* After editing the file, give it a valid CRC again so the edit itself is what is tested. */
static void recrc(void)
{
	le_put32(file + flen - 4, stdfu__dfu_crc32(0xFFFFFFFFu, file, flen - 4));
}

/* File offsets in make_dfu(): prefix 11, target 0 header at 11, its first element at 285. */
#define T0	  11
#define T0_SIZE	  (T0 + 266)
#define T0_NELEM  (T0 + 270)
#define E0	  (T0 + 274)
#define T1	  (E0 + 8 + 8 + 8 + 4)
#define IMAGESIZE 6

static void targets_become_alts(void **state)
{
	struct stdfu_image *img;

	(void)state;
	make_dfu();
	assert_int_equal(flen, 11 + 274 + 28 + 274 + 10 + 16);
	img = load_ok(file, flen, "t.dfu", NULL);
	assert_int_equal(img->format, STDFU_FORMAT_DFUSE);
	assert_int_equal(img->count, 3);
	assert_segment(img, 0, 0x08000000, "\1\2\3\4\5\6\7\10", 8);
	assert_segment(img, 1, 0x08020000, "\11\11\11\11", 4);
	assert_segment(img, 2, 0x1FFFC000, "\xAB\xCD", 2);
	assert_int_equal(img->segments[2].alt, 1);
	assert_true(img->has_suffix);
	assert_int_equal(img->suffix_vid, 0x0483);
	assert_int_equal(img->suffix_pid, 0xdf11);
	assert_int_equal(img->suffix_bcd_device, 0x2200);
	assert_int_equal(img->suffix_bcd_dfu, 0x011A);
	stdfu_image_free(img);
}

/* dfuse-pack counts the suffix in DFUImageSize, UM0391 does not: both load. */
static void image_size_both_conventions(void **state)
{
	(void)state;
	make_dfu();
	le_put32(file + IMAGESIZE, (uint32_t)flen);
	recrc();
	stdfu_image_free(load_ok(file, flen, "pack.dfu", NULL));
	le_put32(file + IMAGESIZE, (uint32_t)flen + 1);
	recrc();
	expect_fail(file, flen, "x.dfu", NULL, STDFU_ERR_IMAGE, "x.dfu: offset 0x6: DFUImageSize");
}

static void suffix_required_and_checked(void **state)
{
	(void)state;
	make_dfu();
	expect_fail(file, flen - 16, "ns.dfu", NULL, STDFU_ERR_IMAGE,
		    "ns.dfu: DfuSe file without a DFU suffix");
	file[E0 + 8] ^= 0x40;
	expect_fail(file, flen, "crc.dfu", NULL, STDFU_ERR_IMAGE, "crc.dfu: offset 0x");
	expect_fail(file, flen, "crc.dfu", NULL, STDFU_ERR_IMAGE, "DFU suffix CRC");
}

static void truncated(void **state)
{
	(void)state;
	make_dfu();
	/* Cut inside target 1 and give the shorter file a valid prefix and suffix. */
	memmove(file + T1 + 100, file + flen - 16, 16);
	flen = T1 + 116;
	le_put32(file + IMAGESIZE, (uint32_t)flen - 16);
	recrc();
	expect_fail(file, flen, "cut.dfu", NULL, STDFU_ERR_IMAGE,
		    "cut.dfu: offset 0x139: target 1 header truncated (100 of 274 bytes)");
}

static void absurd_sizes(void **state)
{
	(void)state;
	make_dfu();
	le_put32(file + T0_SIZE, 0xFFFFFFFF);
	recrc();
	expect_fail(file, flen, "s.dfu", NULL, STDFU_ERR_IMAGE,
		    "s.dfu: offset 0x115: target 0: dwTargetSize 0xffffffff runs past the end");
	make_dfu();
	le_put32(file + T0_NELEM, 0x7FFFFFFF);
	recrc();
	expect_fail(file, flen, "n.dfu", NULL, STDFU_ERR_IMAGE,
		    "n.dfu: offset 0x119: target 0: dwNbElements 2147483647 cannot fit");
	make_dfu();
	le_put32(file + E0 + 4, 0xFFFFFFF0);
	recrc();
	expect_fail(file, flen, "e.dfu", NULL, STDFU_ERR_IMAGE,
		    "e.dfu: offset 0x121: target 0 element 0: dwElementSize 0xfffffff0 runs past");
}

static void element_count_mismatch(void **state)
{
	(void)state;
	make_dfu();
	le_put32(file + T0_NELEM, 1);
	recrc();
	expect_fail(file, flen, "m.dfu", NULL, STDFU_ERR_IMAGE,
		    "target 0: dwTargetSize 0x1c, but its 1 elements take 0x10 bytes");
}

static void bad_signatures_and_version(void **state)
{
	(void)state;
	make_dfu();
	file[T1] = 'X';
	recrc();
	expect_fail(file, flen, "sig.dfu", NULL, STDFU_ERR_IMAGE,
		    "sig.dfu: offset 0x139: target 1 does not start with \"Target\"");
	make_dfu();
	file[5] = 2;
	recrc();
	expect_fail(file, flen, "v.dfu", NULL, STDFU_ERR_UNSUPPORTED, "DfuSe version 2");
}

static void trailing_bytes_and_target_count(void **state)
{
	(void)state;
	make_dfu();
	file[10] = 1; /* only one target announced: target 1 is left over */
	recrc();
	expect_fail(file, flen, "tr.dfu", NULL, STDFU_ERR_IMAGE,
		    "tr.dfu: offset 0x139: 284 bytes after the last of 1 targets");
	make_dfu();
	file[10] = 3;
	recrc();
	expect_fail(file, flen, "t3.dfu", NULL, STDFU_ERR_IMAGE, "target 2 header truncated");
}

static void overlap_within_alt_only(void **state)
{
	(void)state;
	make_dfu();
	le_put32(file + E0 + 8 + 8, 0x08000004); /* element 1 of alt 0 into element 0 */
	recrc();
	expect_fail(file, flen, "o.dfu", NULL, STDFU_ERR_IMAGE,
		    "o.dfu: overlapping data: 0x08000000-0x08000007 and 0x08000004-0x08000007");
	make_dfu();
	le_put32(file + T1 + 274, 0x08000000); /* alt 1 at the same address: another memory */
	recrc();
	stdfu_image_free(load_ok(file, flen, "alt.dfu", NULL));
}

static void wraps_past_4g(void **state)
{
	(void)state;
	make_dfu();
	le_put32(file + E0, 0xFFFFFFFC);
	recrc();
	expect_fail(file, flen, "w.dfu", NULL, STDFU_ERR_IMAGE,
		    "w.dfu: offset 0x11d: target 0 element 0: 8 bytes at 0xfffffffc run past");
}

static int teardown(void **state)
{
	(void)state;
	free(file);
	file = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(targets_become_alts),
		cmocka_unit_test(image_size_both_conventions),
		cmocka_unit_test(suffix_required_and_checked),
		cmocka_unit_test(truncated),
		cmocka_unit_test(absurd_sizes),
		cmocka_unit_test(element_count_mismatch),
		cmocka_unit_test(bad_signatures_and_version),
		cmocka_unit_test(trailing_bytes_and_target_count),
		cmocka_unit_test(overlap_within_alt_only),
		cmocka_unit_test(wraps_past_4g),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
