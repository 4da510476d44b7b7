/* SPDX-License-Identifier: MIT */
/*
 * Delivering the trigger: the lone byte, the 1200-baud touch (libserialport),
 * or DFU_DETACH (through the USB transport). Timings and values come from
 * stdfu/trigger_protocol.h only.
 */
#include <errno.h>
#include <libserialport.h>
#include <string.h>

#include "usb/bus_internal.h"
#include "common/error_internal.h"
#include "trigger/trigger_internal.h"

/* sp_open failed: say why in terms the user can act on. */
static int open_error(const char *port)
{
	int err = sp_last_error_code();

	if (err == EACCES || err == EPERM)
		return stdfu__fail(STDFU_ERR_ACCESS,
				   "cannot open %s: permission denied; add yourself to the group "
				   "owning it (usually 'dialout': sudo usermod -aG dialout $USER, "
				   "then log in again)",
				   port);
	if (err == EBUSY) {
		char who[96];

		if (stdfu_port_holder(port, who, sizeof(who)) > 0)
			return stdfu__fail(STDFU_ERR_BUSY,
					   "%s is held open by %s: close that program (a serial "
					   "terminal, ModemManager?) and try again",
					   port, who);
		return stdfu__fail(STDFU_ERR_BUSY,
				   "%s is in exclusive use by another program: close it and "
				   "try again",
				   port);
	}
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return stdfu__fail(STDFU_ERR_NO_DEVICE, "%s went away before the trigger", port);
	return stdfu__fail(STDFU_ERR_IO, "cannot open %s: %s", port, sp_last_error_message());
}

/* Open @name read-write and refuse if another program holds it too. */
static int open_port(const char *name, struct sp_port **out)
{
	struct sp_port *sp;
	char who[96];
	int fd = -1;

	*out = NULL;
	if (sp_get_port_by_name(name, &sp) != SP_OK)
		return stdfu__fail(STDFU_ERR_NO_DEVICE, "serial port %s not found", name);
	if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
		int r = open_error(name);

		sp_free_port(sp);
		return r;
	}
	/* Another reader would eat or interleave with our byte: refuse, by name. */
	if (sp_get_port_handle(sp, &fd) == SP_OK &&
	    stdfu__port_holder_fd(fd, who, sizeof(who)) > 0) {
		sp_close(sp);
		sp_free_port(sp);
		return stdfu__fail(STDFU_ERR_BUSY,
				   "%s is held open by %s: close that program (a serial terminal, "
				   "ModemManager?) and try again; a trigger sent now could be "
				   "read by it, or mixed with its traffic",
				   name, who);
	}
	*out = sp;
	return STDFU_OK;
}

void stdfu__trigger_port_close(struct sp_port *port)
{
	if (!port)
		return;
	/* The device may already have reset: a failing close is expected. */
	sp_close(port);
	sp_free_port(port);
}

int stdfu__trigger_send_byte(const char *port, uint8_t byte, struct sp_port **keep)
{
	struct sp_port *sp;
	int r = open_port(port, &sp);

	*keep = NULL;
	if (r)
		return r;
	/* The protocol's rule (b): nothing from us in the window before the byte. */
	stdfu__sleep_us(STDFU_TRIGGER_HOST_PRE_SILENCE_MS * 1000u);
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
	int r = open_port(port, &sp);

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
			const struct stdfu_app_port *a, int trigger_byte, struct sp_port **keep)
{
	uint8_t byte = trigger_byte >= 0 && trigger_byte <= 0xff ? (uint8_t)trigger_byte
								 : STDFU_TRIGGER_BYTE_DEFAULT;

	*keep = NULL;
	switch (method) {
	case STDFU_METHOD_BYTE:
		return stdfu__trigger_send_byte(a->name, byte, keep);
	case STDFU_METHOD_TOUCH1200:
		return stdfu__trigger_send_touch(a->name);
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
