/* SPDX-License-Identifier: MIT */
/*
 * The DfuSe commands of ST's ROM (AN3156 section 6), on top of the DFU 1.1
 * requests of dfu.c.
 *
 * A DNLOAD is executed when the host sends GETSTATUS (AN3156 6.1): the first
 * reply is dfuDNBUSY with bwPollTimeout, then the host asks again until
 * dfuDNLOAD-IDLE (done) or dfuERROR (failed). How long to wait between the
 * two is the poll policy (dfu.h). Data blocks land at
 *   address = pointer + (wBlockNum - 2) * wTransferSize        (AN3156 6.3.3)
 * so one Set Address per contiguous run is enough.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/dfuse.h>
#include <stdfu/flash.h>

#include "common/error_internal.h"
#include "common/le.h"
#include "dfu/dfu_internal.h"
#include "usb/device_internal.h"

/* Overall limits per operation; the device's bwPollTimeout is only a hint. */
#define BUDGET_COMMAND_US 5000000ull
#define BUDGET_WRITE_US	  5000000ull
#define BUDGET_ERASE_US	  10000000ull  /* F4 128 KiB sector: 2 s max */
#define BUDGET_MASS_US	  120000000ull /* F405 x8: up to 32 s */

static unsigned remaining_ms(uint64_t start, uint64_t budget_us)
{
	uint64_t spent = stdfu__now_us() - start;
	uint64_t left = spent < budget_us ? (budget_us - spent) / 1000 : 0;

	return (unsigned)(left < 1000 ? 1000 : left + 1000);
}

/*
 * The end of a DNLOAD: dfuDNLOAD-IDLE and nothing else (DFU 1.1 figure A.1;
 * AN3156 6.1). appIDLE, dfuDNLOAD-SYNC or a manifestation state means the
 * device did something other than what was asked: it may not have written
 * the block, so it is not taken as success.
 */
static int dnload_done(struct stdfu_device *dev, const struct stdfu_dfu_status *st,
		       const char *what)
{
	if (st->state == STDFU_STATE_DFU_DNLOAD_IDLE)
		return STDFU_OK;
	if (st->state == STDFU_STATE_DFU_ERROR)
		return stdfu__dfuse_status_error(dev, st, what);
	return stdfu__fail(STDFU_ERR_PROTOCOL,
			   "%s: the device went to %s instead of dfuDNLOAD-IDLE; it may not "
			   "have done it",
			   what, stdfu_dfu_state_name(st->state));
}

/*
 * After a DNLOAD: GETSTATUS (the device executes the request now), then poll
 * while dfuDNBUSY. A stall while busy is the L4 ROM saying "busy" (bounded by
 * the budget like any other busy reply).
 */
static int stdfu_dfuse_wait(struct stdfu_device *dev, uint64_t budget_us, const char *what)
{
	struct stdfu_dfu_status st;
	struct stdfu_poll poll = {0};
	uint64_t start = 0;
	bool busy = false;
	int lrc, rc;

	rc = stdfu__dfu_get_status(dev, &st, STDFU_USB_TIMEOUT_MS, &lrc);
	for (;;) {
		int64_t delay;
		bool stalled = busy && lrc == LIBUSB_ERROR_PIPE;
		if (rc && !stalled)
			return rc;
		if (!rc && st.status != STDFU_STATUS_OK)
			return stdfu__dfuse_status_error(dev, &st, what);
		if (!rc && st.state != STDFU_STATE_DFU_DNBUSY)
			return dnload_done(dev, &st, what);
		if (!busy) {
			busy = true;
			start = stdfu__now_us();
			stdfu_poll_begin(&poll, dev->poll, st.poll_timeout_ms, budget_us);
		}
		delay = stdfu_poll_next(&poll, stdfu__now_us() - start, stalled,
					rc ? poll.reported_ms : st.poll_timeout_ms);
		if (poll.implausible && !dev->poll_lie_warned) {
			dev->poll_lie_warned = true;
			stdfu__device_warn(dev, STDFU_WARN_POLL_CLAMPED,
					   "the device asks to wait %u ms per request, more than "
					   "any flash operation takes: polling early instead",
					   poll.reported_ms);
		}
		if (delay < 0)
			return stdfu__fail(STDFU_ERR_TIMEOUT,
					   "%s: the device is still busy after %llu ms", what,
					   (unsigned long long)(budget_us / 1000));
		stdfu__sleep_us((uint64_t)delay);
		/* The F4 ROM NAKs GETSTATUS until done: let the transfer wait that long. */
		rc = stdfu__dfu_get_status(dev, &st, remaining_ms(start, budget_us), &lrc);
	}
}

