/* SPDX-License-Identifier: MIT */
/* The per-family option-byte tables (ob_*.c) and the helpers they share. */
#ifndef STDFU_CHIP_OB_TABLES_H
#define STDFU_CHIP_OB_TABLES_H

#include <stdfu/optbytes.h>

/* A one-bit field with the meaning of 0 and of 1. */
#define OB_BIT(nm, off, sh, kd, what, v0, v1, rf)                                                 \
	{                                                                                         \
		.name = nm, .offset = off, .shift = sh, .width = 1, .kind = kd, .meaning = what,  \
		.values = (const struct stdfu_ob_value[]){{0, v0, 0}, {1, v1, 0}}, .n_values = 2, \
		.ref = rf                                                                         \
	}
/* A field of any value of its width. */
#define OB_ANY(nm, off, sh, w, kd, what, rf)                                                     \
	{                                                                                        \
		.name = nm, .offset = off, .shift = sh, .width = w, .kind = kd, .meaning = what, \
		.ref = rf                                                                        \
	}

/* RDP (every family but F1): 0xAA level 0, 0xCC level 2, anything else level 1. */
extern const struct stdfu_ob_value stdfu__ob_rdp_values[2];
#define OB_RDP(off, sh, rf)                                                                        \
	{                                                                                          \
		.name = "RDP", .offset = off, .shift = sh, .width = 8, .kind = STDFU_OB_RDP,       \
		.meaning = "read protection level", .values = stdfu__ob_rdp_values, .n_values = 2, \
		.other = "level 1: the ROM refuses to read, write or erase the flash; "            \
			 "going back to level 0 mass-erases it",                                   \
		.ref = rf                                                                          \
	}

/* The value of the field named @name in @image (0xFFFFFFFF if there is none). */
uint32_t stdfu__ob_get(const struct stdfu_ob_family *fam, const uint8_t *image, size_t len,
		       const char *name);

/*
 * F7 and H7: BOOT0 high boots the address BOOT_ADD1 << @shift. NULL if the field
 * is @sysmem (the system memory's), else why it is a ROM lockout, written to @why.
 */
const char *stdfu__ob_boot_add1_lockout(const struct stdfu_ob_family *fam, const uint8_t *image,
					size_t len, uint32_t sysmem, unsigned shift, char *why,
					size_t cap);

extern const struct stdfu_ob_family stdfu__ob_f0, stdfu__ob_f3, stdfu__ob_f4, stdfu__ob_f7;
extern const struct stdfu_ob_family stdfu__ob_l4, stdfu__ob_g0, stdfu__ob_g4;
extern const struct stdfu_ob_family stdfu__ob_h7, stdfu__ob_u5;

#endif
