/* SPDX-License-Identifier: MIT */
/* Unit tests of the ROM model (src/emu/model): DFU 1.1 + AN3156 behaviour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rom.h"

enum { IDLE = 2, DNLOAD_SYNC = 3, DNBUSY = 4, DNLOAD_IDLE = 5, MANIFEST_SYNC = 6, MANIFEST = 7 };
enum { UPLOAD_IDLE = 9, ERROR = 10 };
enum { OK = 0, errTARGET = 1, errPROG = 6, errFIRMWARE = 10, errVENDOR = 11, errUNKNOWN = 14 };
enum { errSTALLEDPKT = 15 };

#define FLASH 0x08000000u
#define MS    1000000ull

static uint8_t io[4096];

struct st {
	uint8_t status, state;
	uint32_t poll;
	struct emu_reply r;
};

static struct emu_rom *mk(const char *chip, enum emu_timing t, int rdp, const char *fault)
{
	struct emu_rom_config c = {.chip = emu_chip_find(chip),
				   .timing = t,
				   .rdp_level = rdp,
				   .board = 1,
				   .fault = fault};
	char err[200];
	struct emu_rom *rom = emu_rom_new(&c, err, sizeof(err));

	if (!rom)
		fail_msg("emu_rom_new: %s", err);
	return rom;
}

static struct emu_reply ctl_at(struct emu_rom *rom, uint8_t rt, uint8_t rq, uint16_t v,
			       uint16_t len, uint64_t now)
{
	struct emu_setup s = {rt, rq, v, 0, len};
	struct emu_reply r;

	emu_rom_control(rom, &s, io, sizeof(io), now, &r);
	return r;
}

static struct emu_reply ctl(struct emu_rom *rom, uint8_t rt, uint8_t rq, uint16_t v, uint16_t len)
{
	return ctl_at(rom, rt, rq, v, len, 0);
}

static struct st getstatus_at(struct emu_rom *rom, uint64_t now)
{
	struct st s;

	s.r = ctl_at(rom, 0xA1, 3, 0, 6, now);
	s.status = io[0];
	s.poll = io[1] | io[2] << 8 | io[3] << 16;
	s.state = io[4];
	return s;
}

static struct st getstatus(struct emu_rom *rom)
{
	return getstatus_at(rom, 0);
}

static uint8_t getstate(struct emu_rom *rom)
{
	struct emu_reply r = ctl(rom, 0xA1, 5, 0, 1);

	assert_int_equal(r.kind, EMU_REPLY_ACK);
	return io[0];
}

static void clrstatus(struct emu_rom *rom)
{
	ctl(rom, 0x21, 4, 0, 0);
}

static void set_alt(struct emu_rom *rom, uint16_t alt)
{
	assert_int_equal(ctl(rom, 0x01, 11, alt, 0).kind, EMU_REPLY_ACK);
}

static struct emu_reply dnload(struct emu_rom *rom, uint16_t block, const uint8_t *d, uint16_t len)
{
	memcpy(io, d, len);
	return ctl(rom, 0x21, 1, block, len);
}

/* DNLOAD then the two GETSTATUS of AN3156; returns the final status. */
static uint8_t run(struct emu_rom *rom, uint16_t block, const uint8_t *d, uint16_t len)
{
	struct st s;

	assert_int_equal(dnload(rom, block, d, len).kind, EMU_REPLY_ACK);
	s = getstatus(rom);
	assert_int_equal(s.state, DNBUSY);
	s = getstatus(rom);
	if (s.status == OK)
		assert_int_equal(s.state, DNLOAD_IDLE);
	else
		assert_int_equal(s.state, ERROR);
	return s.status;
}

static uint8_t cmd5(struct emu_rom *rom, uint8_t c, uint32_t a)
{
	uint8_t d[5] = {c, (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16), (uint8_t)(a >> 24)};

	return run(rom, 0, d, 5);
}

static uint8_t set_address(struct emu_rom *rom, uint32_t a)
{
	return cmd5(rom, 0x21, a);
}

static uint8_t erase(struct emu_rom *rom, uint32_t a)
{
	return cmd5(rom, 0x41, a);
}

static uint8_t mass_erase(struct emu_rom *rom)
{
	uint8_t d = 0x41;

	return run(rom, 0, &d, 1);
}

static struct emu_reply set_address_dnload_only(struct emu_rom *rom, uint32_t a)
{
	uint8_t d[5] = {0x21, (uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16),
			(uint8_t)(a >> 24)};

	return dnload(rom, 0, d, 5);
}

static void to_idle(struct emu_rom *rom)
{
	clrstatus(rom); /* dfuERROR -> dfuIDLE; otherwise -> dfuERROR/errUNKNOWN */
	if (getstate(rom) != IDLE)
		clrstatus(rom);
	assert_int_equal(getstate(rom), IDLE);
}

static void put_app(struct emu_rom *rom, uint32_t sp, uint32_t pc)
{
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);

	memcpy(f, &sp, 4); /* little-endian host assumed, as the model's targets */
	memcpy(f + 4, &pc, 4);
}

/* ---- descriptors and identity ---- */

static void check_descriptors(const char *chip, unsigned alts, uint16_t xfer)
{
	struct emu_rom *rom = mk(chip, EMU_TIMING_FAST, 0, NULL);
	uint8_t d[512];
	size_t n = emu_rom_sysfs_descriptors(rom, d, sizeof(d));
	size_t off;
	unsigned ifs = 0, funcs = 0;

	assert_int_equal(n, 18 + 9 + 9 * alts + 9);
	assert_int_equal(emu_rom_sysfs_descriptors(rom, d, n - 1), 0);
	assert_int_equal(d[0], 18);
	assert_int_equal(d[1], 1);
	assert_int_equal(d[8] | d[9] << 8, 0x0483);
	assert_int_equal(d[10] | d[11] << 8, 0xDF11);
	assert_int_equal(d[17], 1);
	assert_int_equal(d[18 + 1], 2);
	assert_int_equal(d[18 + 2] | d[18 + 3] << 8, n - 18);
	/* walk the configuration: every descriptor's length must stay inside */
	for (off = 18 + 9; off < n; off += d[off]) {
		assert_true(d[off] >= 2 && off + d[off] <= n);
		if (d[off + 1] == 4) {
			assert_int_equal(d[off], 9);
			assert_int_equal(d[off + 3], ifs);
			assert_int_equal(d[off + 5], 0xFE);
			assert_int_equal(d[off + 6], 0x01);
			assert_int_equal(d[off + 7], 0x02);
			assert_int_equal(d[off + 8], 4 + ifs);
			ifs++;
		} else if (d[off + 1] == 0x21) {
			assert_int_equal(d[off], 9);
			assert_int_equal(d[off + 2], 0x0B);
			assert_int_equal(d[off + 3] | d[off + 4] << 8, 255);
			assert_int_equal(d[off + 5] | d[off + 6] << 8, xfer);
			assert_int_equal(d[off + 7] | d[off + 8] << 8, 0x011A);
			funcs++;
		}
	}
	assert_int_equal(off, n);
	assert_int_equal(ifs, alts);
	assert_int_equal(funcs, 1);
	/* GET_DESCRIPTOR(config) matches, truncated to wLength */
	assert_int_equal(ctl(rom, 0x80, 6, 0x0200, 9).len, 9);
	assert_int_equal(io[2] | io[3] << 8, n - 18);
	assert_int_equal(ctl(rom, 0x80, 6, 0x2100, 9).len, 9);
	assert_int_equal(io[1], 0x21);
	assert_int_equal(ctl(rom, 0x80, 6, 0x0304 + alts, 255).kind, EMU_REPLY_STALL);
	emu_rom_free(rom);
}

static void test_descriptors(void **state)
{
	(void)state;
	check_descriptors("f405", 4, 2048);
	check_descriptors("l4", 4, 2048);
	check_descriptors("h7", 2, 1024);
	check_descriptors("g0", 3, 1024);
}

static void get_string(struct emu_rom *rom, uint8_t idx, char *out)
{
	struct emu_reply r = ctl(rom, 0x80, 6, (uint16_t)(0x0300 | idx), 255);
	size_t i;

	assert_int_equal(r.kind, EMU_REPLY_ACK);
	assert_int_equal(io[0], r.len);
	for (i = 0; i + 2 < r.len; i += 2)
		out[i / 2] = (char)io[2 + i];
	out[i / 2] = 0;
}

