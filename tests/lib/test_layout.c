/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdfu/layout.h>

static void f4_internal_flash(void **state)
{
	struct stdfu_layout l;
	struct stdfu_sector s;

	(void)state;
	assert_int_equal(
		stdfu_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", &l),
		STDFU_OK);
	assert_string_equal(l.name, "Internal Flash");
	assert_int_equal(l.n_regions, 1);
	assert_int_equal(l.n_groups, 3);
	assert_int_equal(l.groups[1].start, 0x08010000);
	assert_int_equal(l.groups[1].size, 65536);
	assert_int_equal(l.groups[2].start, 0x08020000);
	assert_int_equal(l.groups[2].flags,
			 STDFU_MEM_READABLE | STDFU_MEM_ERASABLE | STDFU_MEM_WRITABLE);
	assert_int_equal(stdfu_layout_bytes(&l), 1024 * 1024);
	assert_int_equal(stdfu_layout_start(&l), 0x08000000);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x08004001, &s), STDFU_OK);
	assert_int_equal(s.start, 0x08004000);
	assert_int_equal(s.size, 16384);
	assert_int_equal(s.index, 1);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x08012345, &s), STDFU_OK);
	assert_int_equal(s.start, 0x08010000);
	assert_int_equal(s.index, 4);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x080fffff, &s), STDFU_OK);
	assert_int_equal(s.start, 0x080e0000);
	assert_int_equal(s.index, 11);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x08100000, &s), STDFU_ERR_FIT);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x07ffffff, &s), STDFU_ERR_FIT);
}

static void f4_other_alts(void **state)
{
	struct stdfu_layout l;
	char f[4];

	(void)state;
	assert_int_equal(stdfu_layout_parse("@Option Bytes  /0x1FFFC000/01*016 e", &l), STDFU_OK);
	assert_int_equal(l.groups[0].size, 16);
	stdfu_layout_flags_str(l.groups[0].flags, f);
	assert_string_equal(f, "R-W");
	assert_int_equal(stdfu_layout_parse("@OTP Memory /0x1FFF7800/01*512 e,01*016 e", &l),
			 STDFU_OK);
	assert_int_equal(l.n_groups, 2);
	assert_int_equal(l.groups[1].start, 0x1fff7a00);
	assert_int_equal(stdfu_layout_parse("@Device Feature/0xFFFF0000/01*004 e", &l), STDFU_OK);
	assert_string_equal(l.name, "Device Feature");
	assert_int_equal(l.groups[0].start, 0xffff0000);
}

