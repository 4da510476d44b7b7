/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "term.h"

static bool color;
static unsigned width = 80;
static volatile sig_atomic_t resized = 1;

bool term_color_parse(const char *s, enum term_color_mode *out)
{
	static const char *const names[] = {"auto", "always", "never"};

	for (int i = 0; i < 3; i++) {
		if (s && !strcmp(s, names[i])) {
			*out = (enum term_color_mode)i;
			return true;
		}
	}
	return false;
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

void term_init(enum term_color_mode mode, bool tty)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (mode == TERM_COLOR_ALWAYS)
		color = true;
	else if (mode == TERM_COLOR_NEVER)
		color = false;
	else
		color = tty && !(no && *no) && !(term && !strcmp(term, "dumb"));
	if (tty) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_winch;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGWINCH, &sa, NULL);
	}
}

bool term_color(void)
{
	return color;
}

unsigned term_width(void)
{
	struct winsize ws;

	if (!resized)
		return width;
	resized = 0;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	return width;
}

const char *term_on(enum term_style style)
{
	/* ECMA-48 SGR: bold green, bold yellow, bold red, dim */
	static const char *const sgr[] = {"\033[1;32m", "\033[1;33m", "\033[1;31m", "\033[2m"};

	return color ? sgr[style] : "";
}

const char *term_off(void)
{
	return color ? "\033[0m" : "";
}
