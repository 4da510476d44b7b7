/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/dfu.h
 * @brief USB DFU 1.1 requests, states and statuses; parsing what a device sends.
 *
 * A device can lie: a GETSTATUS reply of the wrong length, an unknown state
 * or status, an absurd bwPollTimeout, a functional descriptor with a zero
 * wTransferSize. The parsers here check all of it.
 */
#ifndef STDFU_DFU_H
#define STDFU_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* DFU 1.1 section 3, table 3.2: class requests, interface recipient. */
enum stdfu_dfu_request {
	STDFU_DFU_DETACH = 0,
	STDFU_DFU_DNLOAD = 1,
	STDFU_DFU_UPLOAD = 2,
	STDFU_DFU_GETSTATUS = 3,
	STDFU_DFU_CLRSTATUS = 4,
	STDFU_DFU_GETSTATE = 5,
	STDFU_DFU_ABORT = 6,
};

/* DFU 1.1 section 6.1.2, bState. */
enum stdfu_dfu_state {
	STDFU_STATE_APP_IDLE = 0,
	STDFU_STATE_APP_DETACH = 1,
	STDFU_STATE_DFU_IDLE = 2,
	STDFU_STATE_DFU_DNLOAD_SYNC = 3,
	STDFU_STATE_DFU_DNBUSY = 4,
	STDFU_STATE_DFU_DNLOAD_IDLE = 5,
	STDFU_STATE_DFU_MANIFEST_SYNC = 6,
	STDFU_STATE_DFU_MANIFEST = 7,
	STDFU_STATE_DFU_MANIFEST_WAIT_RESET = 8,
	STDFU_STATE_DFU_UPLOAD_IDLE = 9,
	STDFU_STATE_DFU_ERROR = 10,
};

/* DFU 1.1 section 6.1.2, bStatus. */
enum stdfu_dfu_status_code {
	STDFU_STATUS_OK = 0,
	STDFU_STATUS_ERR_TARGET = 1,
	STDFU_STATUS_ERR_FILE = 2,
	STDFU_STATUS_ERR_WRITE = 3,
	STDFU_STATUS_ERR_ERASE = 4,
	STDFU_STATUS_ERR_CHECK_ERASED = 5,
	STDFU_STATUS_ERR_PROG = 6,
	STDFU_STATUS_ERR_VERIFY = 7,
	STDFU_STATUS_ERR_ADDRESS = 8,
	STDFU_STATUS_ERR_NOTDONE = 9,
	STDFU_STATUS_ERR_FIRMWARE = 10,
	STDFU_STATUS_ERR_VENDOR = 11,
	STDFU_STATUS_ERR_USBR = 12,
	STDFU_STATUS_ERR_POR = 13,
	STDFU_STATUS_ERR_UNKNOWN = 14,
	STDFU_STATUS_ERR_STALLEDPKT = 15,
};

/** bwPollTimeout above this is treated as a lie and clamped (a 24-bit field allows 4.6 h). */
#define STDFU_POLL_TIMEOUT_MAX_MS 60000u

/** wTransferSize outside [MIN, MAX] is refused with STDFU_ERR_PROTOCOL. */
#define STDFU_TRANSFER_SIZE_MIN 8u
#define STDFU_TRANSFER_SIZE_MAX 16384u

/** A parsed GETSTATUS reply. */
struct stdfu_dfu_status {
	uint8_t status;		  /**< enum stdfu_dfu_status_code */
	uint32_t poll_timeout_ms; /**< bwPollTimeout, clamped to STDFU_POLL_TIMEOUT_MAX_MS */
	uint8_t state;		  /**< enum stdfu_dfu_state */
	uint8_t istring;
	bool poll_clamped; /**< the device sent a larger bwPollTimeout */
};

/** The DFU functional descriptor (DFU 1.1 section 4.1.3, type 0x21). */
struct stdfu_dfu_functional {
	uint8_t attributes;
	uint16_t detach_timeout_ms;
	uint16_t transfer_size;
	uint16_t bcd_dfu; /**< 0x0100 when the descriptor is the 7-byte DFU 1.0 form */
};

/** Parse a 6-byte GETSTATUS reply of @len bytes. STDFU_ERR_PROTOCOL on a bad reply. */
int stdfu_dfu_status_parse(const uint8_t *buf, size_t len, struct stdfu_dfu_status *out);

