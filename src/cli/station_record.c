/* SPDX-License-Identifier: MIT */
/*
 * The end of one board on a station: its record is completed (result, exit
 * code, rework), appended to the JSON Lines log and inserted into the
 * database, and the port waits for the board to leave. Called under run->lock
 * by the worker, so the library's detail of the failure is still this
 * thread's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"

/* The key a board is known by: its UID, else its ROM serial and flash size;
 * none when the serial is one every part of the family reports. */
static const char *rework_key(const struct station_record *r, char *key, size_t cap)
{
	if (r->uid_ok) {
		snprintf(key, cap, "uid:%s", r->uid);
		return "uid";
	}
	if (r->serial_shared || rec_serial_not_unique(r->rom_serial))
		return NULL;
	snprintf(key, cap, "sn:%s/%u", r->rom_serial, (unsigned)r->flash_size);
	return "serial+flash_size";
}

static bool seen_in_run(struct st_run *r, const char *key)
{
	for (size_t i = 0; i < r->n_seen; i++)
		if (!strcmp(r->seen[i], key))
			return true;
	if (r->seen && r->n_seen < ST_SEEN_MAX)
		snprintf(r->seen[r->n_seen++], sizeof(r->seen[0]), "%s", key);
	return false;
}

static void rework(struct st_run *r, struct station_record *rec)
{
	char key[STDFU_SERIAL_MAX + 40];
	bool db_seen = false;

	rec->rework_basis = rework_key(rec, key, sizeof(key));
	rec->rework = false;
	if (!rec->rework_basis)
		return;
	if (r->db && rec_db_seen(r->db, rec, &db_seen) == 0 && db_seen)
		rec->rework = true;
	if (seen_in_run(r, key))
		rec->rework = true;
}

/* Write the record where it is kept; a record that cannot be kept stops the
 * station (exit 8): a line without its trace is worse than a stopped line. */
static void keep(struct st_run *r, struct st_port *p)
{
	if (rec_log_append(r->log_fd, &p->rec) != 0) {
		fprintf(stderr, "stdfu: station: cannot append to the log: %s; stopping\n",
			strerror(errno));
		r->record_error = CLI_EXIT_FILE;
		r->stopping = true;
	}
	if (r->db && rec_db_insert(r->db, &p->rec) != 0) {
		fprintf(stderr, "stdfu: station: cannot write the database: %s; stopping\n",
			rec_db_error(r->db));
		r->record_error = CLI_EXIT_FILE;
		r->stopping = true;
	}
}

static void finish(struct st_port *p, const char *error, const char *result, int code,
		   const char *detail, const char *reason)
{
	struct st_run *r = p->run;
	struct station_record *rec = &p->rec;

	rec_time_now(rec->time);
	rec->result = result;
	rec->exit_code = code;
	rec->error = error;
	snprintf(rec->detail, sizeof(rec->detail), "%s", detail);
	rec->ms = (st_now() - p->t0) * 1000;
	rework(r, rec);
	keep(r, p);
	r->recorded++;
	if (error) {
		r->failed++;
		snprintf(r->last_failure, sizeof(r->last_failure), "%s exit %d %s", p->path, code,
			 reason);
		snprintf(p->reason, sizeof(p->reason), "%s", reason);
	} else {
		r->passed++;
	}
	p->have_result = true;
	p->state = ST_WAITING_REMOVAL;
	p->absent_scans = 0;
	st_view_record(p);
}

void st_record(struct st_port *p, int err)
{
	const char *d = p->detail[0] ? p->detail : stdfu_error_detail();

	if (!d[0])
		d = stdfu_strerror(err);
	finish(p, err ? stdfu_error_name(err) : NULL, err ? "FAIL" : "PASS", cli_exit_code(err),
	       err ? d : "", stdfu_strerror(err));
}

void st_record_aborted(struct st_port *p)
{
	char d[160];

	snprintf(d, sizeof(d),
		 "interrupted (second Ctrl-C) while %s: a board still in the ROM "
		 "stays in DFU mode; run the station again to flash it",
		 p->phase ? p->phase : "starting");
	finish(p, "interrupted", "ABORTED", CLI_EXIT_INTERRUPTED, d, "interrupted");
}
