/* SPDX-License-Identifier: MIT */
/*
 * The frame of every operation: phases, events, accounting, and the
 * PREPARE phase that brings the device to dfuIDLE.
 *
 * The poll policy is the device's (stdfu_device_set_poll_policy): an
 * operation never changes it, so a program sets it once per device.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/dfu.h>

#include "common/error_internal.h"
#include "flash/op.h"
#include "usb/device_internal.h"

static void emit_full(struct op *op, enum stdfu_event_type type, int code, const char *msg,
		      const struct stdfu_plan_erase *sector)
{
	struct stdfu_event ev = {type, op->phase,      op->done, op->total,
				 msg,  &op->dev->info, sector,	 (enum stdfu_warning)code};

	if (op->opts->on_event)
		op->opts->on_event(&ev, op->opts->user);
}

static void emit(struct op *op, enum stdfu_event_type type, const char *msg)
{
	emit_full(op, type, STDFU_WARN_OTHER, msg, NULL);
}

static void emit_sector(struct op *op, const struct stdfu_plan_erase *sector)
{
	emit_full(op, STDFU_EVENT_SECTOR, STDFU_WARN_OTHER, NULL, sector);
}

static void warn_cb(void *user, int code, const char *msg)
{
	emit_full(user, STDFU_EVENT_WARNING, code, msg, NULL);
}

const char *stdfu_warning_name(enum stdfu_warning w)
{
	static const char *const names[] = {"other",	     "start-state",  "stale-status",
					    "poll-clamped",  "stuck-busy",   "padded-write",
					    "transfer-size", "ecc-fallback", "stayed-in-rom",
					    "leave-hung",    "blank-erased"};

	return (unsigned)w < sizeof(names) / sizeof(names[0]) ? names[w] : "other";
}

void stdfu__op_begin(struct op *op, struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res)
{
	static const struct stdfu_flash_opts defaults;

	memset(res, 0, sizeof(*res));
	memset(op, 0, sizeof(*op));
	op->dev = dev;
	op->opts = opts ? opts : &defaults;
	op->res = res;
	op->t0 = stdfu__now_us();
	op->phase_x0 = dev->transfers;
	dev->warn = warn_cb;
	dev->warn_user = op;
}

/* Here, not in flash.c: op.c is below flash.c (no call circle). */
static const char *const phase_names[] = {"prepare", "erase", "write", "verify", "read", "leave"};

const char *stdfu_phase_name(enum stdfu_phase phase)
{
	if ((unsigned)phase >= STDFU_PHASE__COUNT)
		return "unknown";
	return phase_names[phase];
}

int stdfu__cancel_at(struct op *op, uint32_t address)
{
	return stdfu__fail(STDFU_ERR_CANCELLED,
			   "interrupted during %s at 0x%08x (%llu of %llu bytes done)",
			   stdfu_phase_name(op->phase), address, (unsigned long long)op->done,
			   (unsigned long long)op->total);
}

/*
 * After a cancel the device sits between two requests (dfuDNLOAD-IDLE,
 * dfuUPLOAD-IDLE...): ABORT takes it to dfuIDLE (DFU 1.1 6.1.5), CLRSTATUS
 * if it is in dfuERROR, and GETSTATUS says where it really is.
 */
static void idle_after_cancel(struct op *op)
{
	struct stdfu_device *dev = op->dev;
	struct stdfu_dfu_status st = {0};
	char why[512];
	int rc = STDFU_OK;

	snprintf(why, sizeof(why), "%s", stdfu_error_detail());
	if (dev->gone)
		return;
	if (dev->state == STDFU_STATE_DFU_ERROR)
		rc = stdfu_dfu_clear_status(dev);
	else if (dev->state != STDFU_STATE_DFU_IDLE)
		rc = stdfu_dfu_abort(dev);
	if (!rc)
		rc = stdfu_dfu_get_status(dev, &st);
	if (!rc && st.state == STDFU_STATE_DFU_ERROR && !stdfu_dfu_clear_status(dev))
		rc = stdfu_dfu_get_status(dev, &st);
	if (rc)
		stdfu__fail(STDFU_ERR_CANCELLED, "%s; the board did not answer the ABORT", why);
	else
		stdfu__fail(STDFU_ERR_CANCELLED, "%s; the board is in %s, DFU mode", why,
			    stdfu_dfu_state_name(st.state));
}

int stdfu__op_end(struct op *op, int rc)
{
	if (rc == STDFU_ERR_CANCELLED)
		idle_after_cancel(op);
	op->res->ns = (stdfu__now_us() - op->t0) * 1000;
	for (int p = 0; p < STDFU_PHASE__COUNT; p++)
		op->res->transfers += op->res->phase[p].transfers;
	op->dev->warn = NULL;
	return rc;
}

void stdfu__phase_start(struct op *op, enum stdfu_phase phase, uint64_t total)
{
	op->phase = phase;
	op->total = total;
	op->done = 0;
	op->phase_t0 = stdfu__now_us();
	op->phase_x0 = op->dev->transfers;
	emit(op, STDFU_EVENT_PHASE_START, NULL);
}

void stdfu__progress(struct op *op, uint64_t bytes)
{
	op->done += bytes;
	emit(op, STDFU_EVENT_PROGRESS, NULL);
}

