/* SPDX-License-Identifier: MIT */
/*
 * Naming the program that holds a serial port: real ptys and real processes
 * (/proc), no mocks. The process at a pty's master end (stdfu-emu behind an
 * emulated /dev/ttyACMn, or socat) is the other side of the line and must not
 * count; a process holding the slave must, by name and pid.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <stdfu/trigger.h>

static int open_pty(char *slave, size_t cap)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	snprintf(slave, cap, "%s", ptsname(m));
	return m;
}

/* A child named @name that opens @slave (and keeps @master if asked), then waits. */
static pid_t holder(const char *name, const char *slave, int master, bool keep_master)
{
	int ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(slave, O_RDWR | O_NOCTTY);

		/* never outlive a failed test (which skips reap()) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, name);
		if (!keep_master)
			close(master);
		if (write(ready[1], fd >= 0 ? "y" : "n", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	close(ready[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void nobody_holds_it(void **state)
{
	char slave[64], who[256];
	int m = open_pty(slave, sizeof(slave));

	(void)state;
	assert_int_equal(stdfu_port_holder(slave, who, sizeof(who)), 0);
	close(m);
}

static void a_holder_is_named(void **state)
{
	char slave[64], who[256];
	int m = open_pty(slave, sizeof(slave));
	pid_t pid = holder("minicom", slave, m, false);
	char expect[64];

	(void)state;
	snprintf(expect, sizeof(expect), "minicom (pid %d)", (int)pid);
	assert_int_equal(stdfu_port_holder(slave, who, sizeof(who)), pid);
	assert_non_null(strstr(who, expect));
	reap(pid);
	assert_int_equal(stdfu_port_holder(slave, who, sizeof(who)), 0);
	close(m);
}

static void the_master_end_does_not_count(void **state)
{
	char slave[64], who[256];
	int m = open_pty(slave, sizeof(slave));
	/* like stdfu-emu: holds the master and keeps the slave open too */
	pid_t emu = holder("stdfu-emu", slave, m, true);
	pid_t other;

	(void)state;
	close(m);
	assert_int_equal(stdfu_port_holder(slave, who, sizeof(who)), 0);
	other = holder("picocom", slave, -1, true);
	assert_int_equal(stdfu_port_holder(slave, who, sizeof(who)), other);
	assert_non_null(strstr(who, "picocom"));
	assert_null(strstr(who, "stdfu-emu"));
	reap(other);
	reap(emu);
}

static void every_holder_is_listed(void **state)
{
	char slave[64], who[256];
	int m = open_pty(slave, sizeof(slave));
	pid_t a = holder("screen", slave, m, false);
	pid_t b = holder("cat", slave, m, false);

	(void)state;
	assert_true(stdfu_port_holder(slave, who, sizeof(who)) > 0);
	assert_non_null(strstr(who, "screen"));
	assert_non_null(strstr(who, "cat"));
	reap(a);
	reap(b);
	close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nobody_holds_it),
		cmocka_unit_test(a_holder_is_named),
		cmocka_unit_test(the_master_end_does_not_count),
		cmocka_unit_test(every_holder_is_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
