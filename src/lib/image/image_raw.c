/* SPDX-License-Identifier: MIT */
/*
 * Raw binary: the whole file (its DFU suffix already stripped) is one
 * segment at the address the caller gives. Without one, the image is marked
 * at_flash_base: the flash engine places it at the device's flash base,
 * which only the device knows (0x08000000 on every STM32 we know until then).
 */
#include "common/error_internal.h"
#include "image/formats.h"

#define RAW_DEFAULT_ADDRESS 0x08000000u

int stdfu__image_read_raw(struct img_build *b, const uint8_t *buf, size_t len,
			  const struct stdfu_image_load_opts *opts)
{
	bool placed = opts && opts->raw_address_set;

	if (len == 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: no data before the DFU suffix", b->name);
	if (len > b->max_size || len > UINT32_MAX)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: %zu bytes, more than the %zu-byte limit",
				   b->name, len, b->max_size);
	b->img->at_flash_base = !placed;
	return stdfu__img_add(b, 0, placed ? opts->raw_address : RAW_DEFAULT_ADDRESS, buf,
			      (uint32_t)len, b->name);
}
