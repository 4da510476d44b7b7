/* SPDX-License-Identifier: MIT */
/*
 * The chips stdfu-emu can pretend to be: what their ROM bootloader shows on
 * USB and how their flash behaves. Every value is either sourced (the source
 * is named next to it) or marked ASSUMPTION with the reason for the choice.
 *
 * Sources used throughout:
 *  [DP]   docs/dfuse-protocol.md (F4 identity, alt strings,
 *         DFU functional descriptor, F4 flash timing).
 *  [G0C1] lsusb/dfu-util dump of an STM32G0C1VET6 ROM (same die and ROM as G0B1)
 *         in "Can't set Option Bytes over USB DFU to STM32G0 System Bootloader",
 *         community.st.com td-p/839156 (2025-09): product "DFU in FS Mode",
 *         bcdDevice 2.00, three alts all "@Internal Flash /0x08000000/256*02Kg".
 *  [H7]   dfu-util -l of STM32H743 ROMs quoted in public code (ArduPilot board
 *         docs, Daisy notes): "@Internal Flash   /0x08000000/16*128Kg",
 *         "@Option Bytes   /0x5200201C/01*128 e", ver=0200.
 *  [L4]   dfu-util -l of an STM32L4 (512 KiB) ROM quoted in inertial-sense
 *         ISBootloaderDFU.h: "@Internal Flash  /0x08000000/0256*0002Kg",
 *         "@Option Bytes  /0x1FFF7800/01*040 e", "@OTP Memory /0x1FFF7000/01*0001Ke",
 *         "@Device Feature/0xFFFF0000/01*004 e".
 *  Datasheets for timing: see each chip's timing block.
 */
#include <string.h>

#include "rom_internal.h"

#define KiB 1024u
#define MS  1000000ull /* ns */
#define US  1000ull

/*
 * F405 option bytes as read at 0x1FFFC000 (RM0090 §3.7.1): USER byte, RDP byte,
 * then nWRP at 0x1FFFC008. ASSUMPTION: the ROM returns the raw 16 bytes with
 * reserved bytes read as 0xFF; USER = 0xEC is the factory value of
 * FLASH_OPTCR (0x0FFFAAED) without the OPTLOCK/OPTSTRT control bits.
 */
