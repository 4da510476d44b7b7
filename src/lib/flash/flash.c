/* SPDX-License-Identifier: MIT */
/*
 * The DfuSe engine: prepare, erase, write, verify, leave.
 *
 * Control transfers per 2 KiB block: write = DNLOAD + GETSTATUS (dfuDNBUSY)
 * + GETSTATUS (dfuDNLOAD-IDLE) = 3; verify = 1 UPLOAD. Per contiguous run:
 * one Set Address (3 transfers), plus one ABORT before reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/dfuse.h>
#include <stdfu/flash.h>
#include <stdfu/plan.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"

#define MAX_BLOCKS_PER_RUN 65534u /* wBlockNum 2..65535 */
#define GONE_TIMEOUT_MS	   5000u

struct op {
	struct stdfu_device *dev;
	const struct stdfu_flash_opts *opts;
	struct stdfu_result *res;
	uint64_t t0;
	enum stdfu_phase phase;
	uint64_t phase_t0, phase_x0, total, done;
};

static const char *const phase_names[] = {"prepare", "erase", "write", "verify", "read", "leave"};

const char *stdfu_phase_name(enum stdfu_phase phase)
{
	if ((unsigned)phase >= STDFU_PHASE__COUNT)
		return "unknown";
	return phase_names[phase];
}

static void emit(struct op *op, enum stdfu_event_type type, const char *msg)
{
	struct stdfu_event ev = {type, op->phase, op->done, op->total, msg, &op->dev->info};

	if (op->opts->on_event)
		op->opts->on_event(&ev, op->opts->user);
}

static void warn_cb(void *user, const char *msg)
{
	emit(user, STDFU_EVENT_WARNING, msg);
}

static void phase_start(struct op *op, enum stdfu_phase phase, uint64_t total)
{
	op->phase = phase;
	op->total = total;
	op->done = 0;
	op->phase_t0 = stdfu_now_us();
	op->phase_x0 = op->dev->transfers;
	emit(op, STDFU_EVENT_PHASE_START, NULL);
}

static void progress(struct op *op, uint64_t bytes)
{
	op->done += bytes;
	emit(op, STDFU_EVENT_PROGRESS, NULL);
}

static void phase_account(struct op *op)
{
	struct stdfu_phase_result *r = &op->res->phase[op->phase];

	r->ns += (stdfu_now_us() - op->phase_t0) * 1000;
	r->bytes += op->done;
	r->transfers += op->dev->transfers - op->phase_x0;
}

static void phase_end(struct op *op)
{
	phase_account(op);
	emit(op, STDFU_EVENT_PHASE_END, NULL);
}

static void op_begin(struct op *op, struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res)
{
	static const struct stdfu_flash_opts defaults;

	memset(res, 0, sizeof(*res));
	memset(op, 0, sizeof(*op));
	op->dev = dev;
	op->opts = opts ? opts : &defaults;
	op->res = res;
	op->t0 = stdfu_now_us();
	op->phase_x0 = dev->transfers;
	dev->poll = op->opts->poll;
	dev->warn = warn_cb;
	dev->warn_user = op;
}

static int op_end(struct op *op, int rc)
{
	op->res->ns = (stdfu_now_us() - op->t0) * 1000;
	for (int p = 0; p < STDFU_PHASE__COUNT; p++)
		op->res->transfers += op->res->phase[p].transfers;
	op->dev->warn = NULL;
	return rc;
}

/* Fail a phase: account for its time and transfers, but do not call it done. */
static int phase_fail(struct op *op, int rc)
{
	phase_account(op);
	return rc;
}

