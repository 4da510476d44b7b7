/* SPDX-License-Identifier: MIT */
/* Where an image lands on a given device (raw files without an address). */
#ifndef STDFU_FLASH_PLACE_H
#define STDFU_FLASH_PLACE_H

#include <stdfu/device.h>
#include <stdfu/image.h>

/*
 * @img as it lands on the device @info: a raw image loaded without an
 * address comes back as @view, whose one segment @seg shares the image's data
 * but starts at the device's flash base. Any other image is returned as is.
 */
const struct stdfu_image *stdfu__image_placed(const struct stdfu_device_info *info,
					      const struct stdfu_image *img,
					      struct stdfu_image *view, struct stdfu_segment *seg);

/* The start of the device's flash alt (0x08000000 if it has none). */
uint32_t stdfu__flash_base(const struct stdfu_device_info *info);

#endif
