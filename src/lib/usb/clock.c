/* SPDX-License-Identifier: MIT */
/*
 * The host's clock: monotonic time and sleeps, for every poll wait and
 * deadline of the library. Apart from the transport so that a harness that
 * replaces the USB bus in-process (tests/fuzz/fuzz_engine.c) can bring its
 * own virtual clock along instead of sleeping.
 */
#include <errno.h>
#include <time.h>

#include "usb/bus_internal.h"

uint64_t stdfu__now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void stdfu__sleep_us(uint64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};

	if (us == 0)
		return;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
