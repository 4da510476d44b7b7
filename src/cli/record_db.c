/* SPDX-License-Identifier: MIT */
/*
 * The station's SQLite database (libsqlite3): one row per board in `board`,
 * its phases in `phase`, the serial counter in `counter`. The schema is built
 * by numbered migrations; PRAGMA user_version says how many have run, so an
 * older database is brought forward in place and a newer one is refused
 * (https://www.sqlite.org/pragma.html#pragma_user_version). Every write is its
 * own transaction: a serial is committed before the board that gets it is
 * written, so it can never be handed out twice.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

struct rec_db {
	sqlite3 *db;
};

/* Migration i takes the schema from version i to i + 1. Never edit one that
 * has shipped: add the next. */
static const char *const migrations[] = {
	"CREATE TABLE board ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time TEXT NOT NULL,"
	" usb_path TEXT NOT NULL,"
	" rom_serial TEXT NOT NULL,"
	" flash_size INTEGER,"
	" uid TEXT,"
	" uid_reason TEXT,"
	" image_name TEXT NOT NULL,"
	" image_sha256 TEXT NOT NULL,"
	" serial_written INTEGER,"
	" serial_at INTEGER,"
	" rdp INTEGER,"
	" result TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL', 'ABORTED')),"
	" exit_code INTEGER NOT NULL,"
	" error TEXT,"
	" message TEXT,"
	" rework INTEGER NOT NULL,"
	" rework_basis TEXT NOT NULL,"
	" ms REAL NOT NULL);"
	"CREATE INDEX board_uid ON board (uid);"
	"CREATE INDEX board_rom ON board (rom_serial, flash_size);"
	"CREATE TABLE phase ("
	" board_id INTEGER NOT NULL REFERENCES board (id),"
	" seq INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" ms REAL NOT NULL,"
	" ok INTEGER NOT NULL,"
	" PRIMARY KEY (board_id, seq));"
	"CREATE TABLE counter (name TEXT PRIMARY KEY, next INTEGER NOT NULL);",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int rec_db_schema_version(void)
{
	return N_MIGRATIONS;
}

const char *rec_db_error(struct rec_db *db)
{
	return db && db->db ? sqlite3_errmsg(db->db) : "out of memory";
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* One migration and the version bump in one transaction. */
static int migrate_one(sqlite3 *db, int from)
{
	char bump[64];
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", from + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, migrations[from], NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, bump, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int migrate(struct rec_db *d, const char *path, char *why, size_t cap)
{
	int v = 0, rc = user_version(d->db, &v);

	if (rc != SQLITE_OK) {
		snprintf(why, cap, "%s: not an SQLite database (%s): give --db a new file name",
			 path, sqlite3_errmsg(d->db));
		return -1;
	}
	if (v > N_MIGRATIONS) {
		snprintf(why, cap,
			 "%s: schema version %d is newer than this stdfu writes (%d): use the "
			 "stdfu that made it, or a new file",
			 path, v, N_MIGRATIONS);
		return -1;
	}
	for (; v < N_MIGRATIONS; v++) {
		if (migrate_one(d->db, v) != SQLITE_OK) {
			snprintf(why, cap, "%s: cannot create the schema (version %d): %s", path,
				 v + 1, sqlite3_errmsg(d->db));
			return -1;
		}
	}
	return 0;
}

int rec_db_open(const char *path, struct rec_db **out, char *why, size_t cap)
{
	struct rec_db *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(why, cap, "%s: cannot open the database: %s", path,
			 d->db ? sqlite3_errmsg(d->db) : "out of memory");
		rec_db_close(d);
		return -1;
	}
	/* another station on the same file: wait for its write, do not fail */
	sqlite3_busy_timeout(d->db, 5000);
	if (migrate(d, path, why, cap)) {
		rec_db_close(d);
		return -1;
	}
	*out = d;
	return 0;
}

void rec_db_close(struct rec_db *db)
{
	if (!db)
		return;
	sqlite3_close(db->db);
	free(db);
}

static int next_serial(sqlite3 *db, uint32_t start, uint32_t *out)
{
	sqlite3_stmt *st;
	sqlite3_int64 next = start;
	int rc = sqlite3_prepare_v2(db, "SELECT next FROM counter WHERE name = 'serial'", -1, &st,
				    NULL);

	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > next)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;
	if (next > UINT32_MAX)
		return SQLITE_FULL;
	*out = (uint32_t)next;
	rc = sqlite3_prepare_v2(db,
				"INSERT OR REPLACE INTO counter (name, next) VALUES ('serial', ?)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, next + 1);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

int rec_db_take_serial(struct rec_db *d, uint32_t start, uint32_t *out)
{
	int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = next_serial(d->db, start, out);
	if (rc == SQLITE_OK && sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int rec_db_seen(struct rec_db *d, const struct station_record *r, bool *seen)
{
	const char *q = r->uid_ok ? "SELECT 1 FROM board WHERE uid = ?1 LIMIT 1"
				  : "SELECT 1 FROM board WHERE rom_serial = ?1 AND "
				    "flash_size IS ?2 LIMIT 1";
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(d->db, q, -1, &st, NULL);

	*seen = false;
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, r->uid_ok ? r->uid : r->rom_serial, -1, SQLITE_TRANSIENT);
	if (!r->uid_ok && r->flash_size)
		sqlite3_bind_int64(st, 2, r->flash_size);
	rc = sqlite3_step(st);
	*seen = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, bool set, const char *s)
{
	if (set)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_board(sqlite3_stmt *st, const struct station_record *r)
{
	sqlite3_bind_text(st, 1, r->time, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->usb_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->rom_serial, -1, SQLITE_TRANSIENT);
	if (r->flash_size)
		sqlite3_bind_int64(st, 4, r->flash_size);
	bind_text_or_null(st, 5, r->uid_ok, r->uid);
	bind_text_or_null(st, 6, !r->uid_ok, r->uid_reason);
	sqlite3_bind_text(st, 7, r->image_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, r->image_sha256, -1, SQLITE_TRANSIENT);
	if (r->serial_written) {
		sqlite3_bind_int64(st, 9, r->serial);
		sqlite3_bind_int64(st, 10, r->serial_at);
	}
	if (r->rdp_level >= 0)
		sqlite3_bind_int(st, 11, r->rdp_level);
	sqlite3_bind_text(st, 12, r->result, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 13, r->exit_code);
	bind_text_or_null(st, 14, r->error != NULL, r->error);
	bind_text_or_null(st, 15, r->error != NULL, r->detail);
	sqlite3_bind_int(st, 16, r->rework);
	sqlite3_bind_text(st, 17, r->rework_basis ? r->rework_basis : "none", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 18, r->ms);
}

static int insert_phases(sqlite3 *db, sqlite3_int64 id, const struct station_record *r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db,
				    "INSERT INTO phase (board_id, seq, name, ms, ok) "
				    "VALUES (?, ?, ?, ?, ?)",
				    -1, &st, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < r->n_phases; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, r->phases[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, r->phases[i].ms);
		sqlite3_bind_int(st, 5, r->phases[i].ok);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_board(sqlite3 *db, const struct station_record *r)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(
		db,
		"INSERT INTO board (time, usb_path, rom_serial, flash_size, uid, uid_reason, "
		"image_name, image_sha256, serial_written, serial_at, rdp, result, exit_code, "
		"error, message, rework, rework_basis, ms) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		-1, &st, NULL);

	if (rc == SQLITE_OK) {
		bind_board(st, r);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? insert_phases(db, sqlite3_last_insert_rowid(db), r) : rc;
}

int rec_db_insert(struct rec_db *d, const struct station_record *r)
{
	int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = insert_board(d->db, r);
	if (rc == SQLITE_OK && sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
