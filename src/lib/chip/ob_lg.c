/* SPDX-License-Identifier: MIT */
/*
 * Option bytes of the L4, G4 and G0 families: 64-bit pairs, the register
 * value then its complement, from 0x1FFF7800.
 *  L4: RM0351 §3.4.1 (organisation), §3.7.8 FLASH_OPTR, §3.7.9-3.7.13
 *      PCROP/WRP; RM0394 §3.4.1 for L43x/L45x. nSWBOOT0/nBOOT0 exist on
 *      L43x-L46x/L49x-L4A only (reserved, read 1, on L47x/L48x).
 *  G4: RM0440 §3.4.1, §3.7.8 FLASH_OPTR. The ROM shows two 48-byte regions
 *      (0x1FFF7800 bank 1, 0x1FFFF800 bank 2; docs/real-rom-facts.md); the
 *      image is their concatenation.
 *  G0: RM0444 §3.4.1, §3.7.8 FLASH_OPTR, §3.7.20 FLASH_SECR. The G0B1/G0C1
 *      ROM advertises no option-byte alt (community.st.com td-p/839156);
 *      STM32CubeProgrammer reads them through the flash alt at 0x1FFF7800
 *      (its log in qa-community.st.com "Problem with STM32G0B0: failed to
 *      download Segment[0]": 68 bytes at 0x1FFF7800, 4 at 0x1FFF7870).
 * Boot: AN2606 "pattern 11" (G0) and the L4/G4 boot tables (RM0351 §2.6,
 * RM0440 §2.6).
 */
#include "chip/ob_tables.h"

#define U STDFU_OB_USER
#define B STDFU_OB_BOOT
#define W STDFU_OB_WRP

#define L4_RM "RM0351 §3.7.8"
#define G4_RM "RM0440 §3.7.8"
#define G0_RM "RM0444 §3.7.8"

static const struct stdfu_ob_value l4_bor[] = {
	{0, "BOR level 0 (1.7 V)", 0}, {1, "BOR level 1 (2.0 V)", 0}, {2, "BOR level 2 (2.2 V)", 0},
	{3, "BOR level 3 (2.5 V)", 0}, {4, "BOR level 4 (2.8 V)", 0},
};

#define LG_RESETS(rm, stop, stdby, shdw)                                                           \
	OB_BIT("nRST_STOP", 0, stop, U, "reset on Stop entry", "reset generated", "no reset", rm), \
		OB_BIT("nRST_STDBY", 0, stdby, U, "reset on Standby entry", "reset generated",     \
		       "no reset", rm),                                                            \
		OB_BIT("nRST_SHDW", 0, shdw, U, "reset on Shutdown entry", "reset generated",      \
		       "no reset", rm),                                                            \
		OB_BIT("IWDG_SW", 0, 16, U, "independent watchdog", "hardware", "software", rm),   \
		OB_BIT("IWDG_STOP", 0, 17, U, "IWDG in Stop", "frozen", "running", rm),            \
		OB_BIT("IWDG_STDBY", 0, 18, U, "IWDG in Standby", "frozen", "running", rm),        \
		OB_BIT("WWDG_SW", 0, 19, U, "window watchdog", "hardware", "software", rm)

#define LG_WRP(nm, off, bits, rm)                                                          \
	OB_ANY(nm "_STRT", off, 0, bits, W, "first page of the write-protected area", rm), \
		OB_ANY(nm "_END", off, 16, bits, W,                                        \
		       "last page of the area (END < STRT: no protection)", rm)