/**
 * Find and parse the functional descriptor in @extra (the class-specific
 * descriptors that follow an interface descriptor). STDFU_ERR_PROTOCOL if it
 * is missing, truncated, or has an unusable wTransferSize.
 */
int stdfu_dfu_functional_parse(const uint8_t *extra, size_t len, struct stdfu_dfu_functional *out);

/** "dfuDNBUSY" ... as in the spec; "unknown" otherwise. */
const char *stdfu_dfu_state_name(int state);
/** "OK", "errPROG" ... as in the spec; "unknown" otherwise. */
const char *stdfu_dfu_status_name(int status);
/** One-line human description of a status ("device is read protected"). */
const char *stdfu_dfu_status_text(int status);

/* ---- Polling a busy device ---------------------------------------------- */

enum stdfu_poll_policy {
	/** Ask again at once and back off (bounded) while busy; treat a stall while
	 *  busy as busy. The default (see stdfu(1) for the measurements). */
	STDFU_POLL_EARLY = 0,
	/** Wait bwPollTimeout, as DFU 1.1 section 6.1.2 asks, before each GETSTATUS. */
	STDFU_POLL_SPEC = 1,
};

/** Backoff of the early policy: first retry after MIN, doubling up to MAX. */
#define STDFU_POLL_EARLY_MIN_US 250u
#define STDFU_POLL_EARLY_MAX_US 8000u

/**
 * State of one wait for a busy device. Pure: no clock, no I/O. The caller
 * measures elapsed time and sleeps what stdfu_poll_next() says.
 */
struct stdfu_poll {
	enum stdfu_poll_policy policy;
	uint32_t reported_ms; /**< last bwPollTimeout */
	uint64_t budget_us;   /**< overall limit for this operation */
	uint32_t tries;	      /**< GETSTATUS requests after the first busy reply */
	uint32_t stalls;      /**< stalls seen while busy */
	bool implausible;     /**< spec: bwPollTimeout >= the budget, so polled early */
};

/** Start waiting after the device said dfuDNBUSY with @poll_timeout_ms. */
void stdfu_poll_begin(struct stdfu_poll *p, enum stdfu_poll_policy policy, uint32_t poll_timeout_ms,
		      uint64_t budget_us);

/**
 * Microseconds to wait before the next GETSTATUS, given the time already
 * spent (@elapsed_us) since the busy reply, or -1 when the budget is spent.
 * @stalled: the previous GETSTATUS was stalled (the L4 ROM does this while
 * busy). @poll_timeout_ms: the latest bwPollTimeout the device reported.
 */
int64_t stdfu_poll_next(struct stdfu_poll *p, uint64_t elapsed_us, bool stalled,
			uint32_t poll_timeout_ms);

/** Parse "spec" or "early". */
int stdfu_poll_policy_parse(const char *name, enum stdfu_poll_policy *out);
const char *stdfu_poll_policy_name(enum stdfu_poll_policy policy);

/* ---- DFU 1.1 requests to an open device (section 6) ------------------------ */

struct stdfu_device;

/**
 * DNLOAD @len bytes as wBlockNum @block (@len 0 ends the download). The
 * device acts on it at the next GETSTATUS. STDFU_ERR_IO on a short transfer.
 */
int stdfu_dfu_dnload(struct stdfu_device *dev, uint16_t block, const uint8_t *data, uint16_t len);
/**
 * UPLOAD up to @len bytes of wBlockNum @block into @data; returns the bytes
 * read (>= 0). A stall is explained by the status it leaves (errVENDOR:
 * STDFU_ERR_PROTECTED).
 */
int stdfu_dfu_upload(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len);
/** GETSTATUS, parsed and checked by stdfu_dfu_status_parse(). */
int stdfu_dfu_get_status(struct stdfu_device *dev, struct stdfu_dfu_status *out);
/** CLRSTATUS: dfuERROR -> dfuIDLE. */
int stdfu_dfu_clear_status(struct stdfu_device *dev);
/** GETSTATE: the bState byte alone (no state change). */
int stdfu_dfu_get_state(struct stdfu_device *dev, uint8_t *state);
/** ABORT: back to dfuIDLE from the idle states of a download or upload. */
int stdfu_dfu_abort(struct stdfu_device *dev);

#ifdef __cplusplus
}
#endif
#endif
