/* SPDX-License-Identifier: MIT */
/*
 * Control transfers per block: write = DNLOAD + GETSTATUS (dfuDNBUSY) +
 * GETSTATUS (dfuDNLOAD-IDLE) = 3; read and verify = 1 UPLOAD. Per run of
 * blocks: one Set Address (3 transfers), plus one ABORT before reading.
 */
#include <string.h>

#include <stdfu/dfu.h>
#include <stdfu/dfuse.h>
#include <stdfu/layout.h>

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

int stdfu__read_block(struct op *op, uint16_t block, uint32_t address, uint8_t *dst,
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

/* What the plan puts at @a: a byte of one of its runs, else 0xFF (erased). */
static uint8_t planned_byte(const struct stdfu_plan *p, uint64_t a)
{
	for (size_t r = 0; p && r < p->n_runs; r++)
		if (a >= p->runs[r].address && a - p->runs[r].address < p->runs[r].size)
			return p->runs[r].data[a - p->runs[r].address];
	return 0xFF;
}

/*
 * G4 ROMs accept only 1024-byte writes (docs/real-rom-facts.md): a short last
 * block is refused with a DFU status. Clear it and write the block again,
 * full size. The bytes past the run are what the plan puts there: 0xFF, the
 * erased value, where nothing goes (they stay as erased as they were), but the
 * image's own bytes where a later run (the next segment, or the same run's
 * next piece in another sector) starts inside the block: padding those with
 * 0xFF programmed their ECC units, and writing them afterwards failed with
 * errPROG. The write phase skips what the padded block already wrote
 * (op->padded_end).
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
	for (uint32_t i = len; i < ts; i++)
		buf[i] = planned_byte(op->plan, (uint64_t)address + i);
	rc = stdfu_dfuse_write_block(op->dev, block, buf, ts);
	if (!rc && op->plan)
		op->padded_end = (uint64_t)address + ts;
	if (!rc && !op->padded) {
		op->padded = true;
		stdfu__device_warn(
			op->dev, STDFU_WARN_PADDED_WRITE,
			"the ROM refused a %u-byte write at 0x%08x; wrote it padded to %u "
			"bytes with 0xFF and the image's next bytes (ROMs such as the "
			"STM32G4's take only full blocks)",
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
		/* errPROG is a programming failure, not a refused length: it goes
		 * to the caller (the ECC fallback of write.c), unpadded */
		if (rc == STDFU_ERR_DFU_STATUS && len < ts &&
		    op->dev->last_status != STDFU_STATUS_ERR_PROG) {
			stdfu_error_clear();
			rc = write_padded(op, block, address, data, len, ts);
		}
		return rc;
	case BLOCKS_READ:
		return stdfu__read_block(op, block, address, out, NULL, len);
	default:
		return stdfu__read_block(op, block, address, buf, data, len);
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
	    rc == STDFU_ERR_DFU_STATUS || rc == STDFU_ERR_PROTECTED || rc == STDFU_ERR_GONE ||
	    rc == STDFU_ERR_CANCELLED)
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

/*
 * The ROM places block N of a run at the address pointer + (N - 2) * its
 * own wTransferSize (ST usbd_dfu.c; AN3156 §6.3.3), whatever its descriptor
 * says. A descriptor that says less puts every block after the first of a
 * run elsewhere, on write and on read alike, so a verify by the same
 * arithmetic agrees with the misplaced write. So before the first run of
 * several blocks, block 3 of a run that starts wTransferSize + 1 bytes
 * before the end of the alt's memory is read: by the descriptor it is the
 * last byte, and a ROM with a larger real block size reads past the end and
 * refuses. (A smaller real size refuses the full-size blocks themselves.)
 * ASSUMPTION: the ROM refuses an UPLOAD that starts outside its memory map
 * (the emulator answers errTARGET); a ROM that does not passes the check.
 */
static int transfer_size_lie(struct stdfu_device *dev, const struct stdfu_alt *alt, uint16_t ts,
			     uint32_t at, bool larger)
{
	stdfu_error_clear();
	if (stdfu_dfu_clear_status(dev))
		stdfu_error_clear();
	if (!larger)
		return stdfu__fail(
			STDFU_ERR_PROTOCOL,
			"the device refused a %u-byte read (its wTransferSize) at 0x%08x, "
			"the end of \"%s\" by its memory layout: its wTransferSize (it "
			"takes smaller blocks) or its memory layout (the memory ends "
			"sooner) is a lie; nothing was written",
			ts, at, alt->layout.name);
	return stdfu__fail(STDFU_ERR_PROTOCOL,
			   "the device says its wTransferSize is %u bytes but places blocks "
			   "farther apart: block 3 of a run at 0x%08x was refused, although by "
			   "%u-byte blocks it is the last byte of \"%s\". Its wTransferSize is a "
			   "lie that would put the image in the wrong places; nothing was written",
			   ts, at, ts, alt->layout.name);
}

