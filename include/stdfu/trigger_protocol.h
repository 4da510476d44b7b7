/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/trigger_protocol.h
 * @brief The trigger protocol shared by the stdfu host and the firmware companion.
 *
 * ONE header, included by both sides: the host (C11, src/lib trigger code) and the
 * firmware companion (C99, freestanding, firmware/). It therefore uses nothing but
 * <stdint.h> and plain macros.
 *
 * Three ways take a running application into the STM32 ROM bootloader (USB DFU):
 *
 * 1. The trigger byte (default method)
 * ------------------------------------
 * The host sends STDFU_TRIGGER_BYTE_DEFAULT (or a byte chosen with --trigger-byte,
 * compiled into the firmware as STDFU_FW_TRIGGER_BYTE) on the application's USB CDC
 * data interface. The device honours it ONLY when all of the following hold:
 *
 *   (a) ALONE: the byte is the whole of one receive chunk, i.e. one CDC OUT transfer
 *       as delivered to the CDC receive callback (CDC_Receive_FS in CubeMX) has
 *       length exactly 1 and that byte is the trigger byte. The same value inside a
 *       longer chunk is application data and is never a trigger.
 *   (b) PRECEDED BY SILENCE: no other chunk was received during the
 *       STDFU_TRIGGER_SILENCE_MS milliseconds before it (measured from the previous
 *       chunk's arrival to this one's, both stamped by the device's millisecond clock).
 *       If nothing has been received since the device booted, (b) holds.
 *   (c) FOLLOWED BY SILENCE: no chunk at all (not even another trigger byte) arrives
 *       during the STDFU_TRIGGER_SILENCE_MS milliseconds after it. Any chunk in that
 *       window cancels the request; a second lone trigger byte after the cancelling
 *       traffic starts the rule again from (a).
 *
 * Time comparisons are "elapsed >= STDFU_TRIGGER_SILENCE_MS" on a wrapping 32-bit
 * millisecond counter. The device side of this rule and of the touch below is one
 * source, firmware/src/stdfu_trigger_rule.c, compiled into the firmware companion and
 * into stdfu-emu's application model. Only then does the device reset into the ROM, from thread
 * context (never from the USB interrupt). A device therefore leaves no earlier than
 * STDFU_TRIGGER_SILENCE_MS after the byte, and no later than that plus its main-loop
 * poll period (companion recommendation: poll at least every 10 ms).
 *
 * The host side of the same rule: open the port, write the single byte in ONE
 * write() call (one USB packet), drain (tcdrain), then stay silent with the port
 * open for STDFU_TRIGGER_HOST_POST_SILENCE_MS before closing (longer than the
 * device window, so clock granularity and USB scheduling cannot break rule c).
 * Rule (b) needs no wait on the host when the host alone holds the port: it has sent
 * nothing, and nobody else can. A host that cannot tell waits
 * STDFU_TRIGGER_HOST_PRE_SILENCE_MS after opening; stdfu instead refuses a port held
 * by another program, and sends the byte again if the device has not left after a
 * while (a writer that had just closed the port makes the device ignore the first).
 * The default byte 0xF5 can never occur in UTF-8 text (0xF5..0xFF are invalid in
 * UTF-8), so a user typing in a terminal cannot send it by accident; binary protocols
 * that may send a lone 0xF5 are protected by the silence rule.
 *
 * 2. The 1200-baud touch (Arduino convention)
 * -------------------------------------------
 * The host opens the port, sets STDFU_TRIGGER_TOUCH_BAUD (SET_LINE_CODING), then
 * drops DTR (SET_CONTROL_LINE_STATE with DTR = 0, which closing the port also does)
 * and closes. It then watches the bus for the ROM on the same port path, as after the
 * byte; it waits no fixed settle time. The device arms when it sees DTR fall from 1 to
 * 0 while the current line coding is STDFU_TRIGGER_TOUCH_BAUD; it disarms if DTR is
 * raised again or the rate changes away from 1200 before it fires; it fires
 * STDFU_TRIGGER_TOUCH_DELAY_MS after arming. On a Linux pty the DTR ioctls fail
 * (ENOTTY): the host tolerates that failure.
 *
 * 3. DFU 1.1 DFU_DETACH on a runtime interface (class FE/01/01): no constants here.
 *
 * The companion record
 * --------------------
 * An image built with the companion carries, in flash (section ".stdfu_companion",
 * kept by firmware/ld/stdfu_fw_noinit.ld), a 16-byte record that says so, so that the
 * host can warn before it flashes an image without it (the next update would need
 * BOOT0 or a DFU runtime interface). Little-endian, 4-byte aligned:
 *
 *   offset 0   8 bytes  STDFU_COMPANION_MAGIC ("STDFU-CR", no NUL)
 *   offset 8   1 byte   STDFU_TRIGGER_PROTOCOL_VERSION the companion speaks
 *   offset 9   1 byte   its trigger byte (STDFU_FW_TRIGGER_BYTE)
 *   offset 10  1 byte   STDFU_COMPANION_RECORD_SIZE (16)
 *   offset 11  1 byte   flags, 0 (reserved)
 *   offset 12  4 bytes  the complement of the 32-bit word at offset 8
 *
 * The reset-surviving flag
 * ------------------------
 * The device records the request in RAM that startup code does not zero, as two
 * 32-bit words { STDFU_TRIGGER_FLAG_MAGIC32, STDFU_TRIGGER_FLAG_CHECK32 } (the check
 * is the complement of the magic, so power-up garbage is accepted with probability
 * 2^-64). On RAM with 64-bit ECC (STM32H7 AXI SRAM) both words are written by ONE
 * 64-bit store of STDFU_TRIGGER_FLAG_MAGIC64 (magic in the low word: little-endian
 * layout is identical). Early boot jumps at most STDFU_TRIGGER_ATTEMPT_LIMIT times in
 * a row without the application reaching its main loop, so a flag that will not clear
 * cannot trap the part in a reset loop.
 */
#ifndef STDFU_TRIGGER_PROTOCOL_H
#define STDFU_TRIGGER_PROTOCOL_H

#include <stdint.h>

/* --- method 1: the trigger byte ------------------------------------------------- */

/** Default trigger byte (invalid in UTF-8, so never typed). */
#define STDFU_TRIGGER_BYTE_DEFAULT	   0xF5u
/** Silence window (ms) required before AND after the lone trigger byte. */
#define STDFU_TRIGGER_SILENCE_MS	   100u
/** Host that cannot check for other writers: quiet time after opening (> window). */
#define STDFU_TRIGGER_HOST_PRE_SILENCE_MS  150u
/** Host: quiet time with the port still open after draining the byte (> window). */
#define STDFU_TRIGGER_HOST_POST_SILENCE_MS 150u
/** Device: recommended maximum main-loop poll period (ms). */
#define STDFU_TRIGGER_POLL_PERIOD_MS	   10u

/* --- method 2: the 1200-baud touch ---------------------------------------------- */

/** Line coding rate (bit/s) that arms the touch. */
#define STDFU_TRIGGER_TOUCH_BAUD     1200u
/** DTR bit in the SET_CONTROL_LINE_STATE wValue (CDC PSTN 1.2, 6.3.12). */
#define STDFU_TRIGGER_TOUCH_DTR_BIT  0x0001u
/** Device: delay (ms) between the DTR drop and the reset (Arduino uses 250 ms). */
#define STDFU_TRIGGER_TOUCH_DELAY_MS 250u

/* --- the reset-surviving flag --------------------------------------------------- */

/** Flag word 0 ("boot df11"). */
#define STDFU_TRIGGER_FLAG_MAGIC32  0xB007DF11u
/** Flag word 1: complement of word 0. */
#define STDFU_TRIGGER_FLAG_CHECK32  0x4FF820EEu
/** Both words as one 64-bit little-endian store (ECC RAM): check << 32 | magic. */
#define STDFU_TRIGGER_FLAG_MAGIC64  0x4FF820EEB007DF11ull
/** Value the flag words hold once consumed (anything but the magic pair is "no flag"). */
#define STDFU_TRIGGER_FLAG_CLEARED  0x00000000u
/** Consecutive ROM entries allowed before the application's main loop runs again. */
#define STDFU_TRIGGER_ATTEMPT_LIMIT 3u

/* --- the companion record ------------------------------------------------------ */

/** Version of this protocol (the byte rule, the touch, the flag, the record). */
#define STDFU_TRIGGER_PROTOCOL_VERSION 1u
/** The record's first 8 bytes. */
#define STDFU_COMPANION_MAGIC	       "STDFU-CR"
#define STDFU_COMPANION_MAGIC_LEN      8u
/** The record's size in bytes. */
#define STDFU_COMPANION_RECORD_SIZE    16u
/** The 32-bit word at offset 8 for @p version, @p byte, @p flags (little-endian). */
#define STDFU_COMPANION_WORD(version, byte, flags)     \
	((uint32_t)(version) | (uint32_t)(byte) << 8 | \
	 (uint32_t)STDFU_COMPANION_RECORD_SIZE << 16 | (uint32_t)(flags) << 24)

/* --- USB identities ------------------------------------------------------------- */

/** Default application (CDC ACM) PID: ST's Virtual COM Port, as CubeMX generates,
 *  under ST's vendor id. The vendor id and the ROM's DFU PID are named once, in
 *  <stdfu/device.h> (STDFU_ST_VID, STDFU_ST_DFU_PID). */
#define STDFU_TRIGGER_APP_PID 0x5740u

#endif /* STDFU_TRIGGER_PROTOCOL_H */
