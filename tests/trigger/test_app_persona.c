/* SPDX-License-Identifier: MIT */
/*
 * The emulated application personalities: what MicroPython, Betaflight and a
 * plain text-command application answer, and when they enter the ROM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app_persona.h"

#define MS 1000000ull

static struct emu_persona p;
static char answer[EMU_PERSONA_OUT_MAX + 1];

static void boot(const char *spec)
{
	struct emu_persona_config cfg;
	char err[160];

	assert_int_equal(emu_persona_parse(spec, &cfg, err, sizeof(err)), 1);
	emu_persona_init(&p, &cfg);
}

/* Send @s (one chunk) at @now; returns everything answered so far. */
static const char *send(const char *s, size_t len, uint64_t now)
{
	size_t n;

	emu_persona_rx(&p, (const uint8_t *)s, len, now);
	n = emu_persona_take(&p, (uint8_t *)answer, sizeof(answer) - 1);
	answer[n] = '\0';
	return answer;
}

#define SEND(s, now) send((s), sizeof(s) - 1, (now))

static bool due(uint64_t now)
{
	uint64_t next;

	return emu_persona_due(&p, now, &next);
}

static void micropython_as_mpremote_bootloader(void **state)
{
	(void)state;
	boot("micropython");
	/* mpremote's enter_raw_repl: interrupt, then Ctrl-A */
	assert_string_equal(SEND("\r\x03\x03", 0), "\r\n>>> \r\n>>> \r\n>>> ");
	assert_string_equal(SEND("\r\x01", MS), "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
	/* exec --no-follow: the code, Ctrl-D, "OK"; then the board resets */
	assert_string_equal(
		SEND("import time, machine; time.sleep_ms(100); machine.bootloader()\x04", 2 * MS),
		"OK");
	assert_false(due(2 * MS + 100 * MS - 1));
	assert_true(due(2 * MS + 100 * MS));
}

static void micropython_raw_repl_errors_and_soft_reboot(void **state)
{
	(void)state;
	boot("micropython");
	SEND("\x01", 0);
	/* an undefined name, with its traceback between the EOF markers */
	assert_string_equal(SEND("machine.bootloader()\x04", 0),
			    "OK\x04Traceback (most recent call last):\r\n"
			    "  File \"<stdin>\", line 1, in <module>\r\n"
			    "NameError: name 'machine' isn't defined\r\n\x04>");
	assert_string_equal(SEND("import nosuch\x04", 0),
			    "OK\x04Traceback (most recent call last):\r\n"
			    "  File \"<stdin>\", line 1, in <module>\r\n"
			    "ImportError: no module named 'nosuch'\r\n\x04>");
	assert_non_null(strstr(SEND("bl rom\r\x04", 0), "SyntaxError: invalid syntax"));
	assert_string_equal(SEND("import machine\npass\x04", 0), "OK\x04\x04>");
	/* Ctrl-C clears what was typed; Ctrl-D on nothing soft-reboots */
	assert_string_equal(SEND("garbage\x03\x04", 0),
			    "OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
	/* Ctrl-B: back to the friendly REPL and its banner */
	assert_non_null(strstr(SEND("\x02", 0), "MicroPython v1.22.2"));
	assert_false(due(10000 * MS));
}

static void micropython_friendly_repl_echoes(void **state)
{
	(void)state;
	boot("micropython");
	/* what a Betaflight host sends: '#', then "bl rom": a Python comment */
	assert_string_equal(SEND("#", 0), "#");
	assert_string_equal(SEND("bl rom\r", 0), "bl rom\r\n>>> ");
	/* machine.bootloader() typed at the prompt works too */
	assert_string_equal(SEND("import machine\r", 0), "import machine\r\n>>> ");
	SEND("machine.bootloader()\r", 5 * MS);
	assert_true(due(5 * MS));
}

static void betaflight_cli_bl_rom(void **state)
{
	(void)state;
	boot("betaflight");
	/* MSP bytes are no text */
	assert_string_equal(SEND("$M<\x00\x64\x64", 0), "");
	assert_string_equal(SEND("#", 0),
			    "\r\nEntering CLI Mode, type 'exit' to return, or 'help'\r\n\r\n# ");
	assert_string_equal(SEND("bl rom\n", MS),
			    "bl rom\r\n\r\n# restarting in ROM bootloader mode\r\n\r\nRebooting");
	assert_false(due(MS));
	assert_true(due(MS + 10 * MS));
}

static void betaflight_wrong_commands(void **state)
{
	(void)state;
	boot("betaflight");
	/* outside the CLI, MicroPython's interrupt and raw REPL get no answer */
	assert_string_equal(SEND("\r\x03\x03\r\x01", 0), "");
	SEND("#", 0);
	assert_string_equal(SEND("import machine\r", 0),
			    "import machine\r\n###ERROR IN input: UNKNOWN COMMAND, TRY 'HELP'###"
			    "\r\n# ");
	assert_string_equal(SEND("bl flash\r", 0),
			    "bl flash\r\n###ERROR IN bl: INVALID OPTION###\r\n\r\n# ");
	/* an empty line does nothing; a comment is no command */
	assert_string_equal(SEND("\r", 0), "");
	assert_string_equal(SEND("  # bl\r", 0), "# bl\r\n\r\n# ");
	assert_false(due(10000 * MS));
}

static void inav_cli_dfu(void **state)
{
	(void)state;
	boot("inav");
	assert_string_equal(SEND("#", 0),
			    "\r\nEntering CLI Mode, type 'exit' to return, or 'help'\r\n\r\n# ");
	/* no bl in INAV */
	assert_string_equal(SEND("bl rom\n", 0),
			    "bl rom\r\n### ERROR: Unknown command, try 'help'\r\n# ");
	assert_false(due(10000 * MS));
	assert_string_equal(SEND("dfu\n", MS), "dfu\r\n\r\nRestarting in DFU mode\r\nRebooting");
	assert_true(due(MS + 10 * MS));
}

static void text_command_across_chunks(void **state)
{
	(void)state;
	boot("text:reboot dfu\\r\\n");
	assert_int_equal(p.cfg.text_len, 12);
	assert_string_equal(SEND("reboot df", 0), "");
	assert_false(due(100 * MS));
	SEND("u\r\n", MS);
	assert_true(due(MS + 10 * MS));
}

static void text_command_ignores_the_rest(void **state)
{
	(void)state;
	boot("text:\\xAA");
	assert_string_equal(SEND("#bl rom\r\x03\x01\xAB", 0), "");
	assert_false(due(10000 * MS));
	SEND("\xAA", 0);
	assert_true(due(10 * MS));
}

static void parse_specs(void **state)
{
	struct emu_persona_config cfg;
	char err[160];

	(void)state;
	assert_int_equal(emu_persona_parse("stdfu", &cfg, err, sizeof(err)), 0);
	assert_int_equal(emu_persona_parse("text:", &cfg, err, sizeof(err)), -1);
	assert_int_equal(emu_persona_parse("text:a\\q", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "C escapes"));
	assert_int_equal(emu_persona_parse("text:\\x", &cfg, err, sizeof(err)), -1);
	assert_int_equal(emu_persona_parse("text:\\101\\x42\\t\\\\\\0", &cfg, err, sizeof(err)), 1);
	assert_int_equal(cfg.text_len, 5);
	assert_memory_equal(cfg.text, "AB\t\\\0", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(micropython_as_mpremote_bootloader),
		cmocka_unit_test(micropython_raw_repl_errors_and_soft_reboot),
		cmocka_unit_test(micropython_friendly_repl_echoes),
		cmocka_unit_test(betaflight_cli_bl_rom),
		cmocka_unit_test(betaflight_wrong_commands),
		cmocka_unit_test(inav_cli_dfu),
		cmocka_unit_test(text_command_across_chunks),
		cmocka_unit_test(text_command_ignores_the_rest),
		cmocka_unit_test(parse_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
