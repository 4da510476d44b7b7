/* SPDX-License-Identifier: MIT */
/* --method text:STRING: the C escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/error.h>

#include "trigger/trigger_text.h"

static uint8_t out[64];
static size_t len;

static int un(const char *s)
{
	return stdfu__text_unescape(s, out, sizeof(out), &len);
}

static void plain_and_escapes(void **state)
{
	(void)state;
	assert_int_equal(un("reboot dfu\\r\\n"), STDFU_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(out, "reboot dfu\r\n", 12);
	assert_int_equal(un("\\xAA"), STDFU_OK);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 0xAA);
	assert_int_equal(un("\\101\\0\\t\\\\\\\"\\'\\?\\e\\a\\b\\f\\v"), STDFU_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(out, "A\0\t\\\"'?\x1b\a\b\f\v", 12);
	/* \x takes at most two digits, octal at most three */
	assert_int_equal(un("\\x414\\1014"), STDFU_OK);
	assert_memory_equal(out, "A4A4", 4);
}

static void refused(void **state)
{
	(void)state;
	assert_int_equal(un(""), STDFU_ERR_ARG);
	assert_int_equal(un(NULL), STDFU_ERR_ARG);
	assert_int_equal(un("a\\q"), STDFU_ERR_ARG);
	assert_non_null(strstr(stdfu_error_detail(), "bad escape at offset 1"));
	assert_int_equal(un("\\x"), STDFU_ERR_ARG);
	assert_int_equal(un("\\777"), STDFU_ERR_ARG); /* > 0xFF */
	assert_int_equal(un("trailing\\"), STDFU_ERR_ARG);
	/* longer than the buffer */
	assert_int_equal(stdfu__text_unescape("abcd", out, 3, &len), STDFU_ERR_ARG);
	assert_non_null(strstr(stdfu_error_detail(), "longer than 3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_and_escapes),
		cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
