/* SPDX-License-Identifier: MIT */
/*
 * stdfu info FILE, and the warning before flashing an image that would lock
 * the door behind it: both ask whether the image carries the firmware
 * companion's record (<stdfu/companion.h>).
 */
#include <stdio.h>

#include "image_info.h"

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

	fputs("{\"event\":\"image_info\",\"file\":", stdout);
	out_json_string(c->args[0]);
	printf(",\"format\":\"%s\",\"segments\":%zu,\"bytes\":%llu,\"start\":%u,\"end\":%u,"
	       "\"companion\":",
	       stdfu_image_format_name(img->format), img->count,
	       (unsigned long long)stdfu_image_bytes(img), first->address,
	       last->address + last->size);
	if (r->found)
		printf("{\"found\":true,\"address\":%u,\"version\":%u,\"trigger_byte\":%u}}\n",
		       r->address, r->version, r->trigger_byte);
	else
		printf("{\"found\":false}}\n");
	fflush(stdout);
}

int cli_image_info(struct cli *c)
{
	struct stdfu_image_load_opts o = {.format = STDFU_FORMAT_AUTO};
	struct stdfu_companion_record r;
	struct stdfu_image *img = NULL;
	int rc;

	if (c->sel.serial || c->sel.usb_path) {
		fprintf(stderr, "stdfu: info FILE reads a file, no device: drop --serial and "
				"--usb-path (or the FILE, to decode a device)\n");
		return CLI_EXIT_USAGE;
	}
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
	return CLI_EXIT_OK;
}

void cli_companion_warn(struct cli *c, const struct stdfu_image *img)
{
	struct stdfu_companion_record r;
	struct stdfu_event ev = {.type = STDFU_EVENT_WARNING};
	char msg[320];

	if (!c->trig.report.triggered ||
	    (c->trig.method != STDFU_METHOD_BYTE && c->trig.method != STDFU_METHOD_TOUCH1200))
		return;
	if (stdfu_companion_find(img, &r) || r.found)
		return;
	snprintf(msg, sizeof(msg),
		 "%s has no stdfu companion record: this board was reached through the "
		 "companion's trigger, but once this image runs the next update will need BOOT0 "
		 "or a DFU runtime interface (--method detach)",
		 c->args[0]);
	ev.message = msg;
	if (c->mode == OUT_JSON)
		out_event(&ev, c);
	else if (c->mode == OUT_HUMAN)
		fprintf(stderr, "stdfu: warning: %s\n", msg);
}