static const uint8_t f405_ob[16] = {0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
				    0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/*
 * L4 option bytes at 0x1FFF7800, 40 bytes [L4]: five 64-bit double words,
 * FLASH_OPTR first (RDP in bits 7:0, factory 0xFFEFF8AA, RM0351 §3.7.8).
 * ASSUMPTION: each double word is the value then its complement, PCROP/WRP
 * fields at their "disabled" factory values.
 */
static const uint8_t l4_ob[40] = {
	0xAA, 0xF8, 0xEF, 0xFF, 0x55, 0x07, 0x10, 0x00, /* OPTR, ~OPTR */
	0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, /* PCROP1SR */
	0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, /* PCROP1ER */
	0xFF, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0x00, 0xFF, /* WRP1AR */
	0xFF, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0x00, 0xFF, /* WRP1BR */
};

/*
 * H7 option bytes alt [H7] maps the FLASH option registers from
 * FLASH_OPTSR_CUR (0x5200201C), RDP in bits 15:8. ASSUMPTION: factory
 * OPTSR_CUR 0x1396AAF0-like value, the following registers read as their
 * documented "no protection" resets (approximated as 0xFF/0x00 patterns).
 */
static const uint8_t h7_ob[128] = {
	0xF0,
	0xAA,
	0x96,
	0x13, /* OPTSR_CUR */
	0xF0,
	0xAA,
	0x96,
	0x13, /* OPTSR_PRG */
	0x00,
	0x00,
	0x00,
	0x00, /* OPTCCR */
	0xFF,
	0x00,
	0x00,
	0x00, /* PRAR_CUR1 */
	0xFF,
	0x00,
	0x00,
	0x00, /* PRAR_PRG1 */
	0xFF,
	0x00,
	0x00,
	0x00, /* SCAR_CUR1 */
	0xFF,
	0x00,
	0x00,
	0x00, /* SCAR_PRG1 */
	0xFF,
	0x00,
	0x00,
	0x00, /* WPSN_CUR1 */
	0xFF,
	0x00,
	0x00,
	0x00, /* WPSN_PRG1 */
	0x00,
	0x08,
	0x00,
	0x08, /* BOOT_CUR: 0x0800 / 0x0800 */
	0x00,
	0x08,
	0x00,
	0x08, /* BOOT_PRG */
	/* the rest (bank 2 registers, reserved) reads as 0xFF */
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
	0xFF,
};

static const struct emu_chip chips[] = {
	{
		.name = "f405",
		.description = "STM32F405/407 ROM (1 MiB, no ECC) [DP]",
		.id_vendor = 0x0483,
		.id_product = 0xDF11,
		/* bcdDevice 0x2200 is what F4 ROMs report in public lsusb dumps
		 * ("ver=2200" in dfu-util -l). */
		.bcd_device = 0x2200,
		.manufacturer = "STMicroelectronics",
		.product = "STM32  BOOTLOADER", /* [DP], two spaces */
		/* ASSUMPTION: configuration self-powered, 100 mA, as common ST
		 * device-library descriptors (USBD_SELF_POWERED, 0x32). */
		.cfg_attributes = 0xC0,
		.cfg_max_power = 0x32,
		.dfu_attributes = 0x0B,
		.detach_timeout = 255,
		.transfer_size = 2048,
		.bcd_dfu = 0x011A,
		.n_alts = 4,
		.alt =
			{
				{"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
				 EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFFC000/01*016 e", EMU_MEM_OPTBYTES},
				{"@OTP Memory /0x1FFF7800/01*512 e,01*016 e", EMU_MEM_OTP},
				{"@Device Feature/0xFFFF0000/01*004 e", EMU_MEM_PLAIN},
			},
		.flash_base = 0x08000000,
		.flash_size = 1024 * KiB,
		/* SRAM1+SRAM2 (RM0090 §2.3.1). CCM (0x10000000, 64 KiB) also
		 * accepted: it is data RAM, so a stack there works even though
		 * code cannot run from it. */
		.sram = {{0x20000000, 128 * KiB}, {0x10000000, 64 * KiB}},
		.ecc_unit = 0,
		.ob_default = f405_ob,
		.ob_size = sizeof(f405_ob),
		.ob_rdp_offset = 1,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0x55, /* any value but 0xAA/0xCC is level 1 */
		.timing =
			{
				/* [DP] STM32F405 datasheet, Flash memory programming
				 * table: word program 16 us typ (x32). */
				.prog_unit = 4,
				.prog_unit_ns = 16 * US,
				/* Sector erase typ x32: 16K 250 ms, 64K 550 ms,
				 * 128K 1 s; mass erase 8 s [DP]. */
				.erase = {{16 * KiB, 250 * MS},
					  {64 * KiB, 550 * MS},
					  {128 * KiB, 1000 * MS}},
				.mass_erase_ns = 8000 * MS,
				/* 100 ms after block, erase, mass erase: the F405
				 * figure quoted in dfu-util's source (issue #2). */
				.poll_write_ms = 100,
				.poll_erase_ms = 100,
				.poll_mass_erase_ms = 100,
				.poll_set_address_ms = 0,
				.bus_ns_per_byte = 1000,
				.busy = EMU_BUSY_BLOCK,
			},
	},
	{
		.name = "l4",
		.description = "STM32L476 ROM (1 MiB dual bank, 2 KiB pages, ECC)",
		.id_vendor = 0x0483,
		.id_product = 0xDF11,
		/* ASSUMPTION: bcdDevice 0x0200 like the newer ROMs ([G0C1], [H7]). */
		.bcd_device = 0x0200,
		.manufacturer = "STMicroelectronics",
		/* ASSUMPTION: L4 ROM product string as on F4; no public L476 lsusb
		 * dump was found. */
		.product = "STM32  BOOTLOADER",
		.cfg_attributes = 0xC0,
		.cfg_max_power = 0x32,
		.dfu_attributes = 0x0B,
		.detach_timeout = 255,
		.transfer_size = 2048,
		.bcd_dfu = 0x011A,
		.n_alts = 4,
		/* [L4] strings, with the page count of a 1 MiB part (512 pages
		 * of 2 KiB, both banks in one run). ASSUMPTION: the dual-bank L476
		 * option bytes are shown as one 40-byte region like the dump. */
		.alt =
			{
				{"@Internal Flash  /0x08000000/0512*0002Kg", EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFF7800/01*040 e", EMU_MEM_OPTBYTES},
				{"@OTP Memory /0x1FFF7000/01*0001Ke", EMU_MEM_OTP},
				{"@Device Feature/0xFFFF0000/01*004 e", EMU_MEM_PLAIN},
			},
		.flash_base = 0x08000000,
		.flash_size = 1024 * KiB,
		/* SRAM1 96 KiB + SRAM2 32 KiB contiguous at 0x20000000 and SRAM2
		 * aliased at 0x10000000 (RM0351 §2.4). */
		.sram = {{0x20000000, 128 * KiB}, {0x10000000, 32 * KiB}},
		/* RM0351 §3.3.7: programming is by 64-bit double word with 8 ECC
		 * bits; programming a double word that is not erased sets PROGERR. */
		.ecc_unit = 8,
		.ob_default = l4_ob,
		.ob_size = sizeof(l4_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing =
			{
				/* ASSUMPTION (figures recalled from the STM32L476
				 * datasheet DS10198 "Flash memory characteristics";
				 * the table could not be retrieved with the search
				 * tool): 64-bit programming 81.7 us typ, page (2 KiB)
				 * erase 22 ms typ, mass erase 22.1 ms typ per bank.
				 * Consistent with the G0 figures below (same flash
				 * generation, 64+8-bit words). */
				.prog_unit = 8,
				.prog_unit_ns = 81700,
				.erase = {{2 * KiB, 22 * MS}},
				.mass_erase_ns =
					2 * 22100 * US, /* two banks, one after the other */
				/* ASSUMPTION: the value the L4 ROM reports is not
				 * published. [DP] says it "reports too short a poll
				 * timeout" but gives no figure, while ROMs that stall
				 * GETSTATUS while busy are flashed fine by dfu-util,
				 * which sleeps exactly bwPollTimeout (openmv#1508: an
				 * F072 ROM fails pydfu with a stall, "I can program the
				 * chip without errors using dfu-util"). Unknown, so
				 * favour the peer: report enough to cover the modelled
				 * durations (20.9 ms per 2 KiB block, 22 ms per page,
				 * 44.2 ms mass erase). The too-short report stays
				 * available as --fault quirk=short-poll. */
				.poll_write_ms = 25,
				.poll_erase_ms = 25,
				.poll_mass_erase_ms = 50,
				.poll_set_address_ms = 0,
				.bus_ns_per_byte = 1000,
				.busy = EMU_BUSY_STALL,
			},
	},
	{
		.name = "h7",
		.description = "STM32H743 ROM (2 MiB, 128 KiB sectors in two banks, ECC)",
		.id_vendor = 0x0483,
		.id_product = 0xDF11,
		.bcd_device = 0x0200, /* [H7] ver=0200 */
		.manufacturer = "STMicroelectronics",
		/* ASSUMPTION: "DFU in FS Mode" as the G0 ROM of the same ROM
		 * generation [G0C1]; no H743 lsusb product string was found. */
		.product = "DFU in FS Mode",
		.cfg_attributes = 0xC0,
		.cfg_max_power = 0x32,
		.dfu_attributes = 0x0B,
		.detach_timeout = 255,
		.transfer_size = 1024, /* [DP] */
		.bcd_dfu = 0x011A,
		.n_alts = 2,
		.alt =
			{
				{"@Internal Flash   /0x08000000/16*128Kg", EMU_MEM_FLASH},
				{"@Option Bytes   /0x5200201C/01*128 e", EMU_MEM_OPTBYTES},
			},
		.flash_base = 0x08000000,
		.flash_size = 2048 * KiB,
		/* DTCM 128 KiB, AXI SRAM 512 KiB, SRAM1-3 288 KiB (RM0433 §2.3). */
		.sram = {{0x20000000, 128 * KiB}, {0x24000000, 512 * KiB}, {0x30000000, 288 * KiB}},
		/* RM0433 §4.3.9: the flash word is 256 bits (+10 ECC bits); a
		 * flash word can be programmed only once after erase. */
		.ecc_unit = 32,
		.ob_default = h7_ob,
		.ob_size = sizeof(h7_ob),
		.ob_rdp_offset = 1,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing =
			{
				/* Sector (128 KiB) erase at x32 parallelism: 1.1 s
				 * typ, 2.2 s max, from the STM32H743 datasheet table
				 * quoted by ST staff ("STM32H743 Flash EraseSector
				 * Reset Problem", community.st.com td-p/734674).
				 * ASSUMPTIONS (DS12110 table not retrievable): 256-bit
				 * flash word program 130 us typ at x32; mass erase
				 * 6 s typ at x32. The ROM's parallelism is unknown;
				 * x32 is the 2.7-3.6 V setting. */
				.prog_unit = 32,
				.prog_unit_ns = 130 * US,
				.erase = {{128 * KiB, 1100 * MS}},
				.mass_erase_ns = 6000 * MS,
				/* ASSUMPTION: no public H7 ROM bwPollTimeout figure;
				 * report the F4 ROM's 100 ms. */
				.poll_write_ms = 100,
				.poll_erase_ms = 100,
				.poll_mass_erase_ms = 100,
				.poll_set_address_ms = 0,
				.bus_ns_per_byte = 1000,
				/* ASSUMPTION: like F4 (op in the USB ISR, host NAKed). */
				.busy = EMU_BUSY_BLOCK,
			},
	},
	{
		.name = "g0",
		.description = "STM32G0B1 ROM (512 KiB dual bank, 2 KiB pages, ECC) [G0C1]",
		.id_vendor = 0x0483,
		.id_product = 0xDF11,
		.bcd_device = 0x0200,		      /* [G0C1] */
		.manufacturer = "STMicroelectronics", /* [G0C1] */
		.product = "DFU in FS Mode",	      /* [G0C1] */
		.cfg_attributes = 0xC0,
		.cfg_max_power = 0x32,
		.dfu_attributes = 0x0B,
		.detach_timeout = 255,
		/* ASSUMPTION: 1024 like the other newer ROMs [DP]; the dump's
		 * functional descriptor was cut off. */
		.transfer_size = 1024,
		.bcd_dfu = 0x011A,
		/* [G0C1]: the real ROM exposes three alts with the same flash
		 * string (one space), no option-byte or OTP alt. */
		.n_alts = 3,
		.alt =
			{
				{"@Internal Flash /0x08000000/256*02Kg", EMU_MEM_FLASH},
				{"@Internal Flash /0x08000000/256*02Kg", EMU_MEM_FLASH},
				{"@Internal Flash /0x08000000/256*02Kg", EMU_MEM_FLASH},
			},
		.flash_base = 0x08000000,
		.flash_size = 512 * KiB,
		.sram = {{0x20000000, 144 * KiB}}, /* RM0444 §2.5: 144 KiB SRAM */
		/* RM0444 §3.3.8: 64-bit double word programming with 8 ECC bits;
		 * programming a non-erased double word sets PROGERR. */
		.ecc_unit = 8,
		.ob_default = NULL,
		.ob_size = 0,
		.timing =
			{
				/* G0 datasheet flash table as quoted for STM32G030
				 * (same G0 flash macro; blog.csdn.net/weixin_44071950
				 * /article/details/125284547): 64-bit program 85 us
				 * typ (125 max), page erase 40 ms max. ASSUMPTION:
				 * page erase 22 ms typ and mass erase 22.1 ms typ per
				 * bank (recalled from DS13560, not retrieved). */
				.prog_unit = 8,
				.prog_unit_ns = 85 * US,
				.erase = {{2 * KiB, 22 * MS}},
				.mass_erase_ns = 2 * 22100 * US,
				/* ASSUMPTION: no public G0 ROM figure; 50 ms write /
				 * 100 ms erase as ST's device-library example [DP]. */
				.poll_write_ms = 50,
				.poll_erase_ms = 100,
				.poll_mass_erase_ms = 100,
				.poll_set_address_ms = 0,
				.bus_ns_per_byte = 1000,
				/* ASSUMPTION: like F4 (favours hosts that do not
				 * expect stalls while busy). */
				.busy = EMU_BUSY_BLOCK,
			},
	},
};

static const char *const chip_names[] = {"f405", "l4", "h7", "g0", NULL};

const struct emu_chip *emu_chip_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (strcmp(chips[i].name, name) == 0)
			return &chips[i];
	return NULL;
}

const char *const *emu_chip_names(void)
{
	return chip_names;
}

uint32_t emu_chip_flash_base(const struct emu_chip *chip)
{
	return chip->flash_base;
}

uint32_t emu_chip_flash_size(const struct emu_chip *chip)
{
	return chip->flash_size;
}
