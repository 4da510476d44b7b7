/* SPDX-License-Identifier: MIT */
/* GETSTATUS parsing (including lying replies), the functional descriptor, poll policies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/dfu.h>

static void status_ok(void **state)
{
	const uint8_t busy[6] = {0, 100, 0, 0, STDFU_STATE_DFU_DNBUSY, 0};
	const uint8_t err[6] = {STDFU_STATUS_ERR_PROG, 0, 0, 0, STDFU_STATE_DFU_ERROR, 7};
	struct stdfu_dfu_status st;

	(void)state;
	assert_int_equal(stdfu_dfu_status_parse(busy, 6, &st), STDFU_OK);
	assert_int_equal(st.poll_timeout_ms, 100);
	assert_int_equal(st.state, STDFU_STATE_DFU_DNBUSY);
	assert_false(st.poll_clamped);
	assert_int_equal(stdfu_dfu_status_parse(err, 6, &st), STDFU_OK);
	assert_int_equal(st.status, STDFU_STATUS_ERR_PROG);
	assert_int_equal(st.istring, 7);
	assert_string_equal(stdfu_dfu_status_name(st.status), "errPROG");
	assert_string_equal(stdfu_dfu_state_name(st.state), "dfuERROR");
	assert_string_equal(stdfu_dfu_state_name(STDFU_STATE_DFU_DNLOAD_IDLE), "dfuDNLOAD-IDLE");
	assert_string_equal(stdfu_dfu_status_name(STDFU_STATUS_ERR_VENDOR), "errVENDOR");
	assert_string_equal(stdfu_dfu_status_name(99), "unknown");
	assert_string_equal(stdfu_dfu_state_name(-1), "unknown");
}

static void status_lies(void **state)
{
	const uint8_t unknown_state[6] = {0, 0, 0, 0, 11, 0};
	const uint8_t unknown_status[6] = {16, 0, 0, 0, STDFU_STATE_DFU_ERROR, 0};
	const uint8_t absurd_poll[6] = {0, 0xff, 0xff, 0xff, STDFU_STATE_DFU_DNBUSY, 0};
	const uint8_t ok[8] = {0, 0, 0, 0, STDFU_STATE_DFU_IDLE, 0, 0, 0};
	struct stdfu_dfu_status st;

	(void)state;
	assert_int_equal(stdfu_dfu_status_parse(ok, 5, &st), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_status_parse(ok, 0, &st), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_status_parse(ok, 7, &st), STDFU_ERR_PROTOCOL);
	assert_non_null(strstr(stdfu_error_detail(), "7 bytes"));
	assert_int_equal(stdfu_dfu_status_parse(unknown_state, 6, &st), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_status_parse(unknown_status, 6, &st), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_status_parse(absurd_poll, 6, &st), STDFU_OK);
	assert_true(st.poll_clamped);
	assert_int_equal(st.poll_timeout_ms, STDFU_POLL_TIMEOUT_MAX_MS);
	assert_int_equal(stdfu_dfu_status_parse(NULL, 6, &st), STDFU_ERR_ARG);
}

static void functional(void **state)
{
	/* F4: an unrelated descriptor first, then 0x21 with bmAttributes 0x0B. */
	const uint8_t f4[] = {3, 0x99, 0, 9, 0x21, 0x0b, 0xff, 0, 0x00, 0x08, 0x1a, 0x01};
	const uint8_t dfu10[] = {7, 0x21, 0x0b, 0xff, 0, 0x00, 0x04};
	const uint8_t zero_ts[] = {9, 0x21, 0x0b, 0xff, 0, 0, 0, 0x1a, 0x01};
	const uint8_t huge_ts[] = {9, 0x21, 0x0b, 0xff, 0, 0xff, 0xff, 0x1a, 0x01};
	const uint8_t truncated[] = {9, 0x21, 0x0b, 0xff};
	const uint8_t short_len[] = {5, 0x21, 0x0b, 0xff, 0};
	const uint8_t zero_len[] = {0, 0x21, 0, 0};
	const uint8_t none[] = {3, 0x99, 0};
	struct stdfu_dfu_functional f;

	(void)state;
	assert_int_equal(stdfu_dfu_functional_parse(f4, sizeof(f4), &f), STDFU_OK);
	assert_int_equal(f.transfer_size, 2048);
	assert_int_equal(f.bcd_dfu, 0x011a);
	assert_int_equal(f.attributes, 0x0b);
	assert_int_equal(f.detach_timeout_ms, 255);
	assert_int_equal(stdfu_dfu_functional_parse(dfu10, sizeof(dfu10), &f), STDFU_OK);
	assert_int_equal(f.transfer_size, 1024);
	assert_int_equal(f.bcd_dfu, 0x0100);
	assert_int_equal(stdfu_dfu_functional_parse(zero_ts, sizeof(zero_ts), &f),
			 STDFU_ERR_PROTOCOL);
	assert_non_null(strstr(stdfu_error_detail(), "wTransferSize 0"));
	assert_int_equal(stdfu_dfu_functional_parse(huge_ts, sizeof(huge_ts), &f),
			 STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_functional_parse(truncated, sizeof(truncated), &f),
			 STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_functional_parse(short_len, sizeof(short_len), &f),
			 STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_functional_parse(zero_len, sizeof(zero_len), &f),
			 STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_functional_parse(none, sizeof(none), &f), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_dfu_functional_parse(NULL, 0, &f), STDFU_ERR_PROTOCOL);
}

