/* SPDX-License-Identifier: MIT */
/*
 * stdfu info FILE, and the warning before flashing an image that would lock
 * the door behind it: both ask whether the image carries the firmware
 * companion's record (<stdfu/companion.h>).
 */
#include <stdio.h>

#include "image_info.h"
#include "json.h"

static void human(struct cli *c, const struct stdfu_image *img,
		  const struct stdfu_companion_record *r)
{
	const struct stdfu_segment *first = &img->segments[0];
	const struct stdfu_segment *last = &img->segments[img->count - 1];

	printf("image %s: %s, %zu segment%s, %llu bytes, 0x%08x-0x%08x\n", c->args[0],
	       stdfu_image_format_name(img->format), img->count, img->count == 1 ? "" : "s",
	       (unsigned long long)stdfu_image_bytes(img), first->address,
	       last->address + last->size - 1);
	if (r->found)
		printf("companion: yes, record at 0x%08x: trigger protocol %u%s, trigger byte "
		       "0x%02X\n",
		       r->address, r->version,
		       r->version > STDFU_TRIGGER_PROTOCOL_VERSION ? " (newer than this stdfu)"
								   : "",
		       r->trigger_byte);
	else
		printf("companion: no: once this image runs, the trigger byte and the 1200-baud "
		       "touch no longer reach the ROM; the next update needs BOOT0 or a DFU "
		       "runtime interface\n");
}

static void json(struct cli *c, const struct stdfu_image *img,
		 const struct stdfu_companion_record *r)
{
	const struct stdfu_segment *first = &img->segments[0];
	const struct stdfu_segment *last = &img->segments[img->count - 1];
	json_t *o = jw_event("image_info"), *comp = jw_object();

	jw_str(o, "file", c->args[0]);
	jw_str(o, "format", stdfu_image_format_name(img->format));
	jw_int(o, "segments", (long long)img->count);
	jw_int(o, "bytes", (long long)stdfu_image_bytes(img));
	jw_addr(o, "start", first->address);
	jw_addr(o, "end", (uint64_t)last->address + last->size);
	jw_bool(comp, "found", r->found);
	if (r->found) {
		jw_addr(comp, "address", r->address);
		jw_int(comp, "version", r->version);
		jw_int(comp, "trigger_byte", r->trigger_byte);
	}
	jw_set(o, "companion", comp);
	jw_emit(o);
}

int cli_image_info(struct cli *c)
{
	struct stdfu_image_load_opts o = {.format = STDFU_FORMAT_AUTO};
	struct stdfu_companion_record r;
	struct stdfu_image *img = NULL;
	int rc;

	if (c->sel.serial || c->sel.usb_path)
		return out_usage(c, "info FILE reads a file, no device: drop --serial and "
				    "--usb-path (or the FILE, to decode a device)");
	rc = stdfu_image_load(c->args[0], &o, &img);
	if (!rc)
		rc = stdfu_companion_find(img, &r);
	if (rc) {
		stdfu_image_free(img);
		return out_fail(c, rc);
	}
	if (c->mode == OUT_JSON)
		json(c, img, &r);
	else if (c->mode == OUT_HUMAN)
		human(c, img, &r);
	stdfu_image_free(img);
	jw_str(out_extra(c), "file", c->args[0]);
	return out_result(c, STDFU_OK, NULL);
}

void cli_companion_warn(struct cli *c, const struct stdfu_image *img)
{
	struct stdfu_companion_record r;

	if (!c->trig.report.triggered ||
	    (c->trig.method != STDFU_METHOD_BYTE && c->trig.method != STDFU_METHOD_TOUCH1200))
		return;
	if (stdfu_companion_find(img, &r) || r.found)
		return;
	out_warn(c, "no-companion-record",
		 "%s has no stdfu companion record: this board was reached through the "
		 "companion's trigger, but once this image runs the next update will need BOOT0 "
		 "or a DFU runtime interface (--method detach)",
		 c->args[0]);
}
