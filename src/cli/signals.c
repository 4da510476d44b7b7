/* SPDX-License-Identifier: MIT */
/*
 * SIGINT and SIGTERM. The first one asks the library to stop at its next
 * safe point (stdfu_ctx_cancel: between transfers, the board then sent to
 * dfuIDLE with ABORT); the command then reports where the board is and how
 * to resume, and exits 130 or 143 (128 + the signal, as shells do). A second
 * signal exits at once. SIGXFSZ is ignored so that a file-size limit is a
 * write error (exit 8) and not a kill halfway through writing a file.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t received;
static struct stdfu_ctx *volatile watched;

static void on_signal(int sig)
{
	if (received)
		_exit(128 + sig);
	received = sig;
	if (watched)
		stdfu_ctx_cancel(watched);
}

void cli_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGXFSZ, SIG_IGN);
}

void cli_signals_watch(struct stdfu_ctx *ctx)
{
	watched = ctx;
	if (received)
		stdfu_ctx_cancel(ctx);
}

int cli_signal_received(void)
{
	return received;
}

int cli_signal_exit_code(void)
{
	return received == SIGTERM ? CLI_EXIT_TERMINATED : CLI_EXIT_INTERRUPTED;
}

/* Has the command line an option @name already? */
static bool has_option(const struct cli *c, const char *name)
{
	for (int i = 1; i < c->argc; i++)
		if (!strcmp(c->argv[i], name))
			return true;
	return false;
}

const char *cli_resume_hint(const struct cli *c)
{
	static char hint[1024];
	size_t n = 0;

	if (!c->board_path[0])
		return "nothing was written to the board; run the command again";
	n += (size_t)snprintf(
		hint, sizeof(hint),
		"the board waits in DFU mode at usb-path %s; to finish, run:", c->board_path);
	for (int i = 0; i < c->argc && n < sizeof(hint); i++)
		n += (size_t)snprintf(hint + n, sizeof(hint) - n, " %s", i ? c->argv[i] : "stdfu");
	if (!has_option(c, "--usb-path") && n < sizeof(hint))
		snprintf(hint + n, sizeof(hint) - n, " --usb-path %s", c->board_path);
	return hint;
}
