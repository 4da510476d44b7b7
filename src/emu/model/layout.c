/* SPDX-License-Identifier: MIT */
/*
 * Parser for the DfuSe memory layout strings of our own chip table
 * ("@Name/0xADDR/NN*SSSm t,..."), so that the string the host reads is the
 * single source of the model's memory map. The input is trusted (chips.c),
 * but the parser still refuses anything it does not understand.
 */
#include <stdlib.h>
#include <string.h>

#include "rom_internal.h"

static const char *parse_num(const char *p, int base, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	for (;; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		v = v * (uint64_t)base + (uint64_t)d;
		if (v > 0xFFFFFFFFull)
			return NULL;
	}
	if (!digits)
		return NULL;
	*out = v;
	return p;
}

static int push_sector(struct emu_memmap *map, uint32_t start, uint32_t size, uint8_t type)
{
	struct emu_sector *n = realloc(map->sec, (map->n + 1) * sizeof(*n));

	if (!n)
		return -1;
	map->sec = n;
	n[map->n].start = start;
	n[map->n].size = size;
	n[map->n].type = type;
	n[map->n].backing = map->total;
	map->n++;
	map->total += size;
	return 0;
}

/* One region: "0xADDR/NN*SSSmt,NN*SSSmt" up to the next '/' or the end. */
static const char *parse_region(const char *p, struct emu_memmap *map)
{
	uint64_t addr, count, size;

	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return NULL;
	p = parse_num(p + 2, 16, &addr);
	if (!p || *p++ != '/')
		return NULL;
	for (;;) {
		p = parse_num(p, 10, &count);
		if (!p || *p++ != '*')
			return NULL;
		p = parse_num(p, 10, &size);
		if (!p)
			return NULL;
		if (*p == 'K')
			size *= 1024;
		else if (*p == 'M')
			size *= 1024 * 1024;
		else if (*p != 'B' && *p != ' ')
			return NULL;
		p++;
		if (*p < 'a' || *p > 'g' || !count || !size || count > 4096)
			return NULL;
		for (uint64_t i = 0; i < count; i++) {
			if (addr + size > 0x100000000ull)
				return NULL;
			if (push_sector(map, (uint32_t)addr, (uint32_t)size, (uint8_t)(*p & 7)))
				return NULL;
			addr += size;
		}
		p++;
		if (*p != ',')
			return p;
		p++;
	}
}

int emu_layout_parse(const char *layout, struct emu_memmap *map)
{
	const char *p = strchr(layout, '/');

	memset(map, 0, sizeof(*map));
	if (layout[0] != '@' || !p)
		return -1;
	p++;
	while (*p) {
		p = parse_region(p, map);
		if (!p)
			goto fail;
		if (*p == '/')
			p++;
		else if (*p)
			goto fail;
	}
	if (map->n)
		return 0;
fail:
	free(map->sec);
	memset(map, 0, sizeof(*map));
	return -1;
}
