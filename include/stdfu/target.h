/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/target.h
 * @brief From "a board, wherever it is" to an open DFU session, and back.
 *
 * stdfu_target_open() takes a board that runs its application (any trigger
 * method) or that is already in DFU mode: it chooses the board with the
 * selector, sends the trigger, follows the board to the ST ROM bootloader
 * (0483:df11) on the same USB port path, then selects and opens the ROM.
 * stdfu_target_wait_app() is the return trip after a DFU leave: it waits for
 * the application's serial port to come back.
 *
 * The rule that chooses the board (stdfu_target_choose) is pure and
 * unit-tested. The rest does I/O and never prints: progress goes to the
 * callback of struct stdfu_target_opts.
 *
 * Typical use:
 *   stdfu_ctx_new -> stdfu_target_open -> stdfu_image_load -> stdfu_flash
 *   -> stdfu_device_close -> stdfu_target_wait_app -> stdfu_ctx_free
 */
#ifndef STDFU_TARGET_H
#define STDFU_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
#include <stdfu/error.h>
#include <stdfu/trigger.h>

#ifdef __cplusplus
extern "C" {
#endif

enum stdfu_target_kind {
	STDFU_TARGET_APP, /**< an application port: trigger it */
	STDFU_TARGET_DFU, /**< a board already in DFU: use it as is */
};

struct stdfu_target {
	enum stdfu_target_kind kind;
	size_t index; /**< into the application ports or the DFU list */
};

/**
 * The rule, pure. @apps are the serial ports of application VID:PIDs (already
 * filtered by id), @dfus the boards already in DFU (NULL: not looked at yet).
 * An application port matching every given selector wins; several ->
 * ambiguous; none -> exactly one DFU board matching the selector
 * (stdfu_device_select); otherwise no device. With sel->port only that port is
 * considered (never a DFU board). Failures: STDFU_ERR_AMBIGUOUS (the detail
 * lists the candidates and how to pick one) or STDFU_ERR_NO_DEVICE.
 */
int stdfu_target_choose(const struct stdfu_app_port *apps, size_t n_apps,
			const struct stdfu_device_list *dfus, const struct stdfu_selector *sel,
			struct stdfu_target *out);

enum stdfu_target_event_kind {
	STDFU_TARGET_EV_CHOSEN,	   /**< the application port (or DFU board) chosen */
	STDFU_TARGET_EV_SENT,	   /**< the trigger went out (step = time to send it) */
	STDFU_TARGET_EV_LEFT,	   /**< the application left the bus */
	STDFU_TARGET_EV_DFU_FOUND, /**< the ROM is there, on the recorded path */
	STDFU_TARGET_EV_APP_BACK,  /**< after leave: the application's port is back */
	STDFU_TARGET_EV_NO_APP,	   /**< no application port: looking for a board in DFU */
	STDFU_TARGET_EV_CANDIDATE, /**< ambiguous: one of the matching DFU boards (dev) */
	STDFU_TARGET_EV_WAITING,   /**< no board: waiting up to appear_ms for one (once) */
};

struct stdfu_target_event {
	enum stdfu_target_event_kind kind;
	enum stdfu_trigger_method method;
	uint64_t elapsed_ms; /**< since the start of the call */
	uint64_t step_ms;    /**< since the previous event */
	bool already_dfu;    /**< CHOSEN: the board was already in DFU */
	const char *port;    /**< the application port, or "" */
	const char *path;    /**< USB port path, or "" */
	const char *serial;  /**< or "" */
	uint8_t address;     /**< device address (DFU_FOUND / APP_BACK: the new one) */
	const struct stdfu_device_info *dev; /**< the device it is about; NULL for NO_APP */
};

typedef void (*stdfu_target_cb)(const struct stdfu_target_event *ev, void *user);

struct stdfu_target_opts {
	enum stdfu_trigger_method method; /**< STDFU_METHOD_NONE: the board is in DFU */
	struct stdfu_selector sel;
	int trigger_byte;    /**< 0..255, or -1 for STDFU_TRIGGER_BYTE_DEFAULT */
	const char *text;    /**< STDFU_METHOD_TEXT: the command, with C escapes */
	uint32_t timeout_ms; /**< 0 = STDFU_TRIGGER_TIMEOUT_DEFAULT_MS */
	bool any_port;	     /**< accept the ROM (or the application) on another port path */
	/** No matching board at all: look again until one appears, for at most this
	 *  long (a board re-enumerating after a leave, or being plugged in). 0: fail
	 *  at once. */
	uint32_t appear_ms;
	stdfu_target_cb cb; /**< progress; may be NULL */
	void *user;
};

/** What happened on the way, and where the board is. */
/** How often a missing board is looked for again (opts->appear_ms). */
#define STDFU_APPEAR_POLL_MS 50u

struct stdfu_target_report {
	bool triggered;		      /**< a trigger was sent (else: it was already in DFU) */
	struct stdfu_app_port app;    /**< triggered: the application port, as it was */
	struct stdfu_device_info dfu; /**< the ROM: found (identity), then opened (all) */
	uint64_t trigger_ms, left_ms, found_ms; /**< durations of each step */
	bool app_back;				/**< stdfu_target_wait_app() succeeded */
	struct stdfu_app_port back;		/**< the application port that came back */
	uint64_t app_back_ms;
};

/**
 * Take the chosen board into DFU mode and say where its ROM is (report->dfu),
 * without opening it. With opts->appear_ms, a missing board is looked for
 * again (every STDFU_APPEAR_POLL_MS) until it appears or the time is up.
 * Errors: NO_DEVICE, AMBIGUOUS, BUSY (another program holds
 * the port; the detail names it), ACCESS, TRIGGER (the trigger could not be
 * delivered), TIMEOUT, REFUSED, ELSEWHERE, IO.
 */
int stdfu_target_find(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
		      struct stdfu_target_report *report);

/**
 * stdfu_target_find(), then select the ROM on its port path and open it
 * (stdfu_device_open). On success *dev is open and report->dfu describes it.
 */
int stdfu_target_open(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
		      struct stdfu_device **dev, struct stdfu_target_report *report);

/**
 * After a leave (the device closed): wait for the application to come back and
 * for its serial port to appear, on the port path it had before the trigger
 * (the ROM's, when the board was already in DFU), or anywhere with
 * opts->any_port. Fills report->back, app_back and app_back_ms.
 */
int stdfu_target_wait_app(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
			  struct stdfu_target_report *report);

#ifdef __cplusplus
}
#endif
#endif
