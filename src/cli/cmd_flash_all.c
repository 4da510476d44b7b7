/* SPDX-License-Identifier: MIT */
/*
 * stdfu flash --all FILE: every board at once. The boards are the ST ROMs in
 * DFU mode and the application ports that the trigger can reach, found once
 * at the start (or the --usb-path set); each gets a worker thread with its own
 * library context that follows it on its own USB port path, through
 * stdfu_target_open(), so a board that re-enumerates is never flashed twice
 * and a board that fails stops no other. Output is per board (flash_all.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_all.h"
#include "json.h"
#include "usb_path.h"

/* ---- the boards ------------------------------------------------------------ */

static struct fa_board *board_at(struct fa_run *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->boards[i].path, path) == 0)
			return &r->boards[i];
	return NULL;
}

static void add_board(struct fa_run *r, const char *path, const char *serial, const char *port)
{
	struct fa_board *b;

	if (board_at(r, path) || r->n >= FA_BOARDS_MAX)
		return;
	b = &r->boards[r->n++];
	b->run = r;
	snprintf(b->path, sizeof(b->path), "%s", path);
	snprintf(b->serial, sizeof(b->serial), "%s", serial ? serial : "");
	snprintf(b->port, sizeof(b->port), "%s", port ? port : "");
	b->is_app = port != NULL;
	b->absent = serial == NULL;
}

static bool wanted(const struct cli *c, const char *path)
{
	if (!c->n_usb_paths)
		return path[0] != '\0';
	for (size_t i = 0; i < c->n_usb_paths; i++)
		if (strcmp(c->usb_paths[i], path) == 0)
			return true;
	return false;
}

/* Sort by port path, in bus order. */
static int path_cmp(const void *a, const void *b)
{
	return usb_path_cmp(((const struct fa_board *)a)->path, ((const struct fa_board *)b)->path);
}

/* Every board now on the bus (a board at a path appears once: its ROM or its
 * application), then the named paths where nothing is: those fail alone. */
static int find_boards(struct cli *c, struct fa_run *r)
{
	struct stdfu_device_list *dfu = NULL;
	struct stdfu_app_port *apps = NULL;
	int n_apps = 0, rc = stdfu_device_scan(c->ctx, &dfu);

	if (rc)
		return rc;
	for (size_t i = 0; i < dfu->count; i++)
		if (wanted(c, dfu->items[i].path))
			add_board(r, dfu->items[i].path, dfu->items[i].serial, NULL);
	if (c->trig.method != STDFU_METHOD_NONE)
		n_apps = stdfu_app_ports_list(c->ctx, c->trig.app_ids, c->trig.n_app_ids, &apps);
	for (int i = 0; i < n_apps; i++)
		if (wanted(c, apps[i].dev.path))
			add_board(r, apps[i].dev.path, apps[i].dev.serial, apps[i].name);
	for (size_t i = 0; i < c->n_usb_paths; i++)
		add_board(r, c->usb_paths[i], NULL, NULL);
	free(apps);
	stdfu_device_list_free(dfu);
	qsort(r->boards, r->n, sizeof(r->boards[0]), path_cmp);
	return STDFU_OK;
}

/* ---- one worker per board ------------------------------------------------- */

static int flash_one(struct fa_board *b, struct stdfu_ctx *ctx, struct stdfu_device *dev)
{
	struct cli *c = b->run->cli;
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_image *img = NULL;
	struct stdfu_incremental_stats inc = {0};
	int rc = cli_load_image(c, c->args[0], &img);

	(void)ctx;
	o.on_event = fa_event;
	o.user = b;
	if (!rc) {
		stdfu_device_set_poll_policy(dev, c->poll);
		rc = c->incremental ? stdfu_flash_incremental(dev, img, &o, &b->res, &inc)
				    : stdfu_flash(dev, img, &o, &b->res);
	}
	stdfu_image_free(img);
	return rc;
}

static void *worker(void *arg)
{
	struct fa_board *b = arg;
	struct cli *c = b->run->cli;
	struct stdfu_target_opts o = cli_target_opts(c);
	struct stdfu_device *dev = NULL;
	struct stdfu_ctx *ctx = NULL;
	int rc = stdfu_ctx_new(&ctx);

	/* followed by its port path alone: a DFU board is not triggered */
	o.sel.usb_path = b->path;
	o.sel.serial = NULL;
	o.sel.port = NULL;
	o.method = b->is_app ? c->trig.method : STDFU_METHOD_NONE;
	o.cb = fa_target_event;
	o.user = b;
	b->t0 = fa_now();
	if (!rc)
		rc = stdfu_target_open(ctx, &o, &dev, &b->rep);
	if (!rc) {
		fa_found(b, stdfu_device_get_info(dev));
		rc = flash_one(b, ctx, dev);
	}
	stdfu_device_close(dev);
	if (!rc && c->trig.wait_app)
		rc = stdfu_target_wait_app(ctx, &o, &b->rep);
	b->transfers = ctx ? stdfu_ctx_transfers(ctx) : 0;
	fa_finished(b, rc);
	stdfu_ctx_free(ctx);
	return NULL;
}

/* ---- the command -------------------------------------------------------------- */

static int check_options(struct cli *c)
{
	const char *bad = cli_one_board_option(c);

	if (bad)
		return out_usage(c,
				 "%s does not go with --all: every board is followed on its own "
				 "USB port path; name a set of boards with --usb-path (repeatable)",
				 bad);
	if (c->trig.wait_app && c->no_leave)
		return out_usage(c, "--wait-app needs the leave that --no-leave skips");
	return 0;
}

static int run_workers(struct fa_run *r)
{
	size_t started = 0;

	for (; started < r->n; started++) {
		struct fa_board *b = &r->boards[started];

		if (b->absent) {
			fa_absent(b);
			continue;
		}
		if (pthread_create(&b->thread, NULL, worker, b) != 0) {
			fa_fail_start(b);
			continue;
		}
		b->started = true;
	}
	fa_dashboard_run(r);
	for (size_t i = 0; i < r->n; i++)
		if (r->boards[i].started)
			pthread_join(r->boards[i].thread, NULL);
	return fa_summary(r);
}

int cmd_flash_all(struct cli *c)
{
	struct stdfu_image *img = NULL;
	struct fa_run *r;
	int rc = check_options(c);

	if (rc)
		return rc;
	/* the file is checked once, before any board is touched */
	rc = cli_load_image(c, c->args[0], &img);
	stdfu_image_free(img);
	if (rc > 0) /* reported already */
		return rc;
	/* the boards' results are their own lines: the file is in the summary */
	json_decref(c->extra);
	c->extra = NULL;
	if (!rc)
		rc = cli_ensure_ctx(c);
	r = rc ? NULL : calloc(1, sizeof(*r));
	if (!rc && !r)
		rc = STDFU_ERR_NOMEM;
	if (!rc)
		rc = fa_init(r, c);
	if (!rc)
		rc = find_boards(c, r);
	if (rc) {
		free(r);
		return out_fail(c, rc);
	}
	if (r->n == 0) {
		free(r);
		return fa_no_boards(c);
	}
	fa_duplicate_serials(r, false);
	rc = run_workers(r);
	fa_fini(r);
	free(r);
	return rc;
}
