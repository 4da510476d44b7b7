/* SPDX-License-Identifier: MIT */
/*
 * The emulated chips' option bytes: factory image and writable bits from the
 * reference manuals, the effect of a write, and what the chip boots next.
 *
 * Layouts are those of src/lib/chip (the same RM sections): F4 RM0090
 * §3.7.1; F0 RM0091 §4.1; F3 RM0316 §4.1; L4 RM0351 §3.4.1 / RM0394 §3.4.1;
 * G4 RM0440 §3.4.1; G0 RM0444 §3.4.1; H7 RM0433 §4.9 (the ROM maps the
 * option registers from FLASH_OPTSR_CUR); U5 RM0456 §7.9.13ff (from
 * FLASH_OPTR). Factory values are the RMs' "ST production value" or
 * register reset values where given; the rest is marked ASSUMPTION.
 *
 * A write replaces the image but for bits the RM calls reserved (they keep
 * their value); on H7 the *_PRG words written take effect in the *_CUR
 * words (RM0433 §4.4.3). The RDP byte decides the level: 0xAA level 0,
 * 0xCC level 2, anything else level 1; going from level 1 to level 0
 * mass-erases the flash (RM0090 §3.7.3, RM0351 §3.5.1...).
 *
 * Boot after a reset, with the board's BOOT0 pin held high: AN2606 (the
 * per-family boot patterns) and the RMs' boot sections. RDP level 2
 * disables the ROM bootloader (AN2606: "level 2 ... the bootloader is not
 * available"): the chip runs its application, if any, and nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "optbytes.h"
#include "rom_internal.h"

enum shadow { SH_NONE, SH_COMPL, SH_PAIRS, SH_PRG };

struct ob_model {
	const char *chip;
	uint32_t size;
	const uint8_t *factory;
	const uint8_t *writable; /* per byte: the bits a write may change */
	uint32_t rdp_offset;
	enum shadow shadow;
	uint32_t hidden; /* != 0: no alt; reached at this address through the flash alt */
	enum emu_boot_target (*boot)(const uint8_t *ob, bool app, bool blank);
};

#define LE(w)	(uint8_t)(w), (uint8_t)((w) >> 8), (uint8_t)((w) >> 16), (uint8_t)((w) >> 24)
#define PAIR(w) LE(w), LE(~(uint32_t)(w))
#define FF4	0xFF, 0xFF, 0xFF, 0xFF
#define Z4	0, 0, 0, 0
#define FF16	FF4, FF4, FF4, FF4

static uint32_t w32(const uint8_t *ob, uint32_t off)
{
	return (uint32_t)ob[off] | (uint32_t)ob[off + 1] << 8 | (uint32_t)ob[off + 2] << 16 |
	       (uint32_t)ob[off + 3] << 24;
}

static bool bit(const uint8_t *ob, uint32_t off, unsigned n)
{
	return (w32(ob, off) >> n) & 1u;
}

static enum emu_boot_target flash_or(bool app, enum emu_boot_target blank)
{
	return app ? EMU_BOOT_APP : blank;
}

/* ---- F4: USER byte, RDP byte, nWRP at +8 (RM0090 §3.7.1 Table 16) ------ */

static const uint8_t f4_factory[16] = {0xEC, 0xAA, FF4, 0xFF, 0xFF, 0xFF, 0x0F, FF4, 0xFF, 0xFF};
/* USER bits 0-1 are not option bits; BFB2 (bit 4) is reserved on F405/407. */
static const uint8_t f4_writable[16] = {0xEC, 0xFF, Z4, 0, 0, 0xFF, 0x0F};

static enum emu_boot_target f4_boot(const uint8_t *ob, bool app, bool blank)
{
	(void)ob, (void)app, (void)blank;
	return EMU_BOOT_ROM; /* BOOT0/BOOT1 pins only (RM0090 §2.4) */
}

/* ---- F0/F3: byte pairs (RM0091 §4.1, RM0316 §4.1) ------------------------ */

static const uint8_t f0_factory[16] = {0xAA, 0x55, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
				       0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};
