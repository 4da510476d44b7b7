/* SPDX-License-Identifier: MIT */
/* The stdfu command-line tool: shared state, options, output and exit codes. */
#ifndef STDFU_CLI_H
#define STDFU_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <stdfu/stdfu.h>
#include <stdfu/target.h>
#include <stdfu/trigger.h>

#include "term.h"

struct json_t;

/* Exit codes: stable, documented in stdfu(1). Never renumber; only add. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_INTERNAL = 1,	  /* out of memory, unexpected */
	CLI_EXIT_USAGE = 2,	  /* bad command line */
	CLI_EXIT_NO_DEVICE = 3,	  /* no matching DFU device */
	CLI_EXIT_AMBIGUOUS = 4,	  /* several devices match, none selected */
	CLI_EXIT_PERMISSION = 5,  /* permission denied opening the device */
	CLI_EXIT_BUSY = 6,	  /* device claimed by another program */
	CLI_EXIT_BAD_IMAGE = 7,	  /* malformed firmware image */
	CLI_EXIT_FILE = 8,	  /* a host file could not be read or written */
	CLI_EXIT_FIT = 9,	  /* image does not fit / hits memory that is not writable */
	CLI_EXIT_DFU_STATUS = 10, /* the device reported a DFU error status */
	CLI_EXIT_VERIFY = 11,	  /* read-back differs from the image */
	CLI_EXIT_IO = 12,	  /* USB I/O error */
	CLI_EXIT_TIMEOUT = 13,	  /* the device did not answer or go in time */
	CLI_EXIT_PROTECTED = 14,  /* read protection active */
	CLI_EXIT_GONE = 15,	  /* the device disconnected part-way */
	CLI_EXIT_PROTOCOL = 16,	  /* the device broke the protocol */
	CLI_EXIT_MISMATCH = 17,	  /* DFU suffix names another device */
	CLI_EXIT_TRIGGER = 18,	  /* trigger sent, device did not react */
	CLI_EXIT_REFUSED = 19,	  /* device came back in the wrong mode or place */
	CLI_EXIT_UNSUPPORTED = 20,
	CLI_EXIT_ELSEWHERE = 21,    /* DFU appeared on another USB port path (no --any-port) */
	CLI_EXIT_ADDRESS = 22,	    /* address outside the device memory */
	CLI_EXIT_SOME_FAILED = 23,  /* flash --all, station: at least one board failed */
	CLI_EXIT_INTERRUPTED = 130, /* SIGINT: stopped at a safe point, board in dfuIDLE;
				     * station: a second Ctrl-C aborted the boards in flight */
	CLI_EXIT_TERMINATED = 143,  /* SIGTERM: the same */
};

/* Options, parsed once; each command says which ones it accepts. */
enum cli_opt_bit {
	OPT_SELECT = 1 << 0, /* --serial, --usb-path */
	OPT_ADDRESS = 1 << 1,
	OPT_LENGTH = 1 << 2,
	OPT_NO_VERIFY = 1 << 3,
	OPT_NO_LEAVE = 1 << 4,
	OPT_POLL = 1 << 5,
	OPT_MASS = 1 << 6,
	OPT_YES = 1 << 7,
	OPT_FORCE = 1 << 8,
	OPT_FORMAT = 1 << 9,
	OPT_ALT = 1 << 10,
	OPT_TRIGGER = 1 << 11,	    /* --method --trigger-byte --timeout --any-port --port */
	OPT_APP_ID = 1 << 12,	    /* --app-id (repeatable) */
	OPT_WAIT_APP = 1 << 13,	    /* --wait-app */
	OPT_INCREMENTAL = 1 << 14,  /* --incremental (flash) */
	OPT_OB_ALLOW = 1 << 15,	    /* --allow-irreversible --allow-rom-lockout (option-bytes) */
	OPT_PROTECT = 1 << 16,	    /* --protect (flash) */
	OPT_ALL = 1 << 17,	    /* --all (flash): every board at once */
	OPT_ALWAYS_ERASE = 1 << 18, /* --always-erase --trust-blank (flash) */
	OPT_WAIT = 1 << 19,	    /* --wait SECONDS: for a board to appear */
	OPT_STATION = 1 << 20,	    /* --count --log --db --serial-at --serial-start */
};

