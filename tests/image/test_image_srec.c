/* SPDX-License-Identifier: MIT */
/* S-record reader: S0-S9, count records, and hostile input. */
#include "img_test.h"

static const uint8_t d16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void all_record_types(void **state)
{
	char f[2048] = "";
	struct stdfu_image *img;

	(void)state;
	srec_rec(f, '0', 2, 0, (const uint8_t *)"HDR", 3);
	srec_rec(f, '1', 2, 0x1000, d16, 4);
	srec_rec(f, '2', 3, 0x123456, d16, 8);
	srec_rec(f, '3', 4, 0x08000000, d16, 16);
	srec_rec(f, '3', 4, 0x08000010, d16, 16);
	srec_rec(f, '5', 2, 4, NULL, 0);
	srec_rec(f, '9', 2, 0x1000, NULL, 0);
	img = load_str(f, "all.srec");
	assert_int_equal(img->format, STDFU_FORMAT_SREC);
	assert_int_equal(img->count, 3);
	assert_segment(img, 0, 0x1000, d16, 4);
	assert_segment(img, 1, 0x123456, d16, 8);
	assert_int_equal(img->segments[2].address, 0x08000000);
	assert_int_equal(img->segments[2].size, 32);
	stdfu_image_free(img);

	f[0] = 0;
	srec_rec(f, '2', 3, 0x10, d16, 2);
	srec_rec(f, '6', 3, 1, NULL, 0);
	srec_rec(f, '8', 3, 0, NULL, 0);
	img = load_str(f, "s6.s19");
	assert_segment(img, 0, 0x10, d16, 2);
	stdfu_image_free(img);

	f[0] = 0;
	srec_rec(f, '3', 4, 0x20, d16, 2);
	srec_rec(f, '7', 4, 0, NULL, 0);
	img = load_str(f, "s7.s37");
	assert_segment(img, 0, 0x20, d16, 2);
	stdfu_image_free(img);
}

static void bad_checksum(void **state)
{
	(void)state;
	/* S1 0x1000: 01 02 03 04, count 7: sum 07+10+00+01+02+03+04 = 0x21 -> ~ = 0xDE */
	stdfu_image_free(load_str("S107100001020304DE\nS9030000FC\n", "x.srec"));
	fail_str("S107100001020304DF\nS9030000FC\n", "x.srec", STDFU_ERR_IMAGE,
		 "x.srec:1: checksum 0xdf, expected 0xde");
}

static void count_record_checked(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '1', 2, 0x1000, d16, 4);
	srec_rec(f, '5', 2, 2, NULL, 0);
	srec_rec(f, '9', 2, 0, NULL, 0);
	fail_str(f, "c.srec", STDFU_ERR_IMAGE,
		 "c.srec:2: S5 count record says 2 data records, the file has 1");
}

static void reserved_s4(void **state)
{
	(void)state;
	fail_str("S4030000FC\n", "r.srec", STDFU_ERR_IMAGE, "r.srec:1: bad record type 'S4'");
	fail_str("SX030000FC\n", "r.srec", STDFU_ERR_IMAGE, "bad record type 'SX'");
}

static void missing_termination(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '1', 2, 0x1000, d16, 4);
	fail_str(f, "t.srec", STDFU_ERR_IMAGE,
		 "t.srec:1: no termination record (S7/S8/S9): file truncated?");
}

static void record_after_termination(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '1', 2, 0x1000, d16, 4);
	srec_rec(f, '9', 2, 0, NULL, 0);
	srec_rec(f, '1', 2, 0x2000, d16, 4);
	fail_str(f, "t.srec", STDFU_ERR_IMAGE, "t.srec:3: record after the termination record");
}

static void absurd_and_short_counts(void **state)
{
	(void)state;
	fail_str("S1FF100001020304DE\nS9030000FC\n", "a.srec", STDFU_ERR_IMAGE,
		 "a.srec:1: byte count 255, but the record holds 7 bytes after it");
	fail_str("S30200FD\n", "a.srec", STDFU_ERR_IMAGE,
		 "a.srec:1: S3 record byte count 2 is too small for its 4-byte address");
	fail_str("S1071000010", "a.srec", STDFU_ERR_IMAGE, "a.srec:1: record has 9 hex digits");
}

static void truncated_file(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '1', 2, 0x1000, d16, 16);
	f[strlen(f) - 10] = 0; /* cut in the middle of the record */
	fail_str(f, "cut.srec", STDFU_ERR_IMAGE, "cut.srec:1:");
}

static void overlapping(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '3', 4, 0x08000000, d16, 16);
	srec_rec(f, '3', 4, 0x08000004, d16, 4);
	srec_rec(f, '7', 4, 0, NULL, 0);
	fail_str(f, "o.srec", STDFU_ERR_IMAGE,
		 "o.srec: overlapping data: 0x08000000-0x0800000f and 0x08000004-0x08000007");
}

static void wraps_past_4g(void **state)
{
	char f[512] = "";

	(void)state;
	srec_rec(f, '3', 4, 0xFFFFFFF0, d16, 16);
	srec_rec(f, '7', 4, 0, NULL, 0);
	fail_str(f, "w.srec", STDFU_ERR_IMAGE,
		 "w.srec:1: 16 bytes at 0xfffffff0 run past the end of the 4 GiB address space");
}

static void invalid_digit_and_garbage(void **state)
{
	(void)state;
	fail_str("S10710000102030ZDE\nS9030000FC\n", "g.srec", STDFU_ERR_IMAGE,
		 "g.srec:1: column 16: invalid hex digit 'Z'");
	fail_str("S9030000FC\n", "g.srec", STDFU_ERR_IMAGE, "g.srec: no data in the image");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_record_types),
		cmocka_unit_test(bad_checksum),
		cmocka_unit_test(count_record_checked),
		cmocka_unit_test(reserved_s4),
		cmocka_unit_test(missing_termination),
		cmocka_unit_test(record_after_termination),
		cmocka_unit_test(absurd_and_short_counts),
		cmocka_unit_test(truncated_file),
		cmocka_unit_test(overlapping),
		cmocka_unit_test(wraps_past_4g),
		cmocka_unit_test(invalid_digit_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
