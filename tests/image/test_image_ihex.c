/* SPDX-License-Identifier: MIT */
/* Intel HEX reader: every record type, addressing modes, and hostile input. */
#include "img_test.h"

static const uint8_t d16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void all_record_types(void **state)
{
	char f[1024] = "";
	const uint8_t lin[2] = {0x08, 0x00}, seg[2] = {0x10, 0x00}, start[4] = {8, 0, 1, 0x89};
	struct stdfu_image *img;

	(void)state;
	ihex_rec(f, 0x02, 0, seg, 2);		/* segment base 0x1000 << 4 = 0x10000 */
	ihex_rec(f, 0x00, 0x0010, d16, 4);	/* 0x10010 */
	ihex_rec(f, 0x03, 0, start, 4);		/* CS:IP, ignored */
	ihex_rec(f, 0x04, 0, lin, 2);		/* linear base 0x08000000 */
	ihex_rec(f, 0x00, 0x0000, d16, 16);	/* 0x08000000 */
	ihex_rec(f, 0x00, 0x0010, d16 + 4, 12); /* adjacent: merged */
	ihex_rec(f, 0x05, 0, start, 4);		/* EIP, ignored */
	ihex_rec(f, 0x01, 0, NULL, 0);
	img = load_str(f, "all.hex");
	assert_int_equal(img->format, STDFU_FORMAT_IHEX);
	assert_int_equal(img->count, 2);
	assert_segment(img, 0, 0x00010010, d16, 4);
	assert_int_equal(img->segments[1].address, 0x08000000);
	assert_int_equal(img->segments[1].size, 28);
	assert_memory_equal(img->segments[1].data + 16, d16 + 4, 12);
	stdfu_image_free(img);
}

static void crlf_lowercase_blank_lines(void **state)
{
	const char *f = "\r\n:0400100001020304E2\r\n\r\n:00000001ff\r\n";
	const uint8_t want[4] = {1, 2, 3, 4};
	struct stdfu_image *img = load_str(f, "crlf.hex");

	(void)state;
	assert_segment(img, 0, 0x10, want, 4);
	stdfu_image_free(img);
}

/* 02 addressing: offsets wrap inside the 64 KiB segment (Intel spec). */
static void segment_offset_wraps(void **state)
{
	char f[512] = "";
	const uint8_t seg[2] = {0x10, 0x00};
	struct stdfu_image *img;

	(void)state;
	ihex_rec(f, 0x02, 0, seg, 2);
	ihex_rec(f, 0x00, 0xFFFE, d16, 4);
	ihex_rec(f, 0x01, 0, NULL, 0);
	img = load_str(f, "seg.hex");
	assert_int_equal(img->count, 2);
	assert_segment(img, 0, 0x10000, d16 + 2, 2);
	assert_segment(img, 1, 0x1FFFE, d16, 2);
	stdfu_image_free(img);
}

static void bad_checksum_names_line(void **state)
{
	(void)state;
	fail_str(":0400100001020304E2\n:0100000041BF\n:00000001FF\n", "app.hex", STDFU_ERR_IMAGE,
		 "app.hex:2: checksum 0xbf, expected 0xbe");
}

static void missing_eof(void **state)
{
	(void)state;
	fail_str(":0400100001020304E2\n", "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:1: no end-of-file record (type 01): file truncated?");
}

static void truncated_line(void **state)
{
	(void)state;
	fail_str(":0400100001020304E2\n:04001400010203", "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:2: byte count 4, but the record holds 2 data bytes");
	fail_str(":0400100001020304E2\n:0400140001020", "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:2: record has 13 hex digits");
}

static void absurd_byte_count(void **state)
{
	(void)state;
	/* Claims 255 data bytes, carries 4. */
	fail_str(":FF00100001020304E2\n:00000001FF\n", "n.hex", STDFU_ERR_IMAGE,
		 "n.hex:1: byte count 255, but the record holds 4 data bytes");
}

