/* SPDX-License-Identifier: MIT */
/*
 * Text-command triggers: firmware that has never heard of stdfu but enters
 * its ROM bootloader when asked on its own console.
 *
 * MicroPython: what `mpremote bootloader` does (github.com/micropython/
 * micropython, tools/mpremote/mpremote/main.py: "exec --no-follow 'import
 * time, machine; time.sleep_ms(100); machine.bootloader()'"), over the raw
 * REPL as transport_serial.py drives it: "\r\x03\x03" interrupts a running
 * program, "\r\x01" enters the raw REPL, which answers "raw REPL; CTRL-B to
 * exit\r\n>"; the code and Ctrl-D are answered "OK" (shared/runtime/pyexec.c,
 * pyexec_raw_repl), then the output, 0x04, the error output, 0x04. stdfu
 * skips mpremote's soft reset: nothing of the board's state matters once it
 * is in the ROM.
 *
 * Betaflight: a '#' on the MSP port enters the CLI ("Entering CLI Mode, type
 * 'exit' to return, or 'help'", then the prompt "# "), and "bl rom" reboots
 * into the ROM bootloader, announced "restarting in ROM bootloader mode" and
 * "Rebooting" (src/main/cli/cli.c of github.com/betaflight/betaflight; the
 * Betaflight 4.5 CLI reference: "bl - reboot into bootloader [rom]").
 * INAV (src/main/fc/cli.c of github.com/iNavFlight/inav) has the same '#' and
 * CLI but no "bl": it answers "Unknown command, try 'help'", and its "dfu"
 * ("DFU mode on reboot") announces "Restarting in DFU mode" and "Rebooting";
 * stdfu falls back to it.
 *
 * text:STRING: the bytes, C escapes decoded; such an application has no
 * agreed answer, so only what the board does next (leave the bus) tells.
 */
#include <libserialport.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/error_internal.h"
#include "trigger/trigger_internal.h"
#include "trigger/trigger_text.h"

#define TEXT_MAX	256
#define ANSWER_MAX	512
#define ANSWER_WAIT_MS	1000u /* for the firmware to answer one step */
#define INTERRUPT_MS	100u  /* for a running program to stop after Ctrl-C */
#define BOOT_ERROR_MS	150u  /* an exception would follow "OK" within this */
#define MP_RAW_BANNER	"raw REPL; CTRL-B to exit\r\n>"
#define MP_BOOTLOADER	"import time, machine; time.sleep_ms(100); machine.bootloader()"
#define BF_CLI_BANNER	"Entering CLI Mode"
#define BF_BL_ANNOUNCED "Rebooting"

struct answer {
	char buf[ANSWER_MAX + 1];
	size_t len;
};

/* ---- C escapes ------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after the backslash at *s; advances *s. */
static int escape(const char **s, uint8_t *out)
{
	static const char from[] = "rntabefv\\\"'?";
	static const char to[] = "\r\n\t\a\b\x1b\f\v\\\"'?";
	const char *c = *s, *hit;
	unsigned v = 0;
	int n = 0;

	if (*c == 'x') {
		for (c++; n < 2 && hexval(*c) >= 0; n++)
			v = v * 16 + (unsigned)hexval(*c++);
	} else if (*c >= '0' && *c <= '7') {
		for (; n < 3 && *c >= '0' && *c <= '7'; n++)
			v = v * 8 + (unsigned)(*c++ - '0');
	} else if (*c && (hit = strchr(from, *c))) {
		*out = (uint8_t)to[hit - from];
		*s = c + 1;
		return 0;
	}
	if (!n || v > 0xff)
		return -1;
	*out = (uint8_t)v;
	*s = c;
	return 0;
}

int stdfu__text_unescape(const char *s, uint8_t *buf, size_t cap, size_t *len)
{
	const char *start = s;

	*len = 0;
	if (!s || !*s)
		return stdfu__fail(STDFU_ERR_ARG, "--method text: needs a command, e.g. "
						  "--method 'text:reboot dfu\\r\\n'");
	while (*s) {
		uint8_t b = (uint8_t)*s++;

		if (b == '\\' && escape(&s, &b))
			return stdfu__fail(STDFU_ERR_ARG,
					   "--method text:%s: bad escape at offset %u; use \\r \\n "
					   "\\t \\\\ \\xHH or \\NNN",
					   start, (unsigned)(s - start - 1));
		if (*len == cap)
			return stdfu__fail(STDFU_ERR_ARG,
					   "--method text: the command is longer than %u bytes",
					   (unsigned)cap);
		buf[(*len)++] = b;
	}
	return STDFU_OK;
}

/* ---- the dialogue ---------------------------------------------------------------- */

