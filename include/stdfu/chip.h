/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/chip.h
 * @brief Which STM32 a ROM bootloader belongs to, what it will say about
 *        itself (unique ID, flash size, read protection, option bytes), and
 *        the option-byte write that production needs (read protection).
 *
 * stdfu_chip_identify() is pure: it works from the USB descriptors and the
 * alt strings alone (the ROM lets no DBGMCU IDCODE be read, see below).
 * stdfu_chip_probe() reads what the ROM allows (option bytes, RDP).
 * stdfu_optbytes_write() writes an option-byte image through the option-byte
 * alt; the ROM resets (AN3156 §6.3.3), and the call follows the board on its
 * USB port path and reads the image back. stdfu_protect() is that write with
 * RDP set to level 1.
 *
 * What the ROM does not let a host read is reported with its reason, never
 * guessed: each *_reason string says why a field is missing.
 */
#ifndef STDFU_CHIP_H
#define STDFU_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>
#include <stdfu/optbytes.h>
#include <stdfu/target.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STDFU_OB_MAX 512 /**< largest option-byte image handled */

/** What the descriptors say, with the family's fixed facts. */
struct stdfu_chip_id {
	enum stdfu_family family;
	char part[48];		/**< "STM32F405/407/415/417", or "" */
	const char *basis;	/**< what the identification rests on */
	uint16_t bcd_device;	/**< the ROM version as USB reports it */
	uint16_t transfer_size; /**< wTransferSize */
	uint32_t flash_size;	/**< bytes, from the flash alt's layout; 0 unknown */
	/** Flash-size register address (RM), 0 unknown. */
	uint32_t flash_size_reg;
	/** 96-bit unique ID address (RM), 0 unknown. */
	uint32_t uid_address;
	/** DBGMCU_IDCODE address, 0 unknown, and why it is not read. */
	uint32_t idcode_address;
	const char *idcode_reason;
	const struct stdfu_ob_family *ob; /**< NULL: no option-byte table */
	int ob_alt;			  /**< alt setting that reaches them, -1 none */
};

/** From the descriptors of @info alone. Always succeeds (family may be UNKNOWN). */
void stdfu_chip_identify(const struct stdfu_device_info *info, struct stdfu_chip_id *out);

/** What an open ROM tells about the chip. */
struct stdfu_chip_info {
	struct stdfu_chip_id id;
	/** RDP level 0/1, -1 unknown; and how it was found. */
	int rdp_level;
	const char *rdp_source;
	bool uid_ok;
	uint8_t uid[12];
	const char *uid_reason; /**< when !uid_ok */
	/** The flash-size register (KiB) where an alt maps it; else the reason. */
	bool flash_reg_ok;
	uint32_t flash_reg_kib;
	const char *flash_reg_reason;
	bool ob_ok;
	uint8_t ob[STDFU_OB_MAX];
	size_t ob_len;
	const char *ob_reason; /**< when !ob_ok */
};

/**
 * Identify, then read the option bytes (RDP, boot bits) and the UID where the
 * ROM allows it. A read the ROM refuses (errVENDOR under RDP level 1) is not
 * a failure: it is reported in the reasons, and rdp_level says 1. Errors:
 * only transport failures (IO, GONE, TIMEOUT...).
 */
int stdfu_chip_probe(struct stdfu_device *dev, struct stdfu_chip_info *out);

/** Progress of an option-byte write (for the caller's output). */
enum stdfu_ob_step {
	STDFU_OB_STEP_WRITTEN, /**< the ROM took the image and is resetting */
	STDFU_OB_STEP_GONE,    /**< it left the bus */
	STDFU_OB_STEP_BACK,    /**< the board is back on its port path (ROM or application) */
	STDFU_OB_STEP_CONFIRMED,
};

struct stdfu_ob_write_opts {
	/** How to reach the board after the reset: the caller's target
	 *  options (an application that comes back is triggered again). */
	struct stdfu_target_opts target;
	unsigned timeout_ms; /**< for each wait; 0 = 10000 */
	void (*on_step)(enum stdfu_ob_step step, const struct stdfu_device_info *dev, void *user);
	void *user;
};

/**
 * Write @image (@len bytes, the whole family image) to the option bytes of
 * *dev, follow the reset and read the image back. On return *dev is the
 * re-opened ROM (the old handle is closed), or NULL on failure. Errors:
 * PROTECTED (the ROM refused under RDP 1), GONE/TIMEOUT (the board did not
 * come back on its port path: with a boot setting that keeps the ROM from
 * running this is the expected outcome), VERIFY (the read-back differs; the
 * detail names the first differing byte), UNSUPPORTED (no option-byte table
 * or alt).
 *
 * After an RDP level 1 write the read-back is refused by design: the
 * confirmation is then that the ROM refuses a read with errVENDOR.
 */
int stdfu_optbytes_write(struct stdfu_ctx *ctx, struct stdfu_device **dev, const uint8_t *image,
			 size_t len, const struct stdfu_ob_write_opts *opts,
			 struct stdfu_chip_info *after);

/**
 * Production read protection: read the option bytes, set RDP to level 1
 * (0xBB), write, follow, and confirm that the ROM now reports level 1.
 * The same call for `stdfu flash --protect` and a factory station.
 */
int stdfu_protect(struct stdfu_ctx *ctx, struct stdfu_device **dev,
		  const struct stdfu_ob_write_opts *opts, struct stdfu_chip_info *after);

#ifdef __cplusplus
}
#endif
#endif
