/* SPDX-License-Identifier: MIT */
/* The re-enumeration wait, driven with hand-made bus snapshots and a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/trigger.h>

static struct stdfu_device_info dev(uint16_t pid, const char *path, uint8_t address)
{
	struct stdfu_device_info d;

	memset(&d, 0, sizeof(d));
	d.vid = 0x0483;
	d.pid = pid;
	d.bus = 1;
	d.address = address;
	snprintf(d.path, sizeof(d.path), "%s", path);
	return d;
}

#define APP 0x5740
#define DFU 0xdf11

/* Board at 1-2 (address 5) running the app, another board's app at 1-1. */
static struct stdfu_device_info before[2];

static void setup_before(void)
{
	before[0] = dev(APP, "1-1", 4);
	before[1] = dev(APP, "1-2", 5);
}

static void start(struct stdfu_wait *w, bool any_port)
{
	setup_before();
	stdfu_wait_init(w, STDFU_WAIT_FOR_DFU, "1-2", 1, 5, NULL, 0, any_port, before, 2, 1000,
			3000);
}

static int step(struct stdfu_wait *w, const struct stdfu_device_info *snap, size_t n, uint64_t now,
		size_t *found, bool *left)
{
	return stdfu_wait_step(w, snap, n, now, found, left);
}

static void leaves_then_dfu_on_same_path(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info gone[] = {dev(APP, "1-1", 4)};
	struct stdfu_device_info rom[] = {dev(APP, "1-1", 4), dev(DFU, "1-2", 6)};
	size_t found = 99;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, before, 2, 1050, &found, &left), STDFU_WAIT_PENDING);
	assert_false(left);
	assert_int_equal(step(&w, gone, 1, 1120, &found, &left), STDFU_WAIT_PENDING);
	assert_true(left);
	assert_int_equal(w.left_ms, 1120);
	assert_int_equal(step(&w, gone, 1, 1200, &found, &left), STDFU_WAIT_PENDING);
	assert_false(left); /* reported once */
	assert_int_equal(step(&w, rom, 2, 1400, &found, &left), STDFU_OK);
	assert_int_equal(found, 1);
}

static void departure_between_snapshots_is_seen(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info rom[] = {dev(DFU, "1-2", 6), dev(APP, "1-1", 4)};
	size_t found = 99;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, rom, 2, 1300, &found, &left), STDFU_OK);
	assert_true(left);
	assert_int_equal(found, 0);
}

static void never_left_times_out_with_companion_hint(void **state)
{
	struct stdfu_wait w;
	size_t found;
	bool left;

	(void)state;
	start(&w, false);
	for (uint64_t t = 1000; t < 4000; t += 100)
		assert_int_equal(step(&w, before, 2, t, &found, &left), STDFU_WAIT_PENDING);
	assert_int_equal(stdfu_wait_next_ms(&w, 3900), 100);
	assert_int_equal(step(&w, before, 2, 4000, &found, &left), STDFU_ERR_TIMEOUT);
	assert_non_null(strstr(stdfu_error_detail(), "never left"));
	assert_non_null(strstr(stdfu_error_detail(), "companion"));
}

static void left_and_nothing_came_back(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info gone[] = {dev(APP, "1-1", 4)};
	size_t found;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, gone, 1, 1100, &found, &left), STDFU_WAIT_PENDING);
	assert_int_equal(step(&w, gone, 1, 4000, &found, &left), STDFU_ERR_TIMEOUT);
	assert_non_null(strstr(stdfu_error_detail(), "left usb-path 1-2 after 100 ms"));
	assert_non_null(strstr(stdfu_error_detail(), "HSE"));
}

static void came_back_as_app_is_refused(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info gone[] = {dev(APP, "1-1", 4)};
	struct stdfu_device_info back[] = {dev(APP, "1-1", 4), dev(APP, "1-2", 7)};
	size_t found;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, gone, 1, 1100, &found, &left), STDFU_WAIT_PENDING);
	assert_int_equal(step(&w, back, 2, 1500, &found, &left), STDFU_ERR_REFUSED);
	assert_non_null(strstr(stdfu_error_detail(), "BOOT0"));
	assert_non_null(strstr(stdfu_error_detail(), "BFB2"));
	assert_non_null(strstr(stdfu_error_detail(), "HSE"));
}

static void dfu_elsewhere_is_refused_after_grace(void **state)
{
	struct stdfu_wait w;
	/* our board never leaves; the OTHER board shows up in DFU */
	struct stdfu_device_info other[] = {dev(DFU, "1-1", 8), dev(APP, "1-2", 5)};
	size_t found;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, other, 2, 1200, &found, &left), STDFU_WAIT_PENDING);
	assert_true(w.elsewhere);
	assert_int_equal(stdfu_wait_next_ms(&w, 1200), STDFU_WAIT_ELSEWHERE_GRACE_MS);
	assert_int_equal(step(&w, other, 2, 1200 + STDFU_WAIT_ELSEWHERE_GRACE_MS, &found, &left),
			 STDFU_ERR_ELSEWHERE);
	assert_non_null(strstr(stdfu_error_detail(), "1-1"));
	assert_non_null(strstr(stdfu_error_detail(), "--any-port"));
}

