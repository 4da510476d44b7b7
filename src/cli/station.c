/* SPDX-License-Identifier: MIT */
/*
 * stdfu station FILE: the loop. Ten times a second it takes a snapshot of the
 * bus (stdfu_bus_snapshot: no transfer, so the boards being flashed are not
 * disturbed), marks each watched port present or absent, starts a worker for
 * a board on an armed port, and arms a port again once nothing at all has
 * been on it for half a second (five snapshots in a row); a board that
 * re-enumerates during its own flash belongs to its worker, which follows
 * it, and any USB device on a port (an application with an id stdfu does not
 * know included) keeps it from being armed. Ctrl-C once: stop
 * arming, let the boards in flight finish; twice: record them as ABORTED and
 * exit at once, leaving each board where it is (a board in the ROM stays in
 * DFU mode; the next run flashes it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station.h"
#include "sha256.h"
#include "station_patch.h"

#define ST_POLL_MS	100
#define ST_ABSENT_SCANS 5

static int st_interrupts; /* Ctrl-C seen by the loop: 1 stop arming, 2 abort */

/* ---- the ports --------------------------------------------------------------------- */

static bool wanted(const struct cli *c, const char *path)
{
	if (!c->n_usb_paths)
		return path[0] != '\0';
	for (size_t i = 0; i < c->n_usb_paths; i++)
		if (!strcmp(c->usb_paths[i], path))
			return true;
	return false;
}

static struct st_port *find_port(struct st_run *r, const char *path)
{
	for (size_t i = 0; i < r->n_ports; i++)
		if (!strcmp(r->ports[i].path, path))
			return &r->ports[i];
	return NULL;
}

static struct st_port *port_at(struct st_run *r, const char *path)
{
	struct st_port *p = find_port(r, path);

	if (p)
		return p;
	if (r->n_ports >= ST_PORTS_MAX)
		return NULL;
	p = &r->ports[r->n_ports++];
	memset(p, 0, sizeof(*p));
	p->run = r;
	snprintf(p->path, sizeof(p->path), "%s", path);
	return p;
}

/* A ROM (0483:df11) or an application the trigger can reach. */
static int board_kind(const struct cli *c, const struct stdfu_device_info *d)
{
	if (d->vid == 0x0483 && d->pid == 0xdf11)
		return 1;
	if (c->trig.method != STDFU_METHOD_NONE &&
	    stdfu_app_id_match(c->trig.app_ids, c->trig.n_app_ids, d->vid, d->pid))
		return 2;
	return 0;
}

static void mark_present(struct st_run *r, const struct stdfu_device_list *snap)
{
	for (size_t i = 0; i < r->n_ports; i++)
		r->ports[i].present = r->ports[i].flashable = false;
	for (size_t i = 0; snap && i < snap->count; i++) {
		const struct stdfu_device_info *d = &snap->items[i];
		int kind = board_kind(r->cli, d);
		struct st_port *p;

		if (!wanted(r->cli, d->path))
			continue;
		/* a port is made for a board; any device keeps a known port busy */
		p = kind ? port_at(r, d->path) : find_port(r, d->path);
		if (!p)
			continue;
		p->present = true;
		if (kind && p->state == ST_ARMED) {
			p->flashable = true;
			p->is_app = kind == 2;
		}
	}
	/* the named ports are shown (waiting) before anything arrives */
	for (size_t i = 0; i < r->cli->n_usb_paths; i++)
		port_at(r, r->cli->usb_paths[i]);
}

/* An application whose tty is not listed yet cannot be triggered: wait. */
static bool app_ready(struct st_run *r, const char *path)
{
	struct stdfu_app_port *apps = NULL;
	int n = stdfu_app_ports_list(r->cli->ctx, r->cli->trig.app_ids, r->cli->trig.n_app_ids,
				     &apps);
	bool ok = false;

	for (int i = 0; i < n; i++)
		ok = ok || !strcmp(apps[i].dev.path, path);
	free(apps);
	return ok;
}

