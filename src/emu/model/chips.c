/* SPDX-License-Identifier: MIT */
/*
 * The chips stdfu-emu can pretend to be: what their ROM bootloader shows on
 * USB and how their flash behaves. Every value is either sourced (the source
 * is named next to it) or marked ASSUMPTION with the reason for the choice.
 * The dump text each model is held to (tests/e2e/dump_match.sh) is stored in
 * docs/dumps/<chip>.txt with its public address.
 *
 * Sources used throughout:
 *  [DP]     docs/dfuse-protocol.md (F4 identity, alt strings, F4 flash timing).
 *  [FACTS]  docs/real-rom-facts.md rows that give no address: unverified.
 *  [F4LS]   lsusb -v of an STM32F437 ROM, community.st.com/thread/27200-bootloader-usb-settings:
 *           bcdUSB 1.00, bMaxPacketSize0 64, bcdDevice 22.00, "STM32  BOOTLOADER",
 *           wTotalLength 54, bmAttributes 0xC0 (self powered), MaxPower 100 mA.
 *  [F4L]    dfu-util --list of an STM32F415 (1 MiB) ROM, github.com/dhylands/1BITSY README.md.
 *  [MODM]   modm docs log of an F401 (docs/real-rom-facts.md): 104 ms after a 2 KiB
 *           write; the leave answers dfuDNBUSY (104 ms), then dfuMANIFEST.
 *  [L4D]    dfu-util -l of an STM32L4 (512 KiB) ROM quoted in the inertial-sense SDK
 *           (github.com/inertialsense/inertial-sense-sdk, inertialSenseBootLoader_dfu.c).
 *  [U5IS]   the U5 ROM's alts quoted in the same SDK (ISBootloaderDFU.h).
 *  [L43]    community.st.com/thread/39383-usb-dfu-on-stm32l432-and-stm32l433.
 *  [H7]     dfu-util -l of STM32H743 ROMs quoted in public code (ArduPilot board
 *           docs, Daisy notes): "@Internal Flash   /0x08000000/16*128Kg",
 *           "@Option Bytes   /0x5200201C/01*128 e", ver=0200.
 *  [H7S]    github.com/quartiq/stabilizer/issues/69 (H743 leave, transfer size 1024).
 *  [H7C]    community.st.com/t5/stm32-mcus-embedded-software/stm32h7-missing-usb-device-
 *           after-dfu-bootload/td-p/221810: product "DFU in FS Mode", SN 100364500000.
 *  [G0D]    github.com/dfu-rs/dfu-libusb/issues/4: G0B1 dfu-util -v: attributes 0x0b,
 *           detach 255 ms, transfer size 1024, "Internal Flash   ", 256 x 2048.
 *  [G0C1]   lsusb -vvv of an STM32G0C1 ROM, community.st.com td-p/839156:
 *           bcdUSB 2.00, bMaxPacketSize0 64, bcdDevice 2.00, "DFU in FS Mode".
 *  [F7W]    github.com/fwupd/fwupd/issues/2696: F7 (1 MiB) log: "Internal Flash  ",
 *           4 x 32768, 1 x 131072, 3 x 262144, transfer size 2048, dnload=104.
 *  [CROW128] github.com/monome/crow/issues/128 (F722: transfer size 1024,
 *           "Internal Flash   ", the leave's get_status fails).
 *  [CROW155] github.com/monome/crow/issues/155 (F722: DFU_DETACH fails).
 *  [G431OB] community.st.com td-p/574813 (G431: "Option Bytes   ", three spaces).
 *  [NVA]    github.com/owenduffy/NanoVNA-App UploadFirmwareUnit.cpp (a copy of
 *           OneOfEleven's NanoVNA-App): the device and string descriptors read from
 *           an STM32F072 and an STM32F303 ROM with ST's DfuSe library: bcdDevice
 *           0x2200 ("ver: 34.00"), "STM32  BOOTLOADER", the two alt strings; serial
 *           FFFFFFFEFFFF on the F072, a UID-derived serial (205C366B2039) on the F303.
 *  [TNC3]   github.com/mobilinkd/tnc3-firmware/issues/12: dfu-util -l of the TNC3's
 *           STM32L433 ROM (the L43x ROM; -DSTM32L433xx in that repository's README).
 *  [NXH7]   github.com/apache/nuttx Documentation/platforms/arm/stm32h7/boards/
 *           weact-stm32h750/index.rst: dfu-util -l of an H750 ROM, ver=0200,
 *           "@Option Bytes   /0x5200201C/01*128 e", "@Internal Flash   /0x08000000/16*128Kg".
 *  [H5C]    github.com/chcbaram/stm32h563-core firmware/docs/28-web.md (an H563 ROM
 *           read with STM32_Programmer_CLI -l usb / ioreg): "DFU in FS Mode",
 *           bcdDevice 0x0300, DFU version 0x011a, device ID 0x484, alt 0
 *           "@Internal Flash   /0x08000000/256*08Kg"; its other alts are not listed.
 *  [WBC]    community.st.com/t5/stm32-mcus-wireless/nucleo-wb55rg-board-fw-update/td-p/814513
 *           and .../stm32wb-p-nucleo-wb55-fus-upgrade-57562: STM32CubeProgrammer over
 *           the WB55 ROM's DFU: product "DFU in FS Mode", FW version 0x011a, device
 *           ID 0x0495, option bytes uploaded from 0x1FFF8000, 128 bytes.
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
#define FF4  0xFF, 0xFF, 0xFF, 0xFF
#define FF8  FF4, FF4
#define FF16 FF8, FF8
#define FF32 FF16, FF16

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
	FF32,
	FF32,
	FF16,
	FF4,
};

/*
 * F0/F3 option bytes at 0x1FFFF800 (RM0091 §4.1, RM0316 §4.1): RDP/nRDP,
 * USER/nUSER, DATA0/1, WRP0-3, each byte followed by its complement; factory
 * RDP 0xAA (level 0). ASSUMPTION: USER and DATA at their erased 0xFF.
 */
