/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/trigger.h
 * @brief Getting a running application into the ST ROM bootloader and finding it there.
 *
 * The chain: find the application's USB CDC port (libserialport), record its USB
 * port path, send the trigger (stdfu/trigger_protocol.h), then wait for the ROM
 * (0483:df11) to appear on that same port path (libusb hotplug, polling as a
 * fallback). The reverse wait, for the application to come back after a DFU
 * leave, uses the same machinery.
 *
 * Two parts are pure and unit-tested without any device: port selection
 * (stdfu_target_select) and the re-enumeration wait (struct stdfu_wait, fed with
 * bus snapshots and a clock by its caller). The rest does I/O and never prints:
 * progress is reported through a callback.
 */
#ifndef STDFU_TRIGGER_H
#define STDFU_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/error.h>
#include <stdfu/trigger_protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How the application is asked to enter the ROM (--method). */
enum stdfu_trigger_method {
	STDFU_METHOD_BYTE = 0,	/**< the lone trigger byte on the CDC port (default) */
	STDFU_METHOD_TOUCH1200, /**< Arduino 1200-baud touch: open at 1200, drop DTR, close */
	STDFU_METHOD_DETACH,	/**< DFU 1.1 DFU_DETACH on a runtime interface FE/01/01 */
	STDFU_METHOD_NONE,	/**< the board is already in DFU: trigger nothing */
	/** Text commands of firmware without the companion: MicroPython's raw REPL
	 *  and machine.bootloader(), Betaflight's CLI and bl rom, "text:STRING". */
	STDFU_METHOD_MICROPYTHON,
	STDFU_METHOD_BETAFLIGHT,
	STDFU_METHOD_TEXT,
};

/** Parse "byte", "touch1200", "detach", "none", "micropython", "betaflight",
 *  "text:STRING" (STRING is the caller's to pass as opts.text); STDFU_ERR_ARG otherwise. */
int stdfu_trigger_method_parse(const char *s, enum stdfu_trigger_method *out);
/** The --method name of @m. */
const char *stdfu_trigger_method_name(enum stdfu_trigger_method m);

/** Default time (ms) to wait for the ROM (or the application) to appear. */
#define STDFU_TRIGGER_TIMEOUT_DEFAULT_MS 5000u
/** How long a DFU device that appeared on another port is given before we refuse. */
#define STDFU_WAIT_ELSEWHERE_GRACE_MS	 1000u
/** Poll period (ms) when libusb has no hotplug support. */
#define STDFU_WAIT_POLL_MS		 20u

#define STDFU_PATH_MAX	  32 /**< "BUS-P.P.P.P.P.P.P" fits */
#define STDFU_SERIAL_MAX  64
#define STDFU_PORT_MAX	  128
#define STDFU_APP_IDS_MAX 16

struct stdfu_usb_id {
	uint16_t vid;
	uint16_t pid;
};

/** Parse "VID:PID" (hex, e.g. "0483:5740"); STDFU_ERR_ARG with a detail otherwise. */
int stdfu_usb_id_parse(const char *s, struct stdfu_usb_id *out);

/** One USB device as seen on the bus (a snapshot entry). */
struct stdfu_bus_dev {
	uint16_t vid, pid;
	uint8_t bus, address;
	char path[STDFU_PATH_MAX];     /**< "1-2.3"; "" if unknown */
	char serial[STDFU_SERIAL_MAX]; /**< iSerialNumber, "" if not read */
};

/** An application's serial port (a CDC ACM tty of a known application VID:PID). */
struct stdfu_app_port {
	char name[STDFU_PORT_MAX]; /**< "/dev/ttyACM0" */
	uint16_t vid, pid;
	uint8_t bus, address;	       /**< 0 if not a USB port */
	char path[STDFU_PATH_MAX];     /**< USB port path, "" if unknown */
	char serial[STDFU_SERIAL_MAX]; /**< USB iSerialNumber, "" if none */
	char product[64];
};

/** What the user asked for (SELECT options and --app-id). */
struct stdfu_target_select {
	const char *port;		    /**< --port: a serial port named directly, or NULL */
	const char *serial;		    /**< --serial, or NULL */
	const char *usb_path;		    /**< --usb-path, or NULL */
	const struct stdfu_usb_id *app_ids; /**< --app-id list; NULL/0 = the protocol default */
	size_t n_app_ids;
};

