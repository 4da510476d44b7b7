/* SPDX-License-Identifier: MIT */
/*
 * stdfu-emu glue: shared state between the CLI (emu_main.c), the testbed
 * (testbed.c: sysfs, device nodes, uevents, re-enumeration), the usbdevfs
 * ioctl handler (usbfs.c), the CDC tty handler (tty.c) and --stats (stats.c).
 *
 * Threads: the GLib main loop (main thread) owns the testbed; every testbed
 * change happens there. umockdev runs the ioctl handlers on its own worker
 * thread; they touch a board only with board->lock held and ask the main
 * thread for testbed changes with g_main_context_invoke().
 */
#ifndef STDFU_EMU_GLUE_H
#define STDFU_EMU_GLUE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <umockdev.h>

#include "app.h"
#include "plug_schedule.h"
#include "rom.h"

#define EMU_MAX_BOARDS 32
#define EMU_BUS	       1

enum emu_mode { EMU_MODE_DFU, EMU_MODE_APP };

/* What a board currently shows on the bus. */
enum emu_dev_kind { EMU_DEV_NONE, EMU_DEV_ROM, EMU_DEV_APP };

/* The keys of --board, in the order board_config.c names them. */
enum emu_board_key {
	EMU_BKEY_CHIP,
	EMU_BKEY_MODE,
	EMU_BKEY_RDP,
	EMU_BKEY_FAULT,
	EMU_BKEY_LOAD,
	EMU_BKEY_COMPANION,
	EMU_BKEY_SERIAL,
	EMU_BKEY_LIE
};

/* What one board is: the global options, overridden by its --board settings. */
struct emu_board_config {
	unsigned set; /* keys given with --board: bit 1u << EMU_BKEY_x */
	const struct emu_chip *chip;
	const char *chip_name;
	enum emu_mode mode;
	int rdp_level;
	const char *fault;
	const char *load_file;
	uint32_t load_addr;
	bool load_addr_set;
	struct emu_app_trigger_config companion;
	const char *serial;  /* the ROM's iSerialNumber; NULL = derived from the board */
	const char *lies[8]; /* lie=KEY=VALUE (repeatable); any replace the global --lie */
	size_t n_lies;
	const char *const *lie_list; /* resolved: this board's lies, or the global ones */
	size_t n_lie_list;
};

struct emu_options {
	const struct emu_chip *chip;
	const char *chip_name;
	enum emu_mode mode;
	enum emu_timing timing;
	int rdp_level;
	unsigned boards;
	const char *load_file;
	uint32_t load_addr;
	bool load_addr_set;
	const char *dump_file;
	const char *stats_file;
	const char *fault;
	const char *lies[32]; /* --lie KEY=VALUE, repeatable */
	size_t n_lies;
	bool verbose;
	bool runtime_dfu;
	struct emu_app_trigger_config companion;
	bool rom_refuses;     /* the ROM sends the board straight back to the app */
	const char *dfu_port; /* board 1's ROM shows on this port path ("1-N") */
	unsigned dfu_port_num;
	char **command;					   /* NULL-terminated argv of COMMAND */
	struct emu_board_config per_board[EMU_MAX_BOARDS]; /* --board I:... */
	unsigned last_board_set;			   /* highest I given, 0 = none */
	const char *plug_file;				   /* --plug-schedule FILE */
	struct emu_plug_schedule plug;			   /* ... parsed */
};

struct emu_ctx;
struct emu_usbfs;
struct emu_tty;

