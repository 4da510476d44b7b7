/* SPDX-License-Identifier: MIT */
/*
 * The stdfu companion in libopencm3's CDC-ACM example (libopencm3-examples,
 * examples/stm32/f4/stm32f4-discovery/usb_cdcacm/cdcacm.c): its class control callback
 * and its data OUT callback feed the companion, the main loop polls it. The lines marked
 * "stdfu" are all that changes; descriptors and strings stay as in that example.
 *
 * libopencm3 runs these callbacks from usbd_poll(): in the main loop as the example
 * does, or in the OTG interrupt if you call usbd_poll() there. Either way they never
 * preempt one another, which is all the companion asks of its feeding functions.
 *
 * Startup: libopencm3's reset_handler (lib/cm3/vector.c) copies .data, zeroes .bss and
 * calls main() without touching clocks or peripherals, and the flag lives in its own
 * no-init section that this leaves alone: make stdfu_fw_early_boot() the first statement
 * of main(), before any clock or peripheral set-up, and INCLUDE stdfu_fw_noinit.ld in
 * your linker script.
 */
#include <libopencm3/usb/cdc.h>
#include <libopencm3/usb/usbd.h>

#include "stdfu_fw.h" /* stdfu */

extern volatile uint32_t system_millis; /* incremented by sys_tick_handler(), 1 kHz */
extern const struct usb_device_descriptor dev;
extern const struct usb_config_descriptor config;
extern const char *const usb_strings[3];
int app_main(void);

static uint8_t usbd_control_buffer[128];

static enum usbd_request_return_codes
cdcacm_control_request(usbd_device *usbd_dev, struct usb_setup_data *req, uint8_t **buf,
		       uint16_t *len, usbd_control_complete_callback *complete)
{
	const uint8_t *lc = *buf;

	(void)complete;
	(void)usbd_dev;
	switch (req->bRequest) {
	case USB_CDC_REQ_SET_CONTROL_LINE_STATE:
		stdfu_fw_control_line_state(req->wValue, system_millis); /* stdfu */
		return USBD_REQ_HANDLED;
	case USB_CDC_REQ_SET_LINE_CODING:
		if (*len < sizeof(struct usb_cdc_line_coding))
			return USBD_REQ_NOTSUPP;
		/* stdfu: dwDTERate, little-endian at the start of the data stage */
		stdfu_fw_line_coding((uint32_t)lc[0] | (uint32_t)lc[1] << 8 |
					     (uint32_t)lc[2] << 16 | (uint32_t)lc[3] << 24,
				     system_millis);
		return USBD_REQ_HANDLED;
	default:
		return USBD_REQ_NOTSUPP;
	}
}

static void cdcacm_data_rx_cb(usbd_device *usbd_dev, uint8_t ep)
{
	uint8_t buf[64];
	uint16_t len = usbd_ep_read_packet(usbd_dev, ep, buf, sizeof(buf));

	stdfu_fw_receive(buf, len, system_millis); /* stdfu: first, every packet */
						   /* ... the application's own use of buf ... */
}

static void cdcacm_set_config(usbd_device *usbd_dev, uint16_t wValue)
{
	(void)wValue;
	usbd_ep_setup(usbd_dev, 0x01, USB_ENDPOINT_ATTR_BULK, 64, cdcacm_data_rx_cb);
	usbd_ep_setup(usbd_dev, 0x82, USB_ENDPOINT_ATTR_BULK, 64, 0);
	usbd_ep_setup(usbd_dev, 0x83, USB_ENDPOINT_ATTR_INTERRUPT, 16, 0);
	usbd_register_control_callback(usbd_dev, USB_REQ_TYPE_CLASS | USB_REQ_TYPE_INTERFACE,
				       USB_REQ_TYPE_TYPE | USB_REQ_TYPE_RECIPIENT,
				       cdcacm_control_request);
}

int app_main(void) /* the example's int main(void) */
{
	usbd_device *usbd_dev;

	stdfu_fw_early_boot(); /* stdfu: first, before the clock set-up */
	usbd_dev = usbd_init(&otgfs_usb_driver, &dev, &config, usb_strings, 3, usbd_control_buffer,
			     sizeof(usbd_control_buffer));
	usbd_register_set_config_callback(usbd_dev, cdcacm_set_config);
	for (;;) {
		usbd_poll(usbd_dev);
		stdfu_fw_poll(system_millis); /* stdfu: at least every 10 ms */
	}
}
