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

/** Forget the last failure detail (and cause) on this thread. */
void stdfu_error_clear(void);

/**
 * What the library found when it failed: the situation, machine-readable,
 * so that a program chooses its advice by what happened rather than by the
 * error class alone. Each field is -1 (or "" / STDFU_CAUSE_NONE) when unknown.
 */
enum stdfu_cause_kind {
	STDFU_CAUSE_NONE = 0,	       /**< nothing more than the code */
	STDFU_CAUSE_USB_INIT,	       /**< libusb could not start (no USB on this host) */
	STDFU_CAUSE_PORT_HELD,	       /**< found = the program(s) holding the serial port */
	STDFU_CAUSE_PORT_EXCL,	       /**< the port is in exclusive use; the holder is unknown */
	STDFU_CAUSE_IFACE_CLAIMED,     /**< the DFU interface is claimed by another program */
	STDFU_CAUSE_NO_BOARD,	       /**< no application port and no DFU board at all */
	STDFU_CAUSE_NO_MATCH,	       /**< boards are there, none matches; found = what there is */
	STDFU_CAUSE_APP_NOT_TRIGGERED, /**< found = an application port left alone (--method none)
					*/
	STDFU_CAUSE_DEVICE_STATUS,     /**< the device reported state/status (DFU 1.1 6.1.2) */
	STDFU_CAUSE_NOT_DFU_MODE,      /**< the device answered in appIDLE/appDETACH */
	STDFU_CAUSE_NO_REACTION,       /**< the trigger went out and the application stayed */
	STDFU_CAUSE_BACK_IN_APP,       /**< the board came back as the application, not the ROM */
	STDFU_CAUSE_PORT_DENIED, /**< the serial port (found) may not be opened by this user */
	STDFU_CAUSE_LEAVE_HUNG,	 /**< the ROM stopped answering after the leave, on the bus */
};

struct stdfu_cause {
	enum stdfu_cause_kind kind;
	int phase;   /**< enum stdfu_phase of the operation that failed, or -1 */
	int request; /**< enum stdfu_dfu_request being answered, or -1 */
	int state;   /**< bState the device reported, or -1 */
	int status;  /**< bStatus the device reported, or -1 */
	char found[160];
};

/** Stable machine name of a cause kind ("port-held"...), used in JSON. */
const char *stdfu_cause_name(enum stdfu_cause_kind kind);

/** The cause of the last failure on this thread (kind NONE if none was recorded). */
const struct stdfu_cause *stdfu_error_cause(void);

#ifdef __cplusplus
}
#endif
#endif
