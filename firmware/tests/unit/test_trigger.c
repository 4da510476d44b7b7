/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests of the companion's trigger glue (stdfu_fw_trigger.c) against the fake
 * port: each entry point reaches the rule, a decision is consumed once, the request
 * path, and the order of the reset sequence. The rule itself (silence windows, repeated
 * bytes, clock wrap, touch) has one suite, tests/trigger/test_trigger_rule.c, shared
 * with the emulator. The source is included so each test starts from a clean
 * interrupt-side state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/stdfu_fw_trigger.c"
#include "fake_port.h"

#define W  STDFU_TRIGGER_SILENCE_MS
#define TD STDFU_TRIGGER_TOUCH_DELAY_MS

static const uint8_t trig[1] = {STDFU_FW_TRIGGER_BYTE};
static int hook_calls;

static void hook(void)
{
	hook_calls++;
	fake_port_log(EV_HOOK);
}

static int setup(void **state)
{
	(void)state;
	stdfu_trigger_rule_init(&rule, STDFU_FW_TRIGGER_BYTE);
	ev_seq = 0;
	requested = 0;
	polled = 0;
	pre_reset_hook = NULL;
	hook_calls = 0;
	fake_port_reset();
	return 0;
}

static void test_lone_byte_fires_after_window(void **state)
{
	(void)state;
	assert_int_equal(stdfu_fw_poll(1000), STDFU_FW_REASON_NONE);
	stdfu_fw_receive(trig, 1, 1000);
	assert_int_equal(stdfu_fw_poll(1000), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(1000 + W - 1), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
	assert_int_equal(stdfu_fw_poll(1000 + W), STDFU_FW_REASON_BYTE);
	assert_int_equal(fake.resets, 1);
	assert_true(stdfu_fw_flag_valid(&fake.record));
	/* Fired once: the request is consumed. */
	assert_int_equal(stdfu_fw_poll(1000 + 5 * W), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 1);
}

static void test_receive_feeds_the_rule(void **state)
{
	static const uint8_t data[2] = {'o', 'k'};

	(void)state;
	stdfu_fw_receive(trig, 1, 1000);
	assert_int_equal(stdfu_fw_poll(1000 + W / 2), STDFU_FW_REASON_NONE);
	stdfu_fw_receive(data, 2, 1000 + W - 1);
	assert_int_equal(stdfu_fw_poll(1000 + W), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(1000 + 50 * W), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
	/* A later lone byte with silence around it starts the rule again. */
	stdfu_fw_receive(trig, 1, 9000);
	assert_int_equal(stdfu_fw_poll(9000 + W), STDFU_FW_REASON_BYTE);
}

static void test_touch_fires_after_delay(void **state)
{
	(void)state;
	stdfu_fw_line_coding(115200, 0);
	stdfu_fw_control_line_state(0x3, 10); /* open: DTR | RTS */
	stdfu_fw_line_coding(STDFU_TRIGGER_TOUCH_BAUD, 20);
	stdfu_fw_control_line_state(0x2, 30); /* DTR dropped, RTS kept */
	assert_int_equal(stdfu_fw_poll(30 + TD - 1), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(30 + TD), STDFU_FW_REASON_TOUCH);
	assert_int_equal(fake.resets, 1);
	assert_true(stdfu_fw_flag_valid(&fake.record));
}

static void test_line_hooks_feed_the_rule(void **state)
{
	(void)state;
	/* Cancelled by DTR raised again (port reopened) before the delay. */
	stdfu_fw_line_coding(STDFU_TRIGGER_TOUCH_BAUD, 0);
	stdfu_fw_control_line_state(0x1, 0);
	stdfu_fw_control_line_state(0x0, 10);
	stdfu_fw_control_line_state(0x1, 10 + TD / 2);
	assert_int_equal(stdfu_fw_poll(10 + 4 * TD), STDFU_FW_REASON_NONE);
	/* Cancelled by the rate changing away from 1200. */
	stdfu_fw_control_line_state(0x0, 3000);
	stdfu_fw_line_coding(115200, 3000 + TD / 2);
	assert_int_equal(stdfu_fw_poll(3000 + 4 * TD), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
}

static void test_request_wins_and_is_consumed(void **state)
{
	(void)state;
	stdfu_fw_receive(trig, 1, 0);
	stdfu_fw_request();
	assert_int_equal(stdfu_fw_poll(W), STDFU_FW_REASON_REQUEST);
	/* the reset discards the pending byte too: nothing fires twice */
	assert_int_equal(stdfu_fw_poll(2 * W), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 1);
}

static void test_request_and_reset_sequence(void **state)
{
	(void)state;
	stdfu_fw_set_hook(hook);
	assert_int_equal(stdfu_fw_poll(0), STDFU_FW_REASON_NONE);
	fake.n_events = 0;
	stdfu_fw_request();
	assert_int_equal(stdfu_fw_poll(1), STDFU_FW_REASON_REQUEST);
	/* flag written, D-cache cleaned over the whole record, hook, then reset */
	assert_int_equal(fake.n_events, 4);
	assert_int_equal(fake.events[0], EV_STORE);
	assert_int_equal(fake.events[1], EV_CLEAN);
	assert_int_equal(fake.events[2], EV_HOOK);
	assert_int_equal(fake.events[3], EV_RESET);
	assert_int_equal(fake.clean_len, sizeof(struct stdfu_fw_record));
	assert_int_equal(hook_calls, 1);
	assert_true(stdfu_fw_flag_valid(&fake.record));
}

static void test_enter_now(void **state)
{
	(void)state;
	stdfu_fw_enter_now(); /* no hook set: must not crash */
	assert_int_equal(fake.resets, 1);
	assert_int_equal(fake.cleans, 1);
	assert_true(stdfu_fw_flag_valid(&fake.record));
}

static void test_first_poll_resets_attempts(void **state)
{
	(void)state;
	stdfu_fw_attempts_set(&fake.record, 2);
	assert_int_equal(stdfu_fw_poll(0), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_attempts(&fake.record), 0);
	stdfu_fw_attempts_set(&fake.record, 2);
	assert_int_equal(stdfu_fw_poll(1), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_attempts(&fake.record), 2); /* only the first poll */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lone_byte_fires_after_window, setup),
		cmocka_unit_test_setup(test_receive_feeds_the_rule, setup),
		cmocka_unit_test_setup(test_touch_fires_after_delay, setup),
		cmocka_unit_test_setup(test_line_hooks_feed_the_rule, setup),
		cmocka_unit_test_setup(test_request_wins_and_is_consumed, setup),
		cmocka_unit_test_setup(test_request_and_reset_sequence, setup),
		cmocka_unit_test_setup(test_enter_now, setup),
		cmocka_unit_test_setup(test_first_poll_resets_attempts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