static void test_strings_and_serial(void **state)
{
	struct emu_rom_config c = {.chip = emu_chip_find("f405"), .board = 2};
	struct emu_rom *a = mk("f405", EMU_TIMING_FAST, 0, NULL);
	struct emu_rom *b = emu_rom_new(&c, NULL, 0);
	char s[200];

	(void)state;
	get_string(a, 4, s);
	assert_string_equal(s, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
	get_string(a, 5, s);
	assert_string_equal(s, "@Option Bytes  /0x1FFFC000/01*016 e");
	get_string(a, 6, s);
	assert_string_equal(s, "@OTP Memory /0x1FFF7800/01*512 e,01*016 e");
	get_string(a, 7, s);
	assert_string_equal(s, "@Device Feature/0xFFFF0000/01*004 e");
	get_string(a, 2, s);
	assert_string_equal(s, "STM32  BOOTLOADER");
	assert_string_equal(emu_rom_product(a), "STM32  BOOTLOADER");
	assert_string_equal(emu_rom_manufacturer(a), "STMicroelectronics");
	get_string(a, 3, s);
	assert_string_equal(s, emu_rom_serial(a));
	assert_int_equal(strlen(s), 12);
	assert_int_equal(strspn(s, "0123456789ABCDEF"), 12);
	assert_string_not_equal(emu_rom_serial(a), emu_rom_serial(b));
	emu_rom_free(b);
	c.serial = "MYSERIAL";
	b = emu_rom_new(&c, NULL, 0);
	assert_string_equal(emu_rom_serial(b), "MYSERIAL");
	emu_rom_free(a);
	emu_rom_free(b);
	assert_null(emu_chip_find("f999"));
	assert_string_equal(emu_chip_names()[0], "f405");
}

/* ---- state machine ---- */

static void test_blank_starts_in_error(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	struct st s = getstatus(rom);

	(void)state;
	assert_int_equal(s.state, ERROR);
	assert_int_equal(s.status, errFIRMWARE);
	assert_false(emu_rom_app_plausible(rom));
	put_app(rom, 0x20020000, FLASH + 0x1C1);
	assert_true(emu_rom_app_plausible(rom));
	emu_rom_reset(rom);
	s = getstatus(rom);
	assert_int_equal(s.state, IDLE);
	assert_int_equal(s.status, OK);
	emu_rom_free(rom);
}

/* One row: bring the device into a state, send one request, check. */
struct row {
	const char *name;
	int setup; /* 0 idle, 1 error(firmware), 2 dnload-sync, 3 dnload-idle, 4 upload-idle */
	uint8_t rt, rq;
	uint16_t v, len;
	uint8_t d0;
	enum emu_reply_kind kind;
	uint8_t state, status;
};

static const struct row rows[] = {
	{"clrstatus in idle", 0, 0x21, 4, 0, 0, 0, EMU_REPLY_ACK, ERROR, errUNKNOWN},
	{"clrstatus in error", 1, 0x21, 4, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"clrstatus in dnload-idle", 3, 0x21, 4, 0, 0, 0, EMU_REPLY_ACK, ERROR, errUNKNOWN},
	{"abort in idle", 0, 0x21, 6, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"abort in dnload-sync", 2, 0x21, 6, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"abort in dnload-idle", 3, 0x21, 6, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"abort in upload-idle", 4, 0x21, 6, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"abort in error", 1, 0x21, 6, 0, 0, 0, EMU_REPLY_STALL, ERROR, errFIRMWARE},
	{"upload block 1", 0, 0xA1, 2, 1, 64, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload block 1", 0, 0x21, 1, 1, 64, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"unknown dfuse command", 0, 0x21, 1, 0, 1, 0x55, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload get-commands byte", 0, 0x21, 1, 0, 1, 0x00, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload > wTransferSize", 0, 0x21, 1, 2, 2049, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"upload > wTransferSize", 0, 0xA1, 2, 2, 2049, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload in dnload-sync", 2, 0x21, 1, 2, 16, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload in upload-idle", 4, 0x21, 1, 2, 16, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"upload in dnload-idle", 3, 0xA1, 2, 2, 16, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"dnload in error", 1, 0x21, 1, 2, 16, 0, EMU_REPLY_STALL, ERROR, errFIRMWARE},
	{"unknown class request", 0, 0x21, 7, 0, 0, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
	{"leave from idle", 0, 0x21, 1, 2, 0, 0, EMU_REPLY_ACK, MANIFEST_SYNC, OK},
	{"leave from dnload-idle", 3, 0x21, 1, 2, 0, 0, EMU_REPLY_ACK, MANIFEST_SYNC, OK},
	{"data block in idle", 0, 0x21, 1, 2, 16, 0, EMU_REPLY_ACK, DNLOAD_SYNC, OK},
	{"get commands", 0, 0xA1, 2, 0, 4, 0, EMU_REPLY_ACK, IDLE, OK},
	{"short get commands", 0, 0xA1, 2, 0, 3, 0, EMU_REPLY_ACK, UPLOAD_IDLE, OK},
	{"zero-length upload", 4, 0xA1, 2, 0, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"detach in idle", 0, 0x21, 0, 1000, 0, 0, EMU_REPLY_ACK, IDLE, OK},
	{"getstatus direction out", 0, 0x21, 3, 0, 0, 0, EMU_REPLY_STALL, ERROR, errSTALLEDPKT},
};

static void test_state_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
		struct emu_reply r;
		uint8_t blk[16];

		memset(blk, 0xA5, sizeof(blk));
		if (w->setup != 1)
			to_idle(rom);
		if (w->setup == 2)
			assert_int_equal(dnload(rom, 2, blk, 16).kind, EMU_REPLY_ACK);
		if (w->setup == 3)
			assert_int_equal(set_address(rom, FLASH), OK);
		if (w->setup == 4)
			assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).kind, EMU_REPLY_ACK);
		memset(io, 0, sizeof(io));
		io[0] = w->d0;
		r = ctl(rom, w->rt, w->rq, w->v, w->len);
		if (r.kind != w->kind)
			fail_msg("%s: reply kind %d, want %d", w->name, r.kind, w->kind);
		/* GETSTATE does not move the state machine; GETSTATUS would */
		if (getstate(rom) != w->state)
			fail_msg("%s: state %u, want %u", w->name, getstate(rom), w->state);
		if (w->state == ERROR || w->state == IDLE || w->state == UPLOAD_IDLE) {
			struct st s = getstatus(rom);

			if (s.status != w->status)
				fail_msg("%s: status %u, want %u", w->name, s.status, w->status);
		}
		emu_rom_free(rom);
	}
}

static void test_get_commands(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	struct emu_reply r;

	(void)state;
	to_idle(rom);
	r = ctl(rom, 0xA1, 2, 0, 2048);
	assert_int_equal(r.len, 4);
	assert_int_equal(io[0], 0x00);
	assert_int_equal(io[1], 0x21);
	assert_int_equal(io[2], 0x41);
	assert_int_equal(io[3], 0x92);
	emu_rom_free(rom);
}

/* ---- addressing, erase and program ---- */

static void test_block_addressing(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t a[2048], b[100];
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);

	(void)state;
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH + 0x4000), OK);
	assert_int_equal(run(rom, 2, a, sizeof(a)), OK);
	/* non-contiguous: block 4 lands at pointer + 2 * wTransferSize */
	assert_int_equal(run(rom, 4, b, sizeof(b)), OK);
	assert_memory_equal(f + 0x4000, a, sizeof(a));
	assert_int_equal(f[0x4000 + 2048], 0xFF);
	assert_int_equal(f[0x4000 + 4095], 0xFF);
	assert_memory_equal(f + 0x4000 + 4096, b, sizeof(b));
	assert_int_equal(f[0x4000 + 4096 + 100], 0xFF);
	/* read back with incrementing wBlockNum */
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 2048).len, 2048);
	assert_memory_equal(io, a, sizeof(a));
	assert_int_equal(ctl(rom, 0xA1, 2, 4, 100).len, 100);
	assert_memory_equal(io, b, sizeof(b));
	assert_int_equal(getstate(rom), UPLOAD_IDLE);
	emu_rom_free(rom);

	/* H7: wTransferSize 1024 */
	rom = mk("h7", EMU_TIMING_FAST, 0, NULL);
	f = emu_rom_flash(rom, NULL, NULL);
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 3, b, 64), OK);
	assert_memory_equal(f + 1024, b, 64);
	emu_rom_free(rom);
}

