/* SPDX-License-Identifier: MIT */
/* Unit tests of src/lib/chip: identification, option-byte decode, edit and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdfu/chip.h>

#define LE(w)	(uint8_t)(w), (uint8_t)((w) >> 8), (uint8_t)((w) >> 16), (uint8_t)((w) >> 24)
#define PAIR(w) LE(w), LE(~(uint32_t)(w))

/* Factory images (the RMs' production values; see src/emu/model/optbytes.c). */
static const uint8_t f4_img[16] = {0xEC, 0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
				   0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t f0_img[16] = {0xAA, 0x55, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
				   0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};
static const uint8_t l4_img[40] = {PAIR(0xFFEFF8AA), PAIR(0xFFFFFFFF), PAIR(0), PAIR(0xFF00FFFF),
				   PAIR(0xFF00FFFF)};
static uint8_t g0_img[128] = {PAIR(0xFFFFFEAA), PAIR(0xFFFFFFFF), PAIR(0), PAIR(0xFF00FFFF),
			      PAIR(0xFF00FFFF)};
static uint8_t g4_img[96] = {PAIR(0xFFEFF8AA)};
static uint8_t h7_img[128] = {LE(0x1396AAF0), LE(0x1396AAF0), LE(0),	     LE(0xFF),
			      LE(0xFF),	      LE(0xFF),	      LE(0xFF),	     LE(0xFF),
			      LE(0xFF),	      LE(0x1FF00800), LE(0x1FF00800)};
static uint8_t u5_img[64] = {LE(0x1FEFF8AA), LE(0x0800007F), LE(0x0BF9007F), LE(0x0C00007C)};
static uint8_t f7_img[32] = {0xEC, 0xAA, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0,
			     0x80, 0,	 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0};

struct fam_case {
	enum stdfu_family family;
	const uint8_t *img;
	size_t len;
	const char *harmless; /* set to 0 */
	const char *lockout;  /* FIELD, VALUE that keeps the ROM from running */
	uint32_t lockout_value;
};

static const struct fam_case cases[] = {
	{STDFU_FAMILY_F0, f0_img, 16, "nRST_STDBY", "nBOOT1", 0},
	{STDFU_FAMILY_F3, f0_img, 16, "nRST_STDBY", "nBOOT1", 0},
	{STDFU_FAMILY_F4, f4_img, 16, "nRST_STDBY", "BFB2", 1},
	{STDFU_FAMILY_F7, f7_img, 32, "nRST_STDBY", "BOOT_ADD1", 0x0080},
	{STDFU_FAMILY_L4, l4_img, 40, "nRST_STDBY", "nSWBOOT0", 0},
	{STDFU_FAMILY_G0, g0_img, 128, "nRST_STDBY", "BOOT_LOCK", 1},
	{STDFU_FAMILY_G4, g4_img, 96, "nRST_STDBY", "nBOOT1", 0},
	{STDFU_FAMILY_H7, h7_img, 128, "nRST_STBY_D1", "BOOT_ADD1", 0x0800},
	{STDFU_FAMILY_U5, u5_img, 64, "nRST_STDBY", "NSBOOTADD1", 0x0800000 >> 7},
};

static void setup_images(void)
{
	/* G0: SECR (BOOT_LOCK 0) at +112 and its complement. */
	memcpy(g0_img + 112, (uint8_t[]){PAIR(0)}, 8);
}

static void test_decode_factory(void **state)
{
	(void)state;
	setup_images();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fam_case *c = &cases[i];
		const struct stdfu_ob_family *fam = stdfu_ob_family_get(c->family);
		const struct stdfu_ob_field *rdp;

		assert_non_null(fam);
		assert_int_equal(fam->size, c->len);
		rdp = stdfu_ob_field_find(fam, "rdp"); /* case-insensitive */
		assert_non_null(rdp);
		assert_int_equal(stdfu_ob_field_get(rdp, c->img, c->len), 0xAA);
		assert_int_equal(stdfu_ob_rdp_level(fam, c->img, c->len), 0);
		assert_string_equal(stdfu_ob_value_meaning(rdp, 0xAA),
				    "level 0: no read protection");
		/* the factory settings let BOOT0 high reach the ROM (G0: by design not) */
		if (c->family != STDFU_FAMILY_G0)
			assert_null(fam->lockout(c->img, c->len));
		assert_non_null(fam->boot_summary(c->img, c->len));
		for (size_t f = 0; f < fam->n_fields; f++) {
			assert_true(fam->fields[f].offset + 4u <= fam->size);
			assert_non_null(fam->fields[f].ref);
			assert_non_null(fam->fields[f].meaning);
		}
	}
}

