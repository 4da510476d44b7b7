/* SPDX-License-Identifier: MIT */
/*
 * The WRITE phase, and the fallback for a blank sector that cannot be
 * written without an erase.
 *
 * On ECC flash (L4, G0, G4 and U5 program 64- or 128-bit units: RM0351
 * 3.3.7, RM0444 3.3.7) each unit carries ECC bits from the moment it is
 * programmed, whatever the value; programming it again before an erase fails
 * (PROGERR), and the ROM reports errPROG. A unit programmed with 0xFF reads
 * exactly like an erased one, so the read-back cannot tell, and only the
 * write finds out.
 *
 * The H7 (256-bit flash words) has no PROGERR (RM0433 4.7): overwriting a
 * non-virgin word is not refused but leaves an inconsistent ECC (4.3.9), and
 * a read of it faults the ROM. Public reports say that a word programmed
 * with 0xFF is not virgin ("You can only flash some non-null value once
 * after erase", STM32H723, community.st.com/t5/stm32-mcus-products/
 * flash-writing-issue/m-p/59967). So on the H7 no sector is skipped as
 * blank unless the caller trusts the flash to be virgin (readback.c); an
 * errPROG from an H7 is still handled as on the other ECC families.
 *
 * Why erasing that sector and writing its part of the image again loses
 * nothing. The sector was skipped because it read back all 0xFF, so before
 * this flash it held no byte other than 0xFF. What the failed write may
 * have changed is only that sector (each sector's part of a run is written
 * on its own, see stdfu__write_phase) and only bytes of the image (units
 * before the failing one of the same sector, and earlier runs into it). The
 * erase then brings every byte of the sector back to 0xFF, which is what all
 * of it held before, and writing all of the image's bytes in that sector
 * again leaves exactly the image plus 0xFF: the content a full flash gives.
 * No byte outside the image is lost (it was 0xFF and is 0xFF), no byte of
 * another sector is touched. If the write fails again after the erase, the
 * error is real and is returned.
 *
 * Only on ECC flash. Without ECC a unit that reads 0xFF can always be
 * programmed: F4 programs any 1 to 0 without an erase (RM0090 3.5.4:
 * "Successive write operations are possible without the need of an erase
 * operation when changing bits from '1' to '0'"), as do F2 and F7, which have
 * no flash ECC either (RM0385 3); F0/F1/F3 refuse only a half-word that does
 * not read 0xFFFF (PGERR: RM0091 3.2.2, RM0316 4.2.3, PM0075 for F1). There an
 * errPROG into a blank sector is no hidden programmed state but a real
 * programming failure (PGAERR, PGPERR, PGSERR of RM0090 3.5.4, a worn cell):
 * erasing and writing again would hide it behind a success, so it is returned
 * like any errPROG ("program memory function failed", DFU 1.1 6.1.2).
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/chip.h>
#include <stdfu/dfu.h>
#include <stdfu/dfuse.h>

#include "common/error_internal.h"
#include "flash/blocks.h"
#include "flash/write.h"
#include "usb/device_internal.h"

static uint64_t end_of(uint32_t address, uint32_t size)
{
	return (uint64_t)address + size;
}

/* A sector that is written without (or after a fallback) erase: blank or fallback. */
static bool unerased(const struct stdfu_plan_erase *e)
{
	return e->action == STDFU_SECTOR_BLANK || e->action == STDFU_SECTOR_FALLBACK;
}

/* The unerased sector holding @pos, or NULL; *next = where the piece at @pos must end. */
static struct stdfu_plan_erase *piece_at(struct stdfu_plan *p, uint64_t pos, uint64_t end,
					 uint64_t *next)
{
	*next = end;
	for (size_t i = 0; i < p->n_erase; i++) {
		struct stdfu_plan_erase *e = &p->erase[i];
		uint64_t e_end = end_of(e->address, e->size);

		if (!unerased(e))
			continue;
		if (pos >= e->address && pos < e_end) {
			*next = e_end < end ? e_end : end;
			return e;
		}
		if (e->address > pos && e->address < *next)
			*next = e->address;
	}
	return NULL;
}

