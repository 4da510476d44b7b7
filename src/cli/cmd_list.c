/* SPDX-License-Identifier: MIT */
/* stdfu list: every ST DFU device, its port path, serial and memory maps. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void json_layout(const struct stdfu_layout *l)
{
	fputs("[", stdout);
	for (size_t g = 0; g < l->n_groups; g++) {
		const struct stdfu_sector_group *sg = &l->groups[g];
		char f[4];

		stdfu_layout_flags_str(sg->flags, f);
		printf("%s{\"start\":\"0x%08x\",\"count\":%u,\"size\":%u,\"perm\":\"%s\"}",
		       g ? "," : "", sg->start, sg->count, sg->size, f);
	}
	fputs("]", stdout);
}

static void json_device(const struct stdfu_device_info *d)
{
	printf("{\"event\":\"device\",\"usb_path\":\"%s\",\"bus\":%u,\"address\":%u,"
	       "\"vid\":\"%04x\",\"pid\":\"%04x\",\"serial\":",
	       d->path, d->bus, d->address, d->vid, d->pid);
	out_json_string(d->serial);
	fputs(",\"product\":", stdout);
	out_json_string(d->product);
	printf(",\"access_denied\":%s,\"transfer_size\":%u,\"dfu_version\":\"%x.%02x\",\"alts\":[",
	       d->access_denied ? "true" : "false", d->functional.transfer_size,
	       d->functional.bcd_dfu >> 8, d->functional.bcd_dfu & 0xff);
	for (size_t a = 0; a < d->n_alts; a++) {
		const struct stdfu_alt *alt = &d->alts[a];

		printf("%s{\"alt\":%u,\"string\":", a ? "," : "", alt->number);
		out_json_string(alt->string);
		fputs(",\"name\":", stdout);
		out_json_string(alt->layout_ok ? alt->layout.name : "");
		fputs(",\"sectors\":", stdout);
		if (alt->layout_ok)
			json_layout(&alt->layout);
		else
			fputs("null", stdout);
		fputs("}", stdout);
	}
	puts("]}");
}

static void human_device(const struct stdfu_device_info *d)
{
	printf("%s  %04x:%04x  serial %s  %s%s\n", d->path, d->vid, d->pid,
	       d->serial[0] ? d->serial : "?", d->product,
	       d->access_denied ? "  (permission denied: see stdfu(1), UDEV)" : "");
	for (size_t a = 0; a < d->n_alts; a++)
		printf("    alt %u: %s\n", d->alts[a].number, d->alts[a].string);
}

/* The application ports (what `stdfu flash` triggers); returns how many. */
static int list_app_ports(struct cli *c)
{
	struct stdfu_app_port *ports = NULL;
	int n = stdfu_app_ports_list(c->ctx, c->trig.app_ids, c->trig.n_app_ids, &ports);

	for (int i = 0; i < n; i++)
		out_app_port(c, &ports[i]);
	if (n < 0 && c->mode == OUT_HUMAN)
		fprintf(stderr, "stdfu: note: serial ports not listed: %s\n", stdfu_error_detail());
	free(ports);
	return n > 0 ? n : 0;
}

int cmd_list(struct cli *c)
{
	struct stdfu_device_list *list = NULL;
	int rc = stdfu_ctx_new(&c->ctx);

	if (!rc)
		rc = stdfu_device_scan(c->ctx, &list);
	if (rc)
		return out_fail(c, rc);
	for (size_t i = 0; i < list->count; i++) {
		if (c->mode == OUT_JSON)
			json_device(&list->items[i]);
		else if (c->mode == OUT_HUMAN)
			human_device(&list->items[i]);
	}
	/* Boards still running their application: what `stdfu flash` triggers. */
	if (list_app_ports(c) == 0 && list->count == 0 && c->mode == OUT_HUMAN)
		fprintf(stderr,
			"no ST DFU device (0483:df11) and no application port (0483:5740 or "
			"--app-id) found\n");
	stdfu_device_list_free(list);
	return CLI_EXIT_OK;
}
