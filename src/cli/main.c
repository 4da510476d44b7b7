/* SPDX-License-Identifier: MIT */
/* stdfu: command table, option parsing, dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_convert.h"
#include "cmd_option_bytes.h"
#include "complete.h"
#include "number.h"
#include "json.h"

#ifndef STDFU_VERSION
#define STDFU_VERSION "0.0.0"
#endif

#define SEL  "[--serial SN | --usb-path BUS-PORT[.PORT...]]"
#define TRIG "[TRIGGER]"
#define TRIGGER_OPTS                                                                         \
	"[--method byte|touch1200|detach|none|micropython|betaflight|text:STRING]\n"         \
	"         [--port TTY] [--app-id VID:PID]... [--trigger-byte 0xNN] [--timeout MS]\n" \
	"         [--any-port]"
/* Every command that needs DFU finds the board where it is: running or in DFU. */
#define REACH (OPT_SELECT | OPT_TRIGGER | OPT_APP_ID | OPT_WAIT)
#define REACH_HELP                                                                            \
	"\nA board running its application is triggered into DFU first (as `stdfu flash`\n"   \
	"does; --method none: it must already be in DFU mode). With no board at all, stdfu\n" \
	"waits up to --wait seconds (default 5; 0: fail at once) for one to appear."

const struct cli_cmd cli_commands[] = {
	{"list", cmd_list, OPT_APP_ID, 0, 0, "[--app-id VID:PID]...",
	 "list ST DFU devices with their memory maps, and application ports",
	 "Shows every ST ROM DFU device (0483:df11) with its USB port path, serial and, for\n"
	 "each alt setting, the memory map; then the serial ports of running applications\n"
	 "(0483:5740, or each --app-id) that stdfu can trigger into DFU."},
	{"info", cmd_info, REACH, 0, 1, "[SELECT] " TRIG " | FILE",
	 "identify the chip (family, flash, UID, RDP, boot bits) and decode its alts",
	 "Names the chip: family and part, flash size, ROM version (bcdDevice), the unique\n"
	 "ID or why the ROM will not give it, the read-protection level and the boot\n"
	 "option bits with what they mean. Then decodes each alt: regions, sector sizes and\n"
	 "R/E/W permissions, plus the transfer size, the DFU version and the current DFU\n"
	 "state and status.\n"
	 "With FILE, no device: the image's format and extent, and whether it carries the\n"
	 "stdfu firmware companion (without it, the next update needs BOOT0)." REACH_HELP},
	{"flash", cmd_flash,
	 REACH | OPT_ADDRESS | OPT_NO_VERIFY | OPT_NO_LEAVE | OPT_POLL | OPT_FORCE | OPT_FORMAT |
		 OPT_WAIT_APP | OPT_INCREMENTAL | OPT_PROTECT | OPT_ALL | OPT_ALWAYS_ERASE,
	 1, 1,
	 "FILE|- [--address ADDR] [SELECT] [--no-verify] [--no-leave] [--poll spec|early]\n"
	 "       [--incremental] [--always-erase|--trust-blank] [--protect] [--format FMT]\n"
	 "       [--force] [--all [--usb-path BUS-PORT[.PORT...]]...] [--wait-app]\n"
	 "       " TRIG,
	 "trigger the application into DFU, erase, write, verify and start an image",
	 "Takes the board from its running application into the ROM bootloader (--method,\n"
	 "default: the trigger byte on the application's CDC port) and waits for the ROM on\n"
	 "the same USB port path; a board already in DFU mode is used as it is. Then erases\n"
	 "exactly the sectors FILE touches, writes it, verifies it by read-back and leaves\n"
	 "DFU mode so that the application starts (--wait-app: until its port is back).\n"
	 "FILE (- reads standard input) may be raw binary (placed at --address, default the\n"
	 "start of the internal flash), Intel HEX, S-record, ELF or DfuSe; the format is\n"
	 "detected (--format overrides). --address with a file that has addresses moves the\n"
	 "whole image so that its lowest address is ADDR. Checks that the image fits before\n"
	 "touching the device.\n"
	 "Sectors that read back blank (all 0xFF) are written without an erase; on ECC\n"
	 "flash a write that then fails (errPROG) erases and rewrites that sector alone.\n"
	 "--always-erase erases every touched sector instead. STM32H7 flash cannot refuse\n"
	 "a second programming, so there blank sectors are erased all the same unless\n"
	 "--trust-blank says the flash is virgin (new, or mass-erased since).\n"
	 "--incremental reads back the sectors FILE touches first and skips erasing and\n"
	 "writing those that already hold exactly what a full flash would leave.\n"
	 "--protect, after the verified flash, sets read protection (RDP level 1) through\n"
	 "the option bytes, follows the reset and confirms the new level before leaving.\n"
	 "--all flashes every board at once: each ST ROM in DFU mode and each application\n"
	 "port it can trigger (or the set named by repeated --usb-path), one worker per\n"
	 "board, each followed on its own USB port path. One result per board and a\n"
	 "summary; exit 0 only if every board passed, else 23 (some boards failed), with\n"
	 "each board's own exit code in its result and in the list on stderr." REACH_HELP},
	{"station", cmd_station,
	 OPT_SELECT | OPT_ADDRESS | OPT_POLL | OPT_FORMAT | OPT_FORCE | OPT_ALWAYS_ERASE |
		 OPT_TRIGGER | OPT_APP_ID | OPT_PROTECT | OPT_STATION,
	 1, 1,
	 "FILE [--usb-path BUS-PORT[.PORT...]]... [--count N] [--log FILE.jsonl]\n"
	 "       [--db FILE.sqlite] [--protect] [--serial-at ADDR [--serial-start N]]\n"
	 "       [--address ADDR] [--format FMT] [--force] [--always-erase|--trust-blank]\n"
	 "       [--poll spec|early]\n"
	 "       [--method M] [--app-id VID:PID]... [--trigger-byte 0xNN] [--timeout MS]",
	 "factory station: flash every board as it arrives, record each one",
	 "Watches the ports (every port, or each --usb-path) and flashes each board as soon\n"
	 "as it arrives, in application mode (triggered) or in DFU mode; boards that arrive\n"
	 "while others are in progress are flashed in parallel. Each board is flashed,\n"
	 "verified, read-protected with --protect (RDP level 1, confirmed), left, and the\n"
	 "station waits for its application to come back. Then the board's record is\n"
	 "written and the port is armed again only once the board has left the bus: a\n"
	 "board is never flashed twice without being removed.\n"
	 "Records: JSON Lines appended to --log (default stdfu-station.jsonl), fsync'd per\n"
	 "board; with --db also an SQLite database (created if missing). A board whose UID\n"
	 "(or ROM serial and flash size) was seen before is flagged rework.\n"
	 "--serial-at ADDR writes a 32-bit little-endian serial into each board's image at\n"
	 "ADDR, from a counter in --db that starts at --serial-start (default 1) and never\n"
	 "hands a serial out twice. --count N ends after N boards.\n"
	 "Ctrl-C: no more boards start, those in flight finish, then the summary; a second\n"
	 "Ctrl-C aborts them (exit 130), leaving them in DFU mode for the next run.\n"
	 "Exit 0 if every board passed, 23 if some failed."},
	{"trigger", cmd_trigger, REACH, 0, 0, "[SELECT] " TRIG,
	 "take a running application into the ROM bootloader (DFU) and print its port path",
	 "Sends the trigger to the application's serial port (or DFU_DETACH), waits for the\n"
	 "ROM bootloader (0483:df11) on the same USB port path and prints that path."},
	{"read", cmd_read, REACH | OPT_ADDRESS | OPT_LENGTH | OPT_ALT | OPT_FORCE, 1, 1,
	 "FILE|- [--address ADDR] [--length N] [--alt N] [--force] [SELECT] " TRIG,
	 "read device memory into a raw file",
	 "Reads device memory into FILE (- writes it to standard output). Without --length\n"
	 "it reads to the end of the region that holds ADDR; without --address, the whole\n"
	 "internal flash (or the whole of --alt N). The alt is the one whose memory holds\n"
	 "ADDR unless --alt says. The range must lie in the device's memory map. FILE is\n"
	 "written whole or not at all (a temporary file renamed into place); an existing\n"
	 "FILE is replaced only with --force." REACH_HELP},
	{"erase", cmd_erase, REACH | OPT_ADDRESS | OPT_LENGTH | OPT_MASS, 0, 0,
	 "(--address ADDR --length N | --mass) [SELECT] " TRIG, "erase sectors or the whole flash",
	 "Erases every sector overlapping [ADDR, ADDR+N), or the whole flash with --mass\n"
	 "(which can take many seconds)." REACH_HELP},
	{"verify", cmd_verify, REACH | OPT_ADDRESS | OPT_FORMAT | OPT_FORCE, 1, 1,
	 "FILE|- [--address ADDR] [--format FMT] [--force] [SELECT] " TRIG,
	 "compare device memory with an image",
	 "Reads back the memory FILE covers and compares it byte for byte." REACH_HELP},
	{"leave", cmd_leave, REACH | OPT_ADDRESS, 0, 0, "[--address ADDR] [SELECT] " TRIG,
	 "leave DFU mode and start the application",
	 "Sets the address (default: the start of the internal flash), leaves DFU mode and\n"
	 "waits until the device has left the bus." REACH_HELP},
	{"unprotect", cmd_unprotect, REACH | OPT_YES, 0, 0, "--yes [SELECT] " TRIG,
	 "remove read protection (MASS-ERASES the flash)",
	 "Sends Read Unprotect: the ROM erases the whole flash, removes read protection\n"
	 "(RDP level 1 -> 0) and resets. Needs --yes because every byte of flash is "
	 "lost." REACH_HELP},
	CMD_OPTION_BYTES_ENTRY,
	CMD_CONVERT_ENTRY,
	{"help", cmd_help, 0, 0, 1, "[COMMAND]", "show the help of stdfu or of one command",
	 "Without COMMAND, the list of commands and global options; with it, what\n"
	 "`stdfu COMMAND --help` prints."},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

enum {
	O_SERIAL = 256,
	O_USB_PATH,
	O_ADDRESS,
	O_LENGTH,
	O_NO_VERIFY,
	O_NO_LEAVE,
	O_POLL,
	O_MASS,
	O_YES,
	O_FORCE,
	O_FORMAT,
	O_ALT,
	O_JSON,
	O_QUIET,
	O_HELP,
	O_VERSION,
	O_METHOD,
	O_TRIGGER_BYTE,
	O_TIMEOUT,
	O_ANY_PORT,
	O_PORT,
	O_APP_ID,
	O_WAIT_APP,
	O_INCREMENTAL,
	O_ALLOW_IRREVERSIBLE,
	O_ALLOW_ROM_LOCKOUT,
	O_PROTECT,
	O_ALL,
	O_ALWAYS_ERASE,
	O_TRUST_BLANK,
	O_COLOR,
	O_VERBOSE,
	O_WAIT,
	O_COUNT,
	O_LOG,
	O_DB,
	O_SERIAL_AT,
	O_SERIAL_START,
};

static const struct option long_opts[] = {
	{"serial", required_argument, NULL, O_SERIAL},
	{"usb-path", required_argument, NULL, O_USB_PATH},
	{"address", required_argument, NULL, O_ADDRESS},
	{"length", required_argument, NULL, O_LENGTH},
	{"no-verify", no_argument, NULL, O_NO_VERIFY},
	{"no-leave", no_argument, NULL, O_NO_LEAVE},
	{"poll", required_argument, NULL, O_POLL},
	{"mass", no_argument, NULL, O_MASS},
	{"yes", no_argument, NULL, O_YES},
	{"force", no_argument, NULL, O_FORCE},
	{"format", required_argument, NULL, O_FORMAT},
	{"alt", required_argument, NULL, O_ALT},
	{"json", no_argument, NULL, O_JSON},
	{"quiet", no_argument, NULL, O_QUIET},
	{"help", no_argument, NULL, O_HELP},
	{"version", no_argument, NULL, O_VERSION},
	{"method", required_argument, NULL, O_METHOD},
	{"trigger-byte", required_argument, NULL, O_TRIGGER_BYTE},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"any-port", no_argument, NULL, O_ANY_PORT},
	{"port", required_argument, NULL, O_PORT},
	{"app-id", required_argument, NULL, O_APP_ID},
	{"wait-app", no_argument, NULL, O_WAIT_APP},
	{"incremental", no_argument, NULL, O_INCREMENTAL},
	{"allow-irreversible", no_argument, NULL, O_ALLOW_IRREVERSIBLE},
	{"allow-rom-lockout", no_argument, NULL, O_ALLOW_ROM_LOCKOUT},
	{"protect", no_argument, NULL, O_PROTECT},
	{"all", no_argument, NULL, O_ALL},
	{"always-erase", no_argument, NULL, O_ALWAYS_ERASE},
	{"trust-blank", no_argument, NULL, O_TRUST_BLANK},
	{"color", required_argument, NULL, O_COLOR},
	{"verbose", no_argument, NULL, O_VERBOSE},
	{"wait", required_argument, NULL, O_WAIT},
	{"count", required_argument, NULL, O_COUNT},
	{"log", required_argument, NULL, O_LOG},
	{"db", required_argument, NULL, O_DB},
	{"serial-at", required_argument, NULL, O_SERIAL_AT},
	{"serial-start", required_argument, NULL, O_SERIAL_START},
	{NULL, 0, NULL, 0},
};
#define SHORT_OPTS "+:hqVv"

