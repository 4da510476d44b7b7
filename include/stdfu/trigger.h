/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/trigger.h
 * @brief The pieces of the trip from a running application to the ST ROM bootloader.
 *
 * The trigger methods (stdfu/trigger_protocol.h holds their values), the
 * application's USB CDC ports (libserialport) with their USB port paths, and
 * the re-enumeration wait that follows a board from one mode to the other on
 * the same port path. stdfu/target.h puts them together: choose, trigger,
 * follow, open (stdfu_target_open), and back (stdfu_target_wait_app).
 *
 * The re-enumeration wait (struct stdfu_wait, fed with bus snapshots from
 * stdfu_bus_snapshot() and a clock by its caller) is pure and unit-tested
 * without any device.
 */
#ifndef STDFU_TRIGGER_H
#define STDFU_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
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

#define STDFU_PORT_MAX	  128
#define STDFU_APP_IDS_MAX 16

/**
 * An application's serial port (a CDC ACM tty of a known application VID:PID)
 * and the USB device behind it. dev.bus is 0 when the port is not a USB device
 * libusb can see; dev.path is "" when the port path is unknown.
 */
struct stdfu_app_port {
	char name[STDFU_PORT_MAX]; /**< "/dev/ttyACM0" */
	struct stdfu_device_info dev;
};

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
		     size_t n_app_ids, bool any_port, const struct stdfu_device_info *snap,
		     size_t n, uint64_t now_ms, uint32_t timeout_ms);

/**
 * Feed one snapshot of the bus taken at @now_ms. Returns STDFU_WAIT_PENDING,
 * STDFU_OK with *found = the index in @snap of the awaited device, or an error:
 * STDFU_ERR_TIMEOUT (never left: no companion? / left and nothing came back),
 * STDFU_ERR_REFUSED (came back in the mode it left from: the ROM sent it back),
 * STDFU_ERR_ELSEWHERE (it appeared on another port and --any-port was not given).
 * *just_left is set true on the step that first sees the device gone.
 */
int stdfu_wait_step(struct stdfu_wait *w, const struct stdfu_device_info *snap, size_t n,
		    uint64_t now_ms, size_t *found, bool *just_left);

/** Milliseconds until the wait must be stepped again at the latest. */
uint64_t stdfu_wait_next_ms(const struct stdfu_wait *w, uint64_t now_ms);

/* ---- I/O: application ports --------------------------------------------------- */

/**
 * List the application ports of @ids (the default id when n_ids is 0), with their
 * USB port paths. *out is malloc'ed (free() it); returns the count or an error.
 */
int stdfu_app_ports_list(struct stdfu_ctx *ctx, const struct stdfu_usb_id *ids, size_t n_ids,
			 struct stdfu_app_port **out);

/** Describe the serial port @name (whatever its USB id). */
int stdfu_app_port_get(struct stdfu_ctx *ctx, const char *name, struct stdfu_app_port *out);

/**
 * Find the programs other than us that hold the tty @name open. On a hit, writes
 * "comm (pid N)[, comm (pid M)...]" into @who and returns the first pid; 0 if none.
 */
int stdfu_port_holder(const char *name, char *who, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