/* Bring the device to dfuIDLE, quietly clearing the ROM's start-up errFIRMWARE. */
static int clear_start_state(struct op *op, const struct stdfu_dfu_status *st)
{
	struct stdfu_device *dev = op->dev;
	struct stdfu_dfu_status again;
	int rc;

	switch (st->state) {
	case STDFU_STATE_DFU_IDLE:
		return STDFU_OK;
	case STDFU_STATE_APP_IDLE:
	case STDFU_STATE_APP_DETACH:
		return stdfu_fail(STDFU_ERR_PROTOCOL,
				  "device %s is in application mode (%s), not DFU mode",
				  dev->info.path, stdfu_dfu_state_name(st->state));
	case STDFU_STATE_DFU_ERROR:
		if (st->status == STDFU_STATUS_ERR_FIRMWARE)
			stdfu_device_warn(dev, "cleared harmless errFIRMWARE start state");
		else
			stdfu_device_warn(dev, "cleared %s left by an earlier session",
					  stdfu_dfu_status_name(st->status));
		rc = stdfu_dfu_clear_status(dev);
		break;
	default:
		rc = stdfu_dfu_abort(dev);
		break;
	}
	if (!rc)
		rc = stdfu_dfu_get_status(dev, &again);
	if (!rc && again.state != STDFU_STATE_DFU_IDLE)
		rc = stdfu_fail(STDFU_ERR_PROTOCOL,
				"device %s stays in %s (%s) and cannot be brought to dfuIDLE; "
				"reset the board",
				dev->info.path, stdfu_dfu_state_name(again.state),
				stdfu_dfu_status_name(again.status));
	return rc;
}

static int prepare(struct op *op, uint8_t alt)
{
	struct stdfu_dfu_status st;
	int rc;

	phase_start(op, STDFU_PHASE_PREPARE, 0);
	rc = stdfu_device_set_alt(op->dev, alt);
	if (!rc)
		rc = stdfu_dfu_get_status(op->dev, &st);
	if (!rc)
		rc = clear_start_state(op, &st);
	return rc ? phase_fail(op, rc) : (phase_end(op), STDFU_OK);
}

static const struct stdfu_alt *find_alt(const struct stdfu_device_info *info, uint8_t number)
{
	for (size_t a = 0; a < info->n_alts; a++)
		if (info->alts[a].number == number)
			return &info->alts[a];
	return NULL;
}

static const struct stdfu_alt *flash_alt(struct stdfu_device *dev)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(&dev->info);

	if (!alt)
		stdfu_fail(STDFU_ERR_PROTOCOL,
			   "device %s describes no memory this tool understands (alt strings "
			   "are not DfuSe layouts)",
			   dev->info.path);
	return alt;
}

/* Select the internal-flash alt and clear its start state, for whole-device operations. */
static int prepare_flash(struct op *op, const struct stdfu_alt **alt)
{
	*alt = flash_alt(op->dev);
	if (!*alt)
		return STDFU_ERR_PROTOCOL;
	return prepare(op, (*alt)->number);
}

static int erase_sectors(struct op *op, const struct stdfu_plan *plan)
{
	int rc = stdfu_device_set_alt(op->dev, plan->alt);

	for (size_t i = 0; i < plan->n_erase && !rc; i++) {
		rc = stdfu_dfuse_erase_page(op->dev, plan->erase[i].address);
		if (!rc)
			progress(op, plan->erase[i].size);
	}
	return rc;
}

static int write_run(struct op *op, uint32_t address, uint32_t size, const uint8_t *data)
{
	uint32_t ts = op->dev->info.functional.transfer_size;
	uint64_t chunk = (uint64_t)ts * MAX_BLOCKS_PER_RUN;

	for (uint64_t off = 0; off < size; off += chunk) {
		uint64_t end = off + chunk < size ? off + chunk : size;
		uint16_t block = 2;
		int rc = stdfu_dfuse_set_address(op->dev, (uint32_t)(address + off));

		for (uint64_t pos = off; pos < end && !rc; pos += ts) {
			uint16_t len = (uint16_t)(end - pos < ts ? end - pos : ts);

			rc = stdfu_dfuse_write_block(op->dev, block++, data + pos, len);
			if (!rc)
				progress(op, len);
		}
		if (rc)
			return rc;
	}
	return STDFU_OK;
}

