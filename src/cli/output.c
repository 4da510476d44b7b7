/* SPDX-License-Identifier: MIT */
/*
 * All of stdfu's output. Three modes:
 *  - human: on a TTY a progress bar per phase on stderr; off a TTY plain lines;
 *  - quiet: errors only;
 *  - json:  one JSON object per line on stdout (schema in stdfu(1)).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "udev_hint.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void out_json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

void out_msg(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->mode != OUT_HUMAN)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- progress ------------------------------------------------------------ */

struct progress {
	double t0, last;
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

static void bar(const struct stdfu_event *ev, bool final)
{
	double t = now_s() - prog.t0, speed = t > 0 ? (double)ev->done / t : 0;
	double left = speed > 0 ? (double)(ev->total - ev->done) / speed : 0;
	unsigned pct = ev->total ? (unsigned)(ev->done * 100 / ev->total) : 100;
	char done[32], total[32], rate[32], fill[31];

	for (unsigned i = 0; i < 30; i++)
		fill[i] = i < pct * 30 / 100 ? '#' : '.';
	fill[30] = '\0';
	human_bytes(done, sizeof(done), (double)ev->done);
	human_bytes(total, sizeof(total), (double)ev->total);
	human_bytes(rate, sizeof(rate), speed);
	fprintf(stderr, "\r%-7s [%s] %3u%% %s/%s %s/s %s %.1fs\033[K", stdfu_phase_name(ev->phase),
		fill, pct, done, total, rate, final ? "in" : "left", final ? t : left);
	if (final)
		fputc('\n', stderr);
}

static void human_event(struct cli *c, const struct stdfu_event *ev)
{
	double t = now_s();

	if (ev->type == STDFU_EVENT_WARNING) {
		/* The ROM's blank-flash start state is normal: only JSON records it. */
		if (!strstr(ev->message, "harmless"))
			fprintf(stderr, "stdfu: note: %s\n", ev->message);
		return;
	}
	if (ev->phase == STDFU_PHASE_PREPARE)
		return;
	if (ev->type == STDFU_EVENT_SECTOR) {
		if (ev->sector->action == STDFU_SECTOR_FALLBACK)
			fprintf(stderr,
				"%sstdfu: note: the blank sector at 0x%08x cannot be written "
				"without an erase (errPROG, ECC flash): erased and written again\n",
				c->tty ? "\n" : "", ev->sector->address);
		return;
	}
	if (ev->type == STDFU_EVENT_PHASE_START) {
		prog.t0 = prog.last = t;
		if (!c->tty)
			fprintf(stderr, "%s...\n", stdfu_phase_name(ev->phase));
		return;
	}
	if (ev->type == STDFU_EVENT_PHASE_END) {
		if (c->tty && ev->total)
			bar(ev, true);
		else if (ev->phase == STDFU_PHASE_LEAVE)
			fprintf(stderr, "left DFU mode; device gone from the bus after %.2f s\n",
				t - prog.t0);
		else {
			char total[32];

			human_bytes(total, sizeof(total), (double)ev->done);
			fprintf(stderr, "%s done: %s in %.2f s\n", stdfu_phase_name(ev->phase),
				total, t - prog.t0);
		}
		return;
	}
	if (c->tty && ev->type == STDFU_EVENT_PROGRESS && t - prog.last >= 0.1) {
		prog.last = t;
		bar(ev, false);
	}
}

static void json_event(const struct stdfu_event *ev)
{
	double t = now_s();

	switch (ev->type) {
	case STDFU_EVENT_PHASE_START:
		prog.t0 = prog.last = t;
		printf("{\"event\":\"phase_start\",\"phase\":\"%s\",\"total\":%llu}\n",
		       stdfu_phase_name(ev->phase), (unsigned long long)ev->total);
		break;
	case STDFU_EVENT_PROGRESS:
		if (t - prog.last < 0.1 && ev->done != ev->total)
			return;
		prog.last = t;
		printf("{\"event\":\"progress\",\"phase\":\"%s\",\"done\":%llu,\"total\":%llu}\n",
		       stdfu_phase_name(ev->phase), (unsigned long long)ev->done,
		       (unsigned long long)ev->total);
		break;
	case STDFU_EVENT_PHASE_END:
		printf("{\"event\":\"phase_end\",\"phase\":\"%s\",\"bytes\":%llu,\"ms\":%.1f}\n",
		       stdfu_phase_name(ev->phase), (unsigned long long)ev->done,
		       (t - prog.t0) * 1000);
		break;
	case STDFU_EVENT_WARNING:
		fputs("{\"event\":\"warning\",\"message\":", stdout);
		out_json_string(ev->message);
		fputs("}\n", stdout);
		break;
	case STDFU_EVENT_SECTOR:
		printf("{\"event\":\"sector\",\"address\":\"0x%08x\",\"size\":%u,"
		       "\"action\":\"%s\"}\n",
		       ev->sector->address, ev->sector->size,
		       stdfu_sector_action_name(ev->sector->action));
		break;
	case STDFU_EVENT_DEVICE_FOUND:
		break;
	}
	fflush(stdout);
}

void out_event(const struct stdfu_event *ev, void *user)
{
	struct cli *c = user;

	if (c->mode == OUT_JSON)
		json_event(ev);
	else if (c->mode == OUT_HUMAN)
		human_event(c, ev);
}

/* ---- devices -------------------------------------------------------------- */

void out_device(struct cli *c, const struct stdfu_device_info *info)
{
	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"device\",\"usb_path\":\"%s\",\"serial\":", info->path);
		out_json_string(info->serial);
		printf(",\"vid\":\"%04x\",\"pid\":\"%04x\",\"transfer_size\":%u,\"dfu_version\":\"%"
		       "x.%02x\"}\n",
		       info->vid, info->pid, info->functional.transfer_size,
		       info->functional.bcd_dfu >> 8, info->functional.bcd_dfu & 0xff);
		fflush(stdout);
		return;
	}
	out_msg(c, "device %s serial %s (%04x:%04x)", info->path,
		info->serial[0] ? info->serial : "?", info->vid, info->pid);
}

