/* SPDX-License-Identifier: MIT */
/*
 * The trigger rule of <stdfu/trigger_protocol.h>, letters (a) (b) (c) as there. Every
 * time comparison is "elapsed >= window" on the wrapping 32-bit millisecond counter, so
 * a clock passing 0xFFFFFFFF -> 0 changes nothing. O(1) whatever the chunk length.
 */
#include "stdfu_trigger_rule.h"

static uint32_t since(uint32_t now, uint32_t then)
{
	return (uint32_t)(now - then);
}

void stdfu_trigger_rule_init(volatile struct stdfu_trigger_rule *r, uint8_t trigger_byte)
{
	r->last_rx_ms = 0u;
	r->byte_ms = 0u;
	r->baud = 0u;
	r->touch_ms = 0u;
	r->trigger_byte = trigger_byte;
	r->rx_seen = 0u;
	r->byte_pending = 0u;
	r->dtr = 0u;
	r->touch_armed = 0u;
}

void stdfu_trigger_rule_rx(volatile struct stdfu_trigger_rule *r, const uint8_t *buf, uint32_t len,
			   uint32_t now_ms)
{
	int quiet_before;

	if (!buf || len == 0u)
		return;
	/* (b): nothing in the window before, or nothing at all since boot. */
	quiet_before = !r->rx_seen || since(now_ms, r->last_rx_ms) >= STDFU_TRIGGER_SILENCE_MS;
	/* (a) alone; and any chunk overwrites a pending byte, which is (c). */
	r->byte_pending = (uint8_t)(len == 1u && buf[0] == r->trigger_byte && quiet_before);
	r->byte_ms = now_ms;
	r->last_rx_ms = now_ms;
	r->rx_seen = 1u;
}

void stdfu_trigger_rule_line_coding(volatile struct stdfu_trigger_rule *r, uint32_t baud)
{
	r->baud = baud;
	/* Disarmed if the rate changes away from the touch rate before it fires. */
	if (baud != STDFU_TRIGGER_TOUCH_BAUD)
		r->touch_armed = 0u;
}

void stdfu_trigger_rule_control_line(volatile struct stdfu_trigger_rule *r, uint16_t value,
				     uint32_t now_ms)
{
	uint8_t dtr = (uint8_t)((value & STDFU_TRIGGER_TOUCH_DTR_BIT) != 0u);

	if (r->dtr && !dtr && r->baud == STDFU_TRIGGER_TOUCH_BAUD) {
		/* Armed by DTR falling 1 -> 0 at the touch rate. */
		r->touch_ms = now_ms;
		r->touch_armed = 1u;
	} else if (dtr) {
		/* Disarmed if DTR is raised again (the port was reopened). */
		r->touch_armed = 0u;
	}
	r->dtr = dtr;
}

/* Milliseconds left before @window has passed since @then (0: it has). */
static uint32_t left(uint32_t now, uint32_t then, uint32_t window)
{
	uint32_t e = since(now, then);

	return e >= window ? 0u : window - e;
}

static void earliest(uint32_t *wait, uint32_t ms)
{
	if (*wait == 0u || ms < *wait)
		*wait = ms;
}

int stdfu_trigger_rule_due(const volatile struct stdfu_trigger_rule *r, uint32_t now_ms,
			   uint32_t *wait_ms)
{
	uint32_t wait = 0u;

	if (wait_ms)
		*wait_ms = 0u;
	if (r->byte_pending) {
		uint32_t ms = left(now_ms, r->byte_ms, STDFU_TRIGGER_SILENCE_MS);

		if (ms == 0u)
			return STDFU_TRIGGER_RULE_BYTE;
		earliest(&wait, ms);
	}
	if (r->touch_armed) {
		uint32_t ms = left(now_ms, r->touch_ms, STDFU_TRIGGER_TOUCH_DELAY_MS);

		if (ms == 0u)
			return STDFU_TRIGGER_RULE_TOUCH;
		earliest(&wait, ms);
	}
	if (wait_ms)
		*wait_ms = wait;
	return STDFU_TRIGGER_RULE_NONE;
}

void stdfu_trigger_rule_clear(volatile struct stdfu_trigger_rule *r)
{
	r->byte_pending = 0u;
	r->touch_armed = 0u;
}
