/* SPDX-License-Identifier: MIT */
/*
 * The --incremental plan filter against a fake device (a RAM copy of an
 * F405's internal flash), with plans built by the real planner from the real
 * F405 layout string, so unequal sectors (16K x4, 64K, 128K x7) are covered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/incremental.h>
#include <stdfu/layout.h>
#include <stdfu/plan.h>

#define BASE  0x08000000u
#define FSIZE (1024u * 1024u)
#define K     1024u

struct fake {
	uint8_t flash[FSIZE];
	unsigned reads;
	uint32_t last_addr, last_len;
	int fail; /* return this from the next read */
};

static struct fake dev;
static struct stdfu_layout f4;

static int fake_read(void *user, uint32_t address, uint8_t *buf, uint32_t len)
{
	struct fake *d = user;

	d->reads++;
	d->last_addr = address;
	d->last_len = len;
	if (d->fail)
		return d->fail;
	assert_true(address >= BASE && (uint64_t)address + len <= BASE + FSIZE);
	memcpy(buf, d->flash + (address - BASE), len);
	return 0;
}

static uint8_t *pattern(uint32_t size, unsigned seed)
{
	uint8_t *p = malloc(size);

	assert_non_null(p);
	for (uint32_t i = 0; i < size; i++)
		p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 9)) ^ 0x5A);
	return p;
}

/* A plan for the given segments (address, size, data). */
static struct stdfu_plan *plan_for(struct stdfu_segment *segs, size_t n)
{
	struct stdfu_image img = {.format = STDFU_FORMAT_RAW, .count = n, .segments = segs};
	struct stdfu_plan *p = NULL;

	assert_int_equal(stdfu_plan_build(&img, 0, &f4, &p), 0);
	return p;
}

/* The device as a full flash of @data at @addr would leave it, from blank. */
static void device_holds(uint32_t addr, const uint8_t *data, uint32_t size)
{
	memset(dev.flash, 0xFF, FSIZE);
	memcpy(dev.flash + (addr - BASE), data, size);
}

static int setup(void **state)
{
	(void)state;
	memset(&dev, 0, sizeof(dev));
	memset(dev.flash, 0xFF, FSIZE);
	return stdfu_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", &f4);
}

static void unchanged_image_skips_everything(void **state)
{
	uint8_t *data = pattern(256 * K, 1);
	struct stdfu_segment seg = {BASE, 256 * K, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);
	struct stdfu_incremental_stats st;

	(void)state;
	device_holds(BASE, data, 256 * K);
	assert_int_equal(p->n_erase, 6);
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, &st), 0);
	assert_int_equal(p->n_erase, 0);
	assert_int_equal(p->n_runs, 0);
	assert_int_equal(p->erase_bytes, 0);
	assert_int_equal(p->write_bytes, 0);
	assert_int_equal(st.sectors, 6);
	assert_int_equal(st.sectors_skipped, 6);
	assert_int_equal(st.bytes_skipped, 256 * K);
	/* Adjacent sectors are read in one go. */
	assert_int_equal(dev.reads, 1);
	assert_int_equal(dev.last_addr, BASE);
	assert_int_equal(dev.last_len, 256 * K);
	assert_int_equal(st.bytes_read, 256 * K);
	stdfu_plan_free(p);
	free(data);
}

static void blank_device_keeps_the_plan(void **state)
{
	uint8_t *data = pattern(100 * K + 3, 2);
	struct stdfu_segment seg = {BASE, 100 * K + 3, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);
	struct stdfu_incremental_stats st;

	(void)state;
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, &st), 0);
	assert_int_equal(p->n_erase, 5); /* 4 x 16K + the 64K sector */
	assert_int_equal(p->erase_bytes, 4 * 16 * K + 64 * K);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].address, BASE);
	assert_int_equal(p->runs[0].size, 100 * K + 3);
	assert_ptr_equal(p->runs[0].data, data);
	assert_int_equal(st.sectors_skipped, 0);
	assert_int_equal(st.bytes_skipped, 0);
	stdfu_plan_free(p);
	free(data);
}

