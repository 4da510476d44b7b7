/* SPDX-License-Identifier: MIT */
/*
 * Which STM32 a ROM bootloader belongs to, from its descriptors alone.
 *
 * The ROM lets no host read DBGMCU_IDCODE: an UPLOAD at 0xE0042000 fails
 * (community.st.com "Retrieve MCU Device ID from USB DFU", 2022, F4), so the
 * identification rests on what every ROM shows: the option-byte alt's
 * address (one per family: AN3156 §4 and the RMs' option-byte sections),
 * the flash layout's sector geometry, bcdDevice and the serial string
 * (docs/real-rom-facts.md). Each rule says what it rests on in `basis`.
 *
 * Addresses of the unique ID, flash-size register and IDCODE are the RMs'
 * "device electronic signature" / DBGMCU sections: RM0091 §33 (F0), RM0316
 * §34 (F3), RM0090 §39 (F4), RM0385 §45 / RM0431 §41 (F7), RM0351 §48 (L4),
 * RM0444 §40 (G0), RM0440 §48 (G4), RM0433 §61 (H7), RM0456 §75 (U5),
 * RM0481 §59 (H5), RM0434 §39 (WB), RM0490 §30 (C0).
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/chip.h>

struct family_facts {
	enum stdfu_family family;
	uint32_t uid, flash_size_reg, idcode;
};

static const struct family_facts facts[] = {
	{STDFU_FAMILY_F0, 0x1FFFF7AC, 0x1FFFF7CC, 0x40015800},
	{STDFU_FAMILY_F1, 0x1FFFF7E8, 0x1FFFF7E0, 0xE0042000},
	{STDFU_FAMILY_F3, 0x1FFFF7AC, 0x1FFFF7CC, 0xE0042000},
	{STDFU_FAMILY_F4, 0x1FFF7A10, 0x1FFF7A22, 0xE0042000},
	{STDFU_FAMILY_F7, 0x1FF0F420, 0x1FF0F442, 0xE0042000},
	{STDFU_FAMILY_L4, 0x1FFF7590, 0x1FFF75E0, 0xE0042000},
	{STDFU_FAMILY_G0, 0x1FFF7590, 0x1FFF75E0, 0x40015800},
	{STDFU_FAMILY_G4, 0x1FFF7590, 0x1FFF75E0, 0xE0042000},
	{STDFU_FAMILY_H7, 0x1FF1E800, 0x1FF1E880, 0x5C001000},
	{STDFU_FAMILY_H5, 0x08FFF800, 0x08FFF80C, 0x44024000},
	{STDFU_FAMILY_U5, 0x0BFA0700, 0x0BFA07A0, 0xE0044000},
	{STDFU_FAMILY_WB, 0x1FFF7590, 0x1FFF75E0, 0xE0042000},
	{STDFU_FAMILY_C0, 0x1FFF7550, 0x1FFF75A0, 0x40015800},
};

static const struct stdfu_alt *alt_named(const struct stdfu_device_info *d, const char *name)
{
	for (size_t a = 0; a < d->n_alts; a++)
		if (d->alts[a].layout_ok && strstr(d->alts[a].layout.name, name))
			return &d->alts[a];
	return NULL;
}

static bool has_region(const struct stdfu_layout *l, uint32_t start)
{
	for (size_t g = 0; g < l->n_groups; g++)
		if (l->groups[g].start == start)
			return true;
	return false;
}

/* By the option-byte alt: each family puts them somewhere else. */
static bool by_optbytes(const struct stdfu_device_info *d, const struct stdfu_layout *ob,
			struct stdfu_chip_id *id)
{
	uint32_t at = stdfu_layout_start(ob);

	id->basis = "the option-byte alt's address";
	if (at == 0x1FFFC000)
		id->family = STDFU_FAMILY_F4;
	else if (at == 0x1FFF0000)
		id->family = STDFU_FAMILY_F7;
	else if (at == 0x5200201C)
		id->family = STDFU_FAMILY_H7;
	else if (at == 0x40022040)
		id->family = STDFU_FAMILY_U5;
	else if (at == 0x1FFF7800)
		id->family = has_region(ob, 0x1FFFF800) ? STDFU_FAMILY_G4 : STDFU_FAMILY_L4;
	else if (at == 0x1FFFF800 && !strcmp(d->serial, "FFFFFFFEFFFF")) {
		/* docs/real-rom-facts.md: F042/F072/F070 ROMs report this serial. */
		id->family = STDFU_FAMILY_F0;
		id->basis = "the option-byte alt's address and the F0 ROM's constant serial";
	} else if (at == 0x1FFFF800 && !strcmp(d->serial, "STM32")) {
		id->family = STDFU_FAMILY_F1; /* F105/F107: serial "STM32" */
		id->basis = "the option-byte alt's address and the F105/F107 serial";
	} else if (at == 0x1FFFF800) {
		id->family = STDFU_FAMILY_F3;
		id->basis = "the option-byte alt's address (0x1FFFF800) with a UID-derived serial, "
			    "which F0 ROMs do not send";
	}
	return id->family != STDFU_FAMILY_UNKNOWN;
}

