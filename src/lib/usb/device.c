/* SPDX-License-Identifier: MIT */
/*
 * Discovery, selection and opening of ST ROM DFU devices. libusb reads the
 * device and configuration descriptors from sysfs (no transfer); only the
 * strings (language id, serial, product, one per alt) cost a control
 * transfer each.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"

int stdfu_ctx_new(struct stdfu_ctx **out)
{
	struct stdfu_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	*out = NULL;
	if (!ctx)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory");
	rc = libusb_init(&ctx->usb);
	if (rc) {
		free(ctx);
		rc = stdfu__fail(STDFU_ERR_IO, "cannot initialise libusb: %s", libusb_strerror(rc));
		stdfu__cause(STDFU_CAUSE_USB_INIT, "");
		return rc;
	}
	*out = ctx;
	return STDFU_OK;
}

void stdfu_ctx_free(struct stdfu_ctx *ctx)
{
	if (!ctx)
		return;
	libusb_exit(ctx->usb);
	free(ctx);
}

uint64_t stdfu_ctx_transfers(const struct stdfu_ctx *ctx)
{
	return ctx->transfers;
}

static bool is_st_dfu(const struct libusb_device_descriptor *dd)
{
	return dd->idVendor == STDFU_ST_VID && dd->idProduct == STDFU_ST_DFU_PID;
}

void stdfu__usb_dfu_interface(const struct libusb_config_descriptor *cfg, int protocol,
			      struct stdfu_device_info *info, uint8_t *istr)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *intf = &cfg->interface[i];

		for (int a = 0; a < intf->num_altsetting && info->n_alts < STDFU_MAX_ALTS; a++) {
			const struct libusb_interface_descriptor *d = &intf->altsetting[a];

			if (d->bInterfaceClass != STDFU_USB_CLASS_APP_SPECIFIC ||
			    d->bInterfaceSubClass != STDFU_USB_SUBCLASS_DFU ||
			    (protocol && d->bInterfaceProtocol != protocol))
				continue;
			info->interface = d->bInterfaceNumber;
			if (istr)
				istr[info->n_alts] = d->iInterface;
			info->alts[info->n_alts++].number = d->bAlternateSetting;
			/* The functional descriptor follows one of the alts (usually the last). */
			if (!info->functional_ok && d->extra_length > 0 &&
			    stdfu_dfu_functional_parse(d->extra, (size_t)d->extra_length,
						       &info->functional) == STDFU_OK)
				info->functional_ok = true;
		}
		if (info->n_alts)
			return;
	}
}

static int read_strings(struct stdfu_ctx *ctx, libusb_device_handle *h,
			const struct libusb_device_descriptor *dd, struct stdfu_device_info *info,
			const uint8_t *istr)
{
	int rc;
	uint16_t langid = stdfu__usb_get_langid(ctx, h, &rc);

	if (rc == LIBUSB_ERROR_NO_DEVICE)
		return rc; /* leaving the bus as we look: not a device to offer */
	rc = stdfu__usb_get_string(ctx, h, langid, dd->iSerialNumber, info->serial,
				   sizeof(info->serial));
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		return rc;
	stdfu__usb_get_string(ctx, h, langid, dd->iProduct, info->product, sizeof(info->product));
	for (size_t a = 0; a < info->n_alts; a++) {
		struct stdfu_alt *alt = &info->alts[a];

		if (stdfu__usb_get_string(ctx, h, langid, istr[a], alt->string,
					  sizeof(alt->string)))
			continue;
		alt->layout_ok = stdfu_layout_parse(alt->string, &alt->layout) == STDFU_OK;
	}
	stdfu_error_clear(); /* a bad layout string is reported where it is used */
	return STDFU_OK;
}

static int describe(struct stdfu_ctx *ctx, libusb_device *udev,
		    const struct libusb_device_descriptor *dd, struct stdfu_device_info *info)
{
	struct libusb_config_descriptor *cfg;
	libusb_device_handle *h;
	uint8_t istr[STDFU_MAX_ALTS] = {0};
	int rc;

	stdfu__usb_identity(udev, dd, info);
	if (!info->path[0])
		snprintf(info->path, sizeof(info->path), "%u-?", info->bus);
	if (libusb_get_active_config_descriptor(udev, &cfg) == 0 ||
	    libusb_get_config_descriptor(udev, 0, &cfg) == 0) {
		stdfu__usb_dfu_interface(cfg, 0, info, istr);
		libusb_free_config_descriptor(cfg);
	}
	rc = libusb_open(udev, &h);
	if (rc == LIBUSB_ERROR_ACCESS) {
		info->access_denied = true;
		return STDFU_OK;
	}
	if (rc)
		return rc; /* gone between listing and opening: skip it */
	rc = read_strings(ctx, h, dd, info, istr);
	libusb_close(h);
	return rc;
}

