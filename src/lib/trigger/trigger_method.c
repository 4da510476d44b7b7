/* SPDX-License-Identifier: MIT */
/*
 * Delivering the trigger: the lone byte, the 1200-baud touch, DFU_DETACH.
 * Timings and values come from stdfu/trigger_protocol.h only.
 */
#include <errno.h>
#include <libserialport.h>
#include <string.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"
#include "trigger/trigger_internal.h"

#define DFU_DETACH	       0x00
#define DFU_FUNCTIONAL_DESC    0x21
#define DFU_WILL_DETACH	       0x08
#define DFU_DETACH_TIMEOUT_MAX 1000u

/* sp_open failed: say why in terms the user can act on. */
static int open_error(const char *port)
{
	int err = sp_last_error_code();

	if (err == EACCES || err == EPERM)
		return stdfu_fail(STDFU_ERR_ACCESS,
				  "cannot open %s: permission denied; add yourself to the group "
				  "owning it (usually 'dialout': sudo usermod -aG dialout $USER, "
				  "then log in again)",
				  port);
	if (err == EBUSY) {
		char who[96];

		if (stdfu_port_holder(port, who, sizeof(who)) > 0)
			return stdfu_fail(STDFU_ERR_BUSY,
					  "%s is held open by %s: close that program (a serial "
					  "terminal, ModemManager?) and try again",
					  port, who);
		return stdfu_fail(STDFU_ERR_BUSY,
				  "%s is in exclusive use by another program: close it and "
				  "try again",
				  port);
	}
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return stdfu_fail(STDFU_ERR_NO_DEVICE, "%s went away before the trigger", port);
	return stdfu_fail(STDFU_ERR_IO, "cannot open %s: %s", port, sp_last_error_message());
}

/* Open @name read-write and refuse if another program holds it too. */
static int open_port(const char *name, struct sp_port **out)
{
	struct sp_port *sp;
	char who[96];
	int fd = -1;

	*out = NULL;
	if (sp_get_port_by_name(name, &sp) != SP_OK)
		return stdfu_fail(STDFU_ERR_NO_DEVICE, "serial port %s not found", name);
	if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
		int r = open_error(name);

		sp_free_port(sp);
		return r;
	}
	/* Another reader would eat or interleave with our byte: refuse, by name. */
	if (sp_get_port_handle(sp, &fd) == SP_OK &&
	    stdfu_port_holder_fd(fd, who, sizeof(who)) > 0) {
		sp_close(sp);
		sp_free_port(sp);
		return stdfu_fail(STDFU_ERR_BUSY,
				  "%s is held open by %s: close that program (a serial terminal, "
				  "ModemManager?) and try again; a trigger sent now could be "
				  "read by it, or mixed with its traffic",
				  name, who);
	}
	*out = sp;
	return STDFU_OK;
}

void stdfu_trigger_port_close(struct sp_port *port)
{
	if (!port)
		return;
	/* The device may already have reset: a failing close is expected. */
	sp_close(port);
	sp_free_port(port);
}

int stdfu_trigger_send_byte(const char *port, uint8_t byte, struct sp_port **keep)
{
	struct sp_port *sp;
	int r = open_port(port, &sp);

	*keep = NULL;
	if (r)
		return r;
	/* The protocol's rule (b): nothing from us in the window before the byte. */
	stdfu_sleep_us(STDFU_TRIGGER_HOST_PRE_SILENCE_MS * 1000u);
	/* One write() of one byte: one USB packet, rule (a). */
	r = sp_blocking_write(sp, &byte, 1, 1000);
	if (r != 1) {
		stdfu_trigger_port_close(sp);
		return stdfu_fail(STDFU_ERR_TRIGGER, "could not write the trigger byte to %s: %s",
				  port, r < 0 ? sp_last_error_message() : "timed out");
	}
	sp_drain(sp);
	/* Rule (c): stay silent with the port open; the caller closes it after
	 * STDFU_TRIGGER_HOST_POST_SILENCE_MS while it already watches the bus. */
	*keep = sp;
	return STDFU_OK;
}

int stdfu_trigger_send_touch(const char *port)
{
	struct sp_port *sp;
	int r = open_port(port, &sp);

	if (r)
		return r;
	if (sp_set_baudrate(sp, (int)STDFU_TRIGGER_TOUCH_BAUD) != SP_OK) {
		stdfu_trigger_port_close(sp);
		return stdfu_fail(STDFU_ERR_TRIGGER, "could not set %s to %u baud: %s", port,
				  STDFU_TRIGGER_TOUCH_BAUD, sp_last_error_message());
	}
	/* A pty (and some adapters) has no modem lines: ENOTTY is tolerated; closing
	 * the port drops DTR on a real CDC ACM device anyway. */
	sp_set_dtr(sp, SP_DTR_OFF);
	stdfu_trigger_port_close(sp);
	return STDFU_OK;
}

