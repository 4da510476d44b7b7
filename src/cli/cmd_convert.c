/* SPDX-License-Identifier: MIT */
/*
 * stdfu convert IN[@ADDR]... OUT: read any image formats, merge them, write
 * bin, hex, srec or dfu. No device is involved. --format names the output
 * format (inputs are detected from their content). A raw input goes to its
 * @ADDR, else to --address (default 0x08000000); an input with addresses
 * stays where it is, or moves to @ADDR. Overlapping inputs are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_convert.h"
#include "json.h"

#define RAW_DEFAULT_ADDRESS 0x08000000u
#define INPUTS_MAX	    8

/* "app.bin@0x08004000": the address after the last '@', when it is one. */
static void split_input(const char *arg, char *path, size_t cap, bool *set, uint32_t *addr)
{
	const char *at = strrchr(arg, '@');
	char *end = NULL;
	unsigned long long v = 0;

	*set = false;
	if (at && at[1])
		v = strtoull(at + 1, &end, 0);
	if (end && !*end && v <= UINT32_MAX && at != arg) {
		*set = true;
		*addr = (uint32_t)v;
		snprintf(path, cap, "%.*s", (int)(at - arg), arg);
		return;
	}
	snprintf(path, cap, "%s", arg);
}

static int cmp_seg(const void *a, const void *b)
{
	const struct stdfu_segment *x = a, *y = b;

	if (x->alt != y->alt)
		return x->alt < y->alt ? -1 : 1;
	return x->address < y->address ? -1 : x->address > y->address;
}

/* Move every segment of @src into @dst (both images stay valid). */
static int take_segments(struct stdfu_image *dst, struct stdfu_image *src)
{
	struct stdfu_segment *s =
		realloc(dst->segments, (dst->count + src->count) * sizeof(*dst->segments));

	if (!s)
		return STDFU_ERR_NOMEM;
	memcpy(s + dst->count, src->segments, src->count * sizeof(*s));
	dst->segments = s;
	dst->count += src->count;
	src->count = 0;
	if (!dst->has_suffix && src->has_suffix) {
		dst->has_suffix = true;
		dst->suffix_vid = src->suffix_vid;
		dst->suffix_pid = src->suffix_pid;
		dst->suffix_bcd_device = src->suffix_bcd_device;
	}
	return STDFU_OK;
}

static int overlap(struct cli *c, const struct stdfu_image *img)
{
	for (size_t i = 1; i < img->count; i++) {
		const struct stdfu_segment *p = &img->segments[i - 1], *s = &img->segments[i];

		if (p->alt == s->alt && (uint64_t)p->address + p->size > s->address)
			return out_usage(c,
					 "the inputs overlap: 0x%08x-0x%08llx and 0x%08x-0x%08llx "
					 "(give each input its own @ADDR)",
					 p->address, (unsigned long long)p->address + p->size - 1,
					 s->address, (unsigned long long)s->address + s->size - 1);
	}
	return STDFU_OK;
}

static int load_one(struct cli *c, const char *arg, struct stdfu_image *all)
{
	static const uint32_t raw_default = RAW_DEFAULT_ADDRESS;
	char path[4096];
	bool set;
	uint32_t addr = 0;
	struct stdfu_image *img = NULL;
	int rc;

	split_input(arg, path, sizeof(path), &set, &addr);
	if (!set && c->address_set) {
		set = true;
		addr = c->address;
	}
	rc = cli_load_image_at(c, path, set, addr, &raw_default, &img);
	if (!rc) {
		cli_image_event(c, path, img);
		if (!all->count)
			all->format = img->format;
		rc = take_segments(all, img);
	}
	stdfu_image_free(img);
	return rc;
}

static struct stdfu_image_save_opts save_opts(const struct stdfu_image *img,
					      enum stdfu_image_format fmt)
{
	struct stdfu_image_save_opts o = {.format = fmt,
					  .vid = STDFU_ST_VID,
					  .pid = STDFU_ST_DFU_PID,
					  .bcd_device = 0xFFFF,
					  .fill = 0xFF};

	/* Keep the device the input was made for. */
	if (img->has_suffix) {
		o.vid = img->suffix_vid;
		o.pid = img->suffix_pid;
		o.bcd_device = img->suffix_bcd_device;
	}
	return o;
}

static void report(struct cli *c, const struct stdfu_image *img, enum stdfu_image_format out)
{
	const struct stdfu_segment *first = &img->segments[0];
	const struct stdfu_segment *last = &img->segments[img->count - 1];
	const char *dst = c->args[c->nargs - 1];

	if (c->mode == OUT_JSON) {
		json_t *o = out_extra(c);

		jw_str(o, "file", dst);
		jw_int(o, "inputs", c->nargs - 1);
		jw_str(o, "format", stdfu_image_format_name(out));
		jw_int(o, "segments", (long long)img->count);
		jw_int(o, "bytes", (long long)stdfu_image_bytes(img));
		jw_addr(o, "start", first->address);
		jw_addr(o, "end", (uint64_t)last->address + last->size);
		return;
	}
	out_msg(c, "convert: %d input%s (%zu segment%s, %llu bytes) -> %s (%s)", c->nargs - 1,
		c->nargs == 2 ? "" : "s", img->count, img->count == 1 ? "" : "s",
		(unsigned long long)stdfu_image_bytes(img), dst, stdfu_image_format_name(out));
	if (out == STDFU_FORMAT_RAW)
		out_msg(c,
			"convert: %s holds 0x%08x-0x%08x with gaps filled with 0xFF; flash it "
			"with --address 0x%08x",
			dst, first->address, last->address + last->size - 1, first->address);
}

static int load_all(struct cli *c, struct stdfu_image *all)
{
	int rc = STDFU_OK;

	for (int i = 0; !rc && i < c->nargs - 1; i++)
		rc = load_one(c, c->args[i], all);
	if (rc)
		return rc;
	qsort(all->segments, all->count, sizeof(*all->segments), cmp_seg);
	return overlap(c, all);
}

int cmd_convert(struct cli *c)
{
	enum stdfu_image_format fmt = STDFU_FORMAT_AUTO;
	const char *dst = c->args[c->nargs - 1];
	struct stdfu_image_save_opts o;
	struct stdfu_image *all = calloc(1, sizeof(*all));
	int rc;

	if (!all)
		return out_fail(c, STDFU_ERR_NOMEM);
	/* Refuse an unknown output format before reading anything. */
	if (c->format)
		rc = stdfu_image_format_parse(c->format, &fmt);
	else
		rc = stdfu_image_format_from_path(dst, &fmt);
	if (!rc && c->nargs > 2 && c->address_set)
		rc = out_usage(c, "with several inputs, give each raw one its own IN@ADDR");
	if (!rc)
		rc = load_all(c, all);
	if (!rc) {
		o = save_opts(all, fmt);
		rc = stdfu_image_save(all, dst, &o);
	}
	if (!rc)
		report(c, all, fmt);
	stdfu_image_free(all);
	if (rc > 0)
		return rc;
	return rc ? out_fail(c, rc) : out_result(c, STDFU_OK, NULL);
}
