/* SPDX-License-Identifier: MIT */
/*
 * stdfu-emu [OPTIONS] -- COMMAND [ARGS...]
 *
 * Builds a umockdev testbed holding emulated STM32 targets, runs COMMAND
 * under it and exits with COMMAND's status. Exit codes of its own: 2 for bad
 * usage or input (options, --load file), 125 when the emulator itself fails,
 * 126/127 when COMMAND cannot be run / is not found (as env(1) does).
 */
#include "complete.h"
#include "emu.h"
#include "optbytes.h"

#include <errno.h>
#include <getopt.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef STDFU_VERSION
#define STDFU_VERSION "0.0.0"
#endif

#define EXIT_USAGE	   2
#define EXIT_EMU	   125
#define PRELOAD		   "libumockdev-preload.so.0"
#define REEXEC_ENV	   "STDFU_EMU_REEXEC"
/* client_preload.c: every client's uevent socket gets a name of its own */
#define CLIENT_PRELOAD	   "libstdfu-emu-preload.so"
#define CLIENT_PRELOAD_ENV "STDFU_EMU_PRELOAD"
#define UEVENT_DIR_ENV	   "STDFU_EMU_UEVENT_DIR"
#ifndef STDFU_EMU_LIBDIR_REL
#define STDFU_EMU_LIBDIR_REL "../lib/stdfu"
#endif

static struct emu_ctx ctx;

