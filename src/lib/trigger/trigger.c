/* SPDX-License-Identifier: MIT */
/*
 * The trigger chain: choose the board, record where it is, send the trigger,
 * then follow the bus until the ROM shows up on the same USB port path.
 * The decisions are the pure state machines of trigger_select.c and
 * trigger_wait.c; this file only gathers their inputs and reports events.
 */
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/device.h>

#include "usb/device_internal.h"
#include "common/error_internal.h"
#include "trigger/trigger_internal.h"
#include "trigger/trigger_text.h"

struct run {
	struct stdfu_ctx *ctx;
	stdfu_trigger_cb cb;
	void *user;
	enum stdfu_trigger_method method;
	uint64_t t0, last; /* ms */
	const char *port;
};

static uint64_t now_ms(void)
{
	return stdfu_now_us() / 1000u;
}

static void emit(struct run *r, enum stdfu_trigger_event_kind kind, const char *path,
		 const char *serial, uint8_t address, bool already_dfu)
{
	struct stdfu_trigger_event ev;
	uint64_t now = now_ms();

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.method = r->method;
	ev.elapsed_ms = now - r->t0;
	ev.step_ms = now - r->last;
	ev.already_dfu = already_dfu;
	ev.port = r->port ? r->port : "";
	ev.path = path ? path : "";
	ev.serial = serial ? serial : "";
	ev.address = address;
	r->last = now;
	if (r->cb)
		r->cb(&ev, r->user);
}

/* ---- waiting: hotplug when libusb has it, polling otherwise ------------------- */

struct hotplug {
	libusb_hotplug_callback_handle handle;
	bool on;
	int events;
};

static int LIBUSB_CALL on_hotplug(libusb_context *usb, libusb_device *dev,
				  libusb_hotplug_event event, void *user)
{
	struct hotplug *hp = user;

	(void)usb;
	(void)dev;
	(void)event;
	hp->events++;
	return 0;
}

static void hotplug_start(libusb_context *usb, struct hotplug *hp)
{
	memset(hp, 0, sizeof(*hp));
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG))
		return;
	hp->on =
		libusb_hotplug_register_callback(
			usb, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
			0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
			LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, hp, &hp->handle) == LIBUSB_SUCCESS;
}

static void hotplug_stop(libusb_context *usb, struct hotplug *hp)
{
	if (hp->on)
		libusb_hotplug_deregister_callback(usb, hp->handle);
	hp->on = false;
}

/* Sleep until a hotplug event or @ms pass; polling caps the nap. */
static void nap(libusb_context *usb, struct hotplug *hp, uint64_t ms)
{
	/* Even with hotplug, look again now and then: an event can be coalesced. */
	uint64_t cap = hp->on ? 100 : STDFU_WAIT_POLL_MS;
	struct timeval tv;
	int seen = hp->events;

	if (ms > cap)
		ms = cap;
	if (ms == 0)
		ms = 1;
	if (!hp->on) {
		stdfu_sleep_us(ms * 1000u);
		return;
	}
	tv.tv_sec = 0;
	tv.tv_usec = (long)ms * 1000;
	/* Returns early when a hotplug callback ran. */
	libusb_handle_events_timeout_completed(usb, &tv, &seen);
	(void)seen;
}

struct wait_io {
	struct sp_port *close_port; /* the byte method's port, closed at close_at */
	uint64_t close_at;
};

static int wait_loop(struct run *r, struct stdfu_wait *w, struct wait_io *io,
		     struct stdfu_bus_dev *found, uint64_t *left_at)
{
	struct hotplug hp;
	int rc;