/*
 * A ROM that takes only full blocks (the G4's, docs/real-rom-facts.md) gets
 * every block at a multiple of wTransferSize: a padded block never reaches
 * past the end of a sector (sectors are multiples of it), where the pad would
 * program a sector the plan neither erased nor read (on ECC flash its 0xFF
 * units then refuse the next program). The bytes of a block around the
 * image's are what the plan puts there (0xFF, or a neighbouring run's).
 */
static bool takes_full_blocks(const struct stdfu_device *dev)
{
	struct stdfu_chip_id id;

	stdfu_chip_identify(&dev->info, &id);
	return id.family == STDFU_FAMILY_G4;
}

/* [lo, hi) lies in the sectors of [pos, end): blocks there stay in the plan's sectors. */
static bool same_sectors(const struct stdfu_alt *alt, uint64_t pos, uint64_t end, uint64_t lo,
			 uint64_t hi)
{
	const struct stdfu_layout *l = alt ? &alt->layout : NULL;
	struct stdfu_sector first, last;

	return l && !stdfu_layout_sector_at(l, (uint32_t)pos, &first) &&
	       !stdfu_layout_sector_at(l, (uint32_t)(end - 1), &last) && first.start <= lo &&
	       (uint64_t)last.start + last.size >= hi;
}

static int write_aligned(struct op *op, uint64_t lo, uint64_t hi)
{
	const struct stdfu_plan *p = op->plan;
	uint8_t *buf = malloc(hi - lo);
	int rc;

	if (!buf)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory aligning a write");
	memset(buf, 0xFF, hi - lo);
	for (size_t r = 0; r < p->n_runs; r++) {
		uint64_t a = p->runs[r].address, b = a + p->runs[r].size;

		if (a < lo)
			a = lo;
		if (b > hi)
			b = hi;
		if (a < b)
			memcpy(buf + (a - lo), p->runs[r].data + (a - p->runs[r].address), b - a);
	}
	rc = stdfu__blocks(op, BLOCKS_WRITE, (uint32_t)lo, (uint32_t)(hi - lo), buf, NULL);
	free(buf);
	if (!rc)
		op->padded_end = hi;
	return rc;
}

/* [pos, end) of @data at @pos, less what a padded block already wrote (blocks.c). */
static int write_span(struct op *op, uint64_t pos, uint64_t end, const uint8_t *data)
{
	uint16_t ts = op->dev->info.functional.transfer_size;

	if (op->padded_end > pos) {
		uint64_t done = op->padded_end < end ? op->padded_end : end;

		/* an aligned block counted them as its pad; a padded block did not */
		if (op->aligned)
			op->total -= done - pos;
		else
			stdfu__progress(op, done - pos);
		data += done - pos;
		pos = done;
	}
	if (pos >= end)
		return STDFU_OK;
	if (op->aligned && op->plan && ts) {
		uint64_t lo = pos / ts * ts, hi = (end + ts - 1) / ts * ts;

		if (same_sectors(stdfu__alt_by_number(&op->dev->info, op->plan->alt), pos, end, lo,
				 hi)) {
			op->total += (hi - lo) - (end - pos); /* the pad is written too */
			return write_aligned(op, lo, hi);
		}
	}
	return stdfu__blocks(op, BLOCKS_WRITE, (uint32_t)pos, (uint32_t)(end - pos), data, NULL);
}

/* Write the image's bytes that fall into @e again (all runs, clipped). */
static int rewrite_sector(struct op *op, const struct stdfu_plan *p,
			  const struct stdfu_plan_erase *e)
{
	uint64_t e_end = end_of(e->address, e->size);
	int rc = STDFU_OK;

	for (size_t r = 0; r < p->n_runs && !rc; r++) {
		const struct stdfu_plan_run *run = &p->runs[r];
		uint64_t lo = run->address > e->address ? run->address : e->address;
		uint64_t hi = end_of(run->address, run->size);

		if (hi > e_end)
			hi = e_end;
		if (lo >= hi)
			continue;
		op->total += hi - lo; /* these bytes are written twice */
		rc = write_span(op, lo, hi, run->data + (lo - run->address));
	}
	return rc;
}

