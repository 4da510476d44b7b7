/* SPDX-License-Identifier: MIT */
/* stdfu leave [--address ADDR]: start the application and confirm the ROM has gone. */
#include "cli.h"

int cmd_leave(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	int rc = cli_acquire(c, &dev);

	if (rc > 0)
		return rc;
	if (!rc)
		rc = stdfu_leave(dev,
				 c->address_set ? c->address
						: cli_flash_base(stdfu_device_get_info(dev)),
				 &o, &res);
	cli_release(c, dev);
	return out_result(c, rc, &res);
}