static int mismatch(struct op *op, uint32_t address, const uint8_t *want, const uint8_t *got,
		    size_t len)
{
	size_t i = 0;

	while (i < len && want[i] == got[i])
		i++;
	op->res->fail_address = address + (uint32_t)i;
	return stdfu_fail(STDFU_ERR_VERIFY,
			  "verify failed at 0x%08x: expected 0x%02x, read 0x%02x; the flash does "
			  "not hold the image (write-protected sector?)",
			  address + (uint32_t)i, want[i], got[i]);
}

/* Read [address, address+size) into @out, or compare it with @want. */
static int read_run(struct op *op, uint32_t address, uint32_t size, const uint8_t *want,
		    uint8_t *out)
{
	uint32_t ts = op->dev->info.functional.transfer_size;
	uint64_t chunk = (uint64_t)ts * MAX_BLOCKS_PER_RUN;
	uint8_t buf[STDFU_TRANSFER_SIZE_MAX] = {0};

	for (uint64_t off = 0; off < size; off += chunk) {
		uint64_t end = off + chunk < size ? off + chunk : size;
		uint16_t block = 2;
		int rc = stdfu_dfuse_set_address(op->dev, (uint32_t)(address + off));

		for (uint64_t pos = off; pos < end && !rc; pos += ts) {
			uint16_t len = (uint16_t)(end - pos < ts ? end - pos : ts);
			uint8_t *dst = out ? out + pos : buf;

			rc = stdfu_dfuse_read_block(op->dev, block++, dst, len);
			if (rc >= 0 && rc != len)
				return stdfu_fail(STDFU_ERR_PROTOCOL,
						  "UPLOAD at 0x%08llx returned %d of %u bytes",
						  (unsigned long long)(address + pos), rc, len);
			if (rc >= 0 && want && memcmp(want + pos, dst, len))
				return mismatch(op, (uint32_t)(address + pos), want + pos, dst,
						len);
			if (rc >= 0) {
				progress(op, len);
				rc = STDFU_OK;
			}
		}
		if (rc)
			return rc;
	}
	return STDFU_OK;
}

static int leave_phase(struct op *op, uint32_t address)
{
	struct stdfu_device *dev = op->dev;
	const struct stdfu_alt *alt = flash_alt(dev);
	unsigned timeout = op->opts->gone_timeout_ms ? op->opts->gone_timeout_ms : GONE_TIMEOUT_MS;
	int rc;

	phase_start(op, STDFU_PHASE_LEAVE, 0);
	rc = alt ? stdfu_device_set_alt(dev, alt->number) : STDFU_ERR_PROTOCOL;
	if (!rc)
		rc = stdfu_dfuse_leave(dev, address);
	if (!rc)
		rc = stdfu_device_wait_gone(dev->ctx, &dev->info, timeout);
	if (!rc)
		dev->gone = true;
	return rc ? phase_fail(op, rc) : (phase_end(op), STDFU_OK);
}

int stdfu_image_check_suffix(const struct stdfu_image *img, const struct stdfu_device_info *info)
{
	if (!img->has_suffix)
		return STDFU_OK;
	if ((img->suffix_vid == 0xffff || img->suffix_vid == info->vid) &&
	    (img->suffix_pid == 0xffff || img->suffix_pid == info->pid))
		return STDFU_OK;
	return stdfu_fail(STDFU_ERR_MISMATCH,
			  "the file's DFU suffix says it is for %04x:%04x, but the device is "
			  "%04x:%04x; use --force to flash it anyway",
			  img->suffix_vid, img->suffix_pid, info->vid, info->pid);
}

struct plans {
	size_t n;
	struct stdfu_plan *p[STDFU_MAX_ALTS];
};

static void plans_free(struct plans *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		stdfu_plan_free(pl->p[i]);
}

