/* SPDX-License-Identifier: MIT */
/* What stdfu says about boards: DFU devices, application ports, the way to the ROM. */
#include <stdio.h>

#include "cli.h"
#include "json.h"

/* ---- devices --------------------------------------------------------------- */

static json_t *sectors_json(const struct stdfu_layout *l)
{
	json_t *a = json_array();

	for (size_t g = 0; g < l->n_groups; g++) {
		const struct stdfu_sector_group *sg = &l->groups[g];
		json_t *o = jw_object();
		char f[4];

		stdfu_layout_flags_str(sg->flags, f);
		jw_addr(o, "start", sg->start);
		jw_int(o, "count", sg->count);
		jw_int(o, "size", sg->size);
		jw_str(o, "perm", f);
		jw_push(a, o);
	}
	return a;
}

json_t *out_alts_json(const struct stdfu_device_info *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->n_alts; i++) {
		const struct stdfu_alt *alt = &d->alts[i];
		json_t *o = jw_object();

		jw_int(o, "alt", alt->number);
		jw_str(o, "string", alt->string);
		jw_str(o, "name", alt->layout_ok ? alt->layout.name : "");
		jw_set(o, "sectors", alt->layout_ok ? sectors_json(&alt->layout) : json_null());
		if (alt->layout_ok) {
			jw_addr(o, "start", stdfu_layout_start(&alt->layout));
			jw_int(o, "bytes", (long long)stdfu_layout_bytes(&alt->layout));
		}
		jw_push(a, o);
	}
	return a;
}

static void identity_json(json_t *o, const struct stdfu_device_info *d)
{
	jw_str(o, "usb_path", d->path);
	jw_int(o, "bus", d->bus);
	jw_int(o, "address", d->address);
	jw_usb_id(o, "vid", d->vid);
	jw_usb_id(o, "pid", d->pid);
	jw_str(o, "serial", d->serial);
	jw_str(o, "product", d->product);
}

json_t *out_device_json(const char *event, const struct stdfu_device_info *d)
{
	json_t *o = jw_event(event);
	char ver[8];

	identity_json(o, d);
	snprintf(ver, sizeof(ver), "%x.%02x", d->functional.bcd_dfu >> 8,
		 d->functional.bcd_dfu & 0xff);
	jw_bool(o, "access_denied", d->access_denied);
	jw_int(o, "transfer_size", d->functional.transfer_size);
	jw_str(o, "dfu_version", ver);
	jw_int(o, "attributes", d->functional.attributes);
	jw_set(o, "alts", out_alts_json(d));
	return o;
}

void out_device(struct cli *c, const struct stdfu_device_info *info)
{
	if (c->mode == OUT_JSON) {
		jw_emit(out_device_json("device", info));
		return;
	}
	out_msg(c, "device %s serial %s (%04x:%04x)", info->path,
		info->serial[0] ? info->serial : "?", info->vid, info->pid);
}

void out_app_port(struct cli *c, const struct stdfu_app_port *p)
{
	const struct stdfu_device_info *d = &p->dev;
	char rom[STDFU_SERIAL_MAX] = "";

	/* The ROM's serial, when stdfu has seen this board in both modes (serials.c). */
	if (!cli_serial_other(d->serial, rom, sizeof(rom)))
		rom[0] = '\0';
	if (c->mode == OUT_JSON) {
		json_t *o = jw_event("app_port");

		jw_str(o, "port", p->name);
		identity_json(o, d);
		jw_str(o, "rom_serial", rom);
		jw_emit(o);
	} else if (c->mode == OUT_HUMAN) {
		printf("%s  %04x:%04x  serial %s%s%s  %s  application port %s (stdfu triggers "
		       "it)\n",
		       d->path[0] ? d->path : "?", d->vid, d->pid, d->serial[0] ? d->serial : "?",
		       rom[0] ? ", ROM serial " : "", rom, d->product, p->name);
	}
}

/* ---- the way to the ROM and back ----------------------------------------------- */

static const char *const step_names[] = {"chosen",   "trigger", "left",	     "dfu_found",
					 "app_back", "no_app",	"candidate", "waiting"};