static void test_f4_program_ands(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);
	uint8_t x = 0xF0, y = 0x3C;

	(void)state;
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH + 0x100), OK);
	assert_int_equal(run(rom, 2, &x, 1), OK);
	assert_int_equal(run(rom, 2, &y, 1), OK);
	assert_int_equal(f[0x100], 0x30);
	/* erase of the 16 KiB sector 0 restores 0xFF */
	assert_int_equal(erase(rom, FLASH + 0x123), OK);
	assert_int_equal(f[0x100], 0xFF);
	emu_rom_free(rom);
}

static void check_ecc(const char *chip, unsigned unit)
{
	struct emu_rom *rom = mk(chip, EMU_TIMING_FAST, 0, NULL);
	uint8_t d[64], *f = emu_rom_flash(rom, NULL, NULL);

	memset(d, 0x5A, sizeof(d));
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	/* half an ECC word, then the other half of the same word: errPROG */
	assert_int_equal(run(rom, 2, d, (uint16_t)(unit / 2)), OK);
	assert_int_equal(set_address(rom, FLASH + unit / 2), OK);
	assert_int_equal(run(rom, 2, d, (uint16_t)(unit / 2)), errPROG);
	to_idle(rom);
	/* the next word is still blank: fine */
	assert_int_equal(set_address(rom, FLASH + unit), OK);
	assert_int_equal(run(rom, 2, d, (uint16_t)unit), OK);
	/* even writing 0xFF over a programmed word fails (ECC already set) */
	memset(d, 0xFF, sizeof(d));
	assert_int_equal(run(rom, 2, d, (uint16_t)unit), errPROG);
	to_idle(rom);
	/* after erase, programmable again */
	assert_int_equal(erase(rom, FLASH), OK);
	assert_int_equal(f[0], 0xFF);
	memset(d, 0x5A, sizeof(d));
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, (uint16_t)unit), OK);
	assert_int_equal(f[unit - 1], 0x5A);
	emu_rom_free(rom);
}

/* H7: an UPLOAD of one 32-byte word at @a, from dfuIDLE. */
static struct emu_reply h7_read_word(struct emu_rom *rom, uint32_t a)
{
	to_idle(rom);
	assert_int_equal(set_address(rom, a), OK);
	to_idle(rom);
	return ctl(rom, 0xA1, 2, 2, 32);
}

/*
 * H7: no PROGERR (RM0433 4.7), so a second programming is taken, but a word
 * programmed once, with 0xFF too, is not virgin: over other data its ECC no
 * longer matches, and the read of it faults the ROM, which then answers
 * nothing until it is reset. The same word again, or all zeros, is harmless.
 */
static void test_h7_program_twice(void **state)
{
	struct emu_rom *rom = mk("h7", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[32], *f = emu_rom_flash(rom, NULL, NULL);

	(void)state;
	to_idle(rom);
	memset(d, 0x5A, sizeof(d));
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK);
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK); /* the same word again */
	memset(d, 0, sizeof(d));
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK); /* all zeros: a zero ECC */
	assert_int_equal(f[0], 0);
	/* 0xFF, then data: taken, the cells AND, the ECC is inconsistent */
	assert_int_equal(set_address(rom, FLASH + 32), OK);
	memset(d, 0xFF, sizeof(d));
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK);
	memset(d, 0x5A, sizeof(d));
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK);
	assert_int_equal(f[32], 0x5A);
	assert_int_equal(getstate(rom), DNLOAD_IDLE);
	/* --load marks what it loads programmed: a loaded 0xFF word too */
	emu_rom_mark_programmed(rom, FLASH + 64, 32);
	memset(d, 0x3C, sizeof(d));
	assert_int_equal(set_address(rom, FLASH + 64), OK);
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK);

	assert_int_equal(h7_read_word(rom, FLASH).kind, EMU_REPLY_ACK);
	assert_int_equal(emu_rom_stats(rom)->ecc_faults, 0);
	assert_int_equal(h7_read_word(rom, FLASH + 32).kind, EMU_REPLY_HANG);
	assert_int_equal(emu_rom_stats(rom)->ecc_faults, 1);
	assert_int_equal(ctl(rom, 0xA1, 3, 0, 6).kind, EMU_REPLY_HANG); /* hung */
	emu_rom_reset(rom); /* re-plugged: it answers, and the word still faults */
	assert_int_equal(h7_read_word(rom, FLASH + 64).kind, EMU_REPLY_HANG);
	emu_rom_reset(rom);
	to_idle(rom);
	assert_int_equal(erase(rom, FLASH), OK); /* the erase makes them virgin */
	assert_int_equal(h7_read_word(rom, FLASH + 32).kind, EMU_REPLY_ACK);
	assert_int_equal(io[0], 0xFF);
	emu_rom_free(rom);
}

static void test_ecc_families(void **state)
{
	(void)state;
	check_ecc("l4", 8);
	check_ecc("g0", 8);
}

/*
 * F0/F3: the half-word is checked by its value (RM0091 3.2.2): one written
 * with 0xFFFF, or marked by --load, can be written again; one that does not
 * read 0xFFFF fails with errPROG, unless 0x0000 is written.
 */
static void check_halfword_by_value(const char *chip)
{
	struct emu_rom *rom = mk(chip, EMU_TIMING_FAST, 0, NULL);
	uint8_t ff[2] = {0xFF, 0xFF}, a[2] = {0x5A, 0xA5}, b[2] = {0x34, 0x12}, z[2] = {0, 0};
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);

	to_idle(rom);
	emu_rom_mark_programmed(rom, FLASH, 2048);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, ff, 2), OK);
	assert_int_equal(run(rom, 2, a, 2), OK);
	assert_int_equal(f[0], 0x5A);
	assert_int_equal(run(rom, 2, b, 2), errPROG);
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, z, 2), OK);
	assert_int_equal(f[0] | f[1], 0);
	emu_rom_free(rom);
}

static void test_f0_f3_halfword_by_value(void **state)
{
	(void)state;
	check_halfword_by_value("f072");
	check_halfword_by_value("f303");
}

static void test_erase_semantics(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);

	(void)state;
	memset(f, 0, 1024 * 1024);
	to_idle(rom);
	/* 64 KiB sector 4 at 0x08010000 */
	assert_int_equal(erase(rom, FLASH + 0x10000), OK);
	assert_int_equal(f[0xFFFF], 0x00);
	assert_int_equal(f[0x10000], 0xFF);
	assert_int_equal(f[0x1FFFF], 0xFF);
	assert_int_equal(f[0x20000], 0x00);
	/* outside flash -> errTARGET */
	assert_int_equal(erase(rom, 0x20000000), errTARGET);
	to_idle(rom);
	assert_int_equal(erase(rom, FLASH + 0x100000), errTARGET);
	to_idle(rom);
	/* OTP alt: not erasable ('e' = read/write) */
	set_alt(rom, 2);
	assert_int_equal(erase(rom, 0x1FFF7800), errTARGET);
	to_idle(rom);
	set_alt(rom, 0);
	assert_int_equal(mass_erase(rom), OK);
	for (size_t i = 0; i < 1024 * 1024; i += 4096)
		assert_int_equal(f[i], 0xFF);
	emu_rom_free(rom);
}

