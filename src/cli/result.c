/* SPDX-License-Identifier: MIT */
/*
 * The end of every command: exactly one result, success or failure, with the
 * exit code, the error, what stdfu found and the advice for it (hints.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hints.h"
#include "json.h"

static const struct {
	int err, code;
} exit_codes[] = {
	{STDFU_OK, CLI_EXIT_OK},
	{STDFU_ERR_ARG, CLI_EXIT_USAGE},
	{STDFU_ERR_NO_DEVICE, CLI_EXIT_NO_DEVICE},
	{STDFU_ERR_AMBIGUOUS, CLI_EXIT_AMBIGUOUS},
	{STDFU_ERR_ACCESS, CLI_EXIT_PERMISSION},
	{STDFU_ERR_BUSY, CLI_EXIT_BUSY},
	{STDFU_ERR_IMAGE, CLI_EXIT_BAD_IMAGE},
	{STDFU_ERR_FILE, CLI_EXIT_FILE},
	{STDFU_ERR_FIT, CLI_EXIT_FIT},
	{STDFU_ERR_DFU_STATUS, CLI_EXIT_DFU_STATUS},
	{STDFU_ERR_VERIFY, CLI_EXIT_VERIFY},
	{STDFU_ERR_IO, CLI_EXIT_IO},
	{STDFU_ERR_TIMEOUT, CLI_EXIT_TIMEOUT},
	{STDFU_ERR_PROTECTED, CLI_EXIT_PROTECTED},
	{STDFU_ERR_GONE, CLI_EXIT_GONE},
	{STDFU_ERR_PROTOCOL, CLI_EXIT_PROTOCOL},
	{STDFU_ERR_MISMATCH, CLI_EXIT_MISMATCH},
	{STDFU_ERR_TRIGGER, CLI_EXIT_TRIGGER},
	{STDFU_ERR_REFUSED, CLI_EXIT_REFUSED},
	{STDFU_ERR_UNSUPPORTED, CLI_EXIT_UNSUPPORTED},
	{STDFU_ERR_ELSEWHERE, CLI_EXIT_ELSEWHERE},
	{STDFU_ERR_ADDRESS, CLI_EXIT_ADDRESS},
};

int cli_exit_code(int err)
{
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i].err == err)
			return exit_codes[i].code;
	return CLI_EXIT_INTERNAL;
}

json_t *out_extra(struct cli *c)
{
	if (!c->extra)
		c->extra = jw_object();
	return c->extra;
}

static json_t *result_line(struct cli *c, bool ok, int code)
{
	json_t *o = jw_event("result");

	jw_set(o, "command", c->cmd ? json_string(c->cmd->name) : json_null());
	jw_bool(o, "ok", ok);
	jw_int(o, "exit", code);
	jw_num(o, "ms", (double)(out_now_us() - c->t0_us) / 1000);
	if (c->extra) {
		json_object_update(o, c->extra);
		json_decref(c->extra);
		c->extra = NULL;
	}
	c->result_done = true;
	return o;
}

json_t *out_cause_json(const struct stdfu_cause *cause)
{
	json_t *o = jw_object();

	jw_str(o, "kind", stdfu_cause_name(cause->kind));
	jw_set(o, "phase",
	       cause->phase >= 0 ? json_string(stdfu_phase_name(cause->phase)) : json_null());
	jw_set(o, "request", cause->request >= 0 ? json_integer(cause->request) : json_null());
	jw_set(o, "state",
	       cause->state >= 0 ? json_string(stdfu_dfu_state_name(cause->state)) : json_null());
	jw_set(o, "status",
	       cause->status >= 0 ? json_string(stdfu_dfu_status_name(cause->status))
				  : json_null());
	jw_str(o, "found", cause->found);
	return o;
}

static void fail_json(struct cli *c, int err, int code, const char *msg, const struct cli_hint *h,
		      const char *hint)
{
	json_t *o = result_line(c, false, code);

	jw_str(o, "error", stdfu_error_name(err));
	jw_str(o, "message", msg);
	jw_set(o, "cause", out_cause_json(stdfu_error_cause()));
	jw_str(o, "hint", hint);
	jw_set(o, "hint_id", h ? json_string(h->id) : json_null());
	jw_emit(o);
}

int out_fail(struct cli *c, int err)
{
	return out_fail_msg(c, err, NULL);
}

int out_fail_msg(struct cli *c, int err, const char *what)
{
	const struct stdfu_cause *cause = stdfu_error_cause();
	const struct cli_hint *h = cli_hint_find(err, cause);
	const char *detail = what ? what : stdfu_error_detail();
	const char *msg = detail[0] ? detail : stdfu_strerror(err);
	int code = cli_exit_code(err);
	char hint[768] = "", line[1200];

	if (h)
		cli_hint_format(h, cause, hint, sizeof(hint));
	if (c->mode == OUT_JSON) {
		fail_json(c, err, code, msg, h, hint);
		return code;
	}
	c->result_done = true;
	if (c->tty && c->mode == OUT_HUMAN)
		fputc('\n', stderr);
	fprintf(stderr, "stdfu: %serror%s: ", term_on(TERM_ERROR), term_off());
	snprintf(line, sizeof(line), "%s: %s", stdfu_strerror(err), msg);
	out_text(c, strlen("stdfu: error: "), line);
	if (h) {
		snprintf(line, sizeof(line), "stdfu: hint: %s", hint);
		out_text(c, 0, line);
	}
	return code;
}

int out_usage(struct cli *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->mode == OUT_JSON) {
		json_t *o = result_line(c, false, CLI_EXIT_USAGE);

		jw_str(o, "error", "usage");
		jw_str(o, "message", msg);
		jw_str(o, "hint", c->cmd ? "see `stdfu help COMMAND`" : "see `stdfu --help`");
		jw_str(o, "usage", c->cmd ? c->cmd->synopsis : "stdfu [OPTIONS] COMMAND [ARGS]");
		jw_emit(o);
	} else {
		fprintf(stderr, "stdfu: %serror%s: %s\n", term_on(TERM_ERROR), term_off(), msg);
		if (c->cmd)
			fprintf(stderr, "usage: stdfu %s %s\n", c->cmd->name, c->cmd->synopsis);
		else
			fprintf(stderr, "Try `stdfu --help`.\n");
	}
	c->result_done = true;
	return CLI_EXIT_USAGE;
}

json_t *out_phases_json(const struct stdfu_target_report *r, enum stdfu_trigger_method method,
			const struct stdfu_result *res)
{
	json_t *phases = jw_object();

	out_target_steps(r, method, phases, true);
	for (int p = 0; res && p < STDFU_PHASE__COUNT; p++) {
		const struct stdfu_phase_result *pr = &res->phase[p];
		json_t *ph;

		if (!pr->ns && !pr->transfers)
			continue;
		ph = jw_object();
		jw_num(ph, "ms", (double)pr->ns / 1e6);
		jw_int(ph, "bytes", (long long)pr->bytes);
		jw_int(ph, "transfers", (long long)pr->transfers);
		jw_set(phases, stdfu_phase_name(p), ph);
	}
	out_target_steps(r, method, phases, false);
	return phases;
}

int out_result(struct cli *c, int err, const struct stdfu_result *res)
{
	json_t *o, *phases;

	if (err)
		return out_fail(c, err);
	if (c->mode != OUT_JSON) {
		c->result_done = true;
		if (res)
			out_msg(c, "%s: %sok%s (%.2f s, %llu control transfers)", c->cmd->name,
				term_on(TERM_OK), term_off(),
				(double)(out_now_us() - c->t0_us) / 1e6,
				c->ctx ? (unsigned long long)stdfu_ctx_transfers(c->ctx)
				       : (unsigned long long)res->transfers);
		return CLI_EXIT_OK;
	}
	o = result_line(c, true, CLI_EXIT_OK);
	phases = out_phases_json(&c->trig.report, c->trig.method, res);
	jw_set(o, "phases", phases);
	jw_int(o, "transfers", res ? (long long)res->transfers : 0);
	jw_int(o, "transfers_total", c->ctx ? (long long)stdfu_ctx_transfers(c->ctx) : 0);
	jw_emit(o);
	return CLI_EXIT_OK;
}

void out_finish(struct cli *c, int code)
{
	json_t *o;

	if (c->result_done || c->mode != OUT_JSON)
		return;
	/* A path that reported on stderr only: still one result line for scripts. */
	o = result_line(c, code == 0, code);
	if (code) {
		jw_str(o, "error", code == CLI_EXIT_USAGE ? "usage" : "internal");
		jw_str(o, "message", "see stderr");
		jw_str(o, "hint", "");
	}
	jw_emit(o);
}