static const struct stdfu_ob_field l4_fields[] = {
	OB_RDP(0, 0, L4_RM),
	{.name = "BOR_LEV",
	 .offset = 0,
	 .shift = 8,
	 .width = 3,
	 .kind = U,
	 .meaning = "brown-out reset threshold",
	 .values = l4_bor,
	 .n_values = 5,
	 .ref = L4_RM},
	LG_RESETS(L4_RM, 12, 13, 14),
	OB_BIT("BFB2", 0, 20, B, "dual-bank boot", "boot as BOOT0/nBOOT1 say",
	       "the ROM jumps to the bank holding a valid application", L4_RM),
	OB_BIT("DUALBANK", 0, 21, U, "flash organisation (1 MiB parts)", "single bank", "dual bank",
	       L4_RM),
	OB_BIT("nBOOT1", 0, 23, B, "with BOOT0 high: what boots",
	       "SRAM1 (the ROM bootloader does not run)", "system memory (ROM)", L4_RM),
	OB_BIT("SRAM2_PE", 0, 24, U, "SRAM2 parity check", "enabled", "disabled", L4_RM),
	OB_BIT("SRAM2_RST", 0, 25, U, "SRAM2 erase on system reset", "erased", "kept", L4_RM),
	OB_BIT("nSWBOOT0", 0, 26, B, "where BOOT0 comes from", "the nBOOT0 option bit",
	       "the BOOT0 pin", L4_RM),
	OB_BIT("nBOOT0", 0, 27, B, "BOOT0 when nSWBOOT0 is 0", "BOOT0 = 1", "BOOT0 = 0", L4_RM),
	OB_ANY("PCROP1_STRT", 8, 0, 16, W, "PCROP area start (double words)", L4_RM),
	OB_ANY("PCROP1_END", 16, 0, 16, W, "PCROP area end (double words)", L4_RM),
	OB_BIT("PCROP_RDP", 16, 31, W, "PCROP area on RDP 1 -> 0", "kept", "erased", L4_RM),
	LG_WRP("WRP1A", 24, 8, L4_RM),
	LG_WRP("WRP1B", 32, 8, L4_RM),
};

static const struct stdfu_ob_field g4_fields[] = {
	OB_RDP(0, 0, G4_RM),
	{.name = "BOR_LEV",
	 .offset = 0,
	 .shift = 8,
	 .width = 3,
	 .kind = U,
	 .meaning = "brown-out reset threshold",
	 .values = l4_bor,
	 .n_values = 5,
	 .ref = G4_RM},
	LG_RESETS(G4_RM, 12, 13, 14),
	OB_BIT("BFB2", 0, 20, B, "dual-bank boot", "boot as BOOT0/nBOOT1 say",
	       "the ROM jumps to the bank holding a valid application", G4_RM),
	OB_BIT("DBANK", 0, 22, U, "flash organisation (512 KiB parts)", "single bank", "dual bank",
	       G4_RM),
	OB_BIT("nBOOT1", 0, 23, B, "with BOOT0 high: what boots",
	       "SRAM1 (the ROM bootloader does not run)", "system memory (ROM)", G4_RM),
	OB_BIT("SRAM_PE", 0, 24, U, "SRAM1/CCM parity check", "enabled", "disabled", G4_RM),
	OB_BIT("CCMSRAM_RST", 0, 25, U, "CCM SRAM erase on system reset", "erased", "kept", G4_RM),
	OB_BIT("nSWBOOT0", 0, 26, B, "where BOOT0 comes from", "the nBOOT0 option bit",
	       "the BOOT0 pin (PB8)", G4_RM),
	OB_BIT("nBOOT0", 0, 27, B, "BOOT0 when nSWBOOT0 is 0", "BOOT0 = 1", "BOOT0 = 0", G4_RM),
	OB_ANY("NRST_MODE", 0, 28, 2, U, "PG10 as reset input / GPIO (1 reset, 2 GPIO, 3 both)",
	       G4_RM),
	OB_BIT("IRHEN", 0, 30, U, "internal reset holder", "disabled", "enabled", G4_RM),
	OB_ANY("PCROP1_STRT", 8, 0, 15, W, "PCROP area start (double words)", G4_RM),
	OB_ANY("PCROP1_END", 16, 0, 15, W, "PCROP area end (double words)", G4_RM),
	LG_WRP("WRP1A", 24, 7, G4_RM),
	LG_WRP("WRP1B", 32, 7, G4_RM),
	LG_WRP("WRP2A", 72, 7, G4_RM),
	LG_WRP("WRP2B", 80, 7, G4_RM),
};

