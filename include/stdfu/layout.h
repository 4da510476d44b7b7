/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/layout.h
 * @brief DfuSe memory-layout strings ("@Internal Flash  /0x08000000/04*016Kg,...").
 *
 * Each alt setting of an ST ROM names its memory in its iInterface string:
 * a name up to the first '/', then one or more regions, each a start address
 * followed by comma-separated groups "count*size" with a multiplier
 * (' ' or 'B' bytes, 'K' x1024, 'M' x1048576) and a type letter 'a'..'g' whose
 * low three bits are Readable, Erasable, Writable (AN3156, UM0424).
 *
 * The string comes from the device, so the parser treats it as untrusted:
 * bounded length and group count, no overflow past 4 GiB, no overlapping
 * groups, every failure STDFU_ERR_PROTOCOL with a detail naming the offset.
 */
#ifndef STDFU_LAYOUT_H
#define STDFU_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include <stdfu/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STDFU_MEM_READABLE 0x1u
#define STDFU_MEM_ERASABLE 0x2u
#define STDFU_MEM_WRITABLE 0x4u

#define STDFU_LAYOUT_MAX_GROUPS 32    /**< more groups than this is refused */
#define STDFU_LAYOUT_MAX_COUNT	65536 /**< more sectors in one group is refused */
#define STDFU_LAYOUT_MAX_STRING 512   /**< longer strings are refused */

/** @count sectors of @size bytes each, starting at @start. */
struct stdfu_sector_group {
	uint32_t start;
	uint32_t count;
	uint32_t size;
	uint8_t flags; /**< STDFU_MEM_* */
	char letter;   /**< the type letter as sent, 'a'..'g' */
};

struct stdfu_layout {
	char name[64]; /**< "Internal Flash", trailing blanks removed */
	unsigned n_regions;
	size_t n_groups;
	struct stdfu_sector_group groups[STDFU_LAYOUT_MAX_GROUPS];
};

/** One sector located in a layout. */
struct stdfu_sector {
	uint32_t start;
	uint32_t size;
	uint8_t flags;
	uint32_t index; /**< sector number counted over the whole layout */
};

/** Parse @str (NUL-terminated, leading '@' required) into @out. */
int stdfu_layout_parse(const char *str, struct stdfu_layout *out);

/** The sector containing @addr: STDFU_OK, or STDFU_ERR_FIT if none does. */
int stdfu_layout_sector_at(const struct stdfu_layout *layout, uint32_t addr,
			   struct stdfu_sector *out);

/** First address of the layout (lowest group start); 0 for an empty layout. */
uint32_t stdfu_layout_start(const struct stdfu_layout *layout);

/** Total bytes described by the layout. */
uint64_t stdfu_layout_bytes(const struct stdfu_layout *layout);

/** "REW"-style permissions ('-' where absent) into @buf (4 bytes). */
void stdfu_layout_flags_str(uint8_t flags, char buf[4]);

#ifdef __cplusplus
}
#endif
#endif
