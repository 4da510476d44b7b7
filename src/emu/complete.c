/* SPDX-License-Identifier: MIT */
/*
 * `stdfu-emu --completion-table` (hidden, for the build): the options and the
 * chip models, in the record format of stdfu's own table (src/cli/complete.c):
 *   option  stdfu-emu  --OPT  arg|flag
 *   value   --OPT      VALUE
 */
#include <stdio.h>

#include "complete.h"
#include "rom.h"

int emu_completion_table(const struct option *opts)
{
	/* the fixed words parse_option() accepts */
	static const char *const fixed[][2] = {
		{"--mode", "dfu"},	  {"--mode", "app"},	   {"--timing", "fast"},
		{"--timing", "real"},	  {"--rdp", "0"},	   {"--rdp", "1"},
		{"--companion", "stdfu"}, {"--companion", "none"},
	};

	for (const struct option *o = opts; o->name; o++)
		printf("option\tstdfu-emu\t--%s\t%s\n", o->name,
		       o->has_arg == no_argument ? "flag" : "arg");
	for (const char *const *n = emu_chip_names(); n && *n; n++)
		printf("value\t--chip\t%s\n", *n);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		printf("value\t%s\t%s\n", fixed[i][0], fixed[i][1]);
	return fflush(stdout) ? 1 : 0;
}