static const uint8_t f0_ob[16] = {0xAA, 0x55, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
				  0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};

/*
 * G4 option bytes, two regions of 48 bytes (bank 1 at 0x1FFF7800, bank 2 at
 * 0x1FFFF800, docs/real-rom-facts.md). FLASH_OPTR first (RDP 0xAA in bits
 * 7:0, RM0440 §3.4.1); ASSUMPTION: the other double words read as the L4
 * pattern (value then complement), the remainder as 0xFF.
 */
static const uint8_t g4_ob[96] = {
	0xAA, 0xF8, 0xEF, 0xFF, 0x55, 0x07, 0x10, 0x00, FF8, FF8, FF8, FF8, FF8,
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, FF8, FF8, FF8, FF8, FF8,
};

/*
 * U5 option bytes alt: the FLASH option registers from FLASH_OPTR
 * (0x40022040, RM0456 §7.9.13; alt string from the Zephyr board docs and the
 * inertial-sense SDK dump). RDP in bits 7:0, 0xAA = level 0. ASSUMPTION: the
 * other registers read as 0xFF (no protection configured).
 */
static const uint8_t u5_ob[64] = {0xAA, 0xF8, 0xEF, 0x1F, FF4, FF8, FF16, FF32};

/* What every ST ROM in the dumps below shares: ST's ids and strings, a
 * self-powered configuration at 100 mA ([F4LS]), the DfuSe functional
 * descriptor bmAttributes 0x0B and wDetachTimeOut 255 ([G0D]), bcdDFU 1.1a. */
#define ST_ROM                                                                           \
	.id_vendor = 0x0483, .id_product = 0xDF11, .manufacturer = "STMicroelectronics", \
	.cfg_attributes = 0xC0, .cfg_max_power = 0x32, .dfu_attributes = 0x0B,           \
	.detach_timeout = 255, .bcd_dfu = 0x011A

/*
 * Re-enumeration delays: no public measurement of a ROM's or an
 * application's time to enumerate was found for any family, so every model
 * keeps the testbed's figures (300 ms until the ROM is seen again, 400 ms
 * until the application is; see emu_reenum_delay_ms).
 */
#define REENUM .rom_back_ms = 300, .app_back_ms = 400

/* Older ROMs (ver=2200, two spaces, "STM32  BOOTLOADER"; docs/real-rom-facts.md). */
#define OLD_ROM ST_ROM, REENUM, .bcd_device = 0x2200, .product = "STM32  BOOTLOADER"
/* Newer ROMs (ver=0200, three spaces, "DFU in FS Mode"; [G0C1], [H7C]). */
#define NEW_ROM ST_ROM, REENUM, .bcd_usb = 0x0200, .product = "DFU in FS Mode"

