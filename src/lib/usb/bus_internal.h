/* SPDX-License-Identifier: MIT */
/*
 * What the rest of libstdfu asks of the USB bus besides a DFU session: the
 * device at a port path, DFU_DETACH, waiting for hotplug events. No libusb
 * type shows here: the transport keeps libusb to itself.
 */
#ifndef STDFU_BUS_INTERNAL_H
#define STDFU_BUS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct stdfu_ctx;

uint64_t stdfu__now_us(void);
void stdfu__sleep_us(uint64_t us);

/* The port path of the device at @bus/@address; "" (and an error) if libusb does not see it. */
int stdfu__usb_path_of(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, char *path, size_t cap);

/* DFU 1.1, 5.1: DFU_DETACH to the runtime DFU interface of the device at @bus/@address. */
int stdfu__usb_detach(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, const char *path);

/*
 * On a real system udev applies the device node's permissions a few ms after
 * the device appears: the first open can fail with EACCES. Retry opening the
 * device at @bus/@address for up to @ms (opening costs no control transfer).
 */
void stdfu__usb_settle(struct stdfu_ctx *ctx, uint8_t bus, uint8_t address, unsigned ms);

/* Sleeping until the bus changes: hotplug when libusb has it, polling otherwise. */
struct stdfu_usb_watch;
struct stdfu_usb_watch *stdfu__usb_watch_start(struct stdfu_ctx *ctx);
/* Sleep until a hotplug event or @ms pass (capped: events can be coalesced). */
void stdfu__usb_watch_nap(struct stdfu_usb_watch *w, uint64_t ms);
void stdfu__usb_watch_stop(struct stdfu_usb_watch *w);

#endif