static void test_out_of_range(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[2048];

	(void)state;
	memset(d, 0, sizeof(d));
	to_idle(rom);
	/* write running past the end of flash */
	assert_int_equal(set_address(rom, FLASH + 1024 * 1024 - 1024), OK);
	assert_int_equal(run(rom, 2, d, 2048), errTARGET);
	to_idle(rom);
	/* Set Address to nowhere */
	assert_int_equal(set_address(rom, 0x40000000), errTARGET);
	to_idle(rom);
	/* Set Address to SRAM is allowed, but it is not readable through alt 0 */
	assert_int_equal(set_address(rom, 0x20000000), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 64).kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(rom).status, errTARGET);
	to_idle(rom);
	/* a read that starts inside and runs past the end returns the rest */
	assert_int_equal(set_address(rom, FLASH + 1024 * 1024 - 100), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 2048).len, 100);
	assert_int_equal(getstate(rom), IDLE);
	/* alt 0 cannot write the option bytes region */
	assert_int_equal(set_address(rom, 0x1FFFC000), OK);
	assert_int_equal(run(rom, 2, d, 16), errTARGET);
	emu_rom_free(rom);
}

static void test_otp_and_feature(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[16];

	(void)state;
	to_idle(rom);
	set_alt(rom, 2);
	assert_int_equal(set_address(rom, 0x1FFF7800), OK);
	memset(d, 0x0F, sizeof(d));
	assert_int_equal(run(rom, 2, d, 16), OK);
	memset(d, 0xF3, sizeof(d));
	assert_int_equal(run(rom, 2, d, 16), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).len, 16);
	assert_int_equal(io[0], 0x03);
	ctl(rom, 0x21, 6, 0, 0);
	set_alt(rom, 3);
	assert_int_equal(set_address(rom, 0xFFFF0000), OK);
	assert_int_equal(run(rom, 2, d, 4), OK);
	assert_int_equal(run(rom, 2, d, 8), errTARGET);
	emu_rom_free(rom);
}

/* ---- read protection, option bytes, leave ---- */

static void test_rdp(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 1, NULL);
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);
	uint8_t d[16] = {0}, ru = 0x92;
	struct st s;

	(void)state;
	memset(f, 0x42, 4096);
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(erase(rom, FLASH), errVENDOR);
	to_idle(rom);
	assert_int_equal(mass_erase(rom), errVENDOR);
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, 16), errVENDOR);
	to_idle(rom);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(rom).status, errVENDOR);
	to_idle(rom);
	assert_int_equal(f[0], 0x42);
	/* the option bytes show RDP level 1 */
	set_alt(rom, 1);
	assert_int_equal(set_address(rom, 0x1FFFC000), OK);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).kind, EMU_REPLY_STALL);
	to_idle(rom);
	/* Read Unprotect: mass erase, RDP cleared, reset after the first GETSTATUS */
	assert_int_equal(dnload(rom, 0, &ru, 1).kind, EMU_REPLY_ACK);
	s = getstatus(rom);
	assert_int_equal(s.state, DNBUSY);
	assert_int_equal(s.r.event, EMU_EVENT_RESET);
	assert_int_equal(f[0], 0xFF);
	emu_rom_reset(rom);
	to_idle(rom);
	set_alt(rom, 1);
	assert_int_equal(set_address(rom, 0x1FFFC000), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).len, 16);
	assert_int_equal(io[1], 0xAA);
	ctl(rom, 0x21, 6, 0, 0);
	set_alt(rom, 0);
	assert_int_equal(erase(rom, FLASH), OK);
	emu_rom_free(rom);
}

static void test_option_bytes_reset(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t ob[16];
	struct st s;

	(void)state;
	to_idle(rom);
	set_alt(rom, 1);
	assert_int_equal(set_address(rom, 0x1FFFC000), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).len, 16);
	memcpy(ob, io, 16);
	assert_int_equal(ob[1], 0xAA);
	ob[1] = 0x55; /* RDP level 1 */
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(dnload(rom, 2, ob, 16).kind, EMU_REPLY_ACK);
	s = getstatus(rom);
	assert_int_equal(s.state, DNBUSY);
	assert_int_equal(s.r.event, EMU_EVENT_RESET);
	emu_rom_reset(rom);
	to_idle(rom);
	assert_int_equal(erase(rom, FLASH), errVENDOR);
	emu_rom_free(rom);
}

static void test_leave(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	struct st s;

	(void)state;
	to_idle(rom);
	/* blank flash: the ROM comes back */
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(ctl(rom, 0x21, 1, 2, 0).kind, EMU_REPLY_ACK);
	assert_int_equal(getstate(rom), MANIFEST_SYNC);
	/* F4: dfuDNBUSY with the real 104 ms even at --timing fast, then
	 * dfuMANIFEST, and only that answer takes the device off the bus */
	s = getstatus(rom);
	assert_int_equal(s.state, DNBUSY);
	assert_int_equal(s.poll, 104);
	assert_int_equal(s.r.event, EMU_EVENT_NONE);
	s = getstatus(rom);
	assert_int_equal(s.state, MANIFEST);
	assert_int_equal(s.r.event, EMU_EVENT_LEAVE);
	assert_false(s.r.app_plausible);
	/* after manifest the device is gone: requests stall */
	assert_int_equal(ctl(rom, 0xA1, 5, 0, 1).kind, EMU_REPLY_STALL);

	emu_rom_reset(rom);
	put_app(rom, 0x20020000, FLASH + 0x1C1);
	emu_rom_reset(rom);
	assert_int_equal(getstate(rom), IDLE);
	assert_int_equal(set_address(rom, FLASH), OK);
	ctl(rom, 0x21, 1, 2, 0);
	assert_int_equal(getstatus(rom).state, DNBUSY);
	s = getstatus(rom);
	assert_int_equal(s.r.event, EMU_EVENT_LEAVE);
	assert_true(s.r.app_plausible);

	/* even reset vector (not Thumb) or SP outside RAM: not plausible */
	put_app(rom, 0x20020000, FLASH + 0x1C0);
	assert_false(emu_rom_app_plausible(rom));
	put_app(rom, 0x30000000, FLASH + 0x1C1);
	assert_false(emu_rom_app_plausible(rom));
	put_app(rom, 0x10010000, FLASH + 0x1C1); /* top of CCM */
	assert_true(emu_rom_app_plausible(rom));
	put_app(rom, 0x20020000, 0x00000101); /* reset vector outside flash */
	assert_false(emu_rom_app_plausible(rom));
	emu_rom_free(rom);
}

/* ---- timing ---- */

static void test_timing_f405_blocks(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_REAL, 0, NULL);
	uint8_t d[2048];
	struct emu_reply r;
	struct st s;
	uint64_t t = 10 * MS, end;

	(void)state;
	memset(d, 0, sizeof(d));
	to_idle(rom);
	/* a data stage takes 1 us per byte */
	memcpy(io, d, sizeof(d));
	r = ctl_at(rom, 0x21, 1, 2, 2048, t);
	assert_int_equal(r.ready_at_ns, t + 2048 * 1000ull);
	s = getstatus_at(rom, t + 3 * MS);
	assert_int_equal(s.state, DNBUSY);
	assert_int_equal(s.poll, 104); /* chips.c [MODM] */
	assert_int_equal(s.r.ready_at_ns, t + 3 * MS + 6000);
	/* 2 KiB = 512 words x 16 us = 8.192 ms, from the end of that reply */
	end = t + 3 * MS + 6000 + 8192000;
	assert_int_equal(emu_rom_stats(rom)->device_busy_ns, 8192000);
	/* an early GETSTATUS is answered only when the operation is done */
	s = getstatus_at(rom, t + 4 * MS);
	assert_int_equal(s.r.kind, EMU_REPLY_ACK);
	assert_int_equal(s.r.ready_at_ns, end + 6000);
	assert_int_equal(s.state, DNLOAD_IDLE);

	/* sector erase durations: 16, 64 and 128 KiB */
	{
		static const struct {
			uint32_t addr;
			uint64_t ns;
		} er[] = {{FLASH, 250 * MS},
			  {FLASH + 0x10000, 550 * MS},
			  {FLASH + 0x20000, 1000 * MS}};

		for (size_t i = 0; i < 3; i++) {
			uint64_t before = emu_rom_stats(rom)->device_busy_ns;
			uint8_t c[5] = {0x41, (uint8_t)er[i].addr, (uint8_t)(er[i].addr >> 8),
					(uint8_t)(er[i].addr >> 16), (uint8_t)(er[i].addr >> 24)};

			t += 10000 * MS;
			memcpy(io, c, 5);
			ctl_at(rom, 0x21, 1, 0, 5, t);
			s = getstatus_at(rom, t);
			assert_int_equal(s.poll, 100);
			assert_int_equal(emu_rom_stats(rom)->device_busy_ns - before, er[i].ns);
			s = getstatus_at(rom, t + 1);
			assert_int_equal(s.r.ready_at_ns, t + 6000 + er[i].ns + 6000);
			assert_int_equal(s.state, DNLOAD_IDLE);
		}
	}
	/* mass erase: 8 s, reported poll 100 ms; Set Address: 0 and at once */
	{
		uint64_t before = emu_rom_stats(rom)->device_busy_ns;
		uint8_t c[5] = {0x21, 0, 0, 0, 8};

		t += 10000 * MS;
		io[0] = 0x41;
		ctl_at(rom, 0x21, 1, 0, 1, t);
		s = getstatus_at(rom, t);
		assert_int_equal(s.poll, 100);
		assert_int_equal(emu_rom_stats(rom)->device_busy_ns - before, 8000 * MS);
		s = getstatus_at(rom, t + 8001 * MS);
		assert_int_equal(s.state, DNLOAD_IDLE);
		t += 9000 * MS;
		memcpy(io, c, 5);
		ctl_at(rom, 0x21, 1, 0, 5, t);
		s = getstatus_at(rom, t);
		assert_int_equal(s.poll, 0);
		s = getstatus_at(rom, t + 6000);
		assert_int_equal(s.r.ready_at_ns, t + 12000);
		assert_int_equal(s.state, DNLOAD_IDLE);
	}
	emu_rom_free(rom);
}