static const struct stdfu_ob_field g0_fields[] = {
	OB_RDP(0, 0, G0_RM),
	OB_BIT("BOR_EN", 0, 8, U, "brown-out reset", "disabled", "enabled", G0_RM),
	OB_ANY("BORF_LEV", 0, 9, 2, U, "BOR falling threshold (0: 2.0 V ... 3: 2.8 V)", G0_RM),
	OB_ANY("BORR_LEV", 0, 11, 2, U, "BOR rising threshold (0: 2.1 V ... 3: 2.9 V)", G0_RM),
	LG_RESETS(G0_RM, 13, 14, 15),
	OB_BIT("nSWAP_BANK", 0, 20, B, "bank swap (G0B1/G0C1)", "bank 2 at 0x08000000",
	       "bank 1 at 0x08000000", G0_RM),
	OB_BIT("DUAL_BANK", 0, 21, U, "flash organisation (G0B1/G0C1)", "single bank", "dual bank",
	       G0_RM),
	OB_BIT("RAM_PARITY_CHECK", 0, 22, U, "SRAM parity check", "enabled", "disabled", G0_RM),
	OB_BIT("nBOOT_SEL", 0, 24, B, "where BOOT0 comes from", "the BOOT0 pin (PA14)",
	       "the nBOOT0 option bit", G0_RM),
	OB_BIT("nBOOT1", 0, 25, B, "with BOOT0 = 1: what boots",
	       "embedded SRAM (the ROM bootloader does not run)", "system memory (ROM)", G0_RM),
	OB_BIT("nBOOT0", 0, 26, B, "BOOT0 when nBOOT_SEL is 1", "BOOT0 = 1",
	       "BOOT0 = 0: the flash boots; the ROM runs only on an empty flash", G0_RM),
	OB_ANY("NRST_MODE", 0, 27, 2, U, "PF2 as reset input / GPIO (1 reset, 2 GPIO, 3 both)",
	       G0_RM),
	OB_BIT("IRHEN", 0, 29, U, "internal reset holder", "disabled", "enabled", G0_RM),
	OB_ANY("PCROP1A_STRT", 8, 0, 9, W, "PCROP area A start", G0_RM),
	OB_ANY("PCROP1A_END", 16, 0, 9, W, "PCROP area A end", G0_RM),
	OB_BIT("PCROP_RDP", 16, 31, W, "PCROP areas on RDP 1 -> 0", "kept", "erased", G0_RM),
	LG_WRP("WRP1A", 24, 7, G0_RM),
	LG_WRP("WRP1B", 32, 7, G0_RM),
	OB_ANY("SEC_SIZE", 112, 0, 8, W, "securable area size (pages)", "RM0444 §3.7.20"),
	OB_BIT("BOOT_LOCK", 112, 16, B, "force boot from the flash",
	       "boot as nBOOT_SEL/nBOOT0/nBOOT1 say", "the flash always boots: the ROM never runs",
	       "RM0444 §3.7.20"),
};

/* L4 and G4 share the boot rules: nBOOT1, nSWBOOT0/nBOOT0, BFB2. */
static const char *lg_lockout(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len)
{
	if (!stdfu__ob_get(fam, img, len, "nBOOT1"))
		return "nBOOT1=0: with BOOT0 high the chip boots SRAM1, not the ROM";
	if (!stdfu__ob_get(fam, img, len, "nSWBOOT0") && stdfu__ob_get(fam, img, len, "nBOOT0"))
		return "nSWBOOT0=0 with nBOOT0=1: the BOOT0 pin is ignored and the flash always "
		       "boots";
	if (stdfu__ob_get(fam, img, len, "BFB2") == 1)
		return "BFB2=1: the ROM bootloader jumps to a bank that holds a valid application "
		       "(AN2606, dual-bank boot)";
	return NULL;
}

