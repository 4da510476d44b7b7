/* SPDX-License-Identifier: MIT */
/*
 * The end of each board and of the run for stdfu flash --all: a result per
 * board (its own exit code), duplicate serials, the summary, and the list of
 * failed boards on stderr. Exit 0 only if every board passed, else 23.
 */
#include <stdio.h>
#include <string.h>

#include "flash_all.h"
#include "hints.h"
#include "json.h"

/* The advice for the board's failure, from the one table (hints.c). */
static const struct cli_hint *board_hint(const struct fa_board *b, char *buf, size_t cap)
{
	const struct cli_hint *h = cli_hint_find(b->err, &b->cause);

	buf[0] = '\0';
	if (h)
		cli_hint_format(h, &b->cause, buf, cap);
	return h;
}

/* The board's own result line, shaped as the result of a one-board flash. */
static void json_result(const struct fa_board *b)
{
	json_t *o = jw_event("result");
	char hint[768];
	const struct cli_hint *h;

	jw_str(o, "command", "flash");
	jw_str(o, "usb_path", b->path);
	jw_str(o, "serial", b->serial);
	jw_bool(o, "ok", !b->err);
	jw_int(o, "exit", b->code);
	jw_num(o, "ms", (b->t_end - b->t0) * 1000);
	if (!b->err) {
		jw_set(o, "phases", out_phases_json(&b->rep, b->run->cli->trig.method, &b->res));
		jw_int(o, "transfers", (long long)b->transfers);
		jw_emit(o);
		return;
	}
	h = board_hint(b, hint, sizeof(hint));
	jw_str(o, "error", stdfu_error_name(b->err));
	jw_str(o, "message", b->detail);
	jw_set(o, "cause", out_cause_json(&b->cause));
	jw_str(o, "hint", hint);
	jw_set(o, "hint_id", h ? json_string(h->id) : json_null());
	jw_emit(o);
}

static void plain_result(const struct fa_board *b)
{
	char hint[768];

	if (!b->err) {
		fprintf(stderr, "%s: flash: %sok%s (%.2f s, %llu control transfers)\n", b->path,
			term_on(TERM_OK), term_off(), b->t_end - b->t0,
			(unsigned long long)b->transfers);
		return;
	}
	fprintf(stderr, "%s: stdfu: %serror%s: %s: %s\n", b->path, term_on(TERM_ERROR), term_off(),
		stdfu_strerror(b->err), b->detail);
	if (board_hint(b, hint, sizeof(hint)))
		fprintf(stderr, "%s: stdfu: hint: %s\n", b->path, hint);
}

static void finish(struct fa_board *b, int err, const char *detail, const struct stdfu_cause *cause)
{
	struct fa_run *r = b->run;

	pthread_mutex_lock(&r->lock);
	b->err = err;
	b->code = cli_exit_code(err);
	snprintf(b->detail, sizeof(b->detail), "%s", detail[0] ? detail : stdfu_strerror(err));
	b->cause = *cause;
	b->t_end = fa_now();
	b->state = err ? "FAILED" : "ok";
	b->finished = true;
	r->n_finished++;
	if (r->cli->mode == OUT_JSON)
		json_result(b);
	else if (r->cli->mode == OUT_HUMAN && !r->live)
		plain_result(b);
	pthread_mutex_unlock(&r->lock);
}

static const struct stdfu_cause no_cause = {STDFU_CAUSE_NONE, -1, -1, -1, -1, ""};

void fa_finished(struct fa_board *b, int err)
{
	finish(b, err, err ? stdfu_error_detail() : "", err ? stdfu_error_cause() : &no_cause);
}

void fa_absent(struct fa_board *b)
{
	char d[160];

	snprintf(d, sizeof(d),
		 "nothing at usb-path %s: no ST DFU device and no application port there", b->path);
	b->t0 = fa_now();
	finish(b, STDFU_ERR_NO_DEVICE, d, &no_cause);
}

void fa_fail_start(struct fa_board *b)
{
	b->t0 = fa_now();
	finish(b, STDFU_ERR_NOMEM, "cannot start a thread for this board", &no_cause);
}

static void json_summary(struct cli *c, const struct fa_board *boards, size_t n, size_t failed,
			 double ms);

int fa_no_boards(struct cli *c)
{
	const char *d = "no board found: no ST DFU device (0483:df11) and no application port "
			"of a known VID:PID";
	int code = out_fail_msg(c, STDFU_ERR_NO_DEVICE, d);

	if (c->mode == OUT_JSON)
		json_summary(c, NULL, 0, 0, (double)(out_now_us() - c->t0_us) / 1000);
	return code;
}

