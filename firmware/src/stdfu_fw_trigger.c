/* SPDX-License-Identifier: MIT */
/*
 * The trigger side of the companion: feed the rule (stdfu_trigger_rule.c) in interrupt
 * context, act on its decision in thread context.
 *
 * Concurrency: the interrupt-side entry points are the only writers of the rule state and
 * of the request flag, and bump ev_seq last; stdfu_fw_poll() asks the rule between two
 * reads of ev_seq and asks again if an interrupt ran in between (single core, so an ISR
 * runs to completion).
 */
#include "stdfu_fw.h"
#include "stdfu_fw_port.h"
#include "stdfu_trigger_rule.h"

/* The mark stdfu looks for in an image (<stdfu/trigger_protocol.h>). Kept by the linker
 * snippet; "used" keeps it through the compiler, this file through the link. */
__attribute__((used, section(".stdfu_companion"), aligned(4)))
const struct stdfu_fw_companion stdfu_fw_companion_record = {
	{'S', 'T', 'D', 'F', 'U', '-', 'C', 'R'},
	STDFU_TRIGGER_PROTOCOL_VERSION,
	(uint8_t)STDFU_FW_TRIGGER_BYTE,
	STDFU_COMPANION_RECORD_SIZE,
	0u,
	~STDFU_COMPANION_WORD(STDFU_TRIGGER_PROTOCOL_VERSION, (uint8_t)STDFU_FW_TRIGGER_BYTE, 0u),
};

/* Initialised by the C runtime (.data): valid before the USB interrupt is enabled. */
static volatile struct stdfu_trigger_rule rule = STDFU_TRIGGER_RULE_INIT(STDFU_FW_TRIGGER_BYTE);
static volatile uint32_t ev_seq;
static volatile uint8_t requested;
static uint8_t polled;
static void (*pre_reset_hook)(void);

void stdfu_fw_receive(const uint8_t *buf, uint32_t len, uint32_t now_ms)
{
	stdfu_trigger_rule_rx(&rule, buf, len, now_ms);
	ev_seq = ev_seq + 1u;
}

void stdfu_fw_line_coding(uint32_t baud, uint32_t now_ms)
{
	(void)now_ms;
	stdfu_trigger_rule_line_coding(&rule, baud);
	ev_seq = ev_seq + 1u;
}

void stdfu_fw_control_line_state(uint16_t value, uint32_t now_ms)
{
	stdfu_trigger_rule_control_line(&rule, value, now_ms);
	ev_seq = ev_seq + 1u;
}

void stdfu_fw_request(void)
{
	requested = 1u;
	ev_seq = ev_seq + 1u;
}

void stdfu_fw_set_hook(void (*hook)(void))
{
	pre_reset_hook = hook;
}

static int reason_of(int rule_reason)
{
	switch (rule_reason) {
	case STDFU_TRIGGER_RULE_BYTE:
		return STDFU_FW_REASON_BYTE;
	case STDFU_TRIGGER_RULE_TOUCH:
		return STDFU_FW_REASON_TOUCH;
	default:
		return STDFU_FW_REASON_NONE;
	}
}

/* The rule's decision on a consistent state, or none if interrupts kept racing. */
static int due(uint32_t now_ms)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		uint32_t seq = ev_seq;
		int reason = requested ? (int)STDFU_FW_REASON_REQUEST
				       : reason_of(stdfu_trigger_rule_due(&rule, now_ms, 0));

		if (seq == ev_seq)
			return reason;
	}
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

	if (!polled) {
		/* The application reached its main loop: earlier ROM entries are done with. */
		polled = 1u;
		stdfu_fw_attempts_set(stdfu_fw_port_record(), 0);
	}
	reason = due(now_ms);
	if (reason == STDFU_FW_REASON_NONE)
		return reason;
	/* From thread context, just before the reset: an interrupt racing this can only
	 * re-arm what the reset discards anyway. */
	requested = 0u;
	stdfu_trigger_rule_clear(&rule);
	reset_into_rom();
	return reason;
}

void stdfu_fw_enter_now(void)
{
	reset_into_rom();
}