static const struct {
	int opt;
	unsigned bit;
} opt_bits[] = {
	{O_SERIAL, OPT_SELECT},
	{O_USB_PATH, OPT_SELECT},
	{O_ADDRESS, OPT_ADDRESS},
	{O_LENGTH, OPT_LENGTH},
	{O_NO_VERIFY, OPT_NO_VERIFY},
	{O_NO_LEAVE, OPT_NO_LEAVE},
	{O_POLL, OPT_POLL},
	{O_MASS, OPT_MASS},
	{O_YES, OPT_YES},
	{O_FORCE, OPT_FORCE},
	{O_FORMAT, OPT_FORMAT},
	{O_ALT, OPT_ALT},
	{O_METHOD, OPT_TRIGGER},
	{O_TRIGGER_BYTE, OPT_TRIGGER},
	{O_TIMEOUT, OPT_TRIGGER},
	{O_ANY_PORT, OPT_TRIGGER},
	{O_PORT, OPT_TRIGGER},
	{O_APP_ID, OPT_APP_ID},
	{O_WAIT_APP, OPT_WAIT_APP},
	{O_INCREMENTAL, OPT_INCREMENTAL},
	{O_ALLOW_IRREVERSIBLE, OPT_OB_ALLOW},
	{O_ALLOW_ROM_LOCKOUT, OPT_OB_ALLOW},
	{O_PROTECT, OPT_PROTECT},
	{O_ALL, OPT_ALL},
	{O_ALWAYS_ERASE, OPT_ALWAYS_ERASE},
	{O_TRUST_BLANK, OPT_ALWAYS_ERASE},
	{O_WAIT, OPT_WAIT},
	{O_COUNT, OPT_STATION},
	{O_LOG, OPT_STATION},
	{O_DB, OPT_STATION},
	{O_SERIAL_AT, OPT_STATION},
	{O_SERIAL_START, OPT_STATION},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: stdfu [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
		   "Flash STM32 microcontrollers through their USB ROM bootloader (ST DfuSe).\n\n"
		   "Commands:\n");
	for (const struct cli_cmd *cmd = cli_commands; cmd->name; cmd++)
		fprintf(f, "  %-13s %s\n", cmd->name, cmd->summary);
	fprintf(f, "\nGlobal options (before or after the command):\n"
		   "  --json            one JSON object per line on stdout, the last a result\n"
		   "  -q, --quiet       errors only\n"
		   "  --color WHEN      auto (default; honours NO_COLOR), always or never\n"
		   "  -v, --verbose     DFU requests and states; twice: every USB transfer\n"
		   "  -h, --help        this help (`stdfu help COMMAND`: one command's)\n"
		   "  -V, --version     the version\n"
		   "\nSELECT is --serial SN (the application's or its ROM's) or --usb-path\n"
		   "BUS-PORT[.PORT...]. man stdfu(1) for exit codes, JSON and examples.\n");
}