/* ---- duplicate serials ------------------------------------------------------- */

static bool warned_before(struct fa_run *r, const char *serial)
{
	for (size_t i = 0; i < r->n_warned; i++)
		if (strcmp(r->warned[i], serial) == 0)
			return true;
	if (r->n_warned < FA_BOARDS_MAX)
		snprintf(r->warned[r->n_warned++], sizeof(r->warned[0]), "%s", serial);
	return false;
}

static void warn_duplicate(struct fa_run *r, const struct fa_board **same, size_t n)
{
	const char *why = "ROMs of some families give every part the same one (F072/F042: "
			  "FFFFFFFEFFFF, F105/F107: \"STM32\")";

	if (r->cli->mode == OUT_JSON) {
		json_t *o = jw_event("warning"), *paths = json_array();
		char msg[160];

		for (size_t i = 0; i < n; i++)
			jw_push(paths, json_string(same[i]->path));
		snprintf(msg, sizeof(msg),
			 "%zu boards report the same serial number; they are told apart by USB "
			 "port path",
			 n);
		jw_str(o, "usb_path", same[0]->path);
		jw_str(o, "code", "same-serial");
		jw_str(o, "message", msg);
		jw_set(o, "usb_paths", paths);
		jw_str(o, "serial", same[0]->serial);
		jw_emit(o);
	}
	if (r->cli->mode == OUT_QUIET)
		return;
	fprintf(stderr, "stdfu: %swarning%s: boards", term_on(TERM_WARN), term_off());
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", same[i]->path);
	fprintf(stderr,
		" report the same serial number %s (%s): they are told apart by USB "
		"port path, so keep each board on its own port\n",
		same[0]->serial, why);
}

void fa_duplicate_serials(struct fa_run *r, bool roms)
{
	const struct fa_board *same[FA_BOARDS_MAX];

	for (size_t i = 0; i < r->n; i++) {
		const struct fa_board *b = &r->boards[i];
		size_t n = 0;

		if (!b->serial[0] || (roms && !b->rep.dfu.bus))
			continue;
		for (size_t k = i; k < r->n; k++)
			if (strcmp(r->boards[k].serial, b->serial) == 0 &&
			    (!roms || r->boards[k].rep.dfu.bus))
				same[n++] = &r->boards[k];
		if (n > 1 && !warned_before(r, b->serial)) {
			if (r->live && r->drawn)
				fa_dashboard_draw(r);
			warn_duplicate(r, same, n);
		}
	}
}

/* ---- the end of the run ----------------------------------------------------- */

static void failed_list(const struct fa_run *r, size_t failed)
{
	fprintf(stderr, "stdfu: %zu of %zu boards failed:\n", failed, r->n);
	for (size_t i = 0; i < r->n; i++) {
		const struct fa_board *b = &r->boards[i];

		if (b->err)
			fprintf(stderr, "stdfu:   %s  exit %d  %s: %s\n", b->path, b->code,
				stdfu_error_name(b->err), b->detail);
	}
}

/* The last line of the run: how many boards passed, the wall time, the failed ones. */
static void json_summary(struct cli *c, const struct fa_board *boards, size_t n, size_t failed,
			 double ms)
{
	json_t *o = jw_event("summary"), *list = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct fa_board *b = &boards[i];
		json_t *f;

		if (!b->err)
			continue;
		f = jw_object();
		jw_str(f, "usb_path", b->path);
		jw_int(f, "exit", b->code);
		jw_str(f, "error", stdfu_error_name(b->err));
		jw_push(list, f);
	}
	jw_str(o, "command", "flash");
	jw_str(o, "file", c->args[0]);
	jw_int(o, "boards", (long long)n);
	jw_int(o, "passed", (long long)(n - failed));
	jw_int(o, "failed", (long long)failed);
	jw_num(o, "ms", ms);
	jw_set(o, "failed_boards", list);
	jw_emit(o);
	c->result_done = true; /* the per-board results and this line end the run */
}

int fa_summary(struct fa_run *r)
{
	size_t failed = 0;
	double ms = (fa_now() - r->t0) * 1000;

	for (size_t i = 0; i < r->n; i++)
		failed += r->boards[i].err != 0;
	fa_duplicate_serials(r, true);
	if (r->cli->mode == OUT_JSON)
		json_summary(r->cli, r->boards, r->n, failed, ms);
	else if (r->cli->mode == OUT_HUMAN)
		fprintf(stderr, "flash --all: %zu of %zu boards passed, %zu failed (%.2f s)\n",
			r->n - failed, r->n, failed, ms / 1000);
	if (failed)
		failed_list(r, failed);
	return failed ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}
