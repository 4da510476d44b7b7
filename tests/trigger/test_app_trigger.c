/* SPDX-License-Identifier: MIT */
/* The emulated companion's decisions: the silence rule, the 1200 touch, detach, none. */
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
	struct emu_app_trigger_config cfg = {companion, TRIG, runtime_dfu};

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

static void byte_inside_other_traffic_is_data(void **state)
{
	static const char chunk[] = {'a', (char)TRIG, 'b'};
	static const char tail[] = {'x', (char)TRIG};

	(void)state;
	boot(true, false);
	rx(chunk, sizeof(chunk), 0);
	rx(tail, sizeof(tail), 500 * MS);
	assert_int_equal(poll_at(2000 * MS), EMU_APP_STAY);
}

static void byte_right_after_traffic_is_data(void **state)
{
	(void)state;
	boot(true, false);
	rx("hello", 5, 0);
	/* (b): less than the window since the previous chunk */
	rx(trig, 1, WIN - 1);
	assert_int_equal(poll_at(5 * WIN), EMU_APP_STAY);
	/* after a quiet window it counts */
	rx(trig, 1, 7 * WIN);
	assert_int_equal(poll_at(8 * WIN), EMU_APP_ENTER_BYTE);
}

static void traffic_inside_window_cancels(void **state)
{
	(void)state;
	boot(true, false);
	rx(trig, 1, 0);
	rx("k", 1, WIN / 2);
	assert_int_equal(poll_at(10 * WIN), EMU_APP_STAY);
	/* a second trigger byte inside the window cancels too */
	rx(trig, 1, 20 * WIN);
	rx(trig, 1, 20 * WIN + WIN / 2);
	assert_int_equal(poll_at(30 * WIN), EMU_APP_STAY);
	/* and the rule starts again from (a) after silence */
	rx(trig, 1, 40 * WIN);
	assert_int_equal(poll_at(41 * WIN), EMU_APP_ENTER_BYTE);
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

static void touch_needs_1200_and_a_falling_edge(void **state)
{
	uint64_t delay = (uint64_t)STDFU_TRIGGER_TOUCH_DELAY_MS * MS;

	(void)state;
	boot(true, false);
	/* DTR drop at 115200: an ordinary close */
	emu_app_trigger_control_line(&t, true, 0);
	emu_app_trigger_control_line(&t, false, MS);
	assert_int_equal(poll_at(10 * delay), EMU_APP_STAY);
	/* 1200 but DTR was never up: no edge */
	boot(true, false);
	emu_app_trigger_line_coding(&t, 1200, 0);
	emu_app_trigger_control_line(&t, false, MS);
	assert_int_equal(poll_at(10 * delay), EMU_APP_STAY);
	/* armed, then DTR raised again: disarmed */
	boot(true, false);
	emu_app_trigger_control_line(&t, true, 0);
	emu_app_trigger_line_coding(&t, 1200, 0);
	emu_app_trigger_control_line(&t, false, MS);
	emu_app_trigger_control_line(&t, true, 2 * MS);
	assert_int_equal(poll_at(10 * delay), EMU_APP_STAY);
	/* armed, then the rate changed: disarmed */
	boot(true, false);
	emu_app_trigger_control_line(&t, true, 0);
	emu_app_trigger_line_coding(&t, 1200, 0);
	emu_app_trigger_control_line(&t, false, MS);
	emu_app_trigger_line_coding(&t, 9600, 2 * MS);
	assert_int_equal(poll_at(10 * delay), EMU_APP_STAY);
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
	struct emu_app_trigger_config cfg = {true, TRIG, true};
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
		cmocka_unit_test(byte_inside_other_traffic_is_data),
		cmocka_unit_test(byte_right_after_traffic_is_data),
		cmocka_unit_test(traffic_inside_window_cancels),
		cmocka_unit_test(other_byte_value_is_not_a_trigger),
		cmocka_unit_test(touch1200_enters_after_delay),
		cmocka_unit_test(touch_needs_1200_and_a_falling_edge),
		cmocka_unit_test(detach_needs_runtime_interface),
		cmocka_unit_test(companion_none_ignores_everything),
		cmocka_unit_test(companion_spec_parse),
		cmocka_unit_test(fires_once_and_stays_fired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