static void test_timing_l4_stalls(void **state)
{
	struct emu_rom *rom = mk("l4", EMU_TIMING_REAL, 0, NULL);
	uint8_t d[2048];
	struct st s;
	uint64_t dur = 256 * 81700ull; /* 256 double words */

	(void)state;
	memset(d, 0, sizeof(d));
	to_idle(rom);
	memcpy(io, d, sizeof(d));
	ctl(rom, 0x21, 1, 2, 2048);
	s = getstatus_at(rom, 0);
	assert_int_equal(s.state, DNBUSY);
	s = getstatus_at(rom, 1 * MS);
	assert_int_equal(s.r.kind, EMU_REPLY_STALL);
	assert_int_equal(ctl_at(rom, 0xA1, 5, 0, 1, 2 * MS).kind, EMU_REPLY_STALL);
	/* standard requests are still answered */
	assert_int_equal(ctl_at(rom, 0x80, 6, 0x0100, 18, 2 * MS).kind, EMU_REPLY_ACK);
	s = getstatus_at(rom, dur + 7000);
	assert_int_equal(s.r.kind, EMU_REPLY_ACK);
	assert_int_equal(s.state, DNLOAD_IDLE);
	assert_int_equal(emu_rom_stats(rom)->device_busy_ns, dur);
	emu_rom_free(rom);
}

/* Default L4: a host that waits the reported bwPollTimeout never meets the
 * stall (favours the peer); quirk=short-poll reports less than the op takes. */
static void test_timing_l4_poll_report(void **state)
{
	static const char *const specs[] = {NULL, "quirk=short-poll"};
	uint64_t dur = 256 * 81700ull;
	uint8_t d[2048];

	(void)state;
	memset(d, 0, sizeof(d));
	for (unsigned i = 0; i < 2; i++) {
		struct emu_rom *rom = mk("l4", EMU_TIMING_REAL, 0, specs[i]);
		struct st s;

		to_idle(rom);
		memcpy(io, d, sizeof(d));
		ctl(rom, 0x21, 1, 2, 2048);
		s = getstatus_at(rom, 0);
		assert_int_equal(s.state, DNBUSY);
		if (i == 0) {
			assert_true((uint64_t)s.poll * MS >= dur);
			s = getstatus_at(rom, (uint64_t)s.poll * MS);
			assert_int_equal(s.r.kind, EMU_REPLY_ACK);
			assert_int_equal(s.state, DNLOAD_IDLE);
		} else {
			assert_int_equal(s.poll, 10);
			s = getstatus_at(rom, (uint64_t)s.poll * MS);
			assert_int_equal(s.r.kind, EMU_REPLY_STALL);
		}
		emu_rom_free(rom);
	}
}

static void test_timing_fast(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[2048] = {0};
	struct st s;

	(void)state;
	to_idle(rom);
	memcpy(io, d, sizeof(d));
	assert_int_equal(ctl_at(rom, 0x21, 1, 2, 2048, 5).ready_at_ns, 0);
	s = getstatus_at(rom, 5);
	/* the real report, only the wait is skipped */
	assert_int_equal(s.poll, 104);
	assert_int_equal(s.r.ready_at_ns, 0);
	assert_int_equal(getstatus_at(rom, 5).state, DNLOAD_IDLE);
	assert_int_equal(emu_rom_stats(rom)->device_busy_ns, 0);
	emu_rom_free(rom);
}

/* ---- faults ---- */

static void test_fault_parse(void **state)
{
	static const struct {
		const char *spec, *needle;
	} bad[] = {
		{"explode:any:1", "explode"},
		{"stall:everything:1", "everything"},
		{"stall:any:0", "'0'"},
		{"stall:any:x", "'x'"},
		{"stall:any", "stall:any"},
		{"status=errNOPE:any:1", "errNOPE"},
		{"quirk=h8-broken", "h8-broken"},
		{"stall:any:1,disconnect:upload", "upload"},
		{",", "empty"},
	};
	struct emu_rom_config c = {.chip = emu_chip_find("f405"), .board = 1};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct emu_rom *rom;

		c.fault = bad[i].spec;
		err[0] = 0;
		rom = emu_rom_new(&c, err, sizeof(err));
		if (rom)
			fail_msg("spec '%s' accepted", bad[i].spec);
		if (!strstr(err, bad[i].needle))
			fail_msg("spec '%s': message '%s' lacks '%s'", bad[i].spec, err,
				 bad[i].needle);
	}
	c.fault =
		"stall:any:1,disconnect:upload:3,status=errPROG:dnload-data:2,quirk=h7-stuck-busy";
	emu_rom_free(emu_rom_new(&c, err, sizeof(err)));
	c.rdp_level = 2;
	c.fault = NULL;
	assert_null(emu_rom_new(&c, err, sizeof(err)));
}

/* E1: status= aimed at the GETSTATUS that completes a command takes effect. */
static void test_fault_status_on_completing_getstatus(void **state)
{
	struct emu_rom *rom;
	uint8_t d[64] = {0};
	struct st st;

	(void)state;
	/* to_idle: no GETSTATUS; Set Address: #1 busy, #2 completes; the write: #3, #4 */
	rom = mk("f405", EMU_TIMING_FAST, 0, "status=errPROG:getstatus:4");
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(dnload(rom, 2, d, 64).kind, EMU_REPLY_ACK);
	assert_int_equal(getstatus(rom).state, DNBUSY);
	st = getstatus(rom);
	assert_int_equal(st.state, ERROR);
	assert_int_equal(st.status, errPROG);
	emu_rom_free(rom);
}

/* timeout: never answered, and the device did not see it. */
static void test_fault_timeout_and_state(void **state)
{
	struct emu_rom *rom;
	struct st st;

	(void)state;
	rom = mk("f405", EMU_TIMING_FAST, 0, "timeout:getstatus:1");
	to_idle(rom);
	assert_int_equal(set_address_dnload_only(rom, FLASH).kind, EMU_REPLY_ACK);
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_HANG);
	assert_int_equal(getstate(rom), DNLOAD_SYNC); /* still waiting for its GETSTATUS */
	assert_int_equal(getstatus(rom).state, DNBUSY);
	emu_rom_free(rom);

	rom = mk("f405", EMU_TIMING_FAST, 0, "state=5:getstatus:1,state=0:abort:1");
	to_idle(rom);
	st = getstatus(rom);
	assert_int_equal(st.state, DNLOAD_IDLE);
	assert_int_equal(getstate(rom), DNLOAD_IDLE);
	assert_int_equal(ctl(rom, 0x21, 6, 0, 0).kind, EMU_REPLY_ACK);
	assert_int_equal(getstate(rom), 0); /* appIDLE: the lie of the abort */
	emu_rom_free(rom);
}

