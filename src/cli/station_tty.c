/* SPDX-License-Identifier: MIT */
/*
 * stdfu station on a terminal: the counters (passed, failed, yield, boards per
 * hour, the last failure) and one line per port (waiting / flashing nn% /
 * PASS / FAIL code and reason), redrawn in place ten times a second on
 * stderr, each line cut to the terminal's width so that the redraw stays in
 * place. Colour as term.c decides (--color; auto: not with NO_COLOR,
 * https://no-color.org, nor TERM=dumb). Also the summary at the end of the
 * run (every output mode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"
#include "json.h"
#include "term.h"
#include "usb_path.h"

static double yield(const struct st_run *r)
{
	return r->recorded ? 100.0 * (double)r->passed / (double)r->recorded : 0;
}

static double per_hour(const struct st_run *r)
{
	double h = (st_now() - r->t0) / 3600;

	return h > 0 ? (double)r->recorded / h : 0;
}

/* The state of a port, and the colour it is shown in ("" none). */
static const char *port_state(const struct st_port *p, char *buf, size_t cap)
{
	const struct station_record *rec = &p->rec;
	bool flashing = p->step && p->phase && !strcmp(p->phase, "flashing");

	if (p->state == ST_BUSY && p->total)
		snprintf(buf, cap, "%s %3u%%%s%s%s", p->phase,
			 (unsigned)(p->done * 100 / (p->total ? p->total : 1)),
			 flashing ? " (" : "", flashing ? p->step : "", flashing ? ")" : "");
	else if (p->state == ST_BUSY)
		snprintf(buf, cap, "%s", p->phase ? p->phase : "starting");
	else if (p->have_result && !rec->error)
		snprintf(buf, cap, "%sPASS %.1f s%s%s",
			 p->state == ST_ARMED ? "waiting  last: " : "", rec->ms / 1000,
			 rec->rework ? " rework" : "",
			 p->state == ST_WAITING_REMOVAL ? "  (remove the board)" : "");
	else if (p->have_result)
		snprintf(buf, cap, "%s%s %d %s%s", p->state == ST_ARMED ? "waiting  last: " : "",
			 rec->result, rec->exit_code, p->reason,
			 p->state == ST_WAITING_REMOVAL ? "  (remove the board)" : "");
	else
		snprintf(buf, cap, "waiting");
	if (p->state == ST_BUSY || !p->have_result)
		return p->state == ST_BUSY ? term_on(TERM_WARN) : "";
	return term_on(rec->error ? TERM_ERROR : TERM_OK);
}

/* One line, cut to @w columns (escapes do not count), then erase to the end. */
static void put(const char *on, const char *text, unsigned w)
{
	fprintf(stderr, "\r%s%.*s%s\033[K\n", on, (int)(w ? w - 1 : 0), text,
		on[0] ? term_off() : "");
}

static int by_path(const void *a, const void *b)
{
	const struct st_port *p = *(const struct st_port *const *)a;
	const struct st_port *q = *(const struct st_port *const *)b;

	return usb_path_cmp(p->path, q->path);
}

void st_tty_draw(struct st_run *r)
{
	unsigned w = term_width();
	char buf[1024], st[800];
	const struct st_port *sorted[ST_PORTS_MAX] = {NULL};

	if (r->drawn)
		fprintf(stderr, "\033[%uA", r->drawn);
	snprintf(buf, sizeof(buf),
		 "station %s  passed %zu  failed %zu  yield %.1f%%  %.1f boards/h%s", r->image_name,
		 r->passed, r->failed, yield(r), per_hour(r), r->stopping ? "  (stopping)" : "");
	put("", buf, w);
	snprintf(buf, sizeof(buf), "last failure: %s", r->last_failure[0] ? r->last_failure : "-");
	put(r->last_failure[0] ? term_on(TERM_ERROR) : "", buf, w);
	for (size_t i = 0; i < r->n_ports; i++)
		sorted[i] = &r->ports[i];
	qsort(sorted, r->n_ports, sizeof(sorted[0]), by_path);
	for (size_t i = 0; i < r->n_ports; i++) {
		const char *on = port_state(sorted[i], st, sizeof(st));

		snprintf(buf, sizeof(buf), "  %-10s %s", sorted[i]->path, st);
		for (char *q = buf; *q; q++)
			*q = *q == '\n' || *q == '\r' ? ' ' : *q;
		put(on, buf, w);
	}
	r->drawn = (unsigned)r->n_ports + 2;
	fflush(stderr);
}

static int exit_code(const struct st_run *r, bool aborted)
{
	if (r->record_error)
		return r->record_error;
	if (aborted)
		return CLI_EXIT_INTERRUPTED;
	return r->failed ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}

/* The command's one result line, last (stdfu(1), JSON OUTPUT). */
static void result_json(struct st_run *r, int rc, bool aborted)
{
	struct cli *c = r->cli;
	json_t *o = jw_event("result");
	char msg[160];

	jw_str(o, "command", "station");
	jw_bool(o, "ok", rc == 0);
	jw_int(o, "exit", rc);
	jw_num(o, "ms", (double)(out_now_us() - c->t0_us) / 1000);
	jw_str(o, "file", c->args[0]);
	snprintf(msg, sizeof(msg), "%zu of %zu boards failed", r->failed, r->recorded);
	if (rc) {
		jw_str(o, "error",
		       r->record_error ? "file"
		       : aborted       ? "interrupted"
				       : "some-failed");
		jw_str(o, "message", r->record_error ? "a record could not be written" : msg);
		/* each board's advice is in its record; the run as a whole has none */
		jw_str(o, "hint",
		       r->record_error ? "check the --log and --db files and the disk" : "");
		jw_set(o, "hint_id", json_null());
	}
	json_decref(c->extra);
	c->extra = NULL;
	c->result_done = true;
	jw_emit(o);
}

int st_view_summary(struct st_run *r, bool aborted)
{
	int rc = exit_code(r, aborted);

	if (r->cli->mode == OUT_JSON) {
		json_t *o = jw_event("station_summary");

		jw_int(o, "boards", (long long)r->recorded);
		jw_int(o, "passed", (long long)r->passed);
		jw_int(o, "failed", (long long)r->failed);
		jw_num(o, "yield_percent", yield(r));
		jw_num(o, "boards_per_hour", per_hour(r));
		jw_num(o, "ms", (st_now() - r->t0) * 1000);
		jw_bool(o, "aborted", aborted);
		jw_int(o, "exit", rc);
		jw_emit(o);
		result_json(r, rc, aborted);
	}
	if (r->cli->mode != OUT_QUIET)
		fprintf(stderr,
			"station: %zu boards, %zu passed, %zu failed, yield %.1f%%, %.1f boards/h "
			"(%.1f s)%s\n",
			r->recorded, r->passed, r->failed, yield(r), per_hour(r), st_now() - r->t0,
			aborted ? ", aborted" : "");
	if (r->failed && r->cli->mode != OUT_QUIET)
		fprintf(stderr, "stdfu: station: last failure: %s\n", r->last_failure);
	return rc;
}
