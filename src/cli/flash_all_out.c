/* SPDX-License-Identifier: MIT */
/*
 * What stdfu flash --all says about each board: with --json one object per
 * line, each with the board's "usb_path", a "result" per board and a final
 * "summary"; in plain text every line starts with the board's port path; on
 * a terminal the live lines of flash_all_tty.c instead. Every write is under
 * run->lock, so lines of different boards never mix.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flash_all.h"
#include "json.h"

double fa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fa_init(struct fa_run *r, struct cli *c)
{
	r->cli = c;
	r->t0 = fa_now();
	r->live = c->tty && c->mode == OUT_HUMAN;
	return pthread_mutex_init(&r->lock, NULL) ? STDFU_ERR_NOMEM : STDFU_OK;
}

void fa_fini(struct fa_run *r)
{
	pthread_mutex_destroy(&r->lock);
}

/* Plain text, off a terminal: "1-3: what". */
static void line(const struct fa_board *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(const struct fa_board *b, const char *fmt, ...)
{
	va_list ap;

	if (b->run->cli->mode != OUT_HUMAN || b->run->live)
		return;
	/* one line whole, whichever board thread calls */
	flockfile(stderr);
	fprintf(stderr, "%s: ", b->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

/* A JSON line about @b, or NULL without --json: every line names its board. */
static json_t *json(const struct fa_board *b, const char *event)
{
	json_t *o;

	if (b->run->cli->mode != OUT_JSON)
		return NULL;
	o = jw_event(event);
	jw_str(o, "usb_path", b->path);
	return o;
}

/* A phase line (phase_start, progress, phase_end), as one board shows them. */
static void json_phase(const struct fa_board *b, const char *event, const struct stdfu_event *ev,
		       double t)
{
	json_t *o = json(b, event);

	if (!o)
		return;
	jw_str(o, "phase", stdfu_phase_name(ev->phase));
	jw_int(o, "done", (long long)ev->done);
	jw_int(o, "total", (long long)ev->total);
	if (ev->type == STDFU_EVENT_PHASE_END)
		jw_num(o, "ms", (t - b->phase_t0) * 1000);
	jw_emit(o);
}

static void kib(char *buf, size_t cap, double v)
{
	if (v >= 1024 * 1024)
		snprintf(buf, cap, "%.1f MiB", v / (1024 * 1024));
	else
		snprintf(buf, cap, "%.1f KiB", v / 1024);
}

static void phase_end(struct fa_board *b, const struct stdfu_event *ev, double t)
{
	char n[32];

	json_phase(b, "phase_end", ev, t);
	kib(n, sizeof(n), (double)ev->done);
	if (ev->phase == STDFU_PHASE_LEAVE) {
		char text[160];

		out_leave_text(text, sizeof(text), b->leave_hung, t - b->phase_t0);
		line(b, "%s", text);
	} else if (ev->phase != STDFU_PHASE_PREPARE)
		line(b, "%s done: %s in %.2f s", stdfu_phase_name(ev->phase), n, t - b->phase_t0);
}

static void progress(struct fa_board *b, const struct stdfu_event *ev, double t)
{
	b->done = ev->done;
	b->total = ev->total;
	if (t - b->last_progress < 0.1 && ev->done != ev->total)
		return;
	b->last_progress = t;
	json_phase(b, "progress", ev, t);
}

static void warning(struct fa_board *b, const struct stdfu_event *ev)
{
	json_t *o = json(b, "warning");

	if (ev->warning == STDFU_WARN_LEAVE_HUNG)
		b->leave_hung = true;
	if (o) {
		out_warning_fields(o, ev);
		jw_emit(o);
	} else if (ev->warning != STDFU_WARN_START_STATE || b->run->cli->verbose) {
		/* the ROM's blank-flash start state is normal (as for one board) */
		line(b, "note: %s", ev->message);
	}
}

static void sector(struct fa_board *b, const struct stdfu_event *ev)
{
	json_t *o = json(b, "sector");

	if (!o)
		return;
	jw_addr(o, "address", ev->sector->address);
	jw_int(o, "size", ev->sector->size);
	jw_str(o, "action", stdfu_sector_action_name(ev->sector->action));
	jw_emit(o);
}

void fa_event(const struct stdfu_event *ev, void *user)
{
	struct fa_board *b = user;
	double t = fa_now();

	pthread_mutex_lock(&b->run->lock);
	switch (ev->type) {
	case STDFU_EVENT_PHASE_START:
		b->state = stdfu_phase_name(ev->phase);
		b->done = 0;
		b->total = ev->total;
		b->phase_t0 = b->last_progress = t;
		json_phase(b, "phase_start", ev, t);
		if (ev->phase != STDFU_PHASE_PREPARE)
			line(b, "%s...", b->state);
		break;
	case STDFU_EVENT_PROGRESS:
		progress(b, ev, t);
		break;
	case STDFU_EVENT_PHASE_END:
		phase_end(b, ev, t);
		break;
	case STDFU_EVENT_WARNING:
		warning(b, ev);
		break;
	case STDFU_EVENT_SECTOR:
		sector(b, ev);
		break;
	case STDFU_EVENT_DEVICE_FOUND:
		break;
	}
	pthread_mutex_unlock(&b->run->lock);
}

/* ---- the way to the ROM ------------------------------------------------------- */

static void json_step(struct fa_board *b, const struct stdfu_target_event *ev)
{
	json_t *o;

	if (b->run->cli->mode != OUT_JSON)
		return;
	o = out_step_json(ev, 0);
	if (!ev->path || !ev->path[0])
		jw_str(o, "usb_path", b->path);
	jw_emit(o);
}

static void plain_step(struct fa_board *b, const struct stdfu_target_event *ev)
{
	unsigned long long ms = (unsigned long long)ev->step_ms;

	if (ev->kind == STDFU_TARGET_EV_SENT)
		line(b, "trigger: %s sent to %s in %llu ms", stdfu_trigger_method_name(ev->method),
		     ev->port, ms);
	else if (ev->kind == STDFU_TARGET_EV_LEFT)
		line(b, "trigger: application left the bus after %llu ms", ms);
	else if (ev->kind == STDFU_TARGET_EV_DFU_FOUND && b->is_app)
		line(b, "DFU: ROM bootloader found (address %u) after %llu ms", ev->address, ms);
	else if (ev->kind == STDFU_TARGET_EV_APP_BACK)
		line(b, "app back: %s after %llu ms", ev->port, ms);
}

void fa_target_event(const struct stdfu_target_event *ev, void *user)
{
	static const char *const states[] = {"trigger", "wait", "wait", "found", "app back"};
	struct fa_board *b = user;

	if (ev->kind > STDFU_TARGET_EV_APP_BACK)
		return; /* NO_APP, CANDIDATE: the path names one board, in DFU */
	pthread_mutex_lock(&b->run->lock);
	b->state = states[ev->kind];
	if (ev->kind == STDFU_TARGET_EV_DFU_FOUND && ev->serial && ev->serial[0])
		snprintf(b->serial, sizeof(b->serial), "%s", ev->serial);
	json_step(b, ev);
	plain_step(b, ev);
	pthread_mutex_unlock(&b->run->lock);
}

void fa_found(struct fa_board *b, const struct stdfu_device_info *info)
{
	pthread_mutex_lock(&b->run->lock);
	if (info->serial[0])
		snprintf(b->serial, sizeof(b->serial), "%s", info->serial);
	if (b->run->cli->mode == OUT_JSON)
		jw_emit(out_device_json("device", info));
	line(b, "device serial %s (%04x:%04x)", info->serial[0] ? info->serial : "?", info->vid,
	     info->pid);
	pthread_mutex_unlock(&b->run->lock);
}
