/* SPDX-License-Identifier: MIT */
/*
 * The DFU 1.1 requests with what the DfuSe commands (dfuse.c) need beyond
 * the public ones in stdfu/dfu.h: the wording of errors, the transfer
 * timeout, and the libusb result of a failed GETSTATUS (a stall while busy
 * is the L4 ROM saying "busy"; a vanished device after leave is success).
 */
#ifndef STDFU_DFU_INTERNAL_H
#define STDFU_DFU_INTERNAL_H

#include <stdint.h>

#include <stdfu/dfu.h>

struct stdfu_device;

/*
 * DNLOAD of @len bytes at wBlockNum @block; @what names it in errors. @lrc
 * (may be NULL) receives the libusb error, 0 if none.
 */
int stdfu__dfu_dnload(struct stdfu_device *dev, uint16_t block, const uint8_t *data, uint16_t len,
		      const char *what, int *lrc);

/* UPLOAD; a stall is explained by GETSTATUS (errVENDOR...). Returns the bytes read. */
int stdfu__dfu_upload(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len,
		      const char *what);

/* GETSTATUS with a transfer timeout; *lrc is the libusb error (0 if none). */
int stdfu__dfu_get_status(struct stdfu_device *dev, struct stdfu_dfu_status *st,
			  unsigned timeout_ms, int *lrc);

/* Map an error status to STDFU_ERR_*, leaving dfuERROR first (DFU 1.1 6.1.4). */
int stdfu__dfuse_status_error(struct stdfu_device *dev, const struct stdfu_dfu_status *st,
			      const char *what);

#endif
