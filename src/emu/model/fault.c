/* SPDX-License-Identifier: MIT */
/*
 * --fault SPEC: deterministic fault injection into the ROM model.
 *
 *   SPEC   := ENTRY[,ENTRY...]
 *   ENTRY  := ACTION:MATCH:N | quirk=NAME | leave=LEAVE
 *   LEAVE  := pipe | io | nodev | timeout: how the GETSTATUS after the
 *             leave fails on ROMs that leave before answering it (H7, G0,
 *             U5...; rom.h enum emu_leave_fail); each chip has a default
 *   NAME   := h7-stuck-busy | short-poll
 *   ACTION := stall | disconnect | timeout | status=STATUS | state=N
 *   STATUS := any DFU status name: OK errTARGET errFILE errWRITE errERASE
 *             errCHECK_ERASED errPROG errVERIFY errADDRESS errNOTDONE
 *             errFIRMWARE errVENDOR errUSBR errPOR errUNKNOWN errSTALLEDPKT
 *   MATCH  := any | dnload | dnload-data | set-address | erase | mass-erase |
 *             leave | upload | getstatus | clrstatus | abort
 *   N      := 1-based count of matching requests; the fault fires once, on
 *             the Nth request that matches.
 *   NAME   := h7-stuck-busy (an erase beyond the first MiB never completes;
 *             recovery is CLRSTATUS twice, as on H7 rev V)
 *
 * timeout: the request is never answered (the device did not see it; its
 * state does not move), so the host's control transfer times out. state=N
 * (0..255): the request is handled, then the device is in bState N, and a
 * matched GETSTATUS or GETSTATE says so.
 *
 * Effects: stall stalls the request (for DFU requests the device then sits
 * in dfuERROR/errSTALLEDPKT, DFU 1.1 §6.1.2); disconnect drops the device
 * off the bus instead of answering; status= makes the matched DNLOAD command
 * fail with that status when it executes (dfuERROR/status on the GETSTATUS
 * that completes it), a matched UPLOAD stall with it, and a matched
 * GETSTATUS/CLRSTATUS/ABORT leave the device in dfuERROR/status.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rom_internal.h"

static const char *const status_names[16] = {
	"OK",	   "errTARGET", "errFILE",    "errWRITE",      "errERASE",    "errCHECK_ERASED",
	"errPROG", "errVERIFY", "errADDRESS", "errNOTDONE",    "errFIRMWARE", "errVENDOR",
	"errUSBR", "errPOR",	"errUNKNOWN", "errSTALLEDPKT",
};

static const struct {
	const char *name;
	unsigned bit;
} matches[] = {
	{"any", EMU_MATCH_ANY},
	{"dnload", EMU_MATCH_DNLOAD},
	{"dnload-data", EMU_MATCH_DNLOAD_DATA},
	{"set-address", EMU_MATCH_SET_ADDRESS},
	{"erase", EMU_MATCH_ERASE},
	{"mass-erase", EMU_MATCH_MASS_ERASE},
	{"leave", EMU_MATCH_LEAVE},
	{"upload", EMU_MATCH_UPLOAD},
	{"getstatus", EMU_MATCH_GETSTATUS},
	{"clrstatus", EMU_MATCH_CLRSTATUS},
	{"abort", EMU_MATCH_ABORT},
};

const char *emu_dfu_status_name(unsigned status)
{
	return status < 16 ? status_names[status] : "?";
}

static int parse_action(const char *a, struct emu_fault *f)
{
	if (strcmp(a, "stall") == 0) {
		f->action = EMU_FAULT_STALL;
		return 0;
	}
	if (strcmp(a, "disconnect") == 0) {
		f->action = EMU_FAULT_DISCONNECT;
		return 0;
	}
	if (strcmp(a, "timeout") == 0) {
		f->action = EMU_FAULT_TIMEOUT;
		return 0;
	}
	if (strncmp(a, "state=", 6) == 0) {
		char *end;
		unsigned long n;

		if (a[6] < '0' || a[6] > '9')
			return -1;
		errno = 0;
		n = strtoul(a + 6, &end, 0);
		if (errno || *end || n > 255)
			return -1;
		f->action = EMU_FAULT_STATE;
		f->state = (uint8_t)n;
		return 0;
	}
	if (strncmp(a, "status=", 7) == 0) {
		/* status=OK would inject nothing: refuse it */
		for (unsigned i = 1; i < 16; i++) {
			if (strcmp(a + 7, status_names[i]) == 0) {
				f->action = EMU_FAULT_STATUS;
				f->status = (uint8_t)i;
				return 0;
			}
		}
	}
	return -1;
}

