/* SPDX-License-Identifier: MIT */
/* stdfu flash FILE: erase, write, verify, leave. */
#include <stdio.h>

#include "cli.h"

int cmd_flash(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_image *img = NULL;
	struct stdfu_device *dev = NULL;
	struct stdfu_device_info rom;
	int rc;

	if (c->trig.wait_app && c->no_leave) {
		fprintf(stderr, "stdfu: --wait-app needs the leave that --no-leave skips\n");
		return CLI_EXIT_USAGE;
	}

	/* The file is checked before any device is looked for. */
	rc = cli_load_image(c, c->args[0], &img);
	if (!rc)
		rc = cli_acquire(c, &dev);
	if (rc > 0) { /* ambiguous: already reported */
		stdfu_image_free(img);
		return rc;
	}
	if (!rc) {
		cli_place_raw(c, img, stdfu_device_get_info(dev));
		rc = stdfu_flash(dev, img, &o, &res);
		rom = *stdfu_device_get_info(dev);
	}
	cli_release(c, dev);
	/* For test stations: the new application's port is back (trigger work). */
	if (!rc && c->trig.wait_app)
		rc = cli_wait_app(c, &rom);
	stdfu_image_free(img);
	return out_result(c, rc, &res);
}
