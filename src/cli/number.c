/* SPDX-License-Identifier: MIT */
/*
 * Command-line numbers. strtoull() alone accepts "-1" (as 2^64-1), skips
 * leading blanks and saturates silently; a K or M suffix multiplied after
 * the fact wraps. Here each step is checked, so "18014398509613056K" is an
 * error and not 0x08000000.
 */
#include <errno.h>
#include <stdlib.h>

#include "number.h"

/* An unsigned number in C notation (decimal, 0x hex, 0 octal), nothing before it. */
static bool leading_number(const char *s, int base, unsigned long long *v, char **end)
{
	if (!s || !((*s >= '0' && *s <= '9')))
		return false;
	errno = 0;
	*v = strtoull(s, end, base);
	return errno == 0 && *end != s;
}

static bool scale(unsigned long long *v, unsigned long long factor, unsigned long long max)
{
	if (*v > max / factor)
		return false;
	*v *= factor;
	return true;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!leading_number(s, 0, &v, &end))
		return false;
	if (*end == 'K' || *end == 'k') {
		if (!scale(&v, 1024, UINT32_MAX))
			return false;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		if (!scale(&v, 1024 * 1024, UINT32_MAX))
			return false;
		end++;
	}
	if (*end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_ms(const char *s, uint32_t max_ms, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!leading_number(s, 10, &v, &end))
		return false;
	if (end[0] == 's' && end[1] == '\0') {
		if (!scale(&v, 1000, max_ms))
			return false;
	} else if (end[0] == 'm' && end[1] == 's' && end[2] == '\0') {
		/* "500ms" says what the bare number means */
	} else if (*end) {
		return false;
	}
	if (v == 0 || v > max_ms)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_byte(const char *s, uint8_t *out)
{
	unsigned long long v;
	char *end;

	if (!leading_number(s, 0, &v, &end) || *end || v > 0xff)
		return false;
	*out = (uint8_t)v;
	return true;
}
