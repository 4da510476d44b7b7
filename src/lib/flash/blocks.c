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

/*
 * G4 ROMs accept only 1024-byte writes (docs/real-rom-facts.md): a short last
 * block is refused with a DFU status. Clear it and write the block again
 * padded with 0xFF, the erased value, to the full transfer size: the bytes
 * past the image stay as erased as they were. The pad stays inside the block
 * of wTransferSize that holds the image's end, within the erased sectors as
 * long as runs start on a multiple of wTransferSize inside a sector.
 */
static int write_padded(struct op *op, uint16_t block, uint32_t address, const uint8_t *data,
			uint16_t len, uint16_t ts)
{
	uint8_t buf[STDFU_TRANSFER_SIZE_MAX];
	/* the refusal already left dfuERROR (stdfu_dfuse_status_error) */
	int rc = stdfu_dfuse_set_address(op->dev, address - (uint32_t)(block - 2) * ts);

	if (rc)
		return rc;
	memcpy(buf, data, len);
	memset(buf + len, 0xFF, ts - len);
	rc = stdfu_dfuse_write_block(op->dev, block, buf, ts);
	if (!rc && !op->padded) {
		op->padded = true;
		stdfu__device_warn(
			op->dev, STDFU_WARN_PADDED_WRITE,
			"the ROM refused a %u-byte write at 0x%08x; wrote it padded with "
			"0xFF to %u bytes (ROMs such as the STM32G4's take only full "
			"blocks)",
			len, address, ts);
	}
	return rc;
}

static int one_block(struct op *op, enum blocks_mode mode, uint16_t block, uint32_t address,
		     const uint8_t *data, uint8_t *out, uint16_t len, uint16_t ts)
{
	uint8_t buf[STDFU_TRANSFER_SIZE_MAX];
	int rc;

	switch (mode) {
	case BLOCKS_WRITE:
		rc = stdfu_dfuse_write_block(op->dev, block, data, len);
		if (rc == STDFU_ERR_DFU_STATUS && len < ts) {
			stdfu_error_clear();
			rc = write_padded(op, block, address, data, len, ts);
		}
		return rc;
	case BLOCKS_READ:
		return read_block(op, block, address, out, NULL, len);
	default:
		return read_block(op, block, address, buf, data, len);
	}
}

/*
 * L43x ROMs advertise 2048-byte transfers but fail them: the GETSTATUS after
 * the DNLOAD stalls and nothing is written (community.st.com thread 39383,
 * where users need dfu-util -t 1024). If a block larger than 1024 bytes
 * fails that way and the ROM still answers, clear its error and carry on
 * with 1024-byte writes for the rest of the operation. The ROM places block
 * N at pointer + (N - 2) * its own wTransferSize (usbd_dfu.c), so each
 * smaller block gets its own Set Address and wBlockNum 2, as dfu-util -t
 * does. Reads are not affected.
 */
#define FALLBACK_TRANSFER_SIZE 1024u

static bool fall_back(struct op *op, int rc)
{
	struct stdfu_device *dev = op->dev;
	struct stdfu_dfu_status st;
	uint16_t ts = dev->info.functional.transfer_size;

	if (op->write_size || ts <= FALLBACK_TRANSFER_SIZE || dev->gone ||
	    rc == STDFU_ERR_DFU_STATUS || rc == STDFU_ERR_PROTECTED || rc == STDFU_ERR_GONE)
		return false;
	if (stdfu_dfu_get_status(dev, &st) ||
	    (st.state == STDFU_STATE_DFU_ERROR && stdfu_dfu_clear_status(dev)) ||
	    stdfu_dfu_get_status(dev, &st) || st.state != STDFU_STATE_DFU_IDLE) {
		stdfu_error_clear();
		return false;
	}
	stdfu_error_clear();
	op->write_size = FALLBACK_TRANSFER_SIZE;
	stdfu__device_warn(dev, STDFU_WARN_TRANSFER_SIZE,
			   "a %u-byte transfer failed although the ROM advertises it (a known "
			   "STM32L43x ROM bug); continuing with 1024-byte transfers",
			   ts);
	return true;
}

/* From @pos on: one Set Address, then blocks up to the end of that run. */
static int run_from(struct op *op, enum blocks_mode mode, uint32_t address, uint32_t size,
		    const uint8_t *data, uint8_t *out, uint32_t *pos)
{
	bool small = mode == BLOCKS_WRITE && op->write_size;
	uint16_t ts = small ? op->write_size : op->dev->info.functional.transfer_size;
	uint64_t end = *pos + (uint64_t)ts * (small ? 1 : MAX_BLOCKS_PER_RUN);
	uint16_t block = 2;
	int rc = stdfu_dfuse_set_address(op->dev, address + *pos);

	if (end > size)
		end = size;
	while (*pos < end && !rc) {
		uint16_t len = (uint16_t)(end - *pos < ts ? end - *pos : ts);

		rc = one_block(op, mode, block++, address + *pos, data ? data + *pos : NULL,
			       out ? out + *pos : NULL, len, ts);
		if (rc)
			break;
		stdfu__progress(op, len);
		*pos += len;
	}
	return rc;
}

int stdfu__blocks(struct op *op, enum blocks_mode mode, uint32_t address, uint32_t size,
		  const uint8_t *data, uint8_t *out)
{
	uint32_t pos = 0;

	while (pos < size) {
		int rc = run_from(op, mode, address, size, data, out, &pos);

		if (rc && !(mode == BLOCKS_WRITE && fall_back(op, rc)))
			return rc;
	}
	return STDFU_OK;
}
