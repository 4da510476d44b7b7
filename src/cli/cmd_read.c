/* SPDX-License-Identifier: MIT */
/*
 * stdfu read FILE|- [--address ADDR] [--length N] [--alt N]: UPLOAD memory into
 * a raw file, or to standard output. The defaults read what a user means:
 * without --length, to the end of the region that holds ADDR; without
 * --address, the whole memory of the alt (the internal flash by default).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

/* The alt whose memory holds @address (flash, option bytes, OTP...). */
static const struct stdfu_alt *alt_for(const struct stdfu_device_info *d, uint32_t address)
{
	for (size_t a = 0; a < d->n_alts; a++) {
		struct stdfu_sector s;

		if (d->alts[a].layout_ok &&
		    stdfu_layout_sector_at(&d->alts[a].layout, address, &s) == STDFU_OK)
			return &d->alts[a];
	}
	return NULL;
}

static const struct stdfu_alt *alt_number(const struct stdfu_device_info *d, uint8_t n)
{
	for (size_t a = 0; a < d->n_alts; a++)
		if (d->alts[a].number == n)
			return &d->alts[a];
	return NULL;
}

/* End of the run of contiguous sectors of @l that holds @address. */
static uint64_t region_end(const struct stdfu_layout *l, uint32_t address)
{
	uint64_t end = address;
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t g = 0; g < l->n_groups; g++) {
			const struct stdfu_sector_group *sg = &l->groups[g];
			uint64_t ge = (uint64_t)sg->start + (uint64_t)sg->count * sg->size;

			if (sg->start <= end && end < ge) {
				end = ge;
				grew = true;
			}
		}
	}
	return end;
}

/* Fill in what the command line left out; STDFU_OK or an exit code already reported. */
static int range(struct cli *c, const struct stdfu_device_info *d, uint8_t *alt, uint32_t *address,
		 uint32_t *length)
{
	const struct stdfu_alt *a = c->alt_set	     ? alt_number(d, c->alt)
				    : c->address_set ? alt_for(d, c->address)
						     : stdfu_device_flash_alt(d);
	uint64_t end;

	if (!a && c->alt_set)
		return out_usage(c, "the device has no alt %u (see `stdfu info`)", c->alt);
	/* Outside every map: ask the flash alt and let the device decide. */
	if (!a)
		a = stdfu_device_flash_alt(d);
	*alt = a ? a->number : 0;
	*address = c->address_set      ? c->address
		   : a && a->layout_ok ? stdfu_layout_start(&a->layout)
				       : 0;
	if (c->length_set) {
		*length = c->length;
		return STDFU_OK;
	}
	if (!a || !a->layout_ok || (end = region_end(&a->layout, *address)) <= *address)
		return out_usage(c,
				 "read needs --length here: 0x%08x is in no memory region of "
				 "the device (see `stdfu info`)",
				 *address);
	*length = (uint32_t)(end - *address);
	return STDFU_OK;
}

static int save(const char *path, const uint8_t *buf, uint32_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	int rc = STDFU_OK;

	if (!f)
		return STDFU_ERR_FILE;
	if (fwrite(buf, 1, len, f) != len)
		rc = STDFU_ERR_FILE;
	if (f == stdout)
		return fflush(f) || rc ? STDFU_ERR_FILE : STDFU_OK;
	return fclose(f) || rc ? STDFU_ERR_FILE : STDFU_OK;
}

static int read_into(struct cli *c, struct stdfu_device *dev, struct stdfu_result *res)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	uint32_t address = 0, length = 0;
	uint8_t alt = 0, *buf;
	int rc = range(c, stdfu_device_get_info(dev), &alt, &address, &length);

	if (rc)
		return rc;
	buf = malloc(length);
	if (!buf)
		return out_fail(c, STDFU_ERR_NOMEM);
	rc = stdfu_read(dev, alt, address, length, buf, &o, res);
	if (!rc && save(c->args[0], buf, length)) {
		out_warn(c, "write-failed", "cannot write %s: %s", c->args[0], strerror(errno));
		rc = STDFU_ERR_FILE;
	}
	free(buf);
	jw_str(out_extra(c), "file", c->args[0]);
	jw_addr(out_extra(c), "address", address);
	jw_int(out_extra(c), "length", length);
	jw_int(out_extra(c), "alt", alt);
	return rc;
}

int cmd_read(struct cli *c)
{
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	int rc;

	if (!strcmp(c->args[0], "-") && c->mode == OUT_JSON)
		return out_usage(c, "read - writes the memory to standard output, where --json "
				    "writes its lines: give a file name");
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	if (!rc)
		rc = read_into(c, dev, &res);
	cli_release(c, dev);
	if (rc > 0)
		return rc;
	return out_result(c, rc, &res);
}
