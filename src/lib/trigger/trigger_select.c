/* SPDX-License-Identifier: MIT */
/* The trigger methods by name, and which USB ids are applications. */
#include <string.h>

#include <stdfu/trigger.h>

#include "common/error_internal.h"

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
	return stdfu__fail(STDFU_ERR_ARG,
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

bool stdfu_app_id_match(const struct stdfu_usb_id *ids, size_t n_ids, uint16_t vid, uint16_t pid)
{
	if (n_ids == 0)
		return vid == STDFU_ST_VID && pid == STDFU_TRIGGER_APP_PID;
	for (size_t i = 0; i < n_ids; i++)
		if (ids[i].vid == vid && ids[i].pid == pid)
			return true;
	return false;
}
