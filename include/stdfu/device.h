/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/device.h
 * @brief Finding, selecting and opening ST ROM DFU devices (0483:df11).
 *
 * Devices are identified by their USB port path "BUS-PORT[.PORT...]" (the
 * reliable key: some ROMs report a constant serial) and by serial number.
 */
#ifndef STDFU_DEVICE_H
#define STDFU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/dfu.h>
#include <stdfu/error.h>
#include <stdfu/layout.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STDFU_ST_VID	 0x0483 /**< STMicroelectronics: its applications and its ROM */
#define STDFU_ST_DFU_PID 0xdf11 /**< the ST ROM bootloader in DFU mode */
#define STDFU_MAX_ALTS	 8
#define STDFU_PATH_MAX	 32  /**< "BUS-P.P.P.P.P.P.P" fits */
#define STDFU_SERIAL_MAX 128 /**< a whole USB string descriptor (126 characters) fits */

struct stdfu_ctx;
struct stdfu_device;

struct stdfu_alt {
	uint8_t number;	  /**< bAlternateSetting */
	char string[256]; /**< iInterface string as sent */
	bool layout_ok;	  /**< the string parsed as a DfuSe layout */
	struct stdfu_layout layout;
};

/**
 * One USB device: the record every list, selector and wait works on. A bus
 * snapshot (stdfu_bus_snapshot) fills the identity only (path, bus, address,
 * vid, pid); a DFU scan (stdfu_device_scan) also reads the strings and the
 * DFU interface; an application port (stdfu/trigger.h) carries the serial and
 * product libserialport reports.
 */
struct stdfu_device_info {
	char path[STDFU_PATH_MAX]; /**< USB port path, "1-2.3"; "" if unknown */
	uint8_t bus;
	uint8_t address; /**< device address: changes on every re-enumeration */
	uint16_t vid, pid, bcd_device;
	char serial[STDFU_SERIAL_MAX]; /**< iSerialNumber, "" if not read */
	char product[128];
	bool access_denied; /**< opening it failed with EACCES: strings unknown */
	uint8_t interface;  /**< bInterfaceNumber of the DFU interface */
	size_t n_alts;
	struct stdfu_alt alts[STDFU_MAX_ALTS];
	bool functional_ok;
	struct stdfu_dfu_functional functional;
};

struct stdfu_device_list {
	size_t count;
	struct stdfu_device_info *items;
};

struct stdfu_usb_id {
	uint16_t vid;
	uint16_t pid;
};

/** Parse "VID:PID" (hex, e.g. "0483:5740"); STDFU_ERR_ARG with a detail otherwise. */
int stdfu_usb_id_parse(const char *s, struct stdfu_usb_id *out);

/**
 * What the user asked for: the one selector of the library. NULL fields match
 * anything. serial and usb_path pick a device (stdfu_device_matches); port and
 * app_ids only say where to look for a running application (stdfu/target.h).
 */
struct stdfu_selector {
	const char *serial; /**< --serial */
	/** Also accepted in place of serial: the same board's serial in its other mode
	 *  (an application and its ROM may report different serials). */
	const char *other_serial;
	const char *usb_path;		    /**< --usb-path */
	const char *port;		    /**< --port: a serial port named directly */
	const struct stdfu_usb_id *app_ids; /**< --app-id list; NULL/0 = the protocol default */
	size_t n_app_ids;
};

int stdfu_ctx_new(struct stdfu_ctx **out);
void stdfu_ctx_free(struct stdfu_ctx *ctx);

/**
 * Verbose reports of what goes over the wire, through a callback (the
 * library never prints). Level STDFU_LOG_REQUEST reports every DFU class
 * request with the state and status of each GETSTATUS reply; level
 * STDFU_LOG_TRANSFER reports every control transfer, standard ones included,
 * with its setup packet and the first bytes of its data stage.
 */
enum stdfu_log_level {
	STDFU_LOG_OFF = 0,
	STDFU_LOG_REQUEST = 1,
	STDFU_LOG_TRANSFER = 2,
};

