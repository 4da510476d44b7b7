/* SPDX-License-Identifier: MIT */
/*
 * --board I:KEY=VALUE[,KEY=VALUE...]: settings of one board, over the global
 * options (which stay the defaults of every board). Keys: chip, mode, rdp,
 * fault, load, companion, serial, lie. A comma followed by a key and '=' starts the
 * next setting; in a fault value any other comma belongs to the fault spec, which
 * is itself a comma-separated list ("fault=stall:upload:1,quirk=short-poll"), and
 * in a lie value to the lie (a layout string has commas: "lie=layout=@F/0x08000000/
 * 04*016Kg,01*064Kg"). lie= is repeatable; a board's lies replace the global --lie.
 */
#include "emu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the ROM model keeps 31 characters (rom_internal.h) */
#define EMU_SERIAL_MAX 31
#define EMU_SERIAL_CHARS                                                  \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 " \
	"!\"#$%&'()*+-./:;<=>?@[]^_{|}~"

static const char *const keys[] = {"chip", "mode",	"rdp",	  "fault",
				   "load", "companion", "serial", "lie"};

static int fail(char *err, size_t errlen, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

bool emu_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

void emu_parse_load(const char *arg, struct emu_board_config *c)
{
	const char *at = strrchr(arg, '@');
	uint32_t addr;

	g_free((char *)c->load_file);
	c->load_addr_set = false;
	if (at && emu_parse_u32(at + 1, &addr)) {
		c->load_file = g_strndup(arg, (gsize)(at - arg));
		c->load_addr = addr;
		c->load_addr_set = true;
		return;
	}
	c->load_file = g_strdup(arg);
}

/* Index of the key that @tok ("key=...") starts, or -1. */
static int key_of(const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);

	for (size_t i = 0; eq && i < G_N_ELEMENTS(keys); i++)
		if ((size_t)(eq - tok) == strlen(keys[i]) &&
		    strncmp(tok, keys[i], strlen(keys[i])) == 0)
			return (int)i;
	return -1;
}

static int set_value(struct emu_board_config *c, int key, const char *v, char *err, size_t errlen)
{
	uint32_t n;

	switch (key) {
	case EMU_BKEY_CHIP:
		/* a key given twice: the last one wins */
		g_free((char *)c->chip_name);
		c->chip = emu_chip_find(v);
		c->chip_name = g_strdup(v);
		if (!c->chip)
			return fail(err, errlen, "unknown chip '%s' (see --help for the list)", v);
		break;
	case EMU_BKEY_MODE:
		if (strcmp(v, "dfu") && strcmp(v, "app"))
			return fail(err, errlen, "mode must be dfu or app, not '%s'", v);
		c->mode = strcmp(v, "app") ? EMU_MODE_DFU : EMU_MODE_APP;
		break;
	case EMU_BKEY_RDP:
		if (!emu_parse_u32(v, &n) || n > 1)
			return fail(err, errlen, "rdp must be 0 or 1, not '%s'", v);
		c->rdp_level = (int)n;
		break;
	case EMU_BKEY_FAULT:
		g_free((char *)c->fault);
		c->fault = g_strdup(v); /* checked by the ROM model when the board is made */
		break;
	case EMU_BKEY_LOAD:
		emu_parse_load(v, c);
		break;
	case EMU_BKEY_COMPANION:
		if (emu_app_companion_parse(v, &c->companion, err, errlen))
			return -1;
		break;
	case EMU_BKEY_LIE:
		if (c->n_lies == G_N_ELEMENTS(c->lies))
			return fail(err, errlen, "at most %zu lie= settings per board",
				    G_N_ELEMENTS(c->lies));
		c->lies[c->n_lies++] = g_strdup(v); /* checked by the ROM model */
		break;
	default:
		/* what some ROMs really report: F072/F042 FFFFFFFEFFFF, F105/F107 "STM32" */
		if (strlen(v) > EMU_SERIAL_MAX || strspn(v, EMU_SERIAL_CHARS) != strlen(v))
			return fail(
				err, errlen,
				"serial must be 1..%d printable characters without ',', not '%s'",
				EMU_SERIAL_MAX, v);
		g_free((char *)c->serial);
		c->serial = g_strdup(v);
		break;
	}
	c->set |= 1u << key;
	return 0;
}

