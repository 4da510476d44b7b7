/* SPDX-License-Identifier: MIT */
/*
 * The trigger in the CLI: `stdfu trigger`, the "get the board into DFU" step
 * of `stdfu flash` (cli_get_to_dfu, called by cli_acquire), --wait-app after
 * leave, the trigger options, and the application ports of `stdfu list`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	fprintf(stderr, "stdfu: bad --%s \"%s\": %s\n", name, arg ? arg : "",
		!strcmp(name, "method")		? "use byte, touch1200, detach, none, micropython, "
						  "betaflight or text:STRING"
		: !strcmp(name, "timeout")	? "milliseconds (e.g. 5000) or seconds (e.g. 5s)"
		: !strcmp(name, "app-id")	? "VID:PID in hex, e.g. 0483:5740 (at most 16)"
		: !strcmp(name, "trigger-byte") ? "a byte, e.g. 0xF5"
						: "see stdfu(1)");
	return CLI_EXIT_USAGE;
}

/* ---- events ----------------------------------------------------------------- */

static void json_step(const char *name, const struct stdfu_trigger_event *ev)
{
	printf("{\"event\":\"%s\",\"method\":\"%s\",\"port\":", name,
	       stdfu_trigger_method_name(ev->method));
	out_json_string(ev->port);
	printf(",\"usb_path\":\"%s\",\"address\":%u,\"ms\":%llu,\"elapsed_ms\":%llu}\n", ev->path,
	       ev->address, (unsigned long long)ev->step_ms, (unsigned long long)ev->elapsed_ms);
	fflush(stdout);
}

static void human_step(struct cli *c, const struct stdfu_trigger_event *ev)
{
	const struct cli_trigger *t = &c->trig;
	unsigned byte = t->byte >= 0 ? (unsigned)t->byte : STDFU_TRIGGER_BYTE_DEFAULT;
	unsigned long long ms = (unsigned long long)ev->step_ms;

	switch (ev->kind) {
	case STDFU_TRIGGER_EV_TARGET:
		if (ev->already_dfu)
			out_msg(c, "trigger: none needed, board at %s is already in DFU mode",
				ev->path);
		return;
	case STDFU_TRIGGER_EV_SENT:
		if (ev->method == STDFU_METHOD_BYTE)
			out_msg(c, "trigger: sent byte 0x%02X to %s (usb-path %s) in %llu ms", byte,
				ev->port, ev->path, ms);
		else
			out_msg(c, "trigger: %s sent to %s (usb-path %s) in %llu ms",
				stdfu_trigger_method_name(ev->method), ev->port, ev->path, ms);
		return;
	case STDFU_TRIGGER_EV_LEFT:
		out_msg(c, "trigger: application left the bus after %llu ms", ms);
		return;
	case STDFU_TRIGGER_EV_DFU_FOUND:
		out_msg(c, "DFU: ROM bootloader found at usb-path %s (address %u) after %llu ms",
			ev->path, ev->address, ms);
		return;
	case STDFU_TRIGGER_EV_APP_BACK:
		out_msg(c, "app back: %s at usb-path %s after %llu ms", ev->port, ev->path, ms);
		return;
	}
}

static void on_event(const struct stdfu_trigger_event *ev, void *user)
{
	static const char *const names[] = {"target", "trigger", "left", "dfu_found", "app_back"};
	struct cli *c = user;

	if (ev->kind == STDFU_TRIGGER_EV_APP_BACK) {
		c->trig.app_back = true;
		c->trig.app_back_ms = ev->step_ms;
	}
	if (c->mode == OUT_JSON) {
		if (ev->kind != STDFU_TRIGGER_EV_TARGET || ev->already_dfu)
			json_step(names[ev->kind], ev);
		return;
	}
	human_step(c, ev);
}

/* ---- the steps ---------------------------------------------------------------- */

int cli_get_to_dfu(struct cli *c)
{
	struct cli_trigger *t = &c->trig;
	struct stdfu_trigger_opts o;
	int rc;

	if (!c->ctx && (rc = stdfu_ctx_new(&c->ctx)))
		return rc;
	if (t->method == STDFU_METHOD_NONE && c->cmd->run != cmd_trigger) {
		out_msg(c, "trigger: none (--method none): the board must already be in DFU mode");
		return STDFU_OK;
	}
	memset(&o, 0, sizeof(o));
	o.method = t->method;
	o.sel.port = t->port;
	o.sel.serial = c->sel.serial;
	o.sel.usb_path = c->sel.usb_path;
	o.sel.app_ids = t->app_ids;
	o.sel.n_app_ids = t->n_app_ids;
	o.trigger_byte = t->byte;
	o.text = t->text;
	o.timeout_ms = t->timeout_ms;
	o.any_port = t->any_port;
	/* flash scans the DFU devices right after: let it pick a board already
	 * in DFU mode (one scan, not two; the same selection rules) */
	o.app_only = c->cmd->run != cmd_trigger;
	o.cb = on_event;
	o.user = c;
	rc = stdfu_trigger_to_dfu(c->ctx, &o, &t->res);
	if (rc == STDFU_ERR_NO_DEVICE && o.app_only && !t->port) {
		stdfu_error_clear();
		out_msg(c, "trigger: no application port found: looking for a board already in "
			   "DFU mode");
		return STDFU_OK;
	}
	if (rc)
		return rc;
	t->ran = true;
	/* From here on the board is the ROM on this path: the application's
	 * serial (if that is how it was chosen) is not the ROM's. */
	c->sel.usb_path = t->res.dfu.path;
	if (!t->res.already_dfu)
		c->sel.serial = NULL;
	return STDFU_OK;
}

