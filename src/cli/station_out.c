/* SPDX-License-Identifier: MIT */
/* A JSON line for a file (station_out.h), with the flags jw_emit() uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station_out.h"

char *so_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
	char *line = s ? malloc(strlen(s) + 2) : NULL;

	json_decref(o);
	if (line)
		sprintf(line, "%s\n", s);
	free(s);
	return line;
}
