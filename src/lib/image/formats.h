/* SPDX-License-Identifier: MIT */
/*
 * The format readers (image_raw.c ... image_dfuse.c) and writers
 * (image_write.c). Readers feed the model in build.h; image.c detects the
 * format and dispatches to them, so no reader calls back into image.c.
 */
#ifndef STDFU_IMAGE_FORMATS_H
#define STDFU_IMAGE_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include <stdfu/image.h>

#include "image/build.h"

/* Readers: @buf/@len is the file without any DFU suffix. */
int stdfu__image_read_raw(struct img_build *b, const uint8_t *buf, size_t len,
			  const struct stdfu_image_load_opts *opts);
int stdfu__image_read_ihex(struct img_build *b, const uint8_t *buf, size_t len);
int stdfu__image_read_srec(struct img_build *b, const uint8_t *buf, size_t len);
int stdfu__image_read_elf(struct img_build *b, const uint8_t *buf, size_t len);
int stdfu__image_read_dfuse(struct img_build *b, const uint8_t *buf, size_t len);

/* Writers: produce the whole file in memory (*out, *out_len, malloc'd). */
int stdfu__image_write_bin(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			   const char *name, uint8_t **out, size_t *out_len);
int stdfu__image_write_ihex(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			    const char *name, uint8_t **out, size_t *out_len);
int stdfu__image_write_srec(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			    const char *name, uint8_t **out, size_t *out_len);
int stdfu__image_write_dfuse(const struct stdfu_image *img,
			     const struct stdfu_image_save_opts *opts, const char *name,
			     uint8_t **out, size_t *out_len);

#endif