enum stdfu_target_kind {
	STDFU_TARGET_APP, /**< an application port: trigger it */
	STDFU_TARGET_DFU, /**< a board already in DFU: use it as is */
};

struct stdfu_target {
	enum stdfu_target_kind kind;
	size_t index; /**< into the app list or the DFU list given to the selector */
};

/**
 * Pure selection over candidate lists. @apps are the serial ports of application
 * VID:PIDs (already filtered by id), @dfus the boards already in DFU. The rule:
 * an application port matching every given selector wins; several -> ambiguous;
 * none -> exactly one DFU board matching the selectors; otherwise no device.
 * With --port, only that port is considered (DFU boards are not). Failures return
 * STDFU_ERR_AMBIGUOUS (the detail lists the candidates and how to pick one) or
 * STDFU_ERR_NO_DEVICE.
 */
int stdfu_target_select(const struct stdfu_app_port *apps, size_t n_apps,
			const struct stdfu_bus_dev *dfus, size_t n_dfus,
			const struct stdfu_target_select *sel, struct stdfu_target *out);

/** True if @vid:@pid is one of @ids (or the protocol default when n_ids is 0). */
bool stdfu_app_id_match(const struct stdfu_usb_id *ids, size_t n_ids, uint16_t vid, uint16_t pid);

/* ---- The re-enumeration wait: a pure state machine ------------------------------ */

enum stdfu_wait_target {
	STDFU_WAIT_FOR_DFU, /**< the application was triggered: wait for the ROM */
	STDFU_WAIT_FOR_APP, /**< the ROM left: wait for the application */
};

#define STDFU_WAIT_BASELINE_MAX 128

struct stdfu_wait {
	/* configuration */
	enum stdfu_wait_target target;
	char path[STDFU_PATH_MAX]; /**< where the device was; "" = unknown (any port) */
	uint8_t bus, address;	   /**< its address before it left (0 = not known) */
	struct stdfu_usb_id app_ids[STDFU_APP_IDS_MAX];
	size_t n_app_ids;
	bool any_port;
	uint64_t start_ms, deadline_ms;
	/* devices present at the start, as bus << 8 | address */
	uint16_t baseline[STDFU_WAIT_BASELINE_MAX];
	size_t n_baseline;
	/* state */
	bool left;
	uint64_t left_ms;
	bool elsewhere;
	uint64_t elsewhere_ms;
	char elsewhere_path[STDFU_PATH_MAX];
};

/** Result of one stdfu_wait_step() besides errors (which are negative). */
#define STDFU_WAIT_PENDING 1

/**
 * Start waiting. @snap is the bus as it is now (the baseline: a DFU board already
 * present elsewhere is not "new"). @timeout_ms 0 means the default.
 */
void stdfu_wait_init(struct stdfu_wait *w, enum stdfu_wait_target target, const char *path,
		     uint8_t bus, uint8_t address, const struct stdfu_usb_id *app_ids,
		     size_t n_app_ids, bool any_port, const struct stdfu_bus_dev *snap, size_t n,
		     uint64_t now_ms, uint32_t timeout_ms);

/**
 * Feed one snapshot of the bus taken at @now_ms. Returns STDFU_WAIT_PENDING,
 * STDFU_OK with *found = the index in @snap of the awaited device, or an error:
 * STDFU_ERR_TIMEOUT (never left: no companion? / left and nothing came back),
 * STDFU_ERR_REFUSED (came back in the mode it left from: the ROM sent it back),
 * STDFU_ERR_ELSEWHERE (it appeared on another port and --any-port was not given).
 * *just_left is set true on the step that first sees the device gone.
 */
int stdfu_wait_step(struct stdfu_wait *w, const struct stdfu_bus_dev *snap, size_t n,
		    uint64_t now_ms, size_t *found, bool *just_left);

/** Milliseconds until the wait must be stepped again at the latest. */
uint64_t stdfu_wait_next_ms(const struct stdfu_wait *w, uint64_t now_ms);

/* ---- I/O: ports, trigger, wait ------------------------------------------------- */

struct stdfu_ctx; /* stdfu/device.h: the libusb context shared with the DFU code */