void out_app_port(struct cli *c, const struct stdfu_app_port *p)
{
	const struct stdfu_device_info *d = &p->dev;

	if (c->mode == OUT_JSON) {
		fputs("{\"event\":\"app_port\",\"port\":", stdout);
		out_json_string(p->name);
		printf(",\"usb_path\":\"%s\",\"bus\":%u,\"address\":%u,\"vid\":\"%04x\","
		       "\"pid\":\"%04x\",\"serial\":",
		       d->path, d->bus, d->address, d->vid, d->pid);
		out_json_string(d->serial);
		fputs(",\"product\":", stdout);
		out_json_string(d->product);
		puts("}");
	} else if (c->mode == OUT_HUMAN) {
		printf("%s  %04x:%04x  serial %s  %s  application port %s (stdfu flash "
		       "triggers it)\n",
		       d->path[0] ? d->path : "?", d->vid, d->pid, d->serial[0] ? d->serial : "?",
		       d->product, p->name);
	}
}

/* ---- the way to the ROM and back ----------------------------------------------- */

static void json_step(const char *name, const struct stdfu_target_event *ev)
{
	printf("{\"event\":\"%s\",\"method\":\"%s\",\"port\":", name,
	       stdfu_trigger_method_name(ev->method));
	out_json_string(ev->port);
	printf(",\"usb_path\":\"%s\",\"address\":%u,\"ms\":%llu,\"elapsed_ms\":%llu}\n", ev->path,
	       ev->address, (unsigned long long)ev->step_ms, (unsigned long long)ev->elapsed_ms);
	fflush(stdout);
}

static void json_candidate(const struct stdfu_device_info *d)
{
	printf("{\"event\":\"candidate\",\"usb_path\":\"%s\",\"serial\":", d->path);
	out_json_string(d->serial);
	puts("}");
	fflush(stdout);
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
		out_msg(c, "trigger: no application port found: looking for a board already in "
			   "DFU mode");
		return;
	case STDFU_TARGET_EV_CANDIDATE:
		return; /* the error's detail lists them */
	}
}

