/* SPDX-License-Identifier: MIT */
/*
 * Application personalities: the emulated application is firmware that has
 * never heard of stdfu but enters the ROM on a text command of its own
 * (--companion micropython|betaflight|inav|text:STRING). Pure C: each chunk the
 * host sends goes in, the bytes the firmware answers come out (taken by the
 * glue and written to the tty), and the model says when the firmware has
 * decided to reset into the ROM.
 */
#ifndef STDFU_EMU_APP_PERSONA_H
#define STDFU_EMU_APP_PERSONA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum emu_persona_kind {
	EMU_PERSONA_NONE = 0,	 /* the stdfu companion (or none): no text at all */
	EMU_PERSONA_MICROPYTHON, /* MicroPython's REPL and raw REPL */
	EMU_PERSONA_BETAFLIGHT,	 /* Betaflight's MSP port and CLI */
	EMU_PERSONA_INAV,	 /* INAV's: the same CLI, with dfu instead of bl */
	EMU_PERSONA_TEXT,	 /* an application waiting for one text command */
};

#define EMU_PERSONA_TEXT_MAX 64
#define EMU_PERSONA_OUT_MAX  4096
#define EMU_PERSONA_LINE_MAX 256

struct emu_persona_config {
	enum emu_persona_kind kind;
	uint8_t text[EMU_PERSONA_TEXT_MAX]; /* text: the command, escapes decoded */
	size_t text_len;
};

struct emu_persona {
	struct emu_persona_config cfg;
	int mode;			 /* per personality (app_persona.c) */
	char line[EMU_PERSONA_LINE_MAX]; /* the line or raw-REPL input being typed */
	size_t line_len;
	bool mp_machine, mp_time;	    /* MicroPython: modules imported (globals) */
	uint8_t seen[EMU_PERSONA_TEXT_MAX]; /* text: the latest bytes received */
	size_t seen_len;
	uint8_t out[EMU_PERSONA_OUT_MAX]; /* answered, not yet taken by the glue */
	size_t out_len;
	bool enter;	   /* the firmware decided to enter the ROM */
	uint64_t enter_ns; /* ... at this time */
};

/*
 * Parse "micropython", "betaflight", "inav" or "text:STRING" (C escapes: \r \n \t \\
 * \" \' \a \b \e \f \v \0, \xHH, \NNN octal). Returns 1 if @spec names a
 * personality, 0 if it names none (another --companion form), -1 with a
 * message in @err if it is a malformed one.
 */
int emu_persona_parse(const char *spec, struct emu_persona_config *cfg, char *err, size_t errlen);

void emu_persona_init(struct emu_persona *p, const struct emu_persona_config *cfg);
/* One chunk the host sent at @now_ns. */
void emu_persona_rx(struct emu_persona *p, const uint8_t *buf, size_t len, uint64_t now_ns);
/* True once the ROM entry is due at @now_ns; else *next_ns = when (0: none). */
bool emu_persona_due(const struct emu_persona *p, uint64_t now_ns, uint64_t *next_ns);
/* Move up to @cap answered bytes into @buf; returns how many. */
size_t emu_persona_take(struct emu_persona *p, uint8_t *buf, size_t cap);

#endif
