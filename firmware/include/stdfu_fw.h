/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu_fw.h
 * @brief stdfu firmware companion: take a running STM32 application into its ROM
 *        USB DFU bootloader on the stdfu trigger, safely.
 *
 * C99, freestanding, no HAL, no CMSIS. The trigger rule, timings and flag values come
 * from <stdfu/trigger_protocol.h>, the header the stdfu host includes too.
 *
 * Contexts:
 *  - stdfu_fw_receive(), stdfu_fw_line_coding(), stdfu_fw_control_line_state() and
 *    stdfu_fw_request() are ISR-safe: call them from the USB interrupt (the CDC class
 *    callbacks). They never block and run in O(1) whatever the chunk length. All of
 *    them must be called from the same interrupt priority (the USB interrupt).
 *  - stdfu_fw_poll() and stdfu_fw_enter_now() run in thread context (main loop). They
 *    are where the reset happens, never in the interrupt: the ROM must start in thread
 *    mode with USB interrupts able to preempt it.
 *  - stdfu_fw_early_boot() runs first thing in Reset_Handler (before .data/.bss init
 *    and clocks). It uses only its stack and the no-init flag record.
 */
#ifndef STDFU_FW_H
#define STDFU_FW_H

#include <stdint.h>
#include <stdfu/trigger_protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Trigger byte the firmware honours; must match the host's --trigger-byte. */
#ifndef STDFU_FW_TRIGGER_BYTE
#define STDFU_FW_TRIGGER_BYTE STDFU_TRIGGER_BYTE_DEFAULT
#endif

/** Why a reset into the ROM was (or would be) performed. */
enum stdfu_fw_reason {
	STDFU_FW_REASON_NONE = 0,
	STDFU_FW_REASON_BYTE = 1,   /**< lone trigger byte followed by silence */
	STDFU_FW_REASON_TOUCH = 2,  /**< 1200-baud touch (DTR dropped at 1200 baud) */
	STDFU_FW_REASON_REQUEST = 3 /**< stdfu_fw_request() from the application */
};

/**
 * The reset-surviving record, placed in RAM that startup code does not touch
 * (section ".noinit.stdfu_fw", see firmware/ld/stdfu_fw_noinit.ld, or a fixed address
 * with -DSTDFU_FW_RECORD_ADDR=0x...). 8-byte aligned: each pair is one 64-bit word.
 */
struct stdfu_fw_record {
	uint32_t flag[2];     /**< { MAGIC32, CHECK32 } when a ROM entry is requested */
	uint32_t attempts[2]; /**< { n, ~n }: consecutive entries without a main loop */
};

/**
 * The companion record (<stdfu/trigger_protocol.h>): in flash, in section
 * ".stdfu_companion", which INCLUDE stdfu_fw_noinit.ld keeps. It marks the image as one
 * that can be triggered again, so that stdfu warns before flashing an image without it.
 */
struct stdfu_fw_companion {
	char magic[STDFU_COMPANION_MAGIC_LEN]; /**< STDFU_COMPANION_MAGIC, no NUL */
	uint8_t version;		       /**< STDFU_TRIGGER_PROTOCOL_VERSION */
	uint8_t trigger_byte;		       /**< STDFU_FW_TRIGGER_BYTE */
	uint8_t size;			       /**< STDFU_COMPANION_RECORD_SIZE */
	uint8_t flags;			       /**< 0 */
	uint32_t check;			       /**< ~ of the word at offset 8 */
};
extern const struct stdfu_fw_companion stdfu_fw_companion_record;

/** CDC receive callback (CDC_Receive_FS): every received chunk, before any other use. */
void stdfu_fw_receive(const uint8_t *buf, uint32_t len, uint32_t now_ms);
/** CDC SET_LINE_CODING: the new rate in bit/s (dwDTERate). */
void stdfu_fw_line_coding(uint32_t baud, uint32_t now_ms);
/** CDC SET_CONTROL_LINE_STATE: the request's wValue (bit 0 = DTR, bit 1 = RTS). */
void stdfu_fw_control_line_state(uint16_t value, uint32_t now_ms);
/** Ask for a ROM entry from interrupt context; performed by the next stdfu_fw_poll(). */
void stdfu_fw_request(void);

/**
 * Main loop, at least every STDFU_TRIGGER_POLL_PERIOD_MS. When a trigger is due it
 * writes the flag, cleans the D-cache, calls the hook and resets: it does not return.
 * Returns STDFU_FW_REASON_NONE otherwise. (In the host unit-test build the fake reset
 * returns, and poll returns the reason.)
 */
int stdfu_fw_poll(uint32_t now_ms);

/**
 * Optional hook run just before the reset, in thread context: USB soft-disconnect
 * (e.g. HAL_PCD_DevDisconnect, or drive an external D+ pull-up low), save state.
 */
void stdfu_fw_set_hook(void (*hook)(void));

/** Reboot into the ROM bootloader now (thread context). Does not return on target. */
void stdfu_fw_enter_now(void);

/**
 * Very first call in Reset_Handler (or SystemInit). If the flag is valid (and the reset
 * was a software reset where the family lets us tell): clears it, bounds the attempts,
 * remaps system memory where needed, sets MSP from the ROM vector table and jumps with
 * PRIMASK = 0, CONTROL = 0. Otherwise returns and the application boots normally.
 */
void stdfu_fw_early_boot(void);

/** The ROM bootloader vector table address this build jumps to. */
uint32_t stdfu_fw_entry(void);

/* --- the flag record (portable; used by early boot and by the tests) ---------------- */
void stdfu_fw_flag_set(volatile struct stdfu_fw_record *rec);
int stdfu_fw_flag_valid(const volatile struct stdfu_fw_record *rec);
void stdfu_fw_flag_clear(volatile struct stdfu_fw_record *rec);
uint32_t stdfu_fw_attempts(const volatile struct stdfu_fw_record *rec);
void stdfu_fw_attempts_set(volatile struct stdfu_fw_record *rec, uint32_t n);
/**
 * Early-boot decision. @p sw_reset: 1 software reset, 0 another cause, -1 unknown.
 * Returns 1 to jump (flag consumed, attempt counted), 0 to boot the application.
 */
int stdfu_fw_boot_decide(volatile struct stdfu_fw_record *rec, int sw_reset);

#ifdef __cplusplus
}
#endif

#endif /* STDFU_FW_H */
