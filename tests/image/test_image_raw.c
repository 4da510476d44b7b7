/* SPDX-License-Identifier: MIT */
/* Raw binaries, the DFU suffix on them, and the image model (sort, overlap, merge). */
#include <stdlib.h>

#include "img_test.h"
#include "common/le.h"
#include "image/build.h"
#include "image/formats.h"
#include "image/suffix.h"

static void raw_default_address(void **state)
{
	const uint8_t bin[] = {0x00, 0x00, 0x02, 0x20, 0x01, 0x02};
	struct stdfu_image *img = load_ok(bin, sizeof(bin), "app.bin", NULL);

	(void)state;
	assert_int_equal(img->format, STDFU_FORMAT_RAW);
	assert_int_equal(img->count, 1);
	assert_segment(img, 0, 0x08000000, bin, sizeof(bin));
	assert_false(img->has_suffix);
	/* No address given: the flash engine places it at the device's flash base. */
	assert_true(img->at_flash_base);
	assert_int_equal(stdfu_image_bytes(img), sizeof(bin));
	stdfu_image_free(img);
}

static void raw_given_address(void **state)
{
	const uint8_t bin[] = {1, 2, 3};
	struct stdfu_image_load_opts o = {.raw_address_set = true, .raw_address = 0x08004000};
	struct stdfu_image *img = load_ok(bin, sizeof(bin), "app.bin", &o);

	(void)state;
	assert_segment(img, 0, 0x08004000, bin, 3);
	assert_false(img->at_flash_base);
	stdfu_image_free(img);
}

static void raw_wraps_past_4g(void **state)
{
	const uint8_t bin[16] = {0};
	struct stdfu_image_load_opts o = {.raw_address_set = true, .raw_address = 0xFFFFFFF8};

	(void)state;
	expect_fail(bin, sizeof(bin), "app.bin", &o, STDFU_ERR_IMAGE, "0xfffffff8");
	expect_fail(bin, sizeof(bin), "app.bin", &o, STDFU_ERR_IMAGE, "4 GiB");
}

static void raw_empty_and_too_big(void **state)
{
	const uint8_t bin[64] = {0};
	struct stdfu_image_load_opts o = {.max_size = 32};

	(void)state;
	expect_fail(bin, 0, "empty.bin", NULL, STDFU_ERR_IMAGE, "empty.bin: file is empty");
	expect_fail(bin, sizeof(bin), "big.bin", &o, STDFU_ERR_IMAGE, "big.bin");
}

static size_t with_suffix(uint8_t *buf, size_t len, uint16_t vid, uint16_t pid)
{
	return stdfu__dfu_suffix_write(buf, len, 0x0200, pid, vid, 0x0100);
}

static void raw_suffix_checked_and_stripped(void **state)
{
	uint8_t buf[64] = {0xAA, 0xBB, 0xCC};
	size_t len = with_suffix(buf, 3, 0x0483, 0xdf11);
	struct stdfu_image *img = load_ok(buf, len, "app.bin", NULL);

	(void)state;
	assert_int_equal(len, 19);
	assert_segment(img, 0, 0x08000000, buf, 3);
	assert_true(img->has_suffix);
	assert_int_equal(img->suffix_vid, 0x0483);
	assert_int_equal(img->suffix_pid, 0xdf11);
	assert_int_equal(img->suffix_bcd_device, 0x0200);
	assert_int_equal(img->suffix_bcd_dfu, 0x0100);
	stdfu_image_free(img);

	buf[1] ^= 1; /* one flipped bit: the CRC must catch it and name the offset */
	expect_fail(buf, len, "app.bin", NULL, STDFU_ERR_IMAGE,
		    "app.bin: offset 0xf: DFU suffix CRC");
	buf[1] ^= 1;
	buf[len - 5] = 12; /* bLength too small */
	expect_fail(buf, len, "app.bin", NULL, STDFU_ERR_IMAGE, "bLength 12");
}

static void suffix_only_no_data(void **state)
{
	uint8_t buf[32];
	size_t len = with_suffix(buf, 0, 0xFFFF, 0xFFFF);

	(void)state;
	expect_fail(buf, len, "s.bin", NULL, STDFU_ERR_IMAGE, "s.bin: no data");
}

/* Known answer: CRC of "123456789" with init ~0 and no final XOR is ~0xCBF43926. */
static void crc32_known_answer(void **state)
{
	(void)state;
	assert_int_equal(stdfu__dfu_crc32(0xFFFFFFFFu, (const uint8_t *)"123456789", 9),
			 ~0xCBF43926u);
}

