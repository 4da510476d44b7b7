/* SPDX-License-Identifier: MIT */
/*
 * The libusb transport: control transfers (each one counted here, and only
 * here), string descriptors, the device at a bus/address/port path, and
 * libusb errors mapped to stdfu errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/usb_requests.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"

/* The one place that counts: @dev may be NULL (no session yet). */
static void count_transfer(struct stdfu_ctx *ctx, struct stdfu_device *dev)
{
	ctx->transfers++;
	if (dev)
		dev->transfers++;
}

void stdfu_ctx_set_log(struct stdfu_ctx *ctx, enum stdfu_log_level level, stdfu_log_fn fn,
		       void *user)
{
	ctx->log_level = fn ? level : STDFU_LOG_OFF;
	ctx->log = fn;
	ctx->log_user = user;
}

static bool is_class(uint8_t request_type)
{
	return (request_type & 0x60) == LIBUSB_REQUEST_TYPE_CLASS; /* bmRequestType bits 6..5 */
}

/* Names from <stdfu/usb_requests.h>, shared with stdfu-emu's request log. */
static const char *request_name(uint8_t request_type, uint8_t request)
{
	if (is_class(request_type))
		return stdfu_dfu_request_name(request);
	return stdfu_usb_std_request_name(request);
}

static void log_transfer(struct stdfu_ctx *ctx, const char *path, const uint8_t setup[8],
			 const uint8_t *data, int rc, uint64_t t0)
{
	struct stdfu_log_event ev = {
		STDFU_LOG_TRANSFER,   path, setup[0], setup[1], 0, 0, 0, rc, NULL, -1, -1, 0,
		stdfu__now_us() - t0, data};

	ev.value = (uint16_t)(setup[2] | setup[3] << 8);
	ev.index = (uint16_t)(setup[4] | setup[5] << 8);
	ev.length = (uint16_t)(setup[6] | setup[7] << 8);
	ev.name = request_name(ev.request_type, ev.request);
	if (is_class(ev.request_type))
		ev.level = STDFU_LOG_REQUEST;
	/* DFU 1.1 6.1.2: bStatus, bwPollTimeout (24 bits), bState, iString */
	if (is_class(ev.request_type) && ev.request == STDFU_DFU_GETSTATUS && ev.length >= 6 &&
	    rc >= 6) {
		uint8_t st[6];

		memcpy(st, data, sizeof(st));
		ev.status = st[0];
		ev.poll_ms = (uint32_t)(st[1] | st[2] << 8 | st[3] << 16);
		ev.state = st[4];
	}
	if (ev.level <= ctx->log_level)
		ctx->log(&ev, ctx->log_user);
}

static int control(struct stdfu_ctx *ctx, const char *path, libusb_device_handle *h,
		   const uint8_t setup[8], uint8_t *data, unsigned timeout_ms)
{
	uint64_t t0 = stdfu__now_us();
	int rc =
		libusb_control_transfer(h, setup[0], setup[1], (uint16_t)(setup[2] | setup[3] << 8),
					(uint16_t)(setup[4] | setup[5] << 8), data,
					(uint16_t)(setup[6] | setup[7] << 8), timeout_ms);

	if (ctx->log_level != STDFU_LOG_OFF)
		log_transfer(ctx, path, setup, data, rc, t0);
	return rc;
}

static void setup_packet(uint8_t s[8], uint8_t request_type, uint8_t request, uint16_t value,
			 uint16_t index, uint16_t len)
{
	s[0] = request_type;
	s[1] = request;
	s[2] = (uint8_t)value;
	s[3] = (uint8_t)(value >> 8);
	s[4] = (uint8_t)index;
	s[5] = (uint8_t)(index >> 8);
	s[6] = (uint8_t)len;
	s[7] = (uint8_t)(len >> 8);
}

int stdfu__usb_ctx_control(struct stdfu_ctx *ctx, libusb_device_handle *h, uint8_t request_type,
			   uint8_t request, uint16_t value, uint16_t index, uint8_t *data,
			   uint16_t len, unsigned timeout_ms)
{
	uint8_t s[8];

	count_transfer(ctx, NULL);
	setup_packet(s, request_type, request, value, index, len);
	return control(ctx, "", h, s, data, timeout_ms);
}

