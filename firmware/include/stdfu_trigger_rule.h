/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu_trigger_rule.h
 * @brief The companion's trigger rule as a pure state machine: when a running
 *        application must enter the ROM bootloader.
 *
 * The one implementation of the rule of <stdfu/trigger_protocol.h> (the lone byte with
 * its silence windows, the 1200-baud touch). The firmware companion (stdfu_fw_trigger.c)
 * and stdfu-emu's application model compile this same source, so the emulator cannot
 * pass while the firmware is wrong.
 *
 * C99, freestanding: no globals, no I/O, no clock of its own. The caller owns the state
 * and passes it by pointer, with its millisecond clock (a wrapping 32-bit counter, such
 * as HAL_GetTick()). The state is volatile-qualified in the API so that a firmware may
 * keep it in one object written by its USB interrupt and read by its main loop; a caller
 * without interrupts passes a plain object. The writers (rx, line coding, control line,
 * clear) must not preempt one another: call them from one interrupt priority.
 */
#ifndef STDFU_TRIGGER_RULE_H
#define STDFU_TRIGGER_RULE_H

#include <stdint.h>
#include <stdfu/trigger_protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the rule asks for. */
enum stdfu_trigger_rule_reason {
	STDFU_TRIGGER_RULE_NONE = 0,
	STDFU_TRIGGER_RULE_BYTE = 1, /**< the lone trigger byte, followed by silence */
	STDFU_TRIGGER_RULE_TOUCH = 2 /**< the 1200-baud touch, after its delay */
};

/** The rule's state. Initialise with stdfu_trigger_rule_init() or STDFU_TRIGGER_RULE_INIT. */
struct stdfu_trigger_rule {
	uint32_t last_rx_ms;  /**< arrival of the latest chunk */
	uint32_t byte_ms;     /**< arrival of the pending lone byte */
	uint32_t baud;	      /**< current line coding (0 = none set yet) */
	uint32_t touch_ms;    /**< when DTR fell at the touch rate */
	uint8_t trigger_byte; /**< the byte this companion honours */
	uint8_t rx_seen;      /**< any chunk since boot (rule (b)) */
	uint8_t byte_pending; /**< a lone byte waits out its after-window (rule (c)) */
	uint8_t dtr;	      /**< DTR as last set by the host */
	uint8_t touch_armed;  /**< DTR fell at 1200 baud and nothing disarmed it */
};

/** Static initialiser: the state after boot, honouring @p byte. */
#define STDFU_TRIGGER_RULE_INIT(byte)                           \
	{                                                       \
		0u, 0u, 0u, 0u, (uint8_t)(byte), 0u, 0u, 0u, 0u \
	}

/** Power-up state: nothing received, no line coding, DTR low. */
void stdfu_trigger_rule_init(volatile struct stdfu_trigger_rule *r, uint8_t trigger_byte);

/** One receive chunk (one CDC OUT transfer). A zero length or NULL buffer is no chunk. */
void stdfu_trigger_rule_rx(volatile struct stdfu_trigger_rule *r, const uint8_t *buf, uint32_t len,
			   uint32_t now_ms);

/** CDC SET_LINE_CODING: the new rate in bit/s (dwDTERate). */
void stdfu_trigger_rule_line_coding(volatile struct stdfu_trigger_rule *r, uint32_t baud);

/** CDC SET_CONTROL_LINE_STATE: the request's wValue (bit 0 = DTR). */
void stdfu_trigger_rule_control_line(volatile struct stdfu_trigger_rule *r, uint16_t value,
				     uint32_t now_ms);

/**
 * Is a ROM entry due at @p now_ms? Returns the reason (the byte before the touch), or
 * STDFU_TRIGGER_RULE_NONE; then, if @p wait_ms is not NULL, *wait_ms is the number of
 * milliseconds until something pending falls due (0: nothing pending). Does not change
 * the state: call stdfu_trigger_rule_clear() once the entry is acted on.
 */
int stdfu_trigger_rule_due(const volatile struct stdfu_trigger_rule *r, uint32_t now_ms,
			   uint32_t *wait_ms);

/** Drop what is pending (the entry has been acted on). */
void stdfu_trigger_rule_clear(volatile struct stdfu_trigger_rule *r);

#ifdef __cplusplus
}
#endif

#endif /* STDFU_TRIGGER_RULE_H */