/* Settings of "KEY=VALUE[,KEY=VALUE...]" into @c. */
static int parse_settings(struct emu_board_config *c, const char *s, char *err, size_t errlen)
{
	while (*s) {
		const char *end = s + strcspn(s, ",");
		int key = key_of(s, (size_t)(end - s));
		char *val;
		int r;

		if (key < 0)
			return fail(err, errlen,
				    "'%.*s' is not KEY=VALUE with a KEY of chip, mode, rdp, fault, "
				    "load, companion, serial, lie",
				    (int)(end - s), s);
		/* a fault spec runs on over commas up to the next KEY= */
		while ((key == EMU_BKEY_FAULT || key == EMU_BKEY_LIE) && *end == ',' &&
		       key_of(end + 1, strcspn(end + 1, ",")) < 0)
			end += 1 + strcspn(end + 1, ",");
		val = g_strndup(s + strlen(keys[key]) + 1,
				(gsize)(end - s - strlen(keys[key]) - 1));
		r = *val ? set_value(c, key, val, err, errlen)
			 : fail(err, errlen, "%s has no value", keys[key]);
		g_free(val);
		if (r)
			return r;
		if (*end == ',' && end[1] == '\0')
			return fail(err, errlen, "nothing after the last ','");
		s = *end ? end + 1 : end;
	}
	return 0;
}

int emu_board_option_parse(struct emu_options *o, const char *arg, char *err, size_t errlen)
{
	char *colon = strchr(arg, ':');
	char *num = colon ? g_strndup(arg, (gsize)(colon - arg)) : NULL;
	uint32_t i = 0;
	bool ok = num && emu_parse_u32(num, &i) && i >= 1 && i <= EMU_MAX_BOARDS;
	int r;

	g_free(num);
	if (!ok)
		return fail(
			err, errlen,
			"--board takes I:KEY=VALUE[,KEY=VALUE...] with I a board 1..%d, not '%s'",
			EMU_MAX_BOARDS, arg);
	if (colon[1] == '\0')
		return fail(err, errlen, "--board %u: no setting after ':'", i);
	r = parse_settings(&o->per_board[i - 1], colon + 1, err, errlen);
	if (r) {
		char *msg = g_strdup(err);

		fail(err, errlen, "--board %u: %s", i, msg);
		g_free(msg);
		return -1;
	}
	if (i > o->last_board_set)
		o->last_board_set = i;
	return 0;
}

static bool has(unsigned set, enum emu_board_key k)
{
	return (set & (1u << k)) != 0;
}

void emu_board_config_resolve(const struct emu_options *o, unsigned index,
			      struct emu_board_config *out)
{
	const struct emu_board_config *pb = &o->per_board[index - 1];
	unsigned set = pb->set;

	out->chip = has(set, EMU_BKEY_CHIP) ? pb->chip : o->chip;
	out->chip_name = has(set, EMU_BKEY_CHIP) ? pb->chip_name : o->chip_name;
	out->mode = has(set, EMU_BKEY_MODE) ? pb->mode : o->mode;
	out->rdp_level = has(set, EMU_BKEY_RDP) ? pb->rdp_level : o->rdp_level;
	out->fault = has(set, EMU_BKEY_FAULT) ? pb->fault : o->fault;
	if (has(set, EMU_BKEY_LOAD)) {
		out->load_file = pb->load_file;
		out->load_addr = pb->load_addr;
		out->load_addr_set = pb->load_addr_set;
	} else {
		out->load_file = o->load_file;
		out->load_addr = o->load_addr;
		out->load_addr_set = o->load_addr_set;
	}
	out->companion = has(set, EMU_BKEY_COMPANION) ? pb->companion : o->companion;
	out->serial = has(set, EMU_BKEY_SERIAL) ? pb->serial : NULL;
	out->lie_list = has(set, EMU_BKEY_LIE) ? pb->lies : o->lies;
	out->n_lie_list = has(set, EMU_BKEY_LIE) ? pb->n_lies : o->n_lies;
	out->set = set;
}
