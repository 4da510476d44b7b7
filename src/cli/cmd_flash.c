/* SPDX-License-Identifier: MIT */
/* stdfu flash FILE: erase, write, verify, leave. */
#include <stdio.h>

#include <stdfu/incremental.h>

#include "cli.h"
#include "cmd_option_bytes.h"
#include "image_info.h"
#include "json.h"

/* --incremental: say how much was skipped (the read-back is the "read" phase). */
static void report_incremental(struct cli *c, const struct stdfu_incremental_stats *st)
{
	if (c->mode == OUT_JSON) {
		json_t *o = jw_event("incremental");

		jw_int(o, "sectors", (long long)st->sectors);
		jw_int(o, "sectors_skipped", (long long)st->sectors_skipped);
		jw_int(o, "bytes_read", (long long)st->bytes_read);
		jw_int(o, "bytes_skipped", (long long)st->bytes_skipped);
		jw_emit(o);
		return;
	}
	out_msg(c, "incremental: %zu of %zu sectors already up to date, %llu bytes not rewritten",
		st->sectors_skipped, st->sectors, (unsigned long long)st->bytes_skipped);
}

/* What the flash did with each erasable sector (the sector events list them). */
static void report_sectors(struct cli *c, const struct stdfu_sector_counts *n)
{
	if (c->mode == OUT_JSON) {
		json_t *o = jw_event("sectors");

		jw_int(o, "erased", (long long)n->erased);
		jw_int(o, "skipped_blank", (long long)n->skipped_blank);
		jw_int(o, "fallback", (long long)n->fallback);
		jw_int(o, "unchanged", (long long)n->unchanged);
		jw_emit(o);
		return;
	}
	if (n->skipped_blank || n->fallback)
		out_msg(c,
			"sectors: %zu erased, %zu already blank (not erased), %zu erased after "
			"errPROG",
			n->erased, n->skipped_blank, n->fallback);
}

int cmd_flash(struct cli *c)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result res = {0};
	struct stdfu_image *img = NULL;
	struct stdfu_device *dev = NULL;
	struct stdfu_device_info rom = {0};
	struct stdfu_incremental_stats inc = {0};
	int rc;

	if (c->all)
		return cmd_flash_all(c);
	if (c->trig.wait_app && c->no_leave)
		return out_usage(c, "--wait-app needs the leave that --no-leave skips");

	/* --protect: stay in DFU for the option-byte write; cli_protect() leaves. */
	o.no_leave = o.no_leave || c->protect;
	/* The file is checked before any device is looked for. */
	rc = cli_load_image(c, c->args[0], &img);
	if (!rc)
		rc = cli_acquire(c, &dev);
	if (rc > 0) { /* ambiguous: already reported */
		stdfu_image_free(img);
		return rc;
	}
	if (!rc) {
		cli_companion_warn(c, img);
		if (c->incremental)
			rc = stdfu_flash_incremental(dev, img, &o, &res, &inc);
		else
			rc = stdfu_flash(dev, img, &o, &res);
		if (!rc && c->protect)
			rc = cli_protect(c, &dev, &res);
		rom = dev ? *stdfu_device_get_info(dev) : rom;
		if (!rc)
			report_sectors(c, &res.sectors);
		if (!rc && c->incremental)
			report_incremental(c, &inc);
	}
	cli_release(c, dev);
	/* For test stations: wait until the new application's port is back. */
	if (!rc && c->trig.wait_app)
		rc = cli_wait_app(c, &rom);
	stdfu_image_free(img);
	return out_result(c, rc, &res);
}
