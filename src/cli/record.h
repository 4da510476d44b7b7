/* SPDX-License-Identifier: MIT */
/*
 * The record of one board a factory station handled (stdfu station): what the
 * board was (port path, ROM serial, flash size, unique ID or why not), what it
 * got (image name and SHA-256, the serial number written), how each phase went
 * and the result. record.c builds its JSON object and appends it to the JSON
 * Lines log (fsync'd per record); record_db.c keeps the SQLite database (the
 * same fields, the phases in their own table, the serial counter). The schema
 * of both is in stdfu(1), STATION RECORDS.
 */
#ifndef STDFU_CLI_RECORD_H
#define STDFU_CLI_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <stdfu/device.h>

#define REC_PHASES_MAX 12

struct rec_phase {
	char name[16]; /* "trigger", "probe", "erase", "write", "verify", ... */
	double ms;
	bool ok;
};

struct station_record {
	char time[32]; /* ISO 8601 UTC, milliseconds: 2026-12-02T14:30:00.123Z */
	char usb_path[STDFU_PATH_MAX];
	char rom_serial[STDFU_SERIAL_MAX];
	uint32_t flash_size; /* bytes; 0 = unknown */
	bool uid_ok;
	char uid[25]; /* 24 hex digits, the 96 bits as the RM prints them */
	char uid_reason[200];
	char image_name[256];
	char image_sha256[65];
	bool serial_written; /* a serial was taken and patched in */
	uint32_t serial, serial_at;
	int rdp_level; /* after the run; -1 unknown */
	struct rec_phase phases[REC_PHASES_MAX];
	size_t n_phases;
	const char *result; /* "PASS", "FAIL" or "ABORTED" */
	int exit_code;
	const char *error; /* stdfu_error_name(), NULL on PASS */
	char detail[640];
	/* the ROM serial may be another part's too: no rework by serial */
	bool serial_shared;
	bool rework;
	const char *rework_basis; /* "uid", "serial+flash_size" or "none" */
	double ms;		  /* from arrival to the record */
};

/* The current time, as records hold it. */
void rec_time_now(char out[32]);
/* Append a phase (silently dropped past REC_PHASES_MAX). */
void rec_add_phase(struct station_record *r, const char *name, double ms, bool ok);
/* The UID as 24 hex digits: word 0 (lowest address) last, as RMs print it. */
void rec_uid_hex(const uint8_t uid[12], char out[25]);
/*
 * Why the ROM serial says nothing about which part it is, or NULL: F0 ROMs
 * send FFFFFFFEFFFF and F105/F107 ROMs "STM32" (docs/real-rom-facts.md).
 * The U5's is a lossy 48-bit digest of its UID that collides across boards
 * (same file): the caller knows the family, see serial_shared.
 */
const char *rec_serial_not_unique(const char *serial);

/* The record as a JSON object {"schema":1,"event":"record",...} (new reference). */
json_t *rec_to_json(const struct station_record *r);

/* The JSON Lines log: opened for append (created if missing), one line per
 * record, fsync'd before rec_log_append returns. -1 with errno on failure. */
int rec_log_open(const char *path);
int rec_log_append(int fd, const struct station_record *r);

/* record_db.c */
struct rec_db;
/* Open or create; the schema is created or migrated (PRAGMA user_version).
 * On failure -1 and @why says what and how to fix it. */
int rec_db_open(const char *path, struct rec_db **out, char *why, size_t cap);
void rec_db_close(struct rec_db *db);
/* The schema version this build writes. */
int rec_db_schema_version(void);
/* Take the next serial (at least @start), committed before it returns: a
 * serial once taken is never handed out again. */
int rec_db_take_serial(struct rec_db *db, uint32_t start, uint32_t *out);
/* Whether a board with this UID (or, without one, ROM serial + flash size)
 * has a record already. */
int rec_db_seen(struct rec_db *db, const struct station_record *r, bool *seen);
int rec_db_insert(struct rec_db *db, const struct station_record *r);
/* The SQLite error of the last failure. */
const char *rec_db_error(struct rec_db *db);

#endif
