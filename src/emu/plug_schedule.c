/* SPDX-License-Identifier: MIT */
/* The --plug-schedule parser (plug_schedule.h). */
#include "plug_schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 256
#define MAX_TOKENS   6

static int fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "line %u: ", line);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal digits only, no sign, no spaces, at most @max. */
static bool parse_dec(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return false;
	for (; *s; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Split @line (modified) at blanks, up to '#'; returns the number of tokens. */
static unsigned tokenize(char *line, char *tok[MAX_TOKENS])
{
	unsigned n = 0;
	char *hash = strchr(line, '#');
	char *p = line;

	if (hash)
		*hash = '\0';
	while (*p) {
		p += strspn(p, " \t\r\f\v");
		if (!*p)
			break;
		if (n < MAX_TOKENS)
			tok[n] = p;
		n++;
		p += strcspn(p, " \t\r\f\v");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_board(const char *tok, unsigned line, unsigned nboards, unsigned *board, char *err,
		       size_t errlen)
{
	uint32_t v;

	if (!parse_dec(tok, 1000, &v) || v < 1 || v > nboards)
		return fail(err, errlen, line,
			    "board '%s' does not exist: there are %u (give 1..%u, or more "
			    "--boards)",
			    tok, nboards, nboards);
	*board = v;
	return 0;
}

/* "unplug <i> after <n> requests": @tok holds its 5 words. */
static int parse_count_line(char *tok[MAX_TOKENS], unsigned line, unsigned nboards,
			    struct emu_plug_event *ev, char *err, size_t errlen)
{
	if (strcmp(tok[0], "unplug") || strcmp(tok[2], "after") || strcmp(tok[4], "requests"))
		return fail(err, errlen, line,
			    "expected 'unplug <i> after <n> requests' (5 words): only an "
			    "unplug can follow a request count");
	if (parse_board(tok[1], line, nboards, &ev->board, err, errlen))
		return -1;
	if (!parse_dec(tok[3], EMU_PLUG_MAX_REQUESTS, &ev->after_requests) ||
	    ev->after_requests == 0)
		return fail(err, errlen, line,
			    "'%s' is not a request count: give a decimal number 1..%u", tok[3],
			    EMU_PLUG_MAX_REQUESTS);
	ev->ms = 0;
	ev->plug = false;
	ev->line = line;
	return 1;
}

static int parse_line(char *text, unsigned line, unsigned nboards, struct emu_plug_event *ev,
		      char *err, size_t errlen)
{
	char *tok[MAX_TOKENS];
	unsigned n = tokenize(text, tok);

	if (n == 0)
		return 0;
	if (n == 5)
		return parse_count_line(tok, line, nboards, ev, err, errlen);
	if (n != 3)
		return fail(err, errlen, line,
			    "expected '<ms> plug <i>' or '<ms> unplug <i>' (3 words), or "
			    "'unplug <i> after <n> requests' (5 words), got %u",
			    n);
	if (!parse_dec(tok[0], EMU_PLUG_MAX_MS, &ev->ms))
		return fail(err, errlen, line,
			    "'%s' is not a time: give milliseconds from the start of COMMAND, "
			    "a decimal number 0..86400000",
			    tok[0]);
	if (strcmp(tok[1], "plug") && strcmp(tok[1], "unplug"))
		return fail(err, errlen, line, "'%s' is neither 'plug' nor 'unplug'", tok[1]);
	if (parse_board(tok[2], line, nboards, &ev->board, err, errlen))
		return -1;
	ev->plug = strcmp(tok[1], "plug") == 0;
	ev->line = line;
	ev->after_requests = 0;
	return 1;
}

static int by_time(const void *a, const void *b)
{
	const struct emu_plug_event *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Replay the sorted events: each must change its board's state. */
static int check_order(struct emu_plug_schedule *s, char *err, size_t errlen)
{
	uint32_t in = ~s->starts_unplugged, seen = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct emu_plug_event *e = &s->ev[i];
		uint32_t bit = 1u << (e->board - 1);
		bool is_in = (in & bit) != 0;

		if (s->unplug_after[e->board - 1])
			return fail(err, errlen, e->line,
				    "board %u is pulled out after %u requests (line %u): a board "
				    "with a request count has no timed line",
				    e->board, (unsigned)s->unplug_after[e->board - 1],
				    s->unplug_after_line[e->board - 1]);

		if (!is_in && !e->plug && !(seen & bit))
			return fail(err, errlen, e->line,
				    "board %u is not plugged in at %u ms: a board named in a plug "
				    "line starts unplugged; plug it in first (e.g. '0 plug %u')",
				    e->board, (unsigned)e->ms, e->board);
		if (is_in == e->plug)
			return fail(err, errlen, e->line,
				    "board %u is already %s at %u ms: a board must be unplugged "
				    "before it is plugged in again, and the other way round",
				    e->board, is_in ? "plugged in" : "unplugged", (unsigned)e->ms);
		in ^= bit;
		seen |= bit;
	}
	return 0;
}

/* An "after <n> requests" line: one per board. */
static int add_count(struct emu_plug_schedule *s, const struct emu_plug_event *ev, char *err,
		     size_t errlen)
{
	unsigned i = ev->board - 1;

	if (s->unplug_after[i])
		return fail(err, errlen, ev->line,
			    "board %u already has a request count (line %u): give one", ev->board,
			    s->unplug_after_line[i]);
	s->unplug_after[i] = ev->after_requests;
	s->unplug_after_line[i] = ev->line;
	return 0;
}

static int add_event(struct emu_plug_schedule *s, size_t *cap, const struct emu_plug_event *ev)
{
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct emu_plug_event *p = realloc(s->ev, ncap * sizeof(*p));

		if (!p)
			return -1;
		s->ev = p;
		*cap = ncap;
	}
	s->ev[s->n++] = *ev;
	if (ev->plug)
		s->starts_unplugged |= 1u << (ev->board - 1);
	return 0;
}

static int parse_lines(const char *text, unsigned nboards, struct emu_plug_schedule *s, char *err,
		       size_t errlen)
{
	size_t cap = 0;
	unsigned line = 0;

	for (const char *p = text; *p || line == 0;) {
		size_t len = strcspn(p, "\n");
		char buf[LINE_MAX_LEN];
		struct emu_plug_event ev = {0};
		int r;

		line++;
		if (len >= sizeof(buf))
			return fail(err, errlen, line, "the line is longer than %d characters",
				    LINE_MAX_LEN - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		r = parse_line(buf, line, nboards, &ev, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0 && ev.after_requests && add_count(s, &ev, err, errlen))
			return -1;
		if (r > 0 && !ev.after_requests && add_event(s, &cap, &ev))
			return fail(err, errlen, line, "out of memory");
		p += len;
		if (!*p)
			break;
		p++;
	}
	return 0;
}

int emu_plug_schedule_parse(const char *text, unsigned nboards, struct emu_plug_schedule *out,
			    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (nboards < 1 || nboards > EMU_PLUG_MAX_BOARDS) {
		snprintf(err, errlen, "%u boards: the emulator has 1..%u", nboards,
			 EMU_PLUG_MAX_BOARDS);
		return -1;
	}
	if (parse_lines(text, nboards, out, err, errlen)) {
		emu_plug_schedule_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->ev, out->n, sizeof(*out->ev), by_time);
	if (check_order(out, err, errlen)) {
		emu_plug_schedule_free(out);
		return -1;
	}
	return 0;
}

void emu_plug_schedule_free(struct emu_plug_schedule *s)
{
	free(s->ev);
	s->ev = NULL;
	s->n = 0;
	s->starts_unplugged = 0;
	memset(s->unplug_after, 0, sizeof(s->unplug_after));
	memset(s->unplug_after_line, 0, sizeof(s->unplug_after_line));
}