static struct emu_rom *mk_lies(const char *chip, const char *const *lies, size_t n)
{
	struct emu_rom_config c = {
		.chip = emu_chip_find(chip), .board = 1, .lies = lies, .n_lies = n};
	char err[200];
	struct emu_rom *rom = emu_rom_new(&c, err, sizeof(err));

	if (!rom)
		fail_msg("emu_rom_new: %s", err);
	return rom;
}

static void test_lies(void **state)
{
	static const char *const lies[] = {
		"alts=12",	 "transfer-size=7",    "layout=3:@Garbage",
		"serial=LIAR",	 "poll-timeout=60000", "getstatus-length=3",
		"upload-extra=5"};
	static const char *const bad[] = {"alts=0", "alts=101", "nonsense=1", "transfer-size=-1",
					  "layout"};
	struct emu_rom_config c = {.chip = emu_chip_find("f405"), .board = 1, .n_lies = 1};
	uint8_t desc[1024];
	struct emu_rom *rom;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[200] = "";

		c.lies = &bad[i];
		assert_null(emu_rom_new(&c, err, sizeof(err)));
		assert_non_null(strstr(err, "--lie"));
	}
	rom = mk_lies("f405", lies, sizeof(lies) / sizeof(lies[0]));
	n = emu_rom_sysfs_descriptors(rom, desc, sizeof(desc));
	assert_int_equal(n, 18 + 9 + 12 * 9 + 9);
	assert_int_equal(desc[n - 9 + 5] | desc[n - 9 + 6] << 8, 7); /* wTransferSize */
	assert_string_equal(emu_rom_serial(rom), "LIAR");
	/* string 4 + 3: alt 3's layout */
	assert_int_equal(ctl(rom, 0x80, 6, 0x0300 | 7, 255).kind, EMU_REPLY_ACK);
	assert_int_equal(io[2], '@');
	assert_int_equal(io[4], 'G');
	/* a short GETSTATUS that still claims a minute */
	to_idle(rom);
	assert_int_equal(getstatus(rom).r.len, 3);
	assert_int_equal(io[1] | io[2] << 8, 60000);
	/* an UPLOAD that babbles */
	assert_int_equal(set_address(rom, FLASH), OK);
	to_idle(rom);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 64).kind, EMU_REPLY_BABBLE);
	emu_rom_free(rom);
}

static void test_fault_effects(void **state)
{
	struct emu_rom *rom;
	uint8_t d[64] = {0};
	struct st s;

	(void)state;
	rom = mk("f405", EMU_TIMING_FAST, 0, "stall:getstatus:3");
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_ACK);
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_ACK);
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_ACK); /* once */
	emu_rom_free(rom);

	rom = mk("f405", EMU_TIMING_FAST, 0, "disconnect:dnload-data:1");
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(dnload(rom, 2, d, 64).kind, EMU_REPLY_DISCONNECT);
	emu_rom_free(rom);

	rom = mk("f405", EMU_TIMING_FAST, 0, "status=errPROG:dnload-data:2");
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, 64), OK);
	assert_int_equal(run(rom, 3, d, 64), errPROG);
	to_idle(rom);
	assert_int_equal(run(rom, 3, d, 64), OK);
	emu_rom_free(rom);

	rom = mk("f405", EMU_TIMING_FAST, 0, "status=errVENDOR:erase:1,status=errTARGET:leave:1");
	to_idle(rom);
	assert_int_equal(erase(rom, FLASH), errVENDOR);
	to_idle(rom);
	ctl(rom, 0x21, 1, 2, 0);
	s = getstatus(rom);
	assert_int_equal(s.state, ERROR);
	assert_int_equal(s.status, errTARGET);
	assert_int_equal(s.r.event, EMU_EVENT_NONE);
	emu_rom_free(rom);

	rom = mk("f405", EMU_TIMING_FAST, 0, "status=errUNKNOWN:upload:1,stall:any:40");
	to_idle(rom);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 16).kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(rom).status, errUNKNOWN);
	emu_rom_free(rom);
}

static void test_h7_quirk(void **state)
{
	struct emu_rom *rom = mk("h7", EMU_TIMING_FAST, 0, "quirk=h7-stuck-busy");
	struct st s;
	uint8_t c[5] = {0x41, 0, 0, 0x10, 0x08};

	(void)state;
	to_idle(rom);
	/* first MiB: normal */
	assert_int_equal(erase(rom, FLASH), OK);
	/* beyond: stays dfuDNBUSY */
	assert_int_equal(dnload(rom, 0, c, 5).kind, EMU_REPLY_ACK);
	for (int i = 0; i < 5; i++) {
		s = getstatus_at(rom, (uint64_t)i * 1000 * MS);
		assert_int_equal(s.state, DNBUSY);
	}
	clrstatus(rom);
	s = getstatus(rom);
	assert_int_equal(s.state, ERROR);
	assert_int_equal(s.status, errUNKNOWN);
	clrstatus(rom);
	s = getstatus(rom);
	assert_int_equal(s.state, IDLE);
	assert_int_equal(s.status, OK);
	emu_rom_free(rom);

	/* not by default */
	rom = mk("h7", EMU_TIMING_FAST, 0, NULL);
	to_idle(rom);
	assert_int_equal(erase(rom, FLASH + 0x100000), OK);
	emu_rom_free(rom);
}

/* ---- statistics ---- */

static void test_stats(void **state)
{
	struct emu_rom *rom = mk("f405", EMU_TIMING_FAST, 0, NULL);
	const struct emu_stats *st = emu_rom_stats(rom);
	uint8_t d[100] = {0};

	(void)state;
	ctl(rom, 0x80, 6, 0x0100, 18);		       /* standard */
	ctl(rom, 0x00, 9, 1, 0);		       /* standard */
	clrstatus(rom);				       /* clrstatus */
	assert_int_equal(set_address(rom, FLASH), OK); /* dnload + 2 getstatus */
	assert_int_equal(erase(rom, FLASH), OK);       /* dnload + 2 getstatus */
	assert_int_equal(mass_erase(rom), OK);	       /* dnload + 2 getstatus */
	assert_int_equal(run(rom, 2, d, 100), OK);     /* dnload + 2 getstatus */
	ctl(rom, 0x21, 6, 0, 0);		       /* abort */
	ctl(rom, 0xA1, 2, 2, 50);		       /* upload */
	getstate(rom);				       /* getstate */
	ctl(rom, 0x21, 1, 2, 0);		       /* leave */
	assert_int_equal(st->control_transfers, 2 + 1 + 12 + 4);
	assert_int_equal(st->by_request[EMU_STAT_STANDARD], 2);
	assert_int_equal(st->by_request[EMU_STAT_CLRSTATUS], 1);
	assert_int_equal(st->by_request[EMU_STAT_DNLOAD_SET_ADDRESS], 1);
	assert_int_equal(st->by_request[EMU_STAT_DNLOAD_ERASE], 1);
	assert_int_equal(st->by_request[EMU_STAT_DNLOAD_MASS_ERASE], 1);
	assert_int_equal(st->by_request[EMU_STAT_DNLOAD_DATA], 1);
	assert_int_equal(st->by_request[EMU_STAT_GETSTATUS], 8);
	assert_int_equal(st->by_request[EMU_STAT_ABORT], 1);
	assert_int_equal(st->by_request[EMU_STAT_UPLOAD], 1);
	assert_int_equal(st->by_request[EMU_STAT_GETSTATE], 1);
	assert_int_equal(st->by_request[EMU_STAT_DNLOAD_LEAVE], 1);
	assert_int_equal(st->bytes_down, 5 + 5 + 1 + 100);
	assert_int_equal(st->bytes_up, 18 + 8 * 6 + 50 + 1);
	assert_string_equal(emu_stat_name(EMU_STAT_DNLOAD_DATA), "dnload_data");
	assert_string_equal(emu_stat_name(EMU_STAT_STANDARD), "standard");
	emu_rom_free(rom);
}