/*
 * The application comes back where it was before the trigger, which is not
 * where the ROM appeared when --any-port accepted a ROM on another port. A
 * board that was already in DFU has no earlier application path: use the ROM's.
 */
int cli_wait_app(struct cli *c, const struct stdfu_device_info *rom)
{
	struct cli_trigger *t = &c->trig;
	bool triggered = t->ran && !t->res.already_dfu && t->res.app_path[0];
	const char *path = triggered ? t->res.app_path : rom->path;

	return stdfu_wait_app(c->ctx, path, rom->bus, rom->address, t->app_ids, t->n_app_ids,
			      t->any_port, t->timeout_ms, on_event, c, &t->app);
}

/* The trigger's steps in the result line's "phases" (durations in ms). */
void cli_trigger_json_steps(struct cli *c, bool before, bool *first)
{
	const struct cli_trigger *t = &c->trig;
	const struct stdfu_trigger_result *r = &t->res;

	if (before && t->ran && !r->already_dfu) {
		printf("%s\"trigger\":{\"ms\":%llu,\"method\":\"%s\",\"port\":", *first ? "" : ",",
		       (unsigned long long)r->trigger_ms, stdfu_trigger_method_name(t->method));
		out_json_string(r->port);
		printf(",\"usb_path\":\"%s\"},\"left\":{\"ms\":%llu},"
		       "\"dfu_found\":{\"ms\":%llu,\"usb_path\":\"%s\",\"address\":%u}",
		       r->app_path, (unsigned long long)r->left_ms, (unsigned long long)r->found_ms,
		       r->dfu.path, r->dfu.address);
		*first = false;
	}
	if (!before && t->app_back) {
		printf("%s\"app_back\":{\"ms\":%llu,\"port\":", *first ? "" : ",",
		       (unsigned long long)t->app_back_ms);
		out_json_string(t->app.name);
		printf(",\"usb_path\":\"%s\"}", t->app.path);
		*first = false;
	}
}

int cmd_trigger(struct cli *c)
{
	const struct stdfu_trigger_result *r = &c->trig.res;
	struct stdfu_result res;
	int rc = cli_get_to_dfu(c);

	if (rc)
		return out_fail(c, rc);
	/* The ROM's port path on stdout, for scripts: stdfu flash --usb-path $(...) */
	if (c->mode == OUT_HUMAN)
		printf("%s\n", r->dfu.path);
	memset(&res, 0, sizeof(res));
	res.ns = (r->trigger_ms + r->left_ms + r->found_ms) * 1000000u;
	return out_result(c, STDFU_OK, &res);
}

/* ---- stdfu list: the application ports ------------------------------------------ */

/* List the application ports; returns how many were listed. */
int cli_list_app_ports(struct cli *c)
{
	struct stdfu_app_port *ports = NULL;
	int n = stdfu_app_ports_list(c->ctx, c->trig.app_ids, c->trig.n_app_ids, &ports);

	for (int i = 0; i < n; i++) {
		const struct stdfu_app_port *p = &ports[i];

		if (c->mode == OUT_JSON) {
			fputs("{\"event\":\"app_port\",\"port\":", stdout);
			out_json_string(p->name);
			printf(",\"usb_path\":\"%s\",\"bus\":%u,\"address\":%u,\"vid\":\"%04x\","
			       "\"pid\":\"%04x\",\"serial\":",
			       p->path, p->bus, p->address, p->vid, p->pid);
			out_json_string(p->serial);
			fputs(",\"product\":", stdout);
			out_json_string(p->product);
			puts("}");
		} else if (c->mode == OUT_HUMAN) {
			printf("%s  %04x:%04x  serial %s  %s  application port %s (stdfu flash "
			       "triggers it)\n",
			       p->path[0] ? p->path : "?", p->vid, p->pid,
			       p->serial[0] ? p->serial : "?", p->product, p->name);
		}
	}
	if (n < 0 && c->mode == OUT_HUMAN)
		fprintf(stderr, "stdfu: note: serial ports not listed: %s\n", stdfu_error_detail());
	free(ports);
	return n > 0 ? n : 0;
}
