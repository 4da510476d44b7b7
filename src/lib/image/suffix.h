/* SPDX-License-Identifier: MIT */
/* The DFU suffix (DFU 1.1 appendix B) and its CRC-32. */
#ifndef STDFU_IMAGE_SUFFIX_H
#define STDFU_IMAGE_SUFFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/image.h>

#define DFU_SUFFIX_LEN 16u

/* CRC-32 as the DFU suffix uses it: reflected 0xEDB88320, init ~0, no final XOR. */
uint32_t stdfu__dfu_crc32(uint32_t crc, const uint8_t *buf, size_t len);

/* True when @buf ends in something shaped like a DFU suffix ("UFD", bLength). */
bool stdfu__dfu_suffix_present(const uint8_t *buf, size_t len);

/*
 * Check the suffix at the end of @buf (CRC included), record its fields in
 * @img and return the length of the data before it in *payload_len.
 */
int stdfu__dfu_suffix_parse(const uint8_t *buf, size_t len, const char *name,
			    struct stdfu_image *img, size_t *payload_len);

/* Append a 16-byte suffix to @buf (which has room) and return the new length. */
size_t stdfu__dfu_suffix_write(uint8_t *buf, size_t len, uint16_t bcd_device, uint16_t pid,
			       uint16_t vid, uint16_t bcd_dfu);

#endif