static int command(struct stdfu_device *dev, uint8_t cmd, uint32_t address, bool has_address,
		   uint64_t budget_us, const char *what)
{
	uint8_t buf[5] = {cmd};
	int rc;

	le_put32(buf + 1, address);
	/* A command from dfuUPLOAD-IDLE is a state violation: go back to dfuIDLE. */
	if (dev->state == STDFU_STATE_DFU_UPLOAD_IDLE) {
		rc = stdfu_dfu_abort(dev);
		if (rc)
			return rc;
	}
	rc = stdfu__dfu_dnload(dev, 0, buf, has_address ? 5 : 1, what, NULL);
	if (rc)
		return rc;
	return stdfu_dfuse_wait(dev, budget_us, what);
}

int stdfu_dfuse_set_address(struct stdfu_device *dev, uint32_t address)
{
	char what[48];

	snprintf(what, sizeof(what), "Set Address 0x%08x", address);
	return command(dev, STDFU_DFUSE_SET_ADDRESS, address, true, BUDGET_COMMAND_US, what);
}

/*
 * H7 rev V: an erase beyond the first MiB can stay dfuDNBUSY for good; the
 * known recovery is CLRSTATUS twice (-> dfuERROR/errUNKNOWN, then dfuIDLE).
 */
static int recover_stuck_busy(struct stdfu_device *dev, uint32_t address)
{
	struct stdfu_dfu_status st;

	for (int i = 0; i < 2; i++) {
		int rc = stdfu_dfu_clear_status(dev);
		if (!rc)
			rc = stdfu_dfu_get_status(dev, &st);
		if (rc)
			return rc;
		if (st.state == STDFU_STATE_DFU_IDLE) {
			stdfu__device_warn(dev, STDFU_WARN_STUCK_BUSY,
					   "erase of 0x%08x stayed dfuDNBUSY; recovered with "
					   "CLRSTATUS (known H7 ROM quirk)",
					   address);
			return STDFU_OK;
		}
	}
	return stdfu__fail(STDFU_ERR_TIMEOUT, "erase of 0x%08x: the device stays busy", address);
}

int stdfu_dfuse_erase_page(struct stdfu_device *dev, uint32_t address)
{
	char what[48];
	int rc;

	snprintf(what, sizeof(what), "erase of the sector at 0x%08x", address);
	rc = command(dev, STDFU_DFUSE_ERASE, address, true, BUDGET_ERASE_US, what);
	if (rc == STDFU_ERR_TIMEOUT && dev->state == STDFU_STATE_DFU_DNBUSY)
		return recover_stuck_busy(dev, address);
	return rc;
}

int stdfu_dfuse_mass_erase(struct stdfu_device *dev)
{
	return command(dev, STDFU_DFUSE_ERASE, 0, false, BUDGET_MASS_US, "mass erase");
}

int stdfu_dfuse_read_unprotect(struct stdfu_device *dev)
{
	int rc = command(dev, STDFU_DFUSE_READ_UNPROTECT, 0, false, BUDGET_MASS_US,
			 "Read Unprotect");

	/* The ROM mass-erases and resets itself: vanishing is the success signal. */
	if (rc == STDFU_ERR_GONE || (rc && dev->gone)) {
		stdfu_error_clear();
		return STDFU_OK;
	}
	return rc;
}

static int to_idle(struct stdfu_device *dev)
{
	if (dev->state == STDFU_STATE_DFU_IDLE)
		return STDFU_OK;
	return stdfu_dfu_abort(dev);
}

int stdfu_dfuse_get_commands(struct stdfu_device *dev, uint8_t *buf, size_t cap)
{
	int rc = to_idle(dev);

	if (rc)
		return rc;
	return stdfu__dfu_upload(dev, 0, buf, (uint16_t)(cap > 255 ? 255 : cap), "Get Commands");
}

int stdfu_dfuse_write_block(struct stdfu_device *dev, uint16_t block, const uint8_t *data,
			    uint16_t len)
{
	char what[48];
	int rc;

	snprintf(what, sizeof(what), "write of block %u", block);
	rc = stdfu__dfu_dnload(dev, block, data, len, what, NULL);
	if (rc)
		return rc;
	return stdfu_dfuse_wait(dev, BUDGET_WRITE_US, what);
}

int stdfu_dfuse_read_block(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len)
{
	char what[48];

	snprintf(what, sizeof(what), "read of block %u", block);
	if (dev->state != STDFU_STATE_DFU_IDLE && dev->state != STDFU_STATE_DFU_UPLOAD_IDLE) {
		int rc = to_idle(dev);

		if (rc)
			return rc;
	}
	return stdfu__dfu_upload(dev, block, data, len, what);
}

static bool vanished(int lrc)
{
	return lrc == LIBUSB_ERROR_NO_DEVICE || lrc == LIBUSB_ERROR_PIPE ||
	       lrc == LIBUSB_ERROR_IO || lrc == LIBUSB_ERROR_TIMEOUT;
}

/* How long a leave may report dfuDNBUSY before we stop asking (F4: 104 ms). */
#define LEAVE_BUSY_BUDGET_US 3000000ull
/* A ROM that timed out the leave's GETSTATUS gets this long to answer GETSTATE. */
#define HUNG_PROBE_MS	     500u

