/* SPDX-License-Identifier: MIT */
/* Target selection: application ports first, then a lone board in DFU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/target.h>

static struct stdfu_app_port app(const char *name, const char *path, const char *serial)
{
	struct stdfu_app_port p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.dev.path, sizeof(p.dev.path), "%s", path);
	snprintf(p.dev.serial, sizeof(p.dev.serial), "%s", serial);
	p.dev.vid = 0x0483;
	p.dev.pid = 0x5740;
	return p;
}

static struct stdfu_device_info dfu(const char *path, const char *serial)
{
	struct stdfu_device_info d;

	memset(&d, 0, sizeof(d));
	snprintf(d.path, sizeof(d.path), "%s", path);
	snprintf(d.serial, sizeof(d.serial), "%s", serial);
	d.vid = 0x0483;
	d.pid = 0xdf11;
	return d;
}

static void one_app_is_picked(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(stdfu_target_choose(apps, 1, NULL, &sel, &t), STDFU_OK);
	assert_int_equal(t.kind, STDFU_TARGET_APP);
	assert_int_equal(t.index, 0);
}

static void several_apps_are_ambiguous_and_listed(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1"),
					app("/dev/ttyACM1", "1-2", "A2")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(stdfu_target_choose(apps, 2, NULL, &sel, &t), STDFU_ERR_AMBIGUOUS);
	assert_non_null(strstr(stdfu_error_detail(), "/dev/ttyACM0"));
	assert_non_null(strstr(stdfu_error_detail(), "/dev/ttyACM1"));
	assert_non_null(strstr(stdfu_error_detail(), "--usb-path"));
}

static void usb_path_and_serial_select(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1"),
					app("/dev/ttyACM1", "1-2", "A2"),
					app("/dev/ttyACM2", "1-3", "A2")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	sel.usb_path = "1-2";
	assert_int_equal(stdfu_target_choose(apps, 3, NULL, &sel, &t), STDFU_OK);
	assert_int_equal(t.index, 1);
	sel.usb_path = NULL;
	sel.serial = "A1";
	assert_int_equal(stdfu_target_choose(apps, 3, NULL, &sel, &t), STDFU_OK);
	assert_int_equal(t.index, 0);
	/* serials are not unique: two boards share A2 */
	sel.serial = "A2";
	assert_int_equal(stdfu_target_choose(apps, 3, NULL, &sel, &t), STDFU_ERR_AMBIGUOUS);
	assert_null(strstr(stdfu_error_detail(), "/dev/ttyACM0"));
	sel.usb_path = "1-3";
	assert_int_equal(stdfu_target_choose(apps, 3, NULL, &sel, &t), STDFU_OK);
	assert_int_equal(t.index, 2);
	sel.usb_path = "1-4";
	assert_int_equal(stdfu_target_choose(apps, 3, NULL, &sel, &t), STDFU_ERR_NO_DEVICE);
}

static void port_names_it_directly(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1"),
					app("/dev/ttyACM1", "1-2", "A2")};
	struct stdfu_device_info dfus[] = {dfu("1-3", "D1")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	sel.port = "/dev/ttyACM1";
	assert_int_equal(
		stdfu_target_choose(apps, 2, &(struct stdfu_device_list){1, dfus}, &sel, &t),
		STDFU_OK);
	assert_int_equal(t.kind, STDFU_TARGET_APP);
	assert_int_equal(t.index, 1);
	/* a named port that is not there is an error, never a fallback to DFU */
	sel.port = "/dev/ttyACM7";
	assert_int_equal(
		stdfu_target_choose(apps, 2, &(struct stdfu_device_list){1, dfus}, &sel, &t),
		STDFU_ERR_NO_DEVICE);
	assert_non_null(strstr(stdfu_error_detail(), "/dev/ttyACM7"));
}