/* --usb-path may be given this many times (with --all: a set of boards). */
#define CLI_USB_PATHS_MAX 128

/* Default of --wait: covers a board re-enumerating after a leave (about 0.4 s
 * on the emulator, up to 2 s on real boards behind hubs) with margin. */
#define CLI_WAIT_DEFAULT_S 5u

enum out_mode { OUT_HUMAN, OUT_QUIET, OUT_JSON };

/* The trigger options (cmd_trigger.c) and what happened on the way (the report). */
struct cli_trigger {
	enum stdfu_trigger_method method;
	int byte; /* -1: the protocol default */
	/* --method text:STRING: STRING */
	const char *text;
	uint32_t timeout_ms;
	bool any_port, wait_app;
	const char *port;
	struct stdfu_usb_id app_ids[STDFU_APP_IDS_MAX];
	size_t n_app_ids;
	struct stdfu_target_report report;
};

struct cli {
	const char *prog;
	const struct cli_cmd *cmd;
	enum out_mode mode;
	bool tty; /* stderr is a terminal: progress bars */
	enum term_color_mode color;
	int verbose;			     /* -v: requests and states; -vv: every transfer */
	uint32_t wait_s;		     /* --wait */
	uint64_t t0_us;			     /* start of the command: result.ms covers all of it */
	bool result_done;		     /* the one result line has been printed */
	char want;			     /* 'h': --help, 'V': --version (instead of running) */
	struct json_t *extra;		     /* command-specific fields of the result line */
	char other_serial[STDFU_SERIAL_MAX]; /* --serial's pair (serials.c) */
	/* options */
	struct stdfu_selector sel;
	bool address_set, length_set, alt_set;
	uint32_t address, length;
	uint8_t alt;
	bool no_verify, no_leave, mass, yes, force;
	bool incremental; /* flash: skip sectors that already hold the image */
	bool allow_irreversible, allow_rom_lockout, protect; /* option bytes */
	bool all;					     /* flash --all */
	const char *usb_paths[CLI_USB_PATHS_MAX];	     /* every --usb-path, in order */
	size_t n_usb_paths;
	bool always_erase; /* flash: no blank-sector skip */
	bool trust_blank;  /* flash: skip blank sectors even on STM32H7 */
	/* station */
	bool count_set, serial_at_set, serial_start_set;
	uint32_t count, serial_at, serial_start;
	const char *log_path, *db_path;
	enum stdfu_poll_policy poll;
	const char *format;
	int nargs;
	char **args; /* positional arguments */
	struct cli_trigger trig;
	/* state */
	struct stdfu_ctx *ctx;
	int argc;
	char **argv;			 /* the command line, for the resume hint */
	char board_path[STDFU_PATH_MAX]; /* the board in DFU mode, once found */
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *c);
	unsigned opts; /* accepted enum cli_opt_bit */
	int min_args, max_args;
	const char *synopsis; /* after "stdfu NAME" */
	const char *summary;
	const char *help; /* details for `stdfu NAME --help` */
};

/* main.c */
extern const struct cli_cmd cli_commands[];

/* device acquisition (acquire.c): the options as struct stdfu_target_opts, and
 * stdfu_target_open() with them (the trigger only for commands that take
 * one). Returns STDFU_OK or a negative stdfu error, not yet reported. */
struct stdfu_target_opts cli_target_opts(struct cli *c);
int cli_ensure_ctx(struct cli *c);
int cli_acquire(struct cli *c, struct stdfu_device **dev);
void cli_release(struct cli *c, struct stdfu_device *dev);
/* After the leave: wait for the application (--wait-app). @rom is unused: the
 * report of cli_acquire() knows where the board was. */
int cli_wait_app(struct cli *c, const struct stdfu_device_info *rom);
uint32_t cli_flash_base(const struct stdfu_device_info *info);
/* The option given that follows one board by its serial or its application
 * port ("--serial", "--port", "--any-port"), or NULL: commands that run many
 * boards follow each by its USB port path and refuse these. */
const char *cli_one_board_option(const struct cli *c);

/* load.c: an image as the command line names it ("-": standard input). Raw files go
 * to --address (else the library places them at the flash base); files with
 * addresses are moved to it. Also reports the image (JSON "image", result "file").
 * Returns a negative stdfu error, or a positive exit code already reported. */
