/* SPDX-License-Identifier: MIT */
/*
 * What the firmware companion decides, for the emulated application. The
 * rules are those of include/stdfu/trigger_protocol.h, quoted where applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/trigger_protocol.h>

#include "app_trigger.h"

#define MS 1000000ull

int emu_app_companion_parse(const char *spec, struct emu_app_trigger_config *cfg, char *err,
			    size_t errlen)
{
	if (strcmp(spec, "none") == 0) {
		cfg->companion = false;
		cfg->trigger_byte = STDFU_TRIGGER_BYTE_DEFAULT;
		return 0;
	}
	if (strcmp(spec, "stdfu") == 0) {
		cfg->companion = true;
		cfg->trigger_byte = STDFU_TRIGGER_BYTE_DEFAULT;
		return 0;
	}
	if (strncmp(spec, "byte=", 5) == 0) {
		char *end;
		unsigned long v = strtoul(spec + 5, &end, 0);
		if (spec[5] && !*end && v <= 0xFF) {
			cfg->companion = true;
			cfg->trigger_byte = (uint8_t)v;
			return 0;
		}
	}
	snprintf(err, errlen, "bad --companion '%s': use stdfu, byte=0xNN or none", spec);
	return -1;
}

void emu_app_trigger_init(struct emu_app_trigger *t, const struct emu_app_trigger_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	/* CubeMX's CDC default line coding until the host sets one. */
	t->baud = 115200;
	t->dtr = false;
}

void emu_app_trigger_rx(struct emu_app_trigger *t, const uint8_t *data, size_t len, uint64_t now_ns)
{
	/* (b) preceded by silence: nothing received in the window before it, or
	 * nothing received at all since boot. */
	bool quiet_before = !t->rx_seen || now_ns - t->last_rx_ns >= STDFU_TRIGGER_SILENCE_MS * MS;

	t->rx_seen = true;
	t->last_rx_ns = now_ns;
	/* (c) any chunk in the window after the byte cancels it. */
	t->byte_pending = false;
	if (!t->cfg.companion || len == 0)
		return;
	/* (a) alone: the whole chunk is the one trigger byte. */
	if (len == 1 && data[0] == t->cfg.trigger_byte && quiet_before) {
		t->byte_pending = true;
		t->byte_ns = now_ns;
	}
}

void emu_app_trigger_line_coding(struct emu_app_trigger *t, uint32_t baud, uint64_t now_ns)
{
	(void)now_ns;
	t->baud = baud;
	/* "disarms if ... the rate changes away from 1200 before it fires" */
	if (baud != STDFU_TRIGGER_TOUCH_BAUD)
		t->touch_armed = false;
}

void emu_app_trigger_control_line(struct emu_app_trigger *t, bool dtr, uint64_t now_ns)
{
	bool was = t->dtr;

	t->dtr = dtr;
	if (!t->cfg.companion)
		return;
	if (dtr) {
		t->touch_armed = false; /* "disarms if DTR is raised again" */
		return;
	}
	/* "arms when it sees DTR fall from 1 to 0 while the line coding is 1200" */
	if (was && t->baud == STDFU_TRIGGER_TOUCH_BAUD) {
		t->touch_armed = true;
		t->touch_ns = now_ns;
	}
}

bool emu_app_trigger_detach(struct emu_app_trigger *t, uint64_t now_ns)
{
	if (!t->cfg.runtime_dfu)
		return false;
	/* Without a companion the runtime interface still answers (it is part of
	 * the application's descriptors) but nothing acts on it. */
	if (t->cfg.companion && !t->detach_pending) {
		t->detach_pending = true;
		t->detach_ns = now_ns;
	}
	return true;
}

static void earliest(uint64_t *next, uint64_t at)
{
	if (*next == 0 || at < *next)
		*next = at;
}

enum emu_app_reason emu_app_trigger_poll(struct emu_app_trigger *t, uint64_t now_ns,
					 uint64_t *next_ns)
{
	uint64_t byte_at = t->byte_ns + STDFU_TRIGGER_SILENCE_MS * MS;
	uint64_t touch_at = t->touch_ns + STDFU_TRIGGER_TOUCH_DELAY_MS * MS;
	/* bitWillDetach: the companion resets at its next main-loop poll. */
	uint64_t detach_at = t->detach_ns + STDFU_TRIGGER_POLL_PERIOD_MS * MS;

	*next_ns = 0;
	if (t->fired)
		return t->fired;
	if (t->detach_pending && now_ns >= detach_at)
		t->fired = EMU_APP_ENTER_DETACH;
	else if (t->byte_pending && now_ns >= byte_at)
		t->fired = EMU_APP_ENTER_BYTE;
	else if (t->touch_armed && now_ns >= touch_at)
		t->fired = EMU_APP_ENTER_TOUCH;
	if (t->fired)
		return t->fired;
	if (t->detach_pending)
		earliest(next_ns, detach_at);
	if (t->byte_pending)
		earliest(next_ns, byte_at);
	if (t->touch_armed)
		earliest(next_ns, touch_at);
	return EMU_APP_STAY;
}

const char *emu_app_reason_name(enum emu_app_reason r)
{
	switch (r) {
	case EMU_APP_ENTER_BYTE:
		return "trigger byte";
	case EMU_APP_ENTER_TOUCH:
		return "1200-baud touch";
	case EMU_APP_ENTER_DETACH:
		return "DFU_DETACH";
	default:
		return "none";
	}
}
