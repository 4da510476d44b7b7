/* SPDX-License-Identifier: MIT */
/* One call of the target API: its clock, and its events to the caller's callback. */
#include <string.h>

#include "usb/bus_internal.h"
#include "target/target_internal.h"

static uint64_t now_ms(void)
{
	return stdfu__now_us() / 1000u;
}

void stdfu__target_run_init(struct stdfu_target_run *r, struct stdfu_ctx *ctx,
			    const struct stdfu_target_opts *opts)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->opts = opts;
	r->t0 = r->last = now_ms();
}

void stdfu__target_emit(struct stdfu_target_run *r, enum stdfu_target_event_kind kind,
			const struct stdfu_device_info *d, bool already_dfu)
{
	struct stdfu_target_event ev;
	uint64_t now = now_ms();

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.method = r->method;
	ev.elapsed_ms = now - r->t0;
	ev.step_ms = now - r->last;
	ev.already_dfu = already_dfu;
	ev.port = r->port ? r->port : "";
	ev.path = d ? d->path : "";
	ev.serial = d ? d->serial : "";
	ev.address = d ? d->address : 0;
	ev.dev = d;
	r->last = now;
	if (r->opts->cb)
		r->opts->cb(&ev, r->opts->user);
}
