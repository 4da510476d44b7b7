/* SPDX-License-Identifier: MIT */
/*
 * stdfu flash --all: the boards of one run (cmd_flash_all.c) and their output
 * (flash_all_out.c: JSON and plain lines, flash_all_tty.c: the live lines on
 * a terminal). Workers touch only their own board; what they share (stdout,
 * stderr, the live state the terminal shows) is under run->lock.
 */
#ifndef STDFU_CLI_FLASH_ALL_H
#define STDFU_CLI_FLASH_ALL_H

#include <pthread.h>
#include <stdbool.h>

#include <stdfu/incremental.h>

#include "cli.h"

#define FA_BOARDS_MAX 128

struct fa_run;

struct fa_board {
	struct fa_run *run;
	char path[STDFU_PATH_MAX];     /* the key: where the board is followed */
	char serial[STDFU_SERIAL_MAX]; /* as first seen; the ROM's once found */
	char port[STDFU_PORT_MAX];     /* its application port, "" if in DFU */
	bool is_app, absent, started;
	pthread_t thread;
	/* live, under run->lock */
	const char *state; /* "trigger", "erase", "write", ..., "ok", "FAILED" */
	uint64_t done, total;
	double t0, phase_t0, last_progress, t_end;
	bool leave_hung; /* the ROM hung on the bus: it did not leave */
	bool finished;
	/* the outcome, written by the worker before it finishes */
	int err, code;
	char detail[640];
	struct stdfu_cause cause; /* what the library found (per thread, like the detail) */
	struct stdfu_result res;
	struct stdfu_target_report rep;
	uint64_t transfers;
};

struct fa_run {
	struct cli *cli;
	pthread_mutex_t lock;
	size_t n, n_finished;
	double t0;
	bool live; /* one live line per board on the terminal */
	unsigned drawn;
	size_t n_warned; /* serials already warned about */
	char warned[FA_BOARDS_MAX][STDFU_SERIAL_MAX];
	struct fa_board boards[FA_BOARDS_MAX];
};

/* flash_all_out.c */
double fa_now(void);
int fa_init(struct fa_run *r, struct cli *c);
void fa_fini(struct fa_run *r);
void fa_event(const struct stdfu_event *ev, void *user);
void fa_target_event(const struct stdfu_target_event *ev, void *user);
void fa_found(struct fa_board *b, const struct stdfu_device_info *info);
/* In the worker: the outcome (the library's detail is per thread). */
void fa_finished(struct fa_board *b, int err);
void fa_absent(struct fa_board *b);
void fa_fail_start(struct fa_board *b);
/* Warn about boards that report the same serial (the ROMs' once found). */
void fa_duplicate_serials(struct fa_run *r, bool roms);
int fa_no_boards(struct cli *c);
/* The final line(s); returns the exit code of the run. */
int fa_summary(struct fa_run *r);

/* flash_all_tty.c */
/* On a terminal: redraw the live lines until every board is done. */
void fa_dashboard_run(struct fa_run *r);
/* Redraw now (run->lock held). */
void fa_dashboard_draw(struct fa_run *r);

#endif
