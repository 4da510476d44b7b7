/* SPDX-License-Identifier: MIT */
/* --serial-at: the checks and the patch (station_patch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/layout.h>

#include "cli.h"
#include "station_patch.h"

/*
 * Main flash of every family stdfu knows starts at 0x08000000 and the largest
 * (U5: 4 MiB, RM0456 §7.3.1) ends below 0x08400000. ASSUMPTION: a serial
 * outside this window is a typo; the exact end is checked per board against
 * its ROM's layout (sp_check_device).
 */
#define SP_FLASH_LO 0x08000000u
#define SP_FLASH_HI 0x08400000u

static const struct stdfu_segment *holding(const struct stdfu_image *img, uint32_t addr)
{
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		if (addr < (uint64_t)s->address + s->size && s->address < (uint64_t)addr + 4)
			return s;
	}
	return NULL;
}

int sp_check(const struct stdfu_image *img, uint32_t addr, char *why, size_t cap)
{
	const struct stdfu_segment *s;

	if (addr % 4) {
		snprintf(why, cap,
			 "--serial-at 0x%08x is not 4-byte aligned: the serial is a 32-bit "
			 "word; give an address that is a multiple of 4",
			 (unsigned)addr);
		return CLI_EXIT_USAGE;
	}
	if (addr < SP_FLASH_LO || addr > SP_FLASH_HI - SP_SERIAL_BYTES) {
		snprintf(why, cap,
			 "--serial-at 0x%08x is not in the internal flash (0x%08x..0x%08x "
			 "on STM32 parts): give an address in the flash the image is written to",
			 (unsigned)addr, SP_FLASH_LO, SP_FLASH_HI - 1);
		return CLI_EXIT_USAGE;
	}
	s = holding(img, addr);
	if (s) {
		snprintf(why, cap,
			 "the image already holds data at --serial-at 0x%08x (its segment "
			 "0x%08x..0x%08x): the serial would overwrite it; reserve the word in the "
			 "image (leave a gap) or choose an address outside it",
			 (unsigned)addr, (unsigned)s->address,
			 (unsigned)(s->address + s->size - 1));
		return CLI_EXIT_BAD_IMAGE;
	}
	return 0;
}

int sp_check_device(const struct stdfu_device_info *info, uint32_t addr, char *why, size_t cap)
{
	const struct stdfu_alt *fl = stdfu_device_flash_alt(info);
	struct stdfu_sector a, b;

	if (fl && stdfu_layout_sector_at(&fl->layout, addr, &a) == STDFU_OK &&
	    stdfu_layout_sector_at(&fl->layout, addr + SP_SERIAL_BYTES - 1, &b) == STDFU_OK &&
	    (a.flags & b.flags & STDFU_MEM_WRITABLE))
		return STDFU_OK;
	snprintf(why, cap,
		 "--serial-at 0x%08x is not in writable flash of this board (%s): no serial "
		 "was taken",
		 (unsigned)addr, fl ? fl->layout.name : "no flash alt");
	return STDFU_ERR_FIT;
}

static int insert(struct stdfu_image *img, uint32_t addr, uint32_t serial)
{
	struct stdfu_segment *segs = realloc(img->segments, (img->count + 1) * sizeof(*segs));
	uint8_t *data = malloc(SP_SERIAL_BYTES);
	size_t at = 0;

	if (segs)
		img->segments = segs;
	if (!segs || !data) {
		free(data);
		return STDFU_ERR_NOMEM;
	}
	for (int i = 0; i < 4; i++)
		data[i] = (uint8_t)(serial >> (8 * i));
	/* sorted by (alt, address); the flash is alt 0 in every format but DfuSe,
	 * whose flash target is alt 0 too (UM0391) */
	while (at < img->count && (segs[at].alt == 0 && segs[at].address < addr))
		at++;
	memmove(segs + at + 1, segs + at, (img->count - at) * sizeof(*segs));
	segs[at] = (struct stdfu_segment){.address = addr, .size = 4, .data = data, .alt = 0};
	img->count++;
	return STDFU_OK;
}

int sp_patch(struct stdfu_image *img, const struct stdfu_device_info *info, uint32_t addr,
	     uint32_t serial, char *why, size_t cap)
{
	if (img->at_flash_base && img->count == 1) {
		const struct stdfu_alt *fl = stdfu_device_flash_alt(info);

		img->segments[0].address = fl ? stdfu_layout_start(&fl->layout) : SP_FLASH_LO;
		img->at_flash_base = false;
	}
	if (holding(img, addr)) {
		snprintf(why, cap, "the image holds data at --serial-at 0x%08x on this board",
			 (unsigned)addr);
		return STDFU_ERR_IMAGE;
	}
	return insert(img, addr, serial);
}

struct stdfu_image *sp_copy(const struct stdfu_image *img)
{
	struct stdfu_image *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *img;
	c->segments = calloc(img->count ? img->count : 1, sizeof(*c->segments));
	c->count = 0;
	if (!c->segments) {
		free(c);
		return NULL;
	}
	/* stdfu_image_free() frees each segment's data, then the array */
	for (; c->count < img->count; c->count++) {
		const struct stdfu_segment *s = &img->segments[c->count];
		uint8_t *d = malloc(s->size);

		if (!d) {
			stdfu_image_free(c);
			return NULL;
		}
		memcpy(d, s->data, s->size);
		c->segments[c->count] = *s;
		c->segments[c->count].data = d;
	}
	return c;
}
