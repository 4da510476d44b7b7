/* SPDX-License-Identifier: MIT */
/*
 * Raw binary: the whole file (its DFU suffix already stripped) is one
 * segment at the address the caller gives, else at the STM32 flash base.
 */
#include "common/error_internal.h"
#include "image/formats.h"

#define RAW_DEFAULT_ADDRESS 0x08000000u

int stdfu__image_read_raw(struct img_build *b, const uint8_t *buf, size_t len,
			  const struct stdfu_image_load_opts *opts)
{
	uint32_t addr = opts && opts->raw_address_set ? opts->raw_address : RAW_DEFAULT_ADDRESS;

	if (len == 0)
		return stdfu_fail(STDFU_ERR_IMAGE, "%s: no data before the DFU suffix", b->name);
	if (len > b->max_size || len > UINT32_MAX)
		return stdfu_fail(STDFU_ERR_IMAGE, "%s: %zu bytes, more than the %zu-byte limit",
				  b->name, len, b->max_size);
	return stdfu__img_add(b, 0, addr, buf, (uint32_t)len, b->name);
}
