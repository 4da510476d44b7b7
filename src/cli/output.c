/* SPDX-License-Identifier: MIT */
/*
 * stdfu's messages and progress. Three modes:
 *  - human: on a terminal a progress bar per phase on stderr, as wide as the
 *    terminal (redrawn on SIGWINCH); off a terminal plain lines;
 *  - quiet: errors only;
 *  - json:  one JSON object per line on stdout (json.c; docs/json-schema.json).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hints.h"
#include "json.h"

uint64_t out_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double now_s(void)
{
	return (double)out_now_us() / 1e6;
}

void out_text(struct cli *c, size_t used, const char *text)
{
	size_t width = term_width() - 1, indent = used;
	bool first = true;

	/* On a terminal, break at spaces so that the terminal never has to. */
	while (c->tty && strlen(text) + indent > width && width > 20) {
		size_t cut = width - indent;

		while (cut > 0 && text[cut] != ' ')
			cut--;
		if (cut == 0)
			break;
		fprintf(stderr, "%*s%.*s\n", first ? 0 : (int)indent, "", (int)cut, text);
		text += cut + 1;
		indent = 2;
		first = false;
	}
	fprintf(stderr, "%*s%s\n", first ? 0 : (int)indent, "", text);
}

void out_msg(struct cli *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (c->mode != OUT_HUMAN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out_text(c, 0, msg);
}

void out_warn(struct cli *c, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->mode == OUT_JSON) {
		json_t *o = jw_event("warning");

		jw_str(o, "code", code);
		jw_str(o, "message", msg);
		jw_emit(o);
	} else if (c->mode == OUT_HUMAN) {
		fprintf(stderr, "stdfu: %swarning%s: ", term_on(TERM_WARN), term_off());
		out_text(c, strlen("stdfu: warning: "), msg);
	}
}

/* ---- progress ------------------------------------------------------------ */

struct progress {
	double t0, last;
	size_t drawn;	 /* columns of the bar line on screen, to blank without escapes */
	bool leave_hung; /* the ROM hung on the bus: it did not leave */
};

static struct progress prog;

static void human_bytes(char *buf, size_t cap, double v)
{
	if (v >= 1024 * 1024)
		snprintf(buf, cap, "%.1f MiB", v / (1024 * 1024));
	else if (v >= 1024)
		snprintf(buf, cap, "%.1f KiB", v / 1024);
	else
		snprintf(buf, cap, "%.0f B", v);
}

/* The optional fields of a bar, most useful first; dropped from the end to fit. */
static size_t bar_fields(const struct stdfu_event *ev, bool final, char f[3][48])
{
	double t = now_s() - prog.t0, speed = t > 0 ? (double)ev->done / t : 0;
	double left = speed > 0 ? (double)(ev->total - ev->done) / speed : 0;
	char done[16], total[16], rate[16];

	human_bytes(done, sizeof(done), (double)ev->done);
	human_bytes(total, sizeof(total), (double)ev->total);
	human_bytes(rate, sizeof(rate), speed);
	snprintf(f[0], 48, "%s %.1fs", final ? "in" : "left", final ? t : left);
	snprintf(f[1], 48, "%s/%s", done, total);
	snprintf(f[2], 48, "%s/s", rate);
	return 3;
}

/*
 * The terminal shrank (SIGWINCH) under a bar: the terminal has folded it onto
 * several rows. Clear them (cursor up, erase down) where escapes are allowed;
 * without colour no escape is printed at all, so start on a fresh row.
 */
static void unfold(size_t width)
{
	size_t cols = width + 1, rows = (prog.drawn + cols - 1) / cols;

	if (term_color() && rows > 1)
		fprintf(stderr, "\r\033[%zuA\033[J", rows - 1);
	else
		fputc('\n', stderr);
	prog.drawn = 0;
}

/*
 * "write   [#######.....]  57% left 1.2s 296.0 KiB/512.0 KiB 1.1 MiB/s", cut to
 * the terminal's width less one column (a line that fills the last column
 * wraps on some terminals): the bar keeps at least 10 cells.
 */
