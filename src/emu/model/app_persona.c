/* SPDX-License-Identifier: MIT */
/*
 * What firmware without the stdfu companion answers on its USB CDC port.
 *
 * MicroPython (STM32 port), from shared/runtime/pyexec.c of
 * github.com/micropython/micropython (pyexec_friendly_repl, pyexec_raw_repl)
 * and docs.micropython.org/en/latest/reference/repl.html ("Raw mode"): the
 * friendly REPL echoes and prompts ">>> "; Ctrl-A on an empty line enters the
 * raw REPL ("raw REPL; CTRL-B to exit\r\n>"), where input is collected
 * without echo until Ctrl-D, answered "OK", run, and followed by its output,
 * 0x04, its error output, 0x04 and the next ">". Ctrl-B returns to the
 * friendly REPL (banner), Ctrl-C clears the line, Ctrl-D on an empty input
 * soft-reboots ("MPY: soft reboot", ports/stm32/main.c). The board sits at
 * the friendly REPL (no main.py). `mpremote bootloader` runs
 * "import time, machine; time.sleep_ms(100); machine.bootloader()"
 * (tools/mpremote/mpremote/main.py); this model runs exactly that subset of
 * Python: import, time.sleep_ms(), machine.bootloader(), pass and comments;
 * anything else raises the exception MicroPython would, in its words.
 * Raw-paste mode (Ctrl-E A Ctrl-A) is not modelled: its Ctrl-A resets the
 * raw REPL, as on firmware older than v1.14, which mpremote falls back from.
 *
 * Betaflight, from src/main/cli/cli.c and src/main/msp/msp_serial.c of
 * github.com/betaflight/betaflight and the Betaflight 4.5 CLI reference
 * (betaflight.com, "bl - reboot into bootloader [rom]"): on the MSP port a
 * '#' enters the CLI ("\r\nEntering CLI Mode, type 'exit' to return, or
 * 'help'\r\n" then the prompt "\r\n# "); typed characters are echoed; a line
 * ends on CR or LF; "bl" or "bl rom" answers "\r\n# restarting in ROM
 * bootloader mode\r\n\r\nRebooting" and resets into the ROM; an unknown
 * command answers "###ERROR IN input: UNKNOWN COMMAND, TRY 'HELP'###".
 *
 * INAV, from src/main/fc/cli.c of github.com/iNavFlight/inav: the same '#' and
 * CLI, but no "bl": "dfu" ("DFU mode on reboot") answers "\r\nRestarting in
 * DFU mode\r\nRebooting" and resets into the ROM, and an unknown command
 * answers "### ERROR: Unknown command, try 'help'".
 *
 * text:STRING: an application of its own that enters the ROM when STRING
 * arrives (across any chunking) and ignores, silently, everything else.
 */
#include "app_persona.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdfu/trigger_protocol.h>

#define MS 1000000ull

#define CTRL_A 0x01
#define CTRL_B 0x02
#define CTRL_C 0x03
#define CTRL_D 0x04

enum { MP_FRIENDLY = 0, MP_RAW };
enum { BF_MSP = 0, BF_CLI };

static const char mp_banner[] = "MicroPython v1.22.2 on 2024-02-22; PYBv1.1 with STM32F405RG\r\n"
				"Type \"help()\" for more information.\r\n";
static const char mp_raw_banner[] = "raw REPL; CTRL-B to exit\r\n>";

static void out(struct emu_persona *p, const char *s, size_t n)
{
	/* A CDC IN queue nobody reads: the oldest answer is not kept forever. */
	if (n > sizeof(p->out) - p->out_len)
		n = sizeof(p->out) - p->out_len;
	memcpy(p->out + p->out_len, s, n);
	p->out_len += n;
}

static void outs(struct emu_persona *p, const char *s)
{
	out(p, s, strlen(s));
}

static void enter_rom(struct emu_persona *p, uint64_t at_ns)
{
	if (!p->enter) {
		p->enter = true;
		p->enter_ns = at_ns;
	}
}

/* ---- the C escapes of text:STRING ------------------------------------------------ */

