/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "common/error_internal.h"

static _Thread_local char last_detail[1024];

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
}

int stdfu__fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_detail, sizeof(last_detail), fmt, ap);
	va_end(ap);
	return err;
}
