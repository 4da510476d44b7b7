/* SPDX-License-Identifier: MIT */
/*
 * The trigger rule (firmware/src/stdfu_trigger_rule.c), the one source that both the
 * firmware companion and stdfu-emu's application model compile: the lone byte with its
 * silence windows (<stdfu/trigger_protocol.h> (a) (b) (c)), repeated bytes, traffic in
 * the window, the 1200-baud touch, and the 32-bit millisecond clock wrapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stdfu_trigger_rule.h"

#define W    STDFU_TRIGGER_SILENCE_MS
#define TD   STDFU_TRIGGER_TOUCH_DELAY_MS
#define TRIG STDFU_TRIGGER_BYTE_DEFAULT
#define DTR  STDFU_TRIGGER_TOUCH_DTR_BIT
#define WRAP 0xFFFFFFC0u /* 64 ms before the counter wraps */

static struct stdfu_trigger_rule r;
static const uint8_t trig[1] = {TRIG};

static int boot(void **state)
{
	(void)state;
	stdfu_trigger_rule_init(&r, TRIG);
	return 0;
}

static int due(uint32_t now)
{
	return stdfu_trigger_rule_due(&r, now, NULL);
}

static void rx(const void *buf, uint32_t len, uint32_t now)
{
	stdfu_trigger_rule_rx(&r, buf, len, now);
}

/* The touch: open (DTR up), 1200 baud, DTR dropped at @t. */
static void touch(uint32_t t)
{
	stdfu_trigger_rule_control_line(&r, DTR | 0x2u, t - 2u);
	stdfu_trigger_rule_line_coding(&r, STDFU_TRIGGER_TOUCH_BAUD);
	stdfu_trigger_rule_control_line(&r, 0x2u, t);
}

