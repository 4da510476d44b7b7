/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/usb_requests.h
 * @brief Names of the USB standard requests and the DFU class requests.
 *
 * ONE table, included by both sides that log control transfers: the library's
 * verbose report (src/lib/usb) and stdfu-emu's --verbose request log. It uses
 * nothing but <stdint.h>, so either side can include it without pulling in the
 * other's headers.
 */
#ifndef STDFU_USB_REQUESTS_H
#define STDFU_USB_REQUESTS_H

#include <stdint.h>

/**
 * The bRequest name of a standard request (bmRequestType bits 6..5 = 0), after
 * USB 2.0 section 9.4, table 9-4; "?" for the codes the table leaves reserved (2, 4)
 * and for those past SET_INTERFACE (SYNCH_FRAME is isochronous only).
 */
static inline const char *stdfu_usb_std_request_name(uint8_t request)
{
	static const char *const names[] = {"GET_STATUS",
					    "CLEAR_FEATURE",
					    "?",
					    "SET_FEATURE",
					    "?",
					    "SET_ADDRESS",
					    "GET_DESCRIPTOR",
					    "SET_DESCRIPTOR",
					    "GET_CONFIGURATION",
					    "SET_CONFIGURATION",
					    "GET_INTERFACE",
					    "SET_INTERFACE"};

	return request < sizeof(names) / sizeof(names[0]) ? names[request] : "?";
}

/**
 * The bRequest name of a DFU class request, after DFU 1.1 section 3, table 3.2
 * (codes as enum stdfu_dfu_request in <stdfu/dfu.h>); "?" past DFU_ABORT.
 */
static inline const char *stdfu_dfu_request_name(uint8_t request)
{
	static const char *const names[] = {"DFU_DETACH", "DNLOAD",   "UPLOAD", "GETSTATUS",
					    "CLRSTATUS",  "GETSTATE", "ABORT"};

	return request < sizeof(names) / sizeof(names[0]) ? names[request] : "?";
}

#endif /* STDFU_USB_REQUESTS_H */
