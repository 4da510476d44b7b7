/* SPDX-License-Identifier: MIT */
/* stdfu flash FILE: erase, write, verify, leave. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <stdfu/incremental.h>
#include <stdfu/trigger.h>

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
		jw_int(o, "erased_blank", (long long)n->erased_blank);
		jw_emit(o);
		return;
	}
	if (n->skipped_blank || n->fallback || n->erased_blank)
		out_msg(c,
			"sectors: %zu erased (%zu of them looked blank), %zu already blank (not "
			"erased), %zu erased after errPROG",
			n->erased, n->erased_blank, n->skipped_blank, n->fallback);
}

/*
 * What can be refused from the file alone is refused before any board is
 * triggered: junk at the flash base (every STM32's flash starts at
 * 0x08000000; the library checks again against the real layout).
 */
#define STM32_FLASH_BASE     0x08000000u
#define STM32_FLASH_SIZE_MAX 0x02000000u

static int check_image(struct cli *c, const struct stdfu_image *img)
{
	if (c->force)
		return STDFU_OK;
	return stdfu_image_check_vectors(img, 0, STM32_FLASH_BASE, STM32_FLASH_SIZE_MAX);
}

/* One flash of an acquired board; --protect may re-open it (*dev changes). */
static int flash(struct cli *c, struct stdfu_device **dev, const struct stdfu_image *img,
		 struct stdfu_result *res, struct stdfu_incremental_stats *inc)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	/* The file is in memory: refuse it if it was rewritten since it was read. */
	int rc = stdfu_image_file_unchanged(img, c->args[0]);

	if (rc)
		return rc;
	/* --protect: stay in DFU for the option-byte write; cli_protect() leaves. */
	o.no_leave = o.no_leave || c->protect;
	if (c->incremental)
		rc = stdfu_flash_incremental(*dev, img, &o, res, inc);
	else
		rc = stdfu_flash(*dev, img, &o, res);
	if (!rc && c->protect)
		rc = cli_protect(c, dev, res);
	if (!rc)
		report_sectors(c, &res->sectors);
	if (!rc && c->incremental)
		report_incremental(c, inc);
	return rc;
}

static bool on_bus(struct cli *c, const char *path)
{
	struct stdfu_device_list *l = NULL;
	bool found = false;

	if (stdfu_bus_snapshot(c->ctx, &l))
		return false;
	for (size_t i = 0; i < l->count && !found; i++)
		found = !strcmp(l->items[i].path, path);
	stdfu_device_list_free(l);
	return found;
}

/* After the restart: the board is back (application or ROM) on its port, or the wait ends. */
static void wait_back(struct cli *c, const char *path)
{
	uint32_t ms = c->trig.timeout_ms ? c->trig.timeout_ms : STDFU_TRIGGER_TIMEOUT_DEFAULT_MS;
	const struct timespec nap = {0, 50 * 1000 * 1000};

	for (uint32_t t = 0; t < ms && !on_bus(c, path); t += 50)
		nanosleep(&nap, NULL);
}

/*
 * Find the board and flash it. A board found finishing the leave of an
 * interrupted session restarts (into its application, or the ROM): it is
 * found again, once, and flashed. *rom keeps the ROM's identity for --wait-app.
 */
static int acquire_and_flash(struct cli *c, const struct stdfu_image *img, struct stdfu_result *res,
			     struct stdfu_incremental_stats *inc, struct stdfu_device_info *rom)
{
	struct stdfu_device *dev = NULL;
	int rc = STDFU_ERR_RESTARTED;

	for (int tries = 0; rc == STDFU_ERR_RESTARTED && tries < 2; tries++) {
		if (tries) {
			out_msg(c, "stdfu: note: %s; finding it again", stdfu_error_detail());
			wait_back(c, c->board_path);
		}
		rc = cli_acquire(c, &dev);
		if (rc)
			return rc;
		if (!tries)
			cli_companion_warn(c, img);
		rc = flash(c, &dev, img, res, inc);
		*rom = dev ? *stdfu_device_get_info(dev) : *rom;
		cli_release(c, dev);
		dev = NULL;
	}
	return rc;
}

int cmd_flash(struct cli *c)
{
	struct stdfu_result res = {0};
	struct stdfu_image *img = NULL;
	struct stdfu_device_info rom = {0};
	struct stdfu_incremental_stats inc = {0};
	int rc;

	if (c->all)
		return cmd_flash_all(c);
	if (c->trig.wait_app && c->no_leave)
		return out_usage(c, "--wait-app needs the leave that --no-leave skips");

	/* The file is checked before any device is looked for. */
	rc = cli_load_image(c, c->args[0], &img);
	if (!rc)
		rc = check_image(c, img);
	if (!rc)
		rc = stdfu_image_file_unchanged(img, c->args[0]);
	if (!rc)
		rc = acquire_and_flash(c, img, &res, &inc, &rom);
	if (rc > 0) { /* ambiguous: already reported */
		stdfu_image_free(img);
		return rc;
	}
	/* For test stations: wait until the new application's port is back. */
	if (!rc && c->trig.wait_app)
		rc = cli_wait_app(c, &rom);
	stdfu_image_free(img);
	return out_result(c, rc, &res);
}