void out_target_event(const struct stdfu_target_event *ev, void *user)
{
	static const char *const names[] = {"target", "trigger", "left", "dfu_found", "app_back"};
	struct cli *c = user;

	if (ev->kind == STDFU_TARGET_EV_CANDIDATE) {
		if (c->mode == OUT_JSON)
			json_candidate(ev->dev);
		return;
	}
	/* A command without the trigger options only opens a board in DFU: quiet. */
	if (!(c->cmd->opts & OPT_TRIGGER))
		return;
	if (c->mode == OUT_HUMAN)
		human_step(c, ev);
	if (c->mode != OUT_JSON || ev->kind == STDFU_TARGET_EV_NO_APP)
		return;
	if (ev->kind != STDFU_TARGET_EV_CHOSEN || ev->already_dfu)
		json_step(names[ev->kind], ev);
}

/* The trigger's steps in the result line's "phases" (durations in ms). */
static void json_target_steps(const struct cli *c, bool before, bool *first)
{
	const struct stdfu_target_report *r = &c->trig.report;

	if (before && r->triggered) {
		printf("%s\"trigger\":{\"ms\":%llu,\"method\":\"%s\",\"port\":", *first ? "" : ",",
		       (unsigned long long)r->trigger_ms,
		       stdfu_trigger_method_name(c->trig.method));
		out_json_string(r->app.name);
		printf(",\"usb_path\":\"%s\"},\"left\":{\"ms\":%llu},"
		       "\"dfu_found\":{\"ms\":%llu,\"usb_path\":\"%s\",\"address\":%u}",
		       r->app.dev.path, (unsigned long long)r->left_ms,
		       (unsigned long long)r->found_ms, r->dfu.path, r->dfu.address);
		*first = false;
	}
	if (!before && r->app_back) {
		printf("%s\"app_back\":{\"ms\":%llu,\"port\":", *first ? "" : ",",
		       (unsigned long long)r->app_back_ms);
		out_json_string(r->back.name);
		printf(",\"usb_path\":\"%s\"}", r->back.dev.path);
		*first = false;
	}
}

/* ---- errors and exit codes ------------------------------------------------- */

int cli_exit_code(int err)
{
	switch (err) {
	case STDFU_OK:
		return CLI_EXIT_OK;
	case STDFU_ERR_ARG:
		return CLI_EXIT_USAGE;
	case STDFU_ERR_NO_DEVICE:
		return CLI_EXIT_NO_DEVICE;
	case STDFU_ERR_AMBIGUOUS:
		return CLI_EXIT_AMBIGUOUS;
	case STDFU_ERR_ACCESS:
		return CLI_EXIT_PERMISSION;
	case STDFU_ERR_BUSY:
		return CLI_EXIT_BUSY;
	case STDFU_ERR_IMAGE:
		return CLI_EXIT_BAD_IMAGE;
	case STDFU_ERR_FILE:
		return CLI_EXIT_FILE;
	case STDFU_ERR_FIT:
		return CLI_EXIT_FIT;
	case STDFU_ERR_DFU_STATUS:
		return CLI_EXIT_DFU_STATUS;
	case STDFU_ERR_VERIFY:
		return CLI_EXIT_VERIFY;
	case STDFU_ERR_IO:
		return CLI_EXIT_IO;
	case STDFU_ERR_TIMEOUT:
		return CLI_EXIT_TIMEOUT;
	case STDFU_ERR_PROTECTED:
		return CLI_EXIT_PROTECTED;
	case STDFU_ERR_GONE:
		return CLI_EXIT_GONE;
	case STDFU_ERR_PROTOCOL:
		return CLI_EXIT_PROTOCOL;
	case STDFU_ERR_MISMATCH:
		return CLI_EXIT_MISMATCH;
	case STDFU_ERR_TRIGGER:
		return CLI_EXIT_TRIGGER;
	case STDFU_ERR_REFUSED:
		return CLI_EXIT_REFUSED;
	case STDFU_ERR_UNSUPPORTED:
		return CLI_EXIT_UNSUPPORTED;
	case STDFU_ERR_ELSEWHERE:
		return CLI_EXIT_ELSEWHERE;
	case STDFU_ERR_ADDRESS:
		return CLI_EXIT_ADDRESS;
	case STDFU_ERR_CANCELLED:
		return cli_signal_exit_code();
	case STDFU_ERR_RESTARTED:
		return CLI_EXIT_GONE;
	default:
		return CLI_EXIT_INTERNAL;
	}
}

