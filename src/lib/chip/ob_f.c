/* SPDX-License-Identifier: MIT */
/*
 * Option bytes of the F0, F3, F4 and F7 families, as their ROM bootloaders
 * return them through the "@Option Bytes" alt.
 *  F0: RM0091 §4.1 (option byte organisation) and §4.1.1 (user byte).
 *  F3: RM0316 §4.1.
 *  F4: RM0090 §3.7.1 (Table 16, F405/407/415/417) and §3.9.10 (FLASH_OPTCR).
 *  F7: RM0385 §3.4.1 (F74x/F75x) and RM0431 §3.4.1 (F72x/F73x). The memory
 *      image is not in any public ROM dump; the word positions below follow
 *      the RM's option-byte table as stdfu reads it (USER/RDP at 0x1FFF0000,
 *      nWRP at +8, BOOT_ADD0 at +0x10, BOOT_ADD1 at +0x18) and are unverified
 *      against a real F7 ROM.
 */

#include "chip/ob_tables.h"

#define U STDFU_OB_USER
#define B STDFU_OB_BOOT
#define W STDFU_OB_WRP

/* ---- F0 / F3: each byte followed by its complement ------------------------ */

#define F0_RM "RM0091 §4.1"
#define F3_RM "RM0316 §4.1"

#define F_COMMON(rm)                                                                             \
	OB_RDP(0, 0, rm),                                                                        \
		OB_BIT("WDG_SW", 0, 16, U, "watchdog", "hardware watchdog", "software watchdog", \
		       rm),                                                                      \
		OB_BIT("nRST_STOP", 0, 17, U, "reset on Stop entry", "reset generated",          \
		       "no reset", rm),                                                          \
		OB_BIT("nRST_STDBY", 0, 18, U, "reset on Standby entry", "reset generated",      \
		       "no reset", rm),                                                          \
		OB_BIT("nBOOT1", 0, 20, B, "with BOOT0 high: what boots",                        \
		       "embedded SRAM (the ROM bootloader does not run)", "system memory (ROM)", \
		       rm),                                                                      \
		OB_BIT("VDDA_MONITOR", 0, 21, U, "VDDA power supply supervisor", "disabled",     \
		       "enabled", rm),                                                           \
		OB_ANY("DATA0", 4, 0, 8, U, "user data byte 0", rm),                             \
		OB_ANY("DATA1", 4, 16, 8, U, "user data byte 1", rm),                            \
		OB_ANY("WRP0", 8, 0, 8, W,                                                       \
		       "write protection, bit n clear: page group n protected", rm),             \
		OB_ANY("WRP1", 8, 16, 8, W, "write protection of the next 8 page groups", rm),   \
		OB_ANY("WRP2", 12, 0, 8, W, "write protection of the next 8 page groups", rm),   \
		OB_ANY("WRP3", 12, 16, 8, W, "write protection of the last page groups", rm)

static const struct stdfu_ob_field f0_fields[] = {
	F_COMMON(F0_RM),
	OB_BIT("nBOOT0", 0, 19, B, "BOOT0 value when BOOT_SEL is 0 (F04x/F09x only)", "BOOT0 = 1",
	       "BOOT0 = 0", F0_RM),
	OB_BIT("RAM_PARITY_CHECK", 0, 22, U, "SRAM parity check", "enabled", "disabled", F0_RM),
	OB_BIT("BOOT_SEL", 0, 23, B, "where BOOT0 comes from (F04x/F09x only)",
	       "the nBOOT0 option bit", "the BOOT0 pin", F0_RM),
};

static const struct stdfu_ob_field f3_fields[] = {
	F_COMMON(F3_RM),
	OB_BIT("SRAM_PE", 0, 22, U, "SRAM parity check (F303xD/E)", "enabled", "disabled", F3_RM),
};

