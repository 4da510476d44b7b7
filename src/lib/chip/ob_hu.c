/* SPDX-License-Identifier: MIT */
/*
 * Option bytes of the H7 and U5 families: their ROMs map the flash
 * interface's option registers, not an option-byte memory.
 *  H7: "@Option Bytes /0x5200201C/01*128 e" (docs/real-rom-facts.md) starts
 *      at FLASH_OPTSR_CUR; RM0433 §4.9 register map: each *_CUR register is
 *      followed by its *_PRG register, the value programmed at the next
 *      option-byte load (RM0433 §4.4.3). OPTSR §4.9.8, PRAR §4.9.12, SCAR
 *      §4.9.14, WPSN §4.9.16, BOOT §4.9.18.
 *  U5: "@Option Bytes /0x40022040/01*64 e" (docs/real-rom-facts.md) starts
 *      at FLASH_OPTR (RM0456 §7.9.13); NSBOOTADDx §7.9.14-15, SECBOOTADD0
 *      §7.9.16, WRPxyR §7.9.19-20. Boot: RM0456 §3.3 and AN2606 (U5).
 */
#include <stdio.h>

#include "chip/ob_tables.h"

#define U STDFU_OB_USER
#define B STDFU_OB_BOOT
#define W STDFU_OB_WRP

#define H7_RM "RM0433 §4.9.8"
#define U5_RM "RM0456 §7.9.13"

#define H7_SYSMEM_BOOT_ADD 0x1FF0u     /* 0x1FF00000 >> 16 (RM0433 §2.6) */
#define U5_SYSMEM_BOOT	   0x0BF90000u /* RM0456 §3.3: system memory */

static const struct stdfu_ob_value h7_bor[] = {
	{0, "BOR off", 0},
	{1, "BOR level 1 (2.1 V)", 0},
	{2, "BOR level 2 (2.4 V)", 0},
	{3, "BOR level 3 (2.7 V)", 0},
};

static const struct stdfu_ob_field h7_fields[] = {
	{.name = "BOR_LEV",
	 .offset = 0,
	 .shift = 2,
	 .width = 2,
	 .kind = U,
	 .meaning = "brown-out reset threshold",
	 .values = h7_bor,
	 .n_values = 4,
	 .ref = H7_RM},
	OB_BIT("IWDG1_SW", 0, 4, U, "independent watchdog 1", "hardware", "software", H7_RM),
	OB_BIT("nRST_STOP_D1", 0, 6, U, "reset on D1 Stop entry", "reset generated", "no reset",
	       H7_RM),
	OB_BIT("nRST_STBY_D1", 0, 7, U, "reset on D1 Standby entry", "reset generated", "no reset",
	       H7_RM),
	OB_RDP(0, 8, H7_RM),
	OB_BIT("FZ_IWDG_STOP", 0, 17, U, "IWDG in Stop", "frozen", "running", H7_RM),
	OB_BIT("FZ_IWDG_SDBY", 0, 18, U, "IWDG in Standby", "frozen", "running", H7_RM),
	OB_ANY("ST_RAM_SIZE", 0, 19, 2, U, "DTCM RAM kept for ST secure services", H7_RM),
	OB_BIT("SECURITY", 0, 21, U, "secure access mode", "disabled", "enabled", H7_RM),
	OB_BIT("IO_HSLV", 0, 29, U, "I/O high speed at low voltage", "disabled", "enabled", H7_RM),
	OB_BIT("SWAP_BANK_OPT", 0, 31, B, "bank swap", "bank 1 at 0x08000000",
	       "bank 2 at 0x08000000", H7_RM),
	OB_ANY("PROT_AREA_START1", 12, 0, 12, W, "PCROP area start (256-byte units)",
	       "RM0433 §4.9.12"),
	OB_ANY("PROT_AREA_END1", 12, 16, 12, W, "PCROP area end (start > end: none)",
	       "RM0433 §4.9.12"),
	OB_ANY("SEC_AREA_START1", 20, 0, 12, W, "secure area start", "RM0433 §4.9.14"),
	OB_ANY("SEC_AREA_END1", 20, 16, 12, W, "secure area end (start > end: none)",
	       "RM0433 §4.9.14"),
	OB_ANY("WRPSN1", 28, 0, 8, W, "bit n clear: bank 1 sector n write-protected",
	       "RM0433 §4.9.16"),
	OB_ANY("BOOT_ADD0", 36, 0, 16, B, "boot address with BOOT0 low (address >> 16)",
	       "RM0433 §4.9.18"),
	OB_ANY("BOOT_ADD1", 36, 16, 16, B,
	       "boot address with BOOT0 high (address >> 16; 0x1FF0 = the ROM)", "RM0433 §4.9.18"),
};

static const char *h7_lockout(const uint8_t *img, size_t len)
{
	static char why[128];

	return stdfu__ob_boot_add1_lockout(&stdfu__ob_h7, img, len, H7_SYSMEM_BOOT_ADD, 16, why,
					   sizeof(why));
}

static const char *h7_boot(const uint8_t *img, size_t len)
{
	const char *why = h7_lockout(img, len);

	return why ? why : "BOOT0 high boots BOOT_ADD1 = 0x1FF00000: the ROM bootloader";
}

const struct stdfu_ob_family stdfu__ob_h7 = {
	.family = STDFU_FAMILY_H7,
	.name = "H7",
	.address = 0x5200201C,
	.size = 128,
	.shadow = STDFU_OB_SHADOW_PRG,
	.fields = h7_fields,
	.n_fields = sizeof(h7_fields) / sizeof(h7_fields[0]),
	.ref = "RM0433 §4.9",
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = h7_lockout,
	.boot_summary = h7_boot,
};

