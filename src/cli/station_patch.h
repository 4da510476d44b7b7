/* SPDX-License-Identifier: MIT */
/*
 * --serial-at ADDR: the 32-bit little-endian serial number a station writes
 * into each board's image. Checked once before the station starts (the image
 * holds nothing at ADDR, ADDR is in the STM32 main-flash window), again per
 * board against its ROM's flash layout, then patched into a fresh copy of the
 * image as a segment of its own.
 */
#ifndef STDFU_CLI_STATION_PATCH_H
#define STDFU_CLI_STATION_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
#include <stdfu/image.h>

#define SP_SERIAL_BYTES 4u

/* Before the start: 0, or the exit code (2 bad ADDR, 7 the image holds data
 * there) with the reason in @why. */
int sp_check(const struct stdfu_image *img, uint32_t addr, char *why, size_t cap);
/* For one board: STDFU_OK, or STDFU_ERR_FIT if ADDR is not in a writable
 * sector of its flash (@why says so). */
int sp_check_device(const struct stdfu_device_info *info, uint32_t addr, char *why, size_t cap);
/* Place a raw image at the board's flash base, then add @serial at @addr.
 * STDFU_OK, STDFU_ERR_IMAGE (data already there) or STDFU_ERR_NOMEM. */
int sp_patch(struct stdfu_image *img, const struct stdfu_device_info *info, uint32_t addr,
	     uint32_t serial, char *why, size_t cap);

/* A deep copy of @img for one board (NULL: no memory). */
struct stdfu_image *sp_copy(const struct stdfu_image *img);

#endif
