/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the station's pure modules: SHA-256 against FIPS 180-4's
 * examples, the record as JSON and its JSON Lines log, the SQLite database
 * (schema, migrations, the serial counter, rework lookups) and the
 * --serial-at checks and patch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <stdfu/layout.h>

#include "cli.h"
#include "record.h"
#include "sha256.h"
#include "station_patch.h"

static char tmpdir[64];

static const char *tmp(const char *name)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

/* ---- SHA-256 -------------------------------------------------------------------- */

static void sha256_vectors(void **state)
{
	char hex[65];
	char *million = malloc(1000000);

	(void)state;
	/* FIPS 180-4 examples (NIST "SHA256.pdf", "SHA2_Additional.pdf") */
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void sha256_of_file(void **state)
{
	char hex[65];
	FILE *f = fopen(tmp("abc.bin"), "wb");

	(void)state;
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	assert_int_equal(sha256_file(tmp("abc.bin"), hex), 0);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sha256_file(tmp("missing.bin"), hex), -1);
}

/* ---- the record ------------------------------------------------------------------- */

static void sample(struct station_record *r, const char *serial, bool uid)
{
	static const uint8_t u[12] = {0x30, 0x00, 0x20, 0x00, 0x0d, 0x47,
				      0x36, 0x31, 0x32, 0x35, 0x33, 0x34};

	memset(r, 0, sizeof(*r));
	strcpy(r->time, "2026-12-02T14:30:00.123Z");
	strcpy(r->usb_path, "1-3");
	snprintf(r->rom_serial, sizeof(r->rom_serial), "%s", serial);
	r->flash_size = 1024 * 1024;
	r->uid_ok = uid;
	if (uid)
		rec_uid_hex(u, r->uid);
	else
		strcpy(r->uid_reason, "no alt maps it");
	strcpy(r->image_name, "app.bin");
	strcpy(r->image_sha256, "ab");
	r->rdp_level = 0;
	rec_add_phase(r, "open", 12.34, true);
	rec_add_phase(r, "write", 100, true);
	r->result = "PASS";
	r->rework_basis = uid ? "uid" : "serial+flash_size";
	r->ms = 1234.5;
}

static void uid_and_serials(void **state)
{
	static const uint8_t u[12] = {1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xee, 0xdd, 0xcc};
	char hex[25];

	(void)state;
	rec_uid_hex(u, hex);
	assert_string_equal(hex, "CCDDEEFF0000000200000001");
	assert_non_null(rec_serial_not_unique("FFFFFFFEFFFF"));
	assert_non_null(rec_serial_not_unique("STM32"));
	assert_non_null(rec_serial_not_unique(""));
	assert_null(rec_serial_not_unique("3456356B3135"));
}

static void record_json(void **state)
{
	struct station_record r;
	json_t *o;

	(void)state;
	sample(&r, "345435653137", false);
	r.serial_written = true;
	r.serial = 1000;
	r.serial_at = 0x080FFF00;
	o = rec_to_json(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "event")), "record");
	assert_true(json_is_null(json_object_get(o, "uid")));
	assert_string_equal(json_string_value(json_object_get(o, "uid_reason")), "no alt maps it");
	assert_int_equal(json_integer_value(json_object_get(o, "serial_written")), 1000);
	assert_int_equal(json_integer_value(json_object_get(o, "serial_at")), 0x080FFF00);
	assert_string_equal(json_string_value(json_object_get(o, "serial_at_hex")), "0x080fff00");
	assert_int_equal(json_array_size(json_object_get(o, "phases")), 2);
	assert_string_equal(json_string_value(json_object_get(o, "result")), "PASS");
	assert_true(json_is_null(json_object_get(o, "error")));
	assert_int_equal(json_integer_value(json_object_get(o, "flash_size")), 1048576);
	json_decref(o);
}

static void log_appends(void **state)
{
	struct station_record r;
	char line[4096];
	int n = 0, fd;
	FILE *f;

	(void)state;
	unlink(tmp("log.jsonl"));
	for (int i = 0; i < 2; i++) {
		fd = rec_log_open(tmp("log.jsonl"));
		assert_true(fd >= 0);
		sample(&r, i ? "B" : "A", false);
		assert_int_equal(rec_log_append(fd, &r), 0);
		close(fd);
	}
	f = fopen(tmp("log.jsonl"), "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);

		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(o, "rom_serial")),
				    n ? "B" : "A");
		json_decref(o);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 2);
}