/* The word of the field's offset and its shadow stay consistent after an edit. */
static void check_shadow(const struct stdfu_ob_family *fam, const uint8_t *img,
			 const struct stdfu_ob_field *f)
{
	uint32_t w = 0, s = 0;

	for (int i = 0; i < 4; i++) {
		w |= (uint32_t)img[f->offset + i] << (8 * i);
		s |= (uint32_t)img[f->offset + 4 + i] << (8 * i);
	}
	if (fam->shadow == STDFU_OB_SHADOW_COMPLEMENT)
		assert_int_equal(s, ~w);
	if (fam->shadow == STDFU_OB_SHADOW_PRG)
		assert_int_equal(s, w);
	if (fam->shadow == STDFU_OB_SHADOW_BYTE_PAIRS)
		for (int i = 0; i < 4; i += 2)
			assert_int_equal(img[f->offset + i + 1], (uint8_t)~img[f->offset + i]);
}

static void test_edit_harmless(void **state)
{
	(void)state;
	setup_images();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fam_case *c = &cases[i];
		const struct stdfu_ob_family *fam = stdfu_ob_family_get(c->family);
		const struct stdfu_ob_field *f = stdfu_ob_field_find(fam, c->harmless);
		struct stdfu_ob_change ch = {c->harmless, 0};
		enum stdfu_ob_refusal why = STDFU_OB_ROM_LOCKOUT;
		uint8_t out[STDFU_OB_MAX];

		assert_non_null(f);
		assert_int_equal(stdfu_ob_field_get(f, c->img, c->len), 1);
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &ch, 1, 0, &why),
				 STDFU_OK);
		assert_int_equal(why, STDFU_OB_OK);
		assert_int_equal(stdfu_ob_field_get(f, out, c->len), 0);
		check_shadow(fam, out, f);
		/* nothing else moved but the field and its shadow */
		for (size_t b = 0; b < c->len; b++)
			if (b < f->offset || b >= f->offset + 8u)
				assert_int_equal(out[b], c->img[b]);
	}
}

static void test_refusals(void **state)
{
	(void)state;
	setup_images();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fam_case *c = &cases[i];
		const struct stdfu_ob_family *fam = stdfu_ob_family_get(c->family);
		struct stdfu_ob_change rdp2 = {"RDP", 0xCC}, lock = {c->lockout, c->lockout_value};
		struct stdfu_ob_change unknown = {"NO_SUCH", 1}, wide = {"RDP", 0x100};
		enum stdfu_ob_refusal why;
		uint8_t out[STDFU_OB_MAX];

		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &rdp2, 1, 0, &why),
				 STDFU_ERR_ARG);
		assert_int_equal(why, STDFU_OB_IRREVERSIBLE);
		assert_non_null(strstr(stdfu_error_detail(), "--allow-irreversible"));
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &rdp2, 1,
					       STDFU_OB_ALLOW_IRREVERSIBLE, &why),
				 STDFU_OK);
		assert_int_equal(stdfu_ob_rdp_level(fam, out, c->len), 2);
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &lock, 1, 0, &why),
				 STDFU_ERR_ARG);
		assert_int_equal(why, STDFU_OB_ROM_LOCKOUT);
		assert_non_null(strstr(stdfu_error_detail(), "--allow-rom-lockout"));
		/* the irreversible flag does not stand in for the lock-out one */
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &lock, 1,
					       STDFU_OB_ALLOW_IRREVERSIBLE, &why),
				 STDFU_ERR_ARG);
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &lock, 1,
					       STDFU_OB_ALLOW_ROM_LOCKOUT, &why),
				 STDFU_OK);
		assert_non_null(fam->lockout(out, c->len));
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &unknown, 1, 0, &why),
				 STDFU_ERR_ARG);
		assert_int_equal(why, STDFU_OB_UNKNOWN_FIELD);
		assert_int_equal(stdfu_ob_edit(fam, c->img, out, c->len, &wide, 1, 0, &why),
				 STDFU_ERR_ARG);
		assert_int_equal(why, STDFU_OB_BAD_VALUE);
		assert_string_equal(stdfu_ob_refusal_name(why), "bad-value");
	}
}

