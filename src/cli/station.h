/* SPDX-License-Identifier: MIT */
/*
 * stdfu station FILE: a factory station. The main loop (station.c) watches
 * the port paths, arms each one, and starts a worker (station_worker.c) for a
 * board that arrives on an armed port; the worker flashes, verifies,
 * optionally protects, leaves, waits for the application and writes the
 * record (station_record.c). A port is armed again only after its board has
 * left the bus, so a board is never flashed twice without being removed.
 *
 * Per port: armed -> flashing -> verifying -> protecting -> waiting-app ->
 * PASS/FAIL -> waiting-removal -> armed. What the operator sees is in
 * station_view.c (events, plain lines) and station_tty.c (the live table).
 * Everything the workers share is under run->lock.
 */
#ifndef STDFU_CLI_STATION_H
#define STDFU_CLI_STATION_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include <stdfu/chip.h>

#include "cli.h"
#include "record.h"

#define ST_PORTS_MAX 128
#define ST_SEEN_MAX  4096

enum st_port_state {
	ST_ARMED,	    /* waiting for a board */
	ST_BUSY,	    /* a worker has the board */
	ST_WAITING_REMOVAL, /* done: the board must leave before the next one */
};

struct st_run;

struct st_port {
	struct st_run *run;
	char path[STDFU_PATH_MAX];
	enum st_port_state state;
	bool present;	/* some USB device is on the port */
	bool flashable; /* ... and it is a ROM or an application stdfu can trigger */
	bool is_app;
	unsigned absent_scans; /* consecutive scans without a device (debounce) */
	/* the worker */
	pthread_t thread;
	bool thread_live, thread_done;
	double t0, phase_t0, last_progress;
	const char *phase;     /* what the table shows: "flashing", "verifying", ... */
	const char *rec_phase; /* the record's name of the running phase */
	const char *step;      /* inside the flash: "read", "erase", "write", "verify" */
	double step_t0;
	uint64_t done, total;
	bool have_result; /* the last board's outcome, shown until the next one */
	struct station_record rec;
	char detail[640]; /* the worker's own failure detail (not the library's) */
	char reason[64];  /* the last failure, short, for the table */
};

struct st_run {
	struct cli *cli;
	pthread_mutex_t lock;
	struct st_port ports[ST_PORTS_MAX];
	size_t n_ports;
	size_t started, recorded, passed, failed;
	double t0;
	bool live; /* the table on a terminal */
	unsigned drawn;
	bool stopping;	  /* first Ctrl-C (or --count reached): no more arming */
	int record_error; /* the log or database could not be written: exit 8 */
	int log_fd;
	struct rec_db *db;
	char image_name[256], image_sha256[65];
	struct stdfu_image *img; /* loaded once; each board gets a copy */
	char last_failure[320];
	/* boards seen in this run, for the rework flag without --db */
	char (*seen)[STDFU_SERIAL_MAX + 40];
	size_t n_seen;
};

/* station.c: the interrupt count the loop reads (1 stop arming, 2 abort). */

/* station_clock.c */
double st_now(void);

/* station_worker.c */
void *st_worker(void *arg);

/* station_record.c: the end of one board (under run->lock) */
void st_record(struct st_port *p, int err);
/* The in-flight boards at a second Ctrl-C: records say ABORTED. */
void st_record_aborted(struct st_port *p);

/* station_view.c: events (--json on stdout) and plain lines (stderr) */
void st_view_start(struct st_run *r);
void st_view_arrived(struct st_port *p);
void st_view_removed(struct st_port *p);
void st_view_phase(struct st_port *p, const char *phase, bool start, double ms, bool ok);
void st_view_progress(struct st_port *p);
void st_view_record(struct st_port *p);
void st_view_stopping(struct st_run *r, size_t in_flight);
int st_view_summary(struct st_run *r, bool aborted);

/* station_tty.c */
void st_tty_draw(struct st_run *r);

#endif
