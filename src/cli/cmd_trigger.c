/* SPDX-License-Identifier: MIT */
/*
 * The trigger options (--method, --trigger-byte, --timeout, --app-id, --port,
 * --any-port, --wait-app) and `stdfu trigger`, which takes the board to its
 * ROM and prints where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

int cli_trigger_option(struct cli *c, const char *name, const char *arg)
{
	struct cli_trigger *t = &c->trig;
	char *end;
	unsigned long v;

	if (!strcmp(name, "method")) {
		if (stdfu_trigger_method_parse(arg, &t->method))
			goto bad;
		t->text = t->method == STDFU_METHOD_TEXT ? arg + 5 : NULL;
		return 0;
	}
	if (!strcmp(name, "trigger-byte")) {
		v = strtoul(arg, &end, 0);
		if (!*arg || *end || v > 0xff)
			goto bad;
		t->byte = (int)v;
		return 0;
	}
	if (!strcmp(name, "timeout")) {
		/* milliseconds, or seconds with an "s" suffix */
		v = strtoul(arg, &end, 10);
		if (*end == 's' && end[1] == '\0')
			v *= 1000;
		else if (*end)
			goto bad;
		if (!*arg || *arg == '-' || v == 0 || v > 3600000)
			goto bad;
		t->timeout_ms = (uint32_t)v;
		return 0;
	}
	if (!strcmp(name, "app-id")) {
		if (t->n_app_ids == STDFU_APP_IDS_MAX ||
		    stdfu_usb_id_parse(arg, &t->app_ids[t->n_app_ids]))
			goto bad;
		t->n_app_ids++;
		return 0;
	}
	if (!strcmp(name, "port")) {
		t->port = arg;
		return 0;
	}
	if (!strcmp(name, "any-port")) {
		t->any_port = true;
		return 0;
	}
	if (!strcmp(name, "wait-app")) {
		t->wait_app = true;
		return 0;
	}
bad:
	return out_usage(
		c, "bad --%s \"%s\": %s", name, arg ? arg : "",
		!strcmp(name, "method")		? "use byte, touch1200, detach, none, micropython, "
						  "betaflight or text:STRING"
		: !strcmp(name, "timeout")	? "milliseconds (e.g. 5000) or seconds (e.g. 5s)"
		: !strcmp(name, "app-id")	? "VID:PID in hex, e.g. 0483:5740 (at most 16)"
		: !strcmp(name, "trigger-byte") ? "a byte, e.g. 0xF5"
						: "see stdfu(1)");
}

/* The ROM's serial (the wait saw its identity only), and the pair it makes. */
static void rom_serial(struct cli *c, char *out, size_t cap)
{
	const struct stdfu_target_report *r = &c->trig.report;
	struct stdfu_device_list *list = NULL;

	snprintf(out, cap, "%s", r->dfu.serial);
	if (out[0] || stdfu_device_scan(c->ctx, &list))
		return;
	for (size_t i = 0; i < list->count; i++)
		if (!strcmp(list->items[i].path, r->dfu.path))
			snprintf(out, cap, "%s", list->items[i].serial);
	stdfu_device_list_free(list);
	if (r->triggered)
		cli_serial_record(r->app.dev.serial, out);
}

int cmd_trigger(struct cli *c)
{
	char serial[STDFU_SERIAL_MAX];
	struct stdfu_target_opts o = cli_target_opts(c);
	const struct stdfu_target_report *r = &c->trig.report;
	struct stdfu_result res;
	int rc = cli_ensure_ctx(c);

	if (!rc)
		rc = stdfu_target_find(c->ctx, &o, &c->trig.report);
	if (rc)
		return out_fail(c, rc);
	jw_str(out_extra(c), "usb_path", r->dfu.path);
	rom_serial(c, serial, sizeof(serial));
	jw_str(out_extra(c), "serial", serial);
	/* The ROM's port path on stdout, for scripts: stdfu flash --usb-path $(...) */
	if (c->mode == OUT_HUMAN)
		printf("%s\n", r->dfu.path);
	memset(&res, 0, sizeof(res));
	res.ns = (r->trigger_ms + r->left_ms + r->found_ms) * 1000000u;
	return out_result(c, STDFU_OK, &res);
}
