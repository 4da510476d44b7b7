/* SPDX-License-Identifier: MIT */
/*
 * timeit OUT.json -- COMMAND [ARGS...]
 *
 * Runs COMMAND as a child and writes one JSON object to OUT.json: the wall
 * time on CLOCK_MONOTONIC (ns), the child's user and system CPU time from
 * wait4()'s rusage (µs), its peak RSS and its exit status. The benchmark runs
 * it *inside* stdfu-emu, so the testbed's own start-up and teardown are not
 * part of a tool's wall time, and CPU time is the tool's alone (the emulator
 * runs in another process). COMMAND's stdout and stderr pass through.
 *
 * Exits with COMMAND's exit status (128 + signal if it was killed).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
}

static int write_result(const char *path, uint64_t start, uint64_t end, int status,
			const struct rusage *ru)
{
	FILE *f = fopen(path, "w");
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	if (!f) {
		fprintf(stderr, "timeit: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"{\"start_ns\": %" PRIu64 ", \"end_ns\": %" PRIu64 ", \"wall_ns\": %" PRIu64
		", \"user_us\": %" PRIu64 ", \"sys_us\": %" PRIu64 ", \"maxrss_kb\": %ld"
		", \"exit\": %d, \"signal\": %d}\n",
		start, end, end - start, tv_us(&ru->ru_utime), tv_us(&ru->ru_stime), ru->ru_maxrss,
		code, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	uint64_t start, end;
	pid_t pid;
	int status;

	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: timeit OUT.json -- COMMAND [ARGS...]\n");
		return 64;
	}
	start = mono_ns();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 71;
	}
	if (pid == 0) {
		execvp(argv[3], &argv[3]);
		fprintf(stderr, "timeit: cannot run %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			return 71;
		}
	}
	end = mono_ns();
	if (write_result(argv[1], start, end, status, &ru) < 0)
		return 74;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