struct emu_board {
	struct emu_ctx *ctx;
	unsigned index; /* 1-based; USB port path "1-<index>" */
	struct emu_board_config cfg;
	GMutex lock; /* guards everything below and every model call */
	struct emu_rom *rom;
	struct emu_app *app;
	enum emu_dev_kind kind; /* on the bus now; NONE while re-enumerating */
	unsigned generation;	/* bumped on each unplug; stale handlers see ENODEV */
	unsigned devnum;
	char portname[16]; /* "1-2": the board's own port path */
	char at_port[16];  /* the port path of what is on the bus now (--dfu-port) */
	char syspath[256]; /* /sys/devices/... of the usb_device, "" if absent */
	char devnode[64];  /* /dev/bus/usb/001/007 */
	char *record;	   /* umockdev record of what is on the bus now (its uevents) */
	struct emu_usbfs *usbfs;
	struct emu_tty *tty;
	char ttyname[32];	    /* "ttyACM1" */
	char *tty_target;	    /* the pty behind /dev/ttyACMn, kept across re-plugs */
	struct emu_stats app_stats; /* control transfers the app device received */
	bool pending_plug;	    /* a re-enumeration is scheduled */
	bool cable_out;		    /* --plug-schedule: pulled off the bus */
	unsigned cable_epoch;	    /* bumped on each plug/unplug: stale re-enumerations drop */
	uint32_t requests;	    /* control requests answered, app and ROM, since start */
	/* Trigger-flow timing for --stats (monotonic ns, 0 = never; bench/). */
	uint64_t last_rx_ns, last_ctrl_ns;  /* last host input to the application */
	uint64_t control_clock_ns;	    /* the latest now_ns emu_board_control() used */
	uint64_t trigger_rx_ns, trigger_ns; /* that input; the app accepted the trigger */
	uint64_t rom_enumerated_ns;	    /* the ROM's last plug: just before its uevent */
	uint64_t rom_plugged_ns;	    /* ... and when the plug (all uevents) was done */
	uint64_t first_request_ns, first_dfu_request_ns; /* the ROM's first after that */
};

struct emu_ctx {
	struct emu_options opt;
	UMockdevTestbed *testbed;
	GMainLoop *loop;
	char *root_dir;
	unsigned next_devnum;
	unsigned nboards;
	struct emu_board board[EMU_MAX_BOARDS];
	GPid child;
	int child_status;
	bool child_done;
	/* uevent.c: the clients' monitor sockets live in uevent_dir */
	char *uevent_dir;
	GHashTable *uevent_clients; /* socket name -> struct emu_uevent_client */
	unsigned long long uevent_seqnum;
	unsigned uevents_dropped;
	/* plug.c: --plug-schedule */
	uint64_t command_start_ns;
	size_t plug_next; /* the next event of opt.plug */
};

/* board_config.c */
bool emu_parse_u32(const char *s, uint32_t *out);
/* FILE[@ADDR] of --load into c->load_* (copied). */
void emu_parse_load(const char *arg, struct emu_board_config *c);
/* --board I:KEY=VALUE[,KEY=VALUE...]; -1 with a message in @err. */
int emu_board_option_parse(struct emu_options *o, const char *arg, char *err, size_t errlen);
/* Board @index (1-based): the global options with its --board settings. */
void emu_board_config_resolve(const struct emu_options *o, unsigned index,
			      struct emu_board_config *out);

/* Monotonic time in ns, the model's clock. */
uint64_t emu_now_ns(void);

/* testbed.c (main thread only unless noted) */
int emu_testbed_init(struct emu_ctx *ctx, char *err, size_t errlen);
void emu_testbed_fini(struct emu_ctx *ctx);
/* Put the board on the bus as @kind (ROM or app) with a new device address. */
void emu_board_plug(struct emu_board *b, enum emu_dev_kind kind);
/* Take the board off the bus: remove uevents child-first, then the nodes. */
void emu_board_unplug(struct emu_board *b);
/*
 * Thread-safe: drop the board off the bus after @gone_ms, then bring it back as
 * @kind after a further @back_ms (a new device address, the same port path;
 * board 1's ROM on --dfu-port). With --rom-refuses, an application asked to
 * become the ROM comes back as the application.
 * An application entering its ROM calls emu_board_reenumerate(b, EMU_DEV_ROM, 0,
 * emu_reenum_delay_ms(ctx, EMU_DEV_ROM)).
 */
void emu_board_reenumerate(struct emu_board *b, enum emu_dev_kind kind, unsigned gone_ms,
			   unsigned back_ms);
/*
 * Thread-safe: the board (application) resets into the ROM bootloader: off
 * the bus now, back as 0483:df11 on the same port path with a new address
 * after a realistic delay. What the trigger logic calls once it has decided.
 */
void emu_board_enter_rom(struct emu_board *b);
/* Realistic delay between a device dropping off and the next one being seen. */
unsigned emu_reenum_delay_ms(const struct emu_ctx *ctx, enum emu_dev_kind kind);