static const char *f0_lockout(const uint8_t *img, size_t len)
{
	if (!stdfu__ob_get(&stdfu__ob_f0, img, len, "nBOOT1"))
		return "nBOOT1=0: with BOOT0 high the chip boots the embedded SRAM, not the ROM";
	if (!stdfu__ob_get(&stdfu__ob_f0, img, len, "BOOT_SEL") &&
	    stdfu__ob_get(&stdfu__ob_f0, img, len, "nBOOT0"))
		return "BOOT_SEL=0 with nBOOT0=1: BOOT0 is taken as 0 and the chip always boots "
		       "the flash";
	return NULL;
}

static const char *f3_lockout(const uint8_t *img, size_t len)
{
	if (!stdfu__ob_get(&stdfu__ob_f3, img, len, "nBOOT1"))
		return "nBOOT1=0: with BOOT0 high the chip boots the embedded SRAM, not the ROM";
	return NULL;
}

static const char *f0_boot(const uint8_t *img, size_t len)
{
	return f0_lockout(img, len) ? f0_lockout(img, len)
				    : "BOOT0 high at reset starts the ROM bootloader (nBOOT1=1)";
}

static const char *f3_boot(const uint8_t *img, size_t len)
{
	return f3_lockout(img, len) ? f3_lockout(img, len)
				    : "BOOT0 high at reset starts the ROM bootloader (nBOOT1=1)";
}

const struct stdfu_ob_family stdfu__ob_f0 = {
	.family = STDFU_FAMILY_F0,
	.name = "F0",
	.address = 0x1FFFF800,
	.size = 16,
	.shadow = STDFU_OB_SHADOW_BYTE_PAIRS,
	.fields = f0_fields,
	.n_fields = sizeof(f0_fields) / sizeof(f0_fields[0]),
	.ref = F0_RM,
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = f0_lockout,
	.boot_summary = f0_boot,
};

const struct stdfu_ob_family stdfu__ob_f3 = {
	.family = STDFU_FAMILY_F3,
	.name = "F3",
	.address = 0x1FFFF800,
	.size = 16,
	.shadow = STDFU_OB_SHADOW_BYTE_PAIRS,
	.fields = f3_fields,
	.n_fields = sizeof(f3_fields) / sizeof(f3_fields[0]),
	.ref = F3_RM,
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = f3_lockout,
	.boot_summary = f3_boot,
};

/* ---- F4 ------------------------------------------------------------------- */

#define F4_RM "RM0090 §3.7.1, §3.9.10"

static const struct stdfu_ob_value f4_bor[] = {
	{0, "BOR level 3 (2.70-3.60 V)", 0},
	{1, "BOR level 2 (2.40-2.70 V)", 0},
	{2, "BOR level 1 (2.10-2.40 V)", 0},
	{3, "BOR off (POR/PDR only)", 0},
};

static const struct stdfu_ob_field f4_fields[] = {
	{.name = "BOR_LEV",
	 .offset = 0,
	 .shift = 2,
	 .width = 2,
	 .kind = U,
	 .meaning = "brown-out reset threshold",
	 .values = f4_bor,
	 .n_values = 4,
	 .ref = F4_RM},
	OB_BIT("BFB2", 0, 4, B, "dual-bank boot (F42x/F43x; reserved on F405/407)",
	       "boot as BOOT0/BOOT1 say",
	       "the ROM jumps to the bank holding a valid application (AN2606 dual-bank boot)",
	       F4_RM),
	OB_BIT("WDG_SW", 0, 5, U, "watchdog", "hardware watchdog", "software watchdog", F4_RM),
	OB_BIT("nRST_STOP", 0, 6, U, "reset on Stop entry", "reset generated", "no reset", F4_RM),
	OB_BIT("nRST_STDBY", 0, 7, U, "reset on Standby entry", "reset generated", "no reset",
	       F4_RM),
	OB_RDP(0, 8, F4_RM),
	OB_ANY("nWRP", 8, 0, 12, W, "bit n clear: sector n write-protected", F4_RM),
	OB_BIT("SPRMOD", 8, 15, W, "meaning of nWRP (F42x/F43x)", "write protection",
	       "proprietary code read protection (PCROP)", F4_RM),
};

