/* SPDX-License-Identifier: MIT */
/* A read that skips stdfu_read()'s check against the alt's memory map. */
#ifndef STDFU_FLASH_READ_UNMAPPED_H
#define STDFU_FLASH_READ_UNMAPPED_H

#include <stdint.h>

#include <stdfu/flash.h>

/* For memory the ROM reads but does not list (option bytes via the flash alt). */
int stdfu__read_unmapped(struct stdfu_device *dev, uint8_t alt, uint32_t address, uint32_t length,
			 uint8_t *buf, struct stdfu_result *res);

#endif