/* ---- the database ---------------------------------------------------------------- */

static struct rec_db *fresh_db(const char *name)
{
	struct rec_db *db = NULL;
	char why[256];

	unlink(tmp(name));
	assert_int_equal(rec_db_open(tmp(name), &db, why, sizeof(why)), 0);
	return db;
}

static int query_int(const char *name, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_open(tmp(name), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void db_schema(void **state)
{
	struct rec_db *db = fresh_db("schema.sqlite");
	char why[256];

	(void)state;
	rec_db_close(db);
	assert_int_equal(query_int("schema.sqlite", "PRAGMA user_version"),
			 rec_db_schema_version());
	/* reopening an up-to-date database changes nothing */
	assert_int_equal(rec_db_open(tmp("schema.sqlite"), &db, why, sizeof(why)), 0);
	rec_db_close(db);
	assert_int_equal(query_int("schema.sqlite", "SELECT count(*) FROM sqlite_master WHERE "
						    "type = 'table' AND name IN ('board', 'phase', "
						    "'counter')"),
			 3);
}

static void db_refuses(void **state)
{
	struct rec_db *db = NULL;
	char why[256];
	sqlite3 *raw;
	FILE *f;

	(void)state;
	unlink(tmp("newer.sqlite"));
	assert_int_equal(sqlite3_open(tmp("newer.sqlite"), &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(rec_db_open(tmp("newer.sqlite"), &db, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "newer"));
	f = fopen(tmp("text.sqlite"), "w");
	assert_non_null(f);
	fputs("this is not a database, it is a text file long enough to be read as one\n", f);
	fclose(f);
	assert_int_equal(rec_db_open(tmp("text.sqlite"), &db, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an SQLite database"));
}

static void db_serials(void **state)
{
	struct rec_db *db = fresh_db("serial.sqlite");
	char why[256];
	uint32_t s = 0;

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(rec_db_take_serial(db, 1000, &s), 0);
		assert_int_equal(s, 1000 + i);
	}
	rec_db_close(db);
	/* a restart continues, whatever --serial-start says below the counter */
	assert_int_equal(rec_db_open(tmp("serial.sqlite"), &db, why, sizeof(why)), 0);
	assert_int_equal(rec_db_take_serial(db, 1000, &s), 0);
	assert_int_equal(s, 1004);
	assert_int_equal(rec_db_take_serial(db, 1, &s), 0);
	assert_int_equal(s, 1005);
	/* a --serial-start above the counter jumps forward */
	assert_int_equal(rec_db_take_serial(db, 5000, &s), 0);
	assert_int_equal(s, 5000);
	assert_int_equal(rec_db_take_serial(db, 1000, &s), 0);
	assert_int_equal(s, 5001);
	rec_db_close(db);
}

static void db_records_and_rework(void **state)
{
	struct rec_db *db = fresh_db("rec.sqlite");
	struct station_record a, b, u;
	bool seen = true;

	(void)state;
	sample(&a, "AAAA", false);
	sample(&b, "BBBB", false);
	sample(&u, "AAAA", true);
	assert_int_equal(rec_db_seen(db, &a, &seen), 0);
	assert_false(seen);
	assert_int_equal(rec_db_insert(db, &a), 0);
	assert_int_equal(rec_db_seen(db, &a, &seen), 0);
	assert_true(seen);
	assert_int_equal(rec_db_seen(db, &b, &seen), 0);
	assert_false(seen);
	/* the same serial with another flash size is another part */
	b = a;
	b.flash_size = 512 * 1024;
	assert_int_equal(rec_db_seen(db, &b, &seen), 0);
	assert_false(seen);
	/* with a UID the UID decides */
	assert_int_equal(rec_db_seen(db, &u, &seen), 0);
	assert_false(seen);
	assert_int_equal(rec_db_insert(db, &u), 0);
	assert_int_equal(rec_db_seen(db, &u, &seen), 0);
	assert_true(seen);
	rec_db_close(db);
	assert_int_equal(query_int("rec.sqlite", "SELECT count(*) FROM board"), 2);
	assert_int_equal(query_int("rec.sqlite", "SELECT count(*) FROM phase"), 4);
	assert_int_equal(query_int("rec.sqlite", "SELECT count(*) FROM board WHERE uid IS NULL"),
			 1);
}

/* ---- --serial-at ------------------------------------------------------------------- */

static struct stdfu_image *raw_image(uint32_t size)
{
	uint8_t *buf = malloc(size);
	struct stdfu_image *img = NULL;
	struct stdfu_image_load_opts o = {.format = STDFU_FORMAT_RAW};

	memset(buf, 0x5a, size);
	assert_int_equal(stdfu_image_load_mem(buf, size, "app.bin", &o, &img), STDFU_OK);
	free(buf);
	return img;
}

static void f405(struct stdfu_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->n_alts = 1;
	info->alts[0].layout_ok = true;
	assert_int_equal(
		stdfu_layout_parse("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
				   &info->alts[0].layout),
		STDFU_OK);
}

static void patch_checks(void **state)
{
	struct stdfu_image *img = raw_image(64 * 1024);
	struct stdfu_device_info info;
	char why[400];

	(void)state;
	assert_int_equal(sp_check(img, 0x080FFF00, why, sizeof(why)), 0);
	assert_int_equal(sp_check(img, 0x080FFF01, why, sizeof(why)), CLI_EXIT_USAGE);
	assert_non_null(strstr(why, "aligned"));
	assert_int_equal(sp_check(img, 0x20000000, why, sizeof(why)), CLI_EXIT_USAGE);
	assert_non_null(strstr(why, "not in the internal flash"));
	assert_int_equal(sp_check(img, 0x08000100, why, sizeof(why)), CLI_EXIT_BAD_IMAGE);
	assert_non_null(strstr(why, "already holds data"));
	assert_int_equal(sp_check(img, 0x0800FFFC, why, sizeof(why)), CLI_EXIT_BAD_IMAGE);
	assert_int_equal(sp_check(img, 0x08010000, why, sizeof(why)), 0);
	f405(&info);
	assert_int_equal(sp_check_device(&info, 0x080FFF00, why, sizeof(why)), STDFU_OK);
	assert_int_equal(sp_check_device(&info, 0x08100000, why, sizeof(why)), STDFU_ERR_FIT);
	assert_non_null(strstr(why, "no serial was taken"));
	stdfu_image_free(img);
}

static void patch_inserts(void **state)
{
	struct stdfu_image *img = raw_image(1024);
	struct stdfu_device_info info;
	char why[400];

	(void)state;
	f405(&info);
	assert_true(img->at_flash_base);
	assert_int_equal(sp_patch(img, &info, 0x080FFF00, 1003, why, sizeof(why)), STDFU_OK);
	assert_false(img->at_flash_base);
	assert_int_equal(img->count, 2);
	assert_int_equal(img->segments[0].address, 0x08000000);
	assert_int_equal(img->segments[1].address, 0x080FFF00);
	assert_int_equal(img->segments[1].size, 4);
	assert_memory_equal(img->segments[1].data, "\xeb\x03\x00\x00", 4);
	/* before the image, still sorted */
	assert_int_equal(sp_patch(img, &info, 0x07FFFFF0, 7, why, sizeof(why)), STDFU_OK);
	assert_int_equal(img->segments[0].address, 0x07FFFFF0);
	assert_int_equal(sp_patch(img, &info, 0x08000000, 7, why, sizeof(why)), STDFU_ERR_IMAGE);
	stdfu_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),
		cmocka_unit_test(sha256_of_file),
		cmocka_unit_test(uid_and_serials),
		cmocka_unit_test(record_json),
		cmocka_unit_test(log_appends),
		cmocka_unit_test(db_schema),
		cmocka_unit_test(db_refuses),
		cmocka_unit_test(db_serials),
		cmocka_unit_test(db_records_and_rework),
		cmocka_unit_test(patch_checks),
		cmocka_unit_test(patch_inserts),
	};
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/stdfu-station-unit-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!rc) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		rc = system(cmd) != 0;
	}
	return rc;
}
