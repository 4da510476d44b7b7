/* SPDX-License-Identifier: MIT */
/* Device selection by serial and USB port path (no USB: lists built by hand). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/device.h>

static struct stdfu_device_info items[3];
static struct stdfu_device_list list = {3, items};

static int setup(void **state)
{
	(void)state;
	memset(items, 0, sizeof(items));
	strcpy(items[0].path, "1-1");
	strcpy(items[0].serial, "AAA");
	strcpy(items[1].path, "1-2");
	strcpy(items[1].serial, "STM32"); /* old ROMs: constant serial */
	strcpy(items[2].path, "1-3.4");
	strcpy(items[2].serial, "STM32");
	return 0;
}

static void select_cases(void **state)
{
	struct stdfu_selector none = {0}, by_serial = {.serial = "AAA"},
			      by_path = {.usb_path = "1-3.4"};
	struct stdfu_selector dup = {.serial = "STM32"},
			      both = {.serial = "STM32", .usb_path = "1-2"};
	struct stdfu_selector nomatch = {.serial = "ZZZ"},
			      conflict = {.serial = "AAA", .usb_path = "1-2"};
	struct stdfu_device_list one = {1, items}, empty = {0, items};
	size_t idx = 99;

	(void)state;
	assert_int_equal(stdfu_device_select(&list, &none, &idx), STDFU_ERR_AMBIGUOUS);
	assert_non_null(strstr(stdfu_error_detail(), "--usb-path"));
	/* the detail lists every candidate with its path and serial */
	assert_non_null(strstr(stdfu_error_detail(), "1-3.4"));
	assert_non_null(strstr(stdfu_error_detail(), "AAA"));
	assert_int_equal(stdfu_device_select(&list, NULL, &idx), STDFU_ERR_AMBIGUOUS);
	assert_int_equal(stdfu_device_select(&list, &by_serial, &idx), STDFU_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(stdfu_device_select(&list, &by_path, &idx), STDFU_OK);
	assert_int_equal(idx, 2);
	assert_int_equal(stdfu_device_select(&list, &dup, &idx), STDFU_ERR_AMBIGUOUS);
	assert_null(strstr(stdfu_error_detail(), "AAA"));
	assert_int_equal(stdfu_device_select(&list, &both, &idx), STDFU_OK);
	assert_int_equal(idx, 1);
	assert_int_equal(stdfu_device_select(&list, &nomatch, &idx), STDFU_ERR_NO_DEVICE);
	assert_int_equal(stdfu_device_select(&list, &conflict, &idx), STDFU_ERR_NO_DEVICE);
	assert_int_equal(stdfu_device_select(&one, &none, &idx), STDFU_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(stdfu_device_select(&empty, &none, &idx), STDFU_ERR_NO_DEVICE);
	assert_non_null(strstr(stdfu_error_detail(), "DFU mode"));
	/* The caller lists the candidates with stdfu_device_matches(). */
	assert_true(stdfu_device_matches(&items[1], &dup));
	assert_false(stdfu_device_matches(&items[0], &dup));
}

/* A serial is kept whole (USB strings go up to 126 characters) and matched whole. */
static void long_serials(void **state)
{
	struct stdfu_device_info d;
	struct stdfu_selector sel = {0};
	char serial[STDFU_SERIAL_MAX];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(serial, 'S', sizeof(serial) - 1);
	serial[sizeof(serial) - 1] = '\0';
	assert_int_equal(strlen(serial), 127);
	memcpy(d.serial, serial, sizeof(serial));
	sel.serial = serial;
	assert_true(stdfu_device_matches(&d, &sel));
	serial[126] = 'T'; /* differs only past the 64th character */
	assert_false(stdfu_device_matches(&d, &sel));
}

static void usb_paths(void **state)
{
	(void)state;
	assert_true(stdfu_usb_path_valid("1-1"));
	assert_true(stdfu_usb_path_valid("3-1.2.4"));
	assert_true(stdfu_usb_path_valid("255-7.7.7.7.7.7.7"));
	assert_false(stdfu_usb_path_valid(""));
	assert_false(stdfu_usb_path_valid(NULL));
	assert_false(stdfu_usb_path_valid("1"));
	assert_false(stdfu_usb_path_valid("1-"));
	assert_false(stdfu_usb_path_valid("-1"));
	assert_false(stdfu_usb_path_valid("1-1."));
	assert_false(stdfu_usb_path_valid("1.1"));
	assert_false(stdfu_usb_path_valid("1-0"));
	assert_false(stdfu_usb_path_valid("1-256"));
	assert_false(stdfu_usb_path_valid("1-1.2.3.4.5.6.7.8"));
	assert_false(stdfu_usb_path_valid("1-1x"));
	assert_false(stdfu_usb_path_valid("1-1-2"));
	assert_false(stdfu_usb_path_valid("99999-1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(select_cases, setup),
		cmocka_unit_test(usb_paths),
		cmocka_unit_test(long_serials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