/* errPROG into a blank sector: erase it and write its part of the image again. */
static int fall_back(struct op *op, const struct stdfu_plan *p, struct stdfu_plan_erase *e)
{
	int rc;

	e->action = STDFU_SECTOR_FALLBACK;
	stdfu__sector_event(op, e);
	stdfu_error_clear();
	stdfu__device_warn(
		op->dev, STDFU_WARN_ECC_FALLBACK,
		"the blank sector at 0x%08x cannot be written without an erase (errPROG, "
		"ECC flash): erased and written again",
		e->address);
	rc = stdfu_dfuse_erase_page(op->dev, e->address);
	op->padded_end = 0; /* the erase took what a padded block wrote there */
	if (!rc)
		rc = rewrite_sector(op, p, e);
	return rc;
}

static bool is_errprog(const struct op *op, int rc)
{
	return rc == STDFU_ERR_DFU_STATUS && op->dev->last_status == STDFU_STATUS_ERR_PROG &&
	       !op->dev->gone;
}

/*
 * Can a unit of this chip's flash read 0xFF and still refuse a program (ECC)?
 * ASSUMPTION: a family stdfu does not know is treated as ECC flash, as all
 * recent STM32 families are (L0/L1/L4/L5/G0/G4/H5/H7/U5/WB/WL/C0); the fallback
 * is safe there (the sector held only 0xFF) and a wrong "no" would make such a
 * chip fail every flash over a gap-filled image.
 */
static bool flash_has_ecc(const struct stdfu_device *dev)
{
	struct stdfu_chip_id id;

	stdfu_chip_identify(&dev->info, &id);
	switch (id.family) {
	case STDFU_FAMILY_F0:
	case STDFU_FAMILY_F1:
	case STDFU_FAMILY_F3:
	case STDFU_FAMILY_F4:
	case STDFU_FAMILY_F7:
		return false;
	default:
		return true;
	}
}

/* One run, in pieces that each lie in one unerased sector or in none. */
static int write_run(struct op *op, struct stdfu_plan *p, const struct stdfu_plan_run *run,
		     bool ecc)
{
	uint64_t pos = run->address, end = end_of(run->address, run->size);

	while (pos < end) {
		uint64_t next;
		struct stdfu_plan_erase *e = piece_at(p, pos, end, &next);
		int rc = STDFU_OK;

		/* A fallback already wrote all of its sector's part of the image. */
		if (!e || e->action == STDFU_SECTOR_BLANK)
			rc = write_span(op, pos, next, run->data + (pos - run->address));
		if (rc && e && ecc && is_errprog(op, rc))
			rc = fall_back(op, p, e);
		if (rc)
			return rc;
		pos = next;
	}
	return STDFU_OK;
}

int stdfu__write_phase(struct op *op, struct stdfu_flash_plan *fp)
{
	bool ecc = flash_has_ecc(op->dev);
	int rc = STDFU_OK;

	op->aligned = takes_full_blocks(op->dev);
	stdfu__phase_start(op, STDFU_PHASE_WRITE, stdfu_flash_plan_write_bytes(fp));
	for (size_t i = 0; i < fp->n_alts && !rc; i++) {
		struct stdfu_plan *p = fp->alts[i];

		op->plan = p;
		op->padded_end = 0;
		rc = stdfu_device_set_alt(op->dev, p->alt);
		for (size_t r = 0; r < p->n_runs && !rc; r++)
			rc = write_run(op, p, &p->runs[r], ecc);
	}
	op->plan = NULL;
	return stdfu__phase_close(op, rc);
}
