/* SPDX-License-Identifier: MIT */
/*
 * The memories behind the ROM's alt settings and what the DfuSe commands do
 * to them (AN3156 §4-5): sector lookup and permissions from the layout
 * strings, erase and program with each chip's rules (F4 ANDs bits, ECC
 * flash refuses to reprogram a word), option bytes and read protection, and
 * how long each operation takes and how long the ROM tells the host to wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optbytes.h"
#include "rom_internal.h"

#define PERM_READ  1u
#define PERM_ERASE 2u
#define PERM_WRITE 4u

/* ---- memory map ------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const struct emu_sector *find_sector(const struct emu_rom *rom, unsigned alt, uint32_t addr)
{
	const struct emu_memmap *m = &rom->map[alt];

	for (unsigned i = 0; i < m->n; i++)
		if (addr >= m->sec[i].start && addr - m->sec[i].start < m->sec[i].size)
			return &m->sec[i];
	return NULL;
}

/* True if [addr, addr+len) lies wholly in sectors of @alt that have @perm. */
static bool range_ok(const struct emu_rom *rom, unsigned alt, uint64_t addr, uint64_t len,
		     unsigned perm)
{
	while (len) {
		const struct emu_sector *s;
		uint64_t n;

		if (addr > 0xFFFFFFFFull)
			return false;
		s = find_sector(rom, alt, (uint32_t)addr);
		if (!s || !(s->type & perm))
			return false;
		n = (uint64_t)s->start + s->size - addr;
		if (n > len)
			n = len;
		addr += n;
		len -= n;
	}
	return true;
}

/* Backing byte of @addr in @alt; the address must have been checked. */
static uint8_t *backing(struct emu_rom *rom, unsigned alt, uint32_t addr)
{
	const struct emu_sector *s = find_sector(rom, alt, addr);

	return rom->store[alt] + s->backing + (addr - s->start);
}

/*
 * Copy up to @len bytes of @alt's memory from @addr to @dst, stopping at the
 * first byte that is not readable. Returns the bytes copied.
 */
uint32_t rom_read_mem(struct emu_rom *rom, unsigned alt, uint64_t addr, uint8_t *dst, uint32_t len)
{
	uint32_t avail = emu_ob_hidden_read(rom, addr, dst, len);

	if (avail) /* G0: the option bytes, reached by address */
		return avail;
	avail = rom_uid_read(rom, addr, dst, len);
	if (avail) /* G0: the UID, reached by address (uid.c) */
		return avail;
	while (avail < len && range_ok(rom, alt, addr + avail, 1, PERM_READ)) {
		const struct emu_sector *sec = find_sector(rom, alt, (uint32_t)(addr + avail));
		uint64_t n = (uint64_t)sec->start + sec->size - (addr + avail);

		if (n > (uint64_t)(len - avail))
			n = len - avail;
		memcpy(dst + avail, backing(rom, alt, (uint32_t)(addr + avail)), n);
		avail += (uint32_t)n;
	}
	return avail;
}

static bool in_flash(const struct emu_rom *rom, uint32_t addr, uint32_t len)
{
	uint32_t base = rom->chip->flash_base, size = rom->chip->flash_size;

	return addr >= base && addr - base <= size && len <= size - (addr - base);
}

bool rom_plausible_at(const struct emu_rom *rom, uint32_t addr)
{
	const struct emu_chip *c = rom->chip;
	uint32_t sp, pc;
	bool sp_ok = false;

	if (!in_flash(rom, addr, 8))
		return false;
	sp = le32(rom->flash + (addr - c->flash_base));
	pc = le32(rom->flash + (addr - c->flash_base) + 4);
	for (unsigned i = 0; i < 3; i++) {
		uint32_t b = c->sram[i].base, sz = c->sram[i].size;

		/* "inside SRAM or at its top": a full-descending stack starts at the end */
		if (sz && sp >= b && sp - b <= sz)
			sp_ok = true;
	}
	return sp_ok && (pc & 1u) && in_flash(rom, pc & ~1u, 2);
}

bool emu_rom_app_plausible(const struct emu_rom *rom)
{
	return rom_plausible_at(rom, rom->chip->flash_base);
}

/* ---- backing stores and read protection ------------------------------------ */

