/* SPDX-License-Identifier: MIT */
/*
 * The DFU suffix (DFU 1.1 appendix B; UM0391 for DfuSe files): 16 bytes at
 * the end of the file, in file order bcdDevice, idProduct, idVendor, bcdDFU,
 * "UFD", bLength, dwCRC. The CRC covers everything but its own 4 bytes.
 */
#include <string.h>

#include "common/error_internal.h"
#include "common/le.h"
#include "image/suffix.h"

uint32_t stdfu__dfu_crc32(uint32_t crc, const uint8_t *buf, size_t len)
{
	while (len--) {
		crc ^= *buf++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc;
}

bool stdfu__dfu_suffix_present(const uint8_t *buf, size_t len)
{
	return len >= DFU_SUFFIX_LEN && memcmp(buf + len - 8, "UFD", 3) == 0;
}

int stdfu__dfu_suffix_parse(const uint8_t *buf, size_t len, const char *name,
			    struct stdfu_image *img, size_t *payload_len)
{
	const uint8_t *s = buf + len - DFU_SUFFIX_LEN;
	uint32_t want, got;
	unsigned blen = s[11];

	/* A longer suffix (bLength > 16) carries extra fields before these 16 bytes. */
	if (blen < DFU_SUFFIX_LEN || blen > len)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: offset 0x%zx: DFU suffix bLength %u (expected 16, file has %zu "
			"bytes)",
			name, len - 5, blen, len);
	want = le_get32(s + 12);
	got = stdfu__dfu_crc32(0xFFFFFFFFu, buf, len - 4);
	if (got != want)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: offset 0x%zx: DFU suffix CRC 0x%08x, computed 0x%08x "
				   "(file corrupted or truncated)",
				   name, len - 4, want, got);
	img->has_suffix = true;
	img->suffix_bcd_device = le_get16(s);
	img->suffix_pid = le_get16(s + 2);
	img->suffix_vid = le_get16(s + 4);
	img->suffix_bcd_dfu = le_get16(s + 6);
	*payload_len = len - blen;
	return STDFU_OK;
}

size_t stdfu__dfu_suffix_write(uint8_t *buf, size_t len, uint16_t bcd_device, uint16_t pid,
			       uint16_t vid, uint16_t bcd_dfu)
{
	uint8_t *s = buf + len;

	le_put16(s, bcd_device);
	le_put16(s + 2, pid);
	le_put16(s + 4, vid);
	le_put16(s + 6, bcd_dfu);
	memcpy(s + 8, "UFD", 3);
	s[11] = DFU_SUFFIX_LEN;
	le_put32(s + 12, stdfu__dfu_crc32(0xFFFFFFFFu, buf, len + 12));
	return len + DFU_SUFFIX_LEN;
}
