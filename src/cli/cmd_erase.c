/* SPDX-License-Identifier: MIT */
/* stdfu erase (--address ADDR --length N | --mass). */
#include <stdio.h>

#include "cli.h"

int cmd_erase(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	int rc;

	if (c->mass == (c->address_set || c->length_set) ||
	    (!c->mass && !(c->address_set && c->length_set)))
		return out_usage(c, "erase needs either --address ADDR --length N, or --mass");
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	if (!rc && c->mass)
		rc = stdfu_erase_mass(dev, &o, &res);
	else if (!rc)
		rc = stdfu_erase_range(dev, c->address, c->length, &o, &res);
	cli_release(c, dev);
	return out_result(c, rc, &res);
}
