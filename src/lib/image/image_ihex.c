/* SPDX-License-Identifier: MIT */
/*
 * Intel HEX (Intel "Hexadecimal Object File Format Specification", rev A):
 * records 00 data, 01 end of file, 02 extended segment address, 03 start
 * segment address, 04 extended linear address, 05 start linear address.
 */
#include <stdio.h>

#include "common/error_internal.h"
#include "image/formats.h"
#include "image/image_text.h"

enum { IHEX_DATA, IHEX_EOF, IHEX_EXT_SEG, IHEX_START_SEG, IHEX_EXT_LIN, IHEX_START_LIN };

/* Longest record: byte count, address (2), type, 255 data bytes, checksum. */
#define IHEX_MAX_BYTES (1 + 2 + 1 + 255 + 1)

struct ihex {
	struct img_build *b;
	uint32_t base;
	bool segmented; /* 02 records: offsets wrap within the 64 KiB segment */
	bool eof;
	char where[320];
};

static int ihex_data(struct ihex *h, uint16_t off, const uint8_t *d, uint32_t n)
{
	uint32_t first = n;

	/* Spec: with 02 addressing, (DRLO + DRI) mod 64K; with 04, plain sums. */
	if (h->segmented && (uint32_t)off + n > 0x10000u)
		first = 0x10000u - off;
	int rc = stdfu__img_add(h->b, 0, h->base + off, d, first, h->where);
	if (rc < 0 || first == n)
		return rc;
	return stdfu__img_add(h->b, 0, h->base, d + first, n - first, h->where);
}

static int want_len(const struct ihex *h, const uint8_t *rec, unsigned want)
{
	if (rec[0] == want)
		return STDFU_OK;
	return stdfu__fail(STDFU_ERR_IMAGE, "%s: record type %02X has %u data bytes, expected %u",
			   h->where, rec[3], rec[0], want);
}

static int ihex_record(struct ihex *h, const uint8_t *rec)
{
	uint16_t off = (uint16_t)(rec[1] << 8 | rec[2]);
	const uint8_t *d = rec + 4;
	int rc;

	switch (rec[3]) {
	case IHEX_DATA:
		return ihex_data(h, off, d, rec[0]);
	case IHEX_EOF:
		h->eof = true;
		return want_len(h, rec, 0);
	case IHEX_EXT_SEG:
	case IHEX_EXT_LIN:
		if ((rc = want_len(h, rec, 2)) < 0)
			return rc;
		h->segmented = rec[3] == IHEX_EXT_SEG;
		h->base = (uint32_t)(d[0] << 8 | d[1]) << (h->segmented ? 4 : 16);
		return STDFU_OK;
	case IHEX_START_SEG:
	case IHEX_START_LIN:
		/* Entry point (CS:IP or EIP): not needed to flash. */
		return want_len(h, rec, 4);
	default:
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: unknown record type %02X (expected 00-05)",
				   h->where, rec[3]);
	}
}

static int ihex_line(struct ihex *h, const struct text_line *l)
{
	uint8_t rec[IHEX_MAX_BYTES], sum = 0;
	size_t digits = l->len - 1, n = digits / 2;
	long bad;

	if (l->p[0] != ':')
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: record does not start with ':' (found '%c')", h->where,
				   printable(l->p[0]));
	if (digits < 10 || digits % 2)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: record has %zu hex digits; a record has an even number, at "
				   "least 10 (truncated?)",
				   h->where, digits);
	if (n > IHEX_MAX_BYTES)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: record too long (%zu bytes)", h->where, n);
	bad = hex_decode(l->p + 1, n, rec);
	if (bad >= 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: column %ld: invalid hex digit '%c'",
				   h->where, bad + 2, printable(l->p[bad + 1]));
	if (n != (size_t)rec[0] + 5)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s: byte count %u, but the record holds %zu data bytes",
				   h->where, rec[0], n - 5);
	for (size_t i = 0; i + 1 < n; i++)
		sum = (uint8_t)(sum + rec[i]);
	if ((uint8_t)(sum + rec[n - 1]) != 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: checksum 0x%02x, expected 0x%02x",
				   h->where, rec[n - 1], (uint8_t)(0x100 - sum));
	return ihex_record(h, rec);
}

int stdfu__image_read_ihex(struct img_build *b, const uint8_t *buf, size_t len)
{
	struct text_iter it = {.buf = buf, .len = len};
	struct ihex h = {.b = b};
	struct text_line l;
	int rc;

	while (text_next(&it, &l)) {
		if (l.len == 0)
			continue;
		snprintf(h.where, sizeof(h.where), "%s:%u", b->name, l.no);
		if (h.eof)
			return stdfu__fail(STDFU_ERR_IMAGE,
					   "%s: data after the end-of-file record (type 01)",
					   h.where);
		if ((rc = ihex_line(&h, &l)) < 0)
			return rc;
	}
	if (!h.eof)
		return stdfu__fail(STDFU_ERR_IMAGE,
				   "%s:%u: no end-of-file record (type 01): file truncated?",
				   b->name, it.no);
	return STDFU_OK;
}