static void poll_spec(void **state)
{
	struct stdfu_poll p;

	(void)state;
	stdfu_poll_begin(&p, STDFU_POLL_SPEC, 100, 5000000);
	assert_int_equal(stdfu_poll_next(&p, 0, false, 100), 100000);	 /* waits bwPollTimeout */
	assert_int_equal(stdfu_poll_next(&p, 100000, false, 50), 50000); /* the latest one */
	/* A device that keeps saying "busy, 0 ms" is not polled in a tight loop. */
	assert_int_equal(stdfu_poll_next(&p, 150000, false, 0), 1000);
	/* Never past the budget. */
	assert_int_equal(stdfu_poll_next(&p, 4990000, false, 100), 10000);
	assert_int_equal(stdfu_poll_next(&p, 5000000, false, 100), -1);
}

/* bwPollTimeout of a minute for a block write: a lie, polled early (D9). */
static void poll_spec_implausible(void **state)
{
	struct stdfu_poll p;

	(void)state;
	stdfu_poll_begin(&p, STDFU_POLL_SPEC, 60000, 5000000);
	assert_int_equal(stdfu_poll_next(&p, 0, false, 60000), 0);
	assert_true(p.implausible);
	assert_true(stdfu_poll_next(&p, 1000, false, 60000) <= STDFU_POLL_EARLY_MAX_US);
	/* within the budget it is obeyed */
	stdfu_poll_begin(&p, STDFU_POLL_SPEC, 4000, 5000000);
	assert_int_equal(stdfu_poll_next(&p, 0, false, 4000), 4000000);
	assert_false(p.implausible);
}

static void poll_early(void **state)
{
	struct stdfu_poll p;
	int64_t prev = 0;

	(void)state;
	stdfu_poll_begin(&p, STDFU_POLL_EARLY, 100, 5000000);
	/* F4 NAKs until done: the first ask is immediate. */
	assert_int_equal(stdfu_poll_next(&p, 0, false, 100), 0);
	/* Then a bounded exponential backoff. */
	for (int i = 0; i < 20; i++) {
		int64_t d = stdfu_poll_next(&p, 1000, false, 100);
		assert_true(d >= prev);
		assert_true(d >= STDFU_POLL_EARLY_MIN_US);
		assert_true(d <= STDFU_POLL_EARLY_MAX_US);
		prev = d;
	}
	assert_int_equal(prev, STDFU_POLL_EARLY_MAX_US);
	assert_int_equal(stdfu_poll_next(&p, 5000000, false, 100), -1);
}

static void poll_early_stall(void **state)
{
	struct stdfu_poll p;

	(void)state;
	/* L4: GETSTATUS stalls while busy; a stall backs off instead of re-asking at once. */
	stdfu_poll_begin(&p, STDFU_POLL_EARLY, 5, 1000000);
	assert_int_equal(stdfu_poll_next(&p, 0, true, 5), STDFU_POLL_EARLY_MIN_US);
	assert_int_equal(p.stalls, 1);
	for (int i = 0; i < 10; i++)
		assert_true(stdfu_poll_next(&p, 100, true, 5) <= 5000); /* never beyond 5 ms */
	assert_int_equal(p.stalls, 11);
	/* Stalls are bounded by the budget like every other busy reply. */
	assert_int_equal(stdfu_poll_next(&p, 1000000, true, 5), -1);
}

static void policy_names(void **state)
{
	enum stdfu_poll_policy pol;

	(void)state;
	assert_int_equal(stdfu_poll_policy_parse("spec", &pol), STDFU_OK);
	assert_int_equal(pol, STDFU_POLL_SPEC);
	assert_int_equal(stdfu_poll_policy_parse("early", &pol), STDFU_OK);
	assert_int_equal(pol, STDFU_POLL_EARLY);
	assert_int_equal(stdfu_poll_policy_parse("fast", &pol), STDFU_ERR_ARG);
	assert_string_equal(stdfu_poll_policy_name(STDFU_POLL_SPEC), "spec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_ok),
		cmocka_unit_test(status_lies),
		cmocka_unit_test(functional),
		cmocka_unit_test(poll_spec),
		cmocka_unit_test(poll_spec_implausible),
		cmocka_unit_test(poll_early),
		cmocka_unit_test(poll_early_stall),
		cmocka_unit_test(policy_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
