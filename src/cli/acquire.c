/* SPDX-License-Identifier: MIT */
/*
 * Getting hold of the device a command works on. Every command goes through
 * cli_acquire(), which first gets a running application into its ROM (and
 * waits for the ROM on the same USB port path) where the command asks for it,
 * then scans, selects and opens.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int ensure_ctx(struct cli *c)
{
	if (c->ctx)
		return STDFU_OK;
	return stdfu_ctx_new(&c->ctx);
}

int cli_acquire(struct cli *c, struct stdfu_device **dev)
{
	struct stdfu_device_list *list = NULL;
	struct stdfu_event ev = {.type = STDFU_EVENT_DEVICE_FOUND};
	size_t idx = 0;
	int rc;

	*dev = NULL;
	rc = ensure_ctx(c);
	/* Commands that take a running application: get the board into DFU first;
	 * afterwards the selector names the ROM's USB port path. */
	if (!rc && (c->cmd->opts & OPT_TRIGGER))
		rc = cli_get_to_dfu(c);
	if (!rc)
		rc = stdfu_device_scan(c->ctx, &list);
	if (!rc)
		rc = stdfu_device_select(list, &c->sel, &idx);
	if (rc == STDFU_ERR_AMBIGUOUS) {
		int code = out_fail(c, rc);

		if (list) /* else the trigger step's detail already lists them */
			out_candidates(c, list);
		stdfu_device_list_free(list);
		return code; /* > 0: an exit code, already reported */
	}
	if (!rc && list->items[idx].access_denied)
		rc = STDFU_ERR_ACCESS;
	if (!rc)
		rc = stdfu_device_open(c->ctx, &list->items[idx], dev);
	if (rc == STDFU_ERR_ACCESS && !stdfu_error_detail()[0])
		stdfu_error_clear();
	if (!rc) {
		ev.device = stdfu_device_get_info(*dev);
		out_device(c, ev.device);
		stdfu_device_set_poll_policy(*dev, c->poll);
	}
	stdfu_device_list_free(list);
	return rc;
}

void cli_release(struct cli *c, struct stdfu_device *dev)
{
	(void)c;
	stdfu_device_close(dev);
}

uint32_t cli_flash_base(const struct stdfu_device_info *info)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);

	return alt ? stdfu_layout_start(&alt->layout) : 0x08000000u;
}

int cli_load_image(struct cli *c, const char *path, struct stdfu_image **img)
{
	struct stdfu_image_load_opts o = {0};

	if (c->format) {
		int rc = stdfu_image_format_parse(c->format, &o.format);

		if (rc)
			return rc;
	}
	/* Without --address the library places a raw file at the device's flash base. */
	o.raw_address_set = c->address_set;
	o.raw_address = c->address;
	return stdfu_image_load(path, &o, img);
}

struct stdfu_flash_opts cli_flash_opts(struct cli *c)
{
	struct stdfu_flash_opts o = {0};

	o.no_verify = c->no_verify;
	o.no_leave = c->no_leave;
	o.force = c->force;
	o.on_event = out_event;
	o.user = c;
	return o;
}
