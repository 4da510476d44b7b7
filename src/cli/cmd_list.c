/* SPDX-License-Identifier: MIT */
/* stdfu list: every ST DFU device, its port path, serial and memory maps. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"

static void human_device(const struct stdfu_device_info *d)
{
	printf("%s  %04x:%04x  serial %s  %s%s\n", d->path, d->vid, d->pid,
	       d->serial[0] ? d->serial : "?", d->product,
	       d->access_denied ? "  (permission denied: see stdfu(1), UDEV)" : "");
	for (size_t a = 0; a < d->n_alts; a++)
		printf("    alt %u: %s\n", d->alts[a].number, d->alts[a].string);
}

/* The application ports (what stdfu triggers); returns how many. */
static int list_app_ports(struct cli *c)
{
	struct stdfu_app_port *ports = NULL;
	int n = stdfu_app_ports_list(c->ctx, c->trig.app_ids, c->trig.n_app_ids, &ports);

	for (int i = 0; i < n; i++)
		out_app_port(c, &ports[i]);
	if (n < 0)
		out_warn(c, "ports-not-listed", "serial ports not listed: %s",
			 stdfu_error_detail());
	free(ports);
	return n > 0 ? n : 0;
}

int cmd_list(struct cli *c)
{
	struct stdfu_device_list *list = NULL;
	int rc = cli_ensure_ctx(c), n_apps;

	if (!rc)
		rc = stdfu_device_scan(c->ctx, &list);
	if (rc)
		return out_fail(c, rc);
	for (size_t i = 0; i < list->count; i++) {
		if (c->mode == OUT_JSON)
			jw_emit(out_device_json("device", &list->items[i]));
		else if (c->mode == OUT_HUMAN)
			human_device(&list->items[i]);
	}
	/* Boards still running their application: what stdfu triggers. */
	n_apps = list_app_ports(c);
	if (n_apps == 0 && list->count == 0)
		out_msg(c, "no ST DFU device (0483:df11) and no application port (0483:5740 or "
			   "--app-id) found");
	jw_int(out_extra(c), "devices", (long long)list->count);
	jw_int(out_extra(c), "app_ports", n_apps);
	stdfu_device_list_free(list);
	return out_result(c, STDFU_OK, NULL);
}
