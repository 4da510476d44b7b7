/* SPDX-License-Identifier: MIT */
/*
 * Delivering the trigger: the lone byte, the 1200-baud touch (libserialport),
 * DFU_DETACH (through the USB transport), or a text command (trigger_text.c).
 * Timings and values come from stdfu/trigger_protocol.h only.
 */
#include <libserialport.h>
#include <string.h>

#include "usb/bus_internal.h"
#include "common/error_internal.h"
#include "trigger/trigger_internal.h"
#include "trigger/trigger_text.h"

int stdfu__trigger_send_byte(const char *port, uint8_t byte, struct sp_port **keep)
{
	struct sp_port *sp;
	int r = stdfu__trigger_port_open(port, &sp);

	*keep = NULL;
	if (r)
		return r;
	/*
	 * The protocol's rule (b) asks the device to have received nothing in
	 * the window before the byte. We have sent nothing, and the port was
	 * just opened and checked: no other program holds it (the open refuses
	 * if one does), so no one else can write before our byte either. So no
	 * quiet time here. A writer that closed the port less than the window
	 * ago makes the companion ignore this byte; the wait sends it again
	 * (STDFU_TRIGGER_RESEND_MS in trigger_internal.h).
	 */
	/* One write() of one byte: one USB packet, rule (a). */
	r = sp_blocking_write(sp, &byte, 1, 1000);
	if (r != 1) {
		stdfu__trigger_port_close(sp);
		return stdfu__fail(STDFU_ERR_TRIGGER, "could not write the trigger byte to %s: %s",
				   port, r < 0 ? sp_last_error_message() : "timed out");
	}
	sp_drain(sp);
	/* Rule (c): stay silent with the port open; the caller closes it after
	 * STDFU_TRIGGER_HOST_POST_SILENCE_MS while it already watches the bus. */
	*keep = sp;
	return STDFU_OK;
}

int stdfu__trigger_send_touch(const char *port)
{
	struct sp_port *sp;
	int r = stdfu__trigger_port_open(port, &sp);

	if (r)
		return r;
	if (sp_set_baudrate(sp, (int)STDFU_TRIGGER_TOUCH_BAUD) != SP_OK) {
		stdfu__trigger_port_close(sp);
		return stdfu__fail(STDFU_ERR_TRIGGER, "could not set %s to %u baud: %s", port,
				   STDFU_TRIGGER_TOUCH_BAUD, sp_last_error_message());
	}
	/* A pty (and some adapters) has no modem lines: ENOTTY is tolerated; closing
	 * the port drops DTR on a real CDC ACM device anyway. */
	sp_set_dtr(sp, SP_DTR_OFF);
	stdfu__trigger_port_close(sp);
	return STDFU_OK;
}

int stdfu__trigger_send(struct stdfu_ctx *ctx, enum stdfu_trigger_method method,
			const struct stdfu_app_port *a, int trigger_byte, const char *text,
			struct sp_port **keep)
{
	uint8_t byte = trigger_byte >= 0 && trigger_byte <= 0xff ? (uint8_t)trigger_byte
								 : STDFU_TRIGGER_BYTE_DEFAULT;

	*keep = NULL;
	switch (method) {
	case STDFU_METHOD_BYTE:
		return stdfu__trigger_send_byte(a->name, byte, keep);
	case STDFU_METHOD_TOUCH1200:
		return stdfu__trigger_send_touch(a->name);
	case STDFU_METHOD_MICROPYTHON:
	case STDFU_METHOD_BETAFLIGHT:
	case STDFU_METHOD_TEXT:
		return stdfu__trigger_send_text(a->name, method, text);
	case STDFU_METHOD_DETACH:
		if (!a->dev.bus)
			return stdfu__fail(STDFU_ERR_TRIGGER,
					   "%s is not a USB device libusb can see: --method detach "
					   "needs one",
					   a->name);
		return stdfu__usb_detach(ctx, a->dev.bus, a->dev.address, a->dev.path);
	default:
		return stdfu__fail(STDFU_ERR_ARG, "no trigger to send for method %s",
				   stdfu_trigger_method_name(method));
	}
}
