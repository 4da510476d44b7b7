/* SPDX-License-Identifier: MIT */
/*
 * The bus around a DFU session: snapshots of every device, waiting for
 * hotplug events, the permission settle after a device appears, and
 * DFU_DETACH to an application's runtime DFU interface.
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/trigger.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"

static bool identity(struct stdfu_ctx *ctx, libusb_device *udev,
		     const struct libusb_device_descriptor *dd, struct stdfu_device_info *item)
{
	(void)ctx;
	stdfu__usb_identity(udev, dd, item);
	return true;
}

int stdfu_bus_snapshot(struct stdfu_ctx *ctx, struct stdfu_device_list **out)
{
	return stdfu__usb_list(ctx, identity, out);
}

/* ---- waiting for the bus to change ------------------------------------------ */

struct stdfu_usb_watch {
	struct stdfu_ctx *ctx;
	libusb_hotplug_callback_handle handle;
	bool on;
	int completed; /* set by on_hotplug: ends the nap in progress */
};

static int LIBUSB_CALL on_hotplug(libusb_context *usb, libusb_device *dev,
				  libusb_hotplug_event event, void *user)
{
	struct stdfu_usb_watch *w = user;

	(void)usb;
	(void)dev;
	(void)event;
	w->completed = 1;
	return 0;
}

struct stdfu_usb_watch *stdfu__usb_watch_start(struct stdfu_ctx *ctx)
{
	struct stdfu_usb_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL; /* the caller then polls */
	w->ctx = ctx;
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG))
		return w;
	w->on = libusb_hotplug_register_callback(
			ctx->usb,
			LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
			LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
			LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, w, &w->handle) == LIBUSB_SUCCESS;
	return w;
}

void stdfu__usb_watch_nap(struct stdfu_usb_watch *w, uint64_t ms)
{
	/* Even with hotplug, look again now and then: an event can be coalesced. */
	uint64_t cap = w && w->on ? 100 : STDFU_WAIT_POLL_MS;
	struct timeval tv;

	if (ms > cap)
		ms = cap;
	if (ms == 0)
		ms = 1;
	if (!w || !w->on) {
		stdfu__sleep_us(ms * 1000u);
		return;
	}
	tv.tv_sec = 0;
	tv.tv_usec = (long)ms * 1000;
	/*
	 * Returns early when a hotplug callback ran. libusb returns at once,
	 * without waiting, when *completed is already non-zero on entry: so
	 * it is cleared here, and the callback alone sets it (passing a copy
	 * of the event count made every nap after the first event return at
	 * once, and each wait after a leave spun on the device list).
	 */
	w->completed = 0;
	libusb_handle_events_timeout_completed(w->ctx->usb, &tv, &w->completed);
}

void stdfu__usb_watch_stop(struct stdfu_usb_watch *w)
{
	if (!w)
		return;
	if (w->on)
		libusb_hotplug_deregister_callback(w->ctx->usb, w->handle);
	free(w);
}

void stdfu__usb_settle(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, unsigned ms)
{
	uint64_t end = stdfu__now_us() + (uint64_t)ms * 1000u;

	for (;;) {
		libusb_device *udev = stdfu__usb_find(ctx, bus, address, NULL);
		libusb_device_handle *h = NULL;
		int rc = udev ? libusb_open(udev, &h) : LIBUSB_ERROR_NO_DEVICE;

		if (udev)
			libusb_unref_device(udev);
		if (h)
			libusb_close(h);
		if (rc != LIBUSB_ERROR_ACCESS || stdfu__now_us() >= end)
			return;
		stdfu__sleep_us(STDFU_WAIT_POLL_MS * 1000u);
	}
}

/* ---- DFU_DETACH ---------------------------------------------------------------- */

/* The runtime DFU interface (DFU 1.1, 4.1.2: FE/01/01) with its functional descriptor. */
static int find_runtime(libusb_device *udev, struct stdfu_device_info *rt)
{
	struct libusb_config_descriptor *cfg;

	memset(rt, 0, sizeof(*rt));
	if (libusb_get_active_config_descriptor(udev, &cfg) != 0)
		return -1;
	stdfu__usb_dfu_interface(cfg, STDFU_USB_PROTOCOL_DFU_RUNTIME, rt, NULL);
	libusb_free_config_descriptor(cfg);
	return rt->n_alts ? 0 : -1;
}

/* A device that detaches at once may not complete the status stage. */
static bool gone_mid_request(int rc)
{
	return rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_IO;
}

static int detach_failed(int rc, const char *path)
{
	if (rc == LIBUSB_ERROR_PIPE)
		return stdfu__fail(STDFU_ERR_TRIGGER,
				   "the application at %s stalled DFU_DETACH: its runtime DFU "
				   "interface refuses to detach",
				   path);
	return stdfu__fail(STDFU_ERR_TRIGGER, "DFU_DETACH to %s failed: %s", path,
			   libusb_strerror(rc));
}

static int detach_on(struct stdfu_ctx *ctx, libusb_device_handle *h,
		     const struct stdfu_device_info *rt, const char *path)
{
	const struct stdfu_dfu_functional *f = &rt->functional;
	uint16_t ms = rt->functional_ok ? f->detach_timeout_ms : 0;
	uint16_t wait = ms < STDFU_DFU_DETACH_TIMEOUT_MAX ? ms : STDFU_DFU_DETACH_TIMEOUT_MAX;
	int rc = libusb_claim_interface(h, rt->interface);

	if (rc)
		return stdfu__usb_map_open_error(rc, path, "claiming the DFU runtime interface of");
	rc = stdfu__usb_ctx_control(ctx, h, STDFU_USB_REQ_CLASS_OUT, STDFU_DFU_REQ_DETACH, wait,
				    rt->interface, NULL, 0, 1000);
	if (rc < 0 && gone_mid_request(rc))
		return STDFU_OK;
	libusb_release_interface(h, rt->interface);
	if (rc < 0)
		return detach_failed(rc, path);
	/* DFU 1.1, 5.1: without bitWillDetach the host must reset the bus. */
	if (!rt->functional_ok || !(f->attributes & STDFU_DFU_ATTR_WILL_DETACH))
		libusb_reset_device(h);
	return STDFU_OK;
}

int stdfu__usb_detach(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, const char *path)
{
	libusb_device *udev = stdfu__usb_find(ctx, bus, address, NULL);
	struct stdfu_device_info rt;
	libusb_device_handle *h;
	int rc;

	if (!udev)
		return stdfu__fail(STDFU_ERR_NO_DEVICE, "the application at %s went away", path);
	if (find_runtime(udev, &rt) < 0) {
		libusb_unref_device(udev);
		return stdfu__fail(STDFU_ERR_TRIGGER,
				   "the application at %s has no DFU runtime interface (class "
				   "FE/01/01): use --method byte or --method touch1200",
				   path);
	}
	rc = libusb_open(udev, &h);
	libusb_unref_device(udev);
	if (rc)
		return stdfu__usb_map_open_error(rc, path, "opening the application at");
	libusb_set_auto_detach_kernel_driver(h, 1);
	rc = detach_on(ctx, h, &rt, path);
	libusb_close(h);
	return rc;
}