/* ---- robustness ---- */

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void test_random_requests(void **state)
{
	static const char *const chips[] = {"f405", "l4", "h7", "g0"};
	static const uint8_t types[] = {0x00, 0x01, 0x80, 0x81, 0x21, 0xA1, 0x40, 0xC0, 0x22};

	(void)state;
	for (size_t c = 0; c < 4; c++) {
		struct emu_rom *rom =
			mk(chips[c], (c & 1) ? EMU_TIMING_REAL : EMU_TIMING_FAST, (int)(c == 2),
			   "stall:any:500,status=errPROG:dnload-data:3,disconnect:abort:7");
		uint64_t t = 0;

		for (int i = 0; i < 100000; i++) {
			struct emu_setup s;
			struct emu_reply r;
			size_t cap = rnd() % 3 == 0 ? rnd() % 64 : sizeof(io);

			s.bmRequestType = types[rnd() % sizeof(types)];
			s.bRequest = (uint8_t)(rnd() % 13);
			s.wValue = (uint16_t)(rnd() % 4 ? rnd() % 6 : rnd());
			s.wIndex = (uint16_t)(rnd() % 8 ? 0 : rnd());
			s.wLength = (uint16_t)(rnd() % 4 ? rnd() % 9 : rnd() % 4200);
			for (int k = 0; k < 8; k++)
				io[k] = (uint8_t)rnd();
			if (rnd() % 4 == 0) {
				io[0] = (uint8_t[]){0x21, 0x41, 0x92, 0x00}[rnd() % 4];
				io[4] = 0x08;
				io[3] = io[2] = io[1] = 0;
			}
			t += rnd() % 20000000;
			emu_rom_control(rom, &s, io, cap, t, &r);
			assert_true(r.kind <= EMU_REPLY_DISCONNECT);
			assert_true(r.len <= s.wLength && r.len <= cap);
			if (r.event != EMU_EVENT_NONE || rnd() % 5000 == 0)
				emu_rom_reset(rom);
		}
		emu_rom_free(rom);
	}
}

/* ---- per-family leave and quirks (chips.c) ---- */

/* Set Address (flash base), zero-length DNLOAD; returns the leave's GETSTATUS. */
static struct st leave(struct emu_rom *rom)
{
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(ctl(rom, 0x21, 1, 2, 0).kind, EMU_REPLY_ACK);
	return getstatus(rom);
}

static void test_leave_getstatus_fails(void **state)
{
	static const struct {
		const char *chip, *fault;
		enum emu_reply_kind kind;
	} cases[] = {
		{"h7", NULL, EMU_REPLY_STALL},
		{"g0", NULL, EMU_REPLY_DISCONNECT},
		{"u585", NULL, EMU_REPLY_IO_ERROR},
		{"f722", NULL, EMU_REPLY_STALL},
		{"h7", "leave=io", EMU_REPLY_IO_ERROR},
		{"h7", "leave=nodev", EMU_REPLY_DISCONNECT},
		{"h7", "leave=timeout", EMU_REPLY_HANG},
		{"g0", "leave=pipe", EMU_REPLY_STALL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct emu_rom *rom = mk(cases[i].chip, EMU_TIMING_FAST, 0, cases[i].fault);
		struct st s;

		put_app(rom, 0x20001000, FLASH + 0x1C1);
		emu_rom_reset(rom);
		to_idle(rom);
		s = leave(rom);
		assert_int_equal(s.r.kind, cases[i].kind);
		assert_int_equal(s.r.event, EMU_EVENT_LEAVE);
		assert_true(s.r.app_plausible);
		emu_rom_free(rom);
	}
}

static void test_leave_h563_locks_up(void **state)
{
	struct emu_rom *rom = mk("h563", EMU_TIMING_FAST, 0, NULL);
	struct st s;

	(void)state;
	put_app(rom, 0x20001000, FLASH + 0x1C1);
	emu_rom_reset(rom);
	to_idle(rom);
	s = leave(rom);
	assert_int_equal(s.r.kind, EMU_REPLY_HANG);
	assert_int_equal(s.r.event, EMU_EVENT_NONE);
	/* nothing answers any more, standard requests included */
	assert_int_equal(ctl(rom, 0xA1, 5, 0, 1).kind, EMU_REPLY_HANG);
	assert_int_equal(ctl(rom, 0x80, 6, 0x0100, 18).kind, EMU_REPLY_HANG);
	emu_rom_free(rom);
}

static void test_leave_c0_needs_set_address(void **state)
{
	struct emu_rom *rom = mk("c071", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[1024];
	struct st s;

	(void)state;
	memset(d, 0xA5, sizeof(d));
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, sizeof(d)), OK);
	/* the last command was a data block: the leave fails, the ROM stays */
	assert_int_equal(ctl(rom, 0x21, 1, 2, 0).kind, EMU_REPLY_ACK);
	s = getstatus(rom);
	assert_int_equal(s.r.kind, EMU_REPLY_ACK);
	assert_int_equal(s.state, ERROR);
	assert_int_equal(s.r.event, EMU_EVENT_NONE);
	clrstatus(rom);
	s = leave(rom);
	assert_int_equal(s.r.event, EMU_EVENT_LEAVE);
	emu_rom_free(rom);
}

static void test_l432_2048_fails(void **state)
{
	struct emu_rom *rom = mk("l432", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[2048];
	uint8_t *f = emu_rom_flash(rom, NULL, NULL);

	(void)state;
	memset(d, 0x5A, sizeof(d));
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	/* advertised 2048, but the GETSTATUS after a 2048-byte block stalls */
	assert_int_equal(dnload(rom, 2, d, 2048).kind, EMU_REPLY_ACK);
	assert_int_equal(getstatus(rom).r.kind, EMU_REPLY_STALL);
	assert_int_equal(getstate(rom), ERROR);
	assert_int_equal(f[0], 0xFF);
	clrstatus(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, 1024), OK);
	assert_int_equal(f[0], 0x5A);
	emu_rom_free(rom);
}

static void test_g474_1024_writes(void **state)
{
	struct emu_rom *rom = mk("g474", EMU_TIMING_FAST, 0, NULL);
	uint8_t d[1024];

	(void)state;
	memset(d, 0x11, sizeof(d));
	to_idle(rom);
	assert_int_equal(set_address(rom, FLASH), OK);
	assert_int_equal(run(rom, 2, d, 1024), OK);
	assert_int_equal(run(rom, 3, d, 1000), errTARGET);
	emu_rom_free(rom);
}

static void test_f722_detach_stalls(void **state)
{
	struct emu_rom *rom = mk("f722", EMU_TIMING_FAST, 0, NULL);
	struct emu_rom *f4 = mk("f405", EMU_TIMING_FAST, 0, NULL);

	(void)state;
	to_idle(rom);
	to_idle(f4);
	assert_int_equal(ctl(rom, 0x21, 0, 1000, 0).kind, EMU_REPLY_STALL);
	assert_int_equal(ctl(f4, 0x21, 0, 1000, 0).kind, EMU_REPLY_ACK);
	emu_rom_free(rom);
	emu_rom_free(f4);
}

static void test_serials(void **state)
{
	struct emu_rom *f072 = mk("f072", EMU_TIMING_FAST, 0, NULL);
	struct emu_rom *g0 = mk("g0", EMU_TIMING_FAST, 0, NULL);

	(void)state;
	assert_string_equal(emu_rom_serial(f072), "FFFFFFFEFFFF");
	assert_string_not_equal(emu_rom_app_serial(f072), "FFFFFFFEFFFF");
	assert_string_equal(emu_rom_serial(g0), emu_rom_app_serial(g0));
	emu_rom_free(f072);
	emu_rom_free(g0);
}

/* ---- the unique ID (uid.c, docs/chip-uid.md) ---- */

static struct emu_rom *mk_board(const char *chip, unsigned board)
{
	struct emu_rom_config c = {.chip = emu_chip_find(chip), .board = board};
	char err[200];
	struct emu_rom *rom = emu_rom_new(&c, err, sizeof(err));

