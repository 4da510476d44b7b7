/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/error.h
 * @brief Error codes and the last-error detail of libstdfu.
 *
 * Return convention (as in libserialport): every function that can fail
 * returns an int, STDFU_OK (0) on success or a negative enum stdfu_err.
 * Functions that return a count return it as a non-negative int.
 *
 * The code says what class of failure it was; the detail string says what
 * exactly (file, line, offset, address, DFU status) and, where the library
 * knows, what to do next. The detail is per thread and is overwritten by the
 * next failing call on that thread (libgit2's git_error_last() model).
 */
#ifndef STDFU_ERROR_H
#define STDFU_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum stdfu_err {
	STDFU_OK = 0,
	STDFU_ERR_ARG = -1,	     /**< invalid argument (a caller bug or bad usage) */
	STDFU_ERR_NOMEM = -2,	     /**< out of memory */
	STDFU_ERR_IO = -3,	     /**< USB or serial I/O error */
	STDFU_ERR_NO_DEVICE = -4,    /**< no matching device */
	STDFU_ERR_AMBIGUOUS = -5,    /**< several devices match and none was selected */
	STDFU_ERR_ACCESS = -6,	     /**< permission denied opening the device */
	STDFU_ERR_BUSY = -7,	     /**< interface or port held by another program */
	STDFU_ERR_TIMEOUT = -8,	     /**< the device did not answer or appear in time */
	STDFU_ERR_IMAGE = -9,	     /**< malformed or unreadable firmware image */
	STDFU_ERR_FIT = -10,	     /**< image does not fit, or hits memory that is not writable */
	STDFU_ERR_DFU_STATUS = -11,  /**< the device reported a DFU error status */
	STDFU_ERR_VERIFY = -12,	     /**< read-back differs from the image */
	STDFU_ERR_PROTOCOL = -13,    /**< the device broke the protocol (bad descriptor, state) */
	STDFU_ERR_PROTECTED = -14,   /**< read protection active (errVENDOR) */
	STDFU_ERR_GONE = -15,	     /**< the device disconnected part-way */
	STDFU_ERR_FILE = -16,	     /**< a host file could not be read or written */
	STDFU_ERR_UNSUPPORTED = -17, /**< the device or file asks for something not supported */
	STDFU_ERR_MISMATCH = -18,    /**< file made for another device (DFU suffix VID/PID) */
	STDFU_ERR_TRIGGER = -19,     /**< the trigger was sent but the device did not react */
	STDFU_ERR_REFUSED = -20,     /**< the device came back in the wrong mode or place */
	STDFU_ERR_ELSEWHERE = -21,   /**< DFU appeared on another USB port path than the board's */
	STDFU_ERR_ADDRESS = -22,     /**< the image or request starts outside the device memory */
	STDFU_ERR_CANCELLED = -23,   /**< stdfu_ctx_cancel() stopped it at a safe point */
	STDFU_ERR_RESTARTED = -24,   /**< the board was finishing an earlier leave and restarted */
};

/** Short, static, human name of an error code ("USB I/O error"). */
const char *stdfu_strerror(int err);

/** Stable machine name of an error code ("io", "no-device"), used in JSON. */
const char *stdfu_error_name(int err);

/** Detail of the last failure on this thread, or "" if none was recorded. */
const char *stdfu_error_detail(void);

/** Forget the last failure detail on this thread. */
void stdfu_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