	hotplug_start(r->ctx->usb, &hp);
	for (;;) {
		struct stdfu_bus_dev *snap;
		size_t n, idx = 0;
		bool just_left;
		uint64_t now = now_ms(), next;

		if (io && io->close_port && now >= io->close_at) {
			stdfu_trigger_port_close(io->close_port);
			io->close_port = NULL;
		}
		rc = stdfu_bus_snapshot(r->ctx, &snap, &n);
		if (rc)
			break;
		rc = stdfu_wait_step(w, snap, n, now, &idx, &just_left);
		if (just_left) {
			*left_at = now;
			/* After a leave the ROM's departure was already confirmed by
			 * the DFU code: only the application leaving is news. */
			if (w->target == STDFU_WAIT_FOR_DFU)
				emit(r, STDFU_TRIGGER_EV_LEFT, w->path, "", w->address, false);
		}
		if (rc == STDFU_OK)
			*found = snap[idx];
		free(snap);
		if (rc != STDFU_WAIT_PENDING)
			break;
		next = stdfu_wait_next_ms(w, now);
		if (io && io->close_port && io->close_at - now < next)
			next = io->close_at > now ? io->close_at - now : 0;
		nap(r->ctx->usb, &hp, next);
	}
	hotplug_stop(r->ctx->usb, &hp);
	if (io && io->close_port) {
		stdfu_trigger_port_close(io->close_port);
		io->close_port = NULL;
	}
	return rc;
}

/* ---- choosing the board --------------------------------------------------- */

