/* SPDX-License-Identifier: MIT */
/*
 * The emulated companion around the shared rule (whose own suite is
 * test_trigger_rule.c): the nanosecond clock seen as a millisecond tick, the
 * wiring of each input, DFU_DETACH, --companion none and its parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/trigger_protocol.h>

#include "app_trigger.h"

#define MS   1000000ull
#define WIN  ((uint64_t)STDFU_TRIGGER_SILENCE_MS * MS)
#define TRIG STDFU_TRIGGER_BYTE_DEFAULT

static struct emu_app_trigger t;

static void boot(bool companion, bool runtime_dfu)
{
	struct emu_app_trigger_config cfg = {
		.companion = companion, .trigger_byte = TRIG, .runtime_dfu = runtime_dfu};

	emu_app_trigger_init(&t, &cfg);
}

static enum emu_app_reason poll_at(uint64_t now)
{
	uint64_t next;

	return emu_app_trigger_poll(&t, now, &next);
}

static void rx(const char *bytes, size_t len, uint64_t now)
{
	emu_app_trigger_rx(&t, (const uint8_t *)bytes, len, now);
}

static const char trig[1] = {(char)TRIG};

static void lone_byte_then_silence_enters(void **state)
{
	uint64_t next;

	(void)state;
	boot(true, false);
	rx(trig, 1, 10 * MS);
	assert_int_equal(emu_app_trigger_poll(&t, 10 * MS, &next), EMU_APP_STAY);
	assert_int_equal(next, 10 * MS + WIN);
	assert_int_equal(poll_at(10 * MS + WIN - 1), EMU_APP_STAY);
	assert_int_equal(poll_at(10 * MS + WIN), EMU_APP_ENTER_BYTE);
}

static void other_byte_value_is_not_a_trigger(void **state)
{
	struct emu_app_trigger_config cfg;
	char err[128];

	(void)state;
	boot(true, false);
	rx("\xAA", 1, 0);
	assert_int_equal(poll_at(10 * WIN), EMU_APP_STAY);
	assert_int_equal(emu_app_companion_parse("byte=0xAA", &cfg, err, sizeof(err)), 0);
	cfg.runtime_dfu = false;
	emu_app_trigger_init(&t, &cfg);
	rx("\xAA", 1, 0);
	assert_int_equal(poll_at(WIN), EMU_APP_ENTER_BYTE);
}

static void touch1200_enters_after_delay(void **state)
{
	uint64_t next;
	uint64_t delay = (uint64_t)STDFU_TRIGGER_TOUCH_DELAY_MS * MS;

	(void)state;
	boot(true, false);
	emu_app_trigger_control_line(&t, true, 0);
	emu_app_trigger_line_coding(&t, 1200, MS);
	emu_app_trigger_control_line(&t, false, 2 * MS);
	assert_int_equal(emu_app_trigger_poll(&t, 2 * MS, &next), EMU_APP_STAY);
	assert_int_equal(next, 2 * MS + delay);
	assert_int_equal(poll_at(2 * MS + delay), EMU_APP_ENTER_TOUCH);
}

static void clock_is_a_millisecond_tick(void **state)
{
	uint64_t next;

	(void)state;
	boot(true, false);
	/* 10.7 ms is tick 10: due at the start of tick 110 */
	rx(trig, 1, 10 * MS + 700000);
	assert_int_equal(emu_app_trigger_poll(&t, 10 * MS + 700000, &next), EMU_APP_STAY);
	assert_int_equal(next, 10 * MS + WIN);
	assert_int_equal(poll_at(10 * MS + WIN - 1), EMU_APP_STAY);
	assert_int_equal(poll_at(10 * MS + WIN), EMU_APP_ENTER_BYTE);
	/* the tick wraps after 2^32 ms, as a device's does */
	boot(true, false);
	rx(trig, 1, (1ull << 32) * MS - 10 * MS);
	assert_int_equal(emu_app_trigger_poll(&t, (1ull << 32) * MS, &next), EMU_APP_STAY);
	assert_int_equal(next, (1ull << 32) * MS + WIN - 10 * MS);
	assert_int_equal(poll_at((1ull << 32) * MS + WIN - 10 * MS), EMU_APP_ENTER_BYTE);
}

static void detach_needs_runtime_interface(void **state)
{
	(void)state;
	boot(true, false);
	assert_false(emu_app_trigger_detach(&t, 0));
	assert_int_equal(poll_at(10 * WIN), EMU_APP_STAY);
	boot(true, true);
	assert_true(emu_app_trigger_detach(&t, 0));
	assert_int_equal(poll_at((uint64_t)STDFU_TRIGGER_POLL_PERIOD_MS * MS),
			 EMU_APP_ENTER_DETACH);
}

static void companion_none_ignores_everything(void **state)
{
	struct emu_app_trigger_config cfg = {
		.companion = true, .trigger_byte = TRIG, .runtime_dfu = true};
	char err[128];

	(void)state;
	assert_int_equal(emu_app_companion_parse("none", &cfg, err, sizeof(err)), 0);
	assert_false(cfg.companion);
	assert_true(cfg.runtime_dfu);
	emu_app_trigger_init(&t, &cfg);
	rx(trig, 1, 0);
	emu_app_trigger_control_line(&t, true, 0);
	emu_app_trigger_line_coding(&t, 1200, 0);
	emu_app_trigger_control_line(&t, false, MS);
	/* the runtime interface still answers, nobody acts on it */
	assert_true(emu_app_trigger_detach(&t, MS));
	assert_int_equal(poll_at(100 * WIN), EMU_APP_STAY);
}

static void companion_spec_parse(void **state)
{
	struct emu_app_trigger_config cfg = {0};
	char err[128];

	(void)state;
	assert_int_equal(emu_app_companion_parse("stdfu", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.companion);
	assert_int_equal(cfg.trigger_byte, TRIG);
	assert_int_equal(emu_app_companion_parse("byte=0x100", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "byte=0xNN"));
	assert_int_equal(emu_app_companion_parse("byte=", &cfg, err, sizeof(err)), -1);
	assert_int_equal(emu_app_companion_parse("arduino", &cfg, err, sizeof(err)), -1);
}

static void fires_once_and_stays_fired(void **state)
{
	(void)state;
	boot(true, false);
	rx(trig, 1, 0);
	assert_int_equal(poll_at(WIN), EMU_APP_ENTER_BYTE);
	rx("late", 4, WIN + 1);
	assert_int_equal(poll_at(WIN + 2), EMU_APP_ENTER_BYTE);
	assert_string_equal(emu_app_reason_name(EMU_APP_ENTER_TOUCH), "1200-baud touch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lone_byte_then_silence_enters),
		cmocka_unit_test(other_byte_value_is_not_a_trigger),
		cmocka_unit_test(touch1200_enters_after_delay),
		cmocka_unit_test(clock_is_a_millisecond_tick),
		cmocka_unit_test(detach_needs_runtime_interface),
		cmocka_unit_test(companion_none_ignores_everything),
		cmocka_unit_test(companion_spec_parse),
		cmocka_unit_test(fires_once_and_stays_fired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