static bool scan_one(struct stdfu_ctx *ctx, libusb_device *udev,
		     const struct libusb_device_descriptor *dd, struct stdfu_device_info *item)
{
	return is_st_dfu(dd) && describe(ctx, udev, dd, item) == STDFU_OK;
}

int stdfu_device_scan(struct stdfu_ctx *ctx, struct stdfu_device_list **out)
{
	return stdfu__usb_list(ctx, scan_one, out);
}

void stdfu_device_list_free(struct stdfu_device_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

int stdfu_device_open(struct stdfu_ctx *ctx, const struct stdfu_device_info *info,
		      struct stdfu_device **out)
{
	struct stdfu_device *dev;
	libusb_device *udev;
	int rc;

	*out = NULL;
	if (info->n_alts == 0)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "device %s has no DFU interface",
				   info->path);
	if (!info->functional_ok)
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "device %s has no usable DFU functional descriptor", info->path);
	udev = stdfu__usb_find(ctx, info->bus, info->address, info->path);
	if (!udev)
		return stdfu__fail(STDFU_ERR_GONE, "device %s is no longer on the bus", info->path);
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		libusb_unref_device(udev);
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory");
	}
	dev->ctx = ctx;
	dev->info = *info;
	dev->alt = -1;
	dev->state = -1;
	dev->last_request = -1;
	rc = libusb_open(udev, &dev->handle);
	libusb_unref_device(udev);
	if (rc) {
		free(dev);
		return stdfu__usb_map_open_error(rc, info->path, "cannot open");
	}
	rc = libusb_claim_interface(dev->handle, info->interface);
	if (rc) {
		libusb_close(dev->handle);
		free(dev);
		return stdfu__usb_map_open_error(rc, info->path,
						 "cannot claim the DFU interface of");
	}
	*out = dev;
	return STDFU_OK;
}

void stdfu_device_close(struct stdfu_device *dev)
{
	if (!dev)
		return;
	if (!dev->gone)
		libusb_release_interface(dev->handle, dev->info.interface);
	libusb_close(dev->handle);
	free(dev);
}

const struct stdfu_device_info *stdfu_device_get_info(const struct stdfu_device *dev)
{
	return &dev->info;
}

const struct stdfu_alt *stdfu_device_flash_alt(const struct stdfu_device_info *info)
{
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].layout_ok && strstr(info->alts[a].layout.name, "Internal Flash"))
			return &info->alts[a];
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].layout_ok)
			return &info->alts[a];
	return NULL;
}

void stdfu_device_set_poll_policy(struct stdfu_device *dev, enum stdfu_poll_policy policy)
{
	dev->poll = policy;
}

uint64_t stdfu_device_transfers(const struct stdfu_device *dev)
{
	return dev->transfers;
}

void stdfu__device_warn(struct stdfu_device *dev, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!dev->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dev->warn(dev->warn_user, code, msg);
}

int stdfu_device_wait_gone(struct stdfu_ctx *ctx, const struct stdfu_device_info *info,
			   unsigned timeout_ms)
{
	uint64_t deadline = stdfu__now_us() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		libusb_device *udev = stdfu__usb_find(ctx, info->bus, info->address, info->path);

		if (!udev)
			return STDFU_OK;
		libusb_unref_device(udev);
		if (stdfu__now_us() >= deadline)
			return stdfu__fail(STDFU_ERR_TIMEOUT,
					   "the device at %s was told to leave DFU but is still "
					   "there after %u ms",
					   info->path, timeout_ms);
		/* Hotplug events update libusb's list; poll it gently meanwhile. */
		struct timeval tv = {0, 2000};
		libusb_handle_events_timeout_completed(ctx->usb, &tv, NULL);
		stdfu__sleep_us(2000);
	}
}
