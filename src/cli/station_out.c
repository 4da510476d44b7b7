/* SPDX-License-Identifier: MIT */
/* JSON lines of stdfu station, built with jansson (station_out.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station_out.h"

json_t *so_event(const char *event)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema", json_integer(STATION_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string(event));
	return o;
}

/* Text that is not UTF-8 (a ROM's string descriptor can be anything) keeps its
 * printable ASCII; every other byte becomes '?'. */
void so_str(json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s ? s : "");

	if (!v) {
		char *c = strdup(s);

		for (char *p = c; p && *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				*p = '?';
		v = json_string(c ? c : "");
		free(c);
	}
	json_object_set_new(o, key, v);
}

void so_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

void so_num(json_t *o, const char *key, double v)
{
	/* one decimal: milliseconds to a tenth say all a station needs */
	json_object_set_new(o, key, json_real((double)(long long)(v * 10 + 0.5) / 10));
}

void so_bool(json_t *o, const char *key, bool v)
{
	json_object_set_new(o, key, json_boolean(v));
}

void so_addr(json_t *o, const char *key, uint32_t v)
{
	char k[64], hex[16];

	so_int(o, key, v);
	snprintf(k, sizeof(k), "%s_hex", key);
	snprintf(hex, sizeof(hex), "0x%08x", (unsigned)v);
	so_str(o, k, hex);
}

char *so_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	char *line = s ? malloc(strlen(s) + 2) : NULL;

	json_decref(o);
	if (line)
		sprintf(line, "%s\n", s);
	free(s);
	return line;
}

void so_emit(json_t *o)
{
	char *line = so_line(o);

	if (line)
		fputs(line, stdout);
	fflush(stdout);
	free(line);
}
