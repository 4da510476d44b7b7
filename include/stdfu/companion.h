/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/companion.h
 * @brief Does a firmware image carry the stdfu firmware companion?
 *
 * The companion (firmware/) puts a 16-byte record in the flash of every image built
 * with it (layout in <stdfu/trigger_protocol.h>). An image without it, once flashed,
 * can no longer be taken into the ROM by the trigger byte or the 1200-baud touch: the
 * next update needs BOOT0 or a DFU runtime interface.
 */
#ifndef STDFU_COMPANION_H
#define STDFU_COMPANION_H

#include <stdbool.h>
#include <stdint.h>

#include <stdfu/image.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the record says. */
struct stdfu_companion_record {
	bool found;	      /**< the image carries a valid record */
	uint32_t address;     /**< where it is in the image's address space */
	unsigned version;     /**< the trigger protocol version the companion speaks */
	uint8_t trigger_byte; /**< the byte it was built with (--trigger-byte) */
	uint8_t flags;	      /**< reserved, 0 */
};

/**
 * Look for the record in @p img: 4-byte aligned, magic, size and check word valid.
 * Returns STDFU_OK with out->found telling, or STDFU_ERR_ARG. Never prints.
 */
int stdfu_companion_find(const struct stdfu_image *img, struct stdfu_companion_record *out);

#ifdef __cplusplus
}
#endif

#endif /* STDFU_COMPANION_H */
