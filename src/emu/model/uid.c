/* SPDX-License-Identifier: MIT */
/*
 * The chip's 96-bit unique ID (UID): where each family keeps it, whether its
 * ROM bootloader lets a DfuSe UPLOAD read it, and the iSerialNumber the ROM
 * derives from it. docs/chip-uid.md is the table of these facts.
 *
 * A DfuSe ROM reads the memories it names (AN2662 §4.4.1: internal flash,
 * RAM, system memory, option bytes; AN3156 names them as alts), and no
 * known ROM has an alt over the UID. The one public report of a ROM
 * returning the UID reads it by address, outside every alt (G0 below); the
 * G0 ROM does the same for its option bytes (optbytes.c). Elsewhere the
 * emulator refuses the read (errTARGET, as for any address outside the
 * alts), as a real ROM may.
 */
#include <stdio.h>
#include <string.h>

#include "rom_internal.h"

/* How the ROM turns the UID into its 12-hex-digit serial number. */
enum uid_serial {
	/* ST's USB device library and the F2/F4 ROMs (disassembly in
	 * github.com/libopencm3/libopencm3/issues/760): UID0 + UID2 as 8 hex
	 * digits, then the top 16 bits of UID1. */
	SERIAL_UID1_HI,
	/* The F3 ROM (same issue, F3 disassembly): the top 16 bits of UID2. */
	SERIAL_UID2_HI,
};

/* What the ROM does with the UID's address, outside every alt. */
enum uid_access {
	UID_REFUSED,  /* Set Address there fails with errTARGET, as anywhere outside the alts */
	UID_SET_ONLY, /* Set Address is accepted, the UPLOAD then fails (errTARGET) */
	UID_READS,    /* Set Address and UPLOAD work: the UID comes back */
};

struct uid_fact {
	const char *chip;
	uint32_t addr; /* UID0; UID1, UID2 follow (the RMs' device electronic signature) */
	enum uid_access access;
	enum uid_serial serial;
};

/*
 * Addresses: RM0090 §39 (F4), RM0351 §48 (L4), RM0394 (device electronic signature) (L43x),
 * RM0433 §61 (H7), RM0444 §40 (G0), RM0091 §33 (F0), RM0316 §34 (F3),
 * RM0385 §45 (F74x), RM0431 §41 (F72x: 0x1FF07A10, as micropython
 * ports/stm32/mpconfigboard_common.h has it), RM0440 §48 (G4), RM0456 §75
 * (U5), RM0481 §59 (H5), RM0434 §39 (WB), stm32c071xx.h UID_BASE (C0).
 *
 * f405 refuses: community.st.com "Can you read the Device Electronic
 * Signature via DFU mode?" (2013, F40x): Set Address 0x1FFF7A10 returns no
 * error, the UPLOAD after it returns no data; the OTP alt ends at
 * 0x1FFF7A0F, just before the UID.
 * g0 reads: github.com/ZOUDIO/purple-pedal, zephyr_sdk/app_purple_pedal/
 * README.md "How to read STM32 unique ID using DFU": `dfu-util -d 0483:df11
 * -a 0 -s 0x1FFF7590:12:force -U uid.bin` on a Cortex-M0+ part whose UID a
 * J-Link reads at 0x1FFF7590 (":force" skips dfu-util's own alt check, so
 * the ROM answered). ASSUMPTION: that part is a G0 (the G0's UID address;
 * the project's board file later names a C071, whose UID is at 0x1FFF7550).
 * ASSUMPTION for every other family: no public report either way; the
 * emulator refuses the address as it does any outside the alts.
 */
