/* SPDX-License-Identifier: MIT */
/*
 * stdfu flash --all on a terminal: one line per board (port path, serial,
 * phase, percent, speed), redrawn in place ten times a second and cut to the
 * terminal's width, so that a line never wraps and the redraw stays in place.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flash_all.h"
#include "term.h"

static void rate(char *buf, size_t cap, double bytes, double s)
{
	double v = s > 0 ? bytes / s : 0;

	if (v >= 1024 * 1024)
		snprintf(buf, cap, "%.1f MiB/s", v / (1024 * 1024));
	else
		snprintf(buf, cap, "%.1f KiB/s", v / 1024);
}

/* The board's line, whole; the caller cuts it to the width. */
static void board_line(const struct fa_board *b, char *buf, size_t cap, double now, bool serial)
{
	int n = snprintf(buf, cap, "%-9s ", b->path);

	if (serial && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "%-24.24s ",
			      b->serial[0] ? b->serial : "?");
	if (n < 0 || (size_t)n >= cap)
		return;
	if (b->finished && b->err) {
		snprintf(buf + n, cap - (size_t)n, "FAILED  exit %d %s: %s", b->code,
			 stdfu_error_name(b->err), b->detail);
	} else if (b->finished) {
		snprintf(buf + n, cap - (size_t)n, "ok      %.2f s", b->t_end - b->t0);
	} else if (b->total && b->state) {
		char r[32];

		rate(r, sizeof(r), (double)b->done, now - b->phase_t0);
		snprintf(buf + n, cap - (size_t)n, "%-7s %3u%%  %s", b->state,
			 (unsigned)(b->done * 100 / b->total), r);
	} else {
		snprintf(buf + n, cap - (size_t)n, "%s", b->state ? b->state : "waiting");
	}
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

void fa_dashboard_draw(struct fa_run *r)
{
	unsigned width = term_width();
	double now = fa_now();
	char buf[1024];

	if (r->drawn)
		fprintf(stderr, "\033[%uA", r->drawn);
	for (size_t i = 0; i < r->n; i++) {
		board_line(&r->boards[i], buf, sizeof(buf), now, width >= 60);
		/* one column short of the edge: a full line would wrap on some terminals */
		if (width > 1 && strlen(buf) > width - 1)
			buf[width - 1] = '\0';
		fprintf(stderr, "\r%s\033[K\n", buf);
	}
	r->drawn = (unsigned)r->n;
	fflush(stderr);
}

void fa_dashboard_run(struct fa_run *r)
{
	const struct timespec tick = {0, 100 * 1000 * 1000};
	bool all_done = false;

	if (!r->live)
		return;
	while (!all_done) {
		pthread_mutex_lock(&r->lock);
		fa_dashboard_draw(r);
		all_done = r->n_finished == r->n;
		pthread_mutex_unlock(&r->lock);
		if (!all_done)
			nanosleep(&tick, NULL);
	}
}