void cli_command_help(const struct cli_cmd *cmd)
{
	printf("usage: stdfu %s %s\n\n%s\n", cmd->name, cmd->synopsis, cmd->help);
	if (cmd->opts & OPT_SELECT)
		printf("\nSELECT: %s\n", SEL);
	if (cmd->opts & OPT_TRIGGER)
		printf("TRIGGER: " TRIGGER_OPTS "%s\n",
		       cmd->opts & OPT_WAIT ? " [--wait SECONDS]" : "");
	printf("Global options: --json, --quiet, --color WHEN, --verbose (stdfu --help).\n");
}

/* The trigger options are parsed by cmd_trigger.c, under their long names. */
static const char *trigger_option(int opt)
{
	static const struct {
		int opt;
		const char *name;
	} names[] = {
		{O_METHOD, "method"},	  {O_TRIGGER_BYTE, "trigger-byte"},
		{O_TIMEOUT, "timeout"},	  {O_ANY_PORT, "any-port"},
		{O_PORT, "port"},	  {O_APP_ID, "app-id"},
		{O_WAIT_APP, "wait-app"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].opt == opt)
			return names[i].name;
	return NULL;
}

/* Options without a value; false if @opt is not one. */
static bool set_flag(struct cli *c, int opt)
{
	bool *flag = opt == O_NO_VERIFY		   ? &c->no_verify
		     : opt == O_NO_LEAVE	   ? &c->no_leave
		     : opt == O_INCREMENTAL	   ? &c->incremental
		     : opt == O_ALWAYS_ERASE	   ? &c->always_erase
		     : opt == O_TRUST_BLANK	   ? &c->trust_blank
		     : opt == O_ALL		   ? &c->all
		     : opt == O_MASS		   ? &c->mass
		     : opt == O_YES		   ? &c->yes
		     : opt == O_FORCE		   ? &c->force
		     : opt == O_ALLOW_IRREVERSIBLE ? &c->allow_irreversible
		     : opt == O_ALLOW_ROM_LOCKOUT  ? &c->allow_rom_lockout
		     : opt == O_PROTECT		   ? &c->protect
						   : NULL;

	if (!flag)
		return false;
	*flag = true;
	return true;
}