/* The F4 ROM's flash timing and poll reports, shared by families that follow it. */
#define F4_POLL                                                                    \
	.poll_write_ms = 104, .poll_erase_ms = 100, .poll_mass_erase_ms = 100,     \
	.poll_set_address_ms = 0, .poll_leave_ms = 104, .leave_busy_ns = 104 * MS, \
	.bus_ns_per_byte = 1000, .busy = EMU_BUSY_BLOCK

/* ASSUMPTION (no public figure for G0-class ROMs): 50 ms write / 100 ms erase
 * as ST's device-library example [DP]. */
#define NEW_POLL                                                              \
	.poll_write_ms = 50, .poll_erase_ms = 100, .poll_mass_erase_ms = 100, \
	.poll_set_address_ms = 0, .bus_ns_per_byte = 1000, .busy = EMU_BUSY_BLOCK

/* The L4 ROM's reports (see the l4 entry) and its stall while busy [DP]. */
#define L4_POLL                                                                 \
	.poll_write_ms = 25, .poll_erase_ms = 25, .poll_mass_erase_ms = 50,     \
	.poll_set_address_ms = 0, .poll_leave_ms = 25, .leave_busy_ns = 1 * MS, \
	.bus_ns_per_byte = 1000, .busy = EMU_BUSY_STALL

/* 64-bit + 8 ECC bit flash of the L4/G0/G4/WB/C0 generation. ASSUMPTION
 * (figures recalled from DS10198/DS13560, tables not retrievable): 64-bit
 * program 81.7 us typ, page erase 22 ms typ, mass erase 22.1 ms per bank. */
#define ECC64_FLASH(page)                                                    \
	.prog_unit = 8, .prog_unit_ns = 81700, .erase = {{(page), 22 * MS}}, \
	.mass_erase_ns = 2 * 22100 * US

/* 128-bit + ECC flash with 8 KiB pages (U5, H5). ASSUMPTION (DS13086 table
 * not retrievable): quad-word program 118 us typ, page erase 1.5 ms typ,
 * bank erase 1.5 ms typ per bank. */
#define ECC128_FLASH                                                                \
	.prog_unit = 16, .prog_unit_ns = 118 * US, .erase = {{8 * KiB, 1500 * US}}, \
	.mass_erase_ns = 2 * 1500 * US

/* F0/F3 flash: half-word programming, 2 KiB pages. ASSUMPTION (recalled from
 * DS9826/DS9118 "Flash memory characteristics", not retrieved): 16-bit
 * program 40 us typ, page erase 20 ms typ, mass erase 20 ms typ. */
#define F0_FLASH                                                                \
	.prog_unit = 2, .prog_unit_ns = 40 * US, .erase = {{2 * KiB, 20 * MS}}, \
	.mass_erase_ns = 20 * MS