static void new_record(struct st_port *p)
{
	struct st_run *r = p->run;

	memset(&p->rec, 0, sizeof(p->rec));
	snprintf(p->rec.usb_path, sizeof(p->rec.usb_path), "%s", p->path);
	snprintf(p->rec.image_name, sizeof(p->rec.image_name), "%s", r->image_name);
	snprintf(p->rec.image_sha256, sizeof(p->rec.image_sha256), "%s", r->image_sha256);
	snprintf(p->rec.uid_reason, sizeof(p->rec.uid_reason), "the board was not reached");
	p->rec.rdp_level = -1;
	p->detail[0] = '\0';
}

/* A worker takes no signal: a terminal resize (SIGWINCH, term.c) must not
 * interrupt its USB waits (ppoll returns EINTR whatever SA_RESTART says). */
static int spawn(struct st_port *p)
{
	sigset_t set, old;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	rc = pthread_create(&p->thread, NULL, st_worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void start(struct st_port *p)
{
	struct st_run *r = p->run;

	new_record(p);
	p->state = ST_BUSY;
	p->have_result = false;
	p->t0 = st_now();
	p->phase = "starting";
	p->done = p->total = 0;
	p->thread_done = false;
	r->started++;
	st_view_arrived(p);
	if (spawn(p) != 0) {
		snprintf(p->detail, sizeof(p->detail), "cannot start a thread for this board");
		st_record(p, STDFU_ERR_NOMEM);
		return;
	}
	p->thread_live = true;
}

static bool may_arm(const struct st_run *r)
{
	return !r->stopping && (!r->cli->count_set || r->started < r->cli->count);
}

static void step_port(struct st_run *r, struct st_port *p)
{
	if (p->thread_live && p->thread_done) {
		pthread_join(p->thread, NULL);
		p->thread_live = false;
	}
	if (p->state == ST_WAITING_REMOVAL) {
		p->absent_scans = p->present ? 0 : p->absent_scans + 1;
		if (p->absent_scans >= ST_ABSENT_SCANS) {
			p->state = ST_ARMED;
			st_view_removed(p);
		}
		return;
	}
	if (p->state != ST_ARMED || !p->flashable || !may_arm(r))
		return;
	if (p->is_app && !app_ready(r, p->path))
		return;
	start(p);
}

static size_t busy(const struct st_run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_ports; i++)
		n += r->ports[i].state == ST_BUSY || r->ports[i].thread_live;
	return n;
}

/* One round: look at the bus, move every port on. False when the run is over. */
static bool round_once(struct st_run *r)
{
	struct stdfu_device_list *snap = NULL;
	bool go_on;

	if (stdfu_bus_snapshot(r->cli->ctx, &snap) != STDFU_OK)
		snap = NULL;
	pthread_mutex_lock(&r->lock);
	mark_present(r, snap);
	for (size_t i = 0; i < r->n_ports; i++)
		step_port(r, &r->ports[i]);
	if (r->cli->count_set && r->started >= r->cli->count)
		r->stopping = true;
	go_on = !r->stopping || busy(r) > 0;
	if (r->live)
		st_tty_draw(r);
	pthread_mutex_unlock(&r->lock);
	stdfu_device_list_free(snap);
	return go_on;
}

/* Sleep one period; a Ctrl-C (blocked, so only this wait sees it) counts. */
static void wait_period(void)
{
	sigset_t set;
	struct timespec ts = {0, ST_POLL_MS * 1000000L};

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	if (sigtimedwait(&set, NULL, &ts) == SIGINT)
		st_interrupts++;
}

static int abort_now(struct st_run *r)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i].state == ST_BUSY)
			st_record_aborted(&r->ports[i]);
	rc = st_view_summary(r, true);
	fflush(NULL);
	/* the workers are inside USB transfers: leave them there, do not join */
	_exit(rc);
}

static int loop(struct st_run *r)
{
	bool told = false;

	while (round_once(r)) {
		wait_period();
		if (st_interrupts >= 2)
			return abort_now(r);
		if (st_interrupts == 1 && !told) {
			pthread_mutex_lock(&r->lock);
			r->stopping = true;
			st_view_stopping(r, busy(r));
			pthread_mutex_unlock(&r->lock);
			told = true;
		}
	}
	pthread_mutex_lock(&r->lock);
	if (r->live)
		st_tty_draw(r);
	pthread_mutex_unlock(&r->lock);
	return st_view_summary(r, false);
}

