/* SPDX-License-Identifier: MIT */
/*
 * Writers for `stdfu convert`: raw binary, Intel HEX, S-record, DfuSe.
 * Each builds the whole file in memory; stdfu_image_save() writes it out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error_internal.h"
#include "common/le.h"
#include "image/formats.h"
#include "image/suffix.h"

#define BIN_MAX_SPAN	 ((uint64_t)256 << 20)
#define LINE_BYTES_DEF	 16u
#define LINE_BYTES_MAX	 250u /* S3: 255 - 4 address bytes - checksum */
#define SREC_HEADER	 "stdfu"
#define DFUSE_TARGET_LEN 274u

struct obuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void ob_reserve(struct obuf *o, size_t n)
{
	size_t ncap;
	uint8_t *p;

	if (o->oom || o->len + n <= o->cap)
		return;
	ncap = o->cap ? o->cap : 4096;
	while (ncap < o->len + n)
		ncap *= 2;
	p = realloc(o->p, ncap);
	if (!p) {
		o->oom = true;
		return;
	}
	o->p = p;
	o->cap = ncap;
}

static void ob_put(struct obuf *o, const void *d, size_t n)
{
	ob_reserve(o, n);
	if (o->oom)
		return;
	memcpy(o->p + o->len, d, n);
	o->len += n;
}

static void ob_hex(struct obuf *o, uint8_t v)
{
	static const char digits[] = "0123456789ABCDEF";
	char s[2] = {digits[v >> 4], digits[v & 15]};

	ob_put(o, s, 2);
}

static int ob_finish(struct obuf *o, const char *name, uint8_t **out, size_t *out_len)
{
	if (o->oom) {
		free(o->p);
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", name);
	}
	*out = o->p;
	*out_len = o->len;
	return STDFU_OK;
}

/* bin, hex and srec describe one address space: refuse DfuSe targets other than alt 0. */
static int single_memory(const struct stdfu_image *img, const char *name, const char *fmt)
{
	for (size_t i = 0; i < img->count; i++)
		if (img->segments[i].alt != 0)
			return stdfu__fail(STDFU_ERR_UNSUPPORTED,
					   "%s: the image has data for DfuSe alt %u at 0x%08x; %s "
					   "holds only alt 0 (write .dfu)",
					   name, img->segments[i].alt, img->segments[i].address,
					   fmt);
	return STDFU_OK;
}

static int line_bytes(const struct stdfu_image_save_opts *o, const char *name, unsigned *n)
{
	*n = o->line_bytes ? o->line_bytes : LINE_BYTES_DEF;
	if (*n > LINE_BYTES_MAX)
		return stdfu__fail(STDFU_ERR_ARG, "%s: %u data bytes per record; at most %u", name,
				   *n, LINE_BYTES_MAX);
	return STDFU_OK;
}

int stdfu__image_write_bin(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			   const char *name, uint8_t **out, size_t *out_len)
{
	const struct stdfu_segment *first = &img->segments[0], *last;
	uint64_t span;
	uint8_t *p;
	int rc;

	if ((rc = single_memory(img, name, "a binary")) < 0)
		return rc;
	last = &img->segments[img->count - 1];
	span = (uint64_t)last->address + last->size - first->address;
	if (span > BIN_MAX_SPAN)
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: the image spans 0x%08x-0x%08x (%llu MiB); a binary would be "
			"mostly fill (write .hex, .srec or .dfu)",
			name, first->address, last->address + last->size - 1,
			(unsigned long long)(span >> 20));
	p = malloc((size_t)span);
	if (!p)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", name);
	memset(p, opts->fill, (size_t)span);
	for (size_t i = 0; i < img->count; i++)
		memcpy(p + (img->segments[i].address - first->address), img->segments[i].data,
		       img->segments[i].size);
	*out = p;
	*out_len = (size_t)span;
	return STDFU_OK;
}

static void ihex_record(struct obuf *o, uint8_t type, uint16_t addr, const uint8_t *d, unsigned n)
{
	uint8_t sum = (uint8_t)(n + (addr >> 8) + addr + type);

	ob_put(o, ":", 1);
	ob_hex(o, (uint8_t)n);
	ob_hex(o, (uint8_t)(addr >> 8));
	ob_hex(o, (uint8_t)addr);
	ob_hex(o, type);
	for (unsigned i = 0; i < n; i++) {
		ob_hex(o, d[i]);
		sum = (uint8_t)(sum + d[i]);
	}
	ob_hex(o, (uint8_t)(0x100 - sum));
	ob_put(o, "\n", 1);
}

int stdfu__image_write_ihex(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			    const char *name, uint8_t **out, size_t *out_len)
{
	struct obuf o = {0};
	uint32_t upper = 0;
	unsigned per;
	int rc;

	if ((rc = single_memory(img, name, "Intel HEX")) < 0 ||
	    (rc = line_bytes(opts, name, &per)) < 0)
		return rc;
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		for (uint32_t off = 0; off < s->size;) {
			uint32_t a = s->address + off, n = s->size - off;
			uint32_t room = 0x10000u - (a & 0xFFFFu);

			if (a >> 16 != upper) {
				uint8_t ext[2] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16)};

				upper = a >> 16;
				ihex_record(&o, 0x04, 0, ext, 2);
			}
			n = n < per ? n : per;
			n = n < room ? n : room; /* a record never crosses 64 KiB */
			ihex_record(&o, 0x00, (uint16_t)a, s->data + off, n);
			off += n;
		}
	}
	ihex_record(&o, 0x01, 0, NULL, 0);
	return ob_finish(&o, name, out, out_len);
}

