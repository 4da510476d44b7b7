/* SPDX-License-Identifier: MIT */
/*
 * jansson (Debian libjansson-dev) rather than printf: it escapes every string
 * correctly, refuses invalid UTF-8 instead of passing it on, keeps the keys in
 * the order they were set, and prints one compact line per object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

json_t *jw_event(const char *event)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema", json_integer(CLI_JSON_SCHEMA));
	json_object_set_new(o, "event", json_string(event));
	return o;
}

json_t *jw_object(void)
{
	return json_object();
}

void jw_set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

void jw_push(json_t *array, json_t *v)
{
	json_array_append_new(array, v);
}

/* Length of the UTF-8 sequence at @p (RFC 3629 table), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
	size_t n = p[0] < 0x80			  ? 1
		   : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
		   : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
		   : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
						  : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	/* overlong 3- and 4-byte forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && p[0] == 0xE0 && p[1] < 0xA0) || (n == 3 && p[0] == 0xED && p[1] >= 0xA0) ||
	    (n == 4 && p[0] == 0xF0 && p[1] < 0x90) || (n == 4 && p[0] == 0xF4 && p[1] >= 0x90))
		return 0;
	return n;
}

bool jw_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

/* @s with U+FFFD for each byte that is not part of valid UTF-8; malloc'ed. */
static char *utf8_lossy(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = utf8_seq(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
			continue;
		}
		memcpy(o, "\xEF\xBF\xBD", 3);
		o += 3;
		p++;
	}
	*o = '\0';
	return out;
}

static void str_bytes(json_t *o, const char *key, const char *s)
{
	size_t n = strlen(s), klen = strlen(key);
	char *hex = malloc(n * 2 + 1), *k = malloc(klen + sizeof("_bytes")), *lossy = utf8_lossy(s);

	if (hex && k && lossy) {
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
		hex[2 * n] = '\0';
		memcpy(k, key, klen);
		memcpy(k + klen, "_bytes", sizeof("_bytes"));
		json_object_set_new(o, key, json_string(lossy));
		json_object_set_new(o, k, json_string(hex));
	}
	free(hex);
	free(k);
	free(lossy);
}

void jw_str(json_t *o, const char *key, const char *s)
{
	if (!s)
		s = "";
	if (jw_utf8_valid(s))
		json_object_set_new(o, key, json_string(s));
	else
		str_bytes(o, key, s);
}

void jw_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

void jw_bool(json_t *o, const char *key, bool v)
{
	json_object_set_new(o, key, json_boolean(v));
}

void jw_num(json_t *o, const char *key, double v)
{
	/* milliseconds to 0.1: what a clock read twice can tell apart */
	json_object_set_new(o, key, json_real((double)(long long)(v * 10 + 0.5) / 10));
}

static void twin(json_t *o, const char *key, const char *text)
{
	char k[64];

	snprintf(k, sizeof(k), "%s_hex", key);
	json_object_set_new(o, k, json_string(text));
}

void jw_addr(json_t *o, const char *key, uint64_t v)
{
	char hex[24];

	json_object_set_new(o, key, json_integer((json_int_t)v));
	snprintf(hex, sizeof(hex), "0x%08llx", (unsigned long long)v);
	twin(o, key, hex);
}

void jw_usb_id(json_t *o, const char *key, uint16_t v)
{
	char hex[8];

	json_object_set_new(o, key, json_integer(v));
	snprintf(hex, sizeof(hex), "%04x", v);
	twin(o, key, hex);
}

/*
 * One line, one locked write: flash --all and station emit from a thread per
 * board, and json_dumpf writes a line in many pieces that other threads'
 * lines would otherwise land between.
 */
void jw_emit(json_t *line)
{
	char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;

	flockfile(stdout);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	fflush(stdout);
	funlockfile(stdout);
	free(text);
	json_decref(line);
}
