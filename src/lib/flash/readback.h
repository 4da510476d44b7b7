/* SPDX-License-Identifier: MIT */
/* --incremental inside a flash: the read-back that filters the plan (incremental.c). */
#ifndef STDFU_FLASH_READBACK_H
#define STDFU_FLASH_READBACK_H

#include <stdfu/incremental.h>
#include <stdfu/plan.h>

#include "flash/op.h"

/*
 * The READ phase of an incremental flash: read back every sector @plan
 * would erase, alt by alt, with the block loop, and drop those that already
 * hold the image (stdfu_incremental_filter()). Leaves the device in dfuIDLE.
 */
int stdfu__incremental_read_back(struct op *op, struct stdfu_flash_plan *plan,
				 struct stdfu_incremental_stats *st);

#endif
