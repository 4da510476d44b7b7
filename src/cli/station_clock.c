/* SPDX-License-Identifier: MIT */
/* The station's clock: monotonic seconds, for durations and rates alone (a
 * record's wall time is rec_time_now()). Its own file: every station module
 * reads it, and it calls nothing back. */
#include <time.h>

#include "station.h"

double st_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