/* USER bits 3 (nBOOT0) and 7 (BOOT_SEL) exist on F04x/F09x only. */
static const uint8_t f0_writable[16] = {0xFF, 0xFF, 0x77, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

static enum emu_boot_target f0_boot(const uint8_t *ob, bool app, bool blank)
{
	(void)app, (void)blank;
	return (ob[2] & 0x10) ? EMU_BOOT_ROM : EMU_BOOT_NOTHING; /* nBOOT1=0: SRAM */
}

/* ---- L4 / G4: FLASH_OPTR then complement, 64-bit pairs -------------------- */

/* RM0351 §3.7.8: OPTR production value 0xFFEFF8AA. ASSUMPTION: PCROP1SR
 * 0xFFFFFFFF with PCROP1ER 0 (start > end: no PCROP), WRPxyR 0xFF00FFFF
 * (STRT 0xFF > END 0: no write protection), the register reset values. */
static const uint8_t l4_factory[40] = {PAIR(0xFFEFF8AA), PAIR(0xFFFFFFFF), PAIR(0x00000000),
				       PAIR(0xFF00FFFF), PAIR(0xFF00FFFF)};
static const uint8_t l4_writable[40] = {LE(0x0FBF77FF), Z4, LE(0x0000FFFF), Z4, LE(0x8000FFFF), Z4,
					LE(0x00FF00FF), Z4, LE(0x00FF00FF), Z4};

/* RM0440 §3.7.8: OPTR production value 0xFFEFF8AA; bank 2 region at +48. */
static const uint8_t g4_factory[96] = {
	PAIR(0xFFEFF8AA), PAIR(0xFFFFFFFF), PAIR(0x00000000), PAIR(0xFF00FFFF),
	PAIR(0xFF00FFFF), PAIR(0xFFFFFFFF), PAIR(0xFFFFFFFF), PAIR(0xFFFFFFFF),
	PAIR(0x00000000), PAIR(0xFF00FFFF), PAIR(0xFF00FFFF), PAIR(0xFFFFFFFF),
};
static const uint8_t g4_writable[96] = {
	LE(0x7FDF77FF),
	Z4,
	LE(0x00007FFF),
	Z4,
	LE(0x80007FFF),
	Z4,
	LE(0x007F007F),
	Z4,
	LE(0x007F007F),
	Z4,
	Z4,
	Z4,
	Z4,
	Z4,
	LE(0x00007FFF),
	Z4,
	LE(0x00007FFF),
	Z4,
	LE(0x007F007F),
	Z4,
	LE(0x007F007F),
	Z4,
	Z4,
	Z4,
};

/* L4/G4: nBOOT1 (23), nSWBOOT0 (26), nBOOT0 (27), BFB2 (20) (RM0351 §2.6). */
static enum emu_boot_target lg_boot(const uint8_t *ob, bool app, bool blank)
{
	(void)blank;
	if (!bit(ob, 0, 26) && bit(ob, 0, 27))
		return flash_or(app, EMU_BOOT_NOTHING);
	if (!bit(ob, 0, 23))
		return EMU_BOOT_NOTHING;
	if (bit(ob, 0, 20)) /* BFB2: the ROM jumps to a bank with a valid application */
		return flash_or(app, EMU_BOOT_ROM);
	return EMU_BOOT_ROM;
}

/* ---- G0: FLASH_OPTR pairs, SECR at +112 (RM0444 §3.4.1) ------------------- */

/* Production value 0xFFFFFEAA (G071/G0B1; qa-community.st.com "STM32 G071
 * System bootloader question"). ASSUMPTION: PCROP/WRP as on L4; SECR 0. */
static const uint8_t g0_factory[128] = {
	PAIR(0xFFFFFEAA), PAIR(0xFFFFFFFF), PAIR(0x00000000), PAIR(0xFF00FFFF),
	PAIR(0xFF00FFFF), PAIR(0xFFFFFFFF), PAIR(0x00000000), PAIR(0xFFFFFFFF),
	PAIR(0x00000000), PAIR(0xFF00FFFF), PAIR(0xFF00FFFF), PAIR(0xFFFFFFFF),
	PAIR(0x00000000), PAIR(0xFFFFFFFF), PAIR(0x00000000), PAIR(0xFFFFFFFF),
};
static const uint8_t g0_writable[128] = {
	LE(0x3F7FFFFF), Z4, LE(0x000001FF), Z4, LE(0x800001FF),		Z4,
	LE(0x007F007F), Z4, LE(0x007F007F), Z4, [112] = LE(0x0FF100FF),
};

/* AN2606 pattern 11: nBOOT_SEL (24), nBOOT1 (25), nBOOT0 (26), BOOT_LOCK. */
static enum emu_boot_target g0_boot(const uint8_t *ob, bool app, bool blank)
{
	if (bit(ob, 112, 16))
		return flash_or(app, EMU_BOOT_NOTHING);
	if (bit(ob, 0, 24) && bit(ob, 0, 26))
		return blank ? EMU_BOOT_ROM : flash_or(app, EMU_BOOT_NOTHING);
	return bit(ob, 0, 25) ? EMU_BOOT_ROM : EMU_BOOT_NOTHING;
}

/* ---- H7: *_CUR / *_PRG register pairs from OPTSR_CUR (RM0433 §4.9) -------- */

/* ASSUMPTION: OPTSR 0x1396AAF0 (RDP 0xAA, watchdogs software); the RM's
 * reset values for BOOT (BOOT_ADD0 0x0800, BOOT_ADD1 0x1FF0, RM0433
 * §4.9.18), WPSN 0xFF (no write protection), PRAR/SCAR start > end. */
static const uint8_t h7_factory[128] = {
	LE(0x1396AAF0),
	LE(0x1396AAF0),
	Z4,
	LE(0x000000FF),
	LE(0x000000FF),
	LE(0x000000FF),
	LE(0x000000FF),
	LE(0x000000FF),
	LE(0x000000FF),
	LE(0x1FF00800),
	LE(0x1FF00800),
	FF16,
	FF16,
	FF16,
	FF16,
	FF16,
	FF4,
};
/* The *_PRG words are what a write changes; reserved bits stay. */
static const uint8_t h7_writable[128] = {
	Z4, LE(0xA07EFFDC), Z4, Z4, LE(0x8FFF0FFF), Z4, LE(0x8FFF0FFF), Z4, LE(0x000000FF),
	Z4, LE(0xFFFFFFFF),
};

static enum emu_boot_target h7_boot(const uint8_t *ob, bool app, bool blank)
{
	(void)blank;
	if ((w32(ob, 36) >> 16) == 0x1FF0) /* BOOT_ADD1: the system memory */
		return EMU_BOOT_ROM;
	return (w32(ob, 36) >> 16) == 0x0800 ? flash_or(app, EMU_BOOT_NOTHING) : EMU_BOOT_NOTHING;
}

/* ---- U5: FLASH_OPTR, NSBOOTADDx, SECBOOTADD0, ... (RM0456 §7.9.13ff) ------ */

/* OPTR production value 0x1FEFF8AA (RM0456 §7.9.13); NSBOOTADD0 0x08000000,
 * NSBOOTADD1 0x0BF90000, SECBOOTADD0 0x0C000000 (§7.9.14-16). ASSUMPTION:
 * WRP areas start > end (no protection), the rest 0xFF. */
static const uint8_t u5_factory[64] = {
	LE(0x1FEFF8AA),
	LE(0x0800007F),
	LE(0x0BF9007F),
	LE(0x0C00007C),
	FF4,
	FF4,
	LE(0x0000007F),
	LE(0x0000007F),
	FF4,
	FF4,
	LE(0x0000007F),
	LE(0x0000007F),
	FF4,
	FF4,
	FF4,
	FF4,
};
static const uint8_t u5_writable[64] = {
	LE(0xFFFFF7FF),
	LE(0xFFFFFF80),
	LE(0xFFFFFF80),
	LE(0xFFFFFF81),
	Z4,
	Z4,
	LE(0x807F007F),
	LE(0x807F007F),
	Z4,
	Z4,
	LE(0x807F007F),
	LE(0x807F007F),
};

static enum emu_boot_target u5_boot(const uint8_t *ob, bool app, bool blank)
{
	(void)blank;
	if (bit(ob, 0, 31) || bit(ob, 12, 0)) /* TZEN or BOOT_LOCK: SECBOOTADD0 boots */
		return flash_or(app, EMU_BOOT_NOTHING);
	if (!bit(ob, 0, 26) && bit(ob, 0, 27))
		return flash_or(app, EMU_BOOT_NOTHING);
	return (w32(ob, 8) & ~0x7Fu) == 0x0BF90000 ? EMU_BOOT_ROM : EMU_BOOT_NOTHING;
}

static const struct ob_model models[] = {
	{"f405", 16, f4_factory, f4_writable, 1, SH_NONE, 0, f4_boot},
	{"f072", 16, f0_factory, f0_writable, 0, SH_PAIRS, 0, f0_boot},
	{"f303", 16, f0_factory, f0_writable, 0, SH_PAIRS, 0, f0_boot},
	{"l4", 40, l4_factory, l4_writable, 0, SH_COMPL, 0, lg_boot},
	{"l432", 40, l4_factory, l4_writable, 0, SH_COMPL, 0, lg_boot},
	{"g474", 96, g4_factory, g4_writable, 0, SH_COMPL, 0, lg_boot},
	/* No option-byte alt [G0C1]; STM32CubeProgrammer reads them at
	 * 0x1FFF7800 over USB DFU (qa-community.st.com, "Problem with
	 * STM32G0B0: failed to download Segment[0]"). ASSUMPTION: writes there
	 * are accepted like on the other ROMs; the one public report of a
	 * failing G0C1 write (community.st.com td-p/839156) gives no cause. */
	{"g0", 128, g0_factory, g0_writable, 0, SH_COMPL, 0x1FFF7800, g0_boot},
	{"h7", 128, h7_factory, h7_writable, 1, SH_PRG, 0, h7_boot},
	{"u585", 64, u5_factory, u5_writable, 0, SH_NONE, 0, u5_boot},
};

static const struct ob_model *model_of(const struct emu_rom *rom)
{
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (!strcmp(models[i].chip, rom->chip->name))
			return &models[i];
	return NULL;
}

/* ---- the model's hooks ------------------------------------------------------- */

bool emu_ob_set_rdp(struct emu_rom *rom, int level)
{
	const struct ob_model *m = model_of(rom);

	if (!m || !rom->ob)
		return false;
	rom->rdp = level ? 1 : 0;
	rom->ob[m->rdp_offset] = level ? 0xBB : 0xAA;
	if (m->shadow == SH_PAIRS)
		rom->ob[m->rdp_offset + 1] = (uint8_t)~rom->ob[m->rdp_offset];
	if (m->shadow == SH_COMPL)
		rom->ob[m->rdp_offset + 4] = (uint8_t)~rom->ob[m->rdp_offset];
	if (m->shadow == SH_PRG)
		rom->ob[m->rdp_offset + 4] = rom->ob[m->rdp_offset];
	return true;
}

int emu_ob_init(struct emu_rom *rom, int rdp_level)
{
	const struct ob_model *m = model_of(rom);

	if (!m)
		return 0;
	if (m->hidden && !rom->ob)
		rom->ob = malloc(m->size);
	if (!rom->ob)
		return m->hidden ? -1 : 0; /* the chip table shows no option-byte alt */
	memcpy(rom->ob, m->factory, m->size);
	emu_ob_set_rdp(rom, rdp_level);
	return 0;
}

void emu_ob_free(struct emu_rom *rom)
{
	const struct ob_model *m = model_of(rom);

	if (m && m->hidden)
		free(rom->ob);
}

static int level_of(const struct ob_model *m, const uint8_t *ob)
{
	uint8_t r = ob[m->rdp_offset];

	return r == 0xAA ? 0 : r == 0xCC ? 2 : 1;
}

static void mass_erase(struct emu_rom *rom)
{
	const struct emu_chip *c = rom->chip;

	memset(rom->flash, 0xFF, c->flash_size);
	if (c->ecc_unit)
		memset(rom->ecc_used, 0, c->flash_size / c->ecc_unit);
}

bool emu_ob_written(struct emu_rom *rom, const uint8_t *old)
{
	const struct ob_model *m = model_of(rom);
	int was = rom->rdp;

	if (!m || !rom->ob)
		return false;
	for (uint32_t i = 0; i < m->size; i++)
		rom->ob[i] = (uint8_t)((rom->ob[i] & m->writable[i]) | (old[i] & ~m->writable[i]));
	for (uint32_t i = 0; m->shadow == SH_COMPL && i + 8 <= m->size; i += 8)
		for (uint32_t b = 0; b < 4; b++)
			rom->ob[i + 4 + b] = (uint8_t)~rom->ob[i + b];
	for (uint32_t i = 0; m->shadow == SH_PAIRS && i + 2 <= m->size; i += 2)
		rom->ob[i + 1] = (uint8_t)~rom->ob[i];
	for (uint32_t i = 0; m->shadow == SH_PRG && i + 8 <= m->size && i < 44; i += 4)
		if (m->writable[i + 4] || m->writable[i + 5] || m->writable[i + 6] ||
		    m->writable[i + 7])
			memcpy(rom->ob + i, rom->ob + i + 4, 4); /* *_PRG -> *_CUR */
	rom->rdp = level_of(m, rom->ob) ? 1 : 0;
	if (was && !rom->rdp)
		mass_erase(rom);
	return true;
}

bool emu_ob_hidden_at(const struct emu_rom *rom, uint64_t addr, uint32_t len)
{
	const struct ob_model *m = model_of(rom);

	return m && m->hidden && rom->ob && addr >= m->hidden &&
	       addr + len <= (uint64_t)m->hidden + m->size;
}

uint32_t emu_ob_hidden_read(struct emu_rom *rom, uint64_t addr, uint8_t *dst, uint32_t len)
{
	const struct ob_model *m = model_of(rom);
	uint32_t n;

	if (!emu_ob_hidden_at(rom, addr, 1))
		return 0;
	n = (uint32_t)(m->hidden + m->size - addr);
	n = n < len ? n : len;
	memcpy(dst, rom->ob + (addr - m->hidden), n);
	return n;
}

bool emu_ob_hidden_write(struct emu_rom *rom, uint64_t addr, uint32_t len,
			 struct rom_exec_result *r)
{
	const struct ob_model *m = model_of(rom);
	uint8_t old[128];

	if (!emu_ob_hidden_at(rom, addr, len))
		return false;
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return true;
	}
	memcpy(old, rom->ob, m->size);
	memcpy(rom->ob + (addr - m->hidden), rom->buf, len);
	emu_ob_written(rom, old);
	r->event = EMU_EVENT_RESET; /* AN2662 fig. 57: option bytes -> system reset */
	return true;
}

