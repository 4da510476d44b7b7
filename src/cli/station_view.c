/* SPDX-License-Identifier: MIT */
/*
 * What stdfu station says, event by event: with --json one object per line on
 * stdout (station_out.h: every line has "schema" and "event", and the board's
 * "usb_path"); off a terminal one plain line per event on stderr, starting
 * with the port path; on a terminal the live table (station_tty.c) instead.
 * Called under run->lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "station.h"
#include "json.h"
#include "station_out.h"

static bool json(const struct st_run *r)
{
	return r->cli->mode == OUT_JSON;
}

static void line(const struct st_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(const struct st_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->cli->mode != OUT_HUMAN || r->live)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static json_t *port_event(const struct st_port *p, const char *event)
{
	json_t *o = jw_event(event);

	jw_str(o, "usb_path", p->path);
	return o;
}

void st_view_start(struct st_run *r)
{
	const struct cli *c = r->cli;

	if (json(r)) {
		json_t *o = jw_event("station"), *img = jw_object(), *paths = json_array();

		jw_str(img, "name", r->image_name);
		jw_str(img, "sha256", r->image_sha256);
		jw_set(o, "image", img);
		for (size_t i = 0; i < c->n_usb_paths; i++)
			jw_push(paths, json_string(c->usb_paths[i]));
		jw_set(o, "usb_paths", paths);
		jw_set(o, "count", c->count_set ? json_integer(c->count) : json_null());
		jw_bool(o, "protect", c->protect);
		if (c->serial_at_set)
			jw_addr(o, "serial_at", c->serial_at);
		jw_emit(o);
	}
	line(r, "station: %s (sha256 %.16s...), %s; waiting for boards (Ctrl-C stops)",
	     r->image_name, r->image_sha256, c->n_usb_paths ? "the named ports" : "every port");
}

void st_view_arrived(struct st_port *p)
{
	if (json(p->run)) {
		json_t *o = port_event(p, "arrived");

		jw_str(o, "mode", p->is_app ? "app" : "dfu");
		jw_emit(o);
	}
	line(p->run, "%s: board arrived (%s)", p->path, p->is_app ? "application" : "DFU mode");
}

void st_view_removed(struct st_port *p)
{
	if (json(p->run))
		jw_emit(port_event(p, "removed"));
	line(p->run, "%s: board removed; port armed", p->path);
}

void st_view_phase(struct st_port *p, const char *phase, bool start, double ms, bool ok)
{
	if (json(p->run)) {
		json_t *o = port_event(p, start ? "board_phase_start" : "board_phase_end");

		jw_str(o, "phase", phase);
		if (!start) {
			jw_num(o, "ms", ms);
			jw_bool(o, "ok", ok);
		}
		jw_emit(o);
	}
	if (!start)
		line(p->run, "%s: %s %s (%.0f ms)", p->path, phase, ok ? "done" : "failed", ms);
}

void st_view_progress(struct st_port *p)
{
	double t = st_now();

	if (!json(p->run) || (t - p->last_progress < 0.25 && p->done != p->total))
		return;
	p->last_progress = t;
	json_t *o = port_event(p, "board_progress");

	jw_str(o, "phase", p->phase);
	jw_int(o, "done", (long long)p->done);
	jw_int(o, "total", (long long)p->total);
	jw_emit(o);
}

void st_view_record(struct st_port *p)
{
	const struct station_record *rec = &p->rec;
	char sn[32] = "";

	if (json(p->run))
		jw_emit(rec_to_json(rec));
	if (rec->serial_written)
		snprintf(sn, sizeof(sn), ", serial %u", (unsigned)rec->serial);
	if (!rec->error)
		line(p->run, "%s: PASS in %.2f s%s%s", p->path, rec->ms / 1000, sn,
		     rec->rework ? " (rework)" : "");
	else
		line(p->run, "%s: %s exit %d %s: %s%s", p->path, rec->result, rec->exit_code,
		     rec->error, rec->detail, rec->rework ? " (rework)" : "");
}

void st_view_stopping(struct st_run *r, size_t in_flight)
{
	if (json(r)) {
		json_t *o = jw_event("stopping");

		jw_int(o, "in_flight", (long long)in_flight);
		jw_emit(o);
	}
	if (r->cli->mode != OUT_QUIET)
		fprintf(stderr,
			"stdfu: station: stopping: no more boards are started; %zu in flight "
			"finish (Ctrl-C again aborts them, leaving them in DFU mode)\n",
			in_flight);
}
