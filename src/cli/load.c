/* SPDX-License-Identifier: MIT */
/*
 * Images as the command line names them: "-" is standard input, and
 * --address places a raw file or moves a file that has addresses (ELF, HEX,
 * S-record, DfuSe) so that its lowest address is ADDR, every segment keeping
 * its offset. Nothing is ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

#define STDIN_MAX (256u * 1024 * 1024)

/* All of standard input into memory (a pipe cannot be read twice). */
static int slurp_stdin(uint8_t **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	uint8_t *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, stdin);

		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			uint8_t *more = cap < STDIN_MAX ? realloc(buf, cap * 2) : NULL;

			if (!more) {
				free(buf);
				return cap < STDIN_MAX ? STDFU_ERR_NOMEM : STDFU_ERR_IMAGE;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (!buf)
		return STDFU_ERR_NOMEM;
	if (ferror(stdin)) {
		free(buf);
		return STDFU_ERR_FILE;
	}
	*out = buf;
	*len = n;
	return STDFU_OK;
}

static int load_any(const char *path, const struct stdfu_image_load_opts *o,
		    struct stdfu_image **img)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (strcmp(path, "-"))
		return stdfu_image_load(path, o, img);
	rc = slurp_stdin(&buf, &len);
	if (rc)
		return rc;
	rc = stdfu_image_load_mem(buf, len, "(standard input)", o, img);
	free(buf);
	return rc;
}

/* Shift every segment so that the lowest starts at @to; refuse what would not fit. */
static int move_image(struct stdfu_image *img, uint32_t to)
{
	uint32_t from = img->segments[0].address;
	const struct stdfu_segment *last = &img->segments[img->count - 1];

	for (size_t i = 1; i < img->count; i++)
		if (img->segments[i].alt != img->segments[0].alt)
			return STDFU_ERR_ARG;
	if ((uint64_t)last->address + last->size - from + to > 0xFFFFFFFFull)
		return STDFU_ERR_ADDRESS;
	for (size_t i = 0; i < img->count; i++)
		img->segments[i].address = img->segments[i].address - from + to;
	return STDFU_OK;
}

static void moved_event(struct cli *c, uint32_t from, uint32_t to)
{
	json_t *o;

	if (c->mode != OUT_JSON) {
		out_msg(c, "image moved from 0x%08x to 0x%08x (--address)", from, to);
		return;
	}
	o = jw_event("image_moved");
	jw_addr(o, "from", from);
	jw_addr(o, "to", to);
	jw_emit(o);
}

void cli_image_event(struct cli *c, const char *file, const struct stdfu_image *img)
{
	const struct stdfu_segment *last = &img->segments[img->count - 1];
	json_t *o;

	if (c->mode != OUT_JSON || !img->count)
		return;
	o = jw_event("image");
	jw_str(o, "file", file);
	jw_str(o, "format", stdfu_image_format_name(img->format));
	jw_int(o, "segments", (long long)img->count);
	jw_int(o, "bytes", (long long)stdfu_image_bytes(img));
	jw_addr(o, "start", img->segments[0].address);
	jw_addr(o, "end", (uint64_t)last->address + last->size);
	jw_bool(o, "at_flash_base", img->at_flash_base);
	jw_emit(o);
}

int cli_load_image_at(struct cli *c, const char *path, bool address_set, uint32_t address,
		      const uint32_t *raw_at, struct stdfu_image **img)
{
	struct stdfu_image_load_opts o = {0};
	uint32_t from;
	int rc;

	if (c->format && (rc = stdfu_image_format_parse(c->format, &o.format)))
		return rc;
	/* Without an address the library places a raw file at the device's flash base. */
	o.raw_address_set = address_set || raw_at;
	o.raw_address = address_set ? address : raw_at ? *raw_at : 0;
	rc = load_any(path, &o, img);
	if (rc || !address_set || (*img)->format == STDFU_FORMAT_RAW || !(*img)->count)
		return rc;
	from = (*img)->segments[0].address;
	rc = move_image(*img, address);
	/* The caller frees *img; the result line is out already. */
	if (rc == STDFU_ERR_ARG)
		return out_usage(c, "--address cannot move %s: it holds several DfuSe targets",
				 path);
	if (rc)
		return out_usage(c, "--address 0x%08x moves %s past the end of the address space",
				 address, path);
	if (from != address)
		moved_event(c, from, address);
	return STDFU_OK;
}

int cli_load_image(struct cli *c, const char *path, struct stdfu_image **img)
{
	int rc = cli_load_image_at(c, path, c->address_set, c->address, NULL, img);

	if (!rc) {
		cli_image_event(c, path, *img);
		jw_str(out_extra(c), "file", path);
	}
	return rc;
}
