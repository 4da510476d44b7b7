/* SPDX-License-Identifier: MIT */
/*
 * Motorola S-records (srec(5)): S0 header, S1/S2/S3 data with 16/24/32-bit
 * addresses, S5/S6 record counts, S7/S8/S9 termination. S4 is reserved.
 */
#include <stdio.h>

#include "common/error_internal.h"
#include "image/formats.h"
#include "image/image_text.h"

/* Count byte, then up to 255 bytes of address, data and checksum. */
#define SREC_MAX_BYTES 256

/* Address bytes per record type; 0 = reserved. */
static const uint8_t srec_addr_len[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

struct srec {
	struct img_build *b;
	uint32_t data_records; /* S1/S2/S3 seen, for S5/S6 */
	bool end;
	char where[320];
};

static int srec_record(struct srec *s, unsigned type, const uint8_t *rec, size_t n)
{
	unsigned alen = srec_addr_len[type];
	uint32_t addr = 0, dlen;

	if (rec[0] < alen + 1)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: S%u record byte count %u is too small for its %u-byte address",
			s->where, type, rec[0], alen);
	for (unsigned i = 0; i < alen; i++)
		addr = addr << 8 | rec[1 + i];
	dlen = (uint32_t)(n - 2 - alen);

	switch (type) {
	case 0:
		return STDFU_OK; /* header: free text */
	case 1:
	case 2:
	case 3:
		s->data_records++;
		return stdfu__img_add(s->b, 0, addr, rec + 1 + alen, dlen, s->where);
	case 5:
	case 6:
		if (dlen)
			return stdfu__fail(STDFU_ERR_IMAGE, "%s: S%u count record carries data",
					   s->where, type);
		if (addr != s->data_records)
			return stdfu__fail(
				STDFU_ERR_IMAGE,
				"%s: S%u count record says %u data records, the file has "
				"%u (records lost?)",
				s->where, type, addr, s->data_records);
		return STDFU_OK;
	default: /* 7, 8, 9: start address, not needed to flash */
		if (dlen)
			return stdfu__fail(STDFU_ERR_IMAGE,
					   "%s: S%u termination record carries data", s->where,
					   type);
		s->end = true;
		return STDFU_OK;
	}
}

static int srec_line(struct srec *s, const struct text_line *l)
{
	uint8_t rec[SREC_MAX_BYTES], sum = 0;
	size_t digits, n;
	unsigned type;
	long bad;

	if (l->p[0] != 'S')
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: record does not start with 'S' (found '%c')", s->where,
				   printable(l->p[0]));
	if (l->len < 2 || l->p[1] < '0' || l->p[1] > '9' || srec_addr_len[l->p[1] - '0'] == 0)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: bad record type 'S%c' (expected S0-S3, S5-S9)", s->where,
				   l->len < 2 ? '?' : printable(l->p[1]));
	type = (unsigned)(l->p[1] - '0');
	digits = l->len - 2;
	n = digits / 2;
	if (digits < 4 || digits % 2)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: record has %zu hex digits; a record has an even number, at "
				   "least 4 (truncated?)",
				   s->where, digits);
	if (n > SREC_MAX_BYTES)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: record too long (%zu bytes)", s->where, n);
	bad = hex_decode(l->p + 2, n, rec);
	if (bad >= 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: column %ld: invalid hex digit '%c'",
				   s->where, bad + 3, printable(l->p[bad + 2]));
	if (n != (size_t)rec[0] + 1)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: byte count %u, but the record holds %zu bytes after it",
				   s->where, rec[0], n - 1);
	for (size_t i = 0; i + 1 < n; i++)
		sum = (uint8_t)(sum + rec[i]);
	sum = (uint8_t)~sum;
	if (sum != rec[n - 1])
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: checksum 0x%02x, expected 0x%02x",
				   s->where, rec[n - 1], sum);
	return srec_record(s, type, rec, n);
}

int stdfu__image_read_srec(struct img_build *b, const uint8_t *buf, size_t len)
{
	struct text_iter it = {.buf = buf, .len = len};
	struct srec s = {.b = b};
	struct text_line l;
	int rc;

	while (text_next(&it, &l)) {
		if (l.len == 0)
			continue;
		snprintf(s.where, sizeof(s.where), "%s:%u", b->name, l.no);
		if (s.end)
			return stdfu__fail(STDFU_ERR_IMAGE,
					   "%s: record after the termination record (S7/S8/S9)",
					   s.where);
		if ((rc = srec_line(&s, &l)) < 0)
			return rc;
	}
	if (!s.end)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s:%u: no termination record (S7/S8/S9): file truncated?",
				   b->name, it.no);
	return STDFU_OK;
}
