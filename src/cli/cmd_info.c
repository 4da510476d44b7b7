/* SPDX-License-Identifier: MIT */
/*
 * stdfu info: which chip (family, part, flash size, ROM version, unique ID,
 * read protection, boot settings), then its alts, sectors, permissions and
 * DFU state.
 */
#include <stdio.h>

#include "cli.h"
#include "cmd_option_bytes.h"
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

static void uid_str(const struct stdfu_chip_info *ci, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; ci->uid_ok && i < sizeof(ci->uid) && n + 3 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%02x", ci->uid[i]);
}

static void json_reason(json_t *o, const char *key, const char *why)
{
	jw_str(o, key, why ? why : "");
}

/* The flash-size register and the unique ID: numbers, or null and the reason. */
static void json_chip_regs(json_t *o, const struct stdfu_chip_info *ci)
{
	const struct stdfu_chip_id *id = &ci->id;
	char uid[32];

	uid_str(ci, uid, sizeof(uid));
	jw_addr(o, "flash_size_register", id->flash_size_reg);
	jw_set(o, "flash_size_register_kib",
	       ci->flash_reg_ok ? json_integer(ci->flash_reg_kib) : json_null());
	json_reason(o, "flash_size_register_reason", ci->flash_reg_ok ? "" : ci->flash_reg_reason);
	jw_set(o, "uid", ci->uid_ok ? json_string(uid) : json_null());
	jw_addr(o, "uid_address", id->uid_address);
	json_reason(o, "uid_reason", ci->uid_ok ? "" : ci->uid_reason);
	jw_set(o, "idcode", json_null());
	jw_addr(o, "idcode_address", id->idcode_address);
	json_reason(o, "idcode_reason", id->idcode_reason);
}

static void json_chip(json_t *o, const struct stdfu_chip_info *ci)
{
	const struct stdfu_chip_id *id = &ci->id;
	char bcd[8];

	snprintf(bcd, sizeof(bcd), "%x.%02x", id->bcd_device >> 8, id->bcd_device & 0xff);
	jw_str(o, "family", stdfu_family_name(id->family));
	jw_str(o, "part", id->part);
	json_reason(o, "identified_by", id->basis);
	jw_str(o, "bcd_device", bcd);
	jw_int(o, "flash_size", (long long)id->flash_size);
	json_chip_regs(o, ci);
	jw_int(o, "rdp", ci->rdp_level);
	json_reason(o, "rdp_source", ci->rdp_source);
	jw_bool(o, "option_bytes_read", ci->ob_ok);
	json_reason(o, "option_bytes_reason", ci->ob_ok ? "" : ci->ob_reason);
	jw_set(o, "boot_fields",
	       ci->ob_ok ? cli_ob_fields_json(id->ob, ci->ob, ci->ob_len, STDFU_OB_BOOT)
			 : json_array());
	json_reason(o, "boot", ci->ob_ok ? id->ob->boot_summary(ci->ob, ci->ob_len) : "");
}

static void human_chip(const struct stdfu_chip_info *ci)
{
	const struct stdfu_chip_id *id = &ci->id;
	char uid[32], sz[32];

	uid_str(ci, uid, sizeof(uid));
	size_str(sz, sizeof(sz), id->flash_size);
	printf("chip %s, family %s (from %s)\n", id->part, stdfu_family_name(id->family),
	       id->basis);
	printf("ROM version (bcdDevice) %x.%02x, flash %s (from the layout)\n", id->bcd_device >> 8,
	       id->bcd_device & 0xff, sz);
	if (ci->flash_reg_ok)
		printf("flash-size register: %u KiB\n", (unsigned)ci->flash_reg_kib);
	else
		printf("flash-size register (0x%08x): %s\n", (unsigned)id->flash_size_reg,
		       ci->flash_reg_reason);
	printf("unique ID %s\n", ci->uid_ok ? uid : ci->uid_reason);
	printf("read protection: %s (%s)\n",
	       ci->rdp_level < 0    ? "unknown"
	       : ci->rdp_level == 0 ? "RDP level 0 (none)"
				    : "RDP level 1 (flash reads refused)",
	       ci->rdp_source);
	if (!ci->ob_ok) {
		printf("option bytes: %s\n", ci->ob_reason);
		return;
	}
	printf("boot: %s\n", id->ob->boot_summary(ci->ob, ci->ob_len));
	cli_ob_fields_human(id->ob, ci->ob, ci->ob_len, STDFU_OB_BOOT);
}

static void json_info(const struct stdfu_device_info *d, const struct stdfu_dfu_status *st,
		      const struct stdfu_chip_info *ci)
{
	json_t *o = out_device_json("info", d);

	jw_str(o, "state", stdfu_dfu_state_name(st->state));
	jw_str(o, "status", stdfu_dfu_status_name(st->status));
	json_chip(o, ci);
	jw_emit(o);
}

static void human_info(const struct stdfu_device_info *d, const struct stdfu_dfu_status *st,
		       const struct stdfu_chip_info *ci)
{
	printf("device %s  %04x:%04x  serial %s  %s\n", d->path, d->vid, d->pid, d->serial,
	       d->product);
	human_chip(ci);
	printf("transfer size %u, DFU version %x.%02x, attributes 0x%02x\n",
	       d->functional.transfer_size, d->functional.bcd_dfu >> 8,
	       d->functional.bcd_dfu & 0xff, d->functional.attributes);
	printf("state %s, status %s (%s)\n", stdfu_dfu_state_name(st->state),
	       stdfu_dfu_status_name(st->status), stdfu_dfu_status_text(st->status));
	for (size_t a = 0; a < d->n_alts; a++)
		human_alt(&d->alts[a]);
}

int cmd_info(struct cli *c)
{
	struct stdfu_device *dev = NULL;
	struct stdfu_dfu_status st = {0};
	struct stdfu_chip_info ci;
	int rc;

	if (c->nargs == 1) /* stdfu info FILE: an image, no device */
		return cli_image_info(c);
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	/* The state first: reading the chip's memories changes it. */
	if (!rc)
		rc = stdfu_dfu_get_status(dev, &st);
	if (!rc)
		rc = stdfu_chip_probe(dev, &ci);
	if (rc) {
		cli_release(c, dev);
		return out_fail(c, rc);
	}
	if (c->mode == OUT_JSON)
		json_info(stdfu_device_get_info(dev), &st, &ci);
	else if (c->mode == OUT_HUMAN)
		human_info(stdfu_device_get_info(dev), &st, &ci);
	cli_release(c, dev);
	return out_result(c, STDFU_OK, NULL);
}