int stdfu__usb_control(struct stdfu_device *dev, uint8_t request_type, uint8_t request,
		       uint16_t value, uint8_t *data, uint16_t len, unsigned timeout_ms)
{
	uint8_t s[8];
	int rc;

	if (dev->gone)
		return LIBUSB_ERROR_NO_DEVICE;
	count_transfer(dev->ctx, dev);
	/* The request a later error status answers (not the status queries themselves). */
	if (is_class(request_type) && request != STDFU_DFU_GETSTATUS &&
	    request != STDFU_DFU_CLRSTATUS && request != STDFU_DFU_GETSTATE)
		dev->last_request = request;
	setup_packet(s, request_type, request, value, dev->info.interface, len);
	rc = control(dev->ctx, dev->info.path, dev->handle, s, data, timeout_ms);
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		dev->gone = true;
	return rc;
}

/* SET_INTERFACE (USB 2.0, 9.4.10) is a standard request: counted like the others. */
int stdfu_device_set_alt(struct stdfu_device *dev, uint8_t alt)
{
	int rc;

	if (dev->alt == alt)
		return STDFU_OK;
	count_transfer(dev->ctx, dev);
	rc = libusb_set_interface_alt_setting(dev->handle, dev->info.interface, alt);
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		dev->gone = true;
	if (rc)
		return stdfu__usb_error(dev, rc, "selecting the alt setting");
	dev->alt = alt;
	return STDFU_OK;
}

int stdfu__usb_error(struct stdfu_device *dev, int lrc, const char *what)
{
	switch (lrc) {
	case LIBUSB_ERROR_NO_DEVICE:
		return stdfu__fail(STDFU_ERR_GONE,
				   "the device at %s disconnected during %s; the flash may be "
				   "half-written: put the board in DFU mode again and re-flash",
				   dev->info.path, what);
	case LIBUSB_ERROR_TIMEOUT:
		return stdfu__fail(STDFU_ERR_TIMEOUT, "%s: the device at %s did not answer in time",
				   what, dev->info.path);
	case LIBUSB_ERROR_PIPE:
		return stdfu__fail(STDFU_ERR_PROTOCOL, "%s: the device at %s stalled the request",
				   what, dev->info.path);
	case LIBUSB_ERROR_OVERFLOW:
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "%s: the device at %s sent more data than was asked for", what,
				   dev->info.path);
	default:
		return stdfu__fail(STDFU_ERR_IO, "%s: USB error on %s: %s", what, dev->info.path,
				   libusb_strerror(lrc));
	}
}

int stdfu__usb_map_open_error(int lrc, const char *path, const char *what)
{
	switch (lrc) {
	case LIBUSB_ERROR_ACCESS:
		return stdfu__fail(STDFU_ERR_ACCESS, "%s %s: permission denied", what, path);
	case LIBUSB_ERROR_BUSY:
		stdfu__fail(STDFU_ERR_BUSY,
			    "%s %s: the interface is claimed by another program "
			    "(another stdfu or dfu-util?)",
			    what, path);
		stdfu__cause(STDFU_CAUSE_IFACE_CLAIMED, path);
		return STDFU_ERR_BUSY;
	case LIBUSB_ERROR_NO_DEVICE:
		return stdfu__fail(STDFU_ERR_GONE, "%s %s: the device is gone", what, path);
	case LIBUSB_ERROR_NO_MEM:
		return stdfu__fail(STDFU_ERR_NOMEM, "%s %s: out of memory", what, path);
	default:
		return stdfu__fail(STDFU_ERR_IO, "%s %s: %s", what, path, libusb_strerror(lrc));
	}
}

int stdfu__usb_port_path(libusb_device *udev, char *buf, size_t cap)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(udev, ports, (int)sizeof(ports));
	size_t used;

	if (n < 1)
		return STDFU_ERR_IO;
	used = (size_t)snprintf(buf, cap, "%u-%u", libusb_get_bus_number(udev), ports[0]);
	for (int i = 1; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, ".%u", ports[i]);
	return used < cap ? STDFU_OK : STDFU_ERR_IO;
}