/* ---- the command ------------------------------------------------------------------ */

static int check_options(struct cli *c)
{
	const char *bad = cli_one_board_option(c);

	if (bad)
		return out_usage(c,
				 "station: %s does not go with station: each board is followed on "
				 "its own USB "
				 "port path; name the ports with --usb-path (repeatable)",
				 bad);
	if (c->serial_start_set && !c->serial_at_set)
		return out_usage(c, "station: --serial-start needs --serial-at ADDR (where the "
				    "serial goes)");
	if (c->serial_at_set && !c->db_path)
		return out_usage(c,
				 "station: --serial-at needs --db FILE.sqlite: the serial counter "
				 "is kept there so that a restart continues it and never reuses "
				 "a serial");
	return 0;
}

/* The image once, before anything: it loads, its digest, the serial's place. */
static int check_image(struct cli *c, struct st_run *r)
{
	struct stdfu_image *img = NULL;
	const char *slash = strrchr(c->args[0], '/');
	char why[400];
	int rc;

	if (!strcmp(c->args[0], "-"))
		return out_usage(c,
				 "station: FILE cannot be standard input: its name and SHA-256 go "
				 "into every record; give the image file");
	rc = cli_load_image(c, c->args[0], &img);
	if (rc)
		return rc > 0 ? rc : out_fail(c, rc);
	snprintf(r->image_name, sizeof(r->image_name), "%s", slash ? slash + 1 : c->args[0]);
	rc = sha256_file(c->args[0], r->image_sha256) ? CLI_EXIT_FILE : 0;
	if (rc) {
		snprintf(why, sizeof(why), "%s: %s", c->args[0], strerror(errno));
		rc = out_fail_msg(c, STDFU_ERR_FILE, why);
	}
	if (!rc && c->serial_at_set && (rc = sp_check(img, c->serial_at, why, sizeof(why))))
		rc = rc == CLI_EXIT_USAGE ? out_usage(c, "station: %s", why)
					  : out_fail_msg(c, STDFU_ERR_IMAGE, why);
	if (rc)
		stdfu_image_free(img);
	else
		r->img = img;
	return rc;
}

static int open_records(struct cli *c, struct st_run *r)
{
	const char *log = c->log_path ? c->log_path : "stdfu-station.jsonl";
	char why[512];

	r->log_fd = rec_log_open(log);
	if (r->log_fd < 0) {
		fprintf(stderr,
			"stdfu: station: cannot open the log %s: %s (give --log a writable "
			"file)\n",
			log, strerror(errno));
		return CLI_EXIT_FILE;
	}
	if (c->db_path && rec_db_open(c->db_path, &r->db, why, sizeof(why))) {
		fprintf(stderr, "stdfu: station: %s\n", why);
		return CLI_EXIT_FILE;
	}
	return 0;
}

static int setup(struct cli *c, struct st_run *r)
{
	sigset_t set;
	int rc = check_options(c);

	if (!rc)
		rc = check_image(c, r);
	if (!rc)
		rc = open_records(c, r);
	if (rc)
		return rc;
	/* Ctrl-C is taken by the loop's wait alone (every thread inherits the mask) */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (cli_ensure_ctx(c) || pthread_mutex_init(&r->lock, NULL))
		return out_fail(c, STDFU_ERR_NOMEM);
	r->cli = c;
	r->t0 = st_now();
	r->live = c->tty && c->mode == OUT_HUMAN;
	r->seen = calloc(ST_SEEN_MAX, sizeof(*r->seen));
	return 0;
}

int cmd_station(struct cli *c)
{
	struct st_run *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return out_fail(c, STDFU_ERR_NOMEM);
	r->log_fd = -1;
	rc = setup(c, r);
	if (!rc) {
		st_view_start(r);
		rc = loop(r);
		pthread_mutex_destroy(&r->lock);
	}
	if (r->log_fd >= 0)
		close(r->log_fd);
	rec_db_close(r->db);
	free(r->seen);
	stdfu_image_free(r->img);
	free(r);
	return rc;
}