static int unescape_one(const char **s, uint8_t *b)
{
	static const char from[] = "rntab\\\"'efv?";
	static const char to[] = "\r\n\t\a\b\\\"'\x1b\f\v?";
	const char *c = *s, *hit;
	unsigned v = 0;
	int n = 0;

	if (*c == 'x') {
		for (c++; n < 2 && isxdigit((unsigned char)*c); n++, c++)
			v = v * 16 + (unsigned)(isdigit((unsigned char)*c)
							? *c - '0'
							: (tolower(*c) - 'a' + 10));
	} else if (*c >= '0' && *c <= '7') {
		for (; n < 3 && *c >= '0' && *c <= '7'; n++, c++)
			v = v * 8 + (unsigned)(*c - '0');
	} else if (*c && (hit = strchr(from, *c))) {
		*b = (uint8_t)to[hit - from];
		*s = c + 1;
		return 0;
	}
	if (n == 0 || v > 0xff)
		return -1;
	*b = (uint8_t)v;
	*s = c;
	return 0;
}

static int unescape(const char *s, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	while (*s) {
		uint8_t b = (uint8_t)*s++;

		if (b == '\\' && unescape_one(&s, &b))
			return -1;
		if (*len == cap)
			return -2;
		buf[(*len)++] = b;
	}
	return *len ? 0 : -1;
}

int emu_persona_parse(const char *spec, struct emu_persona_config *cfg, char *err, size_t errlen)
{
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (strcmp(spec, "micropython") == 0)
		cfg->kind = EMU_PERSONA_MICROPYTHON;
	else if (strcmp(spec, "betaflight") == 0)
		cfg->kind = EMU_PERSONA_BETAFLIGHT;
	else if (strcmp(spec, "inav") == 0)
		cfg->kind = EMU_PERSONA_INAV;
	else if (strncmp(spec, "text:", 5) != 0)
		return 0;
	if (cfg->kind != EMU_PERSONA_NONE)
		return 1;
	cfg->kind = EMU_PERSONA_TEXT;
	r = unescape(spec + 5, cfg->text, sizeof(cfg->text), &cfg->text_len);
	if (r == 0)
		return 1;
	if (err && r == -2)
		snprintf(err, errlen, "text command longer than %d bytes", EMU_PERSONA_TEXT_MAX);
	else if (err)
		snprintf(err, errlen,
			 "bad text command '%s': give a non-empty STRING with C escapes "
			 "(\\r \\n \\t \\\\ \\xHH \\NNN)",
			 spec + 5);
	return -1;
}

/* ---- MicroPython: the few statements `mpremote bootloader` needs ------------------ */

