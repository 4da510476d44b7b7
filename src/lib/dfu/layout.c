/* SPDX-License-Identifier: MIT */
/*
 * DfuSe memory-layout strings (AN3156 section 4 "alternate settings", UM0424).
 * The grammar, as sent by ST ROMs:
 *   '@' name '/' region ('/' region)*
 *   region  = "0x" hex '/' group (',' group)*
 *   group   = decimal '*' decimal [multiplier] letter
 * The multiplier is ' ', 'B', 'K' or 'M'; the letter is 'a'..'g'.
 */
#include <stdbool.h>
#include <string.h>

#include <stdfu/layout.h>

#include "common/error_internal.h"
#include "common/hexdigit.h"

struct cursor {
	const char *str;
	size_t pos;
};

static char peek(const struct cursor *c)
{
	return c->str[c->pos];
}

static int bad(const struct cursor *c, const char *what)
{
	return stdfu__fail(STDFU_ERR_PROTOCOL, "memory layout \"%.80s\": %s at offset %zu", c->str,
			   what, c->pos);
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static void skip_blanks(struct cursor *c)
{
	while (peek(c) == ' ')
		c->pos++;
}

static int parse_hex32(struct cursor *c, uint32_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	if (peek(c) != '0' || (c->str[c->pos + 1] != 'x' && c->str[c->pos + 1] != 'X'))
		return bad(c, "expected a 0x address");
	c->pos += 2;
	for (int h; (h = hex_digit((unsigned char)peek(c))) >= 0; c->pos++) {
		v = v * 16 + (uint64_t)h;
		if (++digits > 8 || v > UINT32_MAX)
			return bad(c, "address wider than 32 bits");
	}
	if (digits == 0)
		return bad(c, "address without hex digits");
	*out = (uint32_t)v;
	return STDFU_OK;
}

static int parse_dec(struct cursor *c, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	*out = 0; /* defined on failure too: callers test rc, not *out */
	for (; is_digit(peek(c)); c->pos++) {
		v = v * 10 + (uint64_t)(peek(c) - '0');
		if (++digits > 10 || v > limit)
			return bad(c, "number too large");
	}
	if (digits == 0)
		return bad(c, "expected a decimal number");
	*out = v;
	return STDFU_OK;
}

static int parse_multiplier(struct cursor *c, uint64_t *mult)
{
	*mult = 1;
	switch (peek(c)) {
	case 'K':
		*mult = 1024;
		break;
	case 'M':
		*mult = 1024 * 1024;
		break;
	case 'B':
	case ' ':
		break;
	default:
		return STDFU_OK; /* the letter may follow the size directly */
	}
	c->pos++;
	return STDFU_OK;
}

static int parse_letter(struct cursor *c, char *letter)
{
	char ch = peek(c);

	if (ch < 'a' || ch > 'g')
		return bad(c, "expected a type letter a..g");
	*letter = ch;
	c->pos++;
	return STDFU_OK;
}

static bool overlaps(const struct stdfu_layout *l, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < l->n_groups; i++) {
		const struct stdfu_sector_group *g = &l->groups[i];
		uint64_t gs = g->start, ge = gs + (uint64_t)g->count * g->size;

		if (start < ge && gs < end)
			return true;
	}
	return false;
}

static int parse_group(struct cursor *c, struct stdfu_layout *l, uint64_t *addr)
{
	struct stdfu_sector_group *g;
	uint64_t count = 0, size = 0, mult = 1; /* gcc -O3 cannot see parse_dec set them */
	char letter = 0;
	int rc;

	if (l->n_groups >= STDFU_LAYOUT_MAX_GROUPS)
		return bad(c, "too many sector groups");
	skip_blanks(c);
	rc = parse_dec(c, STDFU_LAYOUT_MAX_COUNT, &count);
	if (rc)
		return rc;
	if (peek(c) != '*')
		return bad(c, "expected '*'");
	c->pos++;
	rc = parse_dec(c, UINT32_MAX, &size);
	if (!rc)
		rc = parse_multiplier(c, &mult);
	if (!rc)
		rc = parse_letter(c, &letter);
	if (rc)
		return rc;
	if (count == 0 || size == 0)
		return bad(c, "empty sector group");
	size *= mult;
	if (size > UINT32_MAX || *addr + count * size > (uint64_t)UINT32_MAX + 1)
		return bad(c, "memory runs past 4 GiB");
	if (overlaps(l, *addr, *addr + count * size))
		return bad(c, "sector groups overlap");
	g = &l->groups[l->n_groups++];
	g->start = (uint32_t)*addr;
	g->count = (uint32_t)count;
	g->size = (uint32_t)size;
	g->letter = letter;
	g->flags = (uint8_t)(letter & 7);
	*addr += count * size;
	return STDFU_OK;
}