static int layout_lie(struct stdfu_device *dev, const struct stdfu_alt *alt, uint32_t at)
{
	stdfu_error_clear();
	if (stdfu_dfu_clear_status(dev))
		stdfu_error_clear();
	return stdfu__fail(STDFU_ERR_PROTOCOL,
			   "the device refused Set Address 0x%08x, inside \"%s\" by its own "
			   "memory layout (0x%08x..0x%08llx): the layout is a lie (the memory ends "
			   "sooner); nothing was written",
			   at, alt->layout.name, stdfu_layout_start(&alt->layout),
			   (unsigned long long)stdfu_layout_start(&alt->layout) +
				   stdfu_layout_bytes(&alt->layout) - 1);
}

/* The ROM stalled the UPLOAD and reported a status (errTARGET for memory it has
 * not). */
static bool refused(int rc)
{
	return rc == STDFU_ERR_DFU_STATUS;
}

/* Linux usbfs carries at most a page per control transfer (proc_control,
 * EINVAL). */
#define USBFS_CONTROL_MAX 4096u

int stdfu__check_transfer_size(struct op *op, uint64_t size)
{
	struct stdfu_device *dev = op->dev;
	const struct stdfu_alt *alt = stdfu__alt_by_number(&dev->info, dev->alt);
	uint16_t ts = dev->info.functional.transfer_size;
	uint8_t buf[STDFU_TRANSFER_SIZE_MAX];
	struct stdfu_sector last;
	uint64_t end;
	uint32_t at;
	int rc;

	if (ts > USBFS_CONTROL_MAX && size > USBFS_CONTROL_MAX)
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "the device says its wTransferSize is %u bytes: no ST ROM uses "
				   "blocks over %u bytes, and Linux cannot carry them in one "
				   "control transfer; nothing was written",
				   ts, USBFS_CONTROL_MAX);
	/* (a single block is placed exactly, but may still be too big for the ROM) */
	if (op->ts_checked || !size)
		return STDFU_OK;
	op->ts_checked = true;
	if (!alt)
		return STDFU_OK;
	end = (uint64_t)stdfu_layout_start(&alt->layout) + stdfu_layout_bytes(&alt->layout);
	at = (uint32_t)(end - 1 - ts);
	if (end < (uint64_t)ts + 1 + stdfu_layout_start(&alt->layout) ||
	    stdfu_layout_sector_at(&alt->layout, (uint32_t)(end - 1), &last) ||
	    !(last.flags & STDFU_MEM_READABLE) || stdfu_layout_sector_at(&alt->layout, at, &last) ||
	    !(last.flags & STDFU_MEM_READABLE))
		return STDFU_OK; /* the map has no readable room for the check */
	rc = stdfu_dfuse_set_address(dev, at);
	if (refused(rc))
		return layout_lie(dev, alt, at);
	if (rc)
		return rc;
	rc = stdfu_dfuse_read_block(dev, 2, buf, ts);
	if (refused(rc))
		return transfer_size_lie(dev, alt, ts, at, false);
	if (rc >= 0)
		rc = stdfu_dfuse_read_block(dev, 3, buf, 1);
	if (refused(rc))
		return transfer_size_lie(dev, alt, ts, at, true);
	return rc < 0 ? rc : STDFU_OK;
}

/* From @pos on: one Set Address, then blocks up to the end of that run. */
static int run_from(struct op *op, enum blocks_mode mode, uint32_t address, uint32_t size,
		    const uint8_t *data, uint8_t *out, uint32_t *pos)
{
	bool small = mode == BLOCKS_WRITE && op->write_size;
	uint16_t ts = small ? op->write_size : op->dev->info.functional.transfer_size;
	uint64_t end = *pos + (uint64_t)ts * (small ? 1 : MAX_BLOCKS_PER_RUN);
	uint16_t block = 2;
	int rc;

	if (end > size)
		end = size;
	rc = stdfu_dfuse_set_address(op->dev, address + *pos);
	while (*pos < end && !rc) {
		uint16_t len = (uint16_t)(end - *pos < ts ? end - *pos : ts);

		if (stdfu__cancelled(op->dev))
			return stdfu__cancel_at(op, address + *pos);
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
	int rc = mode == BLOCKS_WRITE && op->write_size ? STDFU_OK
							: stdfu__check_transfer_size(op, size);

	if (rc)
		return rc;
	while (pos < size) {
		rc = run_from(op, mode, address, size, data, out, &pos);
		if (rc && !(mode == BLOCKS_WRITE && fall_back(op, rc)))
			return rc;
	}
	return STDFU_OK;
}