static void bar(struct cli *c, const struct stdfu_event *ev, bool final)
{
	unsigned pct = ev->total ? (unsigned)(ev->done * 100 / ev->total) : 100;
	size_t width = term_width() - 1, n = 0, fixed = 7 + 2 + 2 + 4, cells, len;
	char f[3][48], line[512], fill[256];
	size_t nf = bar_fields(ev, final, f), extra = 0;

	if (prog.drawn > width)
		unfold(width);
	for (n = 0; n < nf && fixed + extra + 1 + strlen(f[n]) + 10 <= width; n++)
		extra += 1 + strlen(f[n]);
	cells = width > fixed + extra ? width - fixed - extra : 1;
	if (cells > sizeof(fill) - 1)
		cells = sizeof(fill) - 1;
	for (size_t i = 0; i < cells; i++)
		fill[i] = i < pct * cells / 100 ? '#' : '.';
	fill[cells] = '\0';
	len = (size_t)snprintf(line, sizeof(line), "%-7s [%s] %3u%%", stdfu_phase_name(ev->phase),
			       fill, pct);
	for (size_t i = 0; i < n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", f[i]);
	if (len > width)
		len = width;
	/* Blank what the previous, longer line left, with spaces: no escape codes. */
	fprintf(stderr, "\r%s%.*s%s%*s", final && term_color() ? term_on(TERM_OK) : "", (int)len,
		line, final && term_color() ? term_off() : "",
		prog.drawn > len ? (int)(prog.drawn - len) : 0, "");
	prog.drawn = final ? 0 : len;
	if (final)
		fputc('\n', stderr);
	(void)c;
}

void out_leave_text(char *buf, size_t cap, bool hung, double secs)
{
	if (hung)
		snprintf(buf, cap,
			 "leave: the ROM hung on the bus after %.2f s; the application did not "
			 "start (power-cycle the board)",
			 secs);
	else
		snprintf(buf, cap, "left DFU mode; device gone from the bus after %.2f s", secs);
}

static void human_end(struct cli *c, const struct stdfu_event *ev, double t)
{
	char total[32];

	if (c->tty && ev->total) {
		bar(c, ev, true);
		return;
	}
	if (ev->phase == STDFU_PHASE_LEAVE) {
		char text[160];

		out_leave_text(text, sizeof(text), prog.leave_hung, t - prog.t0);
		out_msg(c, "%s", text);
		return;
	}
	human_bytes(total, sizeof(total), (double)ev->done);
	out_msg(c, "%s done: %s in %.2f s", stdfu_phase_name(ev->phase), total, t - prog.t0);
}

static void human_warning(struct cli *c, const struct stdfu_event *ev)
{
	const struct cli_warn_hint *h = cli_warn_hint_find(ev->warning);
	char line[600];

	fprintf(stderr, "stdfu: %snote%s: ", term_on(TERM_WARN), term_off());
	out_text(c, strlen("stdfu: note: "), ev->message);
	if (!h)
		return;
	snprintf(line, sizeof(line), "stdfu: hint: %s", h->text);
	out_text(c, 0, line);
}

static void human_event(struct cli *c, const struct stdfu_event *ev)
{
	double t = now_s();

	if (ev->type == STDFU_EVENT_WARNING) {
		if (ev->warning == STDFU_WARN_LEAVE_HUNG)
			prog.leave_hung = true;
		/* The ROM's blank-flash start state is normal: only JSON and -v record it. */
		if (ev->warning != STDFU_WARN_START_STATE || c->verbose)
			human_warning(c, ev);
		return;
	}
	if (ev->phase == STDFU_PHASE_PREPARE)
		return;
	if (ev->type == STDFU_EVENT_SECTOR)
		return; /* the summary line counts them; a fallback comes as a warning too */
	if (ev->type == STDFU_EVENT_PHASE_START) {
		prog.t0 = prog.last = t;
		prog.drawn = 0;
		prog.leave_hung = false;
		if (!c->tty)
			fprintf(stderr, "%s...\n", stdfu_phase_name(ev->phase));
		return;
	}
	if (ev->type == STDFU_EVENT_PHASE_END) {
		human_end(c, ev, t);
		return;
	}
	if (c->tty && ev->type == STDFU_EVENT_PROGRESS && t - prog.last >= 0.1) {
		prog.last = t;
		bar(c, ev, false);
	}
}

void out_warning_fields(struct json_t *o, const struct stdfu_event *ev)
{
	const struct cli_warn_hint *h = cli_warn_hint_find(ev->warning);

	jw_str(o, "code", stdfu_warning_name(ev->warning));
	jw_str(o, "message", ev->message);
	if (h) {
		jw_str(o, "hint", h->text);
		jw_str(o, "hint_id", h->id);
	}
}

/* What the flash does with one erasable sector (the perf plan's decision). */
static void json_sector(const struct stdfu_event *ev)
{
	json_t *o = jw_event("sector");

	jw_str(o, "usb_path", ev->device ? ev->device->path : "");
	jw_addr(o, "address", ev->sector->address);
	jw_int(o, "size", ev->sector->size);
	jw_str(o, "action", stdfu_sector_action_name(ev->sector->action));
	if (ev->sector->looked_blank)
		jw_bool(o, "looked_blank", true);
	jw_emit(o);
}

static void json_event(const struct stdfu_event *ev)
{
	double t = now_s();
	json_t *o;

	if (ev->type == STDFU_EVENT_DEVICE_FOUND)
		return;
	if (ev->type == STDFU_EVENT_PROGRESS) {
		if (t - prog.last < 0.1 && ev->done != ev->total)
			return;
		prog.last = t;
	}
	if (ev->type == STDFU_EVENT_SECTOR) {
		json_sector(ev);
		return;
	}
	if (ev->type == STDFU_EVENT_PHASE_START)
		prog.t0 = prog.last = t;
	o = jw_event(ev->type == STDFU_EVENT_PHASE_START ? "phase_start"
		     : ev->type == STDFU_EVENT_PROGRESS	 ? "progress"
		     : ev->type == STDFU_EVENT_PHASE_END ? "phase_end"
							 : "warning");
	if (ev->type == STDFU_EVENT_WARNING) {
		out_warning_fields(o, ev);
	} else {
		jw_str(o, "phase", stdfu_phase_name(ev->phase));
		jw_int(o, "done", (long long)ev->done);
		jw_int(o, "total", (long long)ev->total);
	}
	if (ev->type == STDFU_EVENT_PHASE_END)
		jw_num(o, "ms", (t - prog.t0) * 1000);
	jw_emit(o);
}

void out_event(const struct stdfu_event *ev, void *user)
{
	struct cli *c = user;

	if (c->mode == OUT_JSON)
		json_event(ev);
	else if (c->mode == OUT_HUMAN)
		human_event(c, ev);
}

/* ---- -v: what goes over the wire ----------------------------------------------- */

static void json_log(const struct stdfu_log_event *ev)
{
	json_t *o = jw_event("usb");
	char data[3 * 16 + 1] = "";

	jw_str(o, "usb_path", ev->path);
	jw_str(o, "request", ev->name);
	jw_int(o, "bm_request_type", ev->request_type);
	jw_int(o, "b_request", ev->request);
	jw_int(o, "w_value", ev->value);
	jw_int(o, "w_index", ev->index);
	jw_int(o, "w_length", ev->length);
	jw_int(o, "result", ev->result);
	jw_num(o, "ms", (double)ev->us / 1000);
	if (ev->state >= 0) {
		jw_str(o, "state", stdfu_dfu_state_name(ev->state));
		jw_str(o, "status", stdfu_dfu_status_name(ev->status));
		jw_int(o, "poll_ms", ev->poll_ms);
	}
	for (int i = 0; i < ev->result && i < 16 && ev->data; i++)
		snprintf(data + 2 * i, 3, "%02x", ev->data[i]);
	if (ev->level == STDFU_LOG_TRANSFER)
		jw_str(o, "data", data);
	jw_emit(o);
}

static void human_log(const struct stdfu_log_event *ev)
{
	char res[32];

	if (ev->result >= 0)
		snprintf(res, sizeof(res), "%d bytes", ev->result);
	else
		snprintf(res, sizeof(res), "error %d", ev->result);
	fprintf(stderr,
		"%susb: %s%s%s bmRequestType=0x%02x wValue=0x%04x wIndex=%u wLength=%u -> %s (%.1f "
		"ms)",
		term_on(TERM_DIM), ev->path[0] ? ev->path : "", ev->path[0] ? " " : "", ev->name,
		ev->request_type, ev->value, ev->index, ev->length, res, (double)ev->us / 1000);
	if (ev->state >= 0)
		fprintf(stderr, ": %s, %s, bwPollTimeout %u ms", stdfu_dfu_state_name(ev->state),
			stdfu_dfu_status_name(ev->status), ev->poll_ms);
	for (int i = 0; ev->level == STDFU_LOG_TRANSFER && ev->data && i < ev->result && i < 16;
	     i++)
		fprintf(stderr, "%s%02x", i ? " " : ": ", ev->data[i]);
	fprintf(stderr, "%s\n", term_off());
}

void out_log(const struct stdfu_log_event *ev, void *user)
{
	struct cli *c = user;

	if (c->mode == OUT_JSON)
		json_log(ev);
	else if (c->mode == OUT_HUMAN)
		human_log(ev);
}