/* Which situation a hint is for: what the command does to the board. */
enum hint_when { H_ANY, H_WRITES, H_READS };

static const struct {
	int err;
	enum hint_when when;
	const char *text;
} hints[] = {
	{STDFU_ERR_NO_DEVICE, H_ANY,
	 "put the board in DFU mode (BOOT0 high, then reset) and check `stdfu list`"},
	{STDFU_ERR_AMBIGUOUS, H_ANY, "pick one of the devices above with --usb-path or --serial"},
	{STDFU_ERR_BUSY, H_ANY,
	 "another program (dfu-util, another stdfu) has the device open; close it"},
	{STDFU_ERR_FIT, H_ANY,
	 "the image is too big for this part (or hits memory that is not writable): "
	 "check it against the memory map of `stdfu info`"},
	{STDFU_ERR_ADDRESS, H_WRITES,
	 "give an --address inside the flash (see `stdfu info`), or check where the "
	 "image is linked"},
	{STDFU_ERR_ADDRESS, H_READS,
	 "give an --address and --length inside the memory map of `stdfu info`"},
	{STDFU_ERR_PROTECTED, H_ANY,
	 "read protection (RDP level 1) is active: the ROM refuses to erase, write "
	 "or read the flash. `stdfu unprotect --yes` removes it; that MASS-ERASES the "
	 "whole flash and resets the device. Then flash again"},
	{STDFU_ERR_DFU_STATUS, H_WRITES,
	 "the flash is probably half-written: flash the image again; if the error "
	 "persists, check write protection in the option bytes"},
	{STDFU_ERR_DFU_STATUS, H_READS,
	 "nothing was written; check the address and length against `stdfu info`, "
	 "then try again"},
	{STDFU_ERR_GONE, H_WRITES,
	 "the device left the bus part-way: the flash is probably half-written. "
	 "Reconnect the board, put it in DFU mode and flash again"},
	{STDFU_ERR_GONE, H_READS,
	 "the device left the bus part-way; nothing was written to it. Reconnect the "
	 "board, put it in DFU mode and try again"},
	{STDFU_ERR_VERIFY, H_ANY,
	 "the flash does not hold the image: flash again; if it persists, check "
	 "write protection in the option bytes"},
	{STDFU_ERR_TIMEOUT, H_ANY, "reset the board into DFU mode and try again"},
	{STDFU_ERR_TRIGGER, H_ANY,
	 "try another --method (byte, touch1200, detach, micropython, betaflight, "
	 "text:STRING), or enter DFU with BOOT0 and use --method none"},
	{STDFU_ERR_REFUSED, H_ANY,
	 "the ROM bootloader did not keep the board: see the detail above"},
	{STDFU_ERR_ELSEWHERE, H_ANY,
	 "check which board went into DFU (stdfu list); --any-port accepts it"},
	{STDFU_ERR_IO, H_ANY, "check the cable and hub, then try again"},
	{STDFU_ERR_MISMATCH, H_ANY, "use an image built for this device, or --force"},
	{STDFU_ERR_IMAGE, H_ANY,
	 "check the file (or give --format); what is not an application is flashed "
	 "only with --force"},
	{STDFU_ERR_RESTARTED, H_ANY,
	 "the board restarted after finishing an interrupted leave; run the command "
	 "again"},
	{STDFU_ERR_PROTOCOL, H_ANY,
	 "the device answered what a ST ROM bootloader does not: reset the board "
	 "into DFU mode and try again; if it persists the device is not a genuine "
	 "ST ROM or is faulty"},
};

