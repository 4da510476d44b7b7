/* SPDX-License-Identifier: MIT */
/*
 * A station record as JSON, and the JSON Lines log it is appended to. Each
 * record is one write(2) of one line, then fsync(2): a power cut loses at most
 * the board in progress, never a line half-written over an earlier one
 * (O_APPEND puts every write at the end).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "json.h"
#include "station_out.h"

void rec_time_now(char out[32])
{
	struct timeval tv;
	struct tm tm;
	char base[24];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%.20s.%03dZ", base, (int)(tv.tv_usec / 1000) % 1000);
}

void rec_add_phase(struct station_record *r, const char *name, double ms, bool ok)
{
	struct rec_phase *p;

	if (r->n_phases >= REC_PHASES_MAX)
		return;
	p = &r->phases[r->n_phases++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ms = ms;
	p->ok = ok;
}

void rec_uid_hex(const uint8_t uid[12], char out[25])
{
	/* Three little-endian words at UID, UID+4, UID+8; RMs print UID[95:0]
	 * from the top word down (e.g. RM0090 §39.1). */
	for (int w = 2, n = 0; w >= 0; w--, n += 8) {
		uint32_t v = (uint32_t)uid[4 * w] | (uint32_t)uid[4 * w + 1] << 8 |
			     (uint32_t)uid[4 * w + 2] << 16 | (uint32_t)uid[4 * w + 3] << 24;

		snprintf(out + n, 9, "%08X", (unsigned)v);
	}
}

const char *rec_serial_not_unique(const char *serial)
{
	if (!serial[0])
		return "the ROM reports no serial number";
	if (!strcmp(serial, "FFFFFFFEFFFF"))
		return "F0 ROMs report FFFFFFFEFFFF on every part";
	if (!strcmp(serial, "STM32"))
		return "F105/F107 ROMs report \"STM32\" on every part";
	return NULL;
}

static json_t *phases_json(const struct station_record *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_phases; i++) {
		json_t *p = jw_object();

		jw_str(p, "phase", r->phases[i].name);
		jw_num(p, "ms", r->phases[i].ms);
		jw_bool(p, "ok", r->phases[i].ok);
		jw_push(a, p);
	}
	return a;
}

static void board_fields(json_t *o, const struct station_record *r)
{
	jw_str(o, "time", r->time);
	jw_str(o, "usb_path", r->usb_path);
	jw_str(o, "rom_serial", r->rom_serial);
	if (r->flash_size)
		jw_int(o, "flash_size", r->flash_size);
	else
		jw_set(o, "flash_size", json_null());
	if (r->uid_ok) {
		jw_str(o, "uid", r->uid);
		jw_set(o, "uid_reason", json_null());
	} else {
		jw_set(o, "uid", json_null());
		jw_str(o, "uid_reason", r->uid_reason);
	}
}

json_t *rec_to_json(const struct station_record *r)
{
	json_t *o = jw_event("record"), *img = jw_object();

	board_fields(o, r);
	jw_str(img, "name", r->image_name);
	jw_str(img, "sha256", r->image_sha256);
	jw_set(o, "image", img);
	if (r->serial_written) {
		jw_int(o, "serial_written", r->serial);
		jw_addr(o, "serial_at", r->serial_at);
	} else {
		jw_set(o, "serial_written", json_null());
	}
	if (r->rdp_level >= 0)
		jw_int(o, "rdp", r->rdp_level);
	jw_set(o, "phases", phases_json(r));
	jw_str(o, "result", r->result);
	jw_int(o, "exit", r->exit_code);
	if (r->error) {
		jw_str(o, "error", r->error);
		jw_str(o, "message", r->detail);
	} else {
		jw_set(o, "error", json_null());
	}
	jw_bool(o, "rework", r->rework);
	jw_str(o, "rework_basis", r->rework_basis ? r->rework_basis : "none");
	jw_num(o, "ms", r->ms);
	return o;
}

int rec_log_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int rec_log_append(int fd, const struct station_record *r)
{
	char *line = so_line(rec_to_json(r));
	int rc;

	if (!line) {
		errno = ENOMEM;
		return -1;
	}
	rc = write_all(fd, line, strlen(line));
	free(line);
	if (!rc)
		rc = fsync(fd);
	return rc;
}
