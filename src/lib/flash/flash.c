/* SPDX-License-Identifier: MIT */
/*
 * The DfuSe engine: it runs a flash plan (prepare, [incremental read-back],
 * erase, write, verify, leave) and the single-purpose operations (verify,
 * read, erase, leave, unprotect). Every data transfer goes through the one
 * block loop (blocks.c); every operation through the frame of op.c.
 */
#include <string.h>

#include <stdfu/dfuse.h>
#include <stdfu/flash.h>
#include <stdfu/incremental.h>
#include <stdfu/plan.h>

#include "common/error_internal.h"
#include "flash/after_leave.h"
#include "flash/blocks.h"
#include "flash/op.h"
#include "flash/read_unmapped.h"
#include "flash/place.h"
#include "flash/readback.h"
#include "flash/write.h"
#include "usb/device_internal.h"

#define GONE_TIMEOUT_MS 5000u

static const struct stdfu_alt *flash_alt(struct stdfu_device *dev)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(&dev->info);

	if (!alt)
		stdfu_device_check_layouts(&dev->info);
	return alt;
}

/* Select the internal-flash alt and clear its start state, for whole-device operations. */
static int prepare_flash(struct op *op, const struct stdfu_alt **alt)
{
	*alt = flash_alt(op->dev);
	if (!*alt)
		return STDFU_ERR_PROTOCOL;
	return stdfu__op_prepare(op, (*alt)->number);
}

static unsigned gone_timeout(const struct op *op)
{
	return op->opts->gone_timeout_ms ? op->opts->gone_timeout_ms : GONE_TIMEOUT_MS;
}

static int erase_sectors(struct op *op, const struct stdfu_plan *plan)
{
	int rc = stdfu_device_set_alt(op->dev, plan->alt);

	for (size_t i = 0; i < plan->n_erase && !rc; i++) {
		if (stdfu__cancelled(op->dev))
			return stdfu__cancel_at(op, plan->erase[i].address);
		if (plan->erase[i].action != STDFU_SECTOR_ERASE)
			continue; /* blank: decided by the read-back */
		rc = stdfu_dfuse_erase_page(op->dev, plan->erase[i].address);
		if (rc)
			break;
		stdfu__progress(op, plan->erase[i].size);
		stdfu__sector_event(op, &plan->erase[i]);
	}
	return rc;
}

/*
 * The ROM hung on the bus after the leave (the STM32H5 ROM locks up): the
 * image is written and verified, which is what a flash is for; only the
 * start needs a power cycle, which no host can give. So the flash succeeds
 * with a warning that names the fix, as when an empty-check ROM comes back
 * (after_leave.c); `stdfu leave` alone still fails, its one job undone.
 */
static int leave_hung(struct op *op)
{
	struct stdfu_device *dev = op->dev;

	stdfu_error_clear();
	stdfu__device_warn(dev, STDFU_WARN_LEAVE_HUNG,
			   "the image is written and verified, but the ROM stopped answering "
			   "after the leave and stays on the bus at %s (the STM32H5 ROM locks "
			   "up on leave), so the application did not start: power-cycle or "
			   "reset the board to start it",
			   dev->info.path);
	return STDFU_OK;
}

static int leave_phase(struct op *op, uint32_t address, bool hung_is_ok)
{
	struct stdfu_device *dev = op->dev;
	const struct stdfu_alt *alt = flash_alt(dev);
	int rc;

	stdfu__phase_start(op, STDFU_PHASE_LEAVE, 0);
	rc = alt ? stdfu_device_set_alt(dev, alt->number) : STDFU_ERR_PROTOCOL;
	if (!rc)
		rc = stdfu_dfuse_leave(dev, address);
	if (rc == STDFU_ERR_TIMEOUT && dev->leave_hung && hung_is_ok)
		return stdfu__phase_close(op, leave_hung(op));
	if (!rc)
		rc = stdfu_device_wait_gone(dev->ctx, &dev->info, gone_timeout(op));
	if (!rc) {
		stdfu__after_leave(op);
		dev->gone = true;
	}
	return stdfu__phase_close(op, rc);
}