static const char *l4_lockout(const uint8_t *img, size_t len)
{
	return lg_lockout(&stdfu__ob_l4, img, len);
}

static const char *g4_lockout(const uint8_t *img, size_t len)
{
	return lg_lockout(&stdfu__ob_g4, img, len);
}

static const char *l4_boot(const uint8_t *img, size_t len)
{
	const char *why = l4_lockout(img, len);

	return why ? why : "BOOT0 high at reset starts the ROM bootloader (nSWBOOT0=1, nBOOT1=1)";
}

static const char *g4_boot(const uint8_t *img, size_t len)
{
	const char *why = g4_lockout(img, len);

	return why ? why : "BOOT0 high at reset starts the ROM bootloader (nSWBOOT0=1, nBOOT1=1)";
}

/* AN2606 pattern 11 (G0): the three ways into the ROM, and what closes them. */
static const char *g0_lockout(const uint8_t *img, size_t len)
{
	const struct stdfu_ob_family *f = &stdfu__ob_g0;

	if (stdfu__ob_get(f, img, len, "BOOT_LOCK") == 1)
		return "BOOT_LOCK=1: the flash always boots";
	if (!stdfu__ob_get(f, img, len, "nBOOT1"))
		return "nBOOT1=0: BOOT0 = 1 boots the embedded SRAM, not the ROM";
	if (stdfu__ob_get(f, img, len, "nBOOT_SEL") && stdfu__ob_get(f, img, len, "nBOOT0"))
		return "nBOOT_SEL=1 with nBOOT0=1: the BOOT0 pin is ignored; the ROM runs only "
		       "on an empty flash or when the application jumps to it";
	return NULL;
}

static const char *g0_boot(const uint8_t *img, size_t len)
{
	const struct stdfu_ob_family *f = &stdfu__ob_g0;
	const char *why = g0_lockout(img, len);

	if (why)
		return why;
	return stdfu__ob_get(f, img, len, "nBOOT_SEL")
		       ? "nBOOT0=0: the ROM bootloader starts at every reset"
		       : "BOOT0 pin (PA14) high at reset starts the ROM bootloader (nBOOT_SEL=0)";
}

const struct stdfu_ob_family stdfu__ob_l4 = {
	.family = STDFU_FAMILY_L4,
	.name = "L4",
	.address = 0x1FFF7800,
	.size = 40,
	.shadow = STDFU_OB_SHADOW_COMPLEMENT,
	.fields = l4_fields,
	.n_fields = sizeof(l4_fields) / sizeof(l4_fields[0]),
	.ref = "RM0351 §3.4.1",
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = l4_lockout,
	.boot_summary = l4_boot,
};

const struct stdfu_ob_family stdfu__ob_g4 = {
	.family = STDFU_FAMILY_G4,
	.name = "G4",
	.address = 0x1FFF7800,
	.size = 96,
	.shadow = STDFU_OB_SHADOW_COMPLEMENT,
	.fields = g4_fields,
	.n_fields = sizeof(g4_fields) / sizeof(g4_fields[0]),
	.ref = "RM0440 §3.4.1",
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = g4_lockout,
	.boot_summary = g4_boot,
};

const struct stdfu_ob_family stdfu__ob_g0 = {
	.family = STDFU_FAMILY_G0,
	.name = "G0",
	.address = 0x1FFF7800,
	.size = 128,
	.via_flash_alt = true,
	.shadow = STDFU_OB_SHADOW_COMPLEMENT,
	.fields = g0_fields,
	.n_fields = sizeof(g0_fields) / sizeof(g0_fields[0]),
	.ref = "RM0444 §3.4.1",
	.rdp_level0 = 0xAA,
	.rdp_level1 = 0xBB,
	.lockout = g0_lockout,
	.boot_summary = g0_boot,
};