static void dfu_elsewhere_then_ours_is_fine(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info other[] = {dev(DFU, "1-1", 8), dev(APP, "1-2", 5)};
	struct stdfu_device_info both[] = {dev(DFU, "1-1", 8), dev(DFU, "1-2", 9)};
	size_t found;
	bool left;

	(void)state;
	start(&w, false);
	assert_int_equal(step(&w, other, 2, 1200, &found, &left), STDFU_WAIT_PENDING);
	assert_int_equal(step(&w, both, 2, 1500, &found, &left), STDFU_OK);
	assert_int_equal(found, 1);
}

static void any_port_accepts_elsewhere(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info other[] = {dev(APP, "1-1", 4), dev(DFU, "2-1", 3)};
	size_t found;
	bool left;

	(void)state;
	start(&w, true);
	assert_int_equal(step(&w, other, 2, 1200, &found, &left), STDFU_OK);
	assert_int_equal(found, 1);
	assert_true(left);
}

static void dfu_present_before_is_not_new(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info snap[] = {dev(DFU, "1-1", 4), dev(APP, "1-2", 5)};
	size_t found;
	bool left;

	(void)state;
	stdfu_wait_init(&w, STDFU_WAIT_FOR_DFU, "1-2", 1, 5, NULL, 0, true, snap, 2, 0, 500);
	assert_int_equal(step(&w, snap, 2, 100, &found, &left), STDFU_WAIT_PENDING);
	assert_false(w.elsewhere);
	assert_int_equal(step(&w, snap, 2, 500, &found, &left), STDFU_ERR_TIMEOUT);
}

static void app_comes_back_after_leave(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info rom[] = {dev(DFU, "1-2", 6)};
	struct stdfu_device_info app[] = {dev(APP, "1-2", 7)};
	size_t found;
	bool left;

	(void)state;
	stdfu_wait_init(&w, STDFU_WAIT_FOR_APP, "1-2", 1, 6, NULL, 0, false, rom, 1, 0, 0);
	assert_int_equal(w.deadline_ms, STDFU_TRIGGER_TIMEOUT_DEFAULT_MS);
	assert_int_equal(step(&w, rom, 1, 10, &found, &left), STDFU_WAIT_PENDING);
	assert_int_equal(step(&w, NULL, 0, 50, &found, &left), STDFU_WAIT_PENDING);
	assert_true(left);
	assert_int_equal(step(&w, app, 1, 300, &found, &left), STDFU_OK);
	assert_int_equal(found, 0);
}

static void rom_back_instead_of_app(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info rom[] = {dev(DFU, "1-2", 6)};
	struct stdfu_device_info rom2[] = {dev(DFU, "1-2", 7)};
	size_t found;
	bool left;

	(void)state;
	stdfu_wait_init(&w, STDFU_WAIT_FOR_APP, "1-2", 1, 6, NULL, 0, false, rom, 1, 0, 2000);
	assert_int_equal(step(&w, rom2, 1, 300, &found, &left), STDFU_ERR_REFUSED);
	assert_non_null(strstr(stdfu_error_detail(), "the ROM again"));
}

static void custom_app_ids(void **state)
{
	struct stdfu_wait w;
	struct stdfu_usb_id ids[] = {{0x1209, 0x0001}};
	struct stdfu_device_info rom[] = {dev(DFU, "1-2", 6)};
	struct stdfu_device_info st_app[] = {dev(APP, "1-2", 7)};
	struct stdfu_device_info mine[1];
	size_t found;
	bool left;

	(void)state;
	mine[0] = dev(1, "1-2", 7);
	mine[0].vid = 0x1209;
	stdfu_wait_init(&w, STDFU_WAIT_FOR_APP, "1-2", 1, 6, ids, 1, false, rom, 1, 0, 2000);
	assert_int_equal(step(&w, mine, 1, 300, &found, &left), STDFU_OK);
	stdfu_wait_init(&w, STDFU_WAIT_FOR_APP, "1-2", 1, 6, ids, 1, false, rom, 1, 0, 2000);
	assert_int_equal(step(&w, st_app, 1, 300, &found, &left), STDFU_ERR_REFUSED);
}

static void unknown_path_takes_any_new_dfu(void **state)
{
	struct stdfu_wait w;
	struct stdfu_device_info snap[] = {dev(DFU, "1-3", 9)};
	size_t found;
	bool left;

	(void)state;
	/* --port named a tty whose USB path libserialport could not tell */
	stdfu_wait_init(&w, STDFU_WAIT_FOR_DFU, "", 0, 0, NULL, 0, false, NULL, 0, 0, 2000);
	assert_int_equal(step(&w, snap, 1, 300, &found, &left), STDFU_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leaves_then_dfu_on_same_path),
		cmocka_unit_test(departure_between_snapshots_is_seen),
		cmocka_unit_test(never_left_times_out_with_companion_hint),
		cmocka_unit_test(left_and_nothing_came_back),
		cmocka_unit_test(came_back_as_app_is_refused),
		cmocka_unit_test(dfu_elsewhere_is_refused_after_grace),
		cmocka_unit_test(dfu_elsewhere_then_ours_is_fine),
		cmocka_unit_test(any_port_accepts_elsewhere),
		cmocka_unit_test(dfu_present_before_is_not_new),
		cmocka_unit_test(app_comes_back_after_leave),
		cmocka_unit_test(rom_back_instead_of_app),
		cmocka_unit_test(custom_app_ids),
		cmocka_unit_test(unknown_path_takes_any_new_dfu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