int stdfu_image_check_suffix(const struct stdfu_image *img, const struct stdfu_device_info *info)
{
	if (!img->has_suffix)
		return STDFU_OK;
	if ((img->suffix_vid == 0xffff || img->suffix_vid == info->vid) &&
	    (img->suffix_pid == 0xffff || img->suffix_pid == info->pid))
		return STDFU_OK;
	return stdfu__fail(STDFU_ERR_MISMATCH,
			   "the file's DFU suffix says it is for %04x:%04x, but the device is "
			   "%04x:%04x; use --force to flash it anyway",
			   img->suffix_vid, img->suffix_pid, info->vid, info->pid);
}

/* The vector table the image puts at the start of the device's flash, as placed. */
static int check_vectors(const struct stdfu_device_info *info, const struct stdfu_image *img)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);
	struct stdfu_segment seg;
	struct stdfu_image view;

	if (!alt)
		return STDFU_OK; /* the plan says why there is nothing to flash */
	img = stdfu__image_placed(info, img, &view, &seg);
	return stdfu_image_check_vectors(img, alt->number, stdfu_layout_start(&alt->layout),
					 (uint32_t)stdfu_layout_bytes(&alt->layout));
}

/* ---- running a plan ------------------------------------------------------ */

static int erase_phase(struct op *op, const struct stdfu_flash_plan *fp)
{
	int rc = STDFU_OK;

	stdfu__phase_start(op, STDFU_PHASE_ERASE, stdfu_flash_plan_erase_bytes(fp));
	for (size_t i = 0; i < fp->n_alts && !rc; i++)
		rc = erase_sectors(op, fp->alts[i]);
	return stdfu__phase_close(op, rc);
}

/* VERIFY: every run of every alt through the block loop. */
static int runs_phase(struct op *op, const struct stdfu_flash_plan *fp, enum stdfu_phase phase,
		      enum blocks_mode mode)
{
	int rc = STDFU_OK;

	stdfu__phase_start(op, phase, stdfu_flash_plan_write_bytes(fp));
	for (size_t i = 0; i < fp->n_alts && !rc; i++) {
		const struct stdfu_plan *p = fp->alts[i];

		rc = stdfu_device_set_alt(op->dev, p->alt);
		for (size_t r = 0; r < p->n_runs && !rc; r++)
			rc = stdfu__blocks(op, mode, p->runs[r].address, p->runs[r].size,
					   p->runs[r].data, NULL);
	}
	return stdfu__phase_close(op, rc);
}

static int erase_write_verify(struct op *op, struct stdfu_flash_plan *fp)
{
	int rc = erase_phase(op, fp);

	if (!rc)
		rc = stdfu__write_phase(op, fp);
	if (!rc && !op->opts->no_verify)
		rc = runs_phase(op, fp, STDFU_PHASE_VERIFY, BLOCKS_VERIFY);
	return rc;
}

/*
 * The read-back decides each sector before anything is erased (readback.c):
 * blank ones are not erased unless always_erase, and with @inc (incremental)
 * the ones that already hold the image are dropped.
 */
static int run_plan(struct op *op, struct stdfu_flash_plan *fp, struct stdfu_incremental_stats *inc)
{
	const struct stdfu_flash_opts *o = op->opts;
	int rc = stdfu__op_prepare(op, fp->alts[0]->alt);

	if (!rc && (inc || !o->always_erase))
		rc = stdfu__read_back(op, fp, inc);
	/* Incremental, nothing differs: the device is only read and left. */
	if (!rc && (!inc || stdfu_flash_plan_erase_bytes(fp) || stdfu_flash_plan_write_bytes(fp)))
		rc = erase_write_verify(op, fp);
	if (!rc && !o->no_leave && stdfu__cancelled(op->dev))
		rc = stdfu__cancel_at(op, fp->leave_address);
	if (!rc && !o->no_leave)
		rc = leave_phase(op, o->leave_address_set ? o->leave_address : fp->leave_address,
				 true);
	return rc;
}

int stdfu_flash_run(struct stdfu_device *dev, struct stdfu_flash_plan *plan,
		    const struct stdfu_flash_opts *opts, struct stdfu_result *res,
		    struct stdfu_incremental_stats *inc)
{
	struct op op;

	if (!dev || !plan || !res)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_flash_run: NULL argument");
	stdfu__op_begin(&op, dev, opts, res);
	if (!plan->n_alts)
		return stdfu__op_end(&op, stdfu__fail(STDFU_ERR_IMAGE, "the plan is empty"));
	return stdfu__op_end(&op, run_plan(&op, plan, inc));
}