static int parse_region(struct cursor *c, struct stdfu_layout *l)
{
	uint32_t start = 0;
	uint64_t addr;
	int rc;

	rc = parse_hex32(c, &start);
	if (rc)
		return rc;
	if (peek(c) != '/')
		return bad(c, "expected '/' after the address");
	c->pos++;
	addr = start;
	for (;;) {
		rc = parse_group(c, l, &addr);
		if (rc)
			return rc;
		if (peek(c) != ',')
			break;
		c->pos++;
	}
	l->n_regions++;
	return STDFU_OK;
}

static int parse_name(struct cursor *c, struct stdfu_layout *l)
{
	const char *slash;
	size_t len;

	if (peek(c) != '@')
		return bad(c, "expected '@'");
	c->pos++;
	slash = strchr(c->str + c->pos, '/');
	if (!slash)
		return bad(c, "missing '/' after the name");
	len = (size_t)(slash - (c->str + c->pos));
	while (len > 0 && c->str[c->pos + len - 1] == ' ')
		len--;
	if (len >= sizeof(l->name))
		len = sizeof(l->name) - 1;
	memcpy(l->name, c->str + c->pos, len);
	l->name[len] = '\0';
	c->pos = (size_t)(slash - c->str) + 1;
	return STDFU_OK;
}

int stdfu_layout_parse(const char *str, struct stdfu_layout *out)
{
	struct cursor c = {str, 0};
	int rc;

	if (!str || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_layout_parse: NULL argument");
	memset(out, 0, sizeof(*out));
	if (strnlen(str, STDFU_LAYOUT_MAX_STRING + 1) > STDFU_LAYOUT_MAX_STRING)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "memory layout string longer than %d bytes",
				   STDFU_LAYOUT_MAX_STRING);
	rc = parse_name(&c, out);
	while (!rc) {
		rc = parse_region(&c, out);
		if (rc || peek(&c) != '/')
			break;
		c.pos++;
		skip_blanks(&c);
		if (peek(&c) == '\0')
			break; /* tolerate a trailing '/' */
	}
	if (rc)
		return rc;
	skip_blanks(&c);
	if (peek(&c) != '\0')
		return bad(&c, "unexpected character");
	return STDFU_OK;
}

int stdfu_layout_sector_at(const struct stdfu_layout *layout, uint32_t addr,
			   struct stdfu_sector *out)
{
	uint32_t index = 0;

	for (size_t i = 0; i < layout->n_groups; i++) {
		const struct stdfu_sector_group *g = &layout->groups[i];
		uint64_t end = (uint64_t)g->start + (uint64_t)g->count * g->size;

		if (addr >= g->start && addr < end) {
			uint32_t n = (addr - g->start) / g->size;

			out->start = g->start + n * g->size;
			out->size = g->size;
			out->flags = g->flags;
			out->index = index + n;
			return STDFU_OK;
		}
		index += g->count;
	}
	return STDFU_ERR_FIT;
}

uint32_t stdfu_layout_start(const struct stdfu_layout *layout)
{
	uint32_t start = UINT32_MAX;

	if (layout->n_groups == 0)
		return 0;
	for (size_t i = 0; i < layout->n_groups; i++)
		if (layout->groups[i].start < start)
			start = layout->groups[i].start;
	return start;
}

uint64_t stdfu_layout_bytes(const struct stdfu_layout *layout)
{
	uint64_t total = 0;

	for (size_t i = 0; i < layout->n_groups; i++)
		total += (uint64_t)layout->groups[i].count * layout->groups[i].size;
	return total;
}

void stdfu_layout_flags_str(uint8_t flags, char buf[4])
{
	buf[0] = (flags & STDFU_MEM_READABLE) ? 'R' : '-';
	buf[1] = (flags & STDFU_MEM_ERASABLE) ? 'E' : '-';
	buf[2] = (flags & STDFU_MEM_WRITABLE) ? 'W' : '-';
	buf[3] = '\0';
}
