/* SPDX-License-Identifier: MIT */
/* Line splitting and hex digits for the text formats (Intel HEX, S-record). */
#ifndef STDFU_IMAGE_TEXT_H
#define STDFU_IMAGE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "common/hexdigit.h"

struct text_line {
	const uint8_t *p; /* start of the line */
	size_t len;	  /* without the line end and trailing blanks */
	unsigned no;	  /* 1-based line number */
};

struct text_iter {
	const uint8_t *buf;
	size_t len, pos;
	unsigned no;
};

/* Next line of the buffer; false at the end. Accepts \n and \r\n. */
static inline bool text_next(struct text_iter *it, struct text_line *l)
{
	size_t s = it->pos, e = s;

	if (s >= it->len)
		return false;
	while (e < it->len && it->buf[e] != '\n')
		e++;
	it->pos = e < it->len ? e + 1 : e;
	l->p = it->buf + s;
	l->no = ++it->no;
	while (e > s && (it->buf[e - 1] == '\r' || it->buf[e - 1] == ' ' || it->buf[e - 1] == '\t'))
		e--;
	l->len = e - s;
	return true;
}

/*
 * Decode @n hex digit pairs from @p into @out. Returns -1 on success, else
 * the 0-based index of the first bad character.
 */
static inline long hex_decode(const uint8_t *p, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);

		if (hi < 0)
			return (long)(2 * i);
		if (lo < 0)
			return (long)(2 * i + 1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return -1;
}

static inline char printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

#endif
