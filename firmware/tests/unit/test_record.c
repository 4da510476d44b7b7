/* SPDX-License-Identifier: MIT */
/* Host unit tests of the flag record and the early-boot decision (stdfu_fw_record.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "stdfu_fw.h"
#include "fake_port.h"

static int setup(void **state)
{
	(void)state;
	fake_port_reset();
	return 0;
}

static void test_set_and_clear(void **state)
{
	uint64_t as64;

	(void)state;
	assert_false(stdfu_fw_flag_valid(&fake.record)); /* zeroed RAM */
	stdfu_fw_flag_set(&fake.record);
	assert_true(stdfu_fw_flag_valid(&fake.record));
	assert_int_equal(fake.record.flag[0], STDFU_TRIGGER_FLAG_MAGIC32);
	assert_int_equal(fake.record.flag[1], STDFU_TRIGGER_FLAG_CHECK32);
	/* The 64-bit variant is the same bytes (little-endian, as every Cortex-M here). */
	memcpy(&as64, fake.record.flag, sizeof(as64));
	assert_true(as64 == STDFU_TRIGGER_FLAG_MAGIC64);
	assert_int_equal(fake.n_events, 1); /* one paired store */
	stdfu_fw_flag_clear(&fake.record);
	assert_false(stdfu_fw_flag_valid(&fake.record));
}

static void test_stale_garbage_rejected(void **state)
{
	static const uint32_t garbage[][2] = {
		{STDFU_TRIGGER_FLAG_MAGIC32, 0x12345678u},
		{STDFU_TRIGGER_FLAG_MAGIC32, STDFU_TRIGGER_FLAG_MAGIC32},
		{0x12345678u, STDFU_TRIGGER_FLAG_CHECK32},
		{STDFU_TRIGGER_FLAG_CHECK32, STDFU_TRIGGER_FLAG_MAGIC32}, /* swapped */
		{0xFFFFFFFFu, 0xFFFFFFFFu},
		{0x00000000u, 0xFFFFFFFFu},
		{0xDEADBEEFu, 0x21524110u}, /* another project's magic and its complement */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		fake.record.flag[0] = garbage[i][0];
		fake.record.flag[1] = garbage[i][1];
		assert_false(stdfu_fw_flag_valid(&fake.record));
		assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 0);
		/* garbage is left alone: it is not ours to interpret */
		assert_int_equal(fake.record.flag[0], garbage[i][0]);
	}
}

static void test_decide_jumps_and_consumes(void **state)
{
	(void)state;
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 1);
	assert_false(stdfu_fw_flag_valid(&fake.record));
	assert_int_equal(stdfu_fw_attempts(&fake.record), 1);
	/* consumed: the next boot is a normal one */
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 0);
}

static void test_decide_reset_cause(void **state)
{
	(void)state;
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 0), 0); /* pin/POR/watchdog */
	assert_false(stdfu_fw_flag_valid(&fake.record));	    /* and it is consumed */
	assert_int_equal(stdfu_fw_attempts(&fake.record), 0);
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, -1), 1); /* family cannot tell */
}

static void test_attempt_counter_bounds(void **state)
{
	uint32_t i;

	(void)state;
	for (i = 1; i <= STDFU_TRIGGER_ATTEMPT_LIMIT; i++) {
		stdfu_fw_flag_set(&fake.record);
		assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 1);
		assert_int_equal(stdfu_fw_attempts(&fake.record), i);
	}
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 0);
	assert_false(stdfu_fw_flag_valid(&fake.record));
	/* still refused until the application's main loop resets the counter */
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 0);
	stdfu_fw_attempts_set(&fake.record, 0);
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 1);
}

static void test_attempt_counter_garbage(void **state)
{
	(void)state;
	fake.record.attempts[0] = 0xFFFFFFF0u; /* huge, but no valid complement */
	fake.record.attempts[1] = 0x12345678u;
	assert_int_equal(stdfu_fw_attempts(&fake.record), 0);
	stdfu_fw_flag_set(&fake.record);
	assert_int_equal(stdfu_fw_boot_decide(&fake.record, 1), 1);
	assert_int_equal(stdfu_fw_attempts(&fake.record), 1);
	assert_int_equal(fake.record.attempts[1], ~1u);
}

/* stdfu_fw_early_boot(): the decision on the port's record and reset cause, then the
 * jump; nothing at all when the decision says boot the application. */
static void test_early_boot_enters_rom_once(void **state)
{
	(void)state;
	fake.reset_cause = 1;
	stdfu_fw_early_boot(); /* no flag */
	assert_int_equal(fake.rom_entries, 0);
	stdfu_fw_flag_set(&fake.record);
	fake.reset_cause = 0; /* power-on or pin reset: the flag is stale */
	stdfu_fw_early_boot();
	assert_int_equal(fake.rom_entries, 0);
	assert_false(stdfu_fw_flag_valid(&fake.record));
	stdfu_fw_flag_set(&fake.record);
	fake.reset_cause = 1;
	stdfu_fw_early_boot();
	assert_int_equal(fake.rom_entries, 1);
	assert_int_equal(fake.events[fake.n_events - 1], EV_ROM);
	assert_false(stdfu_fw_flag_valid(&fake.record));
	stdfu_fw_early_boot(); /* consumed: the next boot is the application's */
	assert_int_equal(fake.rom_entries, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set_and_clear, setup),
		cmocka_unit_test_setup(test_stale_garbage_rejected, setup),
		cmocka_unit_test_setup(test_decide_jumps_and_consumes, setup),
		cmocka_unit_test_setup(test_decide_reset_cause, setup),
		cmocka_unit_test_setup(test_attempt_counter_bounds, setup),
		cmocka_unit_test_setup(test_attempt_counter_garbage, setup),
		cmocka_unit_test_setup(test_early_boot_enters_rom_once, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
