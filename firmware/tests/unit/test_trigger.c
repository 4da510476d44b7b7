/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests of the trigger logic (stdfu_fw_trigger.c) against the fake port: the
 * lone-byte rule with its silence window, the 1200-baud touch, the request path and the
 * order of the reset sequence. The source is included so each test starts from a clean
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
	memset((void *)&st, 0, sizeof(st));
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

static void test_byte_inside_traffic_ignored(void **state)
{
	static const uint8_t mid[3] = {'a', STDFU_FW_TRIGGER_BYTE, 'b'};
	static const uint8_t first[2] = {STDFU_FW_TRIGGER_BYTE, 'z'};
	static const uint8_t last[2] = {'z', STDFU_FW_TRIGGER_BYTE};
	static const uint8_t twice[2] = {STDFU_FW_TRIGGER_BYTE, STDFU_FW_TRIGGER_BYTE};
	static const uint8_t *chunks[4] = {mid, first, last, twice};
	static const uint32_t lens[4] = {3, 2, 2, 2};
	uint32_t t = 0;

	(void)state;
	for (int i = 0; i < 4; i++) {
		t += 10 * W; /* silence before and after each chunk */
		stdfu_fw_receive(chunks[i], lens[i], t);
		assert_int_equal(stdfu_fw_poll(t + 5 * W), STDFU_FW_REASON_NONE);
	}
	assert_int_equal(fake.resets, 0);
}

static void test_other_lone_byte_ignored(void **state)
{
	const uint8_t other[1] = {(uint8_t)(STDFU_FW_TRIGGER_BYTE ^ 0x01u)};

	(void)state;
	stdfu_fw_receive(other, 1, 500);
	assert_int_equal(stdfu_fw_poll(500 + 10 * W), STDFU_FW_REASON_NONE);
	stdfu_fw_receive(trig, 0, 500 + 20 * W); /* zero length is no chunk */
	stdfu_fw_receive(NULL, 1, 500 + 20 * W);
	assert_int_equal(stdfu_fw_poll(500 + 40 * W), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
}

static void test_needs_silence_before(void **state)
{
	static const uint8_t data[4] = {1, 2, 3, 4};

	(void)state;
	stdfu_fw_receive(data, 4, 1000);
	stdfu_fw_receive(trig, 1, 1000 + W - 1); /* too soon after traffic */
	assert_int_equal(stdfu_fw_poll(1000 + 10 * W), STDFU_FW_REASON_NONE);
	stdfu_fw_receive(data, 4, 5000);
	stdfu_fw_receive(trig, 1, 5000 + W); /* exactly the window: allowed */
	assert_int_equal(stdfu_fw_poll(5000 + 2 * W - 1), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(5000 + 2 * W), STDFU_FW_REASON_BYTE);
}

static void test_traffic_after_cancels(void **state)
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

static void test_repeated_byte_inside_window_cancels(void **state)
{
	(void)state;
	stdfu_fw_receive(trig, 1, 1000);
	stdfu_fw_receive(trig, 1, 1000 + 10); /* a second lone byte is traffic too */
	assert_int_equal(stdfu_fw_poll(1000 + 10 + W), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(1000 + 100 * W), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
}

static void test_clock_wraps(void **state)
{
	const uint32_t t = 0xFFFFFFF0u;

	(void)state;
	stdfu_fw_receive(trig, 1, t);
	assert_int_equal(stdfu_fw_poll(t + W - 1), STDFU_FW_REASON_NONE);
	assert_int_equal(stdfu_fw_poll(t + W), STDFU_FW_REASON_BYTE); /* wrapped past 0 */
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

static void test_touch_needs_1200_and_a_drop(void **state)
{
	(void)state;
	/* DTR drop at another rate. */
	stdfu_fw_line_coding(9600, 0);
	stdfu_fw_control_line_state(0x1, 0);
	stdfu_fw_control_line_state(0x0, 10);
	assert_int_equal(stdfu_fw_poll(10 + 4 * TD), STDFU_FW_REASON_NONE);
	/* 1200 set while DTR is already low: no edge, no touch. */
	stdfu_fw_line_coding(STDFU_TRIGGER_TOUCH_BAUD, 2000);
	stdfu_fw_control_line_state(0x0, 2010);
	assert_int_equal(stdfu_fw_poll(2010 + 4 * TD), STDFU_FW_REASON_NONE);
	assert_int_equal(fake.resets, 0);
}

static void test_touch_cancelled(void **state)
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
		cmocka_unit_test_setup(test_byte_inside_traffic_ignored, setup),
		cmocka_unit_test_setup(test_other_lone_byte_ignored, setup),
		cmocka_unit_test_setup(test_needs_silence_before, setup),
		cmocka_unit_test_setup(test_traffic_after_cancels, setup),
		cmocka_unit_test_setup(test_repeated_byte_inside_window_cancels, setup),
		cmocka_unit_test_setup(test_clock_wraps, setup),
		cmocka_unit_test_setup(test_touch_fires_after_delay, setup),
		cmocka_unit_test_setup(test_touch_needs_1200_and_a_drop, setup),
		cmocka_unit_test_setup(test_touch_cancelled, setup),
		cmocka_unit_test_setup(test_request_and_reset_sequence, setup),
		cmocka_unit_test_setup(test_enter_now, setup),
		cmocka_unit_test_setup(test_first_poll_resets_attempts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