static int parse_match(const char *m, struct emu_fault *f)
{
	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		if (strcmp(m, matches[i].name) == 0) {
			f->match = matches[i].bit;
			return 0;
		}
	}
	return -1;
}

static int parse_count(const char *s, unsigned long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n = strtoul(s, &end, 10);
	if (errno || *end || *n == 0)
		return -1;
	return 0;
}

/* One ENTRY, NUL-terminated and writable. */
static int parse_entry(char *e, struct emu_faults *out, char *err, size_t errlen)
{
	struct emu_fault f;
	struct emu_fault *grown;
	char *match, *count;

	if (strncmp(e, "leave=", 6) == 0) {
		static const char *const names[] = {"pipe", "io", "nodev", "timeout"};

		for (unsigned i = 0; i < 4; i++) {
			if (strcmp(e + 6, names[i]) == 0) {
				out->leave_fail = (enum emu_leave_fail)(EMU_LEAVE_FAIL_PIPE + i);
				return 0;
			}
		}
		snprintf(err, errlen, "unknown leave outcome '%s' (pipe, io, nodev, timeout)",
			 e + 6);
		return -1;
	}
	if (strncmp(e, "quirk=", 6) == 0) {
		if (strcmp(e + 6, "h7-stuck-busy") == 0) {
			out->quirk_h7_stuck_busy = true;
			return 0;
		}
		if (strcmp(e + 6, "short-poll") == 0) {
			out->quirk_short_poll = true;
			return 0;
		}
		snprintf(err, errlen,
			 "--fault: unknown quirk '%s' (known: h7-stuck-busy, short-poll)", e + 6);
		return -1;
	}
	memset(&f, 0, sizeof(f));
	match = strchr(e, ':');
	count = match ? strchr(match + 1, ':') : NULL;
	if (!match || !count) {
		snprintf(err, errlen, "--fault: '%s' is not ACTION:MATCH:N", e);
		return -1;
	}
	*match++ = '\0';
	*count++ = '\0';
	if (parse_action(e, &f)) {
		snprintf(
			err, errlen,
			"--fault: unknown action '%s' (stall, disconnect, timeout, status=errNAME, "
			"state=N)",
			e);
		return -1;
	}
	if (parse_match(match, &f)) {
		snprintf(err, errlen, "--fault: unknown request class '%s'", match);
		return -1;
	}
	if (parse_count(count, &f.n)) {
		snprintf(err, errlen, "--fault: count '%s' is not a positive number", count);
		return -1;
	}
	grown = realloc(out->f, (out->n + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	out->f = grown;
	out->f[out->n++] = f;
	return 0;
}

int emu_fault_parse(const char *spec, struct emu_faults *out, char *err, size_t errlen)
{
	char *copy, *save = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		rc = parse_entry(e, out, err, errlen);
		if (rc)
			break;
	}
	if (!rc && !out->n && !out->quirk_h7_stuck_busy && !out->quirk_short_poll &&
	    out->leave_fail == EMU_LEAVE_FAIL_DEFAULT) {
		snprintf(err, errlen, "--fault: empty spec");
		rc = -1;
	}
	free(copy);
	if (rc)
		emu_fault_free(out);
	return rc;
}

void emu_fault_free(struct emu_faults *faults)
{
	free(faults->f);
	faults->f = NULL;
	faults->n = 0;
}

struct emu_fault *emu_fault_check(struct emu_faults *faults, unsigned match)
{
	struct emu_fault *fire = NULL;

	for (unsigned i = 0; i < faults->n; i++) {
		struct emu_fault *f = &faults->f[i];

		if (f->fired || !(f->match & match))
			continue;
		if (++f->seen >= f->n && !fire) {
			f->fired = true;
			fire = f;
		}
	}
	return fire;
}
