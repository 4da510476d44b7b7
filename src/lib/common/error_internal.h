/* SPDX-License-Identifier: MIT */
#ifndef STDFU_ERROR_INTERNAL_H
#define STDFU_ERROR_INTERNAL_H

#include <stdfu/error.h>

/*
 * Record a detail for the last failure on this thread and return @err, so
 * that a failure site reads:   return stdfu__fail(STDFU_ERR_IMAGE, "%s:%u: ...", ...);
 */
int stdfu__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The cause of the failure just recorded with stdfu__fail() (which resets it). */
void stdfu__cause(enum stdfu_cause_kind kind, const char *found);
void stdfu__cause_device(int request, int state, int status);
/* The phase a failure happened in; kept if one is already set. */
void stdfu__cause_phase(int phase);

#endif
