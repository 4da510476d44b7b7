/* SPDX-License-Identifier: MIT */
/*
 * The emulated running application: a USB CDC-ACM device (0483:5740, the
 * STM32Cube "Virtual ComPort"), optionally with a DFU 1.1 runtime interface
 * (class FE/01/01). Pure C like the ROM model: no umockdev, no I/O, no clock.
 *
 * The glue turns what the host does on /dev/ttyACMn into what the firmware
 * would see on the wire: baud changes become SET_LINE_CODING, DTR/RTS changes
 * SET_CONTROL_LINE_STATE (both fed through emu_app_control()), and every
 * write() the host makes becomes one received chunk (emu_app_rx()). The model
 * decides; the glue acts on reply.event:
 *   EMU_EVENT_RESET: the application resets into the ROM bootloader (the
 *   board re-enumerates as 0483:df11 on the same port path).
 * Time-driven decisions (silence windows, delayed resets) go through
 * emu_app_deadline_ns() / emu_app_poll().
 *
 * Which trigger the application honours is decided by the companion state
 * machine (app_trigger.c, cfg.trigger); this model feeds it and turns its
 * decision into EMU_EVENT_RESET.
 */
#ifndef STDFU_EMU_APP_H
#define STDFU_EMU_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_trigger.h"
#include "rom.h"

struct emu_app;

struct emu_app_config {
	unsigned board;	    /* 1-based board index (distinct serial per board) */
	const char *serial; /* NULL = derive from board index */
	bool runtime_dfu;   /* add a DFU runtime interface (FE/01/01) */
	/* the firmware companion's trigger rules (app_trigger.h); runtime_dfu is
	 * copied from above */
	struct emu_app_trigger_config trigger;
};

/* CDC PSTN 1.2 line coding and control line state, as the device sees them. */
struct emu_app_line {
	uint32_t baud;
	uint8_t stop_bits; /* bCharFormat: 0 = 1, 1 = 1.5, 2 = 2 */
	uint8_t parity;	   /* bParityType */
	uint8_t data_bits; /* bDataBits */
	uint16_t ctrl;	   /* SET_CONTROL_LINE_STATE wValue: bit0 DTR, bit1 RTS */
};

#define EMU_APP_CTRL_DTR 0x0001
#define EMU_APP_CTRL_RTS 0x0002

/* CDC class requests (CDC PSTN 1.2, 6.3). */
#define EMU_CDC_SET_LINE_CODING	       0x20
#define EMU_CDC_GET_LINE_CODING	       0x21
#define EMU_CDC_SET_CONTROL_LINE_STATE 0x22
#define EMU_CDC_SEND_BREAK	       0x23

struct emu_app *emu_app_new(const struct emu_app_config *cfg);
void emu_app_free(struct emu_app *app);
/* The application (re)starts: line state back to power-up defaults. */
void emu_app_reset(struct emu_app *app);

size_t emu_app_sysfs_descriptors(const struct emu_app *app, uint8_t *buf, size_t cap);
const char *emu_app_serial(const struct emu_app *app);
const char *emu_app_product(const struct emu_app *app);
const char *emu_app_manufacturer(const struct emu_app *app);
/* Number of interfaces (2, or 3 with the runtime DFU interface). */
unsigned emu_app_num_interfaces(const struct emu_app *app);

/* One control transfer; same contract as emu_rom_control(). */
void emu_app_control(struct emu_app *app, const struct emu_setup *setup, uint8_t *data, size_t cap,
		     uint64_t now_ns, struct emu_reply *reply);
/* One chunk the host sent on the CDC data OUT endpoint. */
void emu_app_rx(struct emu_app *app, const uint8_t *buf, size_t len, uint64_t now_ns,
		struct emu_reply *reply);
/*
 * Bytes the application sends on the CDC data IN endpoint (a personality's
 * answers): moves up to @cap of them into @buf, returns how many.
 */
size_t emu_app_tx_take(struct emu_app *app, uint8_t *buf, size_t cap);
/* Earliest time emu_app_poll() wants to run, 0 if none. */
uint64_t emu_app_deadline_ns(const struct emu_app *app);
void emu_app_poll(struct emu_app *app, uint64_t now_ns, struct emu_reply *reply);

const struct emu_app_line *emu_app_line(const struct emu_app *app);
/* Counters for tests and --stats. */
uint64_t emu_app_rx_bytes(const struct emu_app *app);
bool emu_app_detach_seen(const struct emu_app *app);
/* Why the application decided to enter the ROM (EMU_APP_STAY if it did not). */
enum emu_app_reason emu_app_fired(const struct emu_app *app);

#endif