/* Everything that can be refused without the device is refused before the first request. */
static int flash_image(struct stdfu_device *dev, const struct stdfu_image *img,
		       const struct stdfu_flash_opts *opts, struct stdfu_result *res,
		       struct stdfu_incremental_stats *inc)
{
	struct stdfu_flash_plan *fp = NULL;
	struct op op;
	int rc;

	if (!dev || !img || !res)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_flash: NULL argument");
	stdfu__op_begin(&op, dev, opts, res);
	rc = op.opts->force ? STDFU_OK : stdfu_image_check_suffix(img, &dev->info);
	if (!rc && !op.opts->force)
		rc = check_vectors(&dev->info, img);
	if (!rc)
		rc = stdfu_flash_plan_build(&dev->info, img, &fp);
	if (!rc)
		rc = run_plan(&op, fp, inc);
	stdfu_flash_plan_free(fp);
	return stdfu__op_end(&op, rc);
}

int stdfu_flash(struct stdfu_device *dev, const struct stdfu_image *img,
		const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	return flash_image(dev, img, opts, res, NULL);
}

int stdfu_flash_incremental(struct stdfu_device *dev, const struct stdfu_image *img,
			    const struct stdfu_flash_opts *opts, struct stdfu_result *res,
			    struct stdfu_incremental_stats *st)
{
	struct stdfu_incremental_stats local;

	return flash_image(dev, img, opts, res, st ? st : &local);
}

/* ---- single-purpose operations ------------------------------------------- */

int stdfu_verify(struct stdfu_device *dev, const struct stdfu_image *img,
		 const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	struct stdfu_segment seg;
	struct stdfu_image view;
	struct op op;
	int rc;

	stdfu__op_begin(&op, dev, opts, res);
	if (!img->count)
		return stdfu__op_end(&op, stdfu__fail(STDFU_ERR_IMAGE, "the image is empty"));
	img = stdfu__image_placed(&dev->info, img, &view, &seg);
	rc = stdfu__op_prepare(&op, img->segments[0].alt);
	if (rc)
		return stdfu__op_end(&op, rc);
	stdfu__phase_start(&op, STDFU_PHASE_VERIFY, stdfu_image_bytes(img));
	for (size_t i = 0; i < img->count && !rc; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		rc = stdfu_device_set_alt(dev, s->alt);
		if (!rc)
			rc = stdfu__blocks(&op, BLOCKS_VERIFY, s->address, s->size, s->data, NULL);
	}
	if (!rc)
		rc = stdfu_dfu_abort(dev);
	return stdfu__op_end(&op, stdfu__phase_close(&op, rc));
}

static const struct stdfu_alt *alt_by_number(const struct stdfu_device_info *info, uint8_t n)
{
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].number == n)
			return &info->alts[a];
	return NULL;
}

/* The whole range must be readable memory of the alt's map: refused before any request. */
static int check_read_range(const struct stdfu_device_info *info, uint8_t altno, uint32_t address,
			    uint32_t length)
{
	const struct stdfu_alt *alt = alt_by_number(info, altno);
	uint64_t pos = address, end = (uint64_t)address + length;

	if (!alt || !alt->layout_ok)
		return alt ? stdfu_device_check_layouts(info) : STDFU_OK;
	while (pos < end) {
		struct stdfu_sector s;

		if (stdfu_layout_sector_at(&alt->layout, (uint32_t)pos, &s) ||
		    !(s.flags & STDFU_MEM_READABLE))
			return stdfu__fail(STDFU_ERR_ADDRESS,
					   "%s 0x%08llx of \"%s\" (0x%08x..0x%08llx); nothing was "
					   "read",
					   pos == address
						   ? "nothing readable at address"
						   : "the read runs past the readable memory at",
					   (unsigned long long)pos, alt->layout.name,
					   stdfu_layout_start(&alt->layout),
					   (unsigned long long)stdfu_layout_start(&alt->layout) +
						   stdfu_layout_bytes(&alt->layout) - 1);
		pos = (uint64_t)s.start + s.size;
	}
	return STDFU_OK;
}

