/* SPDX-License-Identifier: MIT */
/* The CLI's JSON writer (src/cli/json.c): schema, UTF-8, addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static char *dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return s;
}

static void every_line_has_the_schema(void **state)
{
	char *s = dump(jw_event("result"));

	(void)state;
	assert_string_equal(s, "{\"schema\":1,\"event\":\"result\"}");
	free(s);
}

static void utf8_passes_as_it_is(void **state)
{
	json_t *o = jw_object();
	char *s;

	(void)state;
	jw_str(o, "file", "J\xc3\xbcrgen-fw.bin");
	s = dump(o);
	assert_string_equal(s, "{\"file\":\"J\xc3\xbcrgen-fw.bin\"}");
	free(s);
}

static void other_bytes_get_a_twin(void **state)
{
	json_t *o = jw_object();
	char *s;

	(void)state;
	jw_str(o, "file", "J\xfcr");
	s = dump(o);
	assert_string_equal(s, "{\"file\":\"J\xef\xbf\xbdr\",\"file_bytes\":\"4afc72\"}");
	free(s);
}

static void utf8_rules(void **state)
{
	(void)state;
	assert_true(jw_utf8_valid("plain"));
	assert_true(jw_utf8_valid("\xf0\x9f\x98\x80"));	 /* U+1F600 */
	assert_false(jw_utf8_valid("\xc0\xaf"));	 /* overlong '/' */
	assert_false(jw_utf8_valid("\xed\xa0\x80"));	 /* a surrogate */
	assert_false(jw_utf8_valid("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
	assert_false(jw_utf8_valid("\xe2\x82"));	 /* cut short */
}

static void addresses_have_a_hex_twin(void **state)
{
	json_t *o = jw_object();
	char *s;

	(void)state;
	jw_addr(o, "start", 0x08000000u);
	jw_usb_id(o, "vid", 0x0483);
	s = dump(o);
	assert_string_equal(s, "{\"start\":134217728,\"start_hex\":\"0x08000000\",\"vid\":1155,"
			       "\"vid_hex\":\"0483\"}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_line_has_the_schema), cmocka_unit_test(utf8_passes_as_it_is),
		cmocka_unit_test(other_bytes_get_a_twin),    cmocka_unit_test(utf8_rules),
		cmocka_unit_test(addresses_have_a_hex_twin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
