/* SPDX-License-Identifier: MIT */
/* Unit tests of the emulated option bytes (src/emu/model/optbytes.c) through the ROM's USB face. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "optbytes.h"
#include "rom.h"

enum { IDLE = 2, DNBUSY = 4, DNLOAD_IDLE = 5, ERROR = 10 };
enum { OK = 0, errTARGET = 1, errVENDOR = 11 };

#define FLASH 0x08000000u

static uint8_t io[4096];

static struct emu_rom *mk(const char *chip, int rdp)
{
	struct emu_rom_config c = {.chip = emu_chip_find(chip), .rdp_level = rdp, .board = 1};
	char err[200];
	struct emu_rom *rom = emu_rom_new(&c, err, sizeof(err));

	if (!rom)
		fail_msg("emu_rom_new(%s): %s", chip, err);
	return rom;
}

static struct emu_reply ctl(struct emu_rom *rom, uint8_t rt, uint8_t rq, uint16_t v, uint16_t len)
{
	struct emu_setup s = {rt, rq, v, 0, len};
	struct emu_reply r;

	emu_rom_control(rom, &s, io, sizeof(io), 0, &r);
	return r;
}

static uint8_t status(struct emu_rom *rom, uint8_t *state, struct emu_reply *r)
{
	struct emu_reply x = ctl(rom, 0xA1, 3, 0, 6);

	if (r)
		*r = x;
	*state = io[4];
	return io[0];
}

static void idle(struct emu_rom *rom, uint16_t alt)
{
	assert_int_equal(ctl(rom, 0x01, 11, alt, 0).kind, EMU_REPLY_ACK);
	ctl(rom, 0x21, 4, 0, 0); /* CLRSTATUS */
	ctl(rom, 0x21, 6, 0, 0); /* ABORT */
	ctl(rom, 0xA1, 5, 0, 1);
	if (io[0] != IDLE)
		ctl(rom, 0x21, 4, 0, 0);
}

static uint8_t set_address(struct emu_rom *rom, uint32_t a)
{
	uint8_t st;

	io[0] = 0x21;
	memcpy(io + 1, &a, 4);
	ctl(rom, 0x21, 1, 0, 5);
	status(rom, &st, NULL);
	return status(rom, &st, NULL);
}

/* Read @len bytes of @alt at @addr into @out; the DFU status. */
static uint8_t read_at(struct emu_rom *rom, uint16_t alt, uint32_t addr, uint8_t *out, uint16_t len)
{
	struct emu_reply r;
	uint8_t st;

	idle(rom, alt);
	if (set_address(rom, addr) != OK)
		return errTARGET;
	ctl(rom, 0x21, 6, 0, 0);
	r = ctl(rom, 0xA1, 2, 2, len);
	if (r.kind != EMU_REPLY_ACK)
		return status(rom, &st, NULL);
	memcpy(out, io, r.len);
	return r.len == len ? OK : errTARGET;
}

/* Write an image: the first GETSTATUS answers dfuDNBUSY and the chip resets. */
static void write_at(struct emu_rom *rom, uint16_t alt, uint32_t addr, const uint8_t *img,
		     uint16_t len, uint8_t want)
{
	struct emu_reply r;
	uint8_t st, s;

	idle(rom, alt);
	assert_int_equal(set_address(rom, addr), OK);
	memcpy(io, img, len);
	assert_int_equal(ctl(rom, 0x21, 1, 2, len).kind, EMU_REPLY_ACK);
	s = status(rom, &st, &r);
	assert_int_equal(st, DNBUSY);
	if (want == OK) {
		assert_int_equal(r.event, EMU_EVENT_RESET);
		emu_rom_reset(rom);
		return;
	}
	assert_int_equal(r.event, EMU_EVENT_NONE);
	(void)s;
	assert_int_equal(status(rom, &st, NULL), want);
}

static void put_app(struct emu_rom *rom)
{
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);
	uint32_t v[2] = {0x20001000, FLASH + 0x101};

	memcpy(f, v, 8);
}

static void test_f405_rdp_and_reserved(void **state)
{
	struct emu_rom *rom = mk("f405", 0);
	uint8_t ob[16], back[16];

	(void)state;
	put_app(rom);
	assert_int_equal(read_at(rom, 1, 0x1FFFC000, ob, 16), OK);
	assert_int_equal(ob[1], 0xAA); /* RM0090 §3.7.1: level 0 */
	ob[0] |= 0x10;		       /* BFB2: reserved on F405, stays 0 */
	ob[0] &= (uint8_t)~0x80;       /* nRST_STDBY = 0 */
	write_at(rom, 1, 0x1FFFC000, ob, 16, OK);
	assert_int_equal(read_at(rom, 1, 0x1FFFC000, back, 16), OK);
	assert_int_equal(back[0], 0x6C);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_ROM);
	/* RDP level 1 by option byte: reads refused with errVENDOR */
	back[1] = 0xBB;
	write_at(rom, 1, 0x1FFFC000, back, 16, OK);
	assert_int_equal(read_at(rom, 0, FLASH, ob, 16), errVENDOR);
	/* writes under level 1: errVENDOR, also to the option bytes */
	write_at(rom, 1, 0x1FFFC000, back, 16, errVENDOR);
	emu_rom_free(rom);
}

