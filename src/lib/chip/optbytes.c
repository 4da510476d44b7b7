/* SPDX-License-Identifier: MIT */
/*
 * Option-byte images: field access, decode and the checked edit. The
 * per-family tables live in ob_f.c, ob_lg.c and ob_hu.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdfu/optbytes.h>

#include "chip/ob_tables.h"
#include "common/error_internal.h"

const struct stdfu_ob_value stdfu__ob_rdp_values[2] = {
	{0xAA, "level 0: no read protection", 0},
	{0xCC, "level 2: debug and the ROM bootloader disabled for good",
	 STDFU_OB_VALUE_IRREVERSIBLE},
};

const struct stdfu_ob_field *stdfu_ob_field_find(const struct stdfu_ob_family *fam,
						 const char *name)
{
	for (size_t i = 0; fam && name && i < fam->n_fields; i++)
		if (!strcasecmp(fam->fields[i].name, name))
			return &fam->fields[i];
	return NULL;
}

static uint32_t word_at(const uint8_t *img, size_t len, size_t off)
{
	uint32_t w = 0;

	for (size_t i = 0; i < 4; i++)
		w |= (uint32_t)(off + i < len ? img[off + i] : 0xFF) << (8 * i);
	return w;
}

static void put_word(uint8_t *img, size_t len, size_t off, uint32_t w)
{
	for (size_t i = 0; i < 4; i++)
		if (off + i < len)
			img[off + i] = (uint8_t)(w >> (8 * i));
}

static uint32_t field_mask(const struct stdfu_ob_field *f)
{
	return f->width >= 32 ? 0xFFFFFFFFu : ((1u << f->width) - 1u);
}

uint32_t stdfu_ob_field_get(const struct stdfu_ob_field *f, const uint8_t *image, size_t len)
{
	return (word_at(image, len, f->offset) >> f->shift) & field_mask(f);
}

uint32_t stdfu__ob_get(const struct stdfu_ob_family *fam, const uint8_t *image, size_t len,
		       const char *name)
{
	const struct stdfu_ob_field *f = stdfu_ob_field_find(fam, name);

	return f ? stdfu_ob_field_get(f, image, len) : 0xFFFFFFFFu;
}

const char *stdfu__ob_boot_add1_lockout(const struct stdfu_ob_family *fam, const uint8_t *image,
					size_t len, uint32_t sysmem, unsigned shift, char *why,
					size_t cap)
{
	uint32_t add1 = stdfu__ob_get(fam, image, len, "BOOT_ADD1");

	if (add1 == sysmem)
		return NULL;
	snprintf(why, cap,
		 "BOOT_ADD1=0x%04x: BOOT0 high boots 0x%08x, not the system memory (0x%04X)",
		 (unsigned)add1, (unsigned)(add1 << shift), (unsigned)sysmem);
	return why;
}

const struct stdfu_ob_value *stdfu_ob_value_find(const struct stdfu_ob_field *f, uint32_t value)
{
	for (size_t i = 0; i < f->n_values; i++)
		if (f->values[i].value == value)
			return &f->values[i];
	return NULL;
}

const char *stdfu_ob_value_meaning(const struct stdfu_ob_field *f, uint32_t value)
{
	const struct stdfu_ob_value *v = stdfu_ob_value_find(f, value);

	if (v)
		return v->meaning;
	return f->other;
}

int stdfu_ob_rdp_level(const struct stdfu_ob_family *fam, const uint8_t *image, size_t len)
{
	const struct stdfu_ob_field *f = stdfu_ob_field_find(fam, "RDP");
	uint32_t v;

	if (!f)
		return -1;
	v = stdfu_ob_field_get(f, image, len);
	if (v == fam->rdp_level0 || v == 0x55u * (fam->family == STDFU_FAMILY_U5))
		return 0;
	return v == 0xCC ? 2 : 1;
}

int stdfu_ob_change_parse(const char *s, char *name, size_t cap, struct stdfu_ob_change *out)
{
	const char *eq = s ? strchr(s, '=') : NULL;
	unsigned long long v;
	char *end;
	int base = 0;

	if (!eq || eq == s || (size_t)(eq - s) >= cap || !eq[1])
		return stdfu__fail(STDFU_ERR_ARG, "\"%s\": expected FIELD=VALUE (e.g. RDP=0xBB)",
				   s ? s : "");
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	eq++;
	if (!strncasecmp(eq, "0b", 2)) {
		base = 2;
		eq += 2;
	}
	v = strtoull(eq, &end, base);
	if (*end || *eq == '-' || v > 0xFFFFFFFFull)
		return stdfu__fail(STDFU_ERR_ARG, "\"%s\": the value is not a 32-bit number", s);
	out->field = name;
	out->value = (uint32_t)v;
	return STDFU_OK;
}

const char *stdfu_ob_refusal_name(enum stdfu_ob_refusal r)
{
	static const char *const names[] = {
		"", "unknown-field", "bad-value", "irreversible", "rom-lockout", "no-table"};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

/* Keep the redundant copy of the word at @off in step (see enum stdfu_ob_shadow). */
static void shadow(const struct stdfu_ob_family *fam, uint8_t *img, size_t len, size_t off)
{
	uint32_t w = word_at(img, len, off);

	switch (fam->shadow) {
	case STDFU_OB_SHADOW_COMPLEMENT:
		put_word(img, len, off + 4, ~w);
		break;
	case STDFU_OB_SHADOW_PRG:
		put_word(img, len, off + 4, w);
		break;
	case STDFU_OB_SHADOW_BYTE_PAIRS:
		for (size_t i = off; i + 1 < len && i < off + 4; i += 2)
			img[i + 1] = (uint8_t)~img[i];
		break;
	case STDFU_OB_SHADOW_NONE:
		break;
	}
}

