/* SPDX-License-Identifier: MIT */
/* The WRITE phase of a flash, with the errPROG fallback of blank sectors (write.c). */
#ifndef STDFU_FLASH_WRITE_H
#define STDFU_FLASH_WRITE_H

#include <stdfu/plan.h>

#include "flash/op.h"

/*
 * Write every run of every alt of @fp. The part of a run that falls into a
 * sector written without an erase (STDFU_SECTOR_BLANK) is written on its own,
 * so that a failure is known to be that sector's; if it fails with errPROG,
 * the sector is erased and all of its part of the image written again, and
 * the sector becomes STDFU_SECTOR_FALLBACK. Any other failure is returned.
 */
int stdfu__write_phase(struct op *op, struct stdfu_flash_plan *fp);

#endif