static void test_values_the_field_defines(void **state)
{
	const struct stdfu_ob_family *l4 = stdfu_ob_family_get(STDFU_FAMILY_L4);
	struct stdfu_ob_change bor = {"BOR_LEV", 5}, ok = {"BOR_LEV", 4}, l1 = {"RDP", 0xBB};
	enum stdfu_ob_refusal why;
	uint8_t out[40];

	(void)state;
	/* BOR_LEV defines 0..4 (RM0351 §3.7.8): 5 fits in 3 bits but is refused */
	assert_int_equal(stdfu_ob_edit(l4, l4_img, out, 40, &bor, 1, 0, &why), STDFU_ERR_ARG);
	assert_int_equal(why, STDFU_OB_BAD_VALUE);
	assert_int_equal(stdfu_ob_edit(l4, l4_img, out, 40, &ok, 1, 0, &why), STDFU_OK);
	/* RDP: any value but 0xAA/0xCC is level 1 */
	assert_int_equal(stdfu_ob_edit(l4, l4_img, out, 40, &l1, 1, 0, &why), STDFU_OK);
	assert_int_equal(stdfu_ob_rdp_level(l4, out, 40), 1);
	assert_non_null(
		strstr(stdfu_ob_value_meaning(stdfu_ob_field_find(l4, "RDP"), 0xBB), "level 1"));
	/* no table: refused as such */
	assert_null(stdfu_ob_family_get(STDFU_FAMILY_H5));
	assert_int_equal(stdfu_ob_edit(NULL, l4_img, out, 40, &ok, 1, 0, &why), STDFU_ERR_ARG);
	assert_int_equal(why, STDFU_OB_NO_TABLE);
}

static void test_g0_boot_rules(void **state)
{
	const struct stdfu_ob_family *g0 = stdfu_ob_family_get(STDFU_FAMILY_G0);
	struct stdfu_ob_change pin = {"nBOOT_SEL", 0}, back = {"nBOOT_SEL", 1};
	enum stdfu_ob_refusal why;
	uint8_t a[128], b[128];

	(void)state;
	setup_images();
	/* factory G0: the BOOT0 pin is ignored (AN2606 pattern 11) */
	assert_non_null(g0->lockout(g0_img, 128));
	/* giving the pin back is allowed; taking it away again is a lock-out */
	assert_int_equal(stdfu_ob_edit(g0, g0_img, a, 128, &pin, 1, 0, &why), STDFU_OK);
	assert_null(g0->lockout(a, 128));
	assert_int_equal(stdfu_ob_edit(g0, a, b, 128, &back, 1, 0, &why), STDFU_ERR_ARG);
	assert_int_equal(why, STDFU_OB_ROM_LOCKOUT);
}

static void test_change_parse(void **state)
{
	struct stdfu_ob_change c;
	char name[32];

	(void)state;
	assert_int_equal(stdfu_ob_change_parse("RDP=0xBB", name, sizeof(name), &c), STDFU_OK);
	assert_string_equal(c.field, "RDP");
	assert_int_equal(c.value, 0xBB);
	assert_int_equal(stdfu_ob_change_parse("nBOOT0=0b1", name, sizeof(name), &c), STDFU_OK);
	assert_int_equal(c.value, 1);
	assert_int_equal(stdfu_ob_change_parse("WRP1A_END=12", name, sizeof(name), &c), STDFU_OK);
	assert_int_equal(c.value, 12);
	assert_int_equal(stdfu_ob_change_parse("RDP", name, sizeof(name), &c), STDFU_ERR_ARG);
	assert_int_equal(stdfu_ob_change_parse("=1", name, sizeof(name), &c), STDFU_ERR_ARG);
	assert_int_equal(stdfu_ob_change_parse("RDP=", name, sizeof(name), &c), STDFU_ERR_ARG);
	assert_int_equal(stdfu_ob_change_parse("RDP=-1", name, sizeof(name), &c), STDFU_ERR_ARG);
	assert_int_equal(stdfu_ob_change_parse("RDP=0x1FFFFFFFF", name, sizeof(name), &c),
			 STDFU_ERR_ARG);
	assert_int_equal(stdfu_ob_change_parse("RDP=12abc", name, sizeof(name), &c), STDFU_ERR_ARG);
}

/* A device record as a scan would fill it. */
static void dev(struct stdfu_device_info *d, uint16_t bcd, const char *serial,
		const char *const *alts)
{
	memset(d, 0, sizeof(*d));
	d->bcd_device = bcd;
	d->functional_ok = true;
	d->functional.transfer_size = 2048;
	snprintf(d->serial, sizeof(d->serial), "%s", serial);
	for (size_t i = 0; alts[i]; i++) {
		snprintf(d->alts[i].string, sizeof(d->alts[i].string), "%s", alts[i]);
		d->alts[i].number = (uint8_t)i;
		d->alts[i].layout_ok = stdfu_layout_parse(alts[i], &d->alts[i].layout) == STDFU_OK;
		d->n_alts++;
	}
}

