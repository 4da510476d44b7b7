/* SPDX-License-Identifier: MIT */
/*
 * Getting hold of the device a command works on: the command line mapped onto
 * struct stdfu_target_opts, and stdfu_target_open() does the rest (trigger,
 * follow the board to its ROM, select, open, wait for a board to appear).
 * Progress goes to out_board.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_ensure_ctx(struct cli *c)
{
	int rc;

	if (c->ctx)
		return STDFU_OK;
	rc = stdfu_ctx_new(&c->ctx);
	if (!rc)
		cli_signals_watch(c->ctx);
	return rc;
}

/* --serial: the board's serial in its other mode too, if stdfu has seen both. */
static void other_serial(struct cli *c, struct stdfu_target_opts *o)
{
	if (c->sel.serial &&
	    cli_serial_other(c->sel.serial, c->other_serial, sizeof(c->other_serial)))
		o->sel.other_serial = c->other_serial;
}

const char *cli_one_board_option(const struct cli *c)
{
	return c->sel.serial	  ? "--serial"
	       : c->trig.port	  ? "--port"
	       : c->trig.any_port ? "--any-port"
				  : NULL;
}

struct stdfu_target_opts cli_target_opts(struct cli *c)
{
	const struct cli_trigger *t = &c->trig;
	struct stdfu_target_opts o;

	memset(&o, 0, sizeof(o));
	o.method = c->cmd->opts & OPT_TRIGGER ? t->method : STDFU_METHOD_NONE;
	o.sel = c->sel;
	o.sel.port = t->port;
	o.sel.app_ids = t->app_ids;
	o.sel.n_app_ids = t->n_app_ids;
	o.trigger_byte = t->byte;
	o.text = t->text;
	o.timeout_ms = t->timeout_ms;
	o.any_port = t->any_port;
	o.appear_ms = c->cmd->opts & OPT_WAIT ? c->wait_s * 1000u : 0;
	o.cb = out_target_event;
	o.user = c;
	other_serial(c, &o);
	return o;
}

int cli_acquire(struct cli *c, struct stdfu_device **dev)
{
	struct stdfu_target_opts o = cli_target_opts(c);
	const struct stdfu_target_report *r = &c->trig.report;
	int rc = cli_ensure_ctx(c);

	*dev = NULL;
	if (rc)
		return rc;
	if ((c->cmd->opts & OPT_TRIGGER) && o.method == STDFU_METHOD_NONE)
		out_msg(c, "trigger: none (--method none): the board must already be in DFU mode");
	rc = stdfu_target_open(c->ctx, &o, dev, &c->trig.report);
	if (rc)
		return rc;
	snprintf(c->board_path, sizeof(c->board_path), "%s", stdfu_device_get_info(*dev)->path);
	if (r->triggered)
		cli_serial_record(r->app.dev.serial, r->dfu.serial);
	out_device(c, stdfu_device_get_info(*dev));
	stdfu_device_set_poll_policy(*dev, c->poll);
	return STDFU_OK;
}

void cli_release(struct cli *c, struct stdfu_device *dev)
{
	(void)c;
	stdfu_device_close(dev);
}

int cli_wait_app(struct cli *c, const struct stdfu_device_info *rom)
{
	struct stdfu_target_opts o = cli_target_opts(c);

	(void)rom;
	return stdfu_target_wait_app(c->ctx, &o, &c->trig.report);
}

uint32_t cli_flash_base(const struct stdfu_device_info *info)
{
	const struct stdfu_alt *alt = stdfu_device_flash_alt(info);

	return alt ? stdfu_layout_start(&alt->layout) : 0x08000000u;
}

struct stdfu_flash_opts cli_flash_opts(struct cli *c)
{
	struct stdfu_flash_opts o = {0};

	o.no_verify = c->no_verify;
	o.no_leave = c->no_leave;
	o.force = c->force;
	o.always_erase = c->always_erase;
	o.trust_blank = c->trust_blank;
	o.on_event = out_event;
	o.user = c;
	return o;
}
