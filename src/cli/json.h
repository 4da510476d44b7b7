/* SPDX-License-Identifier: MIT */
/*
 * The one JSON writer of the stdfu tool: every line that --json prints is
 * built here (jansson), so that every line carries "schema", every string is
 * valid UTF-8 and every address has the same two forms. docs/json-schema.json
 * describes what the commands put in them.
 */
#ifndef STDFU_CLI_JSON_H
#define STDFU_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* Bumped only when a field changes meaning or type; new fields do not bump it. */
#define CLI_JSON_SCHEMA 1

/* A new line: {"schema":1,"event":EVENT}. */
json_t *jw_event(const char *event);
/* An object or array to nest (jw_set takes ownership of @v). */
json_t *jw_object(void);
void jw_set(json_t *o, const char *key, json_t *v);
void jw_push(json_t *array, json_t *v);

/*
 * A text field. Text that is not valid UTF-8 is written with U+FFFD in place
 * of each bad byte, plus KEY_bytes: the exact bytes in hex, so that nothing is
 * lost (stdfu(1), JSON OUTPUT).
 */
void jw_str(json_t *o, const char *key, const char *s);
void jw_int(json_t *o, const char *key, long long v);
void jw_bool(json_t *o, const char *key, bool v);
void jw_num(json_t *o, const char *key, double v);
/* A memory address: KEY as a number and KEY_hex as "0x08000000". */
void jw_addr(json_t *o, const char *key, uint64_t v);
/* A USB id: KEY as a number and KEY_hex as "0483". */
void jw_usb_id(json_t *o, const char *key, uint16_t v);

/* Print @line as one line on stdout, flush, and free it. */
void jw_emit(json_t *line);

/* The UTF-8 check, exposed for tests: true if @s is valid UTF-8 (RFC 3629). */
bool jw_utf8_valid(const char *s);

#endif
