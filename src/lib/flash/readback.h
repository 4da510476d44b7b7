/* SPDX-License-Identifier: MIT */
/* The read-back before the erase: blank-sector skip and --incremental (readback.c). */
#ifndef STDFU_FLASH_READBACK_H
#define STDFU_FLASH_READBACK_H

#include <stdfu/incremental.h>
#include <stdfu/plan.h>

#include "flash/op.h"

/*
 * The READ phase of a flash: read back every sector @plan would erase, alt
 * by alt, and decide each one: unless opts->always_erase, the blank ones are
 * marked STDFU_SECTOR_BLANK (not erased); with @inc (--incremental, else
 * NULL) the ones that already hold the image are dropped from the plan
 * (stdfu_incremental_filter()) and @inc is filled. Every decision but
 * "erased" is reported here (the erase reports that one). Leaves the device
 * in dfuIDLE.
 */
int stdfu__read_back(struct op *op, struct stdfu_flash_plan *plan,
		     struct stdfu_incremental_stats *inc);

#endif