static const struct stdfu_ob_value u5_rdp[] = {
	{0xAA, "level 0: no read protection", 0},
	{0x55, "level 0.5: non-secure debug only (needs TZEN=1)", 0},
	{0xCC, "level 2: debug and the ROM bootloader disabled for good",
	 STDFU_OB_VALUE_IRREVERSIBLE},
};

static const struct stdfu_ob_field u5_fields[] = {
	{.name = "RDP",
	 .offset = 0,
	 .shift = 0,
	 .width = 8,
	 .kind = STDFU_OB_RDP,
	 .meaning = "read protection level",
	 .values = u5_rdp,
	 .n_values = 3,
	 .other = "level 1: the ROM refuses to read, write or erase the flash",
	 .ref = U5_RM},
	OB_ANY("BOR_LEV", 0, 8, 3, U, "brown-out threshold (0: 1.7 V ... 4: 2.8 V)", U5_RM),
	OB_BIT("nRST_STOP", 0, 12, U, "reset on Stop entry", "reset generated", "no reset", U5_RM),
	OB_BIT("nRST_STDBY", 0, 13, U, "reset on Standby entry", "reset generated", "no reset",
	       U5_RM),
	OB_BIT("nRST_SHDW", 0, 14, U, "reset on Shutdown entry", "reset generated", "no reset",
	       U5_RM),
	OB_BIT("IWDG_SW", 0, 16, U, "independent watchdog", "hardware", "software", U5_RM),
	OB_BIT("WWDG_SW", 0, 19, U, "window watchdog", "hardware", "software", U5_RM),
	OB_BIT("SWAP_BANK", 0, 20, B, "bank swap", "bank 1 at 0x08000000", "bank 2 at 0x08000000",
	       U5_RM),
	OB_BIT("DUALBANK", 0, 21, U, "flash organisation (1 MiB parts)", "single bank", "dual bank",
	       U5_RM),
	OB_BIT("SRAM2_RST", 0, 25, U, "SRAM2 erase on system reset", "erased", "kept", U5_RM),
	OB_BIT("nSWBOOT0", 0, 26, B, "where BOOT0 comes from", "the nBOOT0 option bit",
	       "the BOOT0 pin (PH3)", U5_RM),
	OB_BIT("nBOOT0", 0, 27, B, "BOOT0 when nSWBOOT0 is 0", "BOOT0 = 1", "BOOT0 = 0", U5_RM),
	OB_BIT("TZEN", 0, 31, B, "TrustZone", "disabled",
	       "enabled: the secure boot address SECBOOTADD0 boots", U5_RM),
	OB_ANY("NSBOOTADD0", 4, 7, 25, B, "non-secure boot address, BOOT0 = 0 (address >> 7)",
	       "RM0456 §7.9.14"),
	OB_ANY("NSBOOTADD1", 8, 7, 25, B,
	       "non-secure boot address, BOOT0 = 1 (address >> 7; 0x0BF90000 = the ROM)",
	       "RM0456 §7.9.15"),
	OB_BIT("BOOT_LOCK", 12, 0, B, "boot lock", "boot as configured", "SECBOOTADD0 always boots",
	       "RM0456 §7.9.16"),
	OB_ANY("WRP1A_PSTRT", 24, 0, 7, W, "first page of write-protected area A",
	       "RM0456 §7.9.19"),
	OB_ANY("WRP1A_PEND", 24, 16, 7, W, "last page of area A (END < STRT: none)",
	       "RM0456 §7.9.19"),
	OB_ANY("WRP1B_PSTRT", 28, 0, 7, W, "first page of write-protected area B",
	       "RM0456 §7.9.20"),
	OB_ANY("WRP1B_PEND", 28, 16, 7, W, "last page of area B (END < STRT: none)",
	       "RM0456 §7.9.20"),
};

static const char *u5_lockout(const uint8_t *img, size_t len)
{
	static char why[128];
	const struct stdfu_ob_family *f = &stdfu__ob_u5;
	uint32_t add1 = stdfu__ob_get(f, img, len, "NSBOOTADD1") << 7;

	if (stdfu__ob_get(f, img, len, "TZEN") == 1)
		return "TZEN=1: the secure boot address boots, not the ROM bootloader";
	if (stdfu__ob_get(f, img, len, "BOOT_LOCK") == 1)
		return "BOOT_LOCK=1: SECBOOTADD0 always boots";
	if (!stdfu__ob_get(f, img, len, "nSWBOOT0") && stdfu__ob_get(f, img, len, "nBOOT0"))
		return "nSWBOOT0=0 with nBOOT0=1: the BOOT0 pin is ignored and the flash always "
		       "boots";
	if (add1 == U5_SYSMEM_BOOT)
		return NULL;
	snprintf(why, sizeof(why), "NSBOOTADD1=0x%08x: BOOT0 high does not boot the system memory",
		 (unsigned)add1);
	return why;
}

static const char *u5_boot(const uint8_t *img, size_t len)
{
	const char *why = u5_lockout(img, len);

	return why ? why : "BOOT0 high boots NSBOOTADD1 = 0x0BF90000: the ROM bootloader";
}

const struct stdfu_ob_family stdfu__ob_u5 = {
	.family = STDFU_FAMILY_U5,
	.name = "U5",
	.address = 0x40022040,
	.size = 64,
	.shadow = STDFU_OB_SHADOW_NONE,
	.fields = u5_fields,
	.n_fields = sizeof(u5_fields) / sizeof(u5_fields[0]),
	.ref = "RM0456 §7.9",
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = u5_lockout,
	.boot_summary = u5_boot,
};
