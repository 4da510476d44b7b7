/* SPDX-License-Identifier: MIT */
/* Writers behind `stdfu convert`: exact output text, limits, and file handling. */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "img_test.h"
#include "common/le.h"
#include "image/build.h"
#include "image/formats.h"
#include "image/suffix.h"

static const uint8_t d16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static char dir[64];

static struct stdfu_image *make(uint8_t alt2, uint32_t a1, uint32_t a2)
{
	struct stdfu_image_load_opts lo = {0};
	struct stdfu_image *img = NULL;
	struct img_build b;

	assert_int_equal(stdfu__img_build_init(&b, "t", &lo, STDFU_FORMAT_IHEX), 0);
	assert_int_equal(stdfu__img_add(&b, 0, a1, d16, 16, "t"), 0);
	if (a2)
		assert_int_equal(stdfu__img_add(&b, alt2, a2, d16, 4, "t"), 0);
	assert_int_equal(stdfu__img_build_finish(&b, &img), 0);
	return img;
}

static char *out_text(int (*w)(const struct stdfu_image *, const struct stdfu_image_save_opts *,
			       const char *, uint8_t **, size_t *),
		      const struct stdfu_image *img, unsigned per)
{
	struct stdfu_image_save_opts o = {.fill = 0xFF, .line_bytes = per};
	uint8_t *buf;
	char *t;
	size_t len;

	assert_int_equal(w(img, &o, "t", &buf, &len), 0);
	t = calloc(1, len + 1);
	assert_non_null(t);
	memcpy(t, buf, len);
	free(buf);
	return t;
}

/* A segment across a 64 KiB boundary: records split there, 04 records as needed. */
static void hex_exact_text(void **state)
{
	struct stdfu_image *img = make(0, 0x0800FFF8, 0x08010010);
	char *t = out_text(stdfu__image_write_ihex, img, 16);

	(void)state;
	assert_string_equal(t, ":020000040800F2\n"
			       ":08FFF8000001020304050607E5\n"
			       ":020000040801F1\n"
			       ":0800000008090A0B0C0D0E0F9C\n"
			       ":0400100000010203E6\n"
			       ":00000001FF\n");
	free(t);
	t = out_text(stdfu__image_write_ihex, img, 4);
	assert_non_null(strstr(t, ":04FFF80000010203FF\n:04FFFC0004050607EB\n"));
	free(t);
	stdfu_image_free(img);
}

static void srec_exact_text(void **state)
{
	struct stdfu_image *img = make(0, 0x08000000, 0x08000100);
	char *t = out_text(stdfu__image_write_srec, img, 32);

	(void)state;
	assert_string_equal(t, "S00800007374646675D1\n"
			       "S31508000000000102030405060708090A0B0C0D0E0F6A\n"
			       "S3090800010000010203E7\n"
			       "S5030002FA\n"
			       "S70500000000FA\n");
	free(t);
	stdfu_image_free(img);
}

static void bin_fills_gaps(void **state)
{
	struct stdfu_image *img = make(0, 0x08000000, 0x08000020);
	struct stdfu_image_save_opts o = {.fill = 0xA5};
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(stdfu__image_write_bin(img, &o, "t.bin", &buf, &len), 0);
	assert_int_equal(len, 0x24);
	assert_memory_equal(buf, d16, 16);
	for (int i = 16; i < 32; i++)
		assert_int_equal(buf[i], 0xA5);
	assert_memory_equal(buf + 32, d16, 4);
	free(buf);
	stdfu_image_free(img);
}

static void bin_refuses_absurd_span(void **state)
{
	struct stdfu_image *img = make(0, 0x08000000, 0x90000000);
	struct stdfu_image_save_opts o = {.fill = 0xFF};
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(stdfu__image_write_bin(img, &o, "far.bin", &buf, &len), STDFU_ERR_IMAGE);
	assert_non_null(
		strstr(stdfu_error_detail(), "far.bin: the image spans 0x08000000-0x90000003"));
	assert_null(buf);
	stdfu_image_free(img);
}

static void single_memory_formats_refuse_alts(void **state)
{
	struct stdfu_image *img = make(1, 0x08000000, 0x1FFFC000);
	struct stdfu_image_save_opts o = {.fill = 0xFF};
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(stdfu__image_write_ihex(img, &o, "a.hex", &buf, &len),
			 STDFU_ERR_UNSUPPORTED);
	assert_non_null(strstr(stdfu_error_detail(), "alt 1 at 0x1fffc000"));
	assert_int_equal(stdfu__image_write_srec(img, &o, "a.srec", &buf, &len),
			 STDFU_ERR_UNSUPPORTED);
	assert_int_equal(stdfu__image_write_bin(img, &o, "a.bin", &buf, &len),
			 STDFU_ERR_UNSUPPORTED);
	assert_int_equal(stdfu__image_write_dfuse(img, &o, "a.dfu", &buf, &len), 0);
	free(buf);
	stdfu_image_free(img);
}

static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void save_paths_and_errors(void **state)
{
	struct stdfu_image *img = make(0, 0x08000000, 0), *back = NULL;
	struct stdfu_image_save_opts o = {.fill = 0xFF, .line_bytes = 251};
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/a.zip", dir);
	assert_int_equal(stdfu_image_save(img, p, NULL), STDFU_ERR_ARG);
	assert_non_null(strstr(stdfu_error_detail(), "unknown extension '.zip'"));
	snprintf(p, sizeof(p), "%s/a.elf", dir);
	assert_int_equal(stdfu_image_save(img, p, NULL), STDFU_ERR_UNSUPPORTED);
	snprintf(p, sizeof(p), "%s/a.hex", dir);
	assert_int_equal(stdfu_image_save(img, p, &o), STDFU_ERR_ARG);
	assert_non_null(strstr(stdfu_error_detail(), "251 data bytes per record"));
	snprintf(p, sizeof(p), "%s/missing/a.hex", dir);
	assert_int_equal(stdfu_image_save(img, p, NULL), STDFU_ERR_FILE);
	assert_non_null(strstr(stdfu_error_detail(), "missing/a.hex"));
	assert_int_equal(count_entries(), 0); /* nothing half-written left behind */

	/* --format wins over the extension. */
	o.line_bytes = 0;
	o.format = STDFU_FORMAT_SREC;
	snprintf(p, sizeof(p), "%s/a.out", dir);
	assert_int_equal(stdfu_image_save(img, p, &o), 0);
	assert_int_equal(stdfu_image_load(p, NULL, &back), 0);
	assert_int_equal(back->format, STDFU_FORMAT_SREC);
	assert_segment(back, 0, 0x08000000, d16, 16);
	assert_int_equal(count_entries(), 1);
	unlink(p);
	stdfu_image_free(back);
	stdfu_image_free(img);
}

static void load_file_errors(void **state)
{
	struct stdfu_image *img = NULL;
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/nope.hex", dir);
	assert_int_equal(stdfu_image_load(p, NULL, &img), STDFU_ERR_FILE);
	assert_non_null(strstr(stdfu_error_detail(), "nope.hex: No such file"));
	assert_int_equal(stdfu_image_load(dir, NULL, &img), STDFU_ERR_FILE);
	assert_non_null(strstr(stdfu_error_detail(), "not a regular file"));
	assert_null(img);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/stdfu-imgw-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hex_exact_text),
		cmocka_unit_test(srec_exact_text),
		cmocka_unit_test(bin_fills_gaps),
		cmocka_unit_test(bin_refuses_absurd_span),
		cmocka_unit_test(single_memory_formats_refuse_alts),
		cmocka_unit_test(save_paths_and_errors),
		cmocka_unit_test(load_file_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