static void test_l4_regression_mass_erases(void **state)
{
	struct emu_rom *rom = mk("l4", 0);
	uint8_t ob[40];

	(void)state;
	put_app(rom);
	assert_int_equal(read_at(rom, 1, 0x1FFF7800, ob, 40), OK);
	assert_int_equal(ob[0], 0xAA);
	assert_int_equal(ob[4], 0x55); /* the complement word */
	ob[0] = 0xBB;
	write_at(rom, 1, 0x1FFF7800, ob, 40, OK);
	assert_int_equal(emu_rom_flash(rom, NULL, NULL)[0], 0x00); /* kept at level 1 */
	/* Read Unprotect: 1 -> 0 mass-erases */
	idle(rom, 0);
	io[0] = 0x92;
	ctl(rom, 0x21, 1, 0, 1);
	status(rom, &(uint8_t){0}, NULL);
	emu_rom_reset(rom);
	assert_int_equal(emu_rom_flash(rom, NULL, NULL)[0], 0xFF);
	assert_int_equal(read_at(rom, 1, 0x1FFF7800, ob, 40), OK);
	assert_int_equal(ob[0], 0xAA);
	/* nSWBOOT0=0 (nBOOT0=1): the flash boots; blank -> nothing on USB */
	ob[3] &= (uint8_t)~0x04;
	write_at(rom, 1, 0x1FFF7800, ob, 40, OK);
	assert_int_equal(read_at(rom, 1, 0x1FFF7800, ob, 40), OK);
	assert_int_equal(ob[7], (uint8_t)~ob[3]); /* complement kept in step */
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_NOTHING);
	put_app(rom);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_APP);
	/* the application's jump still reaches the ROM */
	assert_int_equal(emu_rom_boot_target(rom, true), EMU_BOOT_ROM);
	emu_rom_free(rom);
}

static void test_h7_prg_to_cur(void **state)
{
	struct emu_rom *rom = mk("h7", 0);
	uint8_t ob[128];

	(void)state;
	assert_int_equal(read_at(rom, 1, 0x5200201C, ob, 128), OK);
	assert_int_equal(ob[38] | ob[39] << 8, 0x1FF0); /* BOOT_ADD1 (RM0433 §4.9.18) */
	/* only BOOT_PRG written: BOOT_CUR follows after the reset */
	ob[42] = 0x00;
	ob[43] = 0x08;
	write_at(rom, 1, 0x5200201C, ob, 128, OK);
	assert_int_equal(read_at(rom, 1, 0x5200201C, ob, 128), OK);
	assert_int_equal(ob[38] | ob[39] << 8, 0x0800);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_NOTHING);
	put_app(rom);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_APP);
	/* a write to OPTCCR (read-only here) changes nothing */
	ob[8] = 0x55;
	write_at(rom, 1, 0x5200201C, ob, 128, OK);
	assert_int_equal(read_at(rom, 1, 0x5200201C, ob, 128), OK);
	assert_int_equal(ob[8], 0x00);
	emu_rom_free(rom);
}

static void test_g0_by_address(void **state)
{
	struct emu_rom *rom = mk("g0", 0);
	uint8_t ob[128];
	uint32_t n = 0;

	(void)state;
	assert_non_null(emu_rom_optbytes(rom, &n));
	assert_int_equal(n, 128);
	/* no option-byte alt: the flash alt reaches 0x1FFF7800 */
	assert_int_equal(read_at(rom, 0, 0x1FFF7800, ob, 128), OK);
	assert_int_equal(ob[0] | ob[1] << 8 | ob[2] << 16 | (uint32_t)ob[3] << 24, 0xFFFFFEAA);
	/* factory: nBOOT_SEL=1, nBOOT0=1: blank flash -> the ROM (empty check) */
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_ROM);
	put_app(rom);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_APP);
	/* nBOOT_SEL=0: the BOOT0 pin (high) starts the ROM */
	ob[3] &= (uint8_t)~0x01;
	write_at(rom, 0, 0x1FFF7800, ob, 128, OK);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_ROM);
	/* RDP level 2: never the ROM again */
	assert_int_equal(read_at(rom, 0, 0x1FFF7800, ob, 128), OK);
	ob[0] = 0xCC;
	write_at(rom, 0, 0x1FFF7800, ob, 128, OK);
	assert_int_equal(emu_rom_boot_target(rom, false), EMU_BOOT_APP);
	assert_int_equal(emu_rom_boot_target(rom, true), EMU_BOOT_APP);
	memset(emu_rom_flash(rom, NULL, NULL), 0xFF, 8); /* blank again */
	assert_int_equal(emu_rom_boot_target(rom, true), EMU_BOOT_NOTHING);
	emu_rom_free(rom);
}

static void test_rdp_flag_and_load(void **state)
{
	static const char *const chips[] = {"f405", "l4", "h7", "g0"};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct emu_rom *rom = mk(chips[i], 1);
		uint32_t n = 0;
		uint8_t *ob = emu_rom_optbytes(rom, &n);
		uint8_t buf[16];

		assert_non_null(ob);
		assert_int_equal(read_at(rom, 0, FLASH, buf, 16), errVENDOR);
		/* --load of a dumped level-0 image: the level follows it */
		ob[strcmp(chips[i], "f405") && strcmp(chips[i], "h7") ? 0 : 1] = 0xAA;
		emu_rom_optbytes_loaded(rom);
		assert_int_equal(read_at(rom, 0, FLASH, buf, 16), OK);
		emu_rom_free(rom);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f405_rdp_and_reserved),
		cmocka_unit_test(test_l4_regression_mass_erases),
		cmocka_unit_test(test_h7_prg_to_cur),
		cmocka_unit_test(test_g0_by_address),
		cmocka_unit_test(test_rdp_flag_and_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
