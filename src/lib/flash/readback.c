/* SPDX-License-Identifier: MIT */
/*
 * The READ phase of a flash: before anything is erased, read back every
 * sector the plan would erase and decide what to do with each one (enum
 * stdfu_sector_action): write it without an erase because it is blank,
 * leave it alone because it already holds the image (--incremental), or
 * erase it.
 *
 * Why a blank sector needs no erase: an erase sets every bit of the sector
 * to 1 (0xFF), and programming only clears bits. A sector that reads back
 * all 0xFF is therefore what the erase would have left, and writing the
 * image into it leaves the image's bytes and 0xFF everywhere else, exactly
 * as a full flash does. On ECC flash a unit can read 0xFF and still be
 * programmed; write.c handles the write that then fails.
 *
 * One read serves both decisions. Without --incremental only blankness
 * matters, so the read of a sector starts with its head (HEAD_PROBE_LEN)
 * and stops at the first read that is not all 0xFF: that sector is erased
 * whatever the rest of it holds.
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/chip.h>
#include <stdfu/dfu.h>
#include <stdfu/dfuse.h>
#include <stdfu/incremental.h>

#include "common/error_internal.h"
#include "flash/blocks.h"
#include "flash/readback.h"
#include "usb/device_internal.h"

#define MAX_BLOCKS_PER_RUN 65534u /* wBlockNum 2..65535 (AN3156 6.3.3) */

/* The sectors of one alt as read back: [base, base + len) of the device. */
struct span {
	uint32_t base;
	uint64_t len;
	uint8_t *buf;
};

static uint64_t end_of(const struct stdfu_plan_erase *e)
{
	return (uint64_t)e->address + e->size;
}

/* Where the alt's address pointer stands: set by one Set Address, at base. */
struct pointer {
	bool set;
	uint32_t base;
};

/*
 * The wBlockNum that reads @address from the pointer as it stands, or 0 if
 * @len bytes from there need a new Set Address. Every UPLOAD reads at
 * pointer + (wBlockNum - 2) * wTransferSize, whatever block came before it
 * (AN3156 6.3.3; ST's usbd_dfu.c computes it per request from wValue), so
 * one pointer reaches the head of every sector: no ABORT and Set Address
 * per sector.
 */
static uint16_t block_of(const struct pointer *pt, uint32_t address, uint32_t len, uint32_t ts)
{
	uint64_t off;

	if (!pt->set || address < pt->base)
		return 0;
	off = address - pt->base;
	if (off % ts || 2 + off / ts + ((uint64_t)len + ts - 1) / ts - 1 > 0xFFFFu)
		return 0;
	return (uint16_t)(2 + off / ts);
}

/*
 * The head of a sector, read first: one full-speed packet of EP0. A sector
 * that holds anything most often shows it in its first bytes (a vector
 * table, a header), and then 64 bytes decide instead of a whole block: on
 * the F4 ROM, 2 KiB of UPLOAD is about 2 ms of bus time per sector.
 */
#define HEAD_PROBE_LEN 64u

/*
 * Whether the flash refuses to program a word twice, so that a write into a
 * blank sector that an earlier image programmed with 0xFF fails (errPROG,
 * see write.c) instead of corrupting it. Every ECC family but the H7 does;
 * flash without ECC needs no check. The H7 takes the write (RM0433 4.7 has
 * no such error) and leaves an inconsistent ECC (4.3.9), and reading the word
 * then faults: "write the whole granule at once and only once, otherwise you
 * get an ECC error leading through unhandled NMI to Hardfault" (community.st
 * .com/t5/stm32-mcus-products/stm32h747igt6-flash-read-leading-to-hardfault/
 * td-p/51344). So its blank sectors are skipped only when trusted, and only
 * their heads are read: they are erased whatever the rest holds.
 */
static bool skip_is_safe(const struct op *op)
{
	struct stdfu_chip_id id;

	if (op->opts->trust_blank)
		return true;
	stdfu_chip_identify(&op->dev->info, &id);
	return id.family != STDFU_FAMILY_H7;
}