/* Everything that can be refused without the device is refused here. */
static int plan_all(struct stdfu_device *dev, const struct stdfu_image *img, struct plans *pl)
{
	memset(pl, 0, sizeof(*pl));
	if (!img->count)
		return stdfu_fail(STDFU_ERR_IMAGE, "the image is empty");
	for (size_t i = 0; i < img->count; i++) {
		uint8_t altno = img->segments[i].alt;
		const struct stdfu_alt *alt;
		int rc;

		if (pl->n && pl->p[pl->n - 1]->alt == altno)
			continue;
		if (pl->n == STDFU_MAX_ALTS)
			return stdfu_fail(STDFU_ERR_IMAGE, "the image targets too many alts");
		alt = find_alt(&dev->info, altno);
		if (!alt || !alt->layout_ok)
			return stdfu_fail(STDFU_ERR_FIT,
					  "the image has data for alt %u, but device %s has no "
					  "memory layout for that alt",
					  altno, dev->info.path);
		rc = stdfu_plan_build(img, altno, &alt->layout, &pl->p[pl->n]);
		if (rc)
			return rc;
		pl->n++;
	}
	return STDFU_OK;
}

static int flash_body(struct op *op, const struct plans *pl)
{
	uint64_t erase = 0, write = 0;
	int rc = STDFU_OK;

	for (size_t i = 0; i < pl->n; i++) {
		erase += pl->p[i]->erase_bytes;
		write += pl->p[i]->write_bytes;
	}
	phase_start(op, STDFU_PHASE_ERASE, erase);
	for (size_t i = 0; i < pl->n && !rc; i++)
		rc = erase_sectors(op, pl->p[i]);
	if (rc)
		return phase_fail(op, rc);
	phase_end(op);

	phase_start(op, STDFU_PHASE_WRITE, write);
	for (size_t i = 0; i < pl->n && !rc; i++) {
		rc = stdfu_device_set_alt(op->dev, pl->p[i]->alt);
		for (size_t r = 0; r < pl->p[i]->n_runs && !rc; r++)
			rc = write_run(op, pl->p[i]->runs[r].address, pl->p[i]->runs[r].size,
				       pl->p[i]->runs[r].data);
	}
	if (rc)
		return phase_fail(op, rc);
	phase_end(op);
	if (op->opts->no_verify)
		return STDFU_OK;

	phase_start(op, STDFU_PHASE_VERIFY, write);
	for (size_t i = 0; i < pl->n && !rc; i++) {
		rc = stdfu_device_set_alt(op->dev, pl->p[i]->alt);
		for (size_t r = 0; r < pl->p[i]->n_runs && !rc; r++)
			rc = read_run(op, pl->p[i]->runs[r].address, pl->p[i]->runs[r].size,
				      pl->p[i]->runs[r].data, NULL);
	}
	return rc ? phase_fail(op, rc) : (phase_end(op), STDFU_OK);
}

static uint32_t default_leave_address(struct stdfu_device *dev, const struct stdfu_image *img)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(&dev->info);

	for (size_t i = 0; alt && i < img->count; i++)
		if (img->segments[i].alt == alt->number)
			return img->segments[i].address;
	return alt ? stdfu_layout_start(&alt->layout) : 0x08000000u;
}

int stdfu_flash(struct stdfu_device *dev, const struct stdfu_image *img,
		const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	struct plans pl;
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	rc = op.opts->force ? STDFU_OK : stdfu_image_check_suffix(img, &dev->info);
	if (!rc)
		rc = plan_all(dev, img, &pl);
	else
		memset(&pl, 0, sizeof(pl));
	if (!rc)
		rc = prepare(&op, pl.p[0]->alt);
	if (!rc)
		rc = flash_body(&op, &pl);
	if (!rc && !op.opts->no_leave)
		rc = leave_phase(&op, op.opts->leave_address_set ? op.opts->leave_address
								 : default_leave_address(dev, img));
	plans_free(&pl);
	return op_end(&op, rc);
}