static void lone_dfu_board_is_used(void **state)
{
	struct stdfu_device_info dfus[] = {dfu("1-3", "D1")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(
		stdfu_target_choose(NULL, 0, &(struct stdfu_device_list){1, dfus}, &sel, &t),
		STDFU_OK);
	assert_int_equal(t.kind, STDFU_TARGET_DFU);
	assert_int_equal(t.index, 0);
}

static void app_wins_over_dfu(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1")};
	struct stdfu_device_info dfus[] = {dfu("1-3", "D1")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(
		stdfu_target_choose(apps, 1, &(struct stdfu_device_list){1, dfus}, &sel, &t),
		STDFU_OK);
	assert_int_equal(t.kind, STDFU_TARGET_APP);
	/* ... unless the selector names the DFU board */
	sel.usb_path = "1-3";
	assert_int_equal(
		stdfu_target_choose(apps, 1, &(struct stdfu_device_list){1, dfus}, &sel, &t),
		STDFU_OK);
	assert_int_equal(t.kind, STDFU_TARGET_DFU);
}

static void several_dfu_boards_are_ambiguous(void **state)
{
	struct stdfu_device_info dfus[] = {dfu("1-1", "D1"), dfu("1-2", "D2")};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(
		stdfu_target_choose(NULL, 0, &(struct stdfu_device_list){2, dfus}, &sel, &t),
		STDFU_ERR_AMBIGUOUS);
	assert_non_null(strstr(stdfu_error_detail(), "1-2"));
	sel.serial = "D2";
	assert_int_equal(
		stdfu_target_choose(NULL, 0, &(struct stdfu_device_list){2, dfus}, &sel, &t),
		STDFU_OK);
	assert_int_equal(t.index, 1);
}

static void nothing_is_no_device(void **state)
{
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	assert_int_equal(stdfu_target_choose(NULL, 0, NULL, &sel, &t), STDFU_ERR_NO_DEVICE);
	assert_non_null(strstr(stdfu_error_detail(), "--app-id"));
}

/* With the DFU list scanned and empty, the DFU selection's message says what to do. */
static void no_app_and_no_dfu_board(void **state)
{
	struct stdfu_app_port apps[] = {app("/dev/ttyACM0", "1-1", "A1")};
	struct stdfu_device_list empty = {0, NULL};
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	sel.usb_path = "1-9";
	assert_int_equal(stdfu_target_choose(apps, 1, &empty, &sel, &t), STDFU_ERR_NO_DEVICE);
	assert_non_null(strstr(stdfu_error_detail(), "usb-path 1-9"));
	sel.usb_path = NULL;
	assert_int_equal(stdfu_target_choose(NULL, 0, &empty, &sel, &t), STDFU_ERR_NO_DEVICE);
	assert_non_null(strstr(stdfu_error_detail(), "DFU mode"));
}

/* An application's serial is matched whole, not cut at 64 characters. */
static void long_app_serial(void **state)
{
	char a[101], b[101];
	struct stdfu_app_port apps[2];
	struct stdfu_selector sel = {0};
	struct stdfu_target t;

	(void)state;
	memset(a, 'A', 100);
	a[100] = '\0';
	memcpy(b, a, sizeof(b));
	b[99] = 'B';
	apps[0] = app("/dev/ttyACM0", "1-1", a);
	apps[1] = app("/dev/ttyACM1", "1-2", b);
	sel.serial = b;
	assert_int_equal(stdfu_target_choose(apps, 2, NULL, &sel, &t), STDFU_OK);
	assert_int_equal(t.index, 1);
	assert_string_equal(apps[1].dev.serial, b);
}

static void ids_and_methods_parse(void **state)
{
	struct stdfu_usb_id id;
	enum stdfu_trigger_method m;

	(void)state;
	assert_int_equal(stdfu_usb_id_parse("1209:ab0C", &id), STDFU_OK);
	assert_int_equal(id.vid, 0x1209);
	assert_int_equal(id.pid, 0xab0c);
	assert_int_equal(stdfu_usb_id_parse("12090:1", &id), STDFU_ERR_ARG);
	assert_int_equal(stdfu_usb_id_parse("0483", &id), STDFU_ERR_ARG);
	assert_int_equal(stdfu_usb_id_parse("0483:", &id), STDFU_ERR_ARG);
	assert_int_equal(stdfu_usb_id_parse("g483:5740", &id), STDFU_ERR_ARG);
	assert_true(stdfu_app_id_match(NULL, 0, 0x0483, 0x5740));
	assert_false(stdfu_app_id_match(NULL, 0, 0x0483, 0xdf11));
	assert_true(stdfu_app_id_match(&id, 0, 0x0483, 0x5740));
	id.vid = 0x1209;
	id.pid = 0x0001;
	assert_true(stdfu_app_id_match(&id, 1, 0x1209, 0x0001));
	assert_false(stdfu_app_id_match(&id, 1, 0x0483, 0x5740));
	assert_int_equal(stdfu_trigger_method_parse("touch1200", &m), STDFU_OK);
	assert_int_equal(m, STDFU_METHOD_TOUCH1200);
	assert_string_equal(stdfu_trigger_method_name(STDFU_METHOD_DETACH), "detach");
	assert_int_equal(stdfu_trigger_method_parse("reset", &m), STDFU_ERR_ARG);
	assert_int_equal(stdfu_trigger_method_parse(NULL, &m), STDFU_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_app_is_picked),
		cmocka_unit_test(several_apps_are_ambiguous_and_listed),
		cmocka_unit_test(usb_path_and_serial_select),
		cmocka_unit_test(port_names_it_directly),
		cmocka_unit_test(lone_dfu_board_is_used),
		cmocka_unit_test(app_wins_over_dfu),
		cmocka_unit_test(several_dfu_boards_are_ambiguous),
		cmocka_unit_test(nothing_is_no_device),
		cmocka_unit_test(no_app_and_no_dfu_board),
		cmocka_unit_test(long_app_serial),
		cmocka_unit_test(ids_and_methods_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
