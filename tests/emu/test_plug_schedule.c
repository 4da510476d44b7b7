/* SPDX-License-Identifier: MIT */
/* Unit tests of the --plug-schedule parser (src/emu/plug_schedule.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plug_schedule.h"

static char err[400];

static struct emu_plug_schedule ok(const char *text, unsigned nboards)
{
	struct emu_plug_schedule s;

	err[0] = '\0';
	if (emu_plug_schedule_parse(text, nboards, &s, err, sizeof(err)))
		fail_msg("parse failed: %s", err);
	return s;
}

/* The parse fails, and the message starts with "line L:" and holds @what. */
static void bad(const char *text, unsigned nboards, unsigned line, const char *what)
{
	struct emu_plug_schedule s;
	char want[32];

	err[0] = '\0';
	assert_int_equal(emu_plug_schedule_parse(text, nboards, &s, err, sizeof(err)), -1);
	assert_null(s.ev);
	snprintf(want, sizeof(want), "line %u: ", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, what))
		fail_msg("want '%s...%s', got '%s'", want, what, err);
}

static void empty_file(void **state)
{
	struct emu_plug_schedule s = ok("", 4);

	(void)state;
	assert_int_equal(s.n, 0);
	assert_int_equal(s.starts_unplugged, 0);
	s = ok("# nothing\n\n   \t\n", 4);
	assert_int_equal(s.n, 0);
}

static void events_sorted_with_comments(void **state)
{
	struct emu_plug_schedule s =
		ok("# fixture\n1500 unplug 2 # pulled\n0 plug 2\r\n 500\tplug   3\n3000 plug 2", 3);

	(void)state;
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ev[0].ms, 0);
	assert_int_equal(s.ev[0].board, 2);
	assert_true(s.ev[0].plug);
	assert_int_equal(s.ev[0].line, 3);
	assert_int_equal(s.ev[1].ms, 500);
	assert_int_equal(s.ev[1].board, 3);
	assert_int_equal(s.ev[2].ms, 1500);
	assert_false(s.ev[2].plug);
	assert_int_equal(s.ev[2].line, 2);
	assert_int_equal(s.ev[3].ms, 3000);
	assert_int_equal(s.ev[3].line, 5);
	/* boards 2 and 3 have plug lines: they start unplugged; board 1 does not */
	assert_int_equal(s.starts_unplugged, 0x6);
	emu_plug_schedule_free(&s);
	assert_null(s.ev);
}

/* A board with no plug line starts on the bus and can be pulled out. */
static void unplug_only(void **state)
{
	struct emu_plug_schedule s = ok("700 unplug 1\n", 1);

	(void)state;
	assert_int_equal(s.n, 1);
	assert_int_equal(s.starts_unplugged, 0);
	emu_plug_schedule_free(&s);
}

/* Equal times keep the file's order, which the state check relies on. */
static void equal_times_keep_order(void **state)
{
	struct emu_plug_schedule s = ok("100 plug 1\n100 unplug 1\n100 plug 1\n", 1);

	(void)state;
	assert_int_equal(s.n, 3);
	assert_true(s.ev[0].plug && !s.ev[1].plug && s.ev[2].plug);
	emu_plug_schedule_free(&s);
}

static void thirty_two_boards(void **state)
{
	char text[2048] = "";

	(void)state;
	for (unsigned i = 1; i <= 32; i++) {
		char l[32];

		snprintf(l, sizeof(l), "%u plug %u\n", i * 100, i);
		strcat(text, l);
	}
	struct emu_plug_schedule s = ok(text, 32);
	assert_int_equal(s.n, 32);
	assert_int_equal(s.starts_unplugged, 0xFFFFFFFFu);
	emu_plug_schedule_free(&s);
}

/* "unplug <i> after <n> requests": kept apart from the timed events, per board. */
static void request_counts(void **state)
{
	struct emu_plug_schedule s =
		ok("# board 2 mid-flash\nunplug 2 after 700 requests\n0 plug 3\n"
		   "unplug   1 after 1 requests # at once\n",
		   3);

	(void)state;
	assert_int_equal(s.n, 1); /* only the timed line is an event */
	assert_int_equal(s.ev[0].board, 3);
	assert_int_equal(s.unplug_after[0], 1);
	assert_int_equal(s.unplug_after[1], 700);
	assert_int_equal(s.unplug_after[2], 0);
	assert_int_equal(s.unplug_after_line[1], 2);
	assert_int_equal(s.unplug_after_line[0], 4);
	/* a request count does not make a board start unplugged */
	assert_int_equal(s.starts_unplugged, 0x4);
	emu_plug_schedule_free(&s);
	assert_int_equal(s.unplug_after[1], 0);
	s = ok("unplug 32 after 1000000000 requests\n", 32);
	assert_int_equal(s.unplug_after[31], 1000000000u);
	emu_plug_schedule_free(&s);
}