/* The DFU runtime interface (DFU 1.1, 4.1.2: class FE, subclass 01, protocol 01). */
static int find_runtime(libusb_device *udev, int *iface, uint8_t *attrs, uint16_t *detach_ms)
{
	struct libusb_config_descriptor *cfg;
	int r = -1;

	if (libusb_get_active_config_descriptor(udev, &cfg) != 0)
		return -1;
	for (int i = 0; i < cfg->bNumInterfaces && r < 0; i++) {
		const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[0];
		const unsigned char *x = d->extra;
		int len = d->extra_length;

		if (cfg->interface[i].num_altsetting < 1 || d->bInterfaceClass != 0xfe ||
		    d->bInterfaceSubClass != 0x01 || d->bInterfaceProtocol != 0x01)
			continue;
		*iface = d->bInterfaceNumber;
		*attrs = 0;
		*detach_ms = 0;
		/* DFU functional descriptor: bLength, 0x21, bmAttributes, wDetachTimeOut... */
		while (len >= 2 && x[0] >= 2 && x[0] <= len) {
			if (x[1] == DFU_FUNCTIONAL_DESC && x[0] >= 5) {
				*attrs = x[2];
				*detach_ms = (uint16_t)(x[3] | x[4] << 8);
			}
			len -= x[0];
			x += x[0];
		}
		r = 0;
	}
	libusb_free_config_descriptor(cfg);
	return r;
}

static libusb_device *find_dev(libusb_context *usb, uint8_t bus, uint8_t address)
{
	libusb_device **list, *hit = NULL;
	ssize_t n = libusb_get_device_list(usb, &list);

	for (ssize_t i = 0; i < n; i++)
		if (libusb_get_bus_number(list[i]) == bus &&
		    libusb_get_device_address(list[i]) == address)
			hit = libusb_ref_device(list[i]);
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return hit;
}

static int detach_on(libusb_device_handle *h, int iface, uint8_t attrs, uint16_t detach_ms,
		     const char *path)
{
	uint16_t wait = detach_ms < DFU_DETACH_TIMEOUT_MAX ? detach_ms : DFU_DETACH_TIMEOUT_MAX;
	int rc = libusb_claim_interface(h, iface);

	if (rc)
		return stdfu_usb_map_open_error(rc, path, "claiming the DFU runtime interface of");
	rc = libusb_control_transfer(h, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
				     DFU_DETACH, wait, (uint16_t)iface, NULL, 0, 1000);
	/* A device that detaches at once may not complete the status stage. */
	if (rc < 0 && rc != LIBUSB_ERROR_NO_DEVICE && rc != LIBUSB_ERROR_IO &&
	    rc != LIBUSB_ERROR_PIPE) {
		libusb_release_interface(h, iface);
		return stdfu_fail(STDFU_ERR_TRIGGER, "DFU_DETACH to %s failed: %s", path,
				  libusb_strerror(rc));
	}
	if (rc == LIBUSB_ERROR_PIPE) {
		libusb_release_interface(h, iface);
		return stdfu_fail(STDFU_ERR_TRIGGER,
				  "the application at %s stalled DFU_DETACH: its runtime DFU "
				  "interface refuses to detach",
				  path);
	}
	if (rc >= 0)
		libusb_release_interface(h, iface);
	/* DFU 1.1, 5.1: without bitWillDetach the host must reset the bus. */
	if (rc >= 0 && !(attrs & DFU_WILL_DETACH))
		libusb_reset_device(h);
	return STDFU_OK;
}

int stdfu_trigger_send_detach(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, const char *path)
{
	libusb_device *udev = find_dev(ctx->usb, bus, address);
	libusb_device_handle *h;
	uint16_t detach_ms = 0;
	uint8_t attrs = 0;
	int iface = -1, rc;

	if (!udev)
		return stdfu_fail(STDFU_ERR_NO_DEVICE, "the application at %s went away", path);
	if (find_runtime(udev, &iface, &attrs, &detach_ms) < 0) {
		libusb_unref_device(udev);
		return stdfu_fail(STDFU_ERR_TRIGGER,
				  "the application at %s has no DFU runtime interface (class "
				  "FE/01/01): use --method byte or --method touch1200",
				  path);
	}
	rc = libusb_open(udev, &h);
	libusb_unref_device(udev);
	if (rc)
		return stdfu_usb_map_open_error(rc, path, "opening the application at");
	libusb_set_auto_detach_kernel_driver(h, 1);
	rc = detach_on(h, iface, attrs, detach_ms, path);
	libusb_close(h);
	return rc;
}

int stdfu_trigger_port_open(const char *name, struct sp_port **out)
{
	return open_port(name, out);
}