static void g0_h7_and_regions(void **state)
{
	struct stdfu_layout l;
	struct stdfu_sector s;

	(void)state;
	assert_int_equal(stdfu_layout_parse("@Internal Flash   /0x08000000/64*02Kg", &l), STDFU_OK);
	assert_int_equal(stdfu_layout_bytes(&l), 128 * 1024);
	assert_int_equal(stdfu_layout_parse("@Internal Flash   /0x08000000/16*128Kg", &l),
			 STDFU_OK);
	assert_int_equal(stdfu_layout_bytes(&l), 2 * 1024 * 1024);
	/* Two banks as two regions, one with a gap before it. */
	assert_int_equal(stdfu_layout_parse("@Flash/0x08000000/08*128Kg/0x08200000/08*128Kg", &l),
			 STDFU_OK);
	assert_int_equal(l.n_regions, 2);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x08100000, &s), STDFU_ERR_FIT);
	assert_int_equal(stdfu_layout_sector_at(&l, 0x08200010, &s), STDFU_OK);
	assert_int_equal(s.index, 8);
	/* 'M' multiplier, 'B' bytes, a letter right after the size. */
	assert_int_equal(stdfu_layout_parse("@X/0x0/1*1Ma,2*512Bd,3*7c", &l), STDFU_OK);
	assert_int_equal(l.groups[0].size, 1024 * 1024);
	assert_int_equal(l.groups[1].size, 512);
	assert_int_equal(l.groups[1].flags, STDFU_MEM_WRITABLE);
	assert_int_equal(l.groups[2].size, 7);
	/* Region reaching exactly 4 GiB is fine. */
	assert_int_equal(stdfu_layout_parse("@Top/0xFFFFF000/01*004Kg", &l), STDFU_OK);
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"Internal Flash/0x08000000/04*016Kg",	      /* no '@' */
		"@Internal Flash",			      /* no '/' */
		"@F/",					      /* no region */
		"@F/0x08000000",			      /* no groups */
		"@F/0x08000000/",			      /* empty group */
		"@F/08000000/04*016Kg",			      /* no 0x */
		"@F/0x/04*016Kg",			      /* no hex digits */
		"@F/0x108000000/04*016Kg",		      /* address > 32 bits */
		"@F/0x08000000/*016Kg",			      /* missing count */
		"@F/0x08000000/04016Kg",		      /* missing '*' */
		"@F/0x08000000/04*Kg",			      /* missing size */
		"@F/0x08000000/04*016K",		      /* missing letter */
		"@F/0x08000000/04*016Kz",		      /* bad letter */
		"@F/0x08000000/04*016KG",		      /* upper-case letter */
		"@F/0x08000000/04*016Kh",		      /* letter beyond g */
		"@F/0x08000000/00*016Kg",		      /* zero count */
		"@F/0x08000000/04*000Kg",		      /* zero size */
		"@F/0x08000000/99999999*016Kg",		      /* absurd count */
		"@F/0x08000000/65537*1Kg",		      /* count over the limit */
		"@F/0x08000000/1*99999999999Kg",	      /* size overflow */
		"@F/0x08000000/1*4096Mg",		      /* 4 GiB sector */
		"@F/0xF0000000/03*128Mg",		      /* runs past 4 GiB */
		"@F/0xFFFFFFFF/01*002 g",		      /* past 4 GiB by one */
		"@F/0x08000000/04*016Kg;",		      /* trailing garbage */
		"@F/0x08000000/04*016Kg,",		      /* dangling comma */
		"@F/0x08000000/04*016Kg/0x08000000/01*016Kg", /* overlapping regions */
		"@F/0x08000000/04*016Kg/garbage",	      /* garbage region */
		"@\xff\xfe/0x0/\x01*\x02g",		      /* binary junk */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct stdfu_layout l;
		int rc = stdfu_layout_parse(bad[i], &l);

		if (rc != STDFU_ERR_PROTOCOL)
			fail_msg("accepted or wrong code %d for \"%s\"", rc, bad[i]);
		assert_true(strlen(stdfu_error_detail()) > 0);
	}
}

static void too_many_groups_and_long(void **state)
{
	char buf[1024] = "@F/0x08000000/";
	struct stdfu_layout l;

	(void)state;
	for (int i = 0; i < STDFU_LAYOUT_MAX_GROUPS + 1; i++)
		strcat(buf, i ? ",1*1Kg" : "1*1Kg");
	assert_true(strlen(buf) < STDFU_LAYOUT_MAX_STRING);
	assert_int_equal(stdfu_layout_parse(buf, &l), STDFU_ERR_PROTOCOL);
	memset(buf, 'a', sizeof(buf) - 1);
	buf[0] = '@';
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(stdfu_layout_parse(buf, &l), STDFU_ERR_PROTOCOL);
	assert_int_equal(stdfu_layout_parse(NULL, &l), STDFU_ERR_ARG);
}

static void long_name_truncated(void **state)
{
	struct stdfu_layout l;

	(void)state;
	assert_int_equal(
		stdfu_layout_parse("@AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				   "AAAAAAAAAAAAAAAAAAAAAAAAAA/0x0/1*1Kg",
				   &l),
		STDFU_OK);
	assert_int_equal(strlen(l.name), sizeof(l.name) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(f4_internal_flash),	    cmocka_unit_test(f4_other_alts),
		cmocka_unit_test(g0_h7_and_regions),	    cmocka_unit_test(malformed),
		cmocka_unit_test(too_many_groups_and_long), cmocka_unit_test(long_name_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
