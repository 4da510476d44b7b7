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

#define STDFU_ST_VID	 0x0483
#define STDFU_ST_DFU_PID 0xdf11
#define STDFU_MAX_ALTS	 8

struct stdfu_ctx;
struct stdfu_device;

struct stdfu_alt {
	uint8_t number;	  /**< bAlternateSetting */
	char string[256]; /**< iInterface string as sent */
	bool layout_ok;	  /**< the string parsed as a DfuSe layout */
	struct stdfu_layout layout;
};

struct stdfu_device_info {
	char path[32]; /**< USB port path, "1-2.3" */
	uint8_t bus;
	uint8_t address; /**< device address: changes on every re-enumeration */
	uint16_t vid, pid, bcd_device;
	char serial[128];
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

/** What the user asked for; NULL fields match anything. */
struct stdfu_selector {
	const char *serial;
	const char *usb_path;
};

int stdfu_ctx_new(struct stdfu_ctx **out);
void stdfu_ctx_free(struct stdfu_ctx *ctx);

/** Every control transfer sent through @ctx so far (scans included). */
uint64_t stdfu_ctx_transfers(const struct stdfu_ctx *ctx);

/** List every ST DFU device on the bus. An empty list is not an error. */
int stdfu_device_scan(struct stdfu_ctx *ctx, struct stdfu_device_list **out);
void stdfu_device_list_free(struct stdfu_device_list *list);

/**
 * Pick one device from @list. STDFU_ERR_NO_DEVICE if none matches,
 * STDFU_ERR_AMBIGUOUS if several do (the caller lists @list's matches with
 * stdfu_device_matches()). On success *index is the match.
 */
int stdfu_device_select(const struct stdfu_device_list *list, const struct stdfu_selector *sel,
			size_t *index);
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