enum stdfu_trigger_event_kind {
	STDFU_TRIGGER_EV_TARGET,    /**< the port (or DFU board) chosen */
	STDFU_TRIGGER_EV_SENT,	    /**< the trigger went out (step = time to send it) */
	STDFU_TRIGGER_EV_LEFT,	    /**< the application left the bus */
	STDFU_TRIGGER_EV_DFU_FOUND, /**< the ROM is there, on the recorded path */
	STDFU_TRIGGER_EV_APP_BACK,  /**< after leave: the application's port is back */
};

struct stdfu_trigger_event {
	enum stdfu_trigger_event_kind kind;
	enum stdfu_trigger_method method;
	uint64_t elapsed_ms; /**< since the start of the call */
	uint64_t step_ms;    /**< since the previous event */
	bool already_dfu;    /**< TARGET: the board was already in DFU */
	const char *port;    /**< the application port, or "" */
	const char *path;    /**< USB port path, or "" */
	const char *serial;  /**< or "" */
	uint8_t address;     /**< device address (DFU_FOUND / APP_BACK: the new one) */
};

typedef void (*stdfu_trigger_cb)(const struct stdfu_trigger_event *ev, void *user);

struct stdfu_trigger_opts {
	enum stdfu_trigger_method method;
	struct stdfu_target_select sel;
	int trigger_byte;    /**< 0..255, or -1 for STDFU_TRIGGER_BYTE_DEFAULT */
	const char *text;    /**< STDFU_METHOD_TEXT: the command, with C escapes */
	uint32_t timeout_ms; /**< 0 = STDFU_TRIGGER_TIMEOUT_DEFAULT_MS */
	bool any_port;
	/** Never fall back to a board already in DFU: return STDFU_ERR_NO_DEVICE and
	 *  let the caller, which scans DFU devices anyway, select one. */
	bool app_only;
	stdfu_trigger_cb cb;
	void *user;
};

/** Where the board is in DFU mode now. */
struct stdfu_trigger_result {
	bool already_dfu;	       /**< no trigger was needed */
	char port[STDFU_PORT_MAX];     /**< the application port that was triggered */
	char app_path[STDFU_PATH_MAX]; /**< its USB port path */
	uint8_t app_bus, app_address;
	struct stdfu_bus_dev dfu;		/**< the ROM: path, bus, address */
	uint64_t trigger_ms, left_ms, found_ms; /**< durations of each step */
};

/**
 * Take the selected board into DFU mode and return where its ROM is. Method
 * NONE only selects a DFU board. Errors: NO_DEVICE, AMBIGUOUS, BUSY (another
 * program holds the port; the detail names it), ACCESS, TRIGGER (the trigger
 * could not be delivered), TIMEOUT, REFUSED, ELSEWHERE, IO.
 */
int stdfu_trigger_to_dfu(struct stdfu_ctx *ctx, const struct stdfu_trigger_opts *opts,
			 struct stdfu_trigger_result *res);

/**
 * After a leave: wait for the application to come back on @path (the ROM was at
 * @bus/@address) and for its serial port to appear; with @any_port, on any
 * path. On success @out names it. @path should be where the application was
 * before the trigger: the ROM may have enumerated elsewhere (see any_port).
 */
int stdfu_wait_app(struct stdfu_ctx *ctx, const char *path, uint8_t bus, uint8_t address,
		   const struct stdfu_usb_id *app_ids, size_t n_app_ids, bool any_port,
		   uint32_t timeout_ms, stdfu_trigger_cb cb, void *user,
		   struct stdfu_app_port *out);

/**
 * List the application ports of @ids (the default id when n_ids is 0), with their
 * USB port paths. *out is malloc'ed (free() it); returns the count or an error.
 */
int stdfu_app_ports_list(struct stdfu_ctx *ctx, const struct stdfu_usb_id *ids, size_t n_ids,
			 struct stdfu_app_port **out);

/** Describe the serial port @name (whatever its USB id). */
int stdfu_app_port_get(struct stdfu_ctx *ctx, const char *name, struct stdfu_app_port *out);

/** Snapshot of the USB bus: every device with its port path. *out is malloc'ed. */
int stdfu_bus_snapshot(struct stdfu_ctx *ctx, struct stdfu_bus_dev **out, size_t *count);

/**
 * Find the programs other than us that hold the tty @name open. On a hit, writes
 * "comm (pid N)[, comm (pid M)...]" into @who and returns the first pid; 0 if none.
 */
int stdfu_port_holder(const char *name, char *who, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
