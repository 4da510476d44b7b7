/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for libopencm3's <libopencm3/usb/cdc.h>, compile check only: the request
 * codes and struct usb_cdc_line_coding as in include/libopencm3/usb/cdc.h of
 * github.com/libopencm3/libopencm3 (CDC PSTN 1.2, 6.3).
 */
#ifndef STDFU_STAND_IN_LIBOPENCM3_CDC_H
#define STDFU_STAND_IN_LIBOPENCM3_CDC_H

#include <stdint.h>

#define USB_CDC_REQ_SET_LINE_CODING	   0x20
#define USB_CDC_REQ_SET_CONTROL_LINE_STATE 0x22

struct usb_cdc_line_coding {
	uint32_t dwDTERate;
	uint8_t bCharFormat;
	uint8_t bParityType;
	uint8_t bDataBits;
} __attribute__((packed));

#endif