static int refuse(enum stdfu_ob_refusal r, enum stdfu_ob_refusal *why)
{
	if (why)
		*why = r;
	return STDFU_ERR_ARG;
}

/* Is @value one the field defines? Irreversible values pass only with the flag. */
static int check_value(const struct stdfu_ob_field *f, uint32_t value, unsigned allow,
		       enum stdfu_ob_refusal *why)
{
	const struct stdfu_ob_value *v = stdfu_ob_value_find(f, value);

	if (value & ~field_mask(f))
		return stdfu__fail(refuse(STDFU_OB_BAD_VALUE, why),
				   "%s=0x%x does not fit: the field is %u bit(s) wide", f->name,
				   (unsigned)value, f->width);
	if (!v && f->values && !f->other)
		return stdfu__fail(refuse(STDFU_OB_BAD_VALUE, why),
				   "%s=0x%x is not a value the field defines (%s)", f->name,
				   (unsigned)value, f->ref);
	if (v && (v->flags & STDFU_OB_VALUE_IRREVERSIBLE) && !(allow & STDFU_OB_ALLOW_IRREVERSIBLE))
		return stdfu__fail(refuse(STDFU_OB_IRREVERSIBLE, why),
				   "%s=0x%x means %s: that cannot be undone; add "
				   "--allow-irreversible if you mean it",
				   f->name, (unsigned)value, v->meaning);
	return STDFU_OK;
}

static int apply(const struct stdfu_ob_family *fam, uint8_t *out, size_t len,
		 const struct stdfu_ob_change *c, unsigned allow, bool *boot,
		 enum stdfu_ob_refusal *why)
{
	const struct stdfu_ob_field *f = stdfu_ob_field_find(fam, c->field);
	uint32_t w;
	int rc;

	if (!f)
		return stdfu__fail(refuse(STDFU_OB_UNKNOWN_FIELD, why),
				   "the %s option bytes have no field \"%s\" (`stdfu option-bytes "
				   "show` lists them)",
				   fam->name, c->field);
	rc = check_value(f, c->value, allow, why);
	if (rc)
		return rc;
	if ((size_t)f->offset + 4 > len)
		return stdfu__fail(refuse(STDFU_OB_BAD_VALUE, why),
				   "%s lies outside the %zu-byte image the device returned",
				   f->name, len);
	w = word_at(out, len, f->offset);
	w = (w & ~(field_mask(f) << f->shift)) | (c->value << f->shift);
	put_word(out, len, f->offset, w);
	shadow(fam, out, len, f->offset);
	*boot |= f->kind == STDFU_OB_BOOT;
	return STDFU_OK;
}

int stdfu_ob_edit(const struct stdfu_ob_family *fam, const uint8_t *in, uint8_t *out, size_t len,
		  const struct stdfu_ob_change *changes, size_t n, unsigned allow,
		  enum stdfu_ob_refusal *why)
{
	const char *lock;
	bool boot = false;

	if (why)
		*why = STDFU_OB_OK;
	if (!fam)
		return stdfu__fail(refuse(STDFU_OB_NO_TABLE, why),
				   "stdfu has no option-byte table for this family");
	memmove(out, in, len);
	for (size_t i = 0; i < n; i++) {
		int rc = apply(fam, out, len, &changes[i], allow, &boot, why);

		if (rc)
			return rc;
	}
	lock = boot && fam->lockout ? fam->lockout(out, len) : NULL;
	if (lock && !(allow & STDFU_OB_ALLOW_ROM_LOCKOUT))
		return stdfu__fail(refuse(STDFU_OB_ROM_LOCKOUT, why),
				   "refused: %s. The ROM bootloader would not run after the next "
				   "reset, and only a debugger (or the application) could bring "
				   "it back; add --allow-rom-lockout if you mean it",
				   lock);
	return STDFU_OK;
}
