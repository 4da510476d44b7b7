/* SPDX-License-Identifier: MIT */
/*
 * Following a board across a re-enumeration: send the trigger, then step the
 * wait state machine (trigger/trigger_wait.c) with bus snapshots until the ROM
 * is on the recorded port path; after a leave, the same for the application.
 */
#include <stdlib.h>
#include <string.h>

#include "usb/bus_internal.h"
#include "common/error_internal.h"
#include "target/target_internal.h"
#include "trigger/trigger_internal.h"

/* Up to this long for udev to give the new ROM device node its permissions. */
#define STDFU_TARGET_SETTLE_MS 1000u

static uint64_t now_ms(void)
{
	return stdfu__now_us() / 1000u;
}

/*
 * The byte method's port stays open, silent, until close_at (the protocol's
 * rule c). The byte is sent once more at resend_at if the board is still on
 * the bus then: a chunk another program wrote just before we opened the port
 * makes the companion ignore our byte (rule b), and the second one, alone
 * after a silence longer than the window, is honoured.
 */
struct wait_io {
	struct sp_port *close_port;
	uint64_t close_at;
	uint64_t resend_at; /* 0: no resend (other methods, or done) */
	const char *port;
	uint8_t byte;
};

static void close_port(struct wait_io *io, uint64_t now, bool always)
{
	if (!io || !io->close_port || (!always && now < io->close_at))
		return;
	stdfu__trigger_port_close(io->close_port);
	io->close_port = NULL;
}

/* One snapshot through the wait: STDFU_WAIT_PENDING, STDFU_OK (*found) or an error. */
static int wait_once(struct stdfu_target_run *r, struct stdfu_wait *w, uint64_t now,
		     const struct stdfu_device_info *was, struct stdfu_device_info *found,
		     uint64_t *left_at)
{
	struct stdfu_device_list *snap;
	size_t idx = 0;
	bool just_left;
	int rc = stdfu_bus_snapshot(r->ctx, &snap);

	if (rc)
		return rc;
	rc = stdfu_wait_step(w, snap->items, snap->count, now, &idx, &just_left);
	if (just_left) {
		*left_at = now;
		/* After a leave the ROM's departure was already confirmed by the
		 * DFU code: only the application leaving is news. */
		if (w->target == STDFU_WAIT_FOR_DFU)
			stdfu__target_emit(r, STDFU_TARGET_EV_LEFT, was, false);
	}
	if (rc == STDFU_OK)
		*found = snap->items[idx];
	stdfu_device_list_free(snap);
	return rc;
}

static void maybe_resend(struct wait_io *io, const struct stdfu_wait *w, uint64_t now)
{
	if (!io || !io->resend_at || now < io->resend_at)
		return;
	io->resend_at = 0;
	if (w->left)
		return;
	close_port(io, now, true);
	/* Best effort: the board may be resetting right now. */
	if (stdfu__trigger_send_byte(io->port, io->byte, &io->close_port))
		stdfu_error_clear();
	io->close_at = now + STDFU_TRIGGER_HOST_POST_SILENCE_MS;
}

/* How long to nap: until the wait's own deadline, or the port's next step. */
static uint64_t nap_ms(const struct stdfu_wait *w, const struct wait_io *io, uint64_t now)
{
	uint64_t next = stdfu_wait_next_ms(w, now);

	if (io && io->close_port && io->close_at - now < next)
		next = io->close_at > now ? io->close_at - now : 0;
	if (io && io->resend_at && io->resend_at - now < next)
		next = io->resend_at > now ? io->resend_at - now : 0;
	/* a cancel is noticed within a tenth of a second */
	return next > 100 ? 100 : next;
}

static int wait_loop(struct stdfu_target_run *r, struct stdfu_wait *w, struct wait_io *io,
		     const struct stdfu_device_info *was, struct stdfu_device_info *found,
		     uint64_t *left_at)
{
	struct stdfu_usb_watch *watch = stdfu__usb_watch_start(r->ctx);
	int rc;

	for (;;) {
		uint64_t now = now_ms();

		close_port(io, now, false);
		if (stdfu_ctx_cancelled(r->ctx)) {
			rc = stdfu__fail(STDFU_ERR_CANCELLED,
					 "interrupted while waiting for the board; nothing was "
					 "written to it");
			break;
		}
		rc = wait_once(r, w, now, was, found, left_at);
		if (rc != STDFU_WAIT_PENDING)
			break;
		maybe_resend(io, w, now_ms());
		stdfu__usb_watch_nap(watch, nap_ms(w, io, now_ms()));
	}
	stdfu__usb_watch_stop(watch);
	close_port(io, 0, true);
	return rc;
}

/* Start waiting at @now from the bus as it was in @before (the baseline). */
static void wait_start(struct stdfu_target_run *r, struct stdfu_wait *w,
		       enum stdfu_wait_target target, const char *path,
		       const struct stdfu_device_info *was, const struct stdfu_device_list *before,
		       uint64_t now)
{
	const struct stdfu_target_opts *o = r->opts;

	stdfu_wait_init(w, target, path, was->bus, was->address, o->sel.app_ids, o->sel.n_app_ids,
			o->any_port, before->items, before->count, now, o->timeout_ms);
}