static void srec_record(struct obuf *o, char type, uint32_t addr, unsigned alen, const uint8_t *d,
			unsigned n)
{
	uint8_t count = (uint8_t)(alen + n + 1), sum = count;

	ob_put(o, (char[]){'S', type}, 2);
	ob_hex(o, count);
	for (unsigned i = alen; i-- > 0;) {
		uint8_t b = (uint8_t)(addr >> (8 * i));

		ob_hex(o, b);
		sum = (uint8_t)(sum + b);
	}
	for (unsigned i = 0; i < n; i++) {
		ob_hex(o, d[i]);
		sum = (uint8_t)(sum + d[i]);
	}
	ob_hex(o, (uint8_t)~sum);
	ob_put(o, "\n", 1);
}

int stdfu__image_write_srec(const struct stdfu_image *img, const struct stdfu_image_save_opts *opts,
			    const char *name, uint8_t **out, size_t *out_len)
{
	struct obuf o = {0};
	uint32_t records = 0;
	unsigned per;
	int rc;

	if ((rc = single_memory(img, name, "an S-record file")) < 0 ||
	    (rc = line_bytes(opts, name, &per)) < 0)
		return rc;
	srec_record(&o, '0', 0, 2, (const uint8_t *)SREC_HEADER, sizeof(SREC_HEADER) - 1);
	for (size_t i = 0; i < img->count; i++) {
		const struct stdfu_segment *s = &img->segments[i];

		for (uint32_t off = 0; off < s->size; records++) {
			uint32_t n = s->size - off < per ? s->size - off : per;

			srec_record(&o, '3', s->address + off, 4, s->data + off, n);
			off += n;
		}
	}
	/* S5 counts up to 0xFFFF records, S6 up to 0xFFFFFF; beyond that the count is optional. */
	if (records <= 0xFFFFu)
		srec_record(&o, '5', records, 2, NULL, 0);
	else if (records <= 0xFFFFFFu)
		srec_record(&o, '6', records, 3, NULL, 0);
	srec_record(&o, '7', 0, 4, NULL, 0);
	return ob_finish(&o, name, out, out_len);
}

/* Number of segments [i, end) that belong to the same alt as segment i. */
static size_t alt_run(const struct stdfu_image *img, size_t i)
{
	size_t j = i;

	while (j < img->count && img->segments[j].alt == img->segments[i].alt)
		j++;
	return j;
}

static void dfuse_target(struct obuf *o, const struct stdfu_image *img, size_t i, size_t end)
{
	uint8_t h[DFUSE_TARGET_LEN] = "Target";
	uint64_t tsize = 0;

	for (size_t k = i; k < end; k++)
		tsize += 8u + img->segments[k].size;
	h[6] = img->segments[i].alt;
	le_put32(h + 7, 1); /* bTargetNamed */
	memcpy(h + 11, "ST...", 5);
	le_put32(h + 266, (uint32_t)tsize);
	le_put32(h + 270, (uint32_t)(end - i));
	ob_put(o, h, sizeof(h));
	for (size_t k = i; k < end; k++) {
		uint8_t e[8];

		le_put32(e, img->segments[k].address);
		le_put32(e + 4, img->segments[k].size);
		ob_put(o, e, 8);
		ob_put(o, img->segments[k].data, img->segments[k].size);
	}
}

int stdfu__image_write_dfuse(const struct stdfu_image *img,
			     const struct stdfu_image_save_opts *opts, const char *name,
			     uint8_t **out, size_t *out_len)
{
	uint8_t prefix[11] = "DfuSe\x01";
	uint64_t total = sizeof(prefix);
	struct obuf o = {0};
	unsigned targets = 0;

	for (size_t i = 0; i < img->count; i = alt_run(img, i)) {
		targets++;
		total += DFUSE_TARGET_LEN;
	}
	for (size_t i = 0; i < img->count; i++)
		total += 8u + img->segments[i].size;
	if (targets > 255 || total > UINT32_MAX)
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "%s: %u targets, %llu bytes: too large for a DfuSe file", name,
				   targets, (unsigned long long)total);
	le_put32(prefix + 6, (uint32_t)total);
	prefix[10] = (uint8_t)targets;
	ob_reserve(&o, (size_t)total + DFU_SUFFIX_LEN);
	ob_put(&o, prefix, sizeof(prefix));
	for (size_t i = 0; i < img->count; i = alt_run(img, i))
		dfuse_target(&o, img, i, alt_run(img, i));
	ob_reserve(&o, DFU_SUFFIX_LEN);
	if (!o.oom)
		o.len = stdfu__dfu_suffix_write(o.p, o.len, opts->bcd_device, opts->pid, opts->vid,
						0x011A);
	return ob_finish(&o, name, out, out_len);
}