static void too_long_line(void **state)
{
	char f[1200] = ":";

	(void)state;
	memset(f + 1, '0', 1100);
	fail_str(f, "long.hex", STDFU_ERR_IMAGE, "long.hex:1: record too long");
}

static void bad_record_type(void **state)
{
	char f[256] = "";

	(void)state;
	ihex_rec(f, 0x06, 0, d16, 2);
	fail_str(f, "t.hex", STDFU_ERR_IMAGE, "t.hex:1: unknown record type 06");
}

static void bad_lengths_for_address_records(void **state)
{
	char f[256] = "";

	(void)state;
	ihex_rec(f, 0x04, 0, d16, 3);
	fail_str(f, "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:1: record type 04 has 3 data bytes, expected 2");
	f[0] = 0;
	ihex_rec(f, 0x01, 0, d16, 1);
	fail_str(f, "t.hex", STDFU_ERR_IMAGE, "record type 01 has 1 data bytes, expected 0");
}

static void invalid_digit(void **state)
{
	(void)state;
	fail_str(":04001000010G0304E2\n:00000001FF\n", "d.hex", STDFU_ERR_IMAGE,
		 "d.hex:1: column 13: invalid hex digit 'G'");
}

static void not_a_record(void **state)
{
	(void)state;
	fail_str(":0400100001020304E2\nhello\n", "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:2: record does not start with ':' (found 'h')");
}

static void data_after_eof(void **state)
{
	(void)state;
	fail_str(":00000001FF\n:0400100001020304E2\n", "t.hex", STDFU_ERR_IMAGE,
		 "t.hex:2: data after the end-of-file record");
}

static void overlapping_records(void **state)
{
	char f[512] = "";

	(void)state;
	ihex_rec(f, 0x00, 0x0100, d16, 16);
	ihex_rec(f, 0x00, 0x0200, d16, 16);
	ihex_rec(f, 0x00, 0x0108, d16, 4);
	ihex_rec(f, 0x01, 0, NULL, 0);
	fail_str(f, "ov.hex", STDFU_ERR_IMAGE,
		 "ov.hex: overlapping data: 0x00000100-0x0000010f and 0x00000108-0x0000010b");
}

static void wraps_past_4g(void **state)
{
	char f[512] = "";
	const uint8_t top[2] = {0xFF, 0xFF};

	(void)state;
	ihex_rec(f, 0x04, 0, top, 2);
	ihex_rec(f, 0x00, 0xFFF8, d16, 16);
	ihex_rec(f, 0x01, 0, NULL, 0);
	fail_str(f, "w.hex", STDFU_ERR_IMAGE,
		 "w.hex:2: 16 bytes at 0xfffffff8 run past the end of the 4 GiB address space");
}

static void only_eof_has_no_data(void **state)
{
	(void)state;
	fail_str(":00000001FF\n", "e.hex", STDFU_ERR_IMAGE, "e.hex: no data in the image");
}

/* Named .hex but not HEX at all: the HEX parser reports it, it is not flashed as raw. */
static void extension_fallback(void **state)
{
	(void)state;
	fail_str("garbage\n", "app.hex", STDFU_ERR_IMAGE,
		 "app.hex:1: record does not start with ':' (found 'g')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_record_types),
		cmocka_unit_test(crlf_lowercase_blank_lines),
		cmocka_unit_test(segment_offset_wraps),
		cmocka_unit_test(bad_checksum_names_line),
		cmocka_unit_test(missing_eof),
		cmocka_unit_test(truncated_line),
		cmocka_unit_test(absurd_byte_count),
		cmocka_unit_test(too_long_line),
		cmocka_unit_test(bad_record_type),
		cmocka_unit_test(bad_lengths_for_address_records),
		cmocka_unit_test(invalid_digit),
		cmocka_unit_test(not_a_record),
		cmocka_unit_test(data_after_eof),
		cmocka_unit_test(overlapping_records),
		cmocka_unit_test(wraps_past_4g),
		cmocka_unit_test(only_eof_has_no_data),
		cmocka_unit_test(extension_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