static int read_op(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
		   uint8_t *buf, const struct stdfu_flash_opts *opts, struct stdfu_result *res,
		   bool in_map)
{
	struct op op;
	int rc;

	stdfu__op_begin(&op, dev, opts, res);
	if ((uint64_t)address + length > (uint64_t)UINT32_MAX + 1)
		return stdfu__op_end(&op, stdfu__fail(STDFU_ERR_ADDRESS, "read runs past 4 GiB"));
	rc = in_map ? check_read_range(&dev->info, alt, address, length) : STDFU_OK;
	if (rc)
		return stdfu__op_end(&op, rc);
	rc = stdfu__op_prepare(&op, alt);
	if (rc)
		return stdfu__op_end(&op, rc);
	stdfu__phase_start(&op, STDFU_PHASE_READ, length);
	rc = stdfu__blocks(&op, BLOCKS_READ, address, length, NULL, buf);
	if (!rc)
		rc = stdfu_dfu_abort(dev);
	return stdfu__op_end(&op, stdfu__phase_close(&op, rc));
}

int stdfu_read(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
	       uint8_t *buf, const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	return read_op(dev, alt, address, length, buf, opts, res, true);
}

/*
 * Some ROMs answer reads of memory their alt's map does not list (the G0/C0
 * option bytes at 0x1FFF7800 through the flash alt, RM0444 §3.4.1 and the
 * chip table): the option-byte probe reads there on purpose.
 */
int stdfu__read_unmapped(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
			 uint8_t *buf, struct stdfu_result *res)
{
	return read_op(dev, alt, address, length, buf, NULL, res, false);
}

int stdfu_erase_range(struct stdfu_device *dev, uint32_t address, uint32_t length,
		      const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	const struct stdfu_alt *alt = flash_alt(dev);
	struct stdfu_plan *plan = NULL;
	struct op op;
	int rc;

	stdfu__op_begin(&op, dev, opts, res);
	if (!alt)
		return stdfu__op_end(&op, STDFU_ERR_PROTOCOL);
	rc = stdfu_plan_erase_range(&alt->layout, address, length, &plan);
	if (!rc)
		rc = stdfu__op_prepare(&op, alt->number);
	if (!rc) {
		plan->alt = alt->number;
		stdfu__phase_start(&op, STDFU_PHASE_ERASE, plan->erase_bytes);
		rc = stdfu__phase_close(&op, erase_sectors(&op, plan));
	}
	stdfu_plan_free(plan);
	return stdfu__op_end(&op, rc);
}

/*
 * The whole flash erased in one ERASE phase over the flash alt, by one request
 * (@erase): the mass erase, or the read unprotect that erases it on the way.
 */
static int whole_flash_erase(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
			     struct stdfu_result *res, int (*erase)(struct op *op))
{
	const struct stdfu_alt *alt;
	struct op op;
	int rc;

	stdfu__op_begin(&op, dev, opts, res);
	rc = prepare_flash(&op, &alt);
	if (rc)
		return stdfu__op_end(&op, rc);
	stdfu__phase_start(&op, STDFU_PHASE_ERASE, stdfu_layout_bytes(&alt->layout));
	rc = erase(&op);
	if (!rc)
		stdfu__progress(&op, op.total);
	return stdfu__op_end(&op, stdfu__phase_close(&op, rc));
}

static int mass_erase(struct op *op)
{
	return stdfu_dfuse_mass_erase(op->dev);
}

int stdfu_erase_mass(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res)
{
	return whole_flash_erase(dev, opts, res, mass_erase);
}

int stdfu_leave(struct stdfu_device *dev, uint32_t address, const struct stdfu_flash_opts *opts,
		struct stdfu_result *res)
{
	const struct stdfu_alt *alt;
	struct op op;
	int rc;

	stdfu__op_begin(&op, dev, opts, res);
	rc = prepare_flash(&op, &alt);
	if (!rc)
		rc = leave_phase(&op, address, false);
	return stdfu__op_end(&op, rc);
}

/* Read Unprotect: the ROM mass-erases and resets itself; done once it has left the bus. */
static int read_unprotect(struct op *op)
{
	int rc = stdfu_dfuse_read_unprotect(op->dev);

	if (!rc)
		rc = stdfu_device_wait_gone(op->dev->ctx, &op->dev->info, gone_timeout(op));
	if (!rc)
		op->dev->gone = true;
	return rc;
}

int stdfu_unprotect(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		    struct stdfu_result *res)
{
	return whole_flash_erase(dev, opts, res, read_unprotect);
}
