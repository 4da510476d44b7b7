/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/dfuse.h
 * @brief DfuSe commands (ST AN3156 section 6): DNLOAD with wBlockNum 0.
 *
 * Each command is executed by the device when the host sends GETSTATUS:
 * the first reply is dfuDNBUSY, then the host polls (stdfu_poll_*) until
 * dfuDNLOAD-IDLE or dfuERROR. These functions do the whole exchange and map
 * an error status to STDFU_ERR_DFU_STATUS (STDFU_ERR_PROTECTED for errVENDOR).
 */
#ifndef STDFU_DFUSE_H
#define STDFU_DFUSE_H

#include <stddef.h>
#include <stdint.h>

#include <stdfu/device.h>

#ifdef __cplusplus
extern "C" {
#endif

enum stdfu_dfuse_command {
	STDFU_DFUSE_GET_COMMANDS = 0x00,
	STDFU_DFUSE_SET_ADDRESS = 0x21,
	STDFU_DFUSE_ERASE = 0x41,
	STDFU_DFUSE_READ_UNPROTECT = 0x92,
};

int stdfu_dfuse_set_address(struct stdfu_device *dev, uint32_t address);
int stdfu_dfuse_erase_page(struct stdfu_device *dev, uint32_t address);
/** Mass erase: may take far longer than the bwPollTimeout the ROM reports (F405: 8+ s). */
int stdfu_dfuse_mass_erase(struct stdfu_device *dev);
/** Remove read protection: the device mass-erases and resets itself (it disconnects). */
int stdfu_dfuse_read_unprotect(struct stdfu_device *dev);
/** Get Commands (UPLOAD wBlockNum 0): the command bytes the ROM supports. Returns a count. */
int stdfu_dfuse_get_commands(struct stdfu_device *dev, uint8_t *buf, size_t cap);

/** DNLOAD one data block at wBlockNum (>= 2) and wait until it is programmed. */
int stdfu_dfuse_write_block(struct stdfu_device *dev, uint16_t block, const uint8_t *data,
			    uint16_t len);
/** UPLOAD one data block at wBlockNum (>= 2). Returns the bytes read. */
int stdfu_dfuse_read_block(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len);

/** Leave DFU: Set Address @address, zero-length DNLOAD, GETSTATUS (AN3156 6.3.4). */
int stdfu_dfuse_leave(struct stdfu_device *dev, uint32_t address);

#ifdef __cplusplus
}
#endif
#endif