static void bad_request_counts(void **state)
{
	(void)state;
	bad("plug 1 after 5 requests\n", 1, 1, "only an unplug");
	bad("unplug 1 before 5 requests\n", 1, 1, "'unplug <i> after <n> requests'");
	bad("unplug 1 after 5 reqs\n", 1, 1, "5 words");
	bad("unplug 3 after 5 requests\n", 2, 1, "board '3' does not exist");
	bad("unplug 1 after 0 requests\n", 1, 1, "'0' is not a request count");
	bad("unplug 1 after 1000000001 requests\n", 1, 1, "not a request count");
	bad("unplug 1 after -1 requests\n", 1, 1, "not a request count");
	bad("unplug 1 after 5\n", 1, 1, "5 words");
	bad("unplug 1 after 5 requests\n\nunplug 1 after 9 requests\n", 1, 3,
	    "board 1 already has a request count (line 1)");
	/* no timed line for such a board: its state at a time is not known */
	bad("unplug 2 after 5 requests\n100 plug 1\n900 plug 2\n", 2, 3,
	    "board 2 is pulled out after 5 requests (line 1)");
	bad("500 unplug 1\nunplug 1 after 5 requests\n", 1, 1, "no timed line");
}

static void bad_lines(void **state)
{
	(void)state;
	bad("0 plug 1\nplug 1\n", 2, 2, "3 words");
	bad("0 plug 1 2\n", 2, 1, "3 words");
	bad("\n\n-5 plug 1\n", 2, 3, "'-5' is not a time");
	bad("1.5 plug 1\n", 2, 1, "not a time");
	bad("86400001 plug 1\n", 2, 1, "not a time");
	bad("99999999999 plug 1\n", 2, 1, "not a time");
	bad("0x10 plug 1\n", 2, 1, "not a time");
	bad("10 insert 1\n", 2, 1, "neither 'plug' nor 'unplug'");
	bad("10 PLUG 1\n", 2, 1, "neither");
	bad("10 plug 3\n", 2, 1, "board '3' does not exist");
	bad("10 plug 0\n", 2, 1, "board '0' does not exist");
	bad("10 plug one\n", 2, 1, "does not exist");
	bad("10 plug +1\n", 2, 1, "does not exist");
}

static void bad_order(void **state)
{
	(void)state;
	/* sorted by time: the 200 ms plug comes second and finds it in */
	bad("0 plug 1\n200 plug 1\n", 2, 2, "board 1 is already plugged in at 200 ms");
	bad("0 unplug 2\n10 unplug 2\n", 2, 2, "board 2 is already unplugged at 10 ms");
	/* a board with a plug line starts out: pulling it first is a mistake */
	bad("500 plug 1\n100 unplug 1\n", 2, 2, "plug it in first (e.g. '0 plug 1')");
}

static void long_line(void **state)
{
	char text[400];

	(void)state;
	memset(text, ' ', sizeof(text));
	memcpy(text + 300, "0 plug 1", 9);
	bad(text, 1, 1, "longer than 255");
}

static void board_count(void **state)
{
	struct emu_plug_schedule s;

	(void)state;
	assert_int_equal(emu_plug_schedule_parse("", 0, &s, err, sizeof(err)), -1);
	assert_int_equal(emu_plug_schedule_parse("", 33, &s, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_file),	      cmocka_unit_test(events_sorted_with_comments),
		cmocka_unit_test(unplug_only),	      cmocka_unit_test(equal_times_keep_order),
		cmocka_unit_test(thirty_two_boards),  cmocka_unit_test(bad_lines),
		cmocka_unit_test(bad_order),	      cmocka_unit_test(long_line),
		cmocka_unit_test(board_count),	      cmocka_unit_test(request_counts),
		cmocka_unit_test(bad_request_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
