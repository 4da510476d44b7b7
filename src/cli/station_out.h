/* SPDX-License-Identifier: MIT */
/*
 * The station's records go through the tool's JSON writer (json.h) like its
 * --json events; this is the one thing json.h does not do: a line for a file
 * rather than for standard output.
 */
#ifndef STDFU_CLI_STATION_OUT_H
#define STDFU_CLI_STATION_OUT_H

#include <jansson.h>

/* @o as one compact line with its newline, as jw_emit() prints it
 * (malloc'ed); frees @o. NULL: no memory. */
char *so_line(json_t *o);

#endif