/* station: --count N (>= 1), --serial-at ADDR, --serial-start N */
static int set_station_number(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case O_COUNT:
		c->count_set = cli_parse_u32(arg, &c->count) && c->count > 0;
		return c->count_set
			       ? 0
			       : out_usage(c, "bad --count \"%s\" (a number of boards, 1 or more)",
					   arg);
	case O_SERIAL_AT:
		c->serial_at_set = cli_parse_u32(arg, &c->serial_at);
		return c->serial_at_set
			       ? 0
			       : out_usage(c, "bad --serial-at \"%s\" (e.g. 0x080FFF00)", arg);
	case O_SERIAL_START:
		c->serial_start_set = cli_parse_u32(arg, &c->serial_start);
		return c->serial_start_set
			       ? 0
			       : out_usage(c, "bad --serial-start \"%s\" (0 to 4294967295)", arg);
	}
	return 0;
}

static int set_number(struct cli *c, int opt, const char *arg)
{
	uint32_t v = 0;

	switch (opt) {
	case O_ADDRESS:
		c->address_set = cli_parse_u32(arg, &c->address);
		return c->address_set ? 0
				      : out_usage(c, "bad --address \"%s\" (e.g. 0x08000000)", arg);
	case O_LENGTH:
		c->length_set = cli_parse_u32(arg, &c->length) && c->length > 0;
		return c->length_set
			       ? 0
			       : out_usage(c, "bad --length \"%s\" (e.g. 4096, 0x1000, 16K)", arg);
	case O_ALT:
		c->alt_set = cli_parse_u32(arg, &v) && v < 256;
		c->alt = (uint8_t)v;
		return c->alt_set ? 0 : out_usage(c, "bad --alt \"%s\"", arg);
	case O_WAIT:
		if (!cli_parse_u32(arg, &c->wait_s) || c->wait_s > 3600)
			return out_usage(c, "bad --wait \"%s\" (seconds, 0 to 3600)", arg);
		return 0;
	}
	return set_station_number(c, opt, arg);
}