/*
 * The leave's GETSTATUS timed out. Either the ROM left while the host waited
 * (the next request fails at once: stall, no device) or it hung on the bus
 * (the STM32H5 ROM locks up on leave): then GETSTATE times out too.
 */
enum probe { PROBE_GONE, PROBE_HUNG, PROBE_ANSWERED };

static enum probe probe_after_leave(struct stdfu_device *dev)
{
	uint8_t state;
	int rc = stdfu__usb_control(dev, 0xA1, STDFU_DFU_GETSTATE, 0, &state, 1, HUNG_PROBE_MS);

	if (rc == LIBUSB_ERROR_TIMEOUT)
		return PROBE_HUNG;
	return rc == 1 ? PROBE_ANSWERED : PROBE_GONE;
}

static bool hung_after_leave(struct stdfu_device *dev)
{
	return probe_after_leave(dev) == PROBE_HUNG;
}

/*
 * Only the start failed, and only a power cycle helps: a clear error, not a
 * wait. Bound: one request timeout (3 s, the zero-length DNLOAD's or the
 * GETSTATUS's after it) plus the GETSTATE probe (0.5 s).
 */
static int leave_hung(struct stdfu_device *dev)
{
	int rc;

	dev->leave_hung = true;
	dev->gone = true; /* no cleanup request would be answered */
	rc = stdfu__fail(STDFU_ERR_TIMEOUT,
			 "leave: the ROM stopped answering and stays on the bus (the STM32H5 "
			 "ROM locks up on leave), so the application did not start: "
			 "power-cycle or reset the board to start it");
	stdfu__cause(STDFU_CAUSE_LEAVE_HUNG, dev->info.path);
	return rc;
}

/*
 * The GETSTATUS replies after the leave's zero-length DNLOAD, until the ROM
 * goes. F4-style ROMs answer dfuDNBUSY (bwPollTimeout), then dfuMANIFEST,
 * and only then drop off the bus; H7/G0/U5-style ROMs are gone before they
 * answer (a stall, an I/O error, no device or a timeout: all success here).
 */
static int leave_status(struct stdfu_device *dev)
{
	struct stdfu_dfu_status st;
	uint64_t start = stdfu__now_us();
	bool busy = false, asked_again = false;

	for (;;) {
		int lrc;
		int rc = stdfu__dfu_get_status(dev, &st, STDFU_USB_TIMEOUT_MS, &lrc);

		/* the L4 ROM stalls GETSTATUS while busy: ask again */
		if (rc && lrc == LIBUSB_ERROR_PIPE && busy &&
		    stdfu__now_us() - start < LEAVE_BUSY_BUDGET_US) {
			stdfu_error_clear();
			stdfu__sleep_us(10000);
			continue;
		}
		if (rc && lrc == LIBUSB_ERROR_TIMEOUT) {
			enum probe p = probe_after_leave(dev);

			if (p == PROBE_HUNG)
				return leave_hung(dev);
			/* Still there and in DFU: that GETSTATUS was lost, and in
			 * DfuSe it is the one that starts the leave: ask once more. */
			if (p == PROBE_ANSWERED && !asked_again) {
				asked_again = true;
				stdfu_error_clear();
				continue;
			}
		}
		if (rc && vanished(lrc)) {
			stdfu_error_clear();
			return STDFU_OK;
		}
		if (rc)
			return rc;
		if (st.status != STDFU_STATUS_OK)
			return stdfu__dfuse_status_error(dev, &st, "leave");
		if (st.state != STDFU_STATE_DFU_DNBUSY)
			return STDFU_OK; /* dfuMANIFEST(-WAIT-RESET): it goes now */
		if (stdfu__now_us() - start >= LEAVE_BUSY_BUDGET_US)
			return stdfu__fail(STDFU_ERR_TIMEOUT,
					   "leave: the device is still busy after %llu ms",
					   (unsigned long long)(LEAVE_BUSY_BUDGET_US / 1000));
		busy = true;
		stdfu__sleep_us((uint64_t)(st.poll_timeout_ms < 1000 ? st.poll_timeout_ms : 1000) *
				1000);
	}
}

/*
 * AN3156 6.3.4 and docs/dfuse-protocol.md: Set Address (the jump target; the
 * STM32C0 leaves only if it comes right before), zero-length DNLOAD, then
 * GETSTATUS until the ROM goes (leave_status).
 */
int stdfu_dfuse_leave(struct stdfu_device *dev, uint32_t address)
{
	int rc, lrc;

	rc = stdfu_dfuse_set_address(dev, address);
	if (rc)
		return rc;
	rc = stdfu__dfu_dnload(dev, 2, NULL, 0, "leave (zero-length DNLOAD)", &lrc);
	/* a ROM may lock up before it acknowledges the request itself */
	if (rc && lrc == LIBUSB_ERROR_TIMEOUT && hung_after_leave(dev))
		return leave_hung(dev);
	if (rc && vanished(lrc)) {
		stdfu_error_clear();
		return STDFU_OK;
	}
	if (rc)
		return rc;
	return leave_status(dev);
}