int stdfu__usb_list(struct stdfu_ctx *ctx, stdfu_usb_visit visit, struct stdfu_device_list **out)
{
	struct stdfu_device_list *list;
	libusb_device **devs;
	ssize_t n = libusb_get_device_list(ctx->usb, &devs);

	*out = NULL;
	if (n < 0)
		return stdfu__fail(STDFU_ERR_IO, "cannot list USB devices: %s",
				   libusb_strerror((int)n));
	list = calloc(1, sizeof(*list));
	if (list)
		list->items = calloc((size_t)n + 1, sizeof(*list->items));
	if (!list || !list->items) {
		free(list);
		libusb_free_device_list(devs, 1);
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory listing USB devices");
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;

		if (libusb_get_device_descriptor(devs[i], &dd) == 0 &&
		    visit(ctx, devs[i], &dd, &list->items[list->count]))
			list->count++;
	}
	libusb_free_device_list(devs, 1);
	*out = list;
	return STDFU_OK;
}

libusb_device *stdfu__usb_find(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address,
			       const char *path)
{
	libusb_device **devs, *hit = NULL;
	ssize_t n = libusb_get_device_list(ctx->usb, &devs);

	for (ssize_t i = 0; i < n && !hit; i++) {
		char at[STDFU_PATH_MAX];

		if (libusb_get_bus_number(devs[i]) != bus ||
		    libusb_get_device_address(devs[i]) != address)
			continue;
		if (path && (stdfu__usb_port_path(devs[i], at, sizeof(at)) || strcmp(at, path)))
			continue;
		hit = libusb_ref_device(devs[i]);
	}
	if (n >= 0)
		libusb_free_device_list(devs, 1);
	return hit;
}

int stdfu__usb_path_of(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, char *path, size_t cap)
{
	libusb_device *udev = stdfu__usb_find(ctx, bus, address, NULL);
	int rc = udev ? stdfu__usb_port_path(udev, path, cap) : STDFU_ERR_NO_DEVICE;

	if (udev)
		libusb_unref_device(udev);
	if (rc)
		path[0] = '\0';
	return rc;
}

void stdfu__usb_identity(libusb_device *udev, const struct libusb_device_descriptor *dd,
			 struct stdfu_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->bus = libusb_get_bus_number(udev);
	info->address = libusb_get_device_address(udev);
	if (stdfu__usb_port_path(udev, info->path, sizeof(info->path)))
		info->path[0] = '\0';
	info->vid = dd->idVendor;
	info->pid = dd->idProduct;
	info->bcd_device = dd->bcdDevice;
}

/* USB LANGIDs 1.0: English (United States), what a device without a list speaks. */
#define USB_LANGID_EN_US 0x0409

/* GET_DESCRIPTOR(STRING) (USB 2.0, 9.4.3), counted and reported like any transfer. */
static int string_descriptor(struct stdfu_ctx *ctx, libusb_device_handle *h, uint8_t index,
			     uint16_t langid, uint8_t *buf, uint16_t len)
{
	uint8_t s[8];

	count_transfer(ctx, NULL);
	setup_packet(s, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
		     (uint16_t)(LIBUSB_DT_STRING << 8 | index), langid, len);
	return control(ctx, "", h, s, buf, 1000);
}

/* String descriptor zero: the first language id (USB 2.0, 9.6.7); en-US if none. */
uint16_t stdfu__usb_get_langid(struct stdfu_ctx *ctx, libusb_device_handle *h, int *lrc)
{
	uint8_t lang[4];

	*lrc = string_descriptor(ctx, h, 0, 0, lang, sizeof(lang));
	return *lrc >= 4 ? (uint16_t)(lang[2] | lang[3] << 8) : USB_LANGID_EN_US;
}

/* One transfer per string: the language id is read once by the caller. */
int stdfu__usb_get_string(struct stdfu_ctx *ctx, libusb_device_handle *h, uint16_t langid,
			  uint8_t index, char *buf, size_t cap)
{
	uint8_t raw[255];
	size_t out = 0;
	int rc;

	buf[0] = '\0';
	if (index == 0)
		return STDFU_OK;
	rc = string_descriptor(ctx, h, index, langid, raw, sizeof(raw));
	if (rc < 0)
		return rc;
	if (rc < 2 || raw[1] != LIBUSB_DT_STRING || raw[0] > rc)
		return LIBUSB_ERROR_IO;
	/* UTF-16LE: keep printable ASCII, replace the rest. */
	for (int i = 2; i + 1 < raw[0] && out + 1 < cap; i += 2) {
		unsigned ch = raw[i] | raw[i + 1] << 8;

		buf[out++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	buf[out] = '\0';
	return STDFU_OK;
}
