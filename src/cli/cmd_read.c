/* SPDX-License-Identifier: MIT */
/* stdfu read FILE --address ADDR --length N: UPLOAD memory into a raw file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The alt whose memory holds @address (flash, option bytes, OTP...). */
static int alt_for(const struct stdfu_device_info *d, uint32_t address, uint8_t *alt)
{
	for (size_t a = 0; a < d->n_alts; a++) {
		struct stdfu_sector s;

		if (d->alts[a].layout_ok &&
		    stdfu_layout_sector_at(&d->alts[a].layout, address, &s) == STDFU_OK) {
			*alt = d->alts[a].number;
			return STDFU_OK;
		}
	}
	return STDFU_ERR_FIT;
}

static int save(const char *path, const uint8_t *buf, uint32_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return STDFU_ERR_FILE;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return STDFU_ERR_FILE;
	}
	return fclose(f) ? STDFU_ERR_FILE : STDFU_OK;
}

int cmd_read(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	uint8_t *buf;
	uint8_t alt = c->alt;
	int rc;

	if (!c->address_set || !c->length_set) {
		fprintf(stderr, "stdfu: read needs --address ADDR and --length N\n");
		return CLI_EXIT_USAGE;
	}
	buf = malloc(c->length);
	if (!buf)
		return out_fail(c, STDFU_ERR_NOMEM);
	rc = cli_acquire(c, &dev);
	if (rc > 0) {
		free(buf);
		return rc;
	}
	/* Outside every map: ask the flash alt and let the device decide. */
	if (!rc && !c->alt_set && alt_for(stdfu_device_get_info(dev), c->address, &alt))
		alt = stdfu_device_flash_alt(stdfu_device_get_info(dev))
			      ? stdfu_device_flash_alt(stdfu_device_get_info(dev))->number
			      : 0;
	if (!rc)
		rc = stdfu_read(dev, alt, c->address, c->length, buf, &o, &res);
	if (!rc && save(c->args[0], buf, c->length)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", strerror(errno));
		rc = STDFU_ERR_FILE;
		cli_release(c, dev);
		free(buf);
		fprintf(stderr, "stdfu: cannot write %s: %s\n", c->args[0], msg);
		return c->mode == OUT_JSON ? out_fail(c, rc) : CLI_EXIT_FILE;
	}
	cli_release(c, dev);
	free(buf);
	return out_result(c, rc, &res);
}
