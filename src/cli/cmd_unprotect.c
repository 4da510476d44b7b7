/* SPDX-License-Identifier: MIT */
/* stdfu unprotect --yes: Read Unprotect (mass-erases the flash, device resets). */
#include <stdio.h>

#include "cli.h"

int cmd_unprotect(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	int rc;

	if (!c->yes)
		return out_usage(c, "unprotect removes read protection by MASS-ERASING the whole "
				    "flash; add --yes to confirm");
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	if (!rc)
		rc = stdfu_unprotect(dev, &o, &res);
	cli_release(c, dev);
	if (!rc)
		out_msg(c, "read protection removed; the flash is erased and the device reset");
	return out_result(c, rc, &res);
}
