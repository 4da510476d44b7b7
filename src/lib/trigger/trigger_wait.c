/* SPDX-License-Identifier: MIT */
/*
 * The re-enumeration wait as a pure state machine: the caller feeds it bus
 * snapshots and the time, it decides. No libusb and no clock here, so every
 * outcome (found, never left, came back in the old mode, appeared elsewhere,
 * timeout) is unit-tested with a fake clock.
 *
 * A device is identified by its USB port path, never by its serial: the ROM
 * and the application report different serials, and serials are not unique
 * across boards. Leaving is seen as the (bus, address) pair disappearing from
 * the path: a re-enumeration always gets a new address, so even a departure
 * and return between two snapshots is noticed.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/trigger.h>

#include "common/error_internal.h"

static uint16_t busaddr(uint8_t bus, uint8_t address)
{
	return (uint16_t)(bus << 8 | address);
}

void stdfu_wait_init(struct stdfu_wait *w, enum stdfu_wait_target target, const char *path,
		     uint8_t bus, uint8_t address, const struct stdfu_usb_id *app_ids,
		     size_t n_app_ids, bool any_port, const struct stdfu_device_info *snap,
		     size_t n, uint64_t now_ms, uint32_t timeout_ms)
{
	memset(w, 0, sizeof(*w));
	w->target = target;
	if (path)
		snprintf(w->path, sizeof(w->path), "%s", path);
	w->bus = bus;
	w->address = address;
	if (n_app_ids > STDFU_APP_IDS_MAX)
		n_app_ids = STDFU_APP_IDS_MAX;
	if (app_ids && n_app_ids)
		memcpy(w->app_ids, app_ids, n_app_ids * sizeof(*app_ids));
	w->n_app_ids = app_ids ? n_app_ids : 0;
	w->any_port = any_port;
	w->start_ms = now_ms;
	w->deadline_ms = now_ms + (timeout_ms ? timeout_ms : STDFU_TRIGGER_TIMEOUT_DEFAULT_MS);
	for (size_t i = 0; i < n && w->n_baseline < STDFU_WAIT_BASELINE_MAX; i++)
		w->baseline[w->n_baseline++] = busaddr(snap[i].bus, snap[i].address);
}

static bool is_dfu(const struct stdfu_device_info *d)
{
	return d->vid == STDFU_ST_VID && d->pid == STDFU_ST_DFU_PID;
}

static bool is_target(const struct stdfu_wait *w, const struct stdfu_device_info *d)
{
	if (w->target == STDFU_WAIT_FOR_DFU)
		return is_dfu(d);
	return stdfu_app_id_match(w->app_ids, w->n_app_ids, d->vid, d->pid);
}

static bool in_baseline(const struct stdfu_wait *w, const struct stdfu_device_info *d)
{
	for (size_t i = 0; i < w->n_baseline; i++)
		if (w->baseline[i] == busaddr(d->bus, d->address))
			return true;
	return false;
}

static bool is_orig(const struct stdfu_wait *w, const struct stdfu_device_info *d)
{
	return w->address && d->bus == w->bus && d->address == w->address;
}

static const char *what(const struct stdfu_wait *w)
{
	return w->target == STDFU_WAIT_FOR_DFU ? "the ROM bootloader (0483:df11)"
					       : "the application";
}

static int came_back(const struct stdfu_wait *w, const struct stdfu_device_info *d, uint64_t now)
{
	if (w->target == STDFU_WAIT_FOR_DFU) {
		stdfu__fail(STDFU_ERR_REFUSED,
			    "the board at usb-path %s left and came back after %llu ms as "
			    "%04x:%04x (the application), not as the ROM bootloader: the ROM "
			    "sent it back. Check BOOT0/nBOOT0 and the boot option bytes, BFB2 "
			    "(dual-bank boot jumps back to flash), and that the HSE crystal is "
			    "one the ROM supports (an unsupported HSE resets the part)",
			    w->path, (unsigned long long)(now - w->start_ms), d->vid, d->pid);
		stdfu__cause(STDFU_CAUSE_BACK_IN_APP, w->path);
		return STDFU_ERR_REFUSED;
	}
	return stdfu__fail(STDFU_ERR_REFUSED,
			   "after leaving DFU the board at usb-path %s came back as %04x:%04x%s, "
			   "not as the application: the flash does not hold a plausible "
			   "application (vector table at the flash base), or BOOT0 is high",
			   w->path, d->vid, d->pid, is_dfu(d) ? " (the ROM again)" : "");
}

static int elsewhere(const struct stdfu_wait *w)
{
	return stdfu__fail(STDFU_ERR_ELSEWHERE,
			   "%s appeared at usb-path %s, not at %s where the board was: another "
			   "board may have entered it. Pass --any-port to accept it",
			   what(w), w->elsewhere_path, w->path);
}

static int no_reaction(const struct stdfu_wait *w, unsigned long long t)
{
	stdfu__fail(STDFU_ERR_TIMEOUT,
		    "the trigger was sent but the board at usb-path %s never left "
		    "the bus within %llu ms: is the stdfu firmware companion in the "
		    "application, with the same method and trigger byte? (or enter "
		    "DFU with BOOT0 and use --method none)",
		    w->path[0] ? w->path : "?", t);
	stdfu__cause(STDFU_CAUSE_NO_REACTION, w->path);
	return STDFU_ERR_TIMEOUT;
}

static int left_not_back(const struct stdfu_wait *w, unsigned long long t)
{
	return stdfu__fail(
		STDFU_ERR_TIMEOUT,
		"the board left usb-path %s after %llu ms but %s did not appear "
		"there within %llu ms%s",
		w->path[0] ? w->path : "?", (unsigned long long)(w->left_ms - w->start_ms), what(w),
		t,
		w->target == STDFU_WAIT_FOR_DFU
			? ": does this part have a USB DFU ROM bootloader, and an HSE "
			  "crystal the ROM supports? (try a longer --timeout)"
			: ": does the image hold a valid vector table at the flash base?");
}

static int timed_out(const struct stdfu_wait *w)
{
	unsigned long long t = (unsigned long long)(w->deadline_ms - w->start_ms);

	if (w->elsewhere)
		return elsewhere(w);
	if (!w->left && w->target == STDFU_WAIT_FOR_DFU)
		return no_reaction(w, t);
	if (!w->left)
		return stdfu__fail(STDFU_ERR_TIMEOUT,
				   "the board at usb-path %s did not leave DFU mode within %llu ms",
				   w->path[0] ? w->path : "?", t);
	return left_not_back(w, t);
}

/* A new device of the awaited kind on another path. */
static int other_port(struct stdfu_wait *w, const struct stdfu_device_info *snap, size_t n,
		      uint64_t now, size_t *found)
{
	for (size_t i = 0; i < n; i++) {
		const struct stdfu_device_info *d = &snap[i];

		if (!is_target(w, d) || in_baseline(w, d) || is_orig(w, d))
			continue;
		if (w->path[0] && strcmp(d->path, w->path) == 0)
			continue;
		if (w->any_port || !w->path[0]) {
			*found = i;
			return STDFU_OK;
		}
		if (!w->elsewhere) {
			w->elsewhere = true;
			w->elsewhere_ms = now;
			snprintf(w->elsewhere_path, sizeof(w->elsewhere_path), "%s", d->path);
		}
	}
	if (w->elsewhere && now - w->elsewhere_ms >= STDFU_WAIT_ELSEWHERE_GRACE_MS)
		return timed_out(w);
	return STDFU_WAIT_PENDING;
}

