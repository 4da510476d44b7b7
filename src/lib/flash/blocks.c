/* SPDX-License-Identifier: MIT */
/*
 * Control transfers per block: write = DNLOAD + GETSTATUS (dfuDNBUSY) +
 * GETSTATUS (dfuDNLOAD-IDLE) = 3; read and verify = 1 UPLOAD. Per run of
 * blocks: one Set Address (3 transfers), plus one ABORT before reading.
 */
#include <string.h>

#include <stdfu/dfuse.h>

#include "common/error_internal.h"
#include "flash/blocks.h"
#include "usb/device_internal.h"

#define MAX_BLOCKS_PER_RUN 65534u /* wBlockNum 2..65535 */

static int mismatch(struct op *op, uint32_t address, const uint8_t *want, const uint8_t *got,
		    size_t len)
{
	size_t i = 0;

	while (i < len && want[i] == got[i])
		i++;
	op->res->fail_address = address + (uint32_t)i;
	return stdfu__fail(STDFU_ERR_VERIFY,
			   "verify failed at 0x%08x: expected 0x%02x, read 0x%02x; the flash does "
			   "not hold the image (write-protected sector?)",
			   address + (uint32_t)i, want[i], got[i]);
}

/* UPLOAD one block into @dst; compare it with @want when given. */
static int read_block(struct op *op, uint16_t block, uint32_t address, uint8_t *dst,
		      const uint8_t *want, uint16_t len)
{
	int rc = stdfu_dfuse_read_block(op->dev, block, dst, len);

	if (rc < 0)
		return rc;
	if (rc != len)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "UPLOAD at 0x%08llx returned %d of %u bytes",
				   (unsigned long long)address, rc, len);
	if (want && memcmp(want, dst, len))
		return mismatch(op, address, want, dst, len);
	return STDFU_OK;
}

static int one_block(struct op *op, enum blocks_mode mode, uint16_t block, uint32_t address,
		     const uint8_t *data, uint8_t *out, uint16_t len)
{
	uint8_t buf[STDFU_TRANSFER_SIZE_MAX];

	switch (mode) {
	case BLOCKS_WRITE:
		return stdfu_dfuse_write_block(op->dev, block, data, len);
	case BLOCKS_READ:
		return read_block(op, block, address, out, NULL, len);
	default:
		return read_block(op, block, address, buf, data, len);
	}
}

int stdfu__blocks(struct op *op, enum blocks_mode mode, uint32_t address, uint32_t size,
		  const uint8_t *data, uint8_t *out)
{
	uint32_t ts = op->dev->info.functional.transfer_size;
	uint64_t chunk = (uint64_t)ts * MAX_BLOCKS_PER_RUN;

	for (uint64_t off = 0; off < size; off += chunk) {
		uint64_t end = off + chunk < size ? off + chunk : size;
		uint16_t block = 2;
		int rc = stdfu_dfuse_set_address(op->dev, (uint32_t)(address + off));

		for (uint64_t pos = off; pos < end && !rc; pos += ts) {
			uint16_t len = (uint16_t)(end - pos < ts ? end - pos : ts);

			if (stdfu__cancelled(op->dev))
				return stdfu__cancel_at(op, (uint32_t)(address + pos));
			rc = one_block(op, mode, block++, (uint32_t)(address + pos),
				       data ? data + pos : NULL, out ? out + pos : NULL, len);
			if (!rc)
				stdfu__progress(op, len);
		}
		if (rc)
			return rc;
	}
	return STDFU_OK;
}
