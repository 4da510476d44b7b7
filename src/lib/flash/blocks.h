/* SPDX-License-Identifier: MIT */
/*
 * The block loop shared by write, read and verify: one Set Address per run
 * of at most 65534 blocks (wBlockNum 2..65535, AN3156 6.3.3), then one
 * DNLOAD or UPLOAD of wTransferSize bytes per block.
 */
#ifndef STDFU_FLASH_BLOCKS_H
#define STDFU_FLASH_BLOCKS_H

#include <stdint.h>

#include "flash/op.h"

enum blocks_mode {
	BLOCKS_WRITE,  /* DNLOAD @data */
	BLOCKS_READ,   /* UPLOAD into @out */
	BLOCKS_VERIFY, /* UPLOAD and compare with @data (STDFU_ERR_VERIFY names the address) */
};

/* One pass over [address, address + size) of the selected alt; progress per block. */
int stdfu__blocks(struct op *op, enum blocks_mode mode, uint32_t address, uint32_t size,
		  const uint8_t *data, uint8_t *out);
/* UPLOAD @len bytes of @block (placed at @address) into @dst: exactly @len,
 * or a protocol error; compared with @want when given. */
int stdfu__read_block(struct op *op, uint16_t block, uint32_t address, uint8_t *dst,
		      const uint8_t *want, uint16_t len);
/* Once per operation, before its first run of blocks (@size bytes): refuse a
 * wTransferSize other than the one the ROM places and takes blocks by. */
int stdfu__check_transfer_size(struct op *op, uint64_t size);

#endif