static const char *f4_lockout(const uint8_t *img, size_t len)
{
	if (stdfu__ob_get(&stdfu__ob_f4, img, len, "BFB2") == 1)
		return "BFB2=1: the ROM bootloader jumps to a bank that holds a valid application "
		       "instead of staying in DFU (AN2606, dual-bank boot)";
	return NULL;
}

static const char *f4_boot(const uint8_t *img, size_t len)
{
	return f4_lockout(img, len) ? f4_lockout(img, len)
				    : "boot is chosen by the BOOT0/BOOT1 pins only (RM0090 §2.4): "
				      "BOOT0 high, BOOT1 low starts the ROM bootloader";
}

const struct stdfu_ob_family stdfu__ob_f4 = {
	.family = STDFU_FAMILY_F4,
	.name = "F4",
	.address = 0x1FFFC000,
	.size = 16,
	.shadow = STDFU_OB_SHADOW_NONE,
	.fields = f4_fields,
	.n_fields = sizeof(f4_fields) / sizeof(f4_fields[0]),
	.ref = F4_RM,
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = f4_lockout,
	.boot_summary = f4_boot,
};

/* ---- F7 ------------------------------------------------------------------- */

#define F7_RM		   "RM0385 §3.4.1 / RM0431 §3.4.1"
#define F7_SYSMEM_BOOT_ADD 0x0040u /* 0x00100000 >> 14: system memory (RM0385 §2.4) */

static const struct stdfu_ob_field f7_fields[] = {
	{.name = "BOR_LEV",
	 .offset = 0,
	 .shift = 2,
	 .width = 2,
	 .kind = U,
	 .meaning = "brown-out reset threshold",
	 .values = f4_bor,
	 .n_values = 4,
	 .ref = F7_RM},
	OB_BIT("WWDG_SW", 0, 4, U, "window watchdog", "hardware", "software", F7_RM),
	OB_BIT("IWDG_SW", 0, 5, U, "independent watchdog", "hardware", "software", F7_RM),
	OB_BIT("nRST_STOP", 0, 6, U, "reset on Stop entry", "reset generated", "no reset", F7_RM),
	OB_BIT("nRST_STDBY", 0, 7, U, "reset on Standby entry", "reset generated", "no reset",
	       F7_RM),
	OB_RDP(0, 8, F7_RM),
	OB_ANY("nWRP", 8, 0, 8, W, "bit n clear: sector n write-protected", F7_RM),
	OB_ANY("BOOT_ADD0", 16, 0, 16, B, "boot address with BOOT0 low (address >> 14)", F7_RM),
	OB_ANY("BOOT_ADD1", 24, 0, 16, B,
	       "boot address with BOOT0 high (address >> 14; 0x0040 = the ROM)", F7_RM),
};

static const char *f7_lockout(const uint8_t *img, size_t len)
{
	static char why[128];

	return stdfu__ob_boot_add1_lockout(&stdfu__ob_f7, img, len, F7_SYSMEM_BOOT_ADD, 14, why,
					   sizeof(why));
}

static const char *f7_boot(const uint8_t *img, size_t len)
{
	const char *why = f7_lockout(img, len);

	return why ? why : "BOOT0 high boots BOOT_ADD1 = the system memory: the ROM bootloader";
}

const struct stdfu_ob_family stdfu__ob_f7 = {
	.family = STDFU_FAMILY_F7,
	.name = "F7",
	.address = 0x1FFF0000,
	.size = 32,
	.shadow = STDFU_OB_SHADOW_NONE,
	.fields = f7_fields,
	.n_fields = sizeof(f7_fields) / sizeof(f7_fields[0]),
	.ref = F7_RM,
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = f7_lockout,
	.boot_summary = f7_boot,
};
