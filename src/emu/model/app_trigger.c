/* SPDX-License-Identifier: MIT */
/*
 * What the firmware companion decides, for the emulated application: the
 * firmware's own rule (stdfu_trigger_rule.c) on the emulator's clock, plus the
 * DFU runtime interface's DETACH, which the firmware leaves to the application.
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
	int persona = emu_persona_parse(spec, &cfg->persona, err, errlen);

	if (persona < 0)
		return -1;
	if (persona > 0 || strcmp(spec, "none") == 0) {
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
	if (err)
		snprintf(err, errlen,
			 "bad --companion '%s': use stdfu, byte=0xNN, none, micropython, "
			 "betaflight, "
			 "inav or text:STRING",
			 spec);
	return -1;
}

/* The device's millisecond tick: the low 32 bits, wrapping as a real one does. */
static uint32_t tick_ms(uint64_t now_ns)
{
	return (uint32_t)(now_ns / MS);
}

void emu_app_trigger_init(struct emu_app_trigger *t, const struct emu_app_trigger_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	stdfu_trigger_rule_init(&t->rule, cfg->trigger_byte);
}

void emu_app_trigger_rx(struct emu_app_trigger *t, const uint8_t *data, size_t len, uint64_t now_ns)
{
	if (!t->cfg.companion || len == 0)
		return;
	/* A chunk is one read() of the pty: far below 4 GiB. */
	stdfu_trigger_rule_rx(&t->rule, data, (uint32_t)len, tick_ms(now_ns));
}

void emu_app_trigger_line_coding(struct emu_app_trigger *t, uint32_t baud, uint64_t now_ns)
{
	(void)now_ns;
	if (t->cfg.companion)
		stdfu_trigger_rule_line_coding(&t->rule, baud);
}

void emu_app_trigger_control_line(struct emu_app_trigger *t, bool dtr, uint64_t now_ns)
{
	if (t->cfg.companion)
		stdfu_trigger_rule_control_line(&t->rule,
						dtr ? (uint16_t)STDFU_TRIGGER_TOUCH_DTR_BIT : 0u,
						tick_ms(now_ns));
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

/* The rule's verdict; *next_ns = the start of the tick at which it falls due. */
static enum emu_app_reason rule_poll(struct emu_app_trigger *t, uint64_t now_ns, uint64_t *next_ns)
{
	uint32_t wait;

	switch (stdfu_trigger_rule_due(&t->rule, tick_ms(now_ns), &wait)) {
	case STDFU_TRIGGER_RULE_BYTE:
		return EMU_APP_ENTER_BYTE;
	case STDFU_TRIGGER_RULE_TOUCH:
		return EMU_APP_ENTER_TOUCH;
	default:
		break;
	}
	if (wait)
		*next_ns = (now_ns / MS + wait) * MS;
	return EMU_APP_STAY;
}

enum emu_app_reason emu_app_trigger_poll(struct emu_app_trigger *t, uint64_t now_ns,
					 uint64_t *next_ns)
{
	/* bitWillDetach: the companion resets at its next main-loop poll. */
	uint64_t detach_at = t->detach_ns + STDFU_TRIGGER_POLL_PERIOD_MS * MS;

	*next_ns = 0;
	if (t->fired)
		return t->fired;
	if (t->detach_pending && now_ns >= detach_at)
		t->fired = EMU_APP_ENTER_DETACH;
	else
		t->fired = rule_poll(t, now_ns, next_ns);
	if (t->fired) {
		*next_ns = 0;
		stdfu_trigger_rule_clear(&t->rule);
		return t->fired;
	}
	if (t->detach_pending && (*next_ns == 0 || detach_at < *next_ns))
		*next_ns = detach_at;
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
	case EMU_APP_ENTER_TEXT:
		return "text command";
	default:
		return "none";
	}
}