int stdfu_verify(struct stdfu_device *dev, const struct stdfu_image *img,
		 const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	uint64_t total = stdfu_image_bytes(img);
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	if (!img->count)
		return op_end(&op, stdfu_fail(STDFU_ERR_IMAGE, "the image is empty"));
	rc = prepare(&op, img->segments[0].alt);
	if (rc)
		return op_end(&op, rc);
	phase_start(&op, STDFU_PHASE_VERIFY, total);
	for (size_t i = 0; i < img->count && !rc; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		rc = stdfu_device_set_alt(dev, s->alt);
		if (!rc)
			rc = read_run(&op, s->address, s->size, s->data, NULL);
	}
	if (!rc)
		rc = stdfu_dfu_abort(dev);
	return op_end(&op, rc ? phase_fail(&op, rc) : (phase_end(&op), STDFU_OK));
}

int stdfu_read(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
	       uint8_t *buf, const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	if ((uint64_t)address + length > (uint64_t)UINT32_MAX + 1)
		return op_end(&op, stdfu_fail(STDFU_ERR_ARG, "read runs past 4 GiB"));
	rc = prepare(&op, alt);
	if (rc)
		return op_end(&op, rc);
	phase_start(&op, STDFU_PHASE_READ, length);
	rc = read_run(&op, address, length, NULL, buf);
	if (!rc)
		rc = stdfu_dfu_abort(dev);
	return op_end(&op, rc ? phase_fail(&op, rc) : (phase_end(&op), STDFU_OK));
}

int stdfu_erase_range(struct stdfu_device *dev, uint32_t address, uint32_t length,
		      const struct stdfu_flash_opts *opts, struct stdfu_result *res)
{
	const struct stdfu_alt *alt = flash_alt(dev);
	struct stdfu_plan *plan = NULL;
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	if (!alt)
		return op_end(&op, STDFU_ERR_PROTOCOL);
	rc = stdfu_plan_erase_range(&alt->layout, address, length, &plan);
	if (!rc)
		rc = prepare(&op, alt->number);
	if (!rc) {
		plan->alt = alt->number;
		phase_start(&op, STDFU_PHASE_ERASE, plan->erase_bytes);
		rc = erase_sectors(&op, plan);
		rc = rc ? phase_fail(&op, rc) : (phase_end(&op), STDFU_OK);
	}
	stdfu_plan_free(plan);
	return op_end(&op, rc);
}

int stdfu_erase_mass(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res)
{
	const struct stdfu_alt *alt;
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	rc = prepare_flash(&op, &alt);
	if (rc)
		return op_end(&op, rc);
	phase_start(&op, STDFU_PHASE_ERASE, stdfu_layout_bytes(&alt->layout));
	rc = stdfu_dfuse_mass_erase(dev);
	if (!rc)
		progress(&op, op.total);
	return op_end(&op, rc ? phase_fail(&op, rc) : (phase_end(&op), STDFU_OK));
}

int stdfu_leave(struct stdfu_device *dev, uint32_t address, const struct stdfu_flash_opts *opts,
		struct stdfu_result *res)
{
	const struct stdfu_alt *alt;
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	rc = prepare_flash(&op, &alt);
	if (!rc)
		rc = leave_phase(&op, address);
	return op_end(&op, rc);
}

int stdfu_unprotect(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		    struct stdfu_result *res)
{
	const struct stdfu_alt *alt;
	unsigned timeout;
	struct op op;
	int rc;

	op_begin(&op, dev, opts, res);
	timeout = op.opts->gone_timeout_ms ? op.opts->gone_timeout_ms : GONE_TIMEOUT_MS;
	rc = prepare_flash(&op, &alt);
	if (rc)
		return op_end(&op, rc);
	phase_start(&op, STDFU_PHASE_ERASE, stdfu_layout_bytes(&alt->layout));
	rc = stdfu_dfuse_read_unprotect(dev);
	if (!rc)
		rc = stdfu_device_wait_gone(dev->ctx, &dev->info, timeout);
	if (!rc) {
		dev->gone = true;
		progress(&op, op.total);
	}
	return op_end(&op, rc ? phase_fail(&op, rc) : (phase_end(&op), STDFU_OK));
}
