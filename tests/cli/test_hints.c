/* SPDX-License-Identifier: MIT */
/*
 * The advice table of the CLI (src/cli/hints.c): every row is reachable with
 * the situation it is written for, and no row says what the situation
 * contradicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/flash.h>

#include "hints.h"

static struct stdfu_cause cause_for(const struct cli_hint *h)
{
	struct stdfu_cause c = {STDFU_CAUSE_NONE, -1, -1, -1, -1, "minicom (pid 42)"};

	if (h->kind != HINT_ANY)
		c.kind = (enum stdfu_cause_kind)h->kind;
	for (int p = 0; p < STDFU_PHASE__COUNT && h->phases && !(h->phases & HINT_NO_PHASE); p++)
		if (h->phases & HINT_PH(p)) {
			c.phase = p;
			break;
		}
	return c;
}

/* Each row wins for its own situation: no row is hidden by one above it. */
static void every_row_is_reached(void **state)
{
	(void)state;
	for (size_t i = 0; i < cli_hints_count; i++) {
		const struct cli_hint *h = &cli_hints[i];
		struct stdfu_cause c = cause_for(h);

		print_message("row %zu: %s\n", i, h->id);
		assert_ptr_equal(cli_hint_find(h->err, &c), h);
	}
}

static void ids_are_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < cli_hints_count; i++)
		for (size_t j = i + 1; j < cli_hints_count; j++)
			assert_string_not_equal(cli_hints[i].id, cli_hints[j].id);
}

/* What is found fills the "%s"; a row with "%s" is keyed to a cause that finds something. */
static void findings_fill_the_text(void **state)
{
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < cli_hints_count; i++) {
		const struct cli_hint *h = &cli_hints[i];
		struct stdfu_cause c = cause_for(h);

		cli_hint_format(h, &c, buf, sizeof(buf));
		assert_null(strstr(buf, "%s"));
		if (strstr(h->text, "%s")) {
			assert_int_not_equal(h->kind, HINT_ANY);
			assert_non_null(strstr(buf, "minicom (pid 42)"));
		}
	}
}

/* Nothing was written before the erase and write phases, or in a read. */
static void no_half_written_without_a_write(void **state)
{
	static const int errs[] = {STDFU_ERR_DFU_STATUS, STDFU_ERR_GONE,    STDFU_ERR_IO,
				   STDFU_ERR_PROTECTED,	 STDFU_ERR_TIMEOUT, STDFU_ERR_PROTOCOL};
	static const int phases[] = {-1, STDFU_PHASE_PREPARE, STDFU_PHASE_READ, STDFU_PHASE_VERIFY};

	(void)state;
	for (size_t e = 0; e < sizeof(errs) / sizeof(errs[0]); e++)
		for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++) {
			struct stdfu_cause c = {STDFU_CAUSE_NONE, phases[p], -1, -1, -1, ""};
			const struct cli_hint *h = cli_hint_find(errs[e], &c);

			if (h)
				assert_null(strstr(h->text, "half-written"));
		}
}

static const char *hint_text(int err, enum stdfu_cause_kind kind, int phase)
{
	struct stdfu_cause c = {kind, phase, -1, -1, -1, "x"};
	const struct cli_hint *h = cli_hint_find(err, &c);

	assert_non_null(h);
	return h->text;
}

/* The examples of the issue: each was advice that contradicted the finding. */
static void the_known_wrong_hints(void **state)
{
	(void)state;
	/* a failed read */
	assert_null(
		strstr(hint_text(STDFU_ERR_DFU_STATUS, STDFU_CAUSE_DEVICE_STATUS, STDFU_PHASE_READ),
		       "half-written"));
	/* a port whose holder stdfu named */
	assert_null(strstr(hint_text(STDFU_ERR_BUSY, STDFU_CAUSE_PORT_HELD, -1), "dfu-util"));
	/* libusb that cannot start */
	assert_null(strstr(hint_text(STDFU_ERR_IO, STDFU_CAUSE_USB_INIT, -1), "cable"));
	/* a board running its application that was told not to be triggered */
	assert_null(strstr(hint_text(STDFU_ERR_NO_DEVICE, STDFU_CAUSE_APP_NOT_TRIGGERED, -1),
			   "BOOT0 high"));
	/* a board running its application answering as one */
	assert_null(strstr(hint_text(STDFU_ERR_PROTOCOL, STDFU_CAUSE_NOT_DFU_MODE, -1), "BOOT0"));
	/* a serial port the user may not open is not a USB udev matter */
	assert_null(strstr(hint_text(STDFU_ERR_ACCESS, STDFU_CAUSE_PORT_DENIED, -1), "udev"));
}

/* Every error class a command can end with has advice, in every phase. */
static void every_error_has_advice(void **state)
{
	(void)state;
	for (int err = STDFU_ERR_ARG; err >= STDFU_ERR_ADDRESS; err--) {
		if (err == STDFU_ERR_NOMEM)
			continue; /* nothing the user can do but retry */
		for (int p = -1; p < STDFU_PHASE__COUNT; p++) {
			struct stdfu_cause c = {STDFU_CAUSE_NONE, p, -1, -1, -1, ""};
			const struct cli_hint *h = cli_hint_find(err, &c);

			print_message("err %d phase %d\n", err, p);
			assert_non_null(h);
			assert_int_equal(h->err, err);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_row_is_reached),
		cmocka_unit_test(ids_are_unique),
		cmocka_unit_test(findings_fill_the_text),
		cmocka_unit_test(no_half_written_without_a_write),
		cmocka_unit_test(the_known_wrong_hints),
		cmocka_unit_test(every_error_has_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
