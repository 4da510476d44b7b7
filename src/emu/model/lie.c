/* SPDX-License-Identifier: MIT */
/*
 * --lie KEY=VALUE (repeatable): what a broken, counterfeit or hostile device
 * may send a host, so that the host's handling of each lie is tested end to
 * end. The guide's rule "a device can lie" made concrete:
 *
 *   layout=STRING        iInterface string of alt 0 (the memory layout)
 *   layout=N:STRING      ...of alt N
 *   alts=N               N alt settings (1..100); extra ones repeat the last
 *                        alt's layout
 *   transfer-size=N      wTransferSize of the functional descriptor (0..65535);
 *                        the ROM still addresses blocks by its real size
 *   poll-timeout=MS      bwPollTimeout of every GETSTATUS (0..16777215)
 *   state-after-dnload=N bState (0..255) of the GETSTATUS that ends a DNLOAD
 *   getstatus-length=N   bytes in a GETSTATUS reply (0..64; the real one is 6)
 *   upload-extra=N       an UPLOAD answers N bytes more than wLength (babble)
 *   upload-short=N       an UPLOAD of data answers N bytes fewer than asked
 *   serial=STRING        iSerialNumber (up to 126 characters)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lie.h"

const char *emu_lie_keys(void)
{
	return "layout=[N:]STRING alts=N transfer-size=N poll-timeout=MS state-after-dnload=N "
	       "getstatus-length=N upload-extra=N upload-short=N serial=STRING";
}

static int number(const char *s, long max, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtol(s, &end, 0);
	return errno || *end || *out > max ? -1 : 0;
}

static int set_layout(struct emu_lies *l, const char *v)
{
	const char *colon = strchr(v, ':');
	long alt = 0;

	/* "N:STRING" names an alt; a layout string itself starts with '@'. */
	if (colon && v[0] != '@') {
		char n[8];

		if ((size_t)(colon - v) >= sizeof(n))
			return -1;
		memcpy(n, v, (size_t)(colon - v));
		n[colon - v] = '\0';
		if (number(n, EMU_LIE_MAX_ALTS - 1, &alt))
			return -1;
		v = colon + 1;
	}
	free(l->layout[alt]);
	l->layout[alt] = strdup(v);
	return l->layout[alt] ? 0 : -1;
}

static int set_serial(struct emu_lies *l, const char *v)
{
	if (strlen(v) > 126)
		return -1;
	free(l->serial);
	l->serial = strdup(v);
	return l->serial ? 0 : -1;
}

/* KEY=NUMBER entries: where each goes and its range. */
static int set_number(struct emu_lies *l, const char *key, const char *v)
{
	long n;

	if (!strcmp(key, "alts") && !number(v, EMU_LIE_MAX_ALTS, &n) && n >= 1)
		l->alts = (int)n;
	else if (!strcmp(key, "transfer-size") && !number(v, 65535, &n))
		l->transfer_size = (int)n;
	else if (!strcmp(key, "poll-timeout") && !number(v, 0xFFFFFF, &n))
		l->poll_timeout = n;
	else if (!strcmp(key, "state-after-dnload") && !number(v, 255, &n))
		l->state_after_dnload = (int)n;
	else if (!strcmp(key, "getstatus-length") && !number(v, 64, &n))
		l->getstatus_length = (int)n;
	else if (!strcmp(key, "upload-extra") && !number(v, 4096, &n) && n >= 1)
		l->upload_extra = (unsigned)n;
	else if (!strcmp(key, "upload-short") && !number(v, 65535, &n) && n >= 1)
		l->upload_short = (unsigned)n;
	else
		return -1;
	return 0;
}

static int parse_one(const char *e, struct emu_lies *l, char *err, size_t errlen)
{
	const char *eq = strchr(e, '=');
	char key[24];
	int rc;

	if (!eq || (size_t)(eq - e) >= sizeof(key)) {
		snprintf(err, errlen, "--lie: '%s' is not KEY=VALUE (keys: %s)", e, emu_lie_keys());
		return -1;
	}
	memcpy(key, e, (size_t)(eq - e));
	key[eq - e] = '\0';
	if (!strcmp(key, "layout"))
		rc = set_layout(l, eq + 1);
	else if (!strcmp(key, "serial"))
		rc = set_serial(l, eq + 1);
	else
		rc = set_number(l, key, eq + 1);
	if (rc)
		snprintf(err, errlen, "--lie: bad or unknown '%s' (keys: %s)", e, emu_lie_keys());
	return rc;
}

int emu_lie_parse(const char *const *entries, size_t n, struct emu_lies *out, char *err,
		  size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->alts = out->transfer_size = out->state_after_dnload = out->getstatus_length = -1;
	out->poll_timeout = -1;
	for (size_t i = 0; i < n; i++) {
		if (parse_one(entries[i], out, err, errlen)) {
			emu_lie_free(out);
			return -1;
		}
		out->any = true;
	}
	return 0;
}

void emu_lie_free(struct emu_lies *lies)
{
	for (unsigned i = 0; i < EMU_LIE_MAX_ALTS; i++)
		free(lies->layout[i]);
	free(lies->serial);
	memset(lies, 0, sizeof(*lies));
	lies->alts = lies->transfer_size = lies->state_after_dnload = lies->getstatus_length = -1;
	lies->poll_timeout = -1;
}

/* ---- hooks ---------------------------------------------------------------- */

unsigned emu_lie_alts(const struct emu_lies *l, unsigned real)
{
	return l->alts >= 0 ? (unsigned)l->alts : real;
}

const char *emu_lie_layout(const struct emu_lies *l, unsigned alt, const char *real)
{
	return alt < EMU_LIE_MAX_ALTS && l->layout[alt] ? l->layout[alt] : real;
}

uint16_t emu_lie_transfer_size(const struct emu_lies *l, uint16_t real)
{
	return l->transfer_size >= 0 ? (uint16_t)l->transfer_size : real;
}

uint32_t emu_lie_poll_timeout(const struct emu_lies *l, uint32_t real)
{
	return l->poll_timeout >= 0 ? (uint32_t)l->poll_timeout : real;
}

uint8_t emu_lie_state_after_dnload(const struct emu_lies *l, uint8_t real)
{
	return l->state_after_dnload >= 0 ? (uint8_t)l->state_after_dnload : real;
}

size_t emu_lie_getstatus_length(const struct emu_lies *l, size_t real)
{
	return l->getstatus_length >= 0 ? (size_t)l->getstatus_length : real;
}

size_t emu_lie_upload_length(const struct emu_lies *l, size_t asked, size_t real)
{
	if (l->upload_extra)
		return asked + l->upload_extra;
	if (l->upload_short)
		return real > l->upload_short ? real - l->upload_short : 0;
	return real;
}

const char *emu_lie_serial(const struct emu_lies *l, const char *real)
{
	return l->serial ? l->serial : real;
}
