/* SPDX-License-Identifier: MIT */
/*
 * The trigger side of the companion: recognise the trigger in interrupt context, act on
 * it in thread context. The rule is the one documented in <stdfu/trigger_protocol.h>.
 *
 * Concurrency: the interrupt-side entry points are the only writers of the event fields
 * and bump ev_seq last; stdfu_fw_poll() copies the fields between two reads of ev_seq and
 * retries if an interrupt ran in between (single core, so an ISR runs to completion).
 */
#include "stdfu_fw.h"
#include "stdfu_fw_port.h"

struct trigger_state {
	volatile uint32_t ev_seq;
	volatile uint32_t last_rx_ms;
	volatile uint32_t cand_ms;
	volatile uint32_t baud;
	volatile uint32_t touch_ms;
	volatile uint8_t rx_seen;
	volatile uint8_t cand;
	volatile uint8_t dtr;
	volatile uint8_t touch_armed;
	volatile uint8_t requested;
	uint8_t polled;
};

struct trigger_snapshot {
	uint32_t cand_ms;
	uint32_t touch_ms;
	uint8_t cand;
	uint8_t touch_armed;
	uint8_t requested;
};

/* Zero-initialised (.bss): valid as soon as the C runtime has started. */
static struct trigger_state st;
static void (*pre_reset_hook)(void);

static int elapsed(uint32_t now, uint32_t then, uint32_t window)
{
	return (uint32_t)(now - then) >= window;
}

void stdfu_fw_receive(const uint8_t *buf, uint32_t len, uint32_t now_ms)
{
	uint32_t seq = st.ev_seq + 1u;
	int quiet_before;

	if (!buf || len == 0)
		return;
	quiet_before = !st.rx_seen || elapsed(now_ms, st.last_rx_ms, STDFU_TRIGGER_SILENCE_MS);
	/* Rule (a)+(b); any later chunk overwrites cand, which is rule (c). */
	st.cand = (uint8_t)(len == 1u && buf[0] == (uint8_t)STDFU_FW_TRIGGER_BYTE && quiet_before);
	st.cand_ms = now_ms;
	st.last_rx_ms = now_ms;
	st.rx_seen = 1;
	st.ev_seq = seq;
}

static void touch_disarm_unless_1200(void)
{
	if (st.baud != STDFU_TRIGGER_TOUCH_BAUD)
		st.touch_armed = 0;
}

void stdfu_fw_line_coding(uint32_t baud, uint32_t now_ms)
{
	(void)now_ms;
	st.baud = baud;
	touch_disarm_unless_1200();
	st.ev_seq = st.ev_seq + 1u;
}

void stdfu_fw_control_line_state(uint16_t value, uint32_t now_ms)
{
	uint8_t dtr = (uint8_t)((value & STDFU_TRIGGER_TOUCH_DTR_BIT) != 0u);

	if (st.dtr && !dtr && st.baud == STDFU_TRIGGER_TOUCH_BAUD) {
		st.touch_ms = now_ms;
		st.touch_armed = 1;
	} else if (dtr) {
		st.touch_armed = 0;
	}
	st.dtr = dtr;
	st.ev_seq = st.ev_seq + 1u;
}

void stdfu_fw_request(void)
{
	st.requested = 1;
	st.ev_seq = st.ev_seq + 1u;
}

void stdfu_fw_set_hook(void (*hook)(void))
{
	pre_reset_hook = hook;
}

/* A consistent copy of the interrupt-written fields, or 0 if interrupts kept racing. */
static int snapshot(struct trigger_snapshot *s)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		uint32_t seq = st.ev_seq;

		s->cand = st.cand;
		s->cand_ms = st.cand_ms;
		s->touch_armed = st.touch_armed;
		s->touch_ms = st.touch_ms;
		s->requested = st.requested;
		if (seq == st.ev_seq)
			return 1;
	}
	return 0;
}

static int due(uint32_t now_ms)
{
	struct trigger_snapshot s;

	if (!snapshot(&s))
		return STDFU_FW_REASON_NONE;
	if (s.requested)
		return STDFU_FW_REASON_REQUEST;
	if (s.cand && elapsed(now_ms, s.cand_ms, STDFU_TRIGGER_SILENCE_MS))
		return STDFU_FW_REASON_BYTE;
	if (s.touch_armed && elapsed(now_ms, s.touch_ms, STDFU_TRIGGER_TOUCH_DELAY_MS))
		return STDFU_FW_REASON_TOUCH;
	return STDFU_FW_REASON_NONE;
}

static void reset_into_rom(void)
{
	volatile struct stdfu_fw_record *rec = stdfu_fw_port_record();

	stdfu_fw_flag_set(rec);
	stdfu_fw_port_dcache_clean(rec, (uint32_t)sizeof(*rec));
	if (pre_reset_hook)
		pre_reset_hook();
	stdfu_fw_port_system_reset();
}

int stdfu_fw_poll(uint32_t now_ms)
{
	int reason;

	if (!st.polled) {
		/* The application reached its main loop: earlier ROM entries are done with. */
		st.polled = 1;
		stdfu_fw_attempts_set(stdfu_fw_port_record(), 0);
	}
	reason = due(now_ms);
	if (reason == STDFU_FW_REASON_NONE)
		return reason;
	st.requested = 0;
	st.cand = 0;
	st.touch_armed = 0;
	reset_into_rom();
	return reason;
}

void stdfu_fw_enter_now(void)
{
	reset_into_rom();
}
