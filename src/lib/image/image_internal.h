/* SPDX-License-Identifier: MIT */
/*
 * Shared between the image readers and writers: building a sorted,
 * non-overlapping segment list with every allocation bounded, the DFU
 * suffix and its CRC-32.
 */
#ifndef STDFU_IMAGE_INTERNAL_H
#define STDFU_IMAGE_INTERNAL_H

#include <stdio.h>

#include <stdfu/image.h>

#define IMG_DEFAULT_MAX_SIZE ((size_t)256 << 20)
#define DFU_SUFFIX_LEN	     16u

/* Reader state: the image under construction and the limits it must obey. */
struct img_build {
	struct stdfu_image *img;
	size_t cap;	  /* allocated entries in img->segments */
	size_t seg_cap;	  /* allocated bytes of the last segment's data */
	uint64_t total;	  /* data bytes so far */
	size_t max_size;  /* refuse more data than this */
	const char *name; /* file name for error details */
};

int img_build_init(struct img_build *b, const char *name, const struct stdfu_image_load_opts *opts,
		   enum stdfu_image_format fmt);

/*
 * Add @len bytes at @addr. Bytes that continue the last segment (same alt,
 * address == its end) extend it, so a HEX file of 16-byte records becomes
 * one segment. @where names the record for error details ("app.hex:12").
 */
int img_add(struct img_build *b, uint8_t alt, uint32_t addr, const uint8_t *data, uint32_t len,
	    const char *where);

/*
 * Sort by (alt, address), refuse overlaps naming both addresses, merge
 * adjacent segments. On success hands the image to *out; on failure frees it.
 */
int img_build_finish(struct img_build *b, struct stdfu_image **out);
void img_build_abort(struct img_build *b);

/* CRC-32 as the DFU suffix uses it: reflected 0xEDB88320, init ~0, no final XOR. */
uint32_t dfu_crc32(uint32_t crc, const uint8_t *buf, size_t len);

/* True when @buf ends in something shaped like a DFU suffix ("UFD", bLength). */
bool dfu_suffix_present(const uint8_t *buf, size_t len);

/*
 * Check the suffix at the end of @buf (CRC included), record its fields in
 * @img and return the length of the data before it in *payload_len.
 */
int dfu_suffix_parse(const uint8_t *buf, size_t len, const char *name, struct stdfu_image *img,
		     size_t *payload_len);

/* Append a 16-byte suffix to @buf (which has room) and return the new length. */
size_t dfu_suffix_write(uint8_t *buf, size_t len, uint16_t bcd_device, uint16_t pid, uint16_t vid,
			uint16_t bcd_dfu);

/* Readers: @buf/@len is the file without any DFU suffix. */
int image_read_raw(struct img_build *b, const uint8_t *buf, size_t len,
		   const struct stdfu_image_load_opts *opts);
int image_read_ihex(struct img_build *b, const uint8_t *buf, size_t len);
int image_read_srec(struct img_build *b, const uint8_t *buf, size_t len);
int image_read_elf(struct img_build *b, const uint8_t *buf, size_t len);
int image_read_dfuse(struct img_build *b, const uint8_t *buf, size_t len);

/* Writers: produce the whole file in memory (*out, *out_len, malloc'd). */
int image_write_bin(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		    const char *name, uint8_t **out, size_t *out_len);
int image_write_ihex(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		     const char *name, uint8_t **out, size_t *out_len);
int image_write_srec(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		     const char *name, uint8_t **out, size_t *out_len);
int image_write_dfuse(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		      const char *name, uint8_t **out, size_t *out_len);

/* Little-endian field access for the binary formats. */
static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

#endif
