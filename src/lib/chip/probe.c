/* SPDX-License-Identifier: MIT */
/*
 * What an open ROM tells about its chip: the option bytes through their alt
 * (AN3156 §4), the RDP level they hold, and the unique ID where an alt maps
 * it. Under RDP level 1 the ROM refuses every UPLOAD with errVENDOR
 * "whatever the target (internal Flash, ... or Option Bytes)" (AN2662
 * §4.4.1, the DFU ROM protocol AN3156 describes): that refusal is the
 * answer, level 1. Level 2 disables the ROM bootloader entirely (AN2606),
 * so a ROM that answers is at level 0 or 1.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/chip.h>
#include <stdfu/flash.h>

#include "common/error_internal.h"
#include "flash/read_unmapped.h"
#include "usb/device_internal.h"

/* The image is the alt's regions one after the other (G4 has two). */
static int read_ob(struct stdfu_device *dev, const struct stdfu_chip_id *id, uint8_t *buf,
		   size_t *len)
{
	const struct stdfu_alt *alt = stdfu__alt_by_number(stdfu_device_get_info(dev), id->ob_alt);
	struct stdfu_result res;
	size_t n = 0;

	if (!alt || id->ob->via_flash_alt) {
		int rc = stdfu__read_unmapped(dev, (uint8_t)id->ob_alt, id->ob->address,
					      id->ob->size, buf, &res);

		*len = rc ? 0 : id->ob->size;
		return rc;
	}
	for (size_t g = 0; g < alt->layout.n_groups; g++) {
		const struct stdfu_sector_group *sg = &alt->layout.groups[g];
		uint64_t bytes = (uint64_t)sg->count * sg->size;
		int rc;

		if (n + bytes > STDFU_OB_MAX)
			return stdfu__fail(STDFU_ERR_UNSUPPORTED,
					   "the option-byte alt maps more than %u bytes",
					   STDFU_OB_MAX);
		rc = stdfu_read(dev, alt->number, sg->start, (uint32_t)bytes, buf + n, NULL, &res);
		if (rc)
			return rc;
		n += bytes;
	}
	*len = n;
	return STDFU_OK;
}

/* A refusal of the ROM is an answer; a broken transport is an error. */
static bool answered(int rc)
{
	return rc == STDFU_OK || rc == STDFU_ERR_PROTECTED || rc == STDFU_ERR_DFU_STATUS ||
	       rc == STDFU_ERR_FIT || rc == STDFU_ERR_ADDRESS || rc == STDFU_ERR_UNSUPPORTED;
}

static int probe_ob(struct stdfu_device *dev, struct stdfu_chip_info *out)
{
	const struct stdfu_chip_id *id = &out->id;
	int rc;

	if (!id->ob || id->ob_alt < 0) {
		out->ob_reason = id->ob ? "the ROM advertises no option-byte alt"
					: "stdfu has no option-byte table for this family";
		return STDFU_OK;
	}
	rc = read_ob(dev, id, out->ob, &out->ob_len);
	if (!rc) {
		out->ob_ok = true;
		out->rdp_level = stdfu_ob_rdp_level(id->ob, out->ob, out->ob_len);
		out->rdp_source = "the RDP option byte";
		return STDFU_OK;
	}
	if (!answered(rc))
		return rc;
	if (rc == STDFU_ERR_PROTECTED) {
		out->rdp_level = 1;
		out->rdp_source = "the ROM refuses reads with errVENDOR (read protection)";
		out->ob_reason = "read protection (RDP level 1): the ROM refuses every read";
	} else if (rc == STDFU_ERR_UNSUPPORTED) {
		out->ob_reason = "the option-byte alt maps more memory than option bytes hold";
	} else {
		out->ob_reason = "the ROM refused the read of the option bytes";
	}
	stdfu_error_clear();
	return STDFU_OK;
}

/* No option bytes: a 4-byte read of the flash says whether reads are refused. */
static int probe_rdp(struct stdfu_device *dev, struct stdfu_chip_info *out)
{
	const struct stdfu_alt *fl = stdfu_device_flash_alt(stdfu_device_get_info(dev));
	struct stdfu_result res;
	uint8_t word[4];
	int rc;

	if (out->rdp_level >= 0 || !fl)
		return STDFU_OK;
	rc = stdfu_read(dev, fl->number, stdfu_layout_start(&fl->layout), 4, word, NULL, &res);
	if (!answered(rc))
		return rc;
	if (rc == STDFU_OK || rc == STDFU_ERR_PROTECTED) {
		out->rdp_level = rc ? 1 : 0;
		out->rdp_source = rc ? "a flash read is refused with errVENDOR (read protection)"
				     : "a flash read is allowed";
	}
	stdfu_error_clear();
	return STDFU_OK;
}

