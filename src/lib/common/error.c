/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "common/error_internal.h"

static _Thread_local char last_detail[1024];
static _Thread_local struct stdfu_cause last_cause = {STDFU_CAUSE_NONE, -1, -1, -1, -1, ""};

static void cause_reset(void)
{
	last_cause = (struct stdfu_cause){STDFU_CAUSE_NONE, -1, -1, -1, -1, ""};
}

struct err_desc {
	int code;
	const char *name;
	const char *text;
};

static const struct err_desc descs[] = {
	{STDFU_OK, "ok", "success"},
	{STDFU_ERR_ARG, "usage", "invalid argument"},
	{STDFU_ERR_NOMEM, "no-memory", "out of memory"},
	{STDFU_ERR_IO, "io", "USB I/O error"},
	{STDFU_ERR_NO_DEVICE, "no-device", "no matching device"},
	{STDFU_ERR_AMBIGUOUS, "ambiguous", "several devices match"},
	{STDFU_ERR_ACCESS, "permission", "permission denied"},
	{STDFU_ERR_BUSY, "busy", "device or port busy"},
	{STDFU_ERR_TIMEOUT, "timeout", "timed out"},
	{STDFU_ERR_IMAGE, "bad-image", "bad firmware image"},
	{STDFU_ERR_FIT, "does-not-fit", "image does not fit the device memory"},
	{STDFU_ERR_DFU_STATUS, "dfu-status", "device reported an error"},
	{STDFU_ERR_VERIFY, "verify", "verify mismatch"},
	{STDFU_ERR_PROTOCOL, "protocol", "device protocol error"},
	{STDFU_ERR_PROTECTED, "read-protected", "device is read protected"},
	{STDFU_ERR_GONE, "disconnected", "device disconnected"},
	{STDFU_ERR_FILE, "file", "file error"},
	{STDFU_ERR_UNSUPPORTED, "unsupported", "not supported"},
	{STDFU_ERR_MISMATCH, "wrong-device", "image is for another device"},
	{STDFU_ERR_TRIGGER, "trigger", "device did not react to the trigger"},
	{STDFU_ERR_REFUSED, "refused", "device came back in the wrong mode or place"},
	{STDFU_ERR_ELSEWHERE, "dfu-elsewhere", "DFU device appeared on another USB port"},
	{STDFU_ERR_ADDRESS, "bad-address", "address outside the device memory"},
	{STDFU_ERR_CANCELLED, "interrupted", "interrupted"},
	{STDFU_ERR_RESTARTED, "restarted", "the board restarted"},
};

static const struct err_desc *find(int err)
{
	for (size_t i = 0; i < sizeof(descs) / sizeof(descs[0]); i++)
		if (descs[i].code == err)
			return &descs[i];
	return NULL;
}

const char *stdfu_strerror(int err)
{
	const struct err_desc *d = find(err);
	return d ? d->text : "unknown error";
}

const char *stdfu_error_name(int err)
{
	const struct err_desc *d = find(err);
	return d ? d->name : "unknown";
}

const char *stdfu_error_detail(void)
{
	return last_detail;
}

void stdfu_error_clear(void)
{
	last_detail[0] = '\0';
	cause_reset();
}

const char *stdfu_cause_name(enum stdfu_cause_kind kind)
{
	static const char *const names[] = {"none",	      "usb-init",	   "port-held",
					    "port-exclusive", "interface-claimed", "no-board",
					    "no-match",	      "app-not-triggered", "device-status",
					    "not-dfu-mode",   "no-reaction",	   "back-in-app",
					    "port-denied",    "leave-hung"};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "none";
}

const struct stdfu_cause *stdfu_error_cause(void)
{
	return &last_cause;
}

void stdfu__cause(enum stdfu_cause_kind kind, const char *found)
{
	last_cause.kind = kind;
	snprintf(last_cause.found, sizeof(last_cause.found), "%s", found ? found : "");
}

void stdfu__cause_device(int request, int state, int status)
{
	last_cause.kind = STDFU_CAUSE_DEVICE_STATUS;
	last_cause.request = request;
	last_cause.state = state;
	last_cause.status = status;
}

void stdfu__cause_phase(int phase)
{
	if (last_cause.phase < 0)
		last_cause.phase = phase;
}

int stdfu__fail(int err, const char *fmt, ...)
{
	va_list ap;

	cause_reset();
	va_start(ap, fmt);
	vsnprintf(last_detail, sizeof(last_detail), fmt, ap);
	va_end(ap);
	return err;
}