static void one_changed_byte_rewrites_only_its_sector(void **state)
{
	uint8_t *data = pattern(256 * K, 3);
	struct stdfu_segment seg = {BASE, 256 * K, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);

	(void)state;
	device_holds(BASE, data, 256 * K);
	dev.flash[2 * 16 * K + 1234] ^= 0x01; /* sector 2: 0x08008000 */
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, NULL), 0);
	assert_int_equal(p->n_erase, 1);
	assert_int_equal(p->erase[0].address, BASE + 32 * K);
	assert_int_equal(p->erase[0].size, 16 * K);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].address, BASE + 32 * K);
	assert_int_equal(p->runs[0].size, 16 * K);
	assert_ptr_equal(p->runs[0].data, data + 32 * K);
	assert_int_equal(p->write_bytes, 16 * K);
	stdfu_plan_free(p);
	free(data);
}

static void changes_at_both_ends_split_the_run(void **state)
{
	uint8_t *data = pattern(256 * K, 4);
	struct stdfu_segment seg = {BASE, 256 * K, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);
	struct stdfu_incremental_stats st;

	(void)state;
	device_holds(BASE, data, 256 * K);
	dev.flash[0] ^= 0xFF;		/* sector 0 */
	dev.flash[256 * K - 1] ^= 0x80; /* sector 5 (128K at 0x08020000) */
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, &st), 0);
	assert_int_equal(p->n_erase, 2);
	assert_int_equal(p->erase[0].address, BASE);
	assert_int_equal(p->erase[1].address, BASE + 128 * K);
	assert_int_equal(p->n_runs, 2);
	assert_int_equal(p->runs[0].address, BASE);
	assert_int_equal(p->runs[0].size, 16 * K);
	assert_int_equal(p->runs[1].address, BASE + 128 * K);
	assert_int_equal(p->runs[1].size, 128 * K);
	assert_ptr_equal(p->runs[1].data, data + 128 * K);
	assert_int_equal(st.sectors_skipped, 4);
	assert_int_equal(st.bytes_skipped, 256 * K - 16 * K - 128 * K);
	stdfu_plan_free(p);
	free(data);
}

/* A full flash turns the rest of a partly covered sector to 0xFF, so old data
 * there means the sector does not match even if the image's bytes do. */
static void leftovers_outside_the_image_force_a_rewrite(void **state)
{
	uint8_t *data = pattern(20 * K, 5);
	struct stdfu_segment seg = {BASE, 20 * K, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);

	(void)state;
	device_holds(BASE, data, 20 * K);
	dev.flash[30 * K] = 0x00; /* sector 1, after the image's end */
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, NULL), 0);
	assert_int_equal(p->n_erase, 1);
	assert_int_equal(p->erase[0].address, BASE + 16 * K);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].address, BASE + 16 * K);
	assert_int_equal(p->runs[0].size, 4 * K);
	assert_ptr_equal(p->runs[0].data, data + 16 * K);
	stdfu_plan_free(p);
	free(data);
}

static void separate_segments_read_separately(void **state)
{
	uint8_t *a = pattern(4 * K, 6), *b = pattern(1000, 7);
	struct stdfu_segment segs[2] = {{BASE + 100, 4 * K, a, 0},
					{BASE + 128 * K + 5, 1000, b, 0}};
	struct stdfu_plan *p = plan_for(segs, 2);
	struct stdfu_incremental_stats st;

	(void)state;
	memcpy(dev.flash + 100, a, 4 * K);
	memcpy(dev.flash + 128 * K + 5, b, 999); /* the last byte of b differs */
	assert_int_equal(p->n_erase, 2);	 /* sector 0 and the first 128K */
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, &st), 0);
	assert_int_equal(dev.reads, 2);
	assert_int_equal(st.bytes_read, 16 * K + 128 * K);
	assert_int_equal(p->n_erase, 1);
	assert_int_equal(p->erase[0].address, BASE + 128 * K);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].address, BASE + 128 * K + 5);
	assert_int_equal(p->runs[0].size, 1000);
	assert_int_equal(st.bytes_skipped, 4 * K);
	stdfu_plan_free(p);
	free(a);
	free(b);
}

