/* SPDX-License-Identifier: MIT */
/*
 * Which board to take, pure: a running application first, else a board
 * already in DFU mode. The matcher is the one of stdfu/device.h.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/target.h>

#include "common/bufcat.h"
#include "common/error_internal.h"

static const char *or_q(const char *s)
{
	return s[0] ? s : "?";
}

static int ambiguous(const struct stdfu_app_port *apps, size_t n_apps,
		     const struct stdfu_selector *sel)
{
	char list[768] = "";

	for (size_t i = 0; i < n_apps; i++)
		if (stdfu_device_matches(&apps[i].dev, sel))
			stdfu__bufcat(list, sizeof(list), "\n  %s  usb-path %s  serial %s",
				      apps[i].name, or_q(apps[i].dev.path),
				      or_q(apps[i].dev.serial));
	return stdfu__fail(STDFU_ERR_AMBIGUOUS,
			   "several application ports match; pick one with --usb-path or --serial "
			   "(or --port):%s",
			   list);
}

static int select_port(const struct stdfu_app_port *apps, size_t n_apps,
		       const struct stdfu_selector *sel, struct stdfu_target *out)
{
	for (size_t i = 0; i < n_apps; i++) {
		if (strcmp(apps[i].name, sel->port) == 0) {
			out->kind = STDFU_TARGET_APP;
			out->index = i;
			return STDFU_OK;
		}
	}
	return stdfu__fail(STDFU_ERR_NO_DEVICE,
			   "serial port %s not found: check the name (stdfu list shows "
			   "application ports)",
			   sel->port);
}

static int nothing(const struct stdfu_selector *sel)
{
	return stdfu__fail(STDFU_ERR_NO_DEVICE,
			   "no application port (USB id %s)%s%s%s%s: plug the board in, give its "
			   "id with --app-id VID:PID, or name the port with --port",
			   sel->n_app_ids ? "given by --app-id" : "0483:5740",
			   sel->serial ? " with serial " : "", sel->serial ? sel->serial : "",
			   sel->usb_path ? " at usb-path " : "",
			   sel->usb_path ? sel->usb_path : "");
}

int stdfu_target_choose(const struct stdfu_app_port *apps, size_t n_apps,
			const struct stdfu_device_list *dfus, const struct stdfu_selector *sel,
			struct stdfu_target *out)
{
	size_t hits = 0, pick = 0;

	if (sel->port)
		return select_port(apps, n_apps, sel, out);
	for (size_t i = 0; i < n_apps; i++) {
		if (stdfu_device_matches(&apps[i].dev, sel)) {
			hits++;
			pick = i;
		}
	}
	if (hits > 1)
		return ambiguous(apps, n_apps, sel);
	out->kind = STDFU_TARGET_APP;
	out->index = pick;
	if (hits == 1)
		return STDFU_OK;
	if (!dfus)
		return nothing(sel);
	out->kind = STDFU_TARGET_DFU;
	return stdfu_device_select(dfus, sel, &out->index);
}
