/* SPDX-License-Identifier: MIT */
/*
 * Is what lands at the flash base an application? The Cortex-M core starts
 * by loading the initial stack pointer from the first word of its vector
 * table and the reset handler from the second (ARMv7-M ARM B1.5.5, ARMv6-M
 * ARM B1.5.5); the ST ROM jumps the same way after a leave (AN2606, "the
 * bootloader jumps to the application"). A text file or a picture there
 * gives a core that faults at once, and on a board that enters the ROM
 * through the application's trigger the next update then needs BOOT0.
 *
 * Plausible means: the initial SP inside (or at the top of) an STM32 SRAM
 * window, word aligned; the reset vector odd (Thumb, ARMv7-M B1.4.1) and
 * inside the flash.
 */
#include <stdfu/image.h>

#include "common/error_internal.h"
#include "common/le.h"

/*
 * The SRAM windows of the STM32 families (reference manuals, "memory map"):
 * CCM/SRAM2 at 0x10000000 (F3/F4/G4/L4), SRAM from 0x20000000 (every family;
 * up to 2.5 MiB on U5/H7RS, and H7 DTCM), H7 AXI SRAM at 0x24000000, H7 D2
 * and D3 SRAM at 0x30000000 and 0x38000000. Without the chip's identity the
 * union is the test; it still refuses every text and picture header.
 */
static const struct {
	uint32_t base, size;
} sram_windows[] = {
	{0x10000000u, 0x00010000u}, {0x20000000u, 0x00280000u}, {0x24000000u, 0x00100000u},
	{0x30000000u, 0x00048000u}, {0x38000000u, 0x00010000u},
};

static bool sp_in_sram(uint32_t sp)
{
	if (sp & 3u)
		return false;
	for (size_t i = 0; i < sizeof(sram_windows) / sizeof(sram_windows[0]); i++)
		if (sp > sram_windows[i].base && sp - sram_windows[i].base <= sram_windows[i].size)
			return true;
	return false;
}

/* The segment that holds @base, or NULL. */
static const struct stdfu_segment *at(const struct stdfu_image *img, uint8_t alt, uint32_t base)
{
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		if (s->alt == alt && base >= s->address && base - s->address < s->size)
			return s;
	}
	return NULL;
}

int stdfu_image_check_vectors(const struct stdfu_image *img, uint8_t alt, uint32_t flash_base,
			      uint32_t flash_size)
{
	const struct stdfu_segment *s;
	uint32_t off, sp, reset;

	if (!img)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_image_check_vectors: NULL image");
	s = at(img, alt, flash_base);
	if (!s)
		return STDFU_OK; /* the image leaves the vector table as it is */
	off = flash_base - s->address;
	if (s->size - off < 8)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "the image puts %u bytes at the flash base 0x%08x, less than a "
				   "vector table (initial SP and reset vector, 8 bytes); use "
				   "--force if this is really what the flash should hold",
				   s->size - off, flash_base);
	sp = le_get32(s->data + off);
	reset = le_get32(s->data + off + 4);
	if (!sp_in_sram(sp))
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "this is not an application: its first word 0x%08x is not an "
				   "initial stack pointer in SRAM, so the chip could not start it "
				   "(a text file or a picture?); use --force if this is really "
				   "what the flash should hold",
				   sp);
	if (!(reset & 1u) || (reset & ~1u) < flash_base || (reset & ~1u) - flash_base >= flash_size)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "this is not an application: its reset vector 0x%08x is not an "
				   "odd (Thumb) address inside the flash 0x%08x..0x%08llx; use "
				   "--force if this is really what the flash should hold",
				   reset, flash_base,
				   (unsigned long long)flash_base + flash_size - 1);
	return STDFU_OK;
}
