/* SPDX-License-Identifier: MIT */
/*
 * The end of each board and of the run for stdfu flash --all: a result per
 * board (its own exit code), duplicate serials, the summary, and the list of
 * failed boards on stderr. Exit 0 only if every board passed, else 23.
 */
#include <stdio.h>
#include <string.h>

#include "flash_all.h"

static void json_phases(const struct fa_board *b)
{
	const struct stdfu_target_report *r = &b->rep;
	bool first = true;

	fputs(",\"phases\":{", stdout);
	if (r->triggered) {
		printf("\"trigger\":{\"ms\":%llu},\"left\":{\"ms\":%llu},\"dfu_found\":{\"ms\":%"
		       "llu,"
		       "\"address\":%u}",
		       (unsigned long long)r->trigger_ms, (unsigned long long)r->left_ms,
		       (unsigned long long)r->found_ms, r->dfu.address);
		first = false;
	}
	for (int p = 0; p < STDFU_PHASE__COUNT; p++) {
		const struct stdfu_phase_result *ph = &b->res.phase[p];

		if (!ph->ns && !ph->transfers)
			continue;
		printf("%s\"%s\":{\"ms\":%.1f,\"bytes\":%llu,\"transfers\":%llu}", first ? "" : ",",
		       stdfu_phase_name(p), (double)ph->ns / 1e6, (unsigned long long)ph->bytes,
		       (unsigned long long)ph->transfers);
		first = false;
	}
	if (r->app_back)
		printf("%s\"app_back\":{\"ms\":%llu}", first ? "" : ",",
		       (unsigned long long)r->app_back_ms);
	putchar('}');
}

static void json_result(const struct fa_board *b)
{
	const char *h = out_hint(b->err);

	printf("{\"event\":\"result\",\"command\":\"flash\",\"usb_path\":");
	out_json_string(b->path);
	fputs(",\"serial\":", stdout);
	out_json_string(b->serial);
	printf(",\"ok\":%s,\"exit\":%d,\"ms\":%.1f", b->err ? "false" : "true", b->code,
	       (b->t_end - b->t0) * 1000);
	if (b->err) {
		printf(",\"error\":\"%s\",\"message\":", stdfu_error_name(b->err));
		out_json_string(b->detail);
		fputs(",\"hint\":", stdout);
		out_json_string(h ? h : "");
	} else {
		json_phases(b);
		printf(",\"transfers\":%llu", (unsigned long long)b->transfers);
	}
	puts("}");
	fflush(stdout);
}

static void plain_result(const struct fa_board *b, const char *h)
{
	if (!b->err) {
		fprintf(stderr, "%s: flash: ok (%.2f s, %llu control transfers)\n", b->path,
			b->t_end - b->t0, (unsigned long long)b->transfers);
		return;
	}
	fprintf(stderr, "%s: stdfu: %s: %s\n", b->path, stdfu_strerror(b->err), b->detail);
	if (h)
		fprintf(stderr, "%s: stdfu: hint: %s\n", b->path, h);
}

static void finish(struct fa_board *b, int err, const char *detail)
{
	struct fa_run *r = b->run;

	pthread_mutex_lock(&r->lock);
	b->err = err;
	b->code = cli_exit_code(err);
	snprintf(b->detail, sizeof(b->detail), "%s", detail[0] ? detail : stdfu_strerror(err));
	b->t_end = fa_now();
	b->state = err ? "FAILED" : "ok";
	b->finished = true;
	r->n_finished++;
	if (r->cli->mode == OUT_JSON)
		json_result(b);
	else if (r->cli->mode == OUT_HUMAN && !r->live)
		plain_result(b, out_hint(err));
	pthread_mutex_unlock(&r->lock);
}

void fa_finished(struct fa_board *b, int err)
{
	finish(b, err, err ? stdfu_error_detail() : "");
}

void fa_absent(struct fa_board *b)
{
	char d[160];

	snprintf(d, sizeof(d),
		 "nothing at usb-path %s: no ST DFU device and no application port there", b->path);
	b->t0 = fa_now();
	finish(b, STDFU_ERR_NO_DEVICE, d);
}

void fa_fail_start(struct fa_board *b)
{
	b->t0 = fa_now();
	finish(b, STDFU_ERR_NOMEM, "cannot start a thread for this board");
}

int fa_no_boards(struct cli *c)
{
	const char *d = "no board found: no ST DFU device (0483:df11) and no application port "
			"of a known VID:PID";

	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"result\",\"command\":\"flash\",\"ok\":false,\"exit\":%d,"
		       "\"error\":\"no-device\",\"message\":\"%s\",\"hint\":",
		       CLI_EXIT_NO_DEVICE, d);
		out_json_string(out_hint(STDFU_ERR_NO_DEVICE));
		puts("}");
		printf("{\"event\":\"summary\",\"command\":\"flash\",\"boards\":0,\"passed\":0,"
		       "\"failed\":0,\"ms\":0.0,\"failed_boards\":[]}\n");
		fflush(stdout);
	}
	fprintf(stderr, "stdfu: %s\nstdfu: hint: %s\n", d, out_hint(STDFU_ERR_NO_DEVICE));
	return CLI_EXIT_NO_DEVICE;
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
		printf("{\"event\":\"warning\",\"usb_path\":\"%s\",\"usb_paths\":[", same[0]->path);
		for (size_t i = 0; i < n; i++)
			printf("%s\"%s\"", i ? "," : "", same[i]->path);
		fputs("],\"serial\":", stdout);
		out_json_string(same[0]->serial);
		printf(",\"message\":\"%zu boards report the same serial number; they are told "
		       "apart by USB port path\"}\n",
		       n);
		fflush(stdout);
	}
	if (r->cli->mode == OUT_QUIET)
		return;
	fprintf(stderr, "stdfu: warning: boards");
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

static void json_summary(const struct fa_run *r, size_t failed, double ms)
{
	bool first = true;

	printf("{\"event\":\"summary\",\"command\":\"flash\",\"boards\":%zu,\"passed\":%zu,"
	       "\"failed\":%zu,\"ms\":%.1f,\"failed_boards\":[",
	       r->n, r->n - failed, failed, ms);
	for (size_t i = 0; i < r->n; i++) {
		const struct fa_board *b = &r->boards[i];

		if (!b->err)
			continue;
		printf("%s{\"usb_path\":\"%s\",\"exit\":%d,\"error\":\"%s\"}", first ? "" : ",",
		       b->path, b->code, stdfu_error_name(b->err));
		first = false;
	}
	puts("]}");
	fflush(stdout);
}

int fa_summary(struct fa_run *r)
{
	size_t failed = 0;
	double ms = (fa_now() - r->t0) * 1000;

	for (size_t i = 0; i < r->n; i++)
		failed += r->boards[i].err != 0;
	fa_duplicate_serials(r, true);
	if (r->cli->mode == OUT_JSON)
		json_summary(r, failed, ms);
	else if (r->cli->mode == OUT_HUMAN)
		fprintf(stderr, "flash --all: %zu of %zu boards passed, %zu failed (%.2f s)\n",
			r->n - failed, r->n, failed, ms / 1000);
	if (failed)
		failed_list(r, failed);
	return failed ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}