static void model_sorts_merges_and_refuses_overlap(void **state)
{
	struct stdfu_image_load_opts o = {0};
	struct stdfu_image *img = NULL;
	struct img_build b;
	const uint8_t a[4] = {1, 2, 3, 4}, c[4] = {5, 6, 7, 8};

	(void)state;
	assert_int_equal(stdfu__img_build_init(&b, "t", &o, STDFU_FORMAT_IHEX), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x1004, c, 4, "t:2"), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x1000, a, 4, "t:1"), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x2000, a, 4, "t:3"), 0);
	assert_int_equal(stdfu__img_add(&b, 1, 0x1000, c, 4, "t:4"), 0);
	assert_int_equal(stdfu__img_build_finish(&b, &img), 0);
	assert_int_equal(img->count, 3);
	assert_segment(img, 0, 0x1000, "\1\2\3\4\5\6\7\10", 8);
	assert_segment(img, 1, 0x2000, a, 4);
	assert_segment(img, 2, 0x1000, c, 4);
	assert_int_equal(img->segments[2].alt, 1);
	stdfu_image_free(img);

	assert_int_equal(stdfu__img_build_init(&b, "ov.hex", &o, STDFU_FORMAT_IHEX), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x1000, a, 4, "t:1"), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x2000, a, 4, "t:2"), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0x1002, c, 4, "t:3"), 0);
	assert_int_equal(stdfu__img_build_finish(&b, &img), STDFU_ERR_IMAGE);
	assert_non_null(strstr(stdfu_error_detail(), "0x00001000-0x00001003 and 0x00001002"));
	assert_non_null(strstr(stdfu_error_detail(), "ov.hex: overlapping"));
}

static void model_end_at_4g_boundary(void **state)
{
	struct stdfu_image_load_opts o = {0};
	struct img_build b;
	const uint8_t a[2] = {1, 2};

	(void)state;
	assert_int_equal(stdfu__img_build_init(&b, "t", &o, STDFU_FORMAT_IHEX), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0xFFFFFFFD, a, 2, "t:1"), 0);
	assert_int_equal(stdfu__img_add(&b, 0, 0xFFFFFFFE, a, 2, "t:2"), STDFU_ERR_IMAGE);
	stdfu__img_build_abort(&b);
}

static void format_names(void **state)
{
	enum stdfu_image_format f;

	(void)state;
	assert_int_equal(stdfu_image_format_parse("HEX", &f), 0);
	assert_int_equal(f, STDFU_FORMAT_IHEX);
	assert_int_equal(stdfu_image_format_parse(".s19", &f), 0);
	assert_int_equal(f, STDFU_FORMAT_SREC);
	assert_int_equal(stdfu_image_format_parse("bin", &f), 0);
	assert_int_equal(f, STDFU_FORMAT_RAW);
	assert_int_equal(stdfu_image_format_parse("dfu", &f), 0);
	assert_int_equal(f, STDFU_FORMAT_DFUSE);
	assert_int_equal(stdfu_image_format_parse("zip", &f), STDFU_ERR_ARG);
	assert_non_null(strstr(stdfu_error_detail(), "'zip'"));
	assert_int_equal(stdfu_image_format_from_path("out/fw.v2.srec", &f), 0);
	assert_int_equal(f, STDFU_FORMAT_SREC);
	assert_int_equal(stdfu_image_format_from_path("dir.x/fw", &f), STDFU_ERR_ARG);
	assert_string_equal(stdfu_image_format_name(STDFU_FORMAT_DFUSE), "dfuse");
	assert_string_equal(stdfu_image_format_name(STDFU_FORMAT_ELF), "elf");
}

static void detect_from_content(void **state)
{
	(void)state;
	assert_int_equal(stdfu_image_detect((const uint8_t *)"\x7f"
							     "ELF\1\1",
					    6),
			 STDFU_FORMAT_ELF);
	assert_int_equal(stdfu_image_detect((const uint8_t *)"DfuSe\1", 6), STDFU_FORMAT_DFUSE);
	assert_int_equal(stdfu_image_detect((const uint8_t *)":020000040800F2\n", 16),
			 STDFU_FORMAT_IHEX);
	assert_int_equal(stdfu_image_detect((const uint8_t *)"S00600004844521B\n", 17),
			 STDFU_FORMAT_SREC);
	assert_int_equal(stdfu_image_detect((const uint8_t *)":x", 2), STDFU_FORMAT_RAW);
	assert_int_equal(stdfu_image_detect((const uint8_t *)"\0\0\2\x20", 4), STDFU_FORMAT_RAW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_default_address),
		cmocka_unit_test(raw_given_address),
		cmocka_unit_test(raw_wraps_past_4g),
		cmocka_unit_test(raw_empty_and_too_big),
		cmocka_unit_test(raw_suffix_checked_and_stripped),
		cmocka_unit_test(suffix_only_no_data),
		cmocka_unit_test(crc32_known_answer),
		cmocka_unit_test(model_sorts_merges_and_refuses_overlap),
		cmocka_unit_test(model_end_at_4g_boundary),
		cmocka_unit_test(format_names),
		cmocka_unit_test(detect_from_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