/* Send the trigger with the bus as it was just before in *before. */
static int send(struct stdfu_target_run *r, struct stdfu_target_report *rep,
		struct stdfu_device_list **before, struct wait_io *io)
{
	int rc = stdfu_bus_snapshot(r->ctx, before);

	if (rc)
		return rc;
	rc = stdfu__trigger_send(r->ctx, r->method, &rep->app, r->opts->trigger_byte, r->opts->text,
				 &io->close_port);
	if (rc) {
		stdfu_device_list_free(*before);
		*before = NULL;
	}
	return rc;
}

int stdfu__target_trigger(struct stdfu_target_run *r, struct stdfu_target_report *rep)
{
	const struct stdfu_device_info *app = &rep->app.dev;
	struct stdfu_device_list *before = NULL;
	struct wait_io io = {0};
	struct stdfu_wait w;
	uint64_t sent, left = 0;
	int rc;

	r->port = rep->app.name;
	stdfu__target_emit(r, STDFU_TARGET_EV_CHOSEN, app, false);
	rc = send(r, rep, &before, &io);
	if (rc)
		return rc;
	rep->triggered = true;
	sent = now_ms();
	rep->trigger_ms = sent - r->t0;
	stdfu__target_emit(r, STDFU_TARGET_EV_SENT, app, false);
	/* --timeout counts from the trigger; the baseline is the bus before it. */
	wait_start(r, &w, STDFU_WAIT_FOR_DFU, app->path, app, before, sent);
	stdfu_device_list_free(before);
	io.close_at = sent + STDFU_TRIGGER_HOST_POST_SILENCE_MS;
	if (io.close_port) { /* the byte method */
		int b = r->opts->trigger_byte;

		io.resend_at = sent + STDFU_TRIGGER_RESEND_MS;
		io.port = rep->app.name;
		io.byte = b >= 0 && b <= 0xff ? (uint8_t)b : STDFU_TRIGGER_BYTE_DEFAULT;
	}
	rc = wait_loop(r, &w, &io, app, &rep->dfu, &left);
	if (rc)
		return rc;
	if (!left)
		left = now_ms();
	stdfu__usb_settle(r->ctx, rep->dfu.bus, rep->dfu.address, STDFU_TARGET_SETTLE_MS);
	rep->left_ms = left - sent;
	rep->found_ms = now_ms() - left;
	stdfu__target_emit(r, STDFU_TARGET_EV_DFU_FOUND, &rep->dfu, false);
	return STDFU_OK;
}

/* ---- the return trip ------------------------------------------------------------ */

/* The application's USB device is back: wait for its tty to be listed too. */
static int find_port(struct stdfu_ctx *ctx, const struct stdfu_target_opts *o,
		     const struct stdfu_device_info *d, uint64_t deadline,
		     struct stdfu_app_port *out)
{
	for (;;) {
		struct stdfu_app_port *ports;
		int n = stdfu_app_ports_list(ctx, o->sel.app_ids, o->sel.n_app_ids, &ports);

		for (int i = 0; i < n; i++) {
			if (ports[i].dev.bus == d->bus && ports[i].dev.address == d->address) {
				*out = ports[i];
				free(ports);
				return STDFU_OK;
			}
		}
		free(ports);
		if (n < 0)
			return n;
		if (stdfu_ctx_cancelled(ctx))
			return stdfu__fail(STDFU_ERR_CANCELLED,
					   "interrupted while waiting for the application's port");
		if (now_ms() >= deadline)
			return stdfu__fail(STDFU_ERR_TIMEOUT,
					   "the application is back at usb-path %s but no serial "
					   "port of it appeared: is it a CDC ACM device?",
					   d->path);
		stdfu__sleep_us(STDFU_WAIT_POLL_MS * 1000u);
	}
}

/*
 * The application comes back where it was before the trigger, which is not
 * where the ROM appeared when --any-port accepted a ROM on another port. A
 * board that was already in DFU has no earlier application path: use the ROM's.
 */
int stdfu_target_wait_app(struct stdfu_ctx *ctx, const struct stdfu_target_opts *opts,
			  struct stdfu_target_report *rep)
{
	const char *path =
		rep->triggered && rep->app.dev.path[0] ? rep->app.dev.path : rep->dfu.path;
	struct stdfu_target_run r;
	struct stdfu_device_list *before;
	struct stdfu_device_info found;
	struct stdfu_wait w;
	uint64_t left = 0;
	int rc;

	stdfu__target_run_init(&r, ctx, opts);
	r.method = STDFU_METHOD_NONE;
	memset(&rep->back, 0, sizeof(rep->back));
	rc = stdfu_bus_snapshot(ctx, &before);
	if (rc)
		return rc;
	wait_start(&r, &w, STDFU_WAIT_FOR_APP, path, &rep->dfu, before, r.t0);
	stdfu_device_list_free(before);
	rc = wait_loop(&r, &w, NULL, &rep->dfu, &found, &left);
	if (!rc)
		rc = find_port(ctx, opts, &found, w.deadline_ms, &rep->back);
	if (rc)
		return rc;
	r.port = rep->back.name;
	rep->app_back = true;
	rep->app_back_ms = now_ms() - r.t0;
	stdfu__target_emit(&r, STDFU_TARGET_EV_APP_BACK, &rep->back.dev, false);
	return STDFU_OK;
}
