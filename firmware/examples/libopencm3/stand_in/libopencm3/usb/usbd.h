/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for libopencm3's <libopencm3/usb/usbd.h> and the parts of usbstd.h it pulls
 * in, for the compile check only: the declarations the example uses, with the exact
 * signatures of libopencm3 (github.com/libopencm3/libopencm3, include/libopencm3/usb/
 * usbd.h: usbd_control_callback, usbd_control_complete_callback, usbd_set_config_callback,
 * usbd_endpoint_callback, usbd_init, usbd_register_set_config_callback,
 * usbd_register_control_callback, usbd_ep_setup, usbd_ep_read_packet, usbd_poll;
 * include/libopencm3/usb/usbstd.h: struct usb_setup_data, USB_REQ_TYPE_*,
 * USB_ENDPOINT_ATTR_*).
 */
#ifndef STDFU_STAND_IN_LIBOPENCM3_USBD_H
#define STDFU_STAND_IN_LIBOPENCM3_USBD_H

#include <stdint.h>

#define USB_REQ_TYPE_CLASS	    0x20
#define USB_REQ_TYPE_INTERFACE	    0x01
#define USB_REQ_TYPE_TYPE	    0x60
#define USB_REQ_TYPE_RECIPIENT	    0x1F
#define USB_ENDPOINT_ATTR_BULK	    0x02
#define USB_ENDPOINT_ATTR_INTERRUPT 0x03

struct usb_setup_data {
	uint8_t bmRequestType;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
} __attribute__((packed));

struct usb_device_descriptor;
struct usb_config_descriptor;
typedef struct _usbd_device usbd_device;
typedef struct _usbd_driver usbd_driver;
extern const usbd_driver otgfs_usb_driver;

enum usbd_request_return_codes {
	USBD_REQ_NOTSUPP = 0,
	USBD_REQ_HANDLED = 1,
	USBD_REQ_NEXT_CALLBACK = 2,
};

typedef void (*usbd_control_complete_callback)(usbd_device *usbd_dev, struct usb_setup_data *req);
typedef enum usbd_request_return_codes (*usbd_control_callback)(
	usbd_device *usbd_dev, struct usb_setup_data *req, uint8_t **buf, uint16_t *len,
	usbd_control_complete_callback *complete);
typedef void (*usbd_set_config_callback)(usbd_device *usbd_dev, uint16_t wValue);
typedef void (*usbd_endpoint_callback)(usbd_device *usbd_dev, uint8_t ep);

usbd_device *usbd_init(const usbd_driver *driver, const struct usb_device_descriptor *dev,
		       const struct usb_config_descriptor *conf, const char *const *strings,
		       int num_strings, uint8_t *control_buffer, uint16_t control_buffer_size);
int usbd_register_control_callback(usbd_device *usbd_dev, uint8_t type, uint8_t type_mask,
				   usbd_control_callback callback);
int usbd_register_set_config_callback(usbd_device *usbd_dev, usbd_set_config_callback callback);
void usbd_ep_setup(usbd_device *usbd_dev, uint8_t addr, uint8_t type, uint16_t max_size,
		   usbd_endpoint_callback callback);
uint16_t usbd_ep_read_packet(usbd_device *usbd_dev, uint8_t addr, void *buf, uint16_t len);
void usbd_poll(usbd_device *usbd_dev);

#endif