static void lone_byte_fires_after_the_window(void **state)
{
	uint32_t wait = 99;

	(void)state;
	assert_int_equal(stdfu_trigger_rule_due(&r, 0, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, 0); /* nothing pending */
	rx(trig, 1, 1000);
	assert_int_equal(stdfu_trigger_rule_due(&r, 1000, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, W);
	assert_int_equal(stdfu_trigger_rule_due(&r, 1000 + W - 1, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, 1);
	assert_int_equal(stdfu_trigger_rule_due(&r, 1000 + W, &wait), STDFU_TRIGGER_RULE_BYTE);
	assert_int_equal(wait, 0);
	/* due() only reports; clear() consumes */
	assert_int_equal(due(1000 + 5 * W), STDFU_TRIGGER_RULE_BYTE);
	stdfu_trigger_rule_clear(&r);
	assert_int_equal(due(1000 + 5 * W), STDFU_TRIGGER_RULE_NONE);
}

static void first_chunk_since_boot_needs_no_silence_before(void **state)
{
	(void)state;
	rx(trig, 1, 0); /* at time 0, nothing received before */
	assert_int_equal(due(W), STDFU_TRIGGER_RULE_BYTE);
}

static void byte_inside_a_chunk_is_data(void **state)
{
	static const uint8_t mid[3] = {'a', TRIG, 'b'};
	static const uint8_t first[2] = {TRIG, 'z'};
	static const uint8_t last[2] = {'z', TRIG};
	static const uint8_t twice[2] = {TRIG, TRIG};
	static const uint8_t *chunks[4] = {mid, first, last, twice};
	static const uint32_t lens[4] = {3, 2, 2, 2};
	uint32_t t = 0;

	(void)state;
	for (int i = 0; i < 4; i++) {
		t += 10 * W; /* silence before and after each chunk */
		rx(chunks[i], lens[i], t);
		assert_int_equal(due(t + 5 * W), STDFU_TRIGGER_RULE_NONE);
	}
}

static void other_byte_empty_and_null_chunks_are_no_trigger(void **state)
{
	const uint8_t other[1] = {(uint8_t)(TRIG ^ 0x01u)};

	(void)state;
	rx(other, 1, 500);
	assert_int_equal(due(500 + 10 * W), STDFU_TRIGGER_RULE_NONE);
	/* a zero-length packet or a NULL buffer is no chunk: it cancels nothing either */
	rx(trig, 1, 500 + 20 * W);
	rx(trig, 0, 500 + 20 * W + 1);
	rx(NULL, 1, 500 + 20 * W + 2);
	assert_int_equal(due(500 + 21 * W), STDFU_TRIGGER_RULE_BYTE);
}

static void another_trigger_byte_value(void **state)
{
	(void)state;
	stdfu_trigger_rule_init(&r, 0xAA);
	rx(trig, 1, 0);
	assert_int_equal(due(10 * W), STDFU_TRIGGER_RULE_NONE);
	rx("\xAA", 1, 20 * W);
	assert_int_equal(due(21 * W), STDFU_TRIGGER_RULE_BYTE);
}

static void byte_needs_silence_before(void **state)
{
	static const uint8_t data[4] = {1, 2, 3, 4};

	(void)state;
	rx(data, 4, 1000);
	rx(trig, 1, 1000 + W - 1); /* too soon after traffic */
	assert_int_equal(due(1000 + 10 * W), STDFU_TRIGGER_RULE_NONE);
	rx(data, 4, 5000);
	rx(trig, 1, 5000 + W); /* exactly the window: allowed */
	assert_int_equal(due(5000 + 2 * W - 1), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(5000 + 2 * W), STDFU_TRIGGER_RULE_BYTE);
}

static void traffic_in_the_window_after_cancels(void **state)
{
	(void)state;
	rx(trig, 1, 1000);
	assert_int_equal(due(1000 + W / 2), STDFU_TRIGGER_RULE_NONE);
	rx("ok", 2, 1000 + W - 1); /* the last millisecond of the window still counts */
	assert_int_equal(due(1000 + W), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(1000 + 50 * W), STDFU_TRIGGER_RULE_NONE);
	/* a later lone byte with silence around it starts the rule again from (a) */
	rx(trig, 1, 9000);
	assert_int_equal(due(9000 + W), STDFU_TRIGGER_RULE_BYTE);
}

static void repeated_byte_cancels(void **state)
{
	(void)state;
	/* a second lone trigger byte inside the window is traffic too */
	rx(trig, 1, 1000);
	rx(trig, 1, 1010);
	assert_int_equal(due(1010 + W), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(1000 + 100 * W), STDFU_TRIGGER_RULE_NONE);
	/* a byte every half window forever never fires */
	for (uint32_t t = 20000; t < 20000 + 40 * W; t += W / 2) {
		rx(trig, 1, t);
		assert_int_equal(due(t + W / 2 - 1), STDFU_TRIGGER_RULE_NONE);
	}
	/* the same byte again after a whole quiet window counts */
	rx(trig, 1, 20000 + 40 * W + W);
	assert_int_equal(due(20000 + 42 * W), STDFU_TRIGGER_RULE_BYTE);
}

static void clock_wrap_lone_byte(void **state)
{
	uint32_t wait;

	(void)state;
	rx(trig, 1, WRAP);
	/* before the wrap: a naive "now >= then + window" would already fire here */
	assert_int_equal(due(WRAP + 1), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(0xFFFFFFFFu), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(0), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(stdfu_trigger_rule_due(&r, WRAP + W - 1, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, 1);
	assert_int_equal(due(WRAP + W), STDFU_TRIGGER_RULE_BYTE); /* wrapped past 0 */
}

static void clock_wrap_silence_before_and_after(void **state)
{
	(void)state;
	/* (b) across the wrap: traffic just before 0, the byte just after */
	rx("x", 1, WRAP);
	rx(trig, 1, WRAP + W - 1);
	assert_int_equal(due(WRAP + 10 * W), STDFU_TRIGGER_RULE_NONE);
	stdfu_trigger_rule_init(&r, TRIG);
	rx("x", 1, WRAP);
	rx(trig, 1, WRAP + W);
	assert_int_equal(due(WRAP + 2 * W), STDFU_TRIGGER_RULE_BYTE);
	/* (c) across the wrap: traffic after 0 cancels a byte before it */
	stdfu_trigger_rule_init(&r, TRIG);
	rx(trig, 1, WRAP + 10);
	rx("y", 1, WRAP + W - 1);
	assert_int_equal(due(WRAP + 10 * W), STDFU_TRIGGER_RULE_NONE);
}

static void touch_fires_after_its_delay(void **state)
{
	uint32_t wait;

	(void)state;
	stdfu_trigger_rule_line_coding(&r, 115200);
	touch(30);
	assert_int_equal(stdfu_trigger_rule_due(&r, 30, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, TD);
	assert_int_equal(due(30 + TD - 1), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(30 + TD), STDFU_TRIGGER_RULE_TOUCH);
	stdfu_trigger_rule_clear(&r);
	assert_int_equal(due(30 + 10 * TD), STDFU_TRIGGER_RULE_NONE);
}

static void touch_needs_1200_and_a_falling_edge(void **state)
{
	(void)state;
	/* DTR drop at another rate: an ordinary close */
	stdfu_trigger_rule_line_coding(&r, 9600);
	stdfu_trigger_rule_control_line(&r, DTR, 0);
	stdfu_trigger_rule_control_line(&r, 0, 10);
	assert_int_equal(due(10 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
	/* 1200 set while DTR is already low: no edge */
	stdfu_trigger_rule_line_coding(&r, STDFU_TRIGGER_TOUCH_BAUD);
	stdfu_trigger_rule_control_line(&r, 0, 2010);
	assert_int_equal(due(2010 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
	/* no line coding at all since boot, DTR up then down: no touch */
	stdfu_trigger_rule_init(&r, TRIG);
	stdfu_trigger_rule_control_line(&r, DTR, 0);
	stdfu_trigger_rule_control_line(&r, 0, 10);
	assert_int_equal(due(10 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
	/* RTS alone is not DTR */
	stdfu_trigger_rule_line_coding(&r, STDFU_TRIGGER_TOUCH_BAUD);
	stdfu_trigger_rule_control_line(&r, 0x2u, 20);
	stdfu_trigger_rule_control_line(&r, 0, 30);
	assert_int_equal(due(30 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
}

static void touch_disarmed_by_dtr_or_rate(void **state)
{
	(void)state;
	touch(10);
	stdfu_trigger_rule_control_line(&r, DTR, 10 + TD / 2); /* reopened */
	assert_int_equal(due(10 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
	touch(3000);
	stdfu_trigger_rule_line_coding(&r, 115200); /* rate changed away */
	assert_int_equal(due(3000 + 4 * TD), STDFU_TRIGGER_RULE_NONE);
	/* setting 1200 again does not re-arm: it needs a new DTR edge */
	stdfu_trigger_rule_line_coding(&r, STDFU_TRIGGER_TOUCH_BAUD);
	assert_int_equal(due(3000 + 8 * TD), STDFU_TRIGGER_RULE_NONE);
}

static void touch_is_not_cancelled_by_traffic(void **state)
{
	(void)state;
	touch(100);
	rx("late", 4, 100 + TD / 2);
	assert_int_equal(due(100 + TD), STDFU_TRIGGER_RULE_TOUCH);
}

static void touch_across_the_clock_wrap(void **state)
{
	(void)state;
	touch(WRAP);
	assert_int_equal(due(WRAP + 1), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(WRAP + TD - 1), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(due(WRAP + TD), STDFU_TRIGGER_RULE_TOUCH);
}

static void byte_before_touch_and_earliest_wait(void **state)
{
	uint32_t wait;

	(void)state;
	touch(0);
	rx(trig, 1, TD - W / 2); /* the byte falls due after the touch */
	assert_int_equal(stdfu_trigger_rule_due(&r, TD - W / 2, &wait), STDFU_TRIGGER_RULE_NONE);
	assert_int_equal(wait, W / 2);
	assert_int_equal(due(TD), STDFU_TRIGGER_RULE_TOUCH);
	/* both due: the byte is reported first */
	assert_int_equal(due(TD + W), STDFU_TRIGGER_RULE_BYTE);
}

static void static_initialiser_is_the_boot_state(void **state)
{
	struct stdfu_trigger_rule s = STDFU_TRIGGER_RULE_INIT(TRIG);

	(void)state;
	stdfu_trigger_rule_rx(&s, trig, 1, 0);
	assert_int_equal(stdfu_trigger_rule_due(&s, W, NULL), STDFU_TRIGGER_RULE_BYTE);
}

#define T(f) cmocka_unit_test_setup(f, boot)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(lone_byte_fires_after_the_window),
		T(first_chunk_since_boot_needs_no_silence_before),
		T(byte_inside_a_chunk_is_data),
		T(other_byte_empty_and_null_chunks_are_no_trigger),
		T(another_trigger_byte_value),
		T(byte_needs_silence_before),
		T(traffic_in_the_window_after_cancels),
		T(repeated_byte_cancels),
		T(clock_wrap_lone_byte),
		T(clock_wrap_silence_before_and_after),
		T(touch_fires_after_its_delay),
		T(touch_needs_1200_and_a_falling_edge),
		T(touch_disarmed_by_dtr_or_rate),
		T(touch_is_not_cancelled_by_traffic),
		T(touch_across_the_clock_wrap),
		T(byte_before_touch_and_earliest_wait),
		T(static_initialiser_is_the_boot_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
