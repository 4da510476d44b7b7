/* SPDX-License-Identifier: MIT */
/*
 * TEMPORARY: the readers and writers below are being written (issue 6) and
 * say so instead of pretending. This file goes away when they land.
 */
#include "error_internal.h"
#include "image_internal.h"

#define PENDING(what) stdfu_fail(STDFU_ERR_UNSUPPORTED, "%s: " what " not implemented yet", name)

int image_read_ihex(struct img_build *b, const uint8_t *buf, size_t len)
{
	const char *name = b->name;
	(void)buf, (void)len;
	return PENDING("Intel HEX reading");
}
int image_read_srec(struct img_build *b, const uint8_t *buf, size_t len)
{
	const char *name = b->name;
	(void)buf, (void)len;
	return PENDING("S-record reading");
}
int image_read_elf(struct img_build *b, const uint8_t *buf, size_t len)
{
	const char *name = b->name;
	(void)buf, (void)len;
	return PENDING("ELF reading");
}
int image_read_dfuse(struct img_build *b, const uint8_t *buf, size_t len)
{
	const char *name = b->name;
	(void)buf, (void)len;
	return PENDING("DfuSe reading");
}
int image_write_bin(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		    const char *name, uint8_t **out, size_t *out_len)
{
	(void)img, (void)opts, (void)out, (void)out_len;
	return PENDING("bin writing");
}
int image_write_ihex(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		     const char *name, uint8_t **out, size_t *out_len)
{
	(void)img, (void)opts, (void)out, (void)out_len;
	return PENDING("hex writing");
}
int image_write_srec(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		     const char *name, uint8_t **out, size_t *out_len)
{
	(void)img, (void)opts, (void)out, (void)out_len;
	return PENDING("srec writing");
}
int image_write_dfuse(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
		      const char *name, uint8_t **out, size_t *out_len)
{
	(void)img, (void)opts, (void)out, (void)out_len;
	return PENDING("dfu writing");
}
