/* SPDX-License-Identifier: MIT */
/*
 * After the leave: a ROM that latched "flash empty" at power-on (the empty
 * check of STM32L4 and later families, RM0394 2.6.1) jumps back into
 * itself however the leave went, until a power cycle. A new chip flashed
 * for the first time shows exactly that: the flash is right, the board comes
 * back as 0483:df11. The host cannot fix it; it can say so.
 */
#include <string.h>

#include <stdfu/device.h>

#include "common/error_internal.h"
#include "flash/after_leave.h"
#include "usb/bus_internal.h"
#include "usb/device_internal.h"

/* The ROM re-enumerates in well under a second; an application may take
 * longer, but then it is not the ROM. */
#define COMEBACK_MS 1500u

enum comeback { NOTHING, SOMETHING_ELSE, THE_ROM };

static enum comeback look(struct stdfu_ctx *ctx, const struct stdfu_device_info *rom)
{
	struct stdfu_device_list *snap = NULL;
	enum comeback seen = NOTHING;

	if (stdfu_bus_snapshot(ctx, &snap)) {
		stdfu_error_clear();
		return NOTHING;
	}
	for (size_t i = 0; i < snap->count && seen == NOTHING; i++) {
		const struct stdfu_device_info *d = &snap->items[i];

		if (d->bus != rom->bus || strcmp(d->path, rom->path) || d->address == rom->address)
			continue;
		seen = d->vid == rom->vid && d->pid == rom->pid ? THE_ROM : SOMETHING_ELSE;
	}
	stdfu_device_list_free(snap);
	return seen;
}

void stdfu__after_leave(struct op *op)
{
	struct stdfu_device *dev = op->dev;
	uint64_t end = stdfu__now_us() + COMEBACK_MS * 1000ull;
	struct stdfu_usb_watch *watch = stdfu__usb_watch_start(dev->ctx);

	do {
		enum comeback seen = look(dev->ctx, &dev->info);

		if (seen == THE_ROM)
			stdfu__device_warn(dev, STDFU_WARN_STAYED_IN_ROM,
					   "the image is written and verified, but the board came "
					   "back as the ROM bootloader at %s: a chip that powered "
					   "up with an empty flash stays in its bootloader until a "
					   "power cycle (the ROM's empty check); power-cycle the "
					   "board to start the application",
					   dev->info.path);
		if (seen != NOTHING)
			break;
		stdfu__usb_watch_nap(watch, 20);
	} while (stdfu__now_us() < end);
	stdfu__usb_watch_stop(watch);
}