void stdfu__sector_event(struct op *op, const struct stdfu_plan_erase *sector)
{
	struct stdfu_sector_counts *n = &op->res->sectors;

	switch (sector->action) {
	case STDFU_SECTOR_ERASE:
		n->erased++;
		n->erased_blank += sector->looked_blank;
		break;
	case STDFU_SECTOR_BLANK:
		n->skipped_blank++;
		break;
	case STDFU_SECTOR_FALLBACK: /* reported as skipped-blank first */
		n->skipped_blank--;
		n->fallback++;
		break;
	case STDFU_SECTOR_UNCHANGED:
		n->unchanged++;
		break;
	}
	emit_sector(op, sector);
}

static void phase_account(struct op *op)
{
	struct stdfu_phase_result *r = &op->res->phase[op->phase];

	r->ns += (stdfu__now_us() - op->phase_t0) * 1000;
	r->bytes += op->done;
	r->transfers += op->dev->transfers - op->phase_x0;
}

int stdfu__phase_close(struct op *op, int rc)
{
	/* A failed phase counts its time and transfers, but is not called done. */
	phase_account(op);
	if (rc)
		stdfu__cause_phase(op->phase);
	if (!rc)
		emit(op, STDFU_EVENT_PHASE_END, NULL);
	return rc;
}

static int not_dfu_mode(struct stdfu_device *dev, const struct stdfu_dfu_status *st)
{
	int rc = stdfu__fail(STDFU_ERR_PROTOCOL,
			     "device %s is in application mode (%s), not DFU mode", dev->info.path,
			     stdfu_dfu_state_name(st->state));

	stdfu__cause_device(STDFU_DFU_GETSTATUS, st->state, st->status);
	stdfu__cause(STDFU_CAUSE_NOT_DFU_MODE, dev->info.path);
	return rc;
}

static bool manifesting(uint8_t state)
{
	return state == STDFU_STATE_DFU_MANIFEST_SYNC || state == STDFU_STATE_DFU_MANIFEST ||
	       state == STDFU_STATE_DFU_MANIFEST_WAIT_RESET;
}

/*
 * An earlier session was stopped between the leave's zero-length DNLOAD and
 * its GETSTATUS (killed, unplugged host): the ROM held the leave, and our
 * GETSTATUS has just made it go (AN3156 6.3.4). It leaves the bus and starts
 * the application, or comes back as the ROM: the caller must find it again.
 */
static int restarted(struct op *op, const struct stdfu_dfu_status *st)
{
	struct stdfu_device *dev = op->dev;
	int rc = stdfu_device_wait_gone(dev->ctx, &dev->info, 5000);

	if (rc)
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "device %s is in %s (an earlier leave) and does not leave "
				   "the bus; reset the board",
				   dev->info.path, stdfu_dfu_state_name(st->state));
	dev->gone = true;
	return stdfu__fail(STDFU_ERR_RESTARTED,
			   "device %s was still leaving DFU mode for an earlier session that "
			   "was interrupted (%s); it has restarted",
			   dev->info.path, stdfu_dfu_state_name(st->state));
}

/* Bring the device to dfuIDLE, quietly clearing the ROM's start-up errFIRMWARE. */
static int clear_start_state(struct op *op, const struct stdfu_dfu_status *st)
{
	struct stdfu_device *dev = op->dev;
	struct stdfu_dfu_status again;
	int rc;

	if (st->state == STDFU_STATE_DFU_IDLE)
		return STDFU_OK;
	if (st->state == STDFU_STATE_APP_IDLE || st->state == STDFU_STATE_APP_DETACH)
		return not_dfu_mode(dev, st);
	if (manifesting(st->state))
		return restarted(op, st);
	if (st->state == STDFU_STATE_DFU_ERROR) {
		if (st->status == STDFU_STATUS_ERR_FIRMWARE)
			stdfu__device_warn(dev, STDFU_WARN_START_STATE,
					   "cleared harmless errFIRMWARE start state");
		else
			stdfu__device_warn(dev, STDFU_WARN_STALE_STATUS,
					   "cleared %s left by an earlier session",
					   stdfu_dfu_status_name(st->status));
		rc = stdfu_dfu_clear_status(dev);
	} else {
		rc = stdfu_dfu_abort(dev);
	}
	if (!rc)
		rc = stdfu_dfu_get_status(dev, &again);
	if (!rc && again.state != STDFU_STATE_DFU_IDLE)
		rc = stdfu__fail(STDFU_ERR_PROTOCOL,
				 "device %s stays in %s (%s) and cannot be brought to dfuIDLE; "
				 "reset the board",
				 dev->info.path, stdfu_dfu_state_name(again.state),
				 stdfu_dfu_status_name(again.status));
	return rc;
}

int stdfu__op_prepare(struct op *op, uint8_t alt)
{
	struct stdfu_dfu_status st;
	int rc;

	stdfu__phase_start(op, STDFU_PHASE_PREPARE, 0);
	rc = stdfu_device_set_alt(op->dev, alt);
	if (!rc)
		rc = stdfu_dfu_get_status(op->dev, &st);
	/*
	 * Gone at the first GETSTATUS, before anything was sent that changes the
	 * board: an earlier session's leave whose GETSTATUS was never answered
	 * (timed out, killed) and that this GETSTATUS completed (AN3156 6.3.4).
	 */
	if (rc == STDFU_ERR_GONE)
		rc = stdfu__fail(STDFU_ERR_RESTARTED,
				 "device %s left the bus at its first GETSTATUS: it was still "
				 "finishing the leave of an earlier session; it has restarted",
				 op->dev->info.path);
	if (!rc)
		rc = clear_start_state(op, &st);
	return stdfu__phase_close(op, rc);
}