int stdfu_wait_step(struct stdfu_wait *w, const struct stdfu_device_info *snap, size_t n,
		    uint64_t now_ms, size_t *found, bool *just_left)
{
	const struct stdfu_device_info *at_path = NULL;
	bool orig_present = false;
	size_t at_index = 0;
	int r;

	*just_left = false;
	for (size_t i = 0; i < n; i++) {
		if (is_orig(w, &snap[i])) {
			orig_present = true;
		} else if (w->path[0] && strcmp(snap[i].path, w->path) == 0) {
			at_path = &snap[i];
			at_index = i;
		}
	}
	if (!w->left && !orig_present) {
		w->left = true;
		w->left_ms = now_ms;
		*just_left = true;
	}
	if (at_path && is_target(w, at_path)) {
		*found = at_index;
		return STDFU_OK;
	}
	if (at_path && w->left)
		return came_back(w, at_path, now_ms);
	r = other_port(w, snap, n, now_ms, found);
	if (r != STDFU_WAIT_PENDING)
		return r;
	if (now_ms >= w->deadline_ms)
		return timed_out(w);
	return STDFU_WAIT_PENDING;
}

uint64_t stdfu_wait_next_ms(const struct stdfu_wait *w, uint64_t now_ms)
{
	uint64_t next = w->deadline_ms > now_ms ? w->deadline_ms - now_ms : 0;

	if (w->elsewhere) {
		uint64_t end = w->elsewhere_ms + STDFU_WAIT_ELSEWHERE_GRACE_MS;
		uint64_t left = end > now_ms ? end - now_ms : 0;

		if (left < next)
			next = left;
	}
	return next;
}
