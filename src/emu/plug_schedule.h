/* SPDX-License-Identifier: MIT */
/*
 * --plug-schedule FILE: when boards are plugged into the emulated bus and
 * pulled out of it, as a fixture's operator does. Pure C (no GLib), so that
 * the parser is unit-tested on its own (tests/emu/test_plug_schedule.c).
 *
 * The file holds lines "<ms> plug <i>" and "<ms> unplug <i>": ms counted
 * from the start of COMMAND, i a board (1..N). '#' starts a comment; blank
 * lines are allowed. A board named in any plug line starts unplugged.
 *
 * "unplug <i> after <n> requests" pulls board i out once it has answered n
 * control requests (as the application and as the ROM, from the start of
 * COMMAND): the same point of a given host run whatever the machine's speed,
 * which a time cannot give under --timing fast. Such a board has no other line.
 */
#ifndef STDFU_EMU_PLUG_SCHEDULE_H
#define STDFU_EMU_PLUG_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest schedule: a day, far more than any test or fixture run needs. */
#define EMU_PLUG_MAX_MS	      86400000u
/* Most requests an "after <n> requests" line may name (a 1 GiB flash is ~1.5M). */
#define EMU_PLUG_MAX_REQUESTS 1000000000u
/* Most boards a schedule names (the emulator's --boards limit). */
#define EMU_PLUG_MAX_BOARDS   32u

struct emu_plug_event {
	uint32_t ms;		 /* from the start of COMMAND */
	unsigned board;		 /* 1-based */
	bool plug;		 /* true: plug in; false: pull out */
	unsigned line;		 /* where the file says so, for messages */
	uint32_t after_requests; /* nonzero: an "after <n> requests" line (ms unused) */
};

struct emu_plug_schedule {
	struct emu_plug_event *ev; /* sorted by ms, file order kept for equal ms */
	size_t n;
	uint32_t starts_unplugged; /* bit i-1: board i has a plug line */
	/* [i-1]: pull board i out once it has answered this many control requests;
	 * 0: never. Those lines are kept here, not in ev (they have no time). */
	uint32_t unplug_after[EMU_PLUG_MAX_BOARDS];
	unsigned unplug_after_line[EMU_PLUG_MAX_BOARDS];
};

/*
 * Parse @text (NUL-terminated) for @nboards boards (1..32). 0 on success;
 * -1 with "line L: what is wrong; how to fix it" in @err. A plug of a
 * board that is already in, or an unplug of one that is out, is an error.
 */
int emu_plug_schedule_parse(const char *text, unsigned nboards, struct emu_plug_schedule *out,
			    char *err, size_t errlen);
void emu_plug_schedule_free(struct emu_plug_schedule *s);

#endif