struct stdfu_log_event {
	enum stdfu_log_level level; /**< the lowest level that reports it */
	const char *path;	    /**< USB port path of the device, or "" */
	uint8_t request_type, request;
	uint16_t value, index, length;
	int result;	     /**< bytes transferred, or a negative libusb error */
	const char *name;    /**< "DNLOAD", "GETSTATUS", "GET_DESCRIPTOR"... */
	int state, status;   /**< GETSTATUS reply (DFU 1.1 6.1.2), else -1 */
	uint32_t poll_ms;    /**< GETSTATUS bwPollTimeout */
	uint64_t us;	     /**< duration of the transfer */
	const uint8_t *data; /**< the data stage (result bytes when > 0) */
};

typedef void (*stdfu_log_fn)(const struct stdfu_log_event *ev, void *user);

/** Report transfers of @ctx up to @level to @fn (NULL or STDFU_LOG_OFF: none). */
void stdfu_ctx_set_log(struct stdfu_ctx *ctx, enum stdfu_log_level level, stdfu_log_fn fn,
		       void *user);

/** Every control transfer sent through @ctx so far (scans included). */
uint64_t stdfu_ctx_transfers(const struct stdfu_ctx *ctx);

/** List every ST DFU device on the bus. An empty list is not an error. */
int stdfu_device_scan(struct stdfu_ctx *ctx, struct stdfu_device_list **out);
void stdfu_device_list_free(struct stdfu_device_list *list);

/**
 * Every USB device on the bus, whatever its id, with its port path: the
 * identity fields only (no string is read, no transfer is made).
 */
int stdfu_bus_snapshot(struct stdfu_ctx *ctx, struct stdfu_device_list **out);

/**
 * Pick one device from @list. STDFU_ERR_NO_DEVICE if none matches,
 * STDFU_ERR_AMBIGUOUS if several do (the detail lists them; a caller that wants
 * them one by one walks @list with stdfu_device_matches()). On success *index
 * is the match.
 */
int stdfu_device_select(const struct stdfu_device_list *list, const struct stdfu_selector *sel,
			size_t *index);
/** The one matcher: @info has the selector's serial and USB port path (NULL matches). */
bool stdfu_device_matches(const struct stdfu_device_info *info, const struct stdfu_selector *sel);

/** Check "BUS-PORT[.PORT...]" syntax (1..7 ports, numbers 1..255). */
bool stdfu_usb_path_valid(const char *path);

/** Open and claim the DFU interface. STDFU_ERR_ACCESS, STDFU_ERR_BUSY, STDFU_ERR_GONE... */
int stdfu_device_open(struct stdfu_ctx *ctx, const struct stdfu_device_info *info,
		      struct stdfu_device **out);
void stdfu_device_close(struct stdfu_device *dev);
const struct stdfu_device_info *stdfu_device_get_info(const struct stdfu_device *dev);

/** The alt named "Internal Flash" (else alt 0); NULL if the device has no usable alt. */
const struct stdfu_alt *stdfu_device_flash_alt(const struct stdfu_device_info *info);

/** Select an alt setting (SET_INTERFACE), only when it is not the current one. */
int stdfu_device_set_alt(struct stdfu_device *dev, uint8_t alt);

/** Poll policy used by every operation on @dev (default STDFU_POLL_EARLY). */
void stdfu_device_set_poll_policy(struct stdfu_device *dev, enum stdfu_poll_policy policy);

/** Control transfers sent to @dev since it was opened. */
uint64_t stdfu_device_transfers(const struct stdfu_device *dev);

/**
 * Wait until the device instance @info (bus + address at @info->path) is no
 * longer on the bus: STDFU_OK, or STDFU_ERR_TIMEOUT after @timeout_ms.
 */
int stdfu_device_wait_gone(struct stdfu_ctx *ctx, const struct stdfu_device_info *info,
			   unsigned timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