struct mp_run {
	bool machine, time; /* imported */
	uint64_t delay_ns;  /* time.sleep_ms() so far */
	bool boot;	    /* machine.bootloader() reached */
	char err[200];	    /* the exception, as MicroPython prints it */
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void mp_raise(struct mp_run *r, unsigned line, const char *what)
{
	snprintf(
		r->err, sizeof(r->err),
		"Traceback (most recent call last):\r\n  File \"<stdin>\", line %u, in <module>\r\n"
		"%s\r\n",
		line, what);
}

static void mp_import(struct mp_run *r, unsigned line, char *names)
{
	static const char *const builtin[] = {"sys", "os", "gc", "pyb", "micropython", NULL};
	char what[120];

	for (char *n = strtok(names, ","); n && !r->err[0]; n = strtok(NULL, ",")) {
		bool known = false;

		n = trim(n);
		for (int i = 0; builtin[i]; i++)
			known = known || strcmp(n, builtin[i]) == 0;
		if (strcmp(n, "machine") == 0)
			r->machine = known = true;
		if (strcmp(n, "time") == 0)
			r->time = known = true;
		if (!known) {
			snprintf(what, sizeof(what), "ImportError: no module named '%.60s'", n);
			mp_raise(r, line, what);
		}
	}
}

/* A name that is not defined: NameError, as at run time. */
static bool mp_undefined(struct mp_run *r, unsigned line, const char *s)
{
	char name[64], what[120];
	size_t n = 0;

	while (n < sizeof(name) - 1 && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		name[n] = s[n], n++;
	name[n] = '\0';
	if (!n || (s[n] != '.' && s[n] != '(') || strcmp(name, "print") == 0 ||
	    (r->machine && strcmp(name, "machine") == 0) || (r->time && strcmp(name, "time") == 0))
		return false;
	snprintf(what, sizeof(what), "NameError: name '%s' isn't defined", name);
	mp_raise(r, line, what);
	return true;
}

static void mp_stmt(struct mp_run *r, unsigned line, char *s)
{
	char *end;

	s = trim(s);
	if (!*s || *s == '#' || strcmp(s, "pass") == 0)
		return;
	if (strncmp(s, "import ", 7) == 0) {
		mp_import(r, line, s + 7);
		return;
	}
	if (mp_undefined(r, line, s))
		return;
	if (strncmp(s, "time.sleep_ms(", 14) == 0) {
		unsigned long ms = strtoul(s + 14, &end, 10);

		if (strcmp(end, ")") == 0) {
			r->delay_ns += ms * MS;
			return;
		}
	}
	if (strcmp(s, "machine.bootloader()") == 0) {
		r->boot = true;
		return;
	}
	snprintf(r->err, sizeof(r->err),
		 "Traceback (most recent call last):\r\n  File \"<stdin>\", line %u\r\n"
		 "SyntaxError: invalid syntax\r\n",
		 line);
}

/* Run @code (NUL-terminated, modified); statements end at newlines and ';'. */
static void mp_exec(struct mp_run *r, char *code, bool have_machine, bool have_time)
{
	unsigned line = 1;
	char *next;

	memset(r, 0, sizeof(*r));
	r->machine = have_machine;
	r->time = have_time;
	for (char *l = code; l && !r->err[0] && !r->boot; l = next, line++) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		for (char *st = l, *semi; st && !r->err[0] && !r->boot; st = semi) {
			semi = strchr(st, ';');
			if (semi)
				*semi++ = '\0';
			mp_stmt(r, line, st);
		}
	}
}

static void mp_run_line(struct emu_persona *p, uint64_t now_ns, bool raw)
{
	struct mp_run r;

	p->line[p->line_len] = '\0';
	p->line_len = 0;
	mp_exec(&r, p->line, p->mp_machine, p->mp_time);
	/* globals live on until the next soft reboot */
	p->mp_machine = r.machine;
	p->mp_time = r.time;
	if (r.boot) {
		/* machine.bootloader() does not return: no EOF markers, no prompt. */
		enter_rom(p, now_ns + r.delay_ns);
		return;
	}
	if (raw)
		out(p, "\x04", 1);
	outs(p, r.err);
	outs(p, raw ? "\x04>" : ">>> ");
}

static void mp_soft_reboot(struct emu_persona *p)
{
	p->mp_machine = p->mp_time = false;
	outs(p, "MPY: soft reboot\r\n");
	outs(p, p->mode == MP_RAW ? mp_raw_banner : mp_banner);
	if (p->mode == MP_FRIENDLY)
		outs(p, ">>> ");
}

static void mp_raw_char(struct emu_persona *p, uint8_t c, uint64_t now_ns)
{
	switch (c) {
	case CTRL_A:
		p->line_len = 0;
		outs(p, mp_raw_banner);
		return;
	case CTRL_B:
		p->mode = MP_FRIENDLY;
		p->line_len = 0;
		outs(p, "\r\n");
		outs(p, mp_banner);
		outs(p, ">>> ");
		return;
	case CTRL_C:
		p->line_len = 0;
		return;
	case CTRL_D:
		outs(p, "OK");
		if (p->line_len == 0) {
			outs(p, "\r\n");
			mp_soft_reboot(p);
			return;
		}
		mp_run_line(p, now_ns, true);
		return;
	default:
		if (p->line_len < sizeof(p->line) - 1)
			p->line[p->line_len++] = (char)c;
	}
}

static void mp_friendly_char(struct emu_persona *p, uint8_t c, uint64_t now_ns)
{
	if (c == CTRL_A && p->line_len == 0) {
		p->mode = MP_RAW;
		outs(p, "\r\n");
		outs(p, mp_raw_banner);
	} else if (c == CTRL_B) {
		p->line_len = 0;
		outs(p, "\r\n");
		outs(p, mp_banner);
		outs(p, ">>> ");
	} else if (c == CTRL_C) {
		p->line_len = 0;
		outs(p, "\r\n>>> ");
	} else if (c == CTRL_D && p->line_len == 0) {
		outs(p, "\r\n");
		mp_soft_reboot(p);
	} else if (c == '\r') {
		outs(p, "\r\n");
		mp_run_line(p, now_ns, false);
	} else if (c >= 0x20 && c < 0x7f && p->line_len < sizeof(p->line) - 1) {
		p->line[p->line_len++] = (char)c;
		out(p, (const char *)&c, 1);
	}
}

/* ---- Betaflight: the MSP port's '#' and the CLI ---------------------------------- */

static void inav_command(struct emu_persona *p, const char *cmd, uint64_t now_ns)
{
	if (strcasecmp(cmd, "dfu") == 0) {
		outs(p, "\r\nRestarting in DFU mode\r\nRebooting");
		enter_rom(p, now_ns + STDFU_TRIGGER_POLL_PERIOD_MS * MS);
	} else {
		outs(p, "### ERROR: Unknown command, try 'help'");
	}
}

static void bf_command(struct emu_persona *p, char *cmd, uint64_t now_ns)
{
	char *args = cmd + strcspn(cmd, " ");

	if (*args)
		*args++ = '\0';
	args = trim(args);
	if (p->cfg.kind == EMU_PERSONA_INAV)
		inav_command(p, cmd, now_ns);
	else if (strcasecmp(cmd, "bl") == 0 && (!*args || strncasecmp(args, "rom", 3) == 0)) {
		outs(p, "\r\n# restarting in ROM bootloader mode\r\n\r\nRebooting");
		enter_rom(p, now_ns + STDFU_TRIGGER_POLL_PERIOD_MS * MS);
	} else if (strcasecmp(cmd, "bl") == 0) {
		outs(p, "###ERROR IN bl: INVALID OPTION###\r\n");
	} else {
		outs(p, "###ERROR IN input: UNKNOWN COMMAND, TRY 'HELP'###");
	}
}

static void bf_line(struct emu_persona *p, uint64_t now_ns)
{
	char *hash;

	outs(p, "\r\n");
	p->line[p->line_len] = '\0';
	p->line_len = 0;
	hash = strchr(p->line, '#'); /* a comment */
	if (hash)
		*hash = '\0';
	if (*trim(p->line))
		bf_command(p, trim(p->line), now_ns);
	if (!p->enter)
		outs(p, "\r\n# ");
}

static void bf_char(struct emu_persona *p, uint8_t c, uint64_t now_ns)
{
	if (p->mode == BF_MSP) {
		/* Anything but '#' belongs to the MSP parser, which answers no text. */
		if (c == '#') {
			p->mode = BF_CLI;
			outs(p,
			     "\r\nEntering CLI Mode, type 'exit' to return, or 'help'\r\n\r\n# ");
		}
		return;
	}
	if (p->line_len && (c == '\r' || c == '\n')) {
		bf_line(p, now_ns);
	} else if (c == 127 && p->line_len) {
		p->line_len--;
		outs(p, "\b \b");
	} else if (c >= 32 && c <= 126 && p->line_len < sizeof(p->line) - 1 &&
		   (p->line_len || c != ' ')) {
		p->line[p->line_len++] = (char)c;
		out(p, (const char *)&c, 1);
	}
}

/* ---- text:STRING ----------------------------------------------------------------- */

static void text_byte(struct emu_persona *p, uint8_t c, uint64_t now_ns)
{
	size_t n = p->cfg.text_len;

	if (p->seen_len == n) {
		memmove(p->seen, p->seen + 1, n - 1);
		p->seen_len--;
	}
	p->seen[p->seen_len++] = c;
	if (p->seen_len == n && memcmp(p->seen, p->cfg.text, n) == 0)
		enter_rom(p, now_ns + STDFU_TRIGGER_POLL_PERIOD_MS * MS);
}

/* ---- the glue's side ------------------------------------------------------------- */

void emu_persona_init(struct emu_persona *p, const struct emu_persona_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
}

void emu_persona_rx(struct emu_persona *p, const uint8_t *buf, size_t len, uint64_t now_ns)
{
	/* Once the firmware is resetting it reads nothing more. */
	for (size_t i = 0; i < len && !p->enter; i++) {
		switch (p->cfg.kind) {
		case EMU_PERSONA_MICROPYTHON:
			if (p->mode == MP_RAW)
				mp_raw_char(p, buf[i], now_ns);
			else
				mp_friendly_char(p, buf[i], now_ns);
			break;
		case EMU_PERSONA_BETAFLIGHT:
		case EMU_PERSONA_INAV:
			bf_char(p, buf[i], now_ns);
			break;
		case EMU_PERSONA_TEXT:
			text_byte(p, buf[i], now_ns);
			break;
		default:
			return;
		}
	}
}

bool emu_persona_due(const struct emu_persona *p, uint64_t now_ns, uint64_t *next_ns)
{
	*next_ns = 0;
	if (!p->enter)
		return false;
	if (now_ns >= p->enter_ns)
		return true;
	*next_ns = p->enter_ns;
	return false;
}

size_t emu_persona_take(struct emu_persona *p, uint8_t *buf, size_t cap)
{
	size_t n = p->out_len < cap ? p->out_len : cap;

	memcpy(buf, p->out, n);
	memmove(p->out, p->out + n, p->out_len - n);
	p->out_len -= n;
	return n;
}