static int dfu_candidates(struct stdfu_ctx *ctx, struct stdfu_bus_dev **out, size_t *n)
{
	struct stdfu_device_list *list;
	struct stdfu_bus_dev *v;
	int rc = stdfu_device_scan(ctx, &list);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	v = calloc(list->count ? list->count : 1, sizeof(*v));
	if (!v) {
		stdfu_device_list_free(list);
		return stdfu_fail(STDFU_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct stdfu_device_info *d = &list->items[i];

		v[i].vid = d->vid;
		v[i].pid = d->pid;
		v[i].bus = d->bus;
		v[i].address = d->address;
		snprintf(v[i].path, sizeof(v[i].path), "%s", d->path);
		snprintf(v[i].serial, sizeof(v[i].serial), "%.*s", (int)sizeof(v[i].serial) - 1,
			 d->serial);
	}
	*n = list->count;
	stdfu_device_list_free(list);
	*out = v;
	return STDFU_OK;
}

static int app_candidates(struct stdfu_ctx *ctx, const struct stdfu_target_select *sel,
			  struct stdfu_app_port **out, size_t *n)
{
	int rc;

	*n = 0;
	if (sel->port) {
		*out = calloc(1, sizeof(**out));
		if (!*out)
			return stdfu_fail(STDFU_ERR_NOMEM, "out of memory");
		rc = stdfu_app_port_get(ctx, sel->port, *out);
		if (rc)
			return rc;
		*n = 1;
		return STDFU_OK;
	}
	rc = stdfu_app_ports_list(ctx, sel->app_ids, sel->n_app_ids, out);
	if (rc < 0)
		return rc;
	*n = (size_t)rc;
	return STDFU_OK;
}

static int choose(struct stdfu_ctx *ctx, const struct stdfu_trigger_opts *o,
		  struct stdfu_app_port *app, struct stdfu_bus_dev *dfu, bool *is_dfu)
{
	struct stdfu_app_port *apps = NULL;
	struct stdfu_bus_dev *dfus = NULL;
	size_t n_apps = 0, n_dfus = 0;
	struct stdfu_target t;
	int rc = STDFU_OK;

	if (o->method != STDFU_METHOD_NONE)
		rc = app_candidates(ctx, &o->sel, &apps, &n_apps);
	else if (o->app_only)
		rc = stdfu_fail(STDFU_ERR_NO_DEVICE, "--method none: no trigger");
	if (rc)
		goto out;
	rc = stdfu_target_select(apps, n_apps, NULL, 0, &o->sel, &t);
	/* No application port: a board already in DFU will do (never with --port). */
	if (rc == STDFU_ERR_NO_DEVICE && !o->sel.port && !o->app_only) {
		rc = dfu_candidates(ctx, &dfus, &n_dfus);
		if (!rc)
			rc = stdfu_target_select(NULL, 0, dfus, n_dfus, &o->sel, &t);
	}
	if (rc)
		goto out;
	*is_dfu = t.kind == STDFU_TARGET_DFU;
	if (*is_dfu)
		*dfu = dfus[t.index];
	else
		*app = apps[t.index];
out:
	free(apps);
	free(dfus);
	return rc;
}

/* ---- the chain -------------------------------------------------------------- */

/*
 * On a real system udev applies the device node's permissions a few ms after
 * the device appears: the first open can fail with EACCES. Give it up to
 * STDFU_TRIGGER_SETTLE_MS (opening costs no control transfer).
 */
#define STDFU_TRIGGER_SETTLE_MS 1000u

static void settle(struct stdfu_ctx *ctx, const struct stdfu_bus_dev *d)
{
	uint64_t end = now_ms() + STDFU_TRIGGER_SETTLE_MS;

	for (;;) {
		libusb_device **list;
		libusb_device_handle *h = NULL;
		ssize_t n = libusb_get_device_list(ctx->usb, &list);
		int rc = LIBUSB_ERROR_NO_DEVICE;

		for (ssize_t i = 0; i < n; i++)
			if (libusb_get_bus_number(list[i]) == d->bus &&
			    libusb_get_device_address(list[i]) == d->address)
				rc = libusb_open(list[i], &h);
		if (n >= 0)
			libusb_free_device_list(list, 1);
		if (h)
			libusb_close(h);
		if (rc != LIBUSB_ERROR_ACCESS || now_ms() >= end)
			return;
		stdfu_sleep_us(STDFU_WAIT_POLL_MS * 1000u);
	}
}

static int send_trigger(struct run *r, const struct stdfu_trigger_opts *o,
			const struct stdfu_app_port *a, struct wait_io *io)
{
	uint8_t byte = o->trigger_byte >= 0 && o->trigger_byte <= 0xff ? (uint8_t)o->trigger_byte
								       : STDFU_TRIGGER_BYTE_DEFAULT;

	switch (o->method) {
	case STDFU_METHOD_BYTE:
		return stdfu_trigger_send_byte(a->name, byte, &io->close_port);
	case STDFU_METHOD_TOUCH1200:
		return stdfu_trigger_send_touch(a->name);
	case STDFU_METHOD_MICROPYTHON:
	case STDFU_METHOD_BETAFLIGHT:
	case STDFU_METHOD_TEXT:
		return stdfu_trigger_send_text(a->name, o->method, o->text);
	case STDFU_METHOD_DETACH:
		if (!a->bus)
			return stdfu_fail(STDFU_ERR_TRIGGER,
					  "%s is not a USB device libusb can see: --method detach "
					  "needs one",
					  a->name);
		return stdfu_trigger_send_detach(r->ctx, a->bus, a->address, a->path);
	default:
		return stdfu_fail(STDFU_ERR_ARG, "no trigger to send for method %s",
				  stdfu_trigger_method_name(o->method));
	}
}

int stdfu_trigger_to_dfu(struct stdfu_ctx *ctx, const struct stdfu_trigger_opts *o,
			 struct stdfu_trigger_result *res)
{
	struct run r = {ctx, o->cb, o->user, o->method, now_ms(), 0, NULL};
	struct stdfu_app_port app;
	struct stdfu_bus_dev *snap = NULL;
	struct stdfu_wait w;
	struct wait_io io = {NULL, 0};
	size_t n = 0;
	uint64_t sent, left = 0;
	bool is_dfu = false;
	int rc;

	r.last = r.t0;
	memset(res, 0, sizeof(*res));
	memset(&app, 0, sizeof(app));
	rc = choose(ctx, o, &app, &res->dfu, &is_dfu);
	if (rc)
		return rc;
	if (is_dfu) {
		res->already_dfu = true;
		emit(&r, STDFU_TRIGGER_EV_TARGET, res->dfu.path, res->dfu.serial, res->dfu.address,
		     true);
		return STDFU_OK;
	}
	snprintf(res->port, sizeof(res->port), "%s", app.name);
	snprintf(res->app_path, sizeof(res->app_path), "%s", app.path);
	res->app_bus = app.bus;
	res->app_address = app.address;
	r.port = res->port;
	emit(&r, STDFU_TRIGGER_EV_TARGET, app.path, app.serial, app.address, false);
	/* The baseline: what is on the bus before the trigger. */
	rc = stdfu_bus_snapshot(ctx, &snap, &n);
	if (rc)
		return rc;
	rc = send_trigger(&r, o, &app, &io);
	if (rc) {
		free(snap);
		return rc;
	}
	sent = now_ms();
	res->trigger_ms = sent - r.t0;
	emit(&r, STDFU_TRIGGER_EV_SENT, app.path, app.serial, app.address, false);
	/* --timeout counts from the trigger; the baseline is the bus before it. */
	stdfu_wait_init(&w, STDFU_WAIT_FOR_DFU, app.path, app.bus, app.address, o->sel.app_ids,
			o->sel.n_app_ids, o->any_port, snap, n, sent, o->timeout_ms);
	free(snap);
	io.close_at = sent + STDFU_TRIGGER_HOST_POST_SILENCE_MS;
	rc = wait_loop(&r, &w, &io, &res->dfu, &left);
	if (rc)
		return rc;
	if (!left)
		left = now_ms();
	settle(ctx, &res->dfu);
	res->left_ms = left - sent;
	res->found_ms = now_ms() - left;
	emit(&r, STDFU_TRIGGER_EV_DFU_FOUND, res->dfu.path, "", res->dfu.address, false);
	return STDFU_OK;
}

/* The application's USB device is back: wait for its tty to be listed too. */
static int find_port(struct stdfu_ctx *ctx, const struct stdfu_bus_dev *d,
		     const struct stdfu_usb_id *ids, size_t n_ids, uint64_t deadline,
		     struct stdfu_app_port *out)
{
	for (;;) {
		struct stdfu_app_port *ports;
		int n = stdfu_app_ports_list(ctx, ids, n_ids, &ports);

		for (int i = 0; i < n; i++) {
			if (ports[i].bus == d->bus && ports[i].address == d->address) {
				*out = ports[i];
				free(ports);
				return STDFU_OK;
			}
		}
		free(ports);
		if (n < 0)
			return n;
		if (now_ms() >= deadline)
			return stdfu_fail(STDFU_ERR_TIMEOUT,
					  "the application is back at usb-path %s but no serial "
					  "port of it appeared: is it a CDC ACM device?",
					  d->path);
		stdfu_sleep_us(STDFU_WAIT_POLL_MS * 1000u);
	}
}

int stdfu_wait_app(struct stdfu_ctx *ctx, const char *path, uint8_t bus, uint8_t address,
		   const struct stdfu_usb_id *app_ids, size_t n_app_ids, bool any_port,
		   uint32_t timeout_ms, stdfu_trigger_cb cb, void *user, struct stdfu_app_port *out)
{
	struct run r = {ctx, cb, user, STDFU_METHOD_NONE, now_ms(), 0, NULL};
	struct stdfu_bus_dev *snap = NULL, found;
	struct stdfu_wait w;
	size_t n = 0;
	uint64_t left = 0;
	int rc;

	r.last = r.t0;
	memset(out, 0, sizeof(*out));
	rc = stdfu_bus_snapshot(ctx, &snap, &n);
	if (rc)
		return rc;
	stdfu_wait_init(&w, STDFU_WAIT_FOR_APP, path, bus, address, app_ids, n_app_ids, any_port,
			snap, n, r.t0, timeout_ms);
	free(snap);
	rc = wait_loop(&r, &w, NULL, &found, &left);
	if (rc)
		return rc;
	rc = find_port(ctx, &found, app_ids, n_app_ids, w.deadline_ms, out);
	if (rc)
		return rc;
	r.port = out->name;
	emit(&r, STDFU_TRIGGER_EV_APP_BACK, out->path, out->serial, out->address, false);
	return STDFU_OK;
}