/*
 * Read @len bytes at @at if an alt maps the address; *ok says whether it was
 * read, *why why not. The ROM refuses reads outside its alts' memory
 * (community.st.com "Can you read the Device Electronic Signature via DFU
 * mode?", F405: an UPLOAD at 0x1FFF7A10 returns nothing).
 */
static int read_mapped(struct stdfu_device *dev, uint32_t at, uint8_t *buf, uint32_t len, bool *ok,
		       const char **why)
{
	const struct stdfu_device_info *d = stdfu_device_get_info(dev);
	struct stdfu_result res;

	*ok = false;
	*why = "no alt of the ROM maps this address; the ROM refuses reads outside them";
	if (!at) {
		*why = "the address is not known for this family";
		return STDFU_OK;
	}
	for (size_t a = 0; a < d->n_alts; a++) {
		struct stdfu_sector s;
		int rc;

		if (!d->alts[a].layout_ok ||
		    stdfu_layout_sector_at(&d->alts[a].layout, at, &s) != STDFU_OK)
			continue;
		rc = stdfu_read(dev, d->alts[a].number, at, len, buf, NULL, &res);
		if (!answered(rc))
			return rc;
		*ok = rc == STDFU_OK;
		*why = rc ? "the ROM refused the read" : "";
		stdfu_error_clear();
		return STDFU_OK;
	}
	return STDFU_OK;
}

/*
 * The G0 ROM reads its UID by address through the flash alt, outside every
 * alt's map, as it does its option bytes: github.com/ZOUDIO/purple-pedal
 * README, "dfu-util -a 0 -s 0x1FFF7590:12:force -U" (docs/chip-uid.md).
 */
static int read_uid_by_address(struct stdfu_device *dev, struct stdfu_chip_info *out)
{
	const struct stdfu_alt *fl = stdfu_device_flash_alt(stdfu_device_get_info(dev));
	struct stdfu_result res;
	int rc;

	if (out->uid_ok || out->id.family != STDFU_FAMILY_G0 || !fl ||
	    !strstr(out->uid_reason, "no alt"))
		return STDFU_OK;
	rc = stdfu__read_unmapped(dev, fl->number, out->id.uid_address, 12, out->uid, &res);
	if (!answered(rc))
		return rc;
	out->uid_ok = rc == STDFU_OK;
	out->uid_reason = rc ? "the ROM refused the read of the unique-ID address" : "";
	stdfu_error_clear();
	return STDFU_OK;
}

static int probe_signature(struct stdfu_device *dev, struct stdfu_chip_info *out)
{
	uint8_t kib[2];
	int rc =
		read_mapped(dev, out->id.uid_address, out->uid, 12, &out->uid_ok, &out->uid_reason);

	if (!rc)
		rc = read_uid_by_address(dev, out);
	if (!rc && !out->uid_ok && out->id.uid_address && strstr(out->uid_reason, "no alt"))
		out->uid_reason = "no alt of the ROM maps the unique-ID address; the ROM refuses "
				  "reads outside them (the serial number is a lossy 48-bit digest "
				  "of the UID)";
	if (!rc)
		rc = read_mapped(dev, out->id.flash_size_reg, kib, 2, &out->flash_reg_ok,
				 &out->flash_reg_reason);
	if (!rc && out->flash_reg_ok)
		out->flash_reg_kib = (uint32_t)kib[0] | (uint32_t)kib[1] << 8;
	return rc;
}

int stdfu_chip_probe(struct stdfu_device *dev, struct stdfu_chip_info *out)
{
	int rc;

	if (!dev || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_chip_probe: NULL argument");
	memset(out, 0, sizeof(*out));
	stdfu_chip_identify(stdfu_device_get_info(dev), &out->id);
	out->rdp_level = -1;
	out->rdp_source = "unknown";
	rc = probe_ob(dev, out);
	if (!rc)
		rc = probe_rdp(dev, out);
	if (!rc && out->rdp_level != 1) {
		rc = probe_signature(dev, out);
	} else if (!rc) {
		out->uid_reason = "read protection (RDP level 1): the ROM refuses every read";
		out->flash_reg_reason = out->uid_reason;
	}
	return rc;
}
