/* SPDX-License-Identifier: MIT */
/*
 * How long to wait before asking a busy device again (DFU 1.1 section
 * 6.1.2, bwPollTimeout). Pure: no clock, no I/O, so it is unit-tested alone.
 */
#include <string.h>

#include <stdfu/dfu.h>

#include "common/error_internal.h"

void stdfu_poll_begin(struct stdfu_poll *p, enum stdfu_poll_policy policy, uint32_t poll_timeout_ms,
		      uint64_t budget_us)
{
	memset(p, 0, sizeof(*p));
	p->policy = policy;
	p->reported_ms = poll_timeout_ms;
	p->budget_us = budget_us;
}

static uint64_t early_delay(const struct stdfu_poll *p, bool stalled)
{
	uint64_t d, cap;

	/* The F4 ROM answers a GETSTATUS sent while busy only when done (the
	 * request is NAKed), so the first ask costs nothing and wastes no time. */
	if (p->tries == 0 && !stalled)
		return 0;
	d = STDFU_POLL_EARLY_MIN_US;
	for (uint32_t i = 1; i < p->tries && d < STDFU_POLL_EARLY_MAX_US; i++)
		d *= 2;
	if (d > STDFU_POLL_EARLY_MAX_US)
		d = STDFU_POLL_EARLY_MAX_US;
	cap = (uint64_t)p->reported_ms * 1000;
	if (cap >= STDFU_POLL_EARLY_MIN_US && d > cap)
		d = cap;
	return d;
}

static uint64_t spec_delay(const struct stdfu_poll *p)
{
	uint64_t d = (uint64_t)p->reported_ms * 1000;

	/* A device that says "busy, ask again in 0 ms" forever would make us spin. */
	if (p->tries > 0 && d < 1000)
		d = 1000;
	return d;
}

int64_t stdfu_poll_next(struct stdfu_poll *p, uint64_t elapsed_us, bool stalled,
			uint32_t poll_timeout_ms)
{
	uint64_t d;

	if (elapsed_us >= p->budget_us)
		return -1;
	p->reported_ms = poll_timeout_ms;
	if (stalled)
		p->stalls++;
	/*
	 * A bwPollTimeout beyond the whole budget of the operation cannot be
	 * true (it would fail the operation anyway): waiting it out, block after
	 * block, made a 40 KiB flash take minutes. Poll early instead.
	 */
	if (p->policy == STDFU_POLL_SPEC && (uint64_t)poll_timeout_ms * 1000 >= p->budget_us)
		p->implausible = true;
	d = p->policy == STDFU_POLL_SPEC && !p->implausible ? spec_delay(p)
							    : early_delay(p, stalled);
	if (d > p->budget_us - elapsed_us)
		d = p->budget_us - elapsed_us;
	p->tries++;
	return (int64_t)d;
}

int stdfu_poll_policy_parse(const char *name, enum stdfu_poll_policy *out)
{
	if (name && !strcmp(name, "early")) {
		*out = STDFU_POLL_EARLY;
		return STDFU_OK;
	}
	if (name && !strcmp(name, "spec")) {
		*out = STDFU_POLL_SPEC;
		return STDFU_OK;
	}
	return stdfu__fail(STDFU_ERR_ARG, "unknown poll policy \"%s\" (spec or early)",
			   name ? name : "");
}

const char *stdfu_poll_policy_name(enum stdfu_poll_policy policy)
{
	return policy == STDFU_POLL_SPEC ? "spec" : "early";
}