int rom_setup_alt(struct emu_rom *rom, unsigned alt, char *err, size_t errlen)
{
	const struct emu_chip_alt *a = &rom->chip->alt[alt];
	struct emu_memmap *m = &rom->map[alt];

	if (emu_layout_parse(a->layout, m)) {
		snprintf(err, errlen, "chip %s: bad layout string for alt %u", rom->chip->name,
			 alt);
		return -1;
	}
	switch (a->kind) {
	case EMU_MEM_FLASH:
		if (m->sec[0].start != rom->chip->flash_base || m->total != rom->chip->flash_size) {
			snprintf(err, errlen, "chip %s: alt %u layout does not cover the flash",
				 rom->chip->name, alt);
			return -1;
		}
		rom->store[alt] = rom->flash;
		return 0;
	case EMU_MEM_OPTBYTES:
		if (!rom->chip->ob_default || m->total != rom->chip->ob_size) {
			snprintf(err, errlen, "chip %s: option-byte size mismatch",
				 rom->chip->name);
			return -1;
		}
		rom->store[alt] = malloc(m->total);
		if (!rom->store[alt])
			return -1;
		memcpy(rom->store[alt], rom->chip->ob_default, m->total);
		rom->ob = rom->store[alt];
		return 0;
	case EMU_MEM_OTP:
	case EMU_MEM_PLAIN:
		rom->store[alt] = malloc(m->total);
		if (!rom->store[alt])
			return -1;
		memset(rom->store[alt], 0xFF, m->total);
		return 0;
	}
	return -1;
}

void rom_set_rdp(struct emu_rom *rom, int level)
{
	if (emu_ob_set_rdp(rom, level))
		return;
	rom->rdp = level;
	if (rom->ob)
		rom->ob[rom->chip->ob_rdp_offset] =
			level ? rom->chip->ob_rdp_level1 : rom->chip->ob_rdp_level0;
}

/* ---- flash operations ----------------------------------------------------- */

static uint64_t erase_time(const struct emu_rom *rom, uint32_t size)
{
	const struct emu_chip_timing *t = rom_tm(rom);
	uint64_t last = 0;

	for (unsigned i = 0; i < 4 && t->erase[i].size; i++) {
		last = t->erase[i].ns;
		if (size <= t->erase[i].size)
			return t->erase[i].ns;
	}
	return last;
}

static void flash_erase_range(struct emu_rom *rom, uint32_t addr, uint32_t size)
{
	const struct emu_chip *c = rom->chip;
	uint32_t off = addr - c->flash_base;

	memset(rom->flash + off, 0xFF, size);
	if (c->ecc_unit)
		memset(rom->ecc_used + off / c->ecc_unit, 0, size / c->ecc_unit);
}

void emu_rom_mark_programmed(struct emu_rom *rom, uint32_t addr, uint32_t len)
{
	const struct emu_chip *c = rom->chip;
	uint32_t off = addr - c->flash_base;

	if (!c->ecc_unit || c->unit_by_value || !len || !in_flash(rom, addr, len))
		return;
	for (uint32_t w = off / c->ecc_unit; (uint64_t)w * c->ecc_unit < (uint64_t)off + len; w++)
		if (rom->ecc_used[w] == ECC_ERASED)
			rom->ecc_used[w] = ECC_PROGRAMMED;
}

static void mass_erase(struct emu_rom *rom)
{
	flash_erase_range(rom, rom->chip->flash_base, rom->chip->flash_size);
}

/*
 * The bwPollTimeout the ROM reports for an operation. quirk=short-poll makes
 * it report less than the operation takes (10 ms, 30 ms for mass erase), as
 * the L4 ROM is said to [DP]; a host that trusts it then meets a stalled
 * GETSTATUS while the flash is still busy.
 */
static uint32_t reported_poll(const struct emu_rom *rom, uint32_t poll_ms, uint32_t short_ms)
{
	return rom->faults.quirk_short_poll && poll_ms > short_ms ? short_ms : poll_ms;
}

