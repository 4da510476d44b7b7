/* SPDX-License-Identifier: MIT */
#ifndef STDFU_TARGET_INTERNAL_H
#define STDFU_TARGET_INTERNAL_H

#include <stdfu/target.h>

/* One call of the target API: its options, its clock and the event sink. */
struct stdfu_target_run {
	struct stdfu_ctx *ctx;
	const struct stdfu_target_opts *opts;
	enum stdfu_trigger_method method; /* as reported in events */
	uint64_t t0, last;		  /* ms */
	const char *port;		  /* the application port, once chosen */
};

/* run.c */
void stdfu__target_run_init(struct stdfu_target_run *r, struct stdfu_ctx *ctx,
			    const struct stdfu_target_opts *opts);
void stdfu__target_emit(struct stdfu_target_run *r, enum stdfu_target_event_kind kind,
			const struct stdfu_device_info *d, bool already_dfu);

/* follow.c: trigger rep->app and follow it to the ROM (rep->dfu, identity only). */
int stdfu__target_trigger(struct stdfu_target_run *r, struct stdfu_target_report *rep);

#endif
