/* SPDX-License-Identifier: MIT */
/*
 * The emulated application's firmware companion: the decision "enter the ROM
 * now". The byte and touch rule is the firmware's own source
 * (firmware/src/stdfu_trigger_rule.c, compiled into this model); this layer
 * adds what the firmware leaves to the application (DFU_DETACH on a runtime
 * interface, --companion none) and the emulator's nanosecond clock, of which
 * the rule sees the low 32 bits in milliseconds as a device's tick counter
 * would. The umockdev glue feeds it what the host does to the application:
 * each chunk of bytes read from the CDC data stream (one read() of the pty
 * stands for one CDC OUT transfer), line-coding and DTR changes, DFU_DETACH
 * on the runtime interface; then calls emu_app_trigger_poll() at the time it
 * asks for and re-enumerates the board as the ROM when it says so.
 */
#ifndef STDFU_EMU_APP_TRIGGER_H
#define STDFU_EMU_APP_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_persona.h"
#include "stdfu_trigger_rule.h"

struct emu_app_trigger_config {
	bool companion;	      /* false (--companion none): every trigger is ignored */
	uint8_t trigger_byte; /* the byte the companion was built with */
	bool runtime_dfu;     /* the app exposes a DFU runtime interface (--runtime-dfu) */
	/* firmware without the companion that enters the ROM on a text command */
	struct emu_persona_config persona;
};

/*
 * Parse --companion SPEC into @cfg (runtime_dfu untouched):
 *   "stdfu"       the companion with the default trigger byte (the default)
 *   "byte=0xNN"   the companion built with another trigger byte
 *   "none"        no companion: the application ignores every trigger
 *   "micropython", "betaflight", "inav", "text:STRING"
 *                 no companion, but firmware that enters the ROM on its own
 *                 text command (app_persona.h)
 * Returns 0, or -1 with a message in @err.
 */
int emu_app_companion_parse(const char *spec, struct emu_app_trigger_config *cfg, char *err,
			    size_t errlen);

enum emu_app_reason {
	EMU_APP_STAY = 0,     /* keep running the application */
	EMU_APP_ENTER_BYTE,   /* the lone trigger byte, followed by silence */
	EMU_APP_ENTER_TOUCH,  /* the 1200-baud touch */
	EMU_APP_ENTER_DETACH, /* DFU_DETACH on the runtime interface */
	EMU_APP_ENTER_TEXT,   /* a personality's own text command */
};

struct emu_app_trigger {
	struct emu_app_trigger_config cfg;
	struct stdfu_trigger_rule rule; /* the lone byte and the 1200-baud touch */
	/* DFU_DETACH */
	bool detach_pending;
	uint64_t detach_ns;
	enum emu_app_reason fired;
};

/* Power-up (or re-enumeration) of the application. */
void emu_app_trigger_init(struct emu_app_trigger *t, const struct emu_app_trigger_config *cfg);

/* One receive chunk (one CDC OUT transfer) of @len > 0 bytes at @now_ns. */
void emu_app_trigger_rx(struct emu_app_trigger *t, const uint8_t *data, size_t len,
			uint64_t now_ns);
/* SET_LINE_CODING: the host set @baud. */
void emu_app_trigger_line_coding(struct emu_app_trigger *t, uint32_t baud, uint64_t now_ns);
/* SET_CONTROL_LINE_STATE: DTR is now @dtr. */
void emu_app_trigger_control_line(struct emu_app_trigger *t, bool dtr, uint64_t now_ns);
/*
 * DFU_DETACH on the runtime interface. Returns false if the request must be
 * stalled (no runtime interface); the descriptor advertises bitWillDetach, so
 * the device detaches on its own at its next main-loop poll.
 */
bool emu_app_trigger_detach(struct emu_app_trigger *t, uint64_t now_ns);

/*
 * The companion's main-loop poll at @now_ns. Returns the reason to enter the
 * ROM now, or EMU_APP_STAY; then *next_ns is the time at which something is
 * due (0 = nothing pending: poll again after the next input).
 */
enum emu_app_reason emu_app_trigger_poll(struct emu_app_trigger *t, uint64_t now_ns,
					 uint64_t *next_ns);

const char *emu_app_reason_name(enum emu_app_reason r);

#endif