static const struct emu_chip chips[] = {
	{
		.name = "f405",
		.description = "STM32F405/407/415 ROM (1 MiB, no ECC) [F4L]",
		OLD_ROM,
		.bcd_usb = 0x0100, /* [F4LS] bcdUSB 1.00 */
		.transfer_size = 2048,
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
				/* [MODM]: 104 ms reported after a 2 KiB write and for
				 * the leave; 100 ms for erase and mass erase. */
				F4_POLL,
			},
		/* [MODM]: leave = dfuDNBUSY (104 ms), dfuMANIFEST, disconnect. */
		.leave = EMU_LEAVE_BUSY_MANIFEST,
	},
	{
		.name = "l4",
		.description = "STM32L45x ROM (512 KiB, 2 KiB pages, ECC) [L4D]",
		OLD_ROM, /* [L4D] ver=2200 */
		/* ASSUMPTION: no L4 lsusb dump: bcdUSB as the F4 ROM of the same
		 * ver=2200 generation [F4LS]. */
		.bcd_usb = 0x0100,
		/* ASSUMPTION: no L4 functional descriptor dump; 2048 as F4 (the
		 * L43x thread [L43] shows the L4 family advertising 2048). */
		.transfer_size = 2048,
		.n_alts = 4,
		.alt =
			{
				{"@Internal Flash  /0x08000000/0256*0002Kg", EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFF7800/01*040 e", EMU_MEM_OPTBYTES},
				{"@OTP Memory /0x1FFF7000/01*0001Ke", EMU_MEM_OTP},
				{"@Device Feature/0xFFFF0000/01*004 e", EMU_MEM_PLAIN},
			},
		.flash_base = 0x08000000,
		.flash_size = 512 * KiB,
		/* SRAM1 128 KiB + SRAM2 32 KiB contiguous at 0x20000000, SRAM2
		 * aliased at 0x10000000 (RM0394 §2.3). */
		.sram = {{0x20000000, 160 * KiB}, {0x10000000, 32 * KiB}},
		/* RM0394 §3.3.7: programming is by 64-bit double word with 8 ECC
		 * bits; programming a double word that is not erased sets PROGERR. */
		.ecc_unit = 8,
		.ob_default = l4_ob,
		.ob_size = sizeof(l4_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing =
			{
				ECC64_FLASH(2 * KiB),
				/* ASSUMPTION: the value the L4 ROM reports is not
				 * published. [DP] says it "reports too short a poll
				 * timeout" but gives no figure, while ROMs that stall
				 * GETSTATUS while busy are flashed fine by dfu-util,
				 * which sleeps exactly bwPollTimeout (openmv#1508: an
				 * F072 ROM fails pydfu with a stall, "I can program the
				 * chip without errors using dfu-util"). Unknown, so
				 * favour the peer: report enough to cover the modelled
				 * durations. The too-short report stays available as
				 * --fault quirk=short-poll. */
				L4_POLL,
			},
		/* ASSUMPTION: no L4 leave trace; like F4 (older ROM generation). */
		.leave = EMU_LEAVE_BUSY_MANIFEST,
		/* The issue tracker's virgin-chip report: a new L4 stays in the
		 * ROM after flashing until a power cycle (boot selection latched
		 * at power-on from the empty flash; RM0394 §2.6.1 "empty check"). */
		.q = {.empty_check = true},
	},
	{
		.name = "h7",
		.description = "STM32H743 ROM (2 MiB, 128 KiB sectors in two banks, ECC) [H7S]",
		NEW_ROM, /* [H7C] "DFU in FS Mode"; [H7] ver=0200 */
		.bcd_device = 0x0200,
		.transfer_size = 1024, /* [H7S] "Device returned transfer size 1024" */
		.n_alts = 2,
		.alt =
			{
				/* [NXH7] both alts verbatim (H750: the same ROM, ID 0x450) */
				{"@Internal Flash   /0x08000000/16*128Kg", EMU_MEM_FLASH},
				{"@Option Bytes   /0x5200201C/01*128 e", EMU_MEM_OPTBYTES},
			},
		.flash_base = 0x08000000,
		.flash_size = 2048 * KiB,
		/* DTCM 128 KiB, AXI SRAM 512 KiB, SRAM1-3 288 KiB (RM0433 §2.3). */
		.sram = {{0x20000000, 128 * KiB}, {0x24000000, 512 * KiB}, {0x30000000, 288 * KiB}},
		/* RM0433 §4.3.9: the flash word is 256 bits (+10 ECC bits);
		 * overwriting one that is not virgin is "not recommended" but
		 * not refused: no PROGERR (§4.7, see emu_chip). */
		.ecc_unit = 32,
		.unchecked_program = true,
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
				 * 6 s typ at x32. */
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
				.busy = EMU_BUSY_BLOCK,
			},
		/* [H7S], nuttx weact-stm32h750 docs: the leave's GETSTATUS fails.
		 * ASSUMPTION: which libusb error is not in the reports; pipe. */
		.leave = EMU_LEAVE_GETSTATUS_FAILS,
		.leave_fail = EMU_LEAVE_FAIL_PIPE,
	},
	{
		.name = "g0",
		.description = "STM32G0B1 ROM (512 KiB dual bank, 2 KiB pages, ECC) [G0D]",
		NEW_ROM,	       /* [G0C1] bcdUSB 2.00, "DFU in FS Mode" */
		.bcd_device = 0x0200,  /* [G0C1] bcdDevice 2.00 */
		.transfer_size = 1024, /* [G0D] */
		/* [G0D], BIQU dfu-util -l, bigtreetech/MMB#19: three alts, all
		 * the flash, three spaces; no option-byte or OTP alt [G0C1]. */
		.n_alts = 3,
		.alt =
			{
				{"@Internal Flash   /0x08000000/256*02Kg", EMU_MEM_FLASH},
				{"@Internal Flash   /0x08000000/256*02Kg", EMU_MEM_FLASH},
				{"@Internal Flash   /0x08000000/256*02Kg", EMU_MEM_FLASH},
			},
		.flash_base = 0x08000000,
		.flash_size = 512 * KiB,
		.sram = {{0x20000000, 144 * KiB}}, /* RM0444 §2.5: 144 KiB SRAM */
		/* RM0444 §3.3.8: 64-bit double word programming with 8 ECC bits;
		 * programming a non-erased double word sets PROGERR. */
		.ecc_unit = 8,
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
				NEW_POLL,
			},
		/* Klipper3d/klipper#5596, ST staff on G0B1 (the host should not
		 * even send the GETSTATUS: the device is already gone). */
		.leave = EMU_LEAVE_GETSTATUS_FAILS,
		.leave_fail = EMU_LEAVE_FAIL_NODEV,
	},
	{
		.name = "f072",
		.description =
			"STM32F072xB ROM (128 KiB, 2 KiB pages, half-word programming) [NVA]",
		OLD_ROM,	   /* [NVA] bcdDevice 0x2200, "STM32  BOOTLOADER" */
		.bcd_usb = 0x0100, /* ASSUMPTION: as the F4 ROM of the same generation */
		/* ASSUMPTION: [NVA] gives no functional descriptor; 2048 as the
		 * F4 ROM [F4L] (no F0 dfu-util -v log with an address was found). */
		.transfer_size = 2048,
		.n_alts = 2,
		.alt =
			{
				/* [NVA] desc 4 and desc 5 */
				{"@Internal Flash  /0x08000000/064*0002Kg", EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFFF800/01*016 e", EMU_MEM_OPTBYTES},
			},
		.flash_base = 0x08000000,
		.flash_size = 128 * KiB,
		.sram = {{0x20000000, 16 * KiB}}, /* RM0091 §2.3: 16 KiB SRAM */
		/* RM0091 §3.2.2: programming is by half-word; a half-word that is
		 * not erased cannot be programmed (PGERR): modelled as a 2-byte
		 * "program once after erase" unit. */
		.ecc_unit = 2,
		.unit_by_value = true,
		.ob_default = f0_ob,
		.ob_size = sizeof(f0_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing = {F0_FLASH, F4_POLL},	  /* ASSUMPTION: poll reports as F4 */
		.leave = EMU_LEAVE_BUSY_MANIFEST, /* ASSUMPTION: as F4 (older ROM) */
		/* [NVA] desc 3: the F072 ROM's serial is the constant FFFFFFFEFFFF. */
		.q = {.const_serial = "FFFFFFFEFFFF"},
	},
	{
		.name = "f303",
		.description =
			"STM32F303xC ROM (256 KiB, 2 KiB pages, half-word programming) [NVA]",
		OLD_ROM,	       /* [NVA] bcdDevice 0x2200, "STM32  BOOTLOADER" */
		.bcd_usb = 0x0100,     /* ASSUMPTION: as F4 */
		.transfer_size = 2048, /* ASSUMPTION: as F4/F072 */
		.n_alts = 2,
		/* [NVA] desc 4 and desc 5 of an F303 ROM; its serial is derived
		 * from the UID (205C366B2039), not constant as on the F072. */
		.alt =
			{
				{"@Internal Flash  /0x08000000/128*0002Kg", EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFFF800/01*016 e", EMU_MEM_OPTBYTES},
			},
		.flash_base = 0x08000000,
		.flash_size = 256 * KiB,
		.sram = {{0x20000000, 40 * KiB},
			 {0x10000000, 8 * KiB}}, /* RM0316 §3.3: SRAM, CCM */
		.ecc_unit = 2, /* RM0316 §4.2.3: half-word programming, PGERR if not erased */
		.unit_by_value = true,
		.ob_default = f0_ob,
		.ob_size = sizeof(f0_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing = {F0_FLASH, F4_POLL},
		.leave = EMU_LEAVE_BUSY_MANIFEST,
	},
	{
		.name = "f746",
		.description = "STM32F746 ROM (1 MiB, 32K/128K/256K sectors) [F7W]",
		OLD_ROM,	       /* [F7W] "Internal Flash  " (two spaces): older ROM */
		.bcd_usb = 0x0100,     /* ASSUMPTION: as F4 */
		.transfer_size = 2048, /* [F7W] "Device returned transfer size 2048" */
		/* [F7W] shows the flash alt only; the option-byte and OTP alt
		 * strings of the F7 ROM were not found, so they are not modelled. */
		.n_alts = 1,
		.alt = {{"@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg", EMU_MEM_FLASH}},
		.flash_base = 0x08000000,
		.flash_size = 1024 * KiB,
		/* DTCM 64 KiB + SRAM1 240 KiB + SRAM2 16 KiB contiguous (RM0385 §2.2.2). */
		.sram = {{0x20000000, 320 * KiB}},
		.ecc_unit = 0, /* RM0385 §3: no ECC on the F74x embedded flash */
		.timing =
			{
				/* ASSUMPTION (DS10916 table recalled, not retrieved):
				 * word program 16 us (x32); sector erase 32K 400 ms,
				 * 128K 1.1 s, 256K 2 s; mass erase 16 s. */
				.prog_unit = 4,
				.prog_unit_ns = 16 * US,
				.erase = {{32 * KiB, 400 * MS},
					  {128 * KiB, 1100 * MS},
					  {256 * KiB, 2000 * MS}},
				.mass_erase_ns = 16000 * MS,
				F4_POLL, /* [F7W] "dnload=104" after every 2 KiB write */
			},
		.leave = EMU_LEAVE_BUSY_MANIFEST, /* ASSUMPTION: as F4 (older ROM) */
	},
	{
		.name = "f722",
		.description = "STM32F722 ROM (512 KiB, 16K/64K/128K sectors) [CROW128]",
		/* [CROW128] "Internal Flash   " (three spaces), transfer 1024: the
		 * newer ROM generation; ASSUMPTION: its ver=0200 and product. */
		NEW_ROM,
		.bcd_device = 0x0200,
		.transfer_size = 1024, /* [CROW128] */
		/* RM0431 §3.3.1 sector map; only the flash alt is known. */
		.n_alts = 1,
		.alt = {{"@Internal Flash   /0x08000000/04*016Kg,01*064Kg,03*128Kg",
			 EMU_MEM_FLASH}},
		.flash_base = 0x08000000,
		.flash_size = 512 * KiB,
		.sram = {{0x20000000, 256 * KiB}}, /* RM0431 §2.2.2: DTCM+SRAM1+SRAM2 */
		.ecc_unit = 0,
		.timing =
			{
				/* ASSUMPTION: the F4 flash figures (same 16/64/128K
				 * sector generation). */
				.prog_unit = 4,
				.prog_unit_ns = 16 * US,
				.erase = {{16 * KiB, 250 * MS},
					  {64 * KiB, 550 * MS},
					  {128 * KiB, 1000 * MS}},
				.mass_erase_ns = 8000 * MS,
				F4_POLL,
			},
		/* [CROW128]: "Error during download get_status" after :leave. */
		.leave = EMU_LEAVE_GETSTATUS_FAILS,
		.leave_fail = EMU_LEAVE_FAIL_PIPE,
		/* [CROW155]: DFU_DETACH in DFU mode fails ("can't detach"). */
		.q = {.detach_stalls = true},
	},
	{
		.name = "g474",
		.description = "STM32G474xE ROM (512 KiB, 2 KiB pages, ECC, 1024-byte writes)",
		NEW_ROM, /* ASSUMPTION: G0 pattern ([G431OB] shows the three spaces) */
		.bcd_device = 0x0200,
		.transfer_size = 1024,
		.n_alts = 3,
		/* docs/real-rom-facts.md G474 row (option bytes in two regions,
		 * OTP); ASSUMPTION: the flash string in the G0 form for 256 pages
		 * of 2 KiB (dual bank, DBANK=1 factory setting, RM0440 §3.3.1). */
		.alt =
			{
				{"@Internal Flash   /0x08000000/256*02Kg", EMU_MEM_FLASH},
				{"@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e",
				 EMU_MEM_OPTBYTES},
				{"@OTP Memory   /0x1FFF7000/01*1024 e", EMU_MEM_OTP},
			},
		.flash_base = 0x08000000,
		.flash_size = 512 * KiB,
		.sram = {{0x20000000, 96 * KiB}, {0x10000000, 32 * KiB}}, /* SRAM1+2, CCM */
		.ecc_unit = 8,
		.ob_default = g4_ob,
		.ob_size = sizeof(g4_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing = {ECC64_FLASH(2 * KiB), NEW_POLL},
		.leave = EMU_LEAVE_GETSTATUS_FAILS, /* ASSUMPTION: as G0 (same generation) */
		.leave_fail = EMU_LEAVE_FAIL_PIPE,
		/* docs/real-rom-facts.md: writes are accepted only in 1024-byte
		 * blocks. ASSUMPTION: a shorter block fails with errTARGET. */
		.q = {.write_only = 1024},
	},
	{
		.name = "l432",
		.description = "STM32L432xC ROM (256 KiB, 2 KiB pages, ECC) [L43]",
		OLD_ROM, /* [TNC3] ver=2200 */
		.bcd_usb = 0x0100,
		.transfer_size = 2048, /* [L43] advertised (DfuSe Demo "TransferSize: 2048") */
		.n_alts = 4,
		.alt =
			{
				/* [TNC3]: the four alts of an L433 ROM, verbatim */
				{"@Internal Flash  /0x08000000/0128*0002Kg", EMU_MEM_FLASH},
				{"@Option Bytes  /0x1FFF7800/01*040 e", EMU_MEM_OPTBYTES},
				{"@OTP Memory /0x1FFF7000/01*0001Ke", EMU_MEM_OTP},
				{"@Device Feature/0xFFFF0000/01*004 e", EMU_MEM_PLAIN},
			},
		.flash_base = 0x08000000,
		.flash_size = 256 * KiB,
		.sram = {{0x20000000, 64 * KiB}, {0x10000000, 16 * KiB}}, /* RM0394 §2.3 */
		.ecc_unit = 8,
		.ob_default = l4_ob,
		.ob_size = sizeof(l4_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing =
			{
				ECC64_FLASH(2 * KiB),
				/* [L43]: "Poll timeout 21 ms" with 1024-byte blocks;
				 * the rest as the l4 entry. */
				.poll_write_ms = 21,
				.poll_erase_ms = 25,
				.poll_mass_erase_ms = 50,
				.poll_set_address_ms = 0,
				.poll_leave_ms = 25,
				.leave_busy_ns = 1 * MS,
				.bus_ns_per_byte = 1000,
				.busy = EMU_BUSY_STALL,
			},
		.leave = EMU_LEAVE_BUSY_MANIFEST,
		/* [L43]: 2048-byte downloads fail ("Error during download
		 * get_status", "Pipe error"); -t 1024 works. */
		.q = {.xfer_works_max = 1024, .empty_check = true},
	},
	{
		.name = "u585",
		.description = "STM32U585xI ROM (2 MiB, 8 KiB pages, 16-byte ECC unit) [U5IS]",
		NEW_ROM, /* docs/real-rom-facts.md U5 row: ver 0200, "DFU in FS Mode" */
		.bcd_device = 0x0200,
		.transfer_size = 1024, /* ASSUMPTION: as the other newer ROMs */
		.n_alts = 3,
		.alt =
			{
				/* [U5IS] strings (a 1 MiB U575 there), 256 pages for 2 MiB */
				{"@Internal Flash   /0x08000000/256*08Kg", EMU_MEM_FLASH},
				{"@Option Bytes   /0x40022040/01*64 e", EMU_MEM_OPTBYTES},
				{"@OTP Memory   /0x0BFA0000/01*512 e", EMU_MEM_OTP},
			},
		.flash_base = 0x08000000,
		.flash_size = 2048 * KiB,
		.sram = {{0x20000000, 768 * KiB}}, /* SRAM1-3 contiguous (RM0456 §2.3.2) */
		.ecc_unit = 16, /* RM0456 §7.3.7: quad-word (128-bit) programming with ECC */
		.ob_default = u5_ob,
		.ob_size = sizeof(u5_ob),
		.ob_rdp_offset = 0,
		.ob_rdp_level0 = 0xAA,
		.ob_rdp_level1 = 0xBB,
		.timing = {ECC128_FLASH, NEW_POLL},
		/* The issue tracker's U5 report: the leave's GETSTATUS fails. */
		.leave = EMU_LEAVE_GETSTATUS_FAILS,
		.leave_fail = EMU_LEAVE_FAIL_IO, /* ASSUMPTION: which error is not reported */
	},
	{
		.name = "h563",
		.description = "STM32H563xI ROM (2 MiB, 8 KiB sectors, ECC)",
		NEW_ROM,	       /* [H5C] "DFU in FS Mode" */
		.bcd_device = 0x0300,  /* [H5C] bcdDevice 0x0300 */
		.transfer_size = 1024, /* ASSUMPTION */
		.n_alts = 1,	       /* [H5C] alt 0 verbatim; the other alts were not found */
		.alt = {{"@Internal Flash   /0x08000000/256*08Kg", EMU_MEM_FLASH}},
		.flash_base = 0x08000000,
		.flash_size = 2048 * KiB,
		.sram = {{0x20000000, 640 * KiB}},  /* SRAM1-3 (RM0481 §2.3.2) */
		.ecc_unit = 16,			    /* RM0481 §7.3.8: quad-word programming, ECC */
		.timing = {ECC128_FLASH, NEW_POLL}, /* ASSUMPTION: as U5 (same flash generation) */
		/* docs/real-rom-facts.md: a leave from the H563 ROM locks up.
		 * ASSUMPTION: how it locks up. No public report of the H5 ROM's
		 * DFU leave was found; the closest public facts are AN2662's
		 * DfuSe leave (the ROM jumps to the Address Pointer, and where no
		 * executable code is there it resets and, by the boot pins, may
		 * re-enter the bootloader) and an H563 whose ROM "GO" did not run
		 * the application, which needed VTOR set by the application
		 * (community.st.com/t5/stm32-mcus-products/stm32h563-nucleo-failed-
		 * to-execute-a-image-in-flash-using-usart/td-p/878282). Modelled:
		 * the device stays on the bus and answers nothing, not even after
		 * a USB reset or with Set Address to the application's base first,
		 * until a power cycle (the emulator restarted). */
		.leave = EMU_LEAVE_LOCKS_UP,
	},
	{
		.name = "wb55",
		.description = "STM32WB55xG ROM (1 MiB, 4 KiB pages, ECC)",
		NEW_ROM,	       /* [WBC] "DFU in FS Mode" */
		.bcd_device = 0x0200,  /* ASSUMPTION: [WBC] gives no bcdDevice */
		.transfer_size = 1024, /* ASSUMPTION: as the other newer ROMs */
		/* ASSUMPTION: no dfu-util -l of a WB55 ROM was found (docs/dumps/
		 * wb55.txt lists the searches). Flash string in the newer-ROM form
		 * for 256 pages of 4 KiB (RM0434 §3.3.1). [WBC] shows an option-byte
		 * region at 0x1FFF8000 (128 bytes), but not its alt string, so it
		 * is not modelled. */
		.n_alts = 1,
		.alt = {{"@Internal Flash   /0x08000000/256*04Kg", EMU_MEM_FLASH}},
		.flash_base = 0x08000000,
		.flash_size = 1024 * KiB,
		.sram = {{0x20000000, 256 * KiB}}, /* SRAM1 + SRAM2a/b (RM0434 §2.2) */
		.ecc_unit = 8,
		.timing = {ECC64_FLASH(4 * KiB), NEW_POLL},
		.leave = EMU_LEAVE_GETSTATUS_FAILS, /* ASSUMPTION: newer-ROM pattern */
		.leave_fail = EMU_LEAVE_FAIL_PIPE,
	},
	{
		.name = "c071",
		.description = "STM32C071xB ROM (128 KiB, 2 KiB pages, ECC)",
		/* ASSUMPTION: no public dump of a C0 ROM was found (docs/dumps/
		 * c071.txt lists the searches); identity, transfer size and the
		 * flash string follow the G0 ROM [G0C1] [G0D], 64 pages of 2 KiB. */
		NEW_ROM,
		.bcd_device = 0x0200,
		.transfer_size = 1024,
		.n_alts = 1,
		.alt = {{"@Internal Flash   /0x08000000/64*02Kg", EMU_MEM_FLASH}},
		.flash_base = 0x08000000,
		.flash_size = 128 * KiB,
		.sram = {{0x20000000, 24 * KiB}}, /* RM0490 §2.3: 24 KiB SRAM */
		.ecc_unit = 8,			  /* RM0490 §3.3.7: 64-bit + ECC, as G0 */
		.timing = {ECC64_FLASH(2 * KiB), NEW_POLL},
		.leave = EMU_LEAVE_GETSTATUS_FAILS,
		.leave_fail = EMU_LEAVE_FAIL_PIPE,
		/* docs/dfuse-protocol.md: the C0 leave failed until Set Address
		 * (the flash base) was sent before the zero-length DNLOAD. */
		.q = {.leave_needs_set_address = true},
	},
};

static const char *const chip_names[] = {"f405", "l4",	 "h7",	 "g0",	 "f072",
					 "f303", "f746", "f722", "g474", "l432",
					 "u585", "h563", "wb55", "c071", NULL};

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

unsigned emu_chip_reenum_ms(const struct emu_chip *chip, bool app)
{
	return app ? chip->app_back_ms : chip->rom_back_ms;
}