static int set_option(struct cli *c, int opt, const char *arg)
{
	const char *trigger = trigger_option(opt);

	if (trigger)
		return cli_trigger_option(c, trigger, arg);
	if (set_flag(c, opt))
		return 0;
	switch (opt) {
	case O_SERIAL:
		c->sel.serial = arg;
		return 0;
	case O_USB_PATH:
		if (!stdfu_usb_path_valid(arg))
			return out_usage(
				c,
				"bad --usb-path \"%s\" (expected BUS-PORT[.PORT...], e.g. 1-2.3)",
				arg);
		if (c->n_usb_paths >= CLI_USB_PATHS_MAX)
			return out_usage(c, "more than %d --usb-path", CLI_USB_PATHS_MAX);
		c->usb_paths[c->n_usb_paths++] = arg;
		c->sel.usb_path = arg;
		return 0;
	case O_POLL:
		return stdfu_poll_policy_parse(arg, &c->poll)
			       ? out_usage(c, "bad --poll \"%s\" (spec or early)", arg)
			       : 0;
	case O_FORMAT:
		c->format = arg;
		return 0;
	case O_LOG:
		c->log_path = arg;
		return 0;
	case O_DB:
		c->db_path = arg;
		return 0;
	}
	return set_number(c, opt, arg);
}

