/* SPDX-License-Identifier: MIT */
/*
 * Little-endian fields: USB descriptors and requests (USB 2.0 section 8.1),
 * the DFU suffix, DfuSe files and ELF32 for ARM are all little-endian.
 */
#ifndef STDFU_COMMON_LE_H
#define STDFU_COMMON_LE_H

#include <stdint.h>

static inline uint16_t le_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le_get24(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static inline uint32_t le_get32(const uint8_t *p)
{
	return le_get24(p) | (uint32_t)p[3] << 24;
}

static inline void le_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le_put32(uint8_t *p, uint32_t v)
{
	le_put16(p, (uint16_t)v);
	le_put16(p + 2, (uint16_t)(v >> 16));
}

#endif