/* @a for a message: C-escaped, its last bytes if long, "nothing" if empty. */
static const char *shown(const struct answer *a, char *out, size_t cap)
{
	size_t from = a->len > 96 ? a->len - 96 : 0, n = 0;

	if (!a->len)
		return "nothing";
	n += (size_t)snprintf(out, cap, from ? "...\"" : "\"");
	for (size_t i = from; i < a->len && n + 6 < cap; i++) {
		unsigned char c = (unsigned char)a->buf[i];

		if (c == '\r' || c == '\n')
			n += (size_t)snprintf(out + n, cap - n, "\\%c", c == '\r' ? 'r' : 'n');
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	snprintf(out + n, cap - n, "\"");
	return out;
}

static int put(struct sp_port *sp, const char *port, const void *buf, size_t len)
{
	enum sp_return r = sp_blocking_write(sp, buf, len, 1000);

	if (r != (enum sp_return)len)
		return stdfu__fail(STDFU_ERR_TRIGGER, "could not write to %s: %s", port,
				   r < 0 ? sp_last_error_message() : "timed out");
	sp_drain(sp);
	return STDFU_OK;
}

/* Read into @a until it holds @want (NULL: until @ms pass). 1 if it does. */
static int await(struct sp_port *sp, struct answer *a, const char *want, unsigned ms)
{
	for (unsigned waited = 0; waited < ms; waited += 20) {
		enum sp_return r = sp_blocking_read(sp, a->buf + a->len, ANSWER_MAX - a->len, 20);

		if (r > 0)
			a->len += (size_t)r;
		a->buf[a->len] = '\0';
		if (want && memmem(a->buf, a->len, want, strlen(want)))
			return 1;
		if (r < 0 || a->len == ANSWER_MAX)
			break;
	}
	return 0;
}

/* What went wrong, what the firmware answered instead, what to try. */
/* The CLI answered a command with an error and is back at its prompt. */
static bool cli_refused(const struct answer *a)
{
	return strstr(a->buf, "ERROR") && a->len >= 4 && !memcmp(a->buf + a->len - 4, "\r\n# ", 4);
}

/* After a reboot command: 1 once "Rebooting" is announced, 0 if refused or silent. */
static int cli_reboots(struct sp_port *sp, struct answer *a)
{
	for (unsigned waited = 0; waited < ANSWER_WAIT_MS; waited += 20) {
		if (await(sp, a, BF_BL_ANNOUNCED, 20))
			return !strstr(a->buf, "ERROR");
		if (cli_refused(a))
			return 0;
	}
	return 0;
}

static int unexpected(const char *port, const struct answer *a, const char *what,
		      const char *advice)
{
	char s[512];

	return stdfu__fail(STDFU_ERR_TRIGGER, "%s: the firmware on %s answered %s%s%s", what, port,
			   shown(a, s, sizeof(s)), advice ? "; " : "", advice ? advice : "");
}

static int micropython(struct sp_port *sp, const char *port)
{
	struct answer a = {.len = 0};
	int rc;

	if ((rc = put(sp, port, "\r\x03\x03", 3)))
		return rc;
	await(sp, &a, NULL, INTERRUPT_MS);
	a.len = 0;
	if ((rc = put(sp, port, "\r\x01", 2)))
		return rc;
	if (!await(sp, &a, MP_RAW_BANNER, ANSWER_WAIT_MS))
		return unexpected(port, &a, "no MicroPython raw REPL after Ctrl-C, Ctrl-A",
				  "is it MicroPython? (else try --method betaflight, "
				  "text:STRING or byte)");
	a.len = 0;
	if ((rc = put(sp, port, MP_BOOTLOADER "\x04", sizeof(MP_BOOTLOADER "\x04") - 1)))
		return rc;
	if (!await(sp, &a, "OK", ANSWER_WAIT_MS) || memcmp(a.buf, "OK", 2) != 0)
		return unexpected(port, &a, "MicroPython's raw REPL did not take the command",
				  NULL);
	/* An exception (no machine.bootloader on this port?) would follow at once. */
	if (await(sp, &a, "\x04", BOOT_ERROR_MS))
		return unexpected(port, &a, "machine.bootloader() failed", NULL);
	return STDFU_OK;
}

static int betaflight(struct sp_port *sp, const char *port)
{
	struct answer a = {.len = 0};
	int rc;

	if ((rc = put(sp, port, "#", 1)))
		return rc;
	if (!await(sp, &a, BF_CLI_BANNER, ANSWER_WAIT_MS) || !await(sp, &a, "# ", ANSWER_WAIT_MS))
		return unexpected(port, &a, "no Betaflight CLI after '#'",
				  "is it Betaflight? (else try --method micropython, "
				  "text:STRING or byte)");
	a.len = 0;
	if ((rc = put(sp, port, "bl rom\n", 7)))
		return rc;
	if (cli_reboots(sp, &a))
		return STDFU_OK;
	if (!strcasestr(a.buf, "unknown command"))
		return unexpected(port, &a, "the Betaflight CLI refused 'bl rom'", NULL);
	/* INAV: no bl, but dfu */
	a.len = 0;
	if ((rc = put(sp, port, "dfu\n", 4)))
		return rc;
	if (!cli_reboots(sp, &a))
		return unexpected(port, &a,
				  "the flight controller's CLI knows neither 'bl rom' (Betaflight) "
				  "nor 'dfu' (INAV)",
				  NULL);
	return STDFU_OK;
}

static int text(struct sp_port *sp, const char *port, const uint8_t *cmd, size_t len)
{
	struct answer a = {.len = 0};
	int rc = put(sp, port, cmd, len);

	/* Nothing agreed to expect: give the firmware a moment to act on it. */
	if (!rc)
		await(sp, &a, NULL, STDFU_TRIGGER_POLL_PERIOD_MS * 2u);
	return rc;
}

int stdfu__trigger_send_text(const char *port, enum stdfu_trigger_method m, const char *cmd)
{
	uint8_t bytes[TEXT_MAX];
	size_t len = 0;
	struct sp_port *sp;
	int rc;

	if (m == STDFU_METHOD_TEXT && (rc = stdfu__text_unescape(cmd, bytes, sizeof(bytes), &len)))
		return rc;
	if ((rc = stdfu__trigger_port_open(port, &sp)))
		return rc;
	if (m == STDFU_METHOD_MICROPYTHON)
		rc = micropython(sp, port);
	else if (m == STDFU_METHOD_BETAFLIGHT)
		rc = betaflight(sp, port);
	else
		rc = text(sp, port, bytes, len);
	stdfu__trigger_port_close(sp);
	return rc;
}
