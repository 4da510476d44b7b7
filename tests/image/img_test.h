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

/* One Intel HEX record with a correct checksum, appended to @out. */
static inline void ihex_rec(char *out, uint8_t type, uint16_t addr, const uint8_t *d, unsigned n)
{
	uint8_t sum = (uint8_t)(n + (addr >> 8) + addr + type);
	char *p = out + strlen(out);

	p += sprintf(p, ":%02X%04X%02X", n, addr, type);
	for (unsigned i = 0; i < n; i++) {
		p += sprintf(p, "%02X", d[i]);
		sum = (uint8_t)(sum + d[i]);
	}
	sprintf(p, "%02X\n", (uint8_t)(0x100 - sum));
}

/* One S-record with a correct checksum, appended to @out; @alen address bytes. */
static inline void srec_rec(char *out, char type, unsigned alen, uint32_t addr, const uint8_t *d,
			    unsigned n)
{
	uint8_t count = (uint8_t)(alen + n + 1), sum = count;
	char *p = out + strlen(out);

	p += sprintf(p, "S%c%02X", type, count);
	for (unsigned i = alen; i-- > 0;) {
		p += sprintf(p, "%02X", (uint8_t)(addr >> (8 * i)));
		sum = (uint8_t)(sum + (uint8_t)(addr >> (8 * i)));
	}
	for (unsigned i = 0; i < n; i++) {
		p += sprintf(p, "%02X", d[i]);
		sum = (uint8_t)(sum + d[i]);
	}
	sprintf(p, "%02X\n", (uint8_t)~sum);
}

#endif
