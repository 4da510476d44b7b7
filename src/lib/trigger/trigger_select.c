/* SPDX-License-Identifier: MIT */
/*
 * Pure parts of target selection: parsing --method and --app-id, and choosing
 * one board among the application ports and the boards already in DFU.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdfu/trigger.h>

#include "common/error_internal.h"
#include "common/hexdigit.h"

static const char *const method_names[] = {
	[STDFU_METHOD_BYTE] = "byte",
	[STDFU_METHOD_TOUCH1200] = "touch1200",
	[STDFU_METHOD_DETACH] = "detach",
	[STDFU_METHOD_NONE] = "none",
	[STDFU_METHOD_MICROPYTHON] = "micropython",
	[STDFU_METHOD_BETAFLIGHT] = "betaflight",
	[STDFU_METHOD_TEXT] = "text",
};

int stdfu_trigger_method_parse(const char *s, enum stdfu_trigger_method *out)
{
	if (s && strncmp(s, "text:", 5) == 0) {
		*out = STDFU_METHOD_TEXT;
		return STDFU_OK;
	}
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		if (s && strcmp(s, method_names[i]) == 0) {
			*out = (enum stdfu_trigger_method)i;
			return STDFU_OK;
		}
	}
	return stdfu_fail(STDFU_ERR_ARG,
			  "unknown trigger method '%s': use byte, touch1200, detach, none, "
			  "micropython, betaflight or text:STRING",
			  s ? s : "");
}

const char *stdfu_trigger_method_name(enum stdfu_trigger_method m)
{
	if ((unsigned)m >= sizeof(method_names) / sizeof(method_names[0]))
		return "?";
	return method_names[m];
}

static int parse_hex16(const char *s, size_t len, uint16_t *out)
{
	unsigned v = 0;

	if (len == 0 || len > 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = (uint16_t)v;
	return 0;
}

int stdfu_usb_id_parse(const char *s, struct stdfu_usb_id *out)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || parse_hex16(s, (size_t)(colon - s), &out->vid) ||
	    parse_hex16(colon + 1, strlen(colon + 1), &out->pid))
		return stdfu_fail(STDFU_ERR_ARG,
				  "bad USB id '%s': expected VID:PID in hex, e.g. 0483:5740",
				  s ? s : "");
	return STDFU_OK;
}

bool stdfu_app_id_match(const struct stdfu_usb_id *ids, size_t n_ids, uint16_t vid, uint16_t pid)
{
	if (n_ids == 0)
		return vid == STDFU_TRIGGER_ST_VID && pid == STDFU_TRIGGER_APP_PID;
	for (size_t i = 0; i < n_ids; i++)
		if (ids[i].vid == vid && ids[i].pid == pid)
			return true;
	return false;
}

static bool sel_match(const struct stdfu_target_select *sel, const char *serial, const char *path)
{
	if (sel->serial && strcmp(sel->serial, serial) != 0)
		return false;
	if (sel->usb_path && strcmp(sel->usb_path, path) != 0)
		return false;
	return true;
}

/* Append to a bounded buffer; silently truncates (the detail is for humans). */
__attribute__((format(printf, 3, 4))) static void cat(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

static const char *or_q(const char *s)
{
	return s[0] ? s : "?";
}

static int ambiguous(const struct stdfu_app_port *apps, size_t n_apps,
		     const struct stdfu_target_select *sel, const struct stdfu_bus_dev *dfus,
		     size_t n_dfus, bool dfu)
{
	char list[768] = "";

	if (!dfu) {
		for (size_t i = 0; i < n_apps; i++)
			if (sel_match(sel, apps[i].serial, apps[i].path))
				cat(list, sizeof(list), "\n  %s  usb-path %s  serial %s",
				    apps[i].name, or_q(apps[i].path), or_q(apps[i].serial));
	} else {
		for (size_t i = 0; i < n_dfus; i++)
			if (sel_match(sel, dfus[i].serial, dfus[i].path))
				cat(list, sizeof(list), "\n  DFU %04x:%04x  usb-path %s  serial %s",
				    dfus[i].vid, dfus[i].pid, or_q(dfus[i].path),
				    or_q(dfus[i].serial));
	}
	return stdfu_fail(
		STDFU_ERR_AMBIGUOUS, "several %s match; pick one with --usb-path or --serial%s:%s",
		dfu ? "boards in DFU mode" : "application ports", dfu ? "" : " (or --port)", list);
}

static int select_port(const struct stdfu_app_port *apps, size_t n_apps,
		       const struct stdfu_target_select *sel, struct stdfu_target *out)
{
	for (size_t i = 0; i < n_apps; i++) {
		if (strcmp(apps[i].name, sel->port) == 0) {
			out->kind = STDFU_TARGET_APP;
			out->index = i;
			return STDFU_OK;
		}
	}
	return stdfu_fail(STDFU_ERR_NO_DEVICE,
			  "serial port %s not found: check the name (stdfu list shows "
			  "application ports)",
			  sel->port);
}

int stdfu_target_select(const struct stdfu_app_port *apps, size_t n_apps,
			const struct stdfu_bus_dev *dfus, size_t n_dfus,
			const struct stdfu_target_select *sel, struct stdfu_target *out)
{
	size_t hits = 0, pick = 0;

	if (sel->port)
		return select_port(apps, n_apps, sel, out);
	for (size_t i = 0; i < n_apps; i++) {
		if (sel_match(sel, apps[i].serial, apps[i].path)) {
			hits++;
			pick = i;
		}
	}
	if (hits > 1)
		return ambiguous(apps, n_apps, sel, dfus, n_dfus, false);
	if (hits == 1) {
		out->kind = STDFU_TARGET_APP;
		out->index = pick;
		return STDFU_OK;
	}
	for (size_t i = 0; i < n_dfus; i++) {
		if (sel_match(sel, dfus[i].serial, dfus[i].path)) {
			hits++;
			pick = i;
		}
	}
	if (hits > 1)
		return ambiguous(apps, n_apps, sel, dfus, n_dfus, true);
	if (hits == 1) {
		out->kind = STDFU_TARGET_DFU;
		out->index = pick;
		return STDFU_OK;
	}
	return stdfu_fail(STDFU_ERR_NO_DEVICE,
			  "no application port (USB id %s) and no board in DFU mode%s%s%s%s: "
			  "plug the board in, give its id with --app-id VID:PID, or name the "
			  "port with --port",
			  sel->n_app_ids ? "given by --app-id" : "0483:5740",
			  sel->serial ? " with serial " : "", sel->serial ? sel->serial : "",
			  sel->usb_path ? " at usb-path " : "", sel->usb_path ? sel->usb_path : "");
}