static void read_error_leaves_the_plan_alone(void **state)
{
	uint8_t *data = pattern(64 * K, 8);
	struct stdfu_segment seg = {BASE, 64 * K, data, 0};
	struct stdfu_plan *p = plan_for(&seg, 1);

	(void)state;
	device_holds(BASE, data, 64 * K);
	dev.fail = STDFU_ERR_IO;
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, NULL), STDFU_ERR_IO);
	assert_int_equal(p->n_erase, 4);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].size, 64 * K);
	assert_int_equal(p->write_bytes, 64 * K);
	stdfu_plan_free(p);
	free(data);
}

static void sector_match_checks_gaps_and_data(void **state)
{
	uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t sec[32];
	struct stdfu_plan_run run = {0x100 + 10, 8, data};
	struct stdfu_plan p = {.n_runs = 1, .runs = &run};

	(void)state;
	memset(sec, 0xFF, sizeof(sec));
	memcpy(sec + 10, data, 8);
	assert_true(stdfu_incremental_sector_matches(&p, 0x100, 32, sec));
	sec[9] = 0xFE; /* a gap byte that is not erased */
	assert_false(stdfu_incremental_sector_matches(&p, 0x100, 32, sec));
	sec[9] = 0xFF;
	sec[17] = 0; /* the image's last byte */
	assert_false(stdfu_incremental_sector_matches(&p, 0x100, 32, sec));
	sec[17] = 8;
	/* A sector only partly inside the run (the run starts before it). */
	assert_true(stdfu_incremental_sector_matches(&p, 0x100 + 14, 8, sec + 14));
	sec[31] = 0;
	assert_false(stdfu_incremental_sector_matches(&p, 0x100, 32, sec));
}

static void unerasable_memory_is_written_as_planned(void **state)
{
	struct stdfu_layout otp;
	uint8_t data[32];
	struct stdfu_segment seg = {0x1FFF7800, sizeof(data), data, 0};
	struct stdfu_image img = {.format = STDFU_FORMAT_RAW, .count = 1, .segments = &seg};
	struct stdfu_plan *p = NULL;

	(void)state;
	memset(data, 0xFF, sizeof(data));
	assert_int_equal(stdfu_layout_parse("@OTP Memory /0x1FFF7800/01*512 e,01*016 e", &otp), 0);
	assert_int_equal(stdfu_plan_build(&img, 0, &otp, &p), 0);
	assert_int_equal(p->n_erase, 0);
	assert_int_equal(stdfu_incremental_filter(p, fake_read, &dev, NULL), 0);
	assert_int_equal(dev.reads, 0);
	assert_int_equal(p->n_runs, 1);
	assert_int_equal(p->runs[0].size, sizeof(data));
	stdfu_plan_free(p);
}

static void null_arguments_are_refused(void **state)
{
	struct stdfu_plan p = {0};

	(void)state;
	assert_int_equal(stdfu_incremental_filter(NULL, fake_read, &dev, NULL), STDFU_ERR_ARG);
	assert_int_equal(stdfu_incremental_filter(&p, NULL, &dev, NULL), STDFU_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(unchanged_image_skips_everything, setup),
		cmocka_unit_test_setup(blank_device_keeps_the_plan, setup),
		cmocka_unit_test_setup(one_changed_byte_rewrites_only_its_sector, setup),
		cmocka_unit_test_setup(changes_at_both_ends_split_the_run, setup),
		cmocka_unit_test_setup(leftovers_outside_the_image_force_a_rewrite, setup),
		cmocka_unit_test_setup(separate_segments_read_separately, setup),
		cmocka_unit_test_setup(read_error_leaves_the_plan_alone, setup),
		cmocka_unit_test_setup(sector_match_checks_gaps_and_data, setup),
		cmocka_unit_test_setup(unerasable_memory_is_written_as_planned, setup),
		cmocka_unit_test_setup(null_arguments_are_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
