/* SPDX-License-Identifier: MIT */
/* stdfu verify FILE [--address ADDR]: compare device memory with an image. */
#include "cli.h"

int cmd_verify(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_image *img = NULL;
	struct stdfu_device *dev = NULL;
	int rc = cli_load_image(c, c->args[0], &img);

	if (!rc)
		rc = cli_acquire(c, &dev);
	if (rc > 0) {
		stdfu_image_free(img);
		return rc;
	}
	if (!rc) {
		if (!c->force)
			rc = stdfu_image_check_suffix(img, stdfu_device_get_info(dev));
	}
	if (!rc)
		rc = stdfu_verify(dev, img, &o, &res);
	cli_release(c, dev);
	stdfu_image_free(img);
	return out_result(c, rc, &res);
}
