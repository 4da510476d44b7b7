/* SPDX-License-Identifier: MIT */
/*
 * After the leave: a ROM that latched "flash empty" at power-on (the empty
 * check of STM32L4 and later families, RM0394 2.6.1) jumps back into
 * itself however the leave went, until a power cycle. A new chip flashed
 * for the first time shows exactly that: the flash is right, the board comes
 * back as 0483:df11. The host cannot fix it; it can say so.
 */
#include <stdlib.h>
#include <string.h>

#include <stdfu/trigger.h>

#include "common/error_internal.h"
#include "flash/after_leave.h"
#include "usb/device_internal.h"

/* The ROM re-enumerates in well under a second; an application may take
 * longer, but then it is not the ROM. */
#define COMEBACK_MS 1500u

enum comeback { NOTHING, SOMETHING_ELSE, THE_ROM };

static enum comeback look(struct stdfu_ctx *ctx, const struct stdfu_device_info *rom)
{
	struct stdfu_bus_dev *snap = NULL;
	enum comeback seen = NOTHING;
	size_t n = 0;

	if (stdfu_bus_snapshot(ctx, &snap, &n)) {
		stdfu_error_clear();
		return NOTHING;
	}
	for (size_t i = 0; i < n && seen == NOTHING; i++) {
		const struct stdfu_bus_dev *d = &snap[i];

		if (d->bus != rom->bus || strcmp(d->path, rom->path) || d->address == rom->address)
			continue;
		seen = d->vid == rom->vid && d->pid == rom->pid ? THE_ROM : SOMETHING_ELSE;
	}
	free(snap);
	return seen;
}

void stdfu__after_leave(struct op *op)
{
	struct stdfu_device *dev = op->dev;
	uint64_t end = stdfu_now_us() + COMEBACK_MS * 1000ull;

	do {
		struct timeval tv = {0, 2000};
		enum comeback seen = look(dev->ctx, &dev->info);

		if (seen == SOMETHING_ELSE)
			return;
		if (seen == THE_ROM) {
			stdfu_device_warn(dev,
					  "the image is written and verified, but the board came "
					  "back as the ROM bootloader at %s: a chip that powered "
					  "up with an empty flash stays in its bootloader until a "
					  "power cycle (the ROM's empty check); power-cycle the "
					  "board to start the application",
					  dev->info.path);
			return;
		}
		/* hotplug events update libusb's list */
		libusb_handle_events_timeout_completed(dev->ctx->usb, &tv, NULL);
		stdfu_sleep_us(20000);
	} while (stdfu_now_us() < end);
}
