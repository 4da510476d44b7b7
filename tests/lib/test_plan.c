/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/plan.h>

#define F4 "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"

static uint8_t data[3 * 1024 * 1024];

struct fixture {
	struct stdfu_layout layout;
	struct stdfu_segment segs[4];
	struct stdfu_image img;
};

static void setup_img(struct fixture *f, const char *layout, size_t n, const uint32_t *addr,
		      const uint32_t *size)
{
	size_t off = 0;

	memset(f, 0, sizeof(*f));
	assert_int_equal(stdfu_layout_parse(layout, &f->layout), STDFU_OK);
	for (size_t i = 0; i < n; i++) {
		f->segs[i].address = addr[i];
		f->segs[i].size = size[i];
		f->segs[i].data = data + off;
		off += size[i];
	}
	f->img.count = n;
	f->img.segments = f->segs;
}

static void unequal_sectors(void **state)
{
	/* 40000 bytes at the base: sectors 0, 1, 2 (16 KiB each). */
	static const uint32_t a[] = {0x08000000}, s[] = {40000};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, F4, 1, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 3);
	assert_int_equal(p->erase[2].address, 0x08008000);
	assert_int_equal(p->erase_bytes, 48 * 1024);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].size, 40000);
	assert_ptr_equal(p->runs[0].data, data);
	stdfu_plan_free(p);
}

static void non_base_crossing_into_big_sector(void **state)
{
	/* From the middle of sector 3 (16K) into sector 4 (64K) and sector 5 (128K). */
	static const uint32_t a[] = {0x0800E000}, s[] = {0x8000 + 0x10000 + 1};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, F4, 1, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 3);
	assert_int_equal(p->erase[0].address, 0x0800C000);
	assert_int_equal(p->erase[0].size, 16384);
	assert_int_equal(p->erase[1].address, 0x08010000);
	assert_int_equal(p->erase[1].size, 65536);
	assert_int_equal(p->erase[2].address, 0x08020000);
	assert_int_equal(p->erase[2].size, 131072);
	stdfu_plan_free(p);
}

static void boundaries(void **state)
{
	/* Ends exactly on a boundary; starts exactly on one. */
	static const uint32_t a[] = {0x08004000}, s[] = {0x4000};
	static const uint32_t a2[] = {0x080E0000}, s2[] = {0x20000};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, F4, 1, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 1);
	assert_int_equal(p->erase[0].address, 0x08004000);
	stdfu_plan_free(p);
	setup_img(&f, F4, 1, a2, s2); /* the very last sector, to the last byte */
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 1);
	stdfu_plan_free(p);
}

static void gaps_and_merge(void **state)
{
	/* Two segments in one sector with a gap, then two adjacent ones far away. */
	static const uint32_t a[] = {0x08000000, 0x08000100, 0x08040000, 0x08040010};
	static const uint32_t s[] = {0x10, 0x10, 0x10, 0x20};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, F4, 4, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 2); /* sector 0 once, sector 6 */
	assert_int_equal(p->erase[1].address, 0x08040000);
	assert_int_equal(p->n_runs, 3);
	assert_int_equal(p->runs[2].address, 0x08040000);
	assert_int_equal(p->runs[2].size, 0x30);
	assert_memory_equal(p->runs[2].data, data + 0x20, 0x30);
	assert_int_equal(p->write_bytes, 0x50);
	stdfu_plan_free(p);
}

static void does_not_fit(void **state)
{
	static const uint32_t a[] = {0x08000000}, s[] = {1024 * 1024 + 1};
	static const uint32_t a2[] = {0x08100000}, s2[] = {4};
	static const uint32_t a3[] = {0x07FFFFFC}, s3[] = {8};
	struct fixture f;
	struct stdfu_plan *p = (void *)1;

	(void)state;
	setup_img(&f, F4, 1, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_ERR_FIT);
	assert_null(p);
	assert_non_null(strstr(stdfu_error_detail(), "0x08100000"));
	assert_non_null(strstr(stdfu_error_detail(), "1 bytes too many"));
	setup_img(&f, F4, 1, a2, s2);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_ERR_ADDRESS);
	setup_img(&f, F4, 1, a3, s3);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_ERR_ADDRESS);
	assert_non_null(strstr(stdfu_error_detail(), "0x07fffffc"));
}

static void letters(void **state)
{
	/* Read-only sector, then erasable+writable, then write-only (OTP-like). */
	static const char *layout = "@Mixed/0x0/01*1Ka,01*1Kg,01*1Ke";
	static const uint32_t ro[] = {0x10}, rw[] = {0x400}, otp[] = {0x800}, sz[] = {0x10};
	static const uint32_t span[] = {0x7F0}, spansz[] = {0x20};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, layout, 1, ro, sz);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_ERR_FIT);
	assert_non_null(strstr(stdfu_error_detail(), "not writable"));
	setup_img(&f, layout, 1, rw, sz);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 1);
	stdfu_plan_free(p);
	setup_img(&f, layout, 1, otp, sz);
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 0); /* writable, not erasable: never erased */
	assert_int_equal(p->n_runs, 1);
	stdfu_plan_free(p);
	setup_img(&f, layout, 1, span, spansz); /* crosses from g into e */
	assert_int_equal(stdfu_plan_build(&f.img, 0, &f.layout, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 1);
	assert_int_equal(p->erase[0].address, 0x400);
	stdfu_plan_free(p);
}

static void other_alt_and_empty(void **state)
{
	static const uint32_t a[] = {0x08000000}, s[] = {16};
	struct fixture f;
	struct stdfu_plan *p;

	(void)state;
	setup_img(&f, F4, 1, a, s);
	assert_int_equal(stdfu_plan_build(&f.img, 1, &f.layout, &p), STDFU_ERR_IMAGE);
}

static void erase_range(void **state)
{
	struct stdfu_layout l;
	struct stdfu_plan *p;

	(void)state;
	assert_int_equal(stdfu_layout_parse(F4, &l), STDFU_OK);
	assert_int_equal(stdfu_plan_erase_range(&l, 0x08003FFF, 2, &p), STDFU_OK);
	assert_int_equal(p->n_erase, 2);
	stdfu_plan_free(p);
	assert_int_equal(stdfu_plan_erase_range(&l, 0x080F0000, 0x20000, &p), STDFU_ERR_ADDRESS);
	assert_int_equal(stdfu_layout_parse("@OTP/0x1FFF7800/01*512 e", &l), STDFU_OK);
	assert_int_equal(stdfu_plan_erase_range(&l, 0x1FFF7800, 1, &p), STDFU_ERR_FIT);
	assert_non_null(strstr(stdfu_error_detail(), "not erasable"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unequal_sectors),
		cmocka_unit_test(non_base_crossing_into_big_sector),
		cmocka_unit_test(boundaries),
		cmocka_unit_test(gaps_and_merge),
		cmocka_unit_test(does_not_fit),
		cmocka_unit_test(letters),
		cmocka_unit_test(other_alt_and_empty),
		cmocka_unit_test(erase_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
