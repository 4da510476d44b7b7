/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/flash.h
 * @brief Operations on an open ST DFU device: flash, read, erase, verify, leave, unprotect.
 *
 * Every operation reports through an optional event callback (phase start,
 * progress and end with bytes; warnings such as "cleared harmless
 * errFIRMWARE") and fills a result with per-phase durations, bytes and
 * control-transfer counts. Nothing is printed.
 *
 * Every operation waits for a busy device with the poll policy of the
 * device (stdfu_device_set_poll_policy(); STDFU_POLL_EARLY by default).
 */
#ifndef STDFU_FLASH_H
#define STDFU_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
#include <stdfu/image.h>
#include <stdfu/plan.h>

#ifdef __cplusplus
extern "C" {
#endif

enum stdfu_phase {
	STDFU_PHASE_PREPARE, /**< GETSTATUS, clear the start state, select the alt */
	STDFU_PHASE_ERASE,
	STDFU_PHASE_WRITE,
	STDFU_PHASE_VERIFY,
	STDFU_PHASE_READ,
	STDFU_PHASE_LEAVE, /**< leave DFU and confirm that the device has gone */
	STDFU_PHASE__COUNT
};

enum stdfu_event_type {
	STDFU_EVENT_DEVICE_FOUND, /**< device = the device about to be used */
	STDFU_EVENT_PHASE_START,  /**< total = bytes the phase will handle */
	STDFU_EVENT_PROGRESS,	  /**< done of total bytes */
	STDFU_EVENT_PHASE_END,
	STDFU_EVENT_WARNING, /**< message: something handled that the user may want to know */
	STDFU_EVENT_SECTOR,  /**< sector: what the flash does with it (see enum stdfu_sector_action)
			      */
};

/** What a warning is about, so that a program filters by code, not by text. */
enum stdfu_warning {
	STDFU_WARN_OTHER = 0,
	STDFU_WARN_START_STATE,	  /**< the ROM's usual errFIRMWARE start state was cleared */
	STDFU_WARN_STALE_STATUS,  /**< an error status of an earlier session was cleared */
	STDFU_WARN_POLL_CLAMPED,  /**< an absurd bwPollTimeout was clamped */
	STDFU_WARN_STUCK_BUSY,	  /**< a busy erase recovered with CLRSTATUS (H7 quirk) */
	STDFU_WARN_PADDED_WRITE,  /**< a short write refused, written padded with 0xFF (G4) */
	STDFU_WARN_TRANSFER_SIZE, /**< the advertised transfer size failed: 1024 bytes (L43x) */
	STDFU_WARN_ECC_FALLBACK, /**< a blank sector refused a write (errPROG): erased, rewritten */
	STDFU_WARN_STAYED_IN_ROM, /**< written and verified, but the board came back as the ROM */
	STDFU_WARN_LEAVE_HUNG,	  /**< written and verified, but the ROM hung on leave (STM32H5) */
	STDFU_WARN_BLANK_ERASED,  /**< blank sectors erased: the flash cannot refuse (STM32H7) */
};

struct stdfu_event {
	enum stdfu_event_type type;
	enum stdfu_phase phase;
	uint64_t done;
	uint64_t total;
	const char *message;
	const struct stdfu_device_info *device;
	const struct stdfu_plan_erase *sector; /**< STDFU_EVENT_SECTOR only */
	enum stdfu_warning warning;	       /**< STDFU_EVENT_WARNING: what it is about */
};

/** Stable name of a warning code ("start-state"...), used in JSON. */
const char *stdfu_warning_name(enum stdfu_warning w);

typedef void (*stdfu_event_fn)(const struct stdfu_event *ev, void *user);

struct stdfu_phase_result {
	uint64_t ns;	    /**< wall time of the phase */
	uint64_t bytes;	    /**< bytes erased / written / compared / read */
	uint64_t transfers; /**< control transfers the phase sent */
};

/** Erasable sectors of a flash by what was done with them (enum stdfu_sector_action). */
struct stdfu_sector_counts {
	size_t erased;	      /**< erased before writing */
	size_t skipped_blank; /**< written without an erase: they read back all 0xFF */
	size_t fallback;      /**< skipped, then erased and rewritten after errPROG */
	size_t unchanged;     /**< --incremental: neither erased nor written */
	/** Of @erased: read back blank, erased all the same because the flash
	 *  does not refuse a second programming (STM32H7, see trust_blank). */
	size_t erased_blank;
};

struct stdfu_result {
	struct stdfu_phase_result phase[STDFU_PHASE__COUNT];
	struct stdfu_sector_counts sectors; /**< flash only */
	uint64_t ns;			    /**< whole operation */
	uint64_t transfers;		    /**< control transfers of the operation (all phases) */
	uint32_t fail_address;		    /**< verify: first differing address */
};

/**
 * Options of one operation. The poll policy is not among them: it belongs to
 * the device (stdfu_device_set_poll_policy()), and no operation changes it.
 */
struct stdfu_flash_opts {
	bool no_verify; /**< skip read-back verification */
	bool no_leave;	/**< stay in DFU mode */
	bool force;	/**< ignore a DFU suffix made for another VID:PID */
	/** Erase every sector the image touches, even those that read back
	 *  blank (no blank-sector skip; see stdfu_flash_run()). */
	bool always_erase;
	/** Skip the erase of blank sectors even where the flash does not
	 *  refuse a word programmed twice (STM32H7): only for chips whose
	 *  flash is known virgin (new, or mass-erased) since (see
	 *  stdfu_flash_run()). */
	bool trust_blank;
	bool leave_address_set;
	uint32_t leave_address;	  /**< default: the start of the image (else the flash base) */
	unsigned gone_timeout_ms; /**< wait for the device to leave the bus; 0 = 5000 */
	stdfu_event_fn on_event;
	void *user;
};

/** Phase name: "prepare", "erase", "write", "verify", "read", "leave". */
const char *stdfu_phase_name(enum stdfu_phase phase);

struct stdfu_incremental_stats;

/**
 * Erase exactly the sectors @img touches, write it, verify it by read-back,
 * leave DFU and confirm that the device has gone. Everything that can be
 * checked without the device (fit, writable memory, suffix VID:PID) is
 * checked before the first request. The same as stdfu_image_check_suffix()
 * (unless opts->force), stdfu_flash_plan_build() and stdfu_flash_run().
 * A raw image loaded without an address goes to the device's flash base.
 */
int stdfu_flash(struct stdfu_device *dev, const struct stdfu_image *img,
		const struct stdfu_flash_opts *opts, struct stdfu_result *res);

/**
 * Run @plan in one operation: prepare, read back, erase, write, verify
 * (unless no_verify), leave at plan->leave_address (unless no_leave or
 * leave_address_set).
 *
 * The read-back (STDFU_PHASE_READ) reads every sector the plan would erase
 * before anything is erased. Blank-sector skip (unless always_erase): a
 * sector that reads back entirely 0xFF is not erased (STDFU_SECTOR_BLANK);
 * reading stops at the first block of a sector that is not blank, since that
 * sector is erased whatever the rest holds. If a write into a skipped sector
 * fails with errPROG (an ECC programming unit already programmed, with 0xFF),
 * that sector alone is erased and its part of the image written again
 * (STDFU_SECTOR_FALLBACK); nothing else is lost, because the sector held
 * nothing but 0xFF before (see write.c). The STM32H7 refuses no second
 * programming: it takes the write, and the word's ECC no longer matches, so
 * that the verify's read faults the ROM. There a blank sector is erased all
 * the same (erased_blank, STDFU_WARN_BLANK_ERASED), unless trust_blank. With @inc (incremental)
 * every such sector is read in full, and the sectors that already hold the image are dropped from
 * @plan (stdfu_incremental_filter()) and @inc is filled; when nothing differs the device is only
 * read and left. @inc NULL: no incremental filter. The decision for each sector is reported by
 * STDFU_EVENT_SECTOR and counted in res->sectors.
 */
int stdfu_flash_run(struct stdfu_device *dev, struct stdfu_flash_plan *plan,
		    const struct stdfu_flash_opts *opts, struct stdfu_result *res,
		    struct stdfu_incremental_stats *inc);

/**
 * Compare @img with the device's memory (UPLOAD). STDFU_ERR_VERIFY names the
 * address. A raw image loaded without an address is compared at the flash base.
 */
int stdfu_verify(struct stdfu_device *dev, const struct stdfu_image *img,
		 const struct stdfu_flash_opts *opts, struct stdfu_result *res);

/** Read @length bytes at @address of alt @alt into @buf. */
int stdfu_read(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
	       uint8_t *buf, const struct stdfu_flash_opts *opts, struct stdfu_result *res);

/** Erase the sectors of the flash alt overlapping [address, address + length). */
int stdfu_erase_range(struct stdfu_device *dev, uint32_t address, uint32_t length,
		      const struct stdfu_flash_opts *opts, struct stdfu_result *res);

/** Mass erase (polls until done: F405 reports 100 ms but takes 8+ s). */
int stdfu_erase_mass(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res);

/** Leave DFU at @address and confirm that the device has gone. */
int stdfu_leave(struct stdfu_device *dev, uint32_t address, const struct stdfu_flash_opts *opts,
		struct stdfu_result *res);

/** Remove read protection: mass-erases everything; the device resets. */
int stdfu_unprotect(struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		    struct stdfu_result *res);

/** Check a DFU suffix against the device: STDFU_ERR_MISMATCH unless it matches or says "any". */
int stdfu_image_check_suffix(const struct stdfu_image *img, const struct stdfu_device_info *info);

#ifdef __cplusplus
}
#endif
#endif
