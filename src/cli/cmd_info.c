/* SPDX-License-Identifier: MIT */
/* stdfu info: decode one device's alts, sectors, permissions and DFU state. */
#include <stdio.h>

#include "cli.h"
#include "image_info.h"
#include "json.h"

static void size_str(char *buf, size_t cap, uint32_t size)
{
	if (size % (1024 * 1024) == 0)
		snprintf(buf, cap, "%u MiB", size / (1024 * 1024));
	else if (size % 1024 == 0)
		snprintf(buf, cap, "%u KiB", size / 1024);
	else
		snprintf(buf, cap, "%u B", size);
}

static void human_alt(const struct stdfu_alt *alt)
{
	printf("alt %u: %s\n", alt->number, alt->string);
	if (!alt->layout_ok) {
		printf("    (not a DfuSe memory layout)\n");
		return;
	}
	printf("    name \"%s\", %u region(s), %llu bytes\n", alt->layout.name,
	       alt->layout.n_regions, (unsigned long long)stdfu_layout_bytes(&alt->layout));
	for (size_t g = 0; g < alt->layout.n_groups; g++) {
		const struct stdfu_sector_group *sg = &alt->layout.groups[g];
		uint64_t end = (uint64_t)sg->start + (uint64_t)sg->count * sg->size - 1;
		char f[4], sz[32];

		stdfu_layout_flags_str(sg->flags, f);
		size_str(sz, sizeof(sz), sg->size);
		printf("    0x%08x-0x%08llx  %5u x %-8s %s\n", sg->start, (unsigned long long)end,
		       sg->count, sz, f);
	}
}

int cmd_info(struct cli *c)
{
	struct stdfu_device *dev = NULL;
	struct stdfu_dfu_status st = {0};
	const struct stdfu_device_info *d;
	int rc;

	if (c->nargs == 1) /* stdfu info FILE: an image, no device */
		return cli_image_info(c);
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	if (!rc)
		rc = stdfu_dfu_get_status(dev, &st);
	if (rc) {
		cli_release(c, dev);
		return out_fail(c, rc);
	}
	d = stdfu_device_get_info(dev);
	if (c->mode == OUT_JSON) {
		json_t *o = out_device_json("info", d);

		jw_str(o, "state", stdfu_dfu_state_name(st.state));
		jw_str(o, "status", stdfu_dfu_status_name(st.status));
		jw_emit(o);
	} else if (c->mode == OUT_HUMAN) {
		printf("device %s  %04x:%04x  serial %s  %s\n", d->path, d->vid, d->pid, d->serial,
		       d->product);
		printf("transfer size %u, DFU version %x.%02x, attributes 0x%02x\n",
		       d->functional.transfer_size, d->functional.bcd_dfu >> 8,
		       d->functional.bcd_dfu & 0xff, d->functional.attributes);
		printf("state %s, status %s (%s)\n", stdfu_dfu_state_name(st.state),
		       stdfu_dfu_status_name(st.status), stdfu_dfu_status_text(st.status));
		for (size_t a = 0; a < d->n_alts; a++)
			human_alt(&d->alts[a]);
	}
	cli_release(c, dev);
	return out_result(c, STDFU_OK, NULL);
}