/* Commands that erase or write the board: a failure there may leave it half-written. */
static bool writes_board(const struct cli *c)
{
	static const char *const writers[] = {"flash", "erase", "unprotect"};

	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (c->cmd && !strcmp(c->cmd->name, writers[i]))
			return true;
	return false;
}

static const char *hint_when(int err, enum hint_when now)
{
	if (err == STDFU_ERR_ACCESS)
		return cli_udev_hint();
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].err == err && (hints[i].when == H_ANY || hints[i].when == now))
			return hints[i].text;
	return NULL;
}

static const char *hint(const struct cli *c, int err)
{
	return hint_when(err, writes_board(c) ? H_WRITES : H_READS);
}

/* The hint for a command that writes the board (flash --all). */
const char *out_hint(int err)
{
	return hint_when(err, H_WRITES);
}

/* A failure the tool itself found: @fmt is the detail. */
int out_fail_msg(struct cli *c, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return out_fail_detail(c, err, msg);
}

int out_fail(struct cli *c, int err)
{
	return out_fail_detail(c, err, stdfu_error_detail());
}

int out_fail_detail(struct cli *c, int err, const char *detail)
{
	const char *h = err == STDFU_ERR_CANCELLED ? cli_resume_hint(c) : hint(c, err);
	int code = cli_exit_code(err);

	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"result\",\"command\":\"%s\",\"ok\":false,\"exit\":%d,"
		       "\"error\":\"%s\",\"message\":",
		       c->cmd->name, code, stdfu_error_name(err));
		out_json_string(detail[0] ? detail : stdfu_strerror(err));
		fputs(",\"hint\":", stdout);
		out_json_string(h ? h : "");
		puts("}");
		fflush(stdout);
		return code;
	}
	if (c->tty && c->mode == OUT_HUMAN)
		fputc('\n', stderr);
	fprintf(stderr, "stdfu: %s: %s\n", stdfu_strerror(err),
		detail[0] ? detail : stdfu_strerror(err));
	if (h)
		fprintf(stderr, "stdfu: hint: %s\n", h);
	return code;
}

static void json_phase(const struct stdfu_result *res, int p, bool *first)
{
	const struct stdfu_phase_result *r = &res->phase[p];

	printf("%s\"%s\":{\"ms\":%.1f,\"bytes\":%llu,\"transfers\":%llu}", *first ? "" : ",",
	       stdfu_phase_name(p), (double)r->ns / 1e6, (unsigned long long)r->bytes,
	       (unsigned long long)r->transfers);
	*first = false;
}

int out_result(struct cli *c, int err, const struct stdfu_result *res)
{
	bool first = true;

	if (err)
		return out_fail(c, err);
	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"result\",\"command\":\"%s\",\"ok\":true,\"exit\":0,\"ms\":%."
		       "1f,"
		       "\"phases\":{",
		       c->cmd->name, res ? (double)res->ns / 1e6 : 0.0);
		json_target_steps(c, true, &first);
		for (int p = 0; res && p < STDFU_PHASE__COUNT; p++)
			if (res->phase[p].ns || res->phase[p].transfers)
				json_phase(res, p, &first);
		json_target_steps(c, false, &first);
		printf("},\"transfers\":%llu,\"transfers_total\":%llu}\n",
		       res ? (unsigned long long)res->transfers : 0ull,
		       c->ctx ? (unsigned long long)stdfu_ctx_transfers(c->ctx) : 0ull);
		fflush(stdout);
		return CLI_EXIT_OK;
	}
	if (res)
		out_msg(c, "%s: ok (%.2f s, %llu control transfers)", c->cmd->name,
			(double)res->ns / 1e9,
			c->ctx ? (unsigned long long)stdfu_ctx_transfers(c->ctx)
			       : (unsigned long long)res->transfers);
	return CLI_EXIT_OK;
}
