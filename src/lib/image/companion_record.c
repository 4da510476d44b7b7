/* SPDX-License-Identifier: MIT */
/*
 * Finding the firmware companion's record in an image. The record is 16 bytes
 * at a 4-byte aligned address (<stdfu/trigger_protocol.h>): the magic alone
 * could occur in data, so its size byte and check word must agree too.
 */
#include <string.h>

#include <stdfu/companion.h>
#include <stdfu/trigger_protocol.h>

#include "common/error_internal.h"
#include "common/le.h"

/* A valid record at @p (STDFU_COMPANION_RECORD_SIZE bytes readable)? */
static bool record_at(const uint8_t *p, struct stdfu_companion_record *out, uint32_t address)
{
	uint32_t word = le_get32(p + 8);

	if (memcmp(p, STDFU_COMPANION_MAGIC, STDFU_COMPANION_MAGIC_LEN) != 0 ||
	    p[10] != STDFU_COMPANION_RECORD_SIZE || le_get32(p + 12) != (uint32_t)~word)
		return false;
	out->found = true;
	out->address = address;
	out->version = p[8];
	out->trigger_byte = p[9];
	out->flags = p[11];
	return true;
}

static bool find_in(const struct stdfu_segment *s, struct stdfu_companion_record *out)
{
	/* Offsets in the segment of the aligned addresses. */
	uint32_t first = (4u - (s->address & 3u)) & 3u;

	if (s->size < STDFU_COMPANION_RECORD_SIZE)
		return false;
	for (uint32_t off = first; off <= s->size - STDFU_COMPANION_RECORD_SIZE; off += 4) {
		if (s->data[off] == (uint8_t)STDFU_COMPANION_MAGIC[0] &&
		    record_at(s->data + off, out, s->address + off))
			return true;
	}
	return false;
}

int stdfu_companion_find(const struct stdfu_image *img, struct stdfu_companion_record *out)
{
	if (!out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_companion_find: no result to fill");
	memset(out, 0, sizeof(*out));
	if (!img)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_companion_find: no image");
	for (size_t i = 0; i < img->count; i++) {
		if (find_in(&img->segments[i], out))
			return STDFU_OK;
	}
	return STDFU_OK;
}
