/* SPDX-License-Identifier: MIT */
/*
 * DFU 1.1: names, and parsing of what the device sends (a GETSTATUS reply,
 * the functional descriptor). Nothing here talks to USB.
 */
#include <string.h>

#include <stdfu/dfu.h>

#include "common/error_internal.h"
#include "common/le.h"

static const char *const state_names[] = {
	"appIDLE",	    "appDETACH",   "dfuIDLE",
	"dfuDNLOAD-SYNC",   "dfuDNBUSY",   "dfuDNLOAD-IDLE",
	"dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET",
	"dfuUPLOAD-IDLE",   "dfuERROR",
};

static const struct {
	const char *name;
	const char *text;
} statuses[] = {
	{"OK", "no error"},
	{"errTARGET", "the address or file is not for this target"},
	{"errFILE", "the file fails a vendor check"},
	{"errWRITE", "the device could not write the memory"},
	{"errERASE", "the memory erase failed"},
	{"errCHECK_ERASED", "the memory erase check failed"},
	{"errPROG", "program memory function failed"},
	{"errVERIFY", "programmed memory failed verification"},
	{"errADDRESS", "address out of range"},
	{"errNOTDONE", "download ended before it was complete"},
	{"errFIRMWARE", "device firmware is corrupt (normal for a blank ROM start)"},
	{"errVENDOR", "vendor-specific error (on ST ROMs: read protection is active)"},
	{"errUSBR", "unexpected USB reset"},
	{"errPOR", "unexpected power-on reset"},
	{"errUNKNOWN", "unknown error"},
	{"errSTALLEDPKT", "the device stalled an unexpected request"},
};

#define N_STATES   (sizeof(state_names) / sizeof(state_names[0]))
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

const char *stdfu_dfu_state_name(int state)
{
	if (state < 0 || (size_t)state >= N_STATES)
		return "unknown";
	return state_names[state];
}

const char *stdfu_dfu_status_name(int status)
{
	if (status < 0 || (size_t)status >= N_STATUSES)
		return "unknown";
	return statuses[status].name;
}

const char *stdfu_dfu_status_text(int status)
{
	if (status < 0 || (size_t)status >= N_STATUSES)
		return "status code not defined by DFU 1.1";
	return statuses[status].text;
}

int stdfu_dfu_status_parse(const uint8_t *buf, size_t len, struct stdfu_dfu_status *out)
{
	uint32_t poll;

	if (!buf || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_dfu_status_parse: NULL argument");
	if (len != 6)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "GETSTATUS reply of %zu bytes (DFU 1.1: 6)",
				   len);
	if (buf[4] >= N_STATES)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "GETSTATUS reply with unknown state %u",
				   buf[4]);
	if (buf[0] >= N_STATUSES)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "GETSTATUS reply with unknown status %u",
				   buf[0]);
	poll = le_get24(buf + 1);
	out->status = buf[0];
	out->state = buf[4];
	out->istring = buf[5];
	out->poll_clamped = poll > STDFU_POLL_TIMEOUT_MAX_MS;
	out->poll_timeout_ms = out->poll_clamped ? STDFU_POLL_TIMEOUT_MAX_MS : poll;
	return STDFU_OK;
}

static int functional_one(const uint8_t *d, struct stdfu_dfu_functional *out)
{
	/* DFU 1.0 ends after wTransferSize (7 bytes); 1.1 adds bcdDFUVersion. */
	out->attributes = d[2];
	out->detach_timeout_ms = le_get16(d + 3);
	out->transfer_size = le_get16(d + 5);
	out->bcd_dfu = d[0] >= 9 ? le_get16(d + 7) : 0x0100;
	if (out->transfer_size < STDFU_TRANSFER_SIZE_MIN ||
	    out->transfer_size > STDFU_TRANSFER_SIZE_MAX)
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "DFU functional descriptor: wTransferSize %u is unusable "
				   "(accepted: %u..%u)",
				   out->transfer_size, STDFU_TRANSFER_SIZE_MIN,
				   STDFU_TRANSFER_SIZE_MAX);
	return STDFU_OK;
}

int stdfu_dfu_functional_parse(const uint8_t *extra, size_t len, struct stdfu_dfu_functional *out)
{
	size_t pos = 0;

	if (!out || (!extra && len))
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_dfu_functional_parse: NULL argument");
	memset(out, 0, sizeof(*out));
	while (pos + 2 <= len) {
		uint8_t blen = extra[pos], type = extra[pos + 1];

		if (blen < 2 || pos + blen > len)
			return stdfu__fail(STDFU_ERR_PROTOCOL,
					   "malformed class descriptor (bLength %u at offset %zu)",
					   blen, pos);
		if (type == 0x21) {
			if (blen < 7)
				return stdfu__fail(STDFU_ERR_PROTOCOL,
						   "DFU functional descriptor of %u bytes (>= 7)",
						   blen);
			return functional_one(extra + pos, out);
		}
		pos += blen;
	}
	return stdfu__fail(STDFU_ERR_PROTOCOL, "no DFU functional descriptor");
}