json_t *out_step_json(const struct stdfu_target_event *ev, unsigned wait_s)
{
	json_t *o = jw_event(step_names[ev->kind]);

	if (ev->kind == STDFU_TARGET_EV_WAITING) {
		jw_int(o, "seconds", wait_s);
		return o;
	}
	if (ev->kind == STDFU_TARGET_EV_CHOSEN)
		jw_str(o, "mode", ev->already_dfu ? "dfu" : "app");
	jw_str(o, "method", stdfu_trigger_method_name(ev->method));
	jw_str(o, "port", ev->port);
	jw_str(o, "usb_path", ev->path);
	jw_str(o, "serial", ev->serial);
	jw_int(o, "address", ev->address);
	jw_int(o, "ms", (long long)ev->step_ms);
	jw_int(o, "elapsed_ms", (long long)ev->elapsed_ms);
	return o;
}

static void human_sent(struct cli *c, const struct stdfu_target_event *ev)
{
	unsigned byte = c->trig.byte >= 0 ? (unsigned)c->trig.byte : STDFU_TRIGGER_BYTE_DEFAULT;
	unsigned long long ms = (unsigned long long)ev->step_ms;

	if (ev->method == STDFU_METHOD_BYTE)
		out_msg(c, "trigger: sent byte 0x%02X to %s (usb-path %s) in %llu ms", byte,
			ev->port, ev->path, ms);
	else
		out_msg(c, "trigger: %s sent to %s (usb-path %s) in %llu ms",
			stdfu_trigger_method_name(ev->method), ev->port, ev->path, ms);
}

static void human_step(struct cli *c, const struct stdfu_target_event *ev)
{
	unsigned long long ms = (unsigned long long)ev->step_ms;

	switch (ev->kind) {
	case STDFU_TARGET_EV_CHOSEN:
		if (ev->already_dfu)
			out_msg(c, "trigger: none needed, board at %s is already in DFU mode",
				ev->path);
		return;
	case STDFU_TARGET_EV_SENT:
		human_sent(c, ev);
		return;
	case STDFU_TARGET_EV_LEFT:
		out_msg(c, "trigger: application left the bus after %llu ms", ms);
		return;
	case STDFU_TARGET_EV_DFU_FOUND:
		out_msg(c, "DFU: ROM bootloader found at usb-path %s (address %u) after %llu ms",
			ev->path, ev->address, ms);
		return;
	case STDFU_TARGET_EV_APP_BACK:
		out_msg(c, "app back: %s at usb-path %s after %llu ms", ev->port, ev->path, ms);
		return;
	case STDFU_TARGET_EV_NO_APP:
		if (c->verbose)
			out_msg(c, "trigger: no application port found: looking for a board "
				   "already in DFU mode");
		return;
	case STDFU_TARGET_EV_WAITING:
		out_msg(c, "no board found: waiting up to %u s for one to appear (--wait)",
			c->wait_s);
		return;
	case STDFU_TARGET_EV_CANDIDATE:
		return; /* the error's detail lists them */
	}
}

void out_target_event(const struct stdfu_target_event *ev, void *user)
{
	struct cli *c = user;

	if (c->mode == OUT_HUMAN)
		human_step(c, ev);
	if (c->mode == OUT_JSON && ev->kind != STDFU_TARGET_EV_NO_APP)
		jw_emit(out_step_json(ev, c->wait_s));
}

/* The trigger's steps in the result line's "phases" (durations in ms). */
void out_target_steps(const struct stdfu_target_report *r, enum stdfu_trigger_method method,
		      json_t *phases, bool before)
{
	json_t *o;

	if (before && r->triggered) {
		o = jw_object();
		jw_int(o, "ms", (long long)r->trigger_ms);
		jw_str(o, "method", stdfu_trigger_method_name(method));
		jw_str(o, "port", r->app.name);
		jw_str(o, "usb_path", r->app.dev.path);
		jw_set(phases, "trigger", o);
		o = jw_object();
		jw_int(o, "ms", (long long)r->left_ms);
		jw_set(phases, "left", o);
		o = jw_object();
		jw_int(o, "ms", (long long)r->found_ms);
		jw_str(o, "usb_path", r->dfu.path);
		jw_int(o, "address", r->dfu.address);
		jw_set(phases, "dfu_found", o);
	}
	if (!before && r->app_back) {
		o = jw_object();
		jw_int(o, "ms", (long long)r->app_back_ms);
		jw_str(o, "port", r->back.name);
		jw_str(o, "usb_path", r->back.dev.path);
		jw_set(phases, "app_back", o);
	}
}
