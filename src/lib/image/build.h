/* SPDX-License-Identifier: MIT */
/*
 * The image model under construction: a sorted, non-overlapping segment list
 * with every allocation bounded. The format readers feed it; nothing here
 * knows any file format.
 */
#ifndef STDFU_IMAGE_BUILD_H
#define STDFU_IMAGE_BUILD_H

#include <stdfu/image.h>

#define IMG_DEFAULT_MAX_SIZE ((size_t)256 << 20)

/* Reader state: the image under construction and the limits it must obey. */
struct img_build {
	struct stdfu_image *img;
	size_t cap;	  /* allocated entries in img->segments */
	size_t seg_cap;	  /* allocated bytes of the last segment's data */
	uint64_t total;	  /* data bytes so far */
	size_t max_size;  /* refuse more data than this */
	const char *name; /* file name for error details */
};

int stdfu__img_build_init(struct img_build *b, const char *name,
			  const struct stdfu_image_load_opts *opts, enum stdfu_image_format fmt);

/*
 * Add @len bytes at @addr. Bytes that continue the last segment (same alt,
 * address == its end) extend it, so a HEX file of 16-byte records becomes
 * one segment. @where names the record for error details ("app.hex:12").
 */
int stdfu__img_add(struct img_build *b, uint8_t alt, uint32_t addr, const uint8_t *data,
		   uint32_t len, const char *where);

/*
 * Sort by (alt, address), refuse overlaps naming both addresses, merge
 * adjacent segments. On success hands the image to *out; on failure frees it.
 */
int stdfu__img_build_finish(struct img_build *b, struct stdfu_image **out);
void stdfu__img_build_abort(struct img_build *b);

#endif