static bool allowed(const struct cli_cmd *cmd, int opt)
{
	for (size_t i = 0; i < sizeof(opt_bits) / sizeof(opt_bits[0]); i++)
		if (opt_bits[i].opt == opt)
			return cmd->opts & opt_bits[i].bit;
	return true;
}

static const struct cli_cmd *find_command(const char *name)
{
	for (const struct cli_cmd *cmd = cli_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static bool takes_value(const char *arg)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->has_arg == required_argument &&
		    !strncmp(arg + 2, o->name, strlen(o->name)) && arg[2 + strlen(o->name)] == '\0')
			return true;
	return false;
}

/*
 * Before parsing: the output mode and colour, so that even a usage error is
 * reported the way the caller asked (one JSON result line with --json); and
 * the index of the command, the first word that is neither an option nor an
 * option's value.
 */
static int prescan(struct cli *c, int ac, char **av)
{
	int cmd = 0;

	for (int i = 1; i < ac; i++) {
		const char *a = av[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--json"))
			c->mode = OUT_JSON;
		else if ((!strcmp(a, "--quiet") || !strcmp(a, "-q")) && c->mode != OUT_JSON)
			c->mode = OUT_QUIET;
		else if (!strncmp(a, "--color=", 8))
			term_color_parse(a + 8, &c->color);
		else if (!strcmp(a, "--color") && i + 1 < ac)
			term_color_parse(av[i + 1], &c->color);
		if (a[0] == '-' && a[1] == '-' && !strchr(a, '=') && takes_value(a))
			i++;
		else if (!cmd && (a[0] != '-' || !a[1]))
			cmd = i;
	}
	return cmd;
}

static int global_option(struct cli *c, int opt, const char *arg, bool *done)
{
	switch (opt) {
	case O_JSON:
		return 0; /* prescan() */
	case O_QUIET:
	case 'q':
		c->mode = c->mode == OUT_JSON ? OUT_JSON : OUT_QUIET;
		return 0;
	case O_COLOR:
		return term_color_parse(arg, &c->color)
			       ? 0
			       : out_usage(c, "bad --color \"%s\" (auto, always or never)", arg);
	case O_VERBOSE:
	case 'v':
		c->verbose++;
		return 0;
	case O_VERSION:
	case 'V':
		c->want = 'V';
		*done = true;
		return 0;
	case O_HELP:
	case 'h':
		c->want = 'h';
		*done = true;
		return 0;
	}
	return -1;
}

static int one_option(struct cli *c, int opt, char **av, bool *done)
{
	int rc;

	if (opt == '?' || opt == ':')
		return out_usage(
			c, opt == '?' ? "unknown option \"%s\"" : "option \"%s\" needs a value",
			av[optind - 1]);
	rc = global_option(c, opt, optarg, done);
	if (rc >= 0)
		return rc;
	if (!c->cmd)
		return out_usage(c, "option \"%s\" needs a command before or after it",
				 av[optind - 1]);
	if (!allowed(c->cmd, opt))
		return out_usage(c, "option \"%s\" does not apply to %s", av[optind - 1],
				 c->cmd->name);
	return set_option(c, opt, optarg);
}

static int positional(struct cli *c, const char *arg)
{
	if (c->nargs >= 16)
		return out_usage(c, "too many arguments (\"%s\")", arg);
	c->args[c->nargs++] = (char *)arg;
	return 0;
}

/* Options anywhere; the command word is skipped, the other words are its arguments. */
static int parse(struct cli *c, int ac, char **av, bool *done)
{
	int cmd_at = prescan(c, ac, av), opt, rc;

	*done = false;
	if (cmd_at) {
		c->cmd = find_command(av[cmd_at]);
		if (!c->cmd)
			return out_usage(c, "unknown command \"%s\"", av[cmd_at]);
	}
	optind = 1;
	opterr = 0;
	while (optind < ac) {
		if (optind == cmd_at) {
			optind++;
			continue;
		}
		opt = getopt_long(ac, av, SHORT_OPTS, long_opts, NULL);
		if (opt == -1) {
			if (optind < ac && optind != cmd_at && (rc = positional(c, av[optind])))
				return rc;
			optind += optind < ac;
			continue;
		}
		if ((rc = one_option(c, opt, av, done)) || *done)
			return rc;
	}
	return 0;
}

static int check_args(struct cli *c)
{
	if (!c->cmd)
		return out_usage(c, "no command given");
	if (c->n_usb_paths > 1 && !c->all && c->cmd->run != cmd_station)
		return out_usage(c, "--usb-path given more than once: name one board, or a set "
				    "of boards with flash --all or station");
	if (c->always_erase && c->trust_blank)
		return out_usage(c, "--always-erase and --trust-blank contradict each other: "
				    "give one");
	if (c->nargs < c->cmd->min_args)
		return out_usage(c, "missing argument: %s", c->cmd->synopsis);
	if (c->nargs > c->cmd->max_args)
		return out_usage(c, "unexpected argument \"%s\"", c->args[c->cmd->max_args]);
	return 0;
}

/* The help text: on stdout, or (--json) as the "text" of the result line. */
static int print_help(struct cli *c, const struct cli_cmd *cmd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = c->mode == OUT_JSON ? open_memstream(&text, &len) : stdout;
	FILE *saved = stdout;

	if (!f)
		return out_fail(c, STDFU_ERR_NOMEM);
	stdout = f;
	if (cmd)
		cli_command_help(cmd);
	else
		usage(stdout);
	stdout = saved;
	if (f != stdout) {
		fclose(f);
		json_object_set_new(out_extra(c), "text", json_string(text ? text : ""));
		free(text);
	}
	return out_result(c, STDFU_OK, NULL);
}

int cmd_help(struct cli *c)
{
	const struct cli_cmd *cmd = c->nargs ? find_command(c->args[0]) : NULL;

	if (c->nargs && !cmd)
		return out_usage(c, "no command \"%s\": see `stdfu --help`", c->args[0]);
	return print_help(c, cmd);
}

/* --help and --version, wherever they were given. */
static int want(struct cli *c)
{
	static const struct cli_cmd version = {"version", NULL, 0, 0, 0, "", "", ""};
	const struct cli_cmd *cmd = c->cmd;

	if (c->want == 'h') {
		c->cmd = find_command("help");
		return print_help(c, cmd);
	}
	if (c->mode != OUT_JSON) {
		printf("stdfu %s\n", STDFU_VERSION);
		return 0;
	}
	c->cmd = &version;
	json_object_set_new(out_extra(c), "version", json_string(STDFU_VERSION));
	return out_result(c, STDFU_OK, NULL);
}

static int run(struct cli *c)
{
	int rc;

	term_init(c->color, c->tty);
	if (c->verbose && c->mode != OUT_QUIET) {
		c->tty = false; /* plain lines: a bar would be torn by the transfer lines */
		if (!cli_ensure_ctx(c))
			stdfu_ctx_set_log(c->ctx,
					  c->verbose > 1 ? STDFU_LOG_TRANSFER : STDFU_LOG_REQUEST,
					  out_log, c);
	}
	rc = c->cmd->run(c);
	return rc;
}

/* The options' defaults, before argv is parsed (main and the argv fuzzer). */
static struct cli cli_defaults(char **args)
{
	return (struct cli){.prog = "stdfu",
			    .args = args,
			    .poll = STDFU_POLL_EARLY,
			    .trig.byte = -1,
			    .wait_s = CLI_WAIT_DEFAULT_S,
			    .serial_start = 1};
}

int main(int argc, char **argv)
{
	char *args[16];
	struct cli c = cli_defaults(args);
	bool done;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--completion-table"))
		return cli_completion_table(cli_commands, long_opts, allowed);
	c.t0_us = out_now_us();
	c.tty = isatty(STDERR_FILENO);
	c.argc = argc;
	c.argv = argv;
	rc = parse(&c, argc, argv, &done);
	if (!rc && !done && argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!rc && done)
		rc = want(&c);
	else if (!rc)
		rc = check_args(&c);
	if (!rc && !done) {
		cli_signals_install();
		rc = run(&c);
	}
	out_finish(&c, rc);
	stdfu_ctx_free(c.ctx);
	/* a command that never reached a safe point (convert) still exits as signalled */
	if (cli_signal_received() && !c.ctx && rc == 0)
		rc = cli_signal_exit_code();
	return rc;
}