static void usage(FILE *f)
{
	const char *const *names = emu_chip_names();

	fprintf(f,
		"Usage: stdfu-emu [OPTIONS] -- COMMAND [ARGS...]\n"
		"Run COMMAND with emulated STM32 USB targets (umockdev); exit with its status.\n\n"
		"  --chip NAME         chip whose ROM bootloader to emulate (default f405):");
	for (; names && *names; names++)
		fprintf(f, " %s", *names);
	fprintf(f,
		"\n"
		"  --mode dfu|app      start in the ROM (DFU, 0483:df11) or as the application\n"
		"                      (CDC-ACM 0483:5740 with /dev/ttyACMn); default dfu\n"
		"  --load FILE[@ADDR]  preload flash with FILE at ADDR (default: flash base)\n"
		"  --dump FILE         write the whole flash to FILE when COMMAND exits\n"
		"                      (option bytes to FILE.optbytes: --load reads them)\n"
		"                      (FILE.i for board i when --boards > 1)\n"
		"  --rdp LEVEL         read protection level, 0 or 1 (default 0)\n"
		"  --timing fast|real  no delays (default) or the datasheet timing model\n"
		"  --boards N          N independent targets (1..32), board i on USB port\n"
		"                      path 1-i\n"
		"  --board I:KEY=VALUE[,KEY=VALUE...]\n"
		"                      settings of board I over the options above (repeatable);\n"
		"                      KEY: chip, mode, rdp, fault, load, companion, serial,\n"
		"                      lie (lie=KEY=VALUE, repeatable)\n"
		"  --stats FILE        write transfer statistics as JSON when COMMAND exits\n"
		"  --fault SPEC        inject a fault (see stdfu-emu(1))\n"
		"  --lie KEY=VALUE     the ROM lies (repeatable): layout=[N:]STRING, alts=N,\n"
		"                      transfer-size=N, poll-timeout=MS, state-after-dnload=N,\n"
		"                      getstatus-length=N, upload-extra=N, upload-short=N,\n"
		"                      serial=STRING (see stdfu-emu(1))\n"
		"  --runtime-dfu       the application also has a DFU runtime interface\n"
		"  --companion SPEC    the application's trigger companion: stdfu (default),\n"
		"                      byte=0xNN (another trigger byte), none (ignores all),\n"
		"                      or firmware without it that enters the ROM on its own\n"
		"                      text command: micropython, betaflight, inav or\n"
		"                      text:STRING\n"
		"  --rom-refuses       the ROM sends the board back: after a trigger it\n"
		"                      re-enumerates as the application again\n"
		"  --dfu-port 1-N      board 1's ROM shows on port path 1-N instead of 1-1\n"
		"                      (N not one of the boards' own ports)\n"
		"  --plug-schedule FILE\n"
		"                      plug boards in and pull them out over time: lines\n"
		"                      '<ms> plug <i>' and '<ms> unplug <i>' (ms from the\n"
		"                      start of COMMAND), or 'unplug <i> after <n> requests'\n"
		"                      (once board i has answered n control requests); a\n"
		"                      board with a plug line starts unplugged; a\n"
		"                      re-plugged board keeps flash and UID\n"
		"  --verbose           log every control request to stderr\n"
		"  --help, --version\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "stdfu-emu: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'stdfu-emu --help'.\n");
	return EXIT_USAGE;
}

static void parse_load(struct emu_options *o, const char *arg)
{
	struct emu_board_config c = {.load_file = o->load_file}; /* freed if given twice */

	emu_parse_load(arg, &c);
	o->load_file = c.load_file;
	o->load_addr = c.load_addr;
	o->load_addr_set = c.load_addr_set;
}

enum {
	OPT_CHIP = 256,
	OPT_MODE,
	OPT_LOAD,
	OPT_DUMP,
	OPT_RDP,
	OPT_TIMING,
	OPT_BOARDS,
	OPT_BOARD,
	OPT_STATS,
	OPT_FAULT,
	OPT_LIE,
	OPT_RUNTIME_DFU,
	OPT_COMPANION,
	OPT_ROM_REFUSES,
	OPT_DFU_PORT,
	OPT_PLUG_SCHEDULE,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION
};

static const struct option long_opts[] = {
	{"chip", required_argument, NULL, OPT_CHIP},
	{"mode", required_argument, NULL, OPT_MODE},
	{"load", required_argument, NULL, OPT_LOAD},
	{"dump", required_argument, NULL, OPT_DUMP},
	{"rdp", required_argument, NULL, OPT_RDP},
	{"timing", required_argument, NULL, OPT_TIMING},
	{"boards", required_argument, NULL, OPT_BOARDS},
	{"board", required_argument, NULL, OPT_BOARD},
	{"stats", required_argument, NULL, OPT_STATS},
	{"fault", required_argument, NULL, OPT_FAULT},
	{"lie", required_argument, NULL, OPT_LIE},
	{"runtime-dfu", no_argument, NULL, OPT_RUNTIME_DFU},
	{"companion", required_argument, NULL, OPT_COMPANION},
	{"rom-refuses", no_argument, NULL, OPT_ROM_REFUSES},
	{"dfu-port", required_argument, NULL, OPT_DFU_PORT},
	{"plug-schedule", required_argument, NULL, OPT_PLUG_SCHEDULE},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/*
 * --dfu-port 1-N: a port of the emulated root hub (bus 1). A port behind a hub
 * (1-4.2) would need the hub itself on the bus for libusb to report the path.
 */
static int parse_dfu_port(struct emu_options *o, const char *arg)
{
	const char *num = arg + 2;
	unsigned long n = 0;

	if (strncmp(arg, "1-", 2) == 0 && *num >= '1' && *num <= '9' && strlen(num) <= 3 &&
	    strspn(num, "0123456789") == strlen(num))
		n = strtoul(num, NULL, 10);
	if (n < 1 || n > 127)
		return bad_usage("--dfu-port must be a port path of bus 1, 1-1..1-127, not '%s'",
				 arg);
	o->dfu_port = arg;
	o->dfu_port_num = (unsigned)n;
	return -1;
}

/* Returns -1 to go on, else an exit status. */
static int parse_option(struct emu_options *o, int c, const char *arg)
{
	uint32_t v;

	switch (c) {
	case OPT_CHIP:
		o->chip = emu_chip_find(arg);
		o->chip_name = arg;
		if (!o->chip)
			return bad_usage("unknown chip '%s' (see --help for the list)", arg);
		return -1;
	case OPT_MODE:
		if (strcmp(arg, "dfu") && strcmp(arg, "app"))
			return bad_usage("--mode must be dfu or app, not '%s'", arg);
		o->mode = strcmp(arg, "app") ? EMU_MODE_DFU : EMU_MODE_APP;
		return -1;
	case OPT_LOAD:
		parse_load(o, arg);
		return -1;
	case OPT_DUMP:
		o->dump_file = arg;
		return -1;
	case OPT_RDP:
		if (!emu_parse_u32(arg, &v) || v > 1)
			return bad_usage("--rdp must be 0 or 1, not '%s' (level 2 is permanent "
					 "and not emulated)",
					 arg);
		o->rdp_level = (int)v;
		return -1;
	case OPT_TIMING:
		if (strcmp(arg, "fast") && strcmp(arg, "real"))
			return bad_usage("--timing must be fast or real, not '%s'", arg);
		o->timing = strcmp(arg, "real") ? EMU_TIMING_FAST : EMU_TIMING_REAL;
		return -1;
	case OPT_BOARDS:
		if (!emu_parse_u32(arg, &v) || v < 1 || v > EMU_MAX_BOARDS)
			return bad_usage("--boards must be 1..32, not '%s'", arg);
		o->boards = v;
		return -1;
	case OPT_BOARD: {
		char err[300];

		if (emu_board_option_parse(o, arg, err, sizeof(err)))
			return bad_usage("%s", err);
		return -1;
	}
	case OPT_STATS:
		o->stats_file = arg;
		return -1;
	case OPT_FAULT:
		o->fault = arg;
		return -1;
	case OPT_LIE:
		if (o->n_lies == sizeof(o->lies) / sizeof(o->lies[0]))
			return bad_usage("--lie: at most 32 of them, not '%s'", arg);
		o->lies[o->n_lies++] = arg;
		return -1;
	case OPT_RUNTIME_DFU:
		o->runtime_dfu = true;
		return -1;
	case OPT_COMPANION: {
		char err[200];

		if (emu_app_companion_parse(arg, &o->companion, err, sizeof(err)))
			return bad_usage("--companion: %s", err);
		return -1;
	}
	case OPT_ROM_REFUSES:
		o->rom_refuses = true;
		return -1;
	case OPT_DFU_PORT:
		return parse_dfu_port(o, arg);
	case OPT_PLUG_SCHEDULE:
		o->plug_file = arg;
		return -1;
	case OPT_VERBOSE:
		o->verbose = true;
		return -1;
	case OPT_HELP:
		usage(stdout);
		return 0;
	case OPT_VERSION:
		printf("stdfu-emu %s\n", STDFU_VERSION);
		return 0;
	default:
		fprintf(stderr, "Try 'stdfu-emu --help'.\n");
		return EXIT_USAGE;
	}
}

/* --plug-schedule: read once the number of boards is known. */
static int check_plug_schedule(struct emu_options *o, char **command)
{
	char err[400];

	o->command = command;
	if (o->plug_file && emu_plug_load(o, err, sizeof(err)))
		return bad_usage("%s", err);
	return -1;
}

static int parse_args(struct emu_options *o, int argc, char **argv)
{
	int c;

	o->chip_name = "f405";
	o->chip = emu_chip_find(o->chip_name);
	o->boards = 1;
	o->timing = EMU_TIMING_FAST;
	emu_app_companion_parse("stdfu", &o->companion, NULL, 0);
	/* '+': stop at the first non-option, COMMAND's options are its own */
	while ((c = getopt_long(argc, argv, "+", long_opts, NULL)) != -1) {
		int r = parse_option(o, c, optarg);

		if (r >= 0)
			return r;
	}
	if (optind >= argc) {
		fprintf(stderr, "stdfu-emu: no COMMAND given\n"
				"Usage: stdfu-emu [OPTIONS] -- COMMAND [ARGS...]\n");
		return EXIT_USAGE;
	}
	if (!o->chip) {
		fprintf(stderr, "stdfu-emu: internal error: no default chip model\n");
		return EXIT_EMU;
	}
	if (o->dfu_port && o->dfu_port_num <= o->boards) {
		fprintf(stderr,
			"stdfu-emu: --dfu-port %s is the port path of board %u: give a port "
			"after the last board (1-%u or higher)\n",
			o->dfu_port, o->dfu_port_num, o->boards + 1);
		return EXIT_USAGE;
	}
	if (o->last_board_set > o->boards) {
		fprintf(stderr,
			"stdfu-emu: --board %u: there are only %u boards; add --boards %u or "
			"more\n",
			o->last_board_set, o->boards, o->last_board_set);
		return EXIT_USAGE;
	}
	return check_plug_schedule(o, argv + optind);
}

/* The testbed itself must run under the preload, or uevents fail. */
static void reexec_under_preload(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	const char *asan = getenv("ASAN_OPTIONS");
	char *v, *self;

	if (pre && strstr(pre, "libumockdev-preload"))
		return;
	if (getenv(REEXEC_ENV)) {
		fprintf(stderr, "stdfu-emu: cannot run under %s (is umockdev installed?)\n",
			PRELOAD);
		exit(EXIT_EMU);
	}
	v = pre && *pre ? g_strdup_printf("%s:%s", PRELOAD, pre) : g_strdup(PRELOAD);
	setenv("LD_PRELOAD", v, 1);
	g_free(v);
	/* sanitizer builds: the preload comes before libasan in the link order */
	v = asan && *asan ? g_strdup_printf("%s:verify_asan_link_order=0", asan)
			  : g_strdup("verify_asan_link_order=0");
	setenv("ASAN_OPTIONS", v, 1);
	g_free(v);
	setenv(REEXEC_ENV, "1", 1);
	/* by its real path, so that ps and /proc/PID/comm say stdfu-emu, not exe */
	self = g_file_read_link("/proc/self/exe", NULL);
	execv(self ? self : "/proc/self/exe", argv);
	fprintf(stderr, "stdfu-emu: cannot re-execute itself: %s\n", strerror(errno));
	exit(EXIT_EMU);
}

/* FILE.optbytes beside a --load FILE (as --dump writes it): the option bytes. */
static int load_optbytes(struct emu_board *b, const struct emu_board_config *o)
{
	uint32_t size = 0;
	uint8_t *ob = emu_rom_optbytes(b->rom, &size);
	char *path = g_strdup_printf("%s.optbytes", o->load_file);
	gchar *data = NULL;
	gsize len = 0;
	int ret = 0;

	if (ob && g_file_test(path, G_FILE_TEST_EXISTS)) {
		if (!g_file_get_contents(path, &data, &len, NULL) || len != size) {
			fprintf(stderr,
				"stdfu-emu: --load: %s is not the %u-byte option-byte image of "
				"a %s\n",
				path, (unsigned)size, o->chip_name);
			ret = EXIT_USAGE;
		} else {
			memcpy(ob, data, size);
			emu_rom_optbytes_loaded(b->rom);
		}
	}
	g_free(data);
	g_free(path);
	return ret;
}

static int load_flash(struct emu_board *b)
{
	const struct emu_board_config *o = &b->cfg;
	uint32_t base, size, addr;
	uint8_t *flash = emu_rom_flash(b->rom, &base, &size);
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (!g_file_get_contents(o->load_file, &data, &len, &err)) {
		fprintf(stderr, "stdfu-emu: board %u: --load: %s\n", b->index, err->message);
		g_error_free(err);
		return EXIT_USAGE;
	}
	addr = o->load_addr_set ? o->load_addr : base;
	if (addr < base || addr - base > size || len > size - (addr - base)) {
		fprintf(stderr,
			"stdfu-emu: board %u: --load: %s (%zu bytes at 0x%08x) does not fit in "
			"the %s flash 0x%08x..0x%08x; check the file and its @ADDR\n",
			b->index, o->load_file, (size_t)len, addr, o->chip_name, base,
			base + size - 1);
		g_free(data);
		return EXIT_USAGE;
	}
	memcpy(flash + (addr - base), data, len);
	emu_rom_mark_programmed(b->rom, addr, (uint32_t)len);
	g_free(data);
	return load_optbytes(b, o);
}

/* --dump FILE also writes FILE.optbytes for a chip with option bytes. */
static int dump_optbytes(struct emu_rom *rom, const char *flash_path, GError **err)
{
	uint32_t size = 0;
	const uint8_t *ob = emu_rom_optbytes(rom, &size);
	char *path;
	int ret = 0;

	if (!ob)
		return 0;
	path = g_strdup_printf("%s.optbytes", flash_path);
	if (!g_file_set_contents(path, (const gchar *)ob, size, err))
		ret = -1;
	g_free(path);
	return ret;
}

static int dump_flash(const struct emu_ctx *c)
{
	int ret = 0;

	for (unsigned i = 0; i < c->nboards; i++) {
		uint32_t base, size;
		const uint8_t *flash = emu_rom_flash(c->board[i].rom, &base, &size);
		char *path = c->nboards > 1 ? g_strdup_printf("%s.%u", c->opt.dump_file, i + 1)
					    : g_strdup(c->opt.dump_file);
		GError *err = NULL;

		if (!g_file_set_contents(path, (const gchar *)flash, size, &err) ||
		    dump_optbytes(c->board[i].rom, path, &err)) {
			fprintf(stderr, "stdfu-emu: --dump: %s\n", err->message);
			g_error_free(err);
			ret = EXIT_EMU;
		}
		g_free(path);
	}
	return ret;
}

static int boards_init(struct emu_ctx *c)
{
	char err[256] = "";

	c->nboards = c->opt.boards;
	for (unsigned i = 0; i < c->nboards; i++) {
		struct emu_board *b = &c->board[i];
		struct emu_board_config *bc = &b->cfg;
		struct emu_rom_config rc = {
			.timing = c->opt.timing, .serial = NULL, .board = i + 1};
		struct emu_app_config ac = {.board = i + 1, .runtime_dfu = c->opt.runtime_dfu};

		emu_board_config_resolve(&c->opt, i + 1, bc);
		rc.chip = bc->chip;
		rc.rdp_level = bc->rdp_level;
		rc.fault = bc->fault;
		rc.serial = bc->serial;
		rc.lies = bc->lie_list;
		rc.n_lies = bc->n_lie_list;
		ac.trigger = bc->companion;
		b->ctx = c;
		b->index = i + 1;
		g_mutex_init(&b->lock);
		snprintf(b->portname, sizeof(b->portname), "%d-%u", EMU_BUS, b->index);
		snprintf(b->ttyname, sizeof(b->ttyname), "ttyACM%u", i);
		b->rom = emu_rom_new(&rc, err, sizeof(err));
		if (!b->rom) {
			if (c->nboards > 1 ||
			    (bc->set & (1u << EMU_BKEY_FAULT | 1u << EMU_BKEY_LIE)))
				fprintf(stderr, "stdfu-emu: board %u: %s\n", b->index,
					err[0] ? err : "cannot create the ROM model");
			else
				fprintf(stderr, "stdfu-emu: %s\n",
					err[0] ? err : "cannot create the ROM model");
			return bc->fault || bc->n_lie_list ? EXIT_USAGE : EXIT_EMU;
		}
		/* a real application derives its serial from the UID as the ROM does */
		ac.serial = emu_rom_app_serial(b->rom);
		b->app = emu_app_new(&ac);
		b->tty = emu_tty_new(b);
		if (!b->app || !b->tty) {
			fprintf(stderr, "stdfu-emu: out of memory\n");
			return EXIT_EMU;
		}
		if (bc->load_file && load_flash(b))
			return EXIT_USAGE;
	}
	return 0;
}

static void boards_fini(struct emu_ctx *c)
{
	for (unsigned i = 0; i < c->nboards; i++) {
		struct emu_board *b = &c->board[i];

		emu_tty_free(b->tty);
		emu_usbfs_unref(b->usbfs);
		emu_app_free(b->app);
		emu_rom_free(b->rom);
		g_free(b->tty_target);
		g_free(b->record);
	}
}

static void child_exited(GPid pid, gint status, gpointer data)
{
	struct emu_ctx *c = data;

	c->child_status = status;
	c->child_done = true;
	g_spawn_close_pid(pid);
	g_main_loop_quit(c->loop);
}

static gboolean forward_signal(gpointer data)
{
	int sig = GPOINTER_TO_INT(data);

	if (ctx.child > 0 && !ctx.child_done)
		kill(ctx.child, sig);
	return G_SOURCE_CONTINUE;
}

/* The client preload: $STDFU_EMU_PRELOAD, else next to stdfu-emu (build
 * tree), else in the install's libdir. */
static char *find_client_preload(void)
{
	const char *env = getenv(CLIENT_PRELOAD_ENV);
	char *self = g_file_read_link("/proc/self/exe", NULL);
	char *dir = self ? g_path_get_dirname(self) : g_strdup(".");
	char *cand[2] = {g_build_filename(dir, CLIENT_PRELOAD, NULL),
			 g_build_filename(dir, STDFU_EMU_LIBDIR_REL, CLIENT_PRELOAD, NULL)};
	char *found = env && *env ? g_strdup(env) : NULL;

	for (int i = 0; i < 2 && !found; i++)
		if (access(cand[i], R_OK) == 0)
			found = g_canonicalize_filename(cand[i], NULL);
	g_free(cand[0]);
	g_free(cand[1]);
	g_free(dir);
	g_free(self);
	return found;
}

/* COMMAND's environment: the client preload in front of umockdev's. */
static int client_env(const struct emu_ctx *c)
{
	char *shim = find_client_preload();
	const char *pre = getenv("LD_PRELOAD");
	char *v;

	if (!shim || access(shim, R_OK) != 0 || strpbrk(shim, ": \t")) {
		fprintf(stderr,
			"stdfu-emu: cannot find %s (looked next to stdfu-emu and in "
			"%s/); reinstall stdfu-emu or set %s to its path (no ':' or spaces)\n",
			shim ? shim : CLIENT_PRELOAD, STDFU_EMU_LIBDIR_REL, CLIENT_PRELOAD_ENV);
		g_free(shim);
		return -1;
	}
	v = g_strdup_printf("%s:%s", shim, pre ? pre : PRELOAD);
	g_setenv("LD_PRELOAD", v, TRUE);
	g_setenv(UEVENT_DIR_ENV, c->uevent_dir, TRUE);
	g_free(v);
	g_free(shim);
	return 0;
}

static int run_command(struct emu_ctx *c)
{
	GError *err = NULL;

	g_unsetenv(REEXEC_ENV);
	if (client_env(c))
		return EXIT_EMU;
	emu_plug_start(c);
	if (!g_spawn_async(NULL, c->opt.command, NULL,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
				   G_SPAWN_CHILD_INHERITS_STDIN,
			   NULL, NULL, &c->child, &err)) {
		int code = g_error_matches(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) ? 127 : 126;
		fprintf(stderr, "stdfu-emu: cannot run %s: %s\n", c->opt.command[0], err->message);
		g_error_free(err);
		return code;
	}
	g_child_watch_add(c->child, child_exited, c);
	g_unix_signal_add(SIGINT, forward_signal, GINT_TO_POINTER(SIGINT));
	g_unix_signal_add(SIGTERM, forward_signal, GINT_TO_POINTER(SIGTERM));
	g_unix_signal_add(SIGHUP, forward_signal, GINT_TO_POINTER(SIGHUP));
	g_main_loop_run(c->loop);
	if (WIFEXITED(c->child_status))
		return WEXITSTATUS(c->child_status);
	if (WIFSIGNALED(c->child_status))
		return 128 + WTERMSIG(c->child_status);
	return EXIT_EMU;
}

int main(int argc, char **argv)
{
	char err[512] = "";
	int r;

	if (argc == 2 && !strcmp(argv[1], "--completion-table"))
		return emu_completion_table(long_opts);
	r = parse_args(&ctx.opt, argc, argv);
	if (r >= 0)
		return r;
	reexec_under_preload(argv);

	/* the preload sleeps usleep(0) per ioctl: make that ~20 us, not ~90 */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	ctx.loop = g_main_loop_new(NULL, FALSE);
	r = boards_init(&ctx);
	if (r)
		goto out;
	if (emu_testbed_init(&ctx, err, sizeof(err))) {
		fprintf(stderr, "stdfu-emu: %s\n", err);
		r = EXIT_EMU;
		goto out;
	}
	for (unsigned i = 0; i < ctx.nboards; i++) {
		enum emu_dev_kind k = emu_board_power_on_kind(&ctx.board[i]);

		if (!emu_plug_starts_in(&ctx, i + 1))
			ctx.board[i].cable_out = true;
		else if (k != EMU_DEV_NONE)
			emu_board_plug(&ctx.board[i], k);
	}
	r = run_command(&ctx);
	if (ctx.opt.dump_file && dump_flash(&ctx) && r == 0)
		r = EXIT_EMU;
	if (ctx.opt.stats_file && emu_stats_write(&ctx, ctx.opt.stats_file)) {
		fprintf(stderr, "stdfu-emu: --stats: cannot write %s: %s\n", ctx.opt.stats_file,
			strerror(errno));
		if (r == 0)
			r = EXIT_EMU;
	}
out:
	emu_testbed_fini(&ctx);
	boards_fini(&ctx);
	emu_plug_schedule_free(&ctx.opt.plug);
	g_main_loop_unref(ctx.loop);
	return r;
}