/*
 * Read block by block, stopping after the first block that is not blank.
 * The head probe reads @block with a short wLength: the ROM places every
 * UPLOAD at pointer + (wBlockNum - 2) * wTransferSize whatever its length
 * (usbd_dfu.c; block_of()), so the full read of a blank head reads the
 * same block again.
 */
static int read_until_not_blank(struct op *op, const struct stdfu_plan_erase *e, uint8_t *buf,
				struct pointer *pt, bool *blank)
{
	bool head_only = !op->skip_safe; /* erased anyway: the head is enough to report */
	uint32_t ts = op->dev->info.functional.transfer_size;
	bool checked = op->ts_checked;
	int rc = stdfu__check_transfer_size(op, e->size);
	uint16_t block;

	if (!checked)
		pt->set = false; /* the check moved the address pointer */
	block = rc ? 2 : block_of(pt, e->address, e->size, ts);

	if (!rc && !block) {
		rc = stdfu_dfuse_set_address(op->dev, e->address);
		pt->set = !rc;
		pt->base = e->address;
		block = 2;
	}
	*blank = true;
	if (!rc && e->size > HEAD_PROBE_LEN && ts > HEAD_PROBE_LEN) {
		rc = stdfu__read_block(op, block, e->address, buf, NULL, HEAD_PROBE_LEN);
		if (rc)
			return rc;
		*blank = stdfu_plan_is_blank(buf, HEAD_PROBE_LEN);
		if (!*blank || head_only)
			stdfu__progress(op, HEAD_PROBE_LEN); /* else counted in the full read */
		if (head_only)
			return STDFU_OK;
	}
	for (uint32_t pos = 0; pos < e->size && !rc && *blank; pos += ts) {
		uint16_t len = (uint16_t)(e->size - pos < ts ? e->size - pos : ts);

		rc = stdfu__read_block(op, block++, e->address + pos, buf + pos, NULL, len);
		if (rc)
			return rc;
		stdfu__progress(op, len);
		*blank = stdfu_plan_is_blank(buf + pos, len);
	}
	return rc;
}

/* Read the sector @e into @buf (in full when @full); *blank: it is all 0xFF. */
static int read_sector(struct op *op, const struct stdfu_plan_erase *e, uint8_t *buf, bool full,
		       struct pointer *pt, bool *blank)
{
	uint32_t ts = op->dev->info.functional.transfer_size;
	int rc;

	if (!full && ts && e->size / ts < MAX_BLOCKS_PER_RUN)
		return read_until_not_blank(op, e, buf, pt, blank);
	rc = stdfu__blocks(op, BLOCKS_READ, e->address, e->size, NULL, buf);
	pt->set = false; /* the block loop set its own pointer */
	*blank = !rc && stdfu_plan_is_blank(buf, e->size);
	return rc;
}

/* The incremental filter reads from what was read back already. */
static int read_span(void *user, uint32_t address, uint8_t *buf, uint32_t len)
{
	const struct span *s = user;

	if (address < s->base || (uint64_t)address - s->base + len > s->len)
		return stdfu__fail(STDFU_ERR_ARG, "read-back: 0x%08x is outside what was read",
				   address);
	memcpy(buf, s->buf + (address - s->base), len);
	return STDFU_OK;
}

static void mark_blank(struct stdfu_plan *plan, const bool *blank)
{
	for (size_t i = 0; i < plan->n_erase; i++) {
		if (!blank[i] || plan->erase[i].action != STDFU_SECTOR_ERASE)
			continue;
		plan->erase[i].action = STDFU_SECTOR_BLANK;
		plan->erase_bytes -= plan->erase[i].size;
	}
}

/* H7: blank sectors are erased all the same (unless --incremental drops them). */
static void keep_blank(struct stdfu_plan *plan, const bool *blank)
{
	for (size_t i = 0; i < plan->n_erase; i++)
		plan->erase[i].looked_blank = blank[i];
}

/* Say once how many of the sectors still to be erased looked blank. */
static void warn_kept_blank(struct op *op, const struct stdfu_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n_erase; i++)
		n += plan->erase[i].looked_blank;
	if (n)
		stdfu__device_warn(op->dev, STDFU_WARN_BLANK_ERASED,
				   "%zu sector%s that look%s blank (0xFF at the start) %s erased "
				   "all the same: "
				   "STM32H7 flash takes a second programming of a word, whose ECC "
				   "then faults the ROM on read, so 0xFF is no proof of an erase",
				   n, n == 1 ? "" : "s", n == 1 ? "s" : "", n == 1 ? "is" : "are");
}

