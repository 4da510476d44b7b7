/* SPDX-License-Identifier: MIT */
/*
 * The JSON building blocks of stdfu station (its events on stdout and its
 * records): every line is an object that starts {"schema":1,"event":...},
 * addresses are a number plus a KEY_hex twin. Kept behind this small
 * interface so that the station's output follows the tool's JSON writer.
 */
#ifndef STDFU_CLI_STATION_OUT_H
#define STDFU_CLI_STATION_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define STATION_JSON_SCHEMA 1

json_t *so_event(const char *event);
void so_str(json_t *o, const char *key, const char *s);
void so_int(json_t *o, const char *key, long long v);
void so_num(json_t *o, const char *key, double v);
void so_bool(json_t *o, const char *key, bool v);
void so_addr(json_t *o, const char *key, uint32_t v);
/* One compact line with its newline (malloc'ed); frees @o. NULL: no memory. */
char *so_line(json_t *o);
/* Print @o as one line on stdout and flush; frees it. */
void so_emit(json_t *o);

#endif
