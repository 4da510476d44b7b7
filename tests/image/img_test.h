/* SPDX-License-Identifier: MIT */
/* Helpers shared by the image unit tests (cmocka). */
#ifndef IMG_TEST_H
#define IMG_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdfu/image.h>

/* Load @len bytes as @name; assert it fails with @code and that the detail contains @needle. */
#define expect_fail(buf, len, name, opts, code, needle)                                           \
	expect_fail_at(__FILE__, __LINE__, (const uint8_t *)(buf), (len), (name), (opts), (code), \
		       (needle))

static inline void expect_fail_at(const char *file, int line, const uint8_t *buf, size_t len,
				  const char *name, const struct stdfu_image_load_opts *opts,
				  int code, const char *needle)
{
	struct stdfu_image *img = (struct stdfu_image *)1;
	int rc = stdfu_image_load_mem(buf, len, name, opts, &img);

	if (rc != code || !strstr(stdfu_error_detail(), needle)) {
		print_error("%s:%d: rc %d (want %d), detail \"%s\" (want \"%s\")\n", file, line, rc,
			    code, stdfu_error_detail(), needle);
		_fail(file, line);
	}
	assert_null(img);
}

static inline struct stdfu_image *load_ok(const void *buf, size_t len, const char *name,
					  const struct stdfu_image_load_opts *opts)
{
	struct stdfu_image *img = NULL;
	int rc = stdfu_image_load_mem(buf, len, name, opts, &img);

	if (rc != 0)
		print_error("load %s: rc %d: %s\n", name, rc, stdfu_error_detail());
	assert_int_equal(rc, 0);
	assert_non_null(img);
	return img;
}

#define load_str(s, name)		load_ok((s), strlen(s), (name), NULL)
#define fail_str(s, name, code, needle) expect_fail((s), strlen(s), (name), NULL, (code), (needle))

static inline void assert_segment(const struct stdfu_image *img, size_t i, uint32_t addr,
				  const void *data, uint32_t size)
{
	assert_true(i < img->count);
	assert_int_equal(img->segments[i].address, addr);
	assert_int_equal(img->segments[i].size, size);
	assert_memory_equal(img->segments[i].data, data, size);
}

#endif
