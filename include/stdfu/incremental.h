/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/incremental.h
 * @brief Incremental flashing: skip the sectors that already hold the image.
 *
 * `stdfu flash --incremental` reads back every erasable sector a flash plan
 * would erase and drops from the plan each sector whose content is already
 * exactly what a full flash would leave there: the image's bytes where the
 * image has data, and the erased value 0xFF everywhere else in the sector.
 * Such a sector is neither erased nor written. A sector that differs in any
 * byte is erased and written in full, as without --incremental, so the
 * resulting flash is byte for byte the same as after a full flash.
 *
 * Writable sectors that are not erasable (OTP) are never skipped: they are
 * written as planned.
 *
 * The filter does no USB I/O itself: the caller supplies a read function
 * (stdfu_flash_run() passes the engine's UPLOAD block loop), so the logic is
 * unit-tested without a device.
 */
#ifndef STDFU_INCREMENTAL_H
#define STDFU_INCREMENTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/flash.h>
#include <stdfu/image.h>
#include <stdfu/plan.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The value erased flash reads as on every STM32 family we know. */
#define STDFU_ERASED_BYTE 0xFFu

/**
 * Read @len bytes of device memory at @address into @buf.
 * Returns STDFU_OK or a negative enum stdfu_err (which the filter passes on).
 */
typedef int (*stdfu_incremental_read_fn)(void *user, uint32_t address, uint8_t *buf, uint32_t len);

/** What the filter found. */
struct stdfu_incremental_stats {
	size_t sectors;		/**< erasable sectors the plan touched */
	size_t sectors_skipped; /**< of those, already holding the image */
	uint64_t bytes_read;	/**< bytes read back to decide */
	uint64_t bytes_skipped; /**< image bytes that need not be written */
};

/**
 * True if @dev (the @size bytes of the sector at @start as read from the
 * device) equals what a full flash of @plan leaves there.
 */
bool stdfu_incremental_sector_matches(const struct stdfu_plan *plan, uint32_t start, uint32_t size,
				      const uint8_t *dev);

/**
 * Read every erasable sector of @plan (adjacent sectors in one read call) and
 * remove from the plan the sectors that already match, together with the
 * parts of its runs that fall into them. On success the plan may be left with
 * no erase and no run at all (nothing to do). On error the plan is unchanged.
 * @st may be NULL.
 */
int stdfu_incremental_filter(struct stdfu_plan *plan, stdfu_incremental_read_fn read, void *user,
			     struct stdfu_incremental_stats *st);

/**
 * stdfu_flash() with --incremental, in one operation: plan each alt of @img
 * as stdfu_flash() would, read back the sectors the plan would erase
 * (STDFU_PHASE_READ, through the same block loop as verify), drop the ones
 * that already match, then erase, write and verify only the rest, and leave
 * DFU at the address a full flash would use. When nothing differs, the
 * device is only read and left. The same as stdfu_flash_plan_build() and
 * stdfu_flash_run() with @st. @st may be NULL.
 */
int stdfu_flash_incremental(struct stdfu_device *dev, const struct stdfu_image *img,
			    const struct stdfu_flash_opts *opts, struct stdfu_result *res,
			    struct stdfu_incremental_stats *st);

#ifdef __cplusplus
}
#endif
#endif