int cli_load_image(struct cli *c, const char *path, struct stdfu_image **img);
int cli_load_image_at(struct cli *c, const char *path, bool address_set, uint32_t address,
		      const uint32_t *raw_at, struct stdfu_image **img);
void cli_image_event(struct cli *c, const char *file, const struct stdfu_image *img);

/* serials.c: the application and ROM serials of one board, as stdfu has seen them */
bool cli_serial_other(const char *serial, char *out, size_t cap);
void cli_serial_record(const char *app, const char *rom);
struct stdfu_flash_opts cli_flash_opts(struct cli *c);

/* output.c: messages, progress, verbose transfers */
void out_event(const struct stdfu_event *ev, void *user);
void out_msg(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* @text and a newline on stderr; on a terminal broken at spaces to fit its width. */
void out_text(struct cli *c, size_t used, const char *text);
/* A warning to the user: "stdfu: warning: ..." (human), a "warning" line (JSON). */
void out_warn(struct cli *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void out_log(const struct stdfu_log_event *ev, void *user);
/* A library warning's code, message and advice (hints.c) into JSON line @o. */
void out_warning_fields(struct json_t *o, const struct stdfu_event *ev);
uint64_t out_now_us(void);
/* What a finished leave phase of @secs says in plain text (one board and --all alike). */
void out_leave_text(char *buf, size_t cap, bool hung, double secs);

/* out_board.c: devices, application ports, the way to the ROM */
void out_device(struct cli *c, const struct stdfu_device_info *info);
void out_app_port(struct cli *c, const struct stdfu_app_port *p);
void out_target_event(const struct stdfu_target_event *ev, void *user);
/* The alts of @d as a JSON array (list and info share it). */
struct json_t *out_alts_json(const struct stdfu_device_info *d);
struct json_t *out_device_json(const char *event, const struct stdfu_device_info *d);
/* The trigger's steps for the result's "phases" (before: the way in; else: back). */
void out_target_steps(const struct stdfu_target_report *r, enum stdfu_trigger_method method,
		      struct json_t *phases, bool before);
/* One step of the way to the ROM as a JSON line, not yet printed. */
struct json_t *out_step_json(const struct stdfu_target_event *ev, unsigned wait_s);
/* A result's "phases": the way in, each phase of @res, the way back. */
struct json_t *out_phases_json(const struct stdfu_target_report *r,
			       enum stdfu_trigger_method method, const struct stdfu_result *res);
/* What the library found (stdfu_error_cause()) as the result's "cause". */
struct json_t *out_cause_json(const struct stdfu_cause *cause);

/* result.c: the one result line, errors, hints, exit codes */
int cli_exit_code(int err);
int out_fail(struct cli *c, int err);
/* out_fail() with @msg (what the CLI found) instead of the library's detail. */
int out_fail_msg(struct cli *c, int err, const char *msg);
int out_result(struct cli *c, int err, const struct stdfu_result *res);
/* A bad command line: message on stderr (or in the result line), exit 2. */
int out_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Extra fields of the result line (the object is created on first use). */
struct json_t *out_extra(struct cli *c);
/* Called once by main: a result line if the command printed none. */
void out_finish(struct cli *c, int code);

/* signals.c: SIGINT/SIGTERM cancel the library at a safe point */
void cli_signals_install(void);
void cli_signals_watch(struct stdfu_ctx *ctx);
int cli_signal_received(void);
int cli_signal_exit_code(void);
/* After an interruption: where the board is and the command that finishes the job. */
const char *cli_resume_hint(const struct cli *c);

/* commands */
int cmd_list(struct cli *c);
int cmd_info(struct cli *c);
int cmd_flash(struct cli *c);
int cmd_flash_all(struct cli *c);
int cmd_station(struct cli *c);
int cmd_read(struct cli *c);
int cmd_erase(struct cli *c);
int cmd_verify(struct cli *c);
int cmd_leave(struct cli *c);
int cmd_unprotect(struct cli *c);
int cmd_trigger(struct cli *c);
int cmd_help(struct cli *c);

/* Print `stdfu NAME --help` (main.c). */
void cli_command_help(const struct cli_cmd *cmd);

/* cmd_trigger.c: the trigger options */
int cli_trigger_option(struct cli *c, const char *name, const char *arg);

#endif