static void exec_erase(struct emu_rom *rom, struct rom_exec_result *r)
{
	const struct emu_sector *s = find_sector(rom, rom->alt, rom->cmd.arg);

	r->poll_ms = reported_poll(rom, rom_tm(rom)->poll_erase_ms, 10);
	/* AN2662 §4.5.3 fig. 59 (the F105/F107 DFU ROM; AN3156 describes the
	 * same protocol): a wrong or unsupported page address gives errTARGET,
	 * then active read protection gives errVENDOR and the erase is
	 * ignored. The page containing the address is erased. */
	if (!s || !(s->type & PERM_ERASE) || rom->chip->alt[rom->alt].kind != EMU_MEM_FLASH) {
		r->status = DFU_STATUS_ERR_TARGET;
		return;
	}
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	flash_erase_range(rom, s->start, s->size);
	r->dur_ns = erase_time(rom, s->size);
	/* H7 rev V quirk [DP]: an erase beyond the first MiB can stay busy. */
	if (rom->faults.quirk_h7_stuck_busy && s->start - rom->chip->flash_base >= 0x100000)
		rom->stuck = true;
}

static void exec_mass_erase(struct emu_rom *rom, struct rom_exec_result *r)
{
	r->poll_ms = reported_poll(rom, rom_tm(rom)->poll_mass_erase_ms, 30);
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	mass_erase(rom);
	r->dur_ns = rom_tm(rom)->mass_erase_ns;
}

static void exec_read_unprotect(struct emu_rom *rom, struct rom_exec_result *r)
{
	/* AN3156: the device mass-erases, removes read protection and resets. */
	r->poll_ms = reported_poll(rom, rom_tm(rom)->poll_mass_erase_ms, 30);
	mass_erase(rom);
	rom_set_rdp(rom, 0);
	r->dur_ns = rom_tm(rom)->mass_erase_ns;
	r->event = EMU_EVENT_RESET;
}

static uint64_t prog_time(const struct emu_rom *rom, uint32_t len)
{
	const struct emu_chip_timing *t = rom_tm(rom);

	return (uint64_t)((len + t->prog_unit - 1) / t->prog_unit) * t->prog_unit_ns;
}

/* F0/F3: a half-word of 0x0000 is programmed even over a non-erased one. */
static bool all_zero(const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (data[i])
			return false;
	return true;
}

