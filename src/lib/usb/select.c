/* SPDX-License-Identifier: MIT */
/*
 * Choosing a device, pure: the syntax of a USB port path and of a VID:PID, the
 * one matcher of a selector, and the pick of one device in a list.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/device.h>

#include "common/bufcat.h"
#include "common/error_internal.h"
#include "common/hexdigit.h"

bool stdfu_usb_path_valid(const char *path)
{
	unsigned ports = 0;
	const char *p = path;
	char sep = '-';

	if (!p || !*p)
		return false;
	for (;;) {
		unsigned long v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned long)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255 || (*p >= '0' && *p <= '9'))
			return false;
		if (sep != '-' && v == 0)
			return false;
		if (*p == '\0')
			return ports >= 1;
		if (*p != sep || ++ports > 7)
			return false;
		p++;
		sep = '.';
	}
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
		return stdfu__fail(STDFU_ERR_ARG,
				   "bad USB id '%s': expected VID:PID in hex, e.g. 0483:5740",
				   s ? s : "");
	return STDFU_OK;
}

bool stdfu_device_matches(const struct stdfu_device_info *info, const struct stdfu_selector *sel)
{
	if (!sel)
		return true;
	if (sel->serial && strcmp(sel->serial, info->serial) &&
	    !(sel->other_serial && !strcmp(sel->other_serial, info->serial)))
		return false;
	if (sel->usb_path && strcmp(sel->usb_path, info->path))
		return false;
	return true;
}

static int ambiguous(const struct stdfu_device_list *list, const struct stdfu_selector *sel,
		     size_t matches)
{
	char who[768] = "";

	for (size_t i = 0; i < list->count; i++) {
		const struct stdfu_device_info *d = &list->items[i];

		if (stdfu_device_matches(d, sel))
			stdfu__bufcat(who, sizeof(who), "\n  --usb-path %-12s --serial %s", d->path,
				      d->serial[0] ? d->serial : "(unknown)");
	}
	return stdfu__fail(STDFU_ERR_AMBIGUOUS,
			   "%zu ST DFU devices match; choose one with --usb-path or --serial:%s",
			   matches, who);
}

static int no_match(const struct stdfu_device_list *list, const struct stdfu_selector *sel)
{
	if (sel && (sel->serial || sel->usb_path))
		return stdfu__fail(STDFU_ERR_NO_DEVICE,
				   "no ST DFU device (0483:df11) matches%s%s%s%s (%zu found)",
				   sel->serial ? " serial " : "", sel->serial ? sel->serial : "",
				   sel->usb_path ? " usb-path " : "",
				   sel->usb_path ? sel->usb_path : "", list->count);
	return stdfu__fail(STDFU_ERR_NO_DEVICE,
			   "no ST DFU device (0483:df11) found: is the board in DFU mode (BOOT0 "
			   "high, or triggered by its application)?");
}

int stdfu_device_select(const struct stdfu_device_list *list, const struct stdfu_selector *sel,
			size_t *index)
{
	size_t matches = 0;

	for (size_t i = 0; i < list->count; i++) {
		if (!stdfu_device_matches(&list->items[i], sel))
			continue;
		if (matches++ == 0)
			*index = i;
	}
	if (matches == 1)
		return STDFU_OK;
	if (matches > 1)
		return ambiguous(list, sel, matches);
	return no_match(list, sel);
}
