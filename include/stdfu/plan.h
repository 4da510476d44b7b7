/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/plan.h
 * @brief The flash plan: which sectors to erase and which runs to write.
 *
 * Built from an image's segments and the device's memory layouts before
 * the device is touched: stdfu_flash() is stdfu_flash_plan_build() followed
 * by stdfu_flash_run(). A struct stdfu_flash_plan holds one struct
 * stdfu_plan per alt the image targets. Every byte of the image must land in a writable
 * sector; a writable sector the image touches is erased once if the layout
 * says it is erasable (and left alone if it is not, e.g. OTP). Anything else
 * is refused with STDFU_ERR_FIT and a detail naming the address.
 *
 * Each erasable sector carries what the flash decided for it (enum
 * stdfu_sector_action): a plan starts with every sector to be erased; the
 * read-back before the erase (stdfu_flash_run()) may mark sectors that are
 * already blank, and drop the ones that already hold the image (--incremental).
 */
#ifndef STDFU_PLAN_H
#define STDFU_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
#include <stdfu/image.h>
#include <stdfu/layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a flash does with an erasable sector the image touches.
 *
 * A sector that reads back entirely 0xFF is written without an erase: on
 * flash without ECC (F2/F4/F7) 0xFF is the erased state itself. On ECC flash
 * (L4, G0, G4, H7, U5...) a programming unit that was once programmed, even
 * with 0xFF, cannot be programmed again (errPROG), and a read cannot tell it
 * from an erased one; such a write fails, and the sector alone is then
 * erased and written again (STDFU_SECTOR_FALLBACK). The H7 has no such
 * check: a second programming is taken, and leaves the word's ECC
 * inconsistent. There a blank sector stays STDFU_SECTOR_ERASE, with
 * looked_blank set, unless the caller trusts the flash to be virgin.
 */
enum stdfu_sector_action {
	STDFU_SECTOR_ERASE = 0, /**< "erased": erased, then written */
	STDFU_SECTOR_BLANK,	/**< "skipped-blank": read back all 0xFF, written without erase */
	STDFU_SECTOR_FALLBACK,	/**< "fallback": was blank, a write failed with errPROG: erased
				     and written again */
	STDFU_SECTOR_UNCHANGED, /**< "unchanged": --incremental, already holds the image */
};

/** Stable name of an action, as in JSON output: "erased", "skipped-blank"... */
const char *stdfu_sector_action_name(enum stdfu_sector_action action);

struct stdfu_plan_erase {
	uint32_t address; /**< sector start */
	uint32_t size;	  /**< sector size */
	enum stdfu_sector_action action;
	/** Its start read back 0xFF, but it is erased: the flash cannot refuse
	 *  a second programming (STM32H7), see stdfu_flash_opts.trust_blank. */
	bool looked_blank;
};

/** A contiguous run of bytes: one Set Address, then incrementing wBlockNum. */
struct stdfu_plan_run {
	uint32_t address;
	uint32_t size;
	const uint8_t *data; /**< points into the image (or the plan's own copy) */
};

struct stdfu_plan {
	uint8_t alt;
	size_t n_erase;
	struct stdfu_plan_erase *erase; /**< ascending addresses, each sector once */
	size_t n_runs;
	struct stdfu_plan_run *runs; /**< ascending, never adjacent (merged) */
	uint64_t erase_bytes;	     /**< bytes of the sectors whose action is STDFU_SECTOR_ERASE */
	uint64_t write_bytes;
	uint8_t *merged; /**< private: storage for merged runs */
};

/**
 * Plan writing the segments of @img whose alt is @alt into @layout.
 * @img must outlive the plan. Returns STDFU_ERR_FIT (detail names the
 * address and why) if the image does not fit, and STDFU_ERR_IMAGE if it has
 * no data for @alt.
 */
int stdfu_plan_build(const struct stdfu_image *img, uint8_t alt, const struct stdfu_layout *layout,
		     struct stdfu_plan **out);

/** True if @dev (@len bytes read back from the device) is all 0xFF, the erased value. */
bool stdfu_plan_is_blank(const uint8_t *dev, size_t len);

/** Plan erasing every sector that overlaps [address, address + length). */
int stdfu_plan_erase_range(const struct stdfu_layout *layout, uint32_t address, uint32_t length,
			   struct stdfu_plan **out);

void stdfu_plan_free(struct stdfu_plan *plan);

/** The plan of a whole image: one struct stdfu_plan per alt it targets. */
struct stdfu_flash_plan {
	size_t n_alts;
	struct stdfu_plan *alts[STDFU_MAX_ALTS]; /**< in ascending alt order, as the image */
	uint32_t leave_address; /**< the image's first address in the flash alt, else its start */
};

/**
 * Plan flashing @img onto the device described by @info: every alt of the
 * image must have a memory layout on the device (else STDFU_ERR_FIT) and the
 * image must fit it (stdfu_plan_build()). A raw image loaded without an
 * address (img->at_flash_base) is placed at the start of the device's flash
 * alt. @img must outlive the plan. The DFU suffix is not checked here
 * (stdfu_image_check_suffix()).
 */
int stdfu_flash_plan_build(const struct stdfu_device_info *info, const struct stdfu_image *img,
			   struct stdfu_flash_plan **out);

/** Bytes the plan erases, and writes, over all alts (after any filtering). */
uint64_t stdfu_flash_plan_erase_bytes(const struct stdfu_flash_plan *plan);
uint64_t stdfu_flash_plan_write_bytes(const struct stdfu_flash_plan *plan);

/** Free a plan; NULL is accepted. */
void stdfu_flash_plan_free(struct stdfu_flash_plan *plan);

#ifdef __cplusplus
}
#endif
#endif