static bool ecc_word_blank(const struct emu_rom *rom, uint32_t word)
{
	const uint32_t u = rom->chip->ecc_unit;
	const uint8_t *p = rom->flash + (size_t)word * u;

	if (rom->ecc_used[word] != ECC_ERASED)
		return false;
	for (uint32_t i = 0; i < u; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/*
 * Program flash. No ECC (F4): bits can only go 1 -> 0, so the result is the
 * AND of old and new. F0/F3 (unit_by_value): a half-word that does not read
 * 0xFFFF fails, unless 0x0000 is written; one programmed with 0xFFFF can be
 * programmed again, as nothing but its value is checked. ECC with a check
 * (L4/G0 64-bit words, PROGERR): a word can be programmed once after erase;
 * programming one that is not erased fails and the ROM reports errPROG.
 * Words are programmed in order, so the words before the failing one stay
 * written, as on the chip.
 *
 * H7 (unchecked_program): nothing refuses the write (see emu_chip), so the
 * ROM reports OK, as HAL_FLASH_Program() does in the reports below. Each
 * 256-bit word is erased or programmed, whatever its value: "write the whole
 * granule at once and only once, otherwise you get an ECC error leading
 * through unhandled NMI to Hardfault" (STM32H747, community.st.com/t5/
 * stm32-mcus-products/stm32h747igt6-flash-read-leading-to-hardfault/
 * td-p/51344); "You can only flash some non-null value once after erase but
 * you can also flash a none-null unit to all null" (STM32H723, community.st
 * .com/t5/stm32-mcus-products/flash-writing-issue/m-p/59967). The erased ECC
 * is a special case, not the ECC of all-ones data (the G4 manual's note on
 * virgin data, quoted in community.st.com/t5/stm32-mcus-products/
 * stm32g4-check-if-programmed-previously/td-p/200876), so a word programmed
 * with 0xFF is programmed. Programming a programmed word again leaves the
 * AND of old and new data (cells only go 1 -> 0, RM0433 4.3.9) under an ECC
 * that no longer matches them ("may lead to an inconsistent ECC code",
 * 4.3.9), unless nothing changes: the same word again, or all zeros (a zero
 * ECC). ASSUMPTION: a read of such a word is a double error (DBECCERR), not
 * a corrected single one: which it is depends on ST's undisclosed code.
 */
/* H7: program one 256-bit word @w with @len bytes of @data at @from. */
static void h7_program_word(struct emu_rom *rom, uint32_t w, uint32_t from, const uint8_t *data,
			    uint32_t len)
{
	const uint32_t u = rom->chip->ecc_unit;
	uint8_t *cell = rom->flash + (size_t)w * u;
	uint8_t word[64];
	bool same = true, zero = true;

	if (u > sizeof(word))
		return;
	/* The ROM programs whole words: bytes the block leaves out are 0xFF. */
	memset(word, 0xFF, u);
	memcpy(word + (from - w * u), data, len);
	for (uint32_t i = 0; i < u; i++) {
		same = same && word[i] == cell[i];
		zero = zero && !word[i];
		cell[i] &= word[i];
	}
	if (rom->ecc_used[w] == ECC_ERASED || zero)
		rom->ecc_used[w] = ECC_PROGRAMMED;
	else if (!same)
		rom->ecc_used[w] = ECC_INCONSISTENT;
}

bool rom_ecc_fault_at(const struct emu_rom *rom, uint64_t addr, uint32_t len)
{
	const struct emu_chip *c = rom->chip;
	uint64_t end = addr + len;

	if (!c->unchecked_program || !len || end <= c->flash_base ||
	    addr >= (uint64_t)c->flash_base + c->flash_size)
		return false;
	if (addr < c->flash_base)
		addr = c->flash_base;
	if (end > (uint64_t)c->flash_base + c->flash_size)
		end = (uint64_t)c->flash_base + c->flash_size;
	for (uint64_t w = (addr - c->flash_base) / c->ecc_unit;
	     w * c->ecc_unit < end - c->flash_base; w++)
		if (rom->ecc_used[w] == ECC_INCONSISTENT)
			return true;
	return false;
}

static uint8_t flash_program(struct emu_rom *rom, uint32_t addr, const uint8_t *data, uint32_t len)
{
	const struct emu_chip *c = rom->chip;
	uint32_t off = addr - c->flash_base;

	if (!c->ecc_unit) {
		for (uint32_t i = 0; i < len; i++)
			rom->flash[off + i] &= data[i];
		return DFU_STATUS_OK;
	}
	for (uint32_t w = off / c->ecc_unit; (uint64_t)w * c->ecc_unit < (uint64_t)off + len; w++) {
		uint32_t ws = w * c->ecc_unit;
		uint32_t from = ws < off ? off : ws;
		uint32_t to = ws + c->ecc_unit < off + len ? ws + c->ecc_unit : off + len;

		if (c->unchecked_program) {
			h7_program_word(rom, w, from, data + (from - off), to - from);
			continue;
		}
		if (!ecc_word_blank(rom, w) &&
		    !(c->unit_by_value && all_zero(data + (from - off), to - from)))
			return DFU_STATUS_ERR_PROG;
		memcpy(rom->flash + from, data + (from - off), to - from);
		rom->ecc_used[w] = c->unit_by_value ? ECC_ERASED : ECC_PROGRAMMED;
	}
	return DFU_STATUS_OK;
}

static void write_optbytes(struct emu_rom *rom, unsigned alt, uint32_t addr, uint32_t len,
			   struct rom_exec_result *r)
{
	const struct emu_chip *c = rom->chip;
	uint8_t old[512];
	int was = rom->rdp;

	memcpy(old, rom->ob, c->ob_size < sizeof(old) ? c->ob_size : sizeof(old));
	for (uint32_t i = 0; i < len; i++)
		*backing(rom, alt, addr + i) = rom->buf[i];
	/* optbytes.c: reserved bits, shadow words, the RDP level and its mass
	 * erase (level 2 is honoured at the next reset: the ROM stays off). */
	if (!emu_ob_written(rom, old)) {
		rom->rdp = rom->ob[c->ob_rdp_offset] == c->ob_rdp_level0 ? 0 : 1;
		if (was && !rom->rdp)
			mass_erase(rom);
	}
	/* AN3156/[DP]: an option-byte write resets the device at once. */
	r->event = EMU_EVENT_RESET;
}

static void exec_data(struct emu_rom *rom, struct rom_exec_result *r)
{
	const struct emu_chip *c = rom->chip;
	unsigned alt = rom->alt;
	enum emu_mem_kind kind = c->alt[alt].kind;
	uint64_t addr = (uint64_t)rom->addr_ptr + (uint64_t)(rom->cmd.block - 2) * c->transfer_size;
	uint32_t len = rom->cmd.len;

	r->poll_ms = reported_poll(rom, rom_tm(rom)->poll_write_ms, 10);
	if (emu_ob_hidden_write(rom, addr, len, r))
		return;
	/* AN2662 §4.5.1 fig. 57 (Write memory): address not allowed ->
	 * errTARGET; then read protection active -> errVENDOR; a write to the
	 * option bytes ends in a system reset. "Allowed" here: writable per
	 * the alt's layout letters. */
	if (!range_ok(rom, alt, addr, len, PERM_WRITE)) {
		r->status = DFU_STATUS_ERR_TARGET;
		return;
	}
	if (rom->rdp) {
		r->status = DFU_STATUS_ERR_VENDOR;
		return;
	}
	if (kind == EMU_MEM_FLASH && c->q.write_only && len != c->q.write_only) {
		/* G4 (chips.c): flash writes other than 1024 bytes are refused */
		r->status = DFU_STATUS_ERR_TARGET;
		return;
	}
	r->dur_ns = prog_time(rom, len);
	switch (kind) {
	case EMU_MEM_FLASH:
		r->status = flash_program(rom, (uint32_t)addr, rom->buf, len);
		return;
	case EMU_MEM_OPTBYTES:
		write_optbytes(rom, alt, (uint32_t)addr, len, r);
		return;
	case EMU_MEM_OTP:
		for (uint32_t i = 0; i < len; i++)
			*backing(rom, alt, (uint32_t)addr + i) &= rom->buf[i];
		return;
	case EMU_MEM_PLAIN:
		for (uint32_t i = 0; i < len; i++)
			*backing(rom, alt, (uint32_t)addr + i) = rom->buf[i];
		return;
	}
}

static bool address_allowed(const struct emu_rom *rom, uint32_t addr)
{
	const struct emu_chip *c = rom->chip;

	for (unsigned i = 0; i < c->n_alts; i++)
		if (find_sector(rom, i, addr))
			return true;
	if (emu_ob_hidden_at(rom, addr, 1) || rom_uid_set_address_ok(rom, addr))
		return true;
	for (unsigned i = 0; i < 3; i++)
		if (c->sram[i].size && addr >= c->sram[i].base &&
		    addr - c->sram[i].base < c->sram[i].size)
			return true;
	return false;
}

/* Execute the pending command (on the GETSTATUS that answers dfuDNBUSY). */
void rom_execute(struct emu_rom *rom, struct rom_exec_result *r)
{
	memset(r, 0, sizeof(*r));
	switch (rom->cmd.kind) {
	case CMD_SET_ADDRESS:
		/* AN2662 §4.5.2: allowed under read protection; a wrong address
		 * gives errTARGET. Allowed: flash, RAM, system memory and option
		 * bytes; we accept every alt's memory and the SRAM. */
		r->poll_ms = rom_tm(rom)->poll_set_address_ms;
		if (!address_allowed(rom, rom->cmd.arg))
			r->status = DFU_STATUS_ERR_TARGET;
		else
			rom->addr_ptr = rom->cmd.arg;
		break;
	case CMD_ERASE:
		exec_erase(rom, r);
		break;
	case CMD_MASS_ERASE:
		exec_mass_erase(rom, r);
		break;
	case CMD_READ_UNPROTECT:
		exec_read_unprotect(rom, r);
		break;
	case CMD_DATA:
		exec_data(rom, r);
		break;
	case CMD_NONE:
	case CMD_LEAVE:
		break;
	}
	if (r->status != DFU_STATUS_OK)
		r->event = EMU_EVENT_NONE;
	/* --timing fast: no durations, but the real bwPollTimeout (rom.h) */
	if (!rom_real(rom))
		r->dur_ns = 0;
}

/* ---- DfuSe command decoding ------------------------------------------------- */

enum cmd_kind rom_decode_command(const uint8_t *d, uint16_t len, uint32_t *arg)
{
	if (len == 5 && d[0] == DFUSE_SET_ADDRESS) {
		*arg = le32(d + 1);
		return CMD_SET_ADDRESS;
	}
	if (len == 5 && d[0] == DFUSE_ERASE) {
		*arg = le32(d + 1);
		return CMD_ERASE;
	}
	if (len == 1 && d[0] == DFUSE_ERASE)
		return CMD_MASS_ERASE;
	if (len == 1 && d[0] == DFUSE_READ_UNPROTECT)
		return CMD_READ_UNPROTECT;
	return CMD_NONE;
}
