/* SPDX-License-Identifier: MIT */
/*
 * --plug-schedule: boards plugged into the emulated bus and pulled out of it
 * over time, as an operator does at a fixture (plug_schedule.h: the file).
 *
 * Pulling a board out is what a real unplug does to the host, whatever the
 * board was doing: the device goes away at once (usbfs.c: in-flight URBs end
 * with -ESHUTDOWN, later ioctls fail with ENODEV; tty.c: the ttyACM reads
 * EIO, then its node goes), every client gets the "remove" uevents, and no
 * re-enumeration that was under way (ROM <-> application) comes back.
 * Plugging it in again is a power-on: flash, option bytes and UID are the
 * chip's and stay.
 */
#include "emu.h"

#include <stdio.h>
#include <string.h>

int emu_plug_load(struct emu_options *o, char *err, size_t errlen)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *gerr = NULL;
	char why[300];
	int rc = 0;

	emu_plug_schedule_free(&o->plug);
	if (!g_file_get_contents(o->plug_file, &text, &len, &gerr)) {
		snprintf(err, errlen, "--plug-schedule: %s", gerr->message);
		g_error_free(gerr);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen,
			 "--plug-schedule %s: not a text file (it holds NUL bytes); give lines "
			 "'<ms> plug <i>' or '<ms> unplug <i>'",
			 o->plug_file);
		rc = -1;
	} else if (emu_plug_schedule_parse(text, o->boards, &o->plug, why, sizeof(why))) {
		snprintf(err, errlen, "--plug-schedule %s: %s", o->plug_file, why);
		rc = -1;
	}
	g_free(text);
	return rc;
}

bool emu_plug_starts_in(const struct emu_ctx *ctx, unsigned index)
{
	return index < 1 || index > 32 || !(ctx->opt.plug.starts_unplugged & (1u << (index - 1)));
}

void emu_board_cable_out(struct emu_board *b)
{
	g_mutex_lock(&b->lock);
	b->cable_out = true;
	b->cable_epoch++; /* a re-enumeration under way does not come back */
	b->pending_plug = false;
	g_mutex_unlock(&b->lock);
	emu_board_unplug(b);
	g_mutex_lock(&b->lock);
	emu_rom_power_off(b->rom);
	g_mutex_unlock(&b->lock);
	if (b->ctx->opt.verbose)
		fprintf(stderr, "stdfu-emu: board %u: unplugged (--plug-schedule)\n", b->index);
}

void emu_board_cable_in(struct emu_board *b)
{
	enum emu_dev_kind kind;

	g_mutex_lock(&b->lock);
	b->cable_out = false;
	b->cable_epoch++;
	b->pending_plug = false;
	g_mutex_unlock(&b->lock);
	kind = emu_board_power_on_kind(b);
	if (b->ctx->opt.verbose)
		fprintf(stderr, "stdfu-emu: board %u: plugged in (--plug-schedule)%s\n", b->index,
			kind == EMU_DEV_NONE ? ": the option bytes boot nothing USB shows" : "");
	if (kind != EMU_DEV_NONE)
		emu_board_plug(b, kind);
}

static gboolean count_unplug_cb(gpointer data)
{
	emu_board_cable_out(data);
	return G_SOURCE_REMOVE;
}

/*
 * The reply to the n-th request still reaches the host. From then on the
 * board is off the bus for its handlers (a new generation: the next request,
 * however soon it comes, fails with ENODEV as after a real pull, so the cut is
 * at the same request on every run), and the main loop takes it off the
 * testbed as it does for a timed unplug.
 */
void emu_plug_count_request(struct emu_board *b)
{
	uint32_t limit = b->ctx->opt.plug.unplug_after[b->index - 1];

	b->requests++;
	if (!limit || b->requests != limit)
		return;
	b->generation++;
	b->cable_out = true;
	b->cable_epoch++;
	b->pending_plug = false;
	g_idle_add(count_unplug_cb, b);
}

static uint32_t elapsed_ms(const struct emu_ctx *ctx)
{
	return (uint32_t)((emu_now_ns() - ctx->command_start_ns) / 1000000u);
}

static gboolean plug_tick(gpointer data);

/* One timer at a time, for the next event, counted from the start: no drift. */
static void arm_next(struct emu_ctx *ctx)
{
	const struct emu_plug_schedule *s = &ctx->opt.plug;
	uint32_t now;

	if (ctx->plug_next >= s->n)
		return;
	now = elapsed_ms(ctx);
	g_timeout_add(s->ev[ctx->plug_next].ms > now ? s->ev[ctx->plug_next].ms - now : 0,
		      plug_tick, ctx);
}

/* Apply what is due by now. */
static void run_due(struct emu_ctx *ctx)
{
	const struct emu_plug_schedule *s = &ctx->opt.plug;
	uint32_t now = elapsed_ms(ctx);

	while (ctx->plug_next < s->n && s->ev[ctx->plug_next].ms <= now) {
		const struct emu_plug_event *e = &s->ev[ctx->plug_next++];
		struct emu_board *b = &ctx->board[e->board - 1];

		if (e->plug)
			emu_board_cable_in(b);
		else
			emu_board_cable_out(b);
	}
}

static gboolean plug_tick(gpointer data)
{
	struct emu_ctx *ctx = data;

	run_due(ctx);
	arm_next(ctx);
	return G_SOURCE_REMOVE;
}

/* Events at 0 ms happen before COMMAND runs: it finds those boards there. */
void emu_plug_start(struct emu_ctx *ctx)
{
	ctx->command_start_ns = emu_now_ns();
	ctx->plug_next = 0;
	run_due(ctx);
	arm_next(ctx);
}
