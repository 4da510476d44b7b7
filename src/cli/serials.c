/* SPDX-License-Identifier: MIT */
/*
 * The two serials of a board. An application and its ROM may report
 * different USB serials (the ROM derives its own from the UID; an
 * application may use another derivation, or a product serial), so
 * --serial with either must find the board. Each time stdfu follows a board
 * from its application to its ROM it sees both, and keeps the pair in
 * $XDG_CACHE_HOME/stdfu/serials (~/.cache/stdfu/serials): one line
 * "APP-SERIAL ROM-SERIAL". A board never triggered by stdfu is known by the
 * serial of the mode it is in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define PAIR_LINE_MAX (2 * STDFU_SERIAL_MAX + 4)

static bool cache_path(char *buf, size_t cap, bool make_dir)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg) {
		if (make_dir)
			mkdir(xdg, 0700);
		n = snprintf(buf, cap, "%s/stdfu", xdg);
	} else if (home && *home) {
		n = snprintf(buf, cap, "%s/.cache", home);
		if (make_dir && n > 0 && (size_t)n < cap)
			mkdir(buf, 0700);
		n = snprintf(buf, cap, "%s/.cache/stdfu", home);
	} else
		return false;
	if (n < 0 || (size_t)n >= cap)
		return false;
	if (make_dir && mkdir(buf, 0755) && errno != EEXIST)
		return false;
	return (size_t)snprintf(buf + n, cap - (size_t)n, "/serials") < cap - (size_t)n;
}

/* The serial paired with @serial (either side), into @out; false if none is known. */
bool cli_serial_other(const char *serial, char *out, size_t cap)
{
	char path[4096], line[PAIR_LINE_MAX], a[STDFU_SERIAL_MAX], b[STDFU_SERIAL_MAX];
	FILE *f;
	bool hit = false;

	if (!serial || !*serial || !cache_path(path, sizeof(path), false) ||
	    !(f = fopen(path, "r")))
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %127s", a, b) != 2)
			continue;
		if (!strcmp(a, serial))
			hit = (size_t)snprintf(out, cap, "%s", b) < cap;
		else if (!strcmp(b, serial))
			hit = (size_t)snprintf(out, cap, "%s", a) < cap;
	}
	fclose(f);
	return hit;
}

static bool printable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

/* Remember that the application serial @app belongs to the ROM serial @rom. */
void cli_serial_record(const char *app, const char *rom)
{
	char path[4096], known[STDFU_SERIAL_MAX];
	FILE *f;

	/* Equal serials need no pair; constant ROM serials ("STM32", FFFFFFFEFFFF) would
	 * pair every board: only pairs whose sides are both new are kept. */
	if (!printable(app) || !printable(rom) || !strcmp(app, rom))
		return;
	if (cli_serial_other(app, known, sizeof(known)) ||
	    cli_serial_other(rom, known, sizeof(known)))
		return;
	if (!cache_path(path, sizeof(path), true) || !(f = fopen(path, "a")))
		return; /* a cache: failing to keep it costs nothing now */
	fprintf(f, "%s %s\n", app, rom);
	fclose(f);
}