/* Report each sector: the ones the filter dropped are unchanged. */
static void report(struct op *op, const struct stdfu_plan *plan, struct stdfu_plan_erase *before,
		   size_t n_before)
{
	size_t j = 0;

	for (size_t i = 0; i < n_before; i++) {
		if (j < plan->n_erase && plan->erase[j].address == before[i].address) {
			if (plan->erase[j].action == STDFU_SECTOR_BLANK)
				stdfu__sector_event(op, &plan->erase[j]);
			j++;
			continue;
		}
		before[i].action = STDFU_SECTOR_UNCHANGED;
		stdfu__sector_event(op, &before[i]);
	}
}

/* Decide the sectors of one alt from @s (read back). */
static int decide(struct op *op, struct stdfu_plan *plan, struct span *s, const bool *blank,
		  struct stdfu_incremental_stats *inc)
{
	struct stdfu_incremental_stats one;
	size_t n = plan->n_erase;
	struct stdfu_plan_erase *before = malloc(n * sizeof(*before));
	int rc = STDFU_OK;

	if (!before)
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory deciding the sectors");
	if (!op->opts->always_erase && op->skip_safe)
		mark_blank(plan, blank);
	else if (!op->opts->always_erase)
		keep_blank(plan, blank);
	memcpy(before, plan->erase, n * sizeof(*before));
	if (inc) {
		rc = stdfu_incremental_filter(plan, read_span, s, &one);
		if (!rc) {
			inc->sectors += one.sectors;
			inc->sectors_skipped += one.sectors_skipped;
			inc->bytes_read += one.bytes_read;
			inc->bytes_skipped += one.bytes_skipped;
		}
	}
	if (!rc) {
		warn_kept_blank(op, plan);
		report(op, plan, before, n);
	}
	free(before);
	return rc;
}

static int read_back_alt(struct op *op, struct stdfu_plan *plan,
			 struct stdfu_incremental_stats *inc)
{
	struct span s = {0};
	struct pointer pt = {false, 0};
	bool *blank;
	int rc;

	if (!plan->n_erase)
		return STDFU_OK;
	s.base = plan->erase[0].address;
	s.len = end_of(&plan->erase[plan->n_erase - 1]) - s.base;
	s.buf = s.len <= SIZE_MAX ? malloc((size_t)s.len) : NULL;
	blank = calloc(plan->n_erase, sizeof(*blank));
	rc = s.buf && blank ? stdfu_device_set_alt(op->dev, plan->alt)
			    : stdfu__fail(STDFU_ERR_NOMEM, "out of memory reading back %llu bytes",
					  (unsigned long long)s.len);
	for (size_t i = 0; i < plan->n_erase && !rc; i++)
		rc = read_sector(op, &plan->erase[i], s.buf + (plan->erase[i].address - s.base),
				 inc != NULL, &pt, &blank[i]);
	/* Back to dfuIDLE before the next alt is selected or anything erased. */
	if (!rc && op->dev->state == STDFU_STATE_DFU_UPLOAD_IDLE)
		rc = stdfu_dfu_abort(op->dev);
	if (!rc)
		rc = decide(op, plan, &s, blank, inc);
	free(blank);
	free(s.buf);
	return rc;
}

int stdfu__read_back(struct op *op, struct stdfu_flash_plan *plan,
		     struct stdfu_incremental_stats *inc)
{
	uint64_t total = stdfu_flash_plan_erase_bytes(plan);
	int rc = STDFU_OK;

	if (inc)
		memset(inc, 0, sizeof(*inc));
	if (!total) /* nothing erasable (OTP only): nothing to decide */
		return STDFU_OK;
	op->skip_safe = skip_is_safe(op);
	stdfu__phase_start(op, STDFU_PHASE_READ, total);
	for (size_t i = 0; i < plan->n_alts && !rc; i++)
		rc = read_back_alt(op, plan->alts[i], inc);
	return stdfu__phase_close(op, rc);
}
