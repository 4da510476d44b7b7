/* SPDX-License-Identifier: MIT */
#ifndef STDFU_DEVICE_INTERNAL_H
#define STDFU_DEVICE_INTERNAL_H

#include <libusb.h>
#include <signal.h>

#include <stdfu/device.h>

#include "usb/bus_internal.h"

struct stdfu_ctx {
	libusb_context *usb;
	uint64_t transfers;
	volatile sig_atomic_t cancel; /* stdfu_ctx_cancel(), from a signal handler */
	enum stdfu_log_level log_level;
	stdfu_log_fn log;
	void *log_user;
};

struct stdfu_device {
	struct stdfu_ctx *ctx;
	libusb_device_handle *handle;
	struct stdfu_device_info info;
	int alt;   /* current alt setting, -1 unknown */
	int state; /* last bState seen, -1 unknown */
	/* bStatus of the last error status the device reported (dfu.c) */
	uint8_t last_status;
	enum stdfu_poll_policy poll;
	uint64_t transfers;
	bool gone;	      /* a transfer said LIBUSB_ERROR_NO_DEVICE */
	bool poll_lie_warned; /* an implausible bwPollTimeout was reported once */
	bool leave_hung;      /* the ROM stopped answering on the bus after a leave */
	int last_request;     /* the last DFU request other than a status query, -1 none */
	/* Set by flash.c for the length of an operation: quiet warnings. */
	void (*warn)(void *user, int code, const char *msg);
	void *warn_user;
};

/* A safe point: between two transfers, never inside one. */
static inline bool stdfu__cancelled(const struct stdfu_device *dev)
{
	return dev->ctx && dev->ctx->cancel;
}

/* Timeout of a control transfer that the device answers at once. */
#define STDFU_USB_TIMEOUT_MS 3000u

/* USB 2.0, 9.6.5 and DFU 1.1, 4.1.1 / 4.2.1: the DFU interface codes. */
#define STDFU_USB_CLASS_APP_SPECIFIC   0xfe
#define STDFU_USB_SUBCLASS_DFU	       0x01
#define STDFU_USB_PROTOCOL_DFU_RUNTIME 0x01 /* an application's runtime interface */
#define STDFU_USB_PROTOCOL_DFU_MODE    0x02 /* the ROM's DFU mode interface */
/* DFU 1.1, 3: class requests to the interface, host to device. */
#define STDFU_USB_REQ_CLASS_OUT \
	(LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE)
#define STDFU_DFU_REQ_DETACH	     0x00
/* DFU 1.1, 4.1.3: bitWillDetach of bmAttributes. */
#define STDFU_DFU_ATTR_WILL_DETACH   0x08
/* The wTimeout we ask of DFU_DETACH at most (the application's wDetachTimeOut may be longer). */
#define STDFU_DFU_DETACH_TIMEOUT_MAX 1000u

/* transport.c: the libusb transport; every control transfer is counted there. */
int stdfu__usb_control(struct stdfu_device *dev, uint8_t request_type, uint8_t request,
		       uint16_t value, uint8_t *data, uint16_t len, unsigned timeout_ms);
int stdfu__usb_ctx_control(struct stdfu_ctx *ctx, libusb_device_handle *h, uint8_t request_type,
			   uint8_t request, uint16_t value, uint16_t index, uint8_t *data,
			   uint16_t len, unsigned timeout_ms);
int stdfu__usb_error(struct stdfu_device *dev, int lrc, const char *what);
int stdfu__usb_port_path(libusb_device *udev, char *buf, size_t cap);
uint16_t stdfu__usb_get_langid(struct stdfu_ctx *ctx, libusb_device_handle *h, int *lrc);
int stdfu__usb_get_string(struct stdfu_ctx *ctx, libusb_device_handle *h, uint16_t langid,
			  uint8_t index, char *buf, size_t cap);
int stdfu__usb_map_open_error(int lrc, const char *path, const char *what);
/* Every device on the bus into a list: @visit fills *item and says whether to keep it. */
typedef bool (*stdfu_usb_visit)(struct stdfu_ctx *ctx, libusb_device *udev,
				const struct libusb_device_descriptor *dd,
				struct stdfu_device_info *item);
int stdfu__usb_list(struct stdfu_ctx *ctx, stdfu_usb_visit visit, struct stdfu_device_list **out);
/* The one device lookup: bus/address, and @path unless NULL. Referenced, or NULL. */
libusb_device *stdfu__usb_find(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address,
			       const char *path);
/* Identity fields of @info (path, bus, address, ids) from the descriptors, no transfer. */
void stdfu__usb_identity(libusb_device *udev, const struct libusb_device_descriptor *dd,
			 struct stdfu_device_info *info);

/* device.c: the DFU interface (class FE/01) of @protocol (0: any) and its alts. */
void stdfu__usb_dfu_interface(const struct libusb_config_descriptor *cfg, int protocol,
			      struct stdfu_device_info *info, uint8_t *istr);

/*
 * The alt setting numbered @number whose layout string parsed, or NULL (none,
 * or its layout is unusable). @number is int so that an unknown alt (-1)
 * matches none. Inline: the engine's unit test links the flash sources
 * without device.c.
 */
static inline const struct stdfu_alt *stdfu__alt_by_number(const struct stdfu_device_info *info,
							   int number)
{
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].number == number && info->alts[a].layout_ok)
			return &info->alts[a];
	return NULL;
}

/* device.c: report a warning to the running operation, if any. */
void stdfu__device_warn(struct stdfu_device *dev, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