/* plug.c (main thread) */
/* --plug-schedule FILE into o->plug for o->boards boards; -1 with a message
 * naming the file and line in @err. */
int emu_plug_load(struct emu_options *o, char *err, size_t errlen);
/* The board is on the bus at start unless the schedule plugs it in later. */
bool emu_plug_starts_in(const struct emu_ctx *ctx, unsigned index);
/* COMMAND starts now: apply the 0 ms events, arm the timers of the others. */
void emu_plug_start(struct emu_ctx *ctx);
/* Pull the board out (whatever it is doing) or plug it in (a power-on). */
void emu_board_cable_out(struct emu_board *b);
void emu_board_cable_in(struct emu_board *b);
/* Any thread, b->lock held, after each control request's reply: counts it, and
 * starts the pull of an "unplug <i> after <n> requests" line at the n-th. */
void emu_plug_count_request(struct emu_board *b);

/* board.c: dispatch one control transfer to the current model (lock held);
 * @now_ns: when the request reached the device (emu_now_ns() time), never
 * taken as earlier than that of a request dispatched before it. */
void emu_board_control(struct emu_board *b, const struct emu_setup *setup, uint8_t *data,
		       size_t cap, uint64_t now_ns, struct emu_reply *reply);
/* Thread-safe: the chip resets (@jump: the application jumps to the ROM) and
 * comes back as what its option bytes boot (the ROM, the application or
 * nothing; optbytes.c). */
void emu_board_reset(struct emu_board *b, bool jump);
enum emu_dev_kind emu_board_boot_kind(struct emu_board *b, bool jump);
/* What the board shows at power-on: its --mode (app, or the ROM the option
 * bytes let boot). EMU_DEV_NONE: nothing USB shows. */
enum emu_dev_kind emu_board_power_on_kind(struct emu_board *b);
/* Act on a completed reply's event (lock NOT held). */
void emu_board_after_reply(struct emu_board *b, unsigned generation, const struct emu_reply *r);

/* usbfs.c */
struct emu_usbfs *emu_usbfs_new(struct emu_board *b, unsigned generation);
/* Mark the handler's device as gone: later ioctls fail with ENODEV. */
void emu_usbfs_gone(struct emu_usbfs *u);
void emu_usbfs_unref(struct emu_usbfs *u);
UMockdevIoctlBase *emu_usbfs_base(struct emu_usbfs *u);
/* Serve the board's clients at @devnode on the board's own thread (main
 * thread, before the node is added); and stop serving new ones. */
gboolean emu_usbfs_attach(struct emu_usbfs *u, UMockdevTestbed *tb, const char *devnode,
			  GError **err);
void emu_usbfs_detach(struct emu_usbfs *u, UMockdevTestbed *tb, const char *devnode);
/* Stop the boards' usbfs threads (after the testbed is gone; main thread). */
void emu_usbfs_stop(void);

/* tty.c */
struct emu_tty *emu_tty_new(struct emu_board *b);
UMockdevIoctlBase *emu_tty_base(struct emu_tty *t);
/* Start reading what the host writes (master side of the pty). */
void emu_tty_start(struct emu_tty *t, int master_fd);
/* Thread-safe: arm the timer for the application's next deadline
 * (emu_app_deadline_ns), after input that did not come through the tty. */
void emu_tty_schedule_poll(struct emu_tty *t);
/* Device -> host bytes (the application "prints"). Main thread. */
void emu_tty_write(struct emu_tty *t, const uint8_t *buf, size_t len);
void emu_tty_free(struct emu_tty *t);

/* uevent.c (main thread) */
int emu_uevent_init(struct emu_ctx *ctx, char *err, size_t errlen);
void emu_uevent_fini(struct emu_ctx *ctx);
/* Send @action for each device paragraph of @record (umockdev's record
 * format) to every client: in order (parents first) or, with @reverse,
 * children first. */
void emu_uevent_send_record(struct emu_ctx *ctx, const char *record, const char *action,
			    bool reverse);

/* stats.c */
int emu_stats_write(const struct emu_ctx *ctx, const char *path);

#endif
