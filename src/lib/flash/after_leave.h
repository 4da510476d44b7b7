/* SPDX-License-Identifier: MIT */
/*
 * What comes back on the board's USB port path after a confirmed leave: the
 * application, nothing (yet), or the ROM bootloader again.
 */
#ifndef STDFU_FLASH_AFTER_LEAVE_H
#define STDFU_FLASH_AFTER_LEAVE_H

#include "flash/op.h"

/*
 * Watch the port path for a short while; if the ROM (the same VID:PID) comes
 * back instead of the application, warn that the chip stays in its
 * bootloader until a power cycle (the ROM's empty check). Never fails.
 */
void stdfu__after_leave(struct op *op);

#endif
