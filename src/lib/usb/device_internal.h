/* SPDX-License-Identifier: MIT */
#ifndef STDFU_DEVICE_INTERNAL_H
#define STDFU_DEVICE_INTERNAL_H

#include <libusb.h>

#include <stdfu/device.h>

struct stdfu_ctx {
	libusb_context *usb;
	uint64_t transfers;
};

struct stdfu_device {
	struct stdfu_ctx *ctx;
	libusb_device_handle *handle;
	struct stdfu_device_info info;
	int alt;   /* current alt setting, -1 unknown */
	int state; /* last bState seen, -1 unknown */
	enum stdfu_poll_policy poll;
	uint64_t transfers;
	bool gone; /* a transfer said LIBUSB_ERROR_NO_DEVICE */
	/* Set by flash.c for the length of an operation: quiet warnings. */
	void (*warn)(void *user, const char *msg);
	void *warn_user;
};

/* Timeout of a control transfer that the device answers at once. */
#define STDFU_USB_TIMEOUT_MS 3000u

/* usb.c: the libusb transport. */
int stdfu_usb_control(struct stdfu_device *dev, uint8_t request_type, uint8_t request,
		      uint16_t value, uint8_t *data, uint16_t len, unsigned timeout_ms);
int stdfu_usb_error(struct stdfu_device *dev, int lrc, const char *what);
int stdfu_usb_port_path(libusb_device *udev, char *buf, size_t cap);
int stdfu_usb_get_string(struct stdfu_ctx *ctx, libusb_device_handle *h, uint16_t langid,
			 uint8_t index, char *buf, size_t cap);
int stdfu_usb_map_open_error(int lrc, const char *path, const char *what);
uint64_t stdfu_now_us(void);
void stdfu_sleep_us(uint64_t us);

/* device.c: report a warning to the running operation, if any. */
void stdfu_device_warn(struct stdfu_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
