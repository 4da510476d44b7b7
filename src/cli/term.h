/* SPDX-License-Identifier: MIT */
/* The terminal on stderr: its width (kept current on SIGWINCH) and colour. */
#ifndef STDFU_CLI_TERM_H
#define STDFU_CLI_TERM_H

#include <stdbool.h>

enum term_color_mode { TERM_COLOR_AUTO, TERM_COLOR_ALWAYS, TERM_COLOR_NEVER };
enum term_style { TERM_OK, TERM_WARN, TERM_ERROR, TERM_DIM };

/* Parse "auto", "always", "never"; false otherwise. */
bool term_color_parse(const char *s, enum term_color_mode *out);

/*
 * Decide once: colour on stderr under @mode (auto: a terminal, TERM not
 * "dumb", NO_COLOR unset or empty; always wins over NO_COLOR, as no-color.org
 * allows an explicit option to). Also installs the SIGWINCH handler when
 * stderr is a terminal.
 */
void term_init(enum term_color_mode mode, bool tty);

bool term_color(void);
/* Columns of stderr's terminal (80 if unknown), re-read after a SIGWINCH. */
unsigned term_width(void);

/* The escape that starts @style and the one that ends it; "" without colour. */
const char *term_on(enum term_style style);
const char *term_off(void);

#endif
