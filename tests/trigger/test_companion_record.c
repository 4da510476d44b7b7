/* SPDX-License-Identifier: MIT */
/* stdfu_companion_find(): the firmware companion's record in an image, and only it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/companion.h>
#include <stdfu/trigger_protocol.h>

static uint8_t buf[4096];

/* A valid record for @byte at @off of buf. */
static void put_record(size_t off, uint8_t version, uint8_t byte)
{
	uint32_t check = ~STDFU_COMPANION_WORD(version, byte, 0u);

	memcpy(buf + off, STDFU_COMPANION_MAGIC, STDFU_COMPANION_MAGIC_LEN);
	buf[off + 8] = version;
	buf[off + 9] = byte;
	buf[off + 10] = STDFU_COMPANION_RECORD_SIZE;
	buf[off + 11] = 0;
	for (int i = 0; i < 4; i++)
		buf[off + 12 + (size_t)i] = (uint8_t)(check >> (8 * i));
}

static struct stdfu_companion_record find_raw(size_t len, uint32_t at)
{
	struct stdfu_image_load_opts o = {
		.format = STDFU_FORMAT_RAW, .raw_address_set = true, .raw_address = at};
	struct stdfu_companion_record r;
	struct stdfu_image *img;

	assert_int_equal(stdfu_image_load_mem(buf, len, "test.bin", &o, &img), 0);
	assert_int_equal(stdfu_companion_find(img, &r), 0);
	stdfu_image_free(img);
	return r;
}

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xFF, sizeof(buf));
	return 0;
}

static void found_with_its_fields(void **state)
{
	struct stdfu_companion_record r;

	(void)state;
	put_record(0x400, 1, 0xA5);
	r = find_raw(sizeof(buf), 0x08000000);
	assert_true(r.found);
	assert_int_equal(r.address, 0x08000400);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.trigger_byte, 0xA5);
	/* a newer protocol is still a record */
	put_record(0x400, 7, 0xF5);
	assert_int_equal(find_raw(sizeof(buf), 0x08000000).version, 7);
}

static void absent(void **state)
{
	(void)state;
	assert_false(find_raw(sizeof(buf), 0x08000000).found);
	/* shorter than a record */
	assert_false(find_raw(8, 0x08000000).found);
}

static void only_aligned_addresses(void **state)
{
	(void)state;
	put_record(0x402, 1, 0xF5);
	assert_false(find_raw(sizeof(buf), 0x08000000).found);
	/* aligned in the address space, not in the file: found */
	assert_true(find_raw(sizeof(buf), 0x08000002).found);
	assert_int_equal(find_raw(sizeof(buf), 0x08000002).address, 0x08000404);
}

static void magic_alone_is_not_a_record(void **state)
{
	(void)state;
	put_record(0x100, 1, 0xF5);
	buf[0x100 + 12] ^= 1; /* check word */
	assert_false(find_raw(sizeof(buf), 0x08000000).found);
	put_record(0x100, 1, 0xF5);
	buf[0x100 + 10] = 32; /* size */
	assert_false(find_raw(sizeof(buf), 0x08000000).found);
	/* a broken one first, a good one later: the good one */
	put_record(0x200, 1, 0x5A);
	assert_int_equal(find_raw(sizeof(buf), 0x08000000).trigger_byte, 0x5A);
}

static void at_the_very_end(void **state)
{
	(void)state;
	put_record(sizeof(buf) - 16, 1, 0xF5);
	assert_true(find_raw(sizeof(buf), 0x08000000).found);
}

static void bad_arguments(void **state)
{
	struct stdfu_companion_record r;

	(void)state;
	assert_int_equal(stdfu_companion_find(NULL, &r), STDFU_ERR_ARG);
	assert_false(r.found);
	assert_int_equal(stdfu_companion_find(NULL, NULL), STDFU_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(found_with_its_fields, setup),
		cmocka_unit_test_setup(absent, setup),
		cmocka_unit_test_setup(only_aligned_addresses, setup),
		cmocka_unit_test_setup(magic_alone_is_not_a_record, setup),
		cmocka_unit_test_setup(at_the_very_end, setup),
		cmocka_unit_test_setup(bad_arguments, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