	if (!rom)
		fail_msg("emu_rom_new(%s): %s", chip, err);
	return rom;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Distinct per board, and the serial derived from it as the ROM does. */
static void test_uid_per_board(void **state)
{
	static const char *const chips[] = {"f405", "l4",   "h7",   "g0",   "f072", "f303", "f746",
					    "f722", "g474", "l432", "u585", "h563", "wb55", "c071"};
	uint8_t seen[32][EMU_UID_LEN];

	(void)state;
	for (size_t c = 0; c < sizeof(chips) / sizeof(chips[0]); c++) {
		for (unsigned b = 1; b <= 32; b++) {
			struct emu_rom *rom = mk_board(chips[c], b);
			uint32_t addr = 0;
			const uint8_t *uid = emu_rom_uid(rom, &addr, NULL);
			uint32_t w0 = le32_at(uid), w1 = le32_at(uid + 4), w2 = le32_at(uid + 8);
			uint32_t hi = strcmp(chips[c], "f303") ? w1 >> 16 : w2 >> 16;
			char want[16];

			assert_true(addr != 0);
			memcpy(seen[b - 1], uid, EMU_UID_LEN);
			for (unsigned o = 1; o < b; o++)
				assert_memory_not_equal(seen[o - 1], uid, EMU_UID_LEN);
			snprintf(want, sizeof(want), "%08X%04X", w0 + w2, (unsigned)hi);
			assert_string_equal(emu_rom_app_serial(rom), want);
			if (strcmp(chips[c], "f072"))
				assert_string_equal(emu_rom_serial(rom), want);
			emu_rom_free(rom);
		}
	}
}

/* The serial numbers shown before the UID was modelled stay the same. */
static void test_uid_serials_unchanged(void **state)
{
	struct emu_rom *a = mk_board("f405", 1), *b = mk_board("f405", 2);

	(void)state;
	assert_string_equal(emu_rom_serial(a), "345435653137");
	assert_string_equal(emu_rom_serial(b), "345535683134");
	emu_rom_free(a);
	emu_rom_free(b);
}

/* G0: an UPLOAD at the UID returns it, by address through the flash alt. */
static void test_uid_g0_reads(void **state)
{
	struct emu_rom *rom = mk_board("g0", 3);
	uint32_t addr = 0;
	bool reads = false;
	const uint8_t *uid = emu_rom_uid(rom, &addr, &reads);
	struct emu_reply r;

	(void)state;
	assert_int_equal(addr, 0x1FFF7590);
	assert_true(reads);
	to_idle(rom);
	assert_int_equal(set_address(rom, addr), OK);
	ctl(rom, 0x21, 6, 0, 0);
	r = ctl(rom, 0xA1, 2, 2, 64);
	assert_int_equal(r.kind, EMU_REPLY_ACK);
	assert_int_equal(r.len, EMU_UID_LEN); /* a short packet: the UID ends there */
	assert_memory_equal(io, uid, EMU_UID_LEN);
	/* from its middle: the rest of it */
	assert_int_equal(set_address(rom, addr + 4), OK);
	ctl(rom, 0x21, 6, 0, 0);
	r = ctl(rom, 0xA1, 2, 2, 8);
	assert_int_equal(r.len, 8);
	assert_memory_equal(io, uid + 4, 8);
	emu_rom_free(rom);
}

/* Under read protection the G0 ROM refuses the UID as every read. */
static void test_uid_g0_rdp(void **state)
{
	struct emu_rom *rom = mk("g0", EMU_TIMING_FAST, 1, NULL);

	(void)state;
	to_idle(rom);
	assert_int_equal(set_address(rom, 0x1FFF7590), OK);
	ctl(rom, 0x21, 6, 0, 0);
	assert_int_equal(ctl(rom, 0xA1, 2, 2, 12).kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(rom).status, errVENDOR);
	emu_rom_free(rom);
}

/* F4: Set Address at the UID works, the UPLOAD fails; the others refuse the address. */
static void test_uid_refused(void **state)
{
	static const char *const chips[] = {"l4",   "h7",   "f072", "f303", "f746", "f722",
					    "g474", "l432", "u585", "h563", "wb55", "c071"};
	struct emu_rom *f4 = mk_board("f405", 1);
	uint32_t addr = 0;
	bool reads = true;

	(void)state;
	emu_rom_uid(f4, &addr, &reads);
	assert_int_equal(addr, 0x1FFF7A10);
	assert_false(reads);
	to_idle(f4);
	assert_int_equal(set_address(f4, addr), OK);
	ctl(f4, 0x21, 6, 0, 0);
	assert_int_equal(ctl(f4, 0xA1, 2, 2, 12).kind, EMU_REPLY_STALL);
	assert_int_equal(getstatus(f4).status, errTARGET);
	emu_rom_free(f4);
	for (size_t c = 0; c < sizeof(chips) / sizeof(chips[0]); c++) {
		struct emu_rom *rom = mk_board(chips[c], 1);

		emu_rom_uid(rom, &addr, &reads);
		assert_false(reads);
		to_idle(rom);
		assert_int_equal(set_address(rom, addr), errTARGET);
		emu_rom_free(rom);
	}
}

static void test_empty_check(void **state)
{
	struct emu_rom *rom = mk("l4", EMU_TIMING_FAST, 0, NULL);
	struct st s;

	(void)state;
	emu_rom_reset(rom); /* power-on with an empty flash */
	to_idle(rom);
	put_app(rom, 0x20001000, FLASH + 0x1C1); /* as if just flashed */
	s = leave(rom);
	assert_int_equal(s.state, DNBUSY);
	s = getstatus(rom);
	assert_int_equal(s.r.event, EMU_EVENT_LEAVE);
	assert_false(s.r.app_plausible); /* back to the ROM until power-off */
	emu_rom_free(rom);

	rom = mk("l4", EMU_TIMING_FAST, 0, NULL);
	put_app(rom, 0x20001000, FLASH + 0x1C1);
	emu_rom_reset(rom); /* power-on with an application */
	to_idle(rom);
	leave(rom);
	assert_true(getstatus(rom).r.app_plausible);
	emu_rom_free(rom);
}

static void test_bcd_usb(void **state)
{
	static const struct {
		const char *chip;
		uint16_t bcd_usb, bcd_device;
	} cases[] = {{"f405", 0x0100, 0x2200},
		     {"g0", 0x0200, 0x0200},
		     {"l4", 0x0100, 0x2200},
		     {"h563", 0x0200, 0x0300}};
	uint8_t d[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct emu_rom *rom = mk(cases[i].chip, EMU_TIMING_FAST, 0, NULL);

		assert_true(emu_rom_sysfs_descriptors(rom, d, sizeof(d)) > 18);
		assert_int_equal(d[2] | d[3] << 8, cases[i].bcd_usb);
		assert_int_equal(d[12] | d[13] << 8, cases[i].bcd_device);
		assert_int_equal(d[7], 64);
		emu_rom_free(rom);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_strings_and_serial),
		cmocka_unit_test(test_blank_starts_in_error),
		cmocka_unit_test(test_state_table),
		cmocka_unit_test(test_get_commands),
		cmocka_unit_test(test_block_addressing),
		cmocka_unit_test(test_f4_program_ands),
		cmocka_unit_test(test_ecc_families),
		cmocka_unit_test(test_h7_program_twice),
		cmocka_unit_test(test_f0_f3_halfword_by_value),
		cmocka_unit_test(test_erase_semantics),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_otp_and_feature),
		cmocka_unit_test(test_rdp),
		cmocka_unit_test(test_option_bytes_reset),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_leave_getstatus_fails),
		cmocka_unit_test(test_leave_h563_locks_up),
		cmocka_unit_test(test_leave_c0_needs_set_address),
		cmocka_unit_test(test_l432_2048_fails),
		cmocka_unit_test(test_g474_1024_writes),
		cmocka_unit_test(test_f722_detach_stalls),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_uid_per_board),
		cmocka_unit_test(test_uid_serials_unchanged),
		cmocka_unit_test(test_uid_g0_reads),
		cmocka_unit_test(test_uid_g0_rdp),
		cmocka_unit_test(test_uid_refused),
		cmocka_unit_test(test_empty_check),
		cmocka_unit_test(test_bcd_usb),
		cmocka_unit_test(test_timing_f405_blocks),
		cmocka_unit_test(test_timing_l4_stalls),
		cmocka_unit_test(test_timing_fast),
		cmocka_unit_test(test_fault_parse),
		cmocka_unit_test(test_fault_effects),
		cmocka_unit_test(test_fault_status_on_completing_getstatus),
		cmocka_unit_test(test_fault_timeout_and_state),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_h7_quirk),
		cmocka_unit_test(test_timing_l4_poll_report),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_random_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