/* ---- the glue's ---------------------------------------------------------------- */

enum emu_boot_target emu_rom_boot_target(const struct emu_rom *rom, bool jump)
{
	const struct ob_model *m = model_of(rom);
	bool app = emu_rom_app_plausible(rom);
	bool blank = rom->flash[0] == 0xFF && rom->flash[1] == 0xFF && rom->flash[2] == 0xFF &&
		     rom->flash[3] == 0xFF;
	enum emu_boot_target t;

	if (!m || !rom->ob)
		return EMU_BOOT_ROM;
	if (level_of(m, rom->ob) == 2)
		return flash_or(app, EMU_BOOT_NOTHING);
	if (jump) /* the application jumps to the ROM; only BFB2-style checks apply */
		return m->boot == lg_boot && bit(rom->ob, 0, 20) && app ? EMU_BOOT_APP
									: EMU_BOOT_ROM;
	t = m->boot(rom->ob, app, blank);
	return t;
}

uint8_t *emu_rom_optbytes(struct emu_rom *rom, uint32_t *size)
{
	const struct ob_model *m = model_of(rom);

	if (!m || !rom->ob)
		return NULL;
	*size = m->size;
	return rom->ob;
}

void emu_rom_optbytes_loaded(struct emu_rom *rom)
{
	const struct ob_model *m = model_of(rom);

	if (m && rom->ob)
		rom->rdp = level_of(m, rom->ob) ? 1 : 0;
}