static const struct uid_fact facts[] = {
	{"f405", 0x1FFF7A10, UID_SET_ONLY, SERIAL_UID1_HI},
	{"l4", 0x1FFF7590, UID_REFUSED, SERIAL_UID1_HI},
	{"l432", 0x1FFF7590, UID_REFUSED, SERIAL_UID1_HI},
	{"h7", 0x1FF1E800, UID_REFUSED, SERIAL_UID1_HI},
	{"g0", 0x1FFF7590, UID_READS, SERIAL_UID1_HI},
	{"f072", 0x1FFFF7AC, UID_REFUSED, SERIAL_UID1_HI},
	{"f303", 0x1FFFF7AC, UID_REFUSED, SERIAL_UID2_HI},
	{"f746", 0x1FF0F420, UID_REFUSED, SERIAL_UID1_HI},
	{"f722", 0x1FF07A10, UID_REFUSED, SERIAL_UID1_HI},
	{"g474", 0x1FFF7590, UID_REFUSED, SERIAL_UID1_HI},
	{"u585", 0x0BFA0700, UID_REFUSED, SERIAL_UID1_HI},
	{"h563", 0x08FFF800, UID_REFUSED, SERIAL_UID1_HI},
	{"wb55", 0x1FFF7590, UID_REFUSED, SERIAL_UID1_HI},
	{"c071", 0x1FFF7550, UID_REFUSED, SERIAL_UID1_HI},
};

static const struct uid_fact *fact_of(const struct emu_chip *c)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (!strcmp(facts[i].chip, c->name))
			return &facts[i];
	return NULL;
}

static void put_word(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void rom_uid_init(struct emu_rom *rom, unsigned board, bool keep_serial)
{
	const struct uid_fact *f = fact_of(rom->chip);
	/*
	 * ASSUMPTION: a UID in the shape of real ones (UID0 the wafer X/Y
	 * coordinates, UID1/UID2 wafer and lot number, RM0351 §48), distinct
	 * per board index, the same across re-plugs (it lives in the ROM model).
	 * UID1's top half is chosen so that the serial numbers stay those the
	 * emulator has always shown (README: board 1 of an f405 is 345435653137).
	 */
	uint32_t uid0 = 0x00200030u + board * 0x00010003u;
	uint32_t uid1 =
		(uint32_t)((0x3136u ^ (board & 0xFFFFu)) << 16) | ((0x470Du + board) & 0xFFFFu);
	uint32_t uid2 = 0x34333532u;
	uint32_t tail = f && f->serial == SERIAL_UID2_HI ? uid2 >> 16 : uid1 >> 16;

	put_word(rom->uid, uid0);
	put_word(rom->uid + 4, uid1);
	put_word(rom->uid + 8, uid2);
	if (keep_serial)
		return;
	snprintf(rom->app_serial, sizeof(rom->app_serial), "%08X%04X", uid0 + uid2, (unsigned)tail);
	snprintf(rom->serial, sizeof(rom->serial), "%s",
		 rom->chip->q.const_serial ? rom->chip->q.const_serial : rom->app_serial);
}

static bool in_uid(const struct uid_fact *f, uint64_t addr)
{
	return f && addr >= f->addr && addr < (uint64_t)f->addr + EMU_UID_LEN;
}

bool rom_uid_set_address_ok(const struct emu_rom *rom, uint32_t addr)
{
	const struct uid_fact *f = fact_of(rom->chip);

	return in_uid(f, addr) && f->access != UID_REFUSED;
}

uint32_t rom_uid_read(const struct emu_rom *rom, uint64_t addr, uint8_t *dst, uint32_t len)
{
	const struct uid_fact *f = fact_of(rom->chip);
	uint32_t n;

	if (!in_uid(f, addr) || f->access != UID_READS)
		return 0;
	n = (uint32_t)(f->addr + EMU_UID_LEN - addr);
	n = n < len ? n : len;
	memcpy(dst, rom->uid + (addr - f->addr), n);
	return n;
}

const uint8_t *emu_rom_uid(const struct emu_rom *rom, uint32_t *addr, bool *rom_reads)
{
	const struct uid_fact *f = fact_of(rom->chip);

	if (addr)
		*addr = f ? f->addr : 0;
	if (rom_reads)
		*rom_reads = f && f->access == UID_READS;
	return rom->uid;
}