/* No option-byte alt: the flash geometry and the ROM generation. */
static void by_flash(const struct stdfu_device_info *d, const struct stdfu_layout *fl,
		     struct stdfu_chip_id *id)
{
	uint32_t first = fl->n_groups ? fl->groups[0].size : 0;
	size_t flash_alts = 0;

	for (size_t a = 0; a < d->n_alts; a++)
		flash_alts +=
			d->alts[a].layout_ok && strstr(d->alts[a].layout.name, "Internal Flash");
	id->basis = "the flash layout and bcdDevice (no option-byte alt)";
	if (d->bcd_device == 0x0300)
		id->family = STDFU_FAMILY_H5; /* docs/real-rom-facts.md: H563 ver 0300 */
	else if (first == 32 * 1024)
		id->family = STDFU_FAMILY_F7; /* F74x: 32K/128K/256K sectors (RM0385 §3.3.1) */
	else if (first == 16 * 1024)
		id->family = STDFU_FAMILY_F7; /* F72x newer ROM, no OB alt (RM0431 §3.3.1) */
	else if (first == 4 * 1024)
		id->family = STDFU_FAMILY_WB; /* 4 KiB pages (RM0434 §3.3.1) */
	else if (first == 2 * 1024 && flash_alts == 3)
		id->family = STDFU_FAMILY_G0; /* three flash alts: the G0B1/G0C1 ROM [G0C1] */
	else if (first == 2 * 1024 && stdfu_layout_bytes(fl) <= 128 * 1024) {
		id->family = STDFU_FAMILY_C0;
		id->basis = "ASSUMPTION: one flash alt of 2 KiB pages, at most 128 KiB, newer "
			    "ROM: C0 (a G0 with such a ROM would read as C0)";
	}
}

static void part_name(struct stdfu_chip_id *id)
{
	uint32_t kib = id->flash_size / 1024;
	const char *f = stdfu_family_name(id->family);

	if (id->family == STDFU_FAMILY_UNKNOWN)
		snprintf(id->part, sizeof(id->part), "unknown");
	else if (id->family == STDFU_FAMILY_F4 && kib == 1024)
		snprintf(id->part, sizeof(id->part), "STM32F405/407/415/417 (1024 KiB)");
	else if (id->family == STDFU_FAMILY_L4 && kib == 256)
		snprintf(id->part, sizeof(id->part), "STM32L43x/L44x (256 KiB)");
	else if (id->family == STDFU_FAMILY_L4 && kib == 512)
		snprintf(id->part, sizeof(id->part), "STM32L45x/L46x (512 KiB)");
	else
		snprintf(id->part, sizeof(id->part), "STM32%s (%u KiB)", f, (unsigned)kib);
}

static void fill_facts(struct stdfu_chip_id *id)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		if (facts[i].family != id->family)
			continue;
		id->uid_address = facts[i].uid;
		id->flash_size_reg = facts[i].flash_size_reg;
		id->idcode_address = facts[i].idcode;
	}
	id->idcode_reason = "the ROM bootloader maps no memory over DBGMCU_IDCODE; an UPLOAD there "
			    "fails (community.st.com, \"Retrieve MCU Device ID from USB DFU\")";
}

void stdfu_chip_identify(const struct stdfu_device_info *info, struct stdfu_chip_id *out)
{
	const struct stdfu_alt *fl = stdfu_device_flash_alt(info);
	const struct stdfu_alt *ob = alt_named(info, "Option Bytes");

	memset(out, 0, sizeof(*out));
	out->ob_alt = -1;
	out->basis = "nothing matched: no known option-byte address or flash geometry";
	out->bcd_device = info->bcd_device;
	out->transfer_size = info->functional_ok ? info->functional.transfer_size : 0;
	out->flash_size = fl ? (uint32_t)stdfu_layout_bytes(&fl->layout) : 0;
	if (!(ob && by_optbytes(info, &ob->layout, out)) && fl)
		by_flash(info, &fl->layout, out);
	out->ob = stdfu_ob_family_get(out->family);
	if (out->ob && ob && stdfu_layout_start(&ob->layout) == out->ob->address)
		out->ob_alt = ob->number;
	else if (out->ob && out->ob->via_flash_alt && fl)
		out->ob_alt = fl->number;
	part_name(out);
	fill_facts(out);
	/* F72x/F73x (16 KiB first sectors) keep the signature at 0x1FF07A10, not
	 * where F74x and later have it: RM0431 §41.1, micropython
	 * ports/stm32/mpconfigboard_common.h (docs/chip-uid.md). */
	if (out->family == STDFU_FAMILY_F7 && fl && fl->layout.n_groups &&
	    fl->layout.groups[0].size == 16 * 1024) {
		out->uid_address = 0x1FF07A10;
		out->flash_size_reg = 0x1FF07A22;
	}
}