static enum stdfu_family family_of(uint16_t bcd, const char *serial, const char *const *alts,
				   struct stdfu_chip_id *id)
{
	struct stdfu_device_info d;

	dev(&d, bcd, serial, alts);
	stdfu_chip_identify(&d, id);
	return id->family;
}

static void test_identify(void **state)
{
	struct stdfu_chip_id id;
	const char *f4[] = {"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
			    "@Option Bytes  /0x1FFFC000/01*016 e", NULL};
	const char *l4[] = {"@Internal Flash  /0x08000000/0256*0002Kg",
			    "@Option Bytes  /0x1FFF7800/01*040 e", NULL};
	const char *g4[] = {"@Internal Flash   /0x08000000/256*02Kg",
			    "@Option Bytes   /0x1FFF7800/01*048 e/0x1FFFF800/01*048 e", NULL};
	const char *h7[] = {"@Internal Flash   /0x08000000/16*128Kg",
			    "@Option Bytes   /0x5200201C/01*128 e", NULL};
	const char *u5[] = {"@Internal Flash   /0x08000000/256*08Kg",
			    "@Option Bytes   /0x40022040/01*64 e", NULL};
	const char *f0[] = {"@Internal Flash  /0x08000000/064*0002Kg",
			    "@Option Bytes  /0x1FFFF800/01*016 e", NULL};
	const char *g0[] = {"@Internal Flash   /0x08000000/256*02Kg",
			    "@Internal Flash   /0x08000000/256*02Kg",
			    "@Internal Flash   /0x08000000/256*02Kg", NULL};
	const char *f7[] = {"@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg", NULL};
	const char *h5[] = {"@Internal Flash   /0x08000000/256*08Kg", NULL};
	const char *wb[] = {"@Internal Flash   /0x08000000/256*04Kg", NULL};
	const char *c0[] = {"@Internal Flash   /0x08000000/64*02Kg", NULL};
	const char *none[] = {"@SRAM /0x20000000/01*064Ke", NULL};

	(void)state;
	assert_int_equal(family_of(0x2200, "345435653137", f4, &id), STDFU_FAMILY_F4);
	assert_int_equal(id.flash_size, 1024 * 1024);
	assert_int_equal(id.ob_alt, 1);
	assert_int_equal(id.uid_address, 0x1FFF7A10);
	assert_non_null(strstr(id.part, "F405"));
	assert_int_equal(family_of(0x2200, "X", l4, &id), STDFU_FAMILY_L4);
	assert_int_equal(family_of(0x0200, "X", g4, &id), STDFU_FAMILY_G4);
	assert_int_equal(family_of(0x0200, "X", h7, &id), STDFU_FAMILY_H7);
	assert_int_equal(family_of(0x0200, "X", u5, &id), STDFU_FAMILY_U5);
	assert_int_equal(family_of(0x2200, "FFFFFFFEFFFF", f0, &id), STDFU_FAMILY_F0);
	assert_int_equal(family_of(0x2200, "206E33742033", f0, &id), STDFU_FAMILY_F3);
	assert_int_equal(family_of(0x2200, "STM32", f0, &id), STDFU_FAMILY_F1);
	assert_null(id.ob); /* no F1 table: raw bytes */
	assert_int_equal(family_of(0x0200, "X", g0, &id), STDFU_FAMILY_G0);
	assert_int_equal(id.ob_alt, 0); /* through the flash alt, by address */
	assert_true(id.ob->via_flash_alt);
	assert_int_equal(family_of(0x2200, "X", f7, &id), STDFU_FAMILY_F7);
	assert_int_equal(id.ob_alt, -1); /* no option-byte alt: not reachable */
	assert_int_equal(family_of(0x0300, "X", h5, &id), STDFU_FAMILY_H5);
	assert_int_equal(family_of(0x0200, "X", wb, &id), STDFU_FAMILY_WB);
	assert_int_equal(family_of(0x0200, "X", c0, &id), STDFU_FAMILY_C0);
	assert_int_equal(family_of(0x0200, "X", none, &id), STDFU_FAMILY_UNKNOWN);
	assert_string_equal(id.part, "unknown");
	assert_non_null(id.basis);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_factory),
		cmocka_unit_test(test_edit_harmless),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_values_the_field_defines),
		cmocka_unit_test(test_g0_boot_rules),
		cmocka_unit_test(test_change_parse),
		cmocka_unit_test(test_identify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
