/* SPDX-License-Identifier: MIT */
/*
 * The emulated chips' option bytes (optbytes.c): their factory image and
 * writable bits from each reference manual, what a write does (shadow
 * words, *_PRG -> *_CUR on H7, RDP and its mass erase), and what the chip
 * boots after a reset. The ROM model (rom.c, rom_flash.c) calls the hooks
 * marked "model"; the glue (board.c, emu_main.c) the ones marked "glue".
 */
#ifndef STDFU_EMU_OPTBYTES_H
#define STDFU_EMU_OPTBYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_rom;
struct rom_exec_result;

/* What a reset (or the application's jump to the system memory) starts. */
enum emu_boot_target {
	EMU_BOOT_ROM,	  /* the ROM bootloader: DFU on USB */
	EMU_BOOT_APP,	  /* the application in flash */
	EMU_BOOT_NOTHING, /* SRAM, a blank flash, a locked chip: nothing on USB */
};

/* model: after the alts are set up, with the --rdp level. 0 on success. */
int emu_ob_init(struct emu_rom *rom, int rdp_level);
/* model: frees a store the alts do not own (G0's, reached by address). */
void emu_ob_free(struct emu_rom *rom);
/* model: set the RDP byte for @level; false if the chip has no option-byte model. */
bool emu_ob_set_rdp(struct emu_rom *rom, int level);
/* model: the image was just written over @old: keep reserved bits, apply, RDP.
 * false if the chip has no option-byte model (the caller decides RDP). */
bool emu_ob_written(struct emu_rom *rom, const uint8_t *old);
/* model: option bytes reached through the flash alt by address (G0). */
bool emu_ob_hidden_at(const struct emu_rom *rom, uint64_t addr, uint32_t len);
uint32_t emu_ob_hidden_read(struct emu_rom *rom, uint64_t addr, uint8_t *dst, uint32_t len);
/* model: a data block for the hidden option bytes; true if it was one (handled). */
bool emu_ob_hidden_write(struct emu_rom *rom, uint64_t addr, uint32_t len,
			 struct rom_exec_result *r);

/* glue: what runs after a reset (@jump false) or the application's jump to
 * the ROM (@jump true). The board's BOOT0 pin is held high (the emulated
 * board is on the bench to be flashed). */
enum emu_boot_target emu_rom_boot_target(const struct emu_rom *rom, bool jump);

/* glue: the option-byte image for --dump / --load; NULL if the chip has none. */
uint8_t *emu_rom_optbytes(struct emu_rom *rom, uint32_t *size);
/* glue: after --load replaced the image: RDP follows it. */
void emu_rom_optbytes_loaded(struct emu_rom *rom);

#endif
