/* SPDX-License-Identifier: MIT */
/*
 * From a board, wherever it is, to an open DFU session: choose the board,
 * record where it is, send the trigger, follow the bus until the ROM shows up
 * on the same USB port path, then select and open it. The decisions are the
 * pure rules of choose.c and trigger/trigger_wait.c; this file gathers their
 * inputs and reports events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/target.h>

#include "common/error_internal.h"
#include "target/target_internal.h"
#include "usb/bus_internal.h"

/* ---- choosing the board --------------------------------------------------- */

static int app_candidates(struct stdfu_ctx *ctx, const struct stdfu_selector *sel,
			  struct stdfu_app_port **out, size_t *n)
{
	int rc;

	*n = 0;
	if (sel->port) {
		*out = calloc(1, sizeof(**out));
		if (!*out)
			return stdfu__fail(STDFU_ERR_NOMEM, "out of memory");
		rc = stdfu_app_port_get(ctx, sel->port, *out);
		if (rc)
			return rc;
		*n = 1;
		return STDFU_OK;
	}
	rc = stdfu_app_ports_list(ctx, sel->app_ids, sel->n_app_ids, out);
	if (rc < 0)
		return rc;
	*n = (size_t)rc;
	return STDFU_OK;
}

/* A running application: STDFU_OK with *app, or NO_DEVICE when none (look in DFU). */
static int choose_app(struct stdfu_target_run *r, struct stdfu_app_port *app)
{
	struct stdfu_app_port *apps = NULL;
	struct stdfu_target t = {STDFU_TARGET_APP, 0};
	size_t n = 0;
	int rc = app_candidates(r->ctx, &r->opts->sel, &apps, &n);

	if (!rc)
		rc = stdfu_target_choose(apps, n, NULL, &r->opts->sel, &t);
	if (!rc)
		*app = apps[t.index];
	free(apps);
	return rc;
}

static void emit_candidates(struct stdfu_target_run *r, const struct stdfu_device_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		if (stdfu_device_matches(&list->items[i], &r->opts->sel))
			stdfu__target_emit(r, STDFU_TARGET_EV_CANDIDATE, &list->items[i], true);
}

/* A board already in DFU mode; *list (the scan) is the caller's on success. */
static int choose_dfu(struct stdfu_target_run *r, struct stdfu_target_report *rep,
		      struct stdfu_device_list **list)
{
	struct stdfu_target t;
	int rc = stdfu_device_scan(r->ctx, list);

	if (rc)
		return rc;
	rc = stdfu_target_choose(NULL, 0, *list, &r->opts->sel, &t);
	if (rc == STDFU_ERR_AMBIGUOUS)
		emit_candidates(r, *list);
	if (rc) {
		stdfu_device_list_free(*list);
		*list = NULL;
		return rc;
	}
	rep->dfu = (*list)->items[t.index];
	stdfu__target_emit(r, STDFU_TARGET_EV_CHOSEN, &rep->dfu, true);
	return STDFU_OK;
}

/* Nothing matched: say what there is, so that the caller can advise by situation. */
static int no_device(struct stdfu_target_run *r, int rc)
{
	struct stdfu_app_port *apps = NULL;
	struct stdfu_device_list *dfus = NULL;
	char found[160] = "";
	int n_apps =
		stdfu_app_ports_list(r->ctx, r->opts->sel.app_ids, r->opts->sel.n_app_ids, &apps);
	size_t n_dfu = stdfu_device_scan(r->ctx, &dfus) == STDFU_OK ? dfus->count : 0;
	enum stdfu_cause_kind kind = STDFU_CAUSE_NO_MATCH;

	if (n_apps < 0)
		n_apps = 0;
	if (n_apps > 0 && r->opts->method == STDFU_METHOD_NONE && !n_dfu) {
		kind = STDFU_CAUSE_APP_NOT_TRIGGERED;
		snprintf(found, sizeof(found), "%s", apps[0].name);
	} else if (n_apps == 0 && n_dfu == 0) {
		kind = STDFU_CAUSE_NO_BOARD;
	} else {
		snprintf(found, sizeof(found), "%d application port(s), %zu DFU device(s)", n_apps,
			 n_dfu);
	}
	free(apps);
	stdfu_device_list_free(dfus);
	stdfu__cause(kind, found);
	return rc;
}

/*
 * The board in DFU mode, chosen by the rule: a triggered application, else a
 * board already there (whose scan is left in *list for the open).
 */
static int find(struct stdfu_target_run *r, struct stdfu_target_report *rep,
		struct stdfu_device_list **list)
{
	const struct stdfu_target_opts *o = r->opts;
	int rc;

	*list = NULL;
	memset(rep, 0, sizeof(*rep));
	r->method = o->method;
	if (o->method != STDFU_METHOD_NONE) {
		rc = choose_app(r, &rep->app);
		if (rc == STDFU_OK)
			return stdfu__target_trigger(r, rep);
		if (rc != STDFU_ERR_NO_DEVICE || o->sel.port)
			return rc;
		stdfu_error_clear();
		stdfu__target_emit(r, STDFU_TARGET_EV_NO_APP, NULL, false);
	}
	rc = choose_dfu(r, rep, list);
	return rc == STDFU_ERR_NO_DEVICE ? no_device(r, rc) : rc;
}

/* find(), again while no board matches, for up to opts->appear_ms (a hotplug wait). */
static int find_waiting(struct stdfu_target_run *r, struct stdfu_target_report *rep,
			struct stdfu_device_list **list)
{
	uint64_t deadline = stdfu__now_us() / 1000u + r->opts->appear_ms;
	bool told = false;

	for (;;) {
		int rc = find(r, rep, list);

		if (rc != STDFU_ERR_NO_DEVICE || stdfu__now_us() / 1000u >= deadline)
			return rc;
		if (!told)
			stdfu__target_emit(r, STDFU_TARGET_EV_WAITING, NULL, false);
		told = true;
		stdfu__sleep_us(STDFU_APPEAR_POLL_MS * 1000u);
	}
}

int stdfu_target_find(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
		      struct stdfu_target_report *report)
{
	struct stdfu_target_run r;
	struct stdfu_device_list *list;
	int rc;

	stdfu__target_run_init(&r, ctx, opts);
	rc = find_waiting(&r, report, &list);
	stdfu_device_list_free(list);
	return rc;
}

/* ---- opening it ------------------------------------------------------------- */

/* After a trigger: the ROM on the port path it was found at. */
static int select_rom(struct stdfu_ctx *ctx, struct stdfu_target_report *rep,
		      struct stdfu_device_list **list)
{
	struct stdfu_selector at = {0};
	size_t idx = 0;
	int rc = stdfu_device_scan(ctx, list);

	at.usb_path = rep->dfu.path;
	if (!rc)
		rc = stdfu_device_select(*list, &at, &idx);
	if (!rc)
		rep->dfu = (*list)->items[idx];
	return rc;
}

int stdfu_target_open(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
		      struct stdfu_device **dev, struct stdfu_target_report *report)
{
	struct stdfu_target_run r;
	struct stdfu_device_list *list = NULL;
	int rc;

	*dev = NULL;
	stdfu__target_run_init(&r, ctx, opts);
	rc = find_waiting(&r, report, &list);
	if (!rc && report->triggered)
		rc = select_rom(ctx, report, &list);
	if (!rc && report->dfu.access_denied)
		rc = stdfu__fail(STDFU_ERR_ACCESS, "cannot open %s: permission denied",
				 report->dfu.path);
	if (!rc)
		rc = stdfu_device_open(ctx, &report->dfu, dev);
	stdfu_device_list_free(list);
	return rc;
}
