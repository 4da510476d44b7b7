/* SPDX-License-Identifier: MIT */
/*
 * stdfu convert IN OUT: read any image format, write bin, hex, srec or dfu.
 * No device is involved. --format names the output format (the input is
 * always detected from its content); --address places raw input.
 */
#include <stdio.h>

#include "cli.h"
#include "cmd_convert.h"

#define RAW_DEFAULT_ADDRESS 0x08000000u

static int load_input(struct cli *c, struct stdfu_image **img)
{
	struct stdfu_image_load_opts o = {.format = STDFU_FORMAT_AUTO};

	o.raw_address_set = true;
	o.raw_address = c->address_set ? c->address : RAW_DEFAULT_ADDRESS;
	return stdfu_image_load(c->args[0], &o, img);
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

	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"result\",\"command\":\"convert\",\"ok\":true,\"exit\":0,"
		       "\"input\":{\"format\":\"%s\",\"segments\":%zu,\"bytes\":%llu},"
		       "\"output\":{\"format\":\"%s\",\"start\":%u,\"end\":%u}}\n",
		       stdfu_image_format_name(img->format), img->count,
		       (unsigned long long)stdfu_image_bytes(img), stdfu_image_format_name(out),
		       first->address, last->address + last->size);
		fflush(stdout);
		return;
	}
	out_msg(c, "convert: %s (%s, %zu segment%s, %llu bytes) -> %s (%s)", c->args[0],
		stdfu_image_format_name(img->format), img->count, img->count == 1 ? "" : "s",
		(unsigned long long)stdfu_image_bytes(img), c->args[1],
		stdfu_image_format_name(out));
	if (out == STDFU_FORMAT_RAW)
		out_msg(c,
			"convert: %s holds 0x%08x-0x%08x with gaps filled with 0xFF; flash it "
			"with --address 0x%08x",
			c->args[1], first->address, last->address + last->size - 1, first->address);
}

int cmd_convert(struct cli *c)
{
	enum stdfu_image_format fmt = STDFU_FORMAT_AUTO;
	struct stdfu_image_save_opts o;
	struct stdfu_image *img = NULL;
	int rc;

	/* Refuse an unknown output format before reading anything. */
	if (c->format)
		rc = stdfu_image_format_parse(c->format, &fmt);
	else
		rc = stdfu_image_format_from_path(c->args[1], &fmt);
	if (rc < 0)
		return out_fail(c, rc);
	rc = load_input(c, &img);
	if (rc < 0)
		return out_fail(c, rc);
	o = save_opts(img, fmt);
	rc = stdfu_image_save(img, c->args[1], &o);
	if (rc < 0) {
		stdfu_image_free(img);
		return out_fail(c, rc);
	}
	report(c, img, fmt);
	stdfu_image_free(img);
	return CLI_EXIT_OK;
}
