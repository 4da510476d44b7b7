/* SPDX-License-Identifier: MIT */
/*
 * Writing option bytes: a DNLOAD to the option-byte alt, after which the
 * ROM reprograms them and resets the chip (AN2662 §4.5.1 fig. 57, "Write
 * Memory ... Destination == Option Bytes? -> System Reset"; AN3156 §6.3.3).
 * The host sends the one GETSTATUS that executes it and expects the device
 * to vanish; then it follows the board on its USB port path (back as the
 * ROM, or as its application, which is triggered again), re-opens the ROM
 * and reads the image back.
 */
#include <string.h>

#include <stdfu/chip.h>
#include <stdfu/dfuse.h>

#include "common/error_internal.h"
#include "dfu/dfu_internal.h"
#include "usb/bus_internal.h"
#include "usb/device_internal.h"

#define OB_TIMEOUT_MS 10000u

static unsigned timeout_of(const struct stdfu_ob_write_opts *o)
{
	return o && o->timeout_ms ? o->timeout_ms : OB_TIMEOUT_MS;
}

static void step(const struct stdfu_ob_write_opts *o, enum stdfu_ob_step s,
		 const struct stdfu_device_info *d)
{
	if (o && o->on_step)
		o->on_step(s, d, o->user);
}

static int to_idle(struct stdfu_device *dev, uint8_t alt)
{
	struct stdfu_dfu_status st = {0};
	int rc = stdfu_device_set_alt(dev, alt);

	if (!rc)
		rc = stdfu_dfu_get_status(dev, &st);
	if (!rc && st.state == STDFU_STATE_DFU_ERROR)
		rc = stdfu_dfu_clear_status(dev);
	else if (!rc && st.state != STDFU_STATE_DFU_IDLE)
		rc = stdfu_dfu_abort(dev);
	return rc;
}

/* DNLOAD the image at @address, then the GETSTATUS that makes the ROM act. */
static int send_image(struct stdfu_device *dev, uint8_t alt, uint32_t address, const uint8_t *image,
		      size_t len)
{
	struct stdfu_dfu_status st;
	int rc = to_idle(dev, alt), lrc = 0;

	if (!rc)
		rc = stdfu_dfuse_set_address(dev, address);
	if (!rc)
		rc = stdfu__dfu_dnload(dev, 2, image, (uint16_t)len, "option-byte write", &lrc);
	if (rc)
		return rc;
	rc = stdfu__dfu_get_status(dev, &st, STDFU_USB_TIMEOUT_MS, &lrc);
	if (rc &&
	    (lrc == LIBUSB_ERROR_NO_DEVICE || lrc == LIBUSB_ERROR_PIPE || lrc == LIBUSB_ERROR_IO)) {
		stdfu_error_clear(); /* it reset before answering */
		return STDFU_OK;
	}
	if (!rc && st.status != STDFU_STATUS_OK)
		return stdfu__dfuse_status_error(dev, &st, "option-byte write");
	return rc;
}

/* What is on @path now: 1 the ROM, 2 something else (the application), 0 nothing. */
static int at_path(struct stdfu_ctx *ctx, const char *path)
{
	struct stdfu_device_list *snap;
	int what = 0;

	if (stdfu_bus_snapshot(ctx, &snap))
		return 0;
	for (size_t i = 0; i < snap->count && !what; i++)
		if (!strcmp(snap->items[i].path, path))
			what = snap->items[i].vid == STDFU_ST_VID &&
					       snap->items[i].pid == STDFU_ST_DFU_PID
				       ? 1
				       : 2;
	stdfu_device_list_free(snap);
	return what;
}

static int reopen(struct stdfu_ctx *ctx, const char *path, int what,
		  const struct stdfu_ob_write_opts *o, struct stdfu_device **dev)
{
	struct stdfu_target_opts t = o->target;
	struct stdfu_target_report rep;

	t.sel.usb_path = path;
	t.sel.serial = NULL; /* RDP changes can change nothing, but the path is the key */
	if (what == 1)
		t.method = STDFU_METHOD_NONE;
	else if (t.method == STDFU_METHOD_NONE)
		return stdfu__fail(STDFU_ERR_REFUSED,
				   "the board came back on %s as its application, not the ROM: "
				   "its boot settings skip the ROM after a reset; give a trigger "
				   "--method to take it back into DFU",
				   path);
	return stdfu_target_open(ctx, &t, dev, &rep);
}

/* Follow the reset: wait for the board on @path and open its ROM. */
static int follow(struct stdfu_ctx *ctx, const char *path, const struct stdfu_ob_write_opts *o,
		  struct stdfu_device **dev)
{
	uint64_t until = stdfu__now_us() + (uint64_t)timeout_of(o) * 1000u;
	int rc = STDFU_ERR_TIMEOUT;

	while (stdfu__now_us() < until) {
		int what = at_path(ctx, path);

		if (what) {
			rc = reopen(ctx, path, what, o, dev);
			if (rc != STDFU_ERR_NO_DEVICE && rc != STDFU_ERR_TIMEOUT)
				return rc;
		}
		stdfu__sleep_us(50000);
	}
	if (rc == STDFU_ERR_NO_DEVICE || rc == STDFU_ERR_TIMEOUT)
		rc = stdfu__fail(STDFU_ERR_GONE,
				 "nothing came back on %s within %u ms of the option-byte write: "
				 "the boot settings may keep the ROM from running",
				 path, timeout_of(o));
	return rc;
}

static int check_back(const uint8_t *image, size_t len, const struct stdfu_chip_info *after)
{
	if (!after->ob_ok) {
		int level = stdfu_ob_rdp_level(after->id.ob, image, len);

		if (level == 1 && after->rdp_level == 1)
			return STDFU_OK; /* read-back refused: the new level at work */
		return stdfu__fail(STDFU_ERR_VERIFY, "the option bytes cannot be read back: %s",
				   after->ob_reason ? after->ob_reason : "unknown");
	}
	for (size_t i = 0; i < len && i < after->ob_len; i++)
		if (image[i] != after->ob[i])
			return stdfu__fail(STDFU_ERR_VERIFY,
					   "option byte %zu (0x%08x) reads back 0x%02x, written "
					   "0x%02x: the ROM did not take the change",
					   i, (unsigned)(after->id.ob->address + i), after->ob[i],
					   image[i]);
	return STDFU_OK;
}

static int write_and_follow(struct stdfu_ctx *ctx, struct stdfu_device **dev, uint8_t alt,
			    uint32_t address, const uint8_t *image, size_t len,
			    const struct stdfu_ob_write_opts *o)
{
	struct stdfu_device_info was = *stdfu_device_get_info(*dev);
	int rc = send_image(*dev, alt, address, image, len);

	if (rc)
		return rc;
	step(o, STDFU_OB_STEP_WRITTEN, &was);
	rc = stdfu_device_wait_gone(ctx, &was, timeout_of(o));
	if (rc)
		return stdfu__fail(STDFU_ERR_PROTOCOL,
				   "the ROM took the option-byte write but did not reset");
	stdfu_device_close(*dev);
	*dev = NULL;
	step(o, STDFU_OB_STEP_GONE, &was);
	rc = follow(ctx, was.path, o, dev);
	if (!rc)
		step(o, STDFU_OB_STEP_BACK, stdfu_device_get_info(*dev));
	return rc;
}

/* Where the image lies: the option-byte alt's regions in order (G4 has two). */
struct region {
	uint32_t address, offset, len;
};

static size_t regions(const struct stdfu_device_info *d, const struct stdfu_chip_id *id,
		      struct region *r, size_t cap)
{
	const struct stdfu_alt *alt = stdfu__alt_by_number(d, id->ob_alt);
	const struct stdfu_layout *l = alt ? &alt->layout : NULL;
	size_t n = 0;
	uint32_t off = 0;

	if (!l || id->ob->via_flash_alt) {
		r[0] = (struct region){id->ob->address, 0, id->ob->size};
		return 1;
	}
	for (size_t g = 0; g < l->n_groups && n < cap; g++) {
		uint32_t len = l->groups[g].count * l->groups[g].size;

		r[n++] = (struct region){l->groups[g].start, off, len};
		off += len;
	}
	return n;
}

/* Every region that differs, the one holding RDP last (after it, the ROM may refuse). */
static int write_regions(struct stdfu_ctx *ctx, struct stdfu_device **dev,
			 const struct stdfu_chip_id *id, const uint8_t *image,
			 const struct stdfu_chip_info *cur, const struct stdfu_ob_write_opts *o)
{
	const struct stdfu_ob_field *rdp = stdfu_ob_field_find(id->ob, "RDP");
	struct region r[4];
	size_t n = regions(stdfu_device_get_info(*dev), id, r, 4);
	int rc = STDFU_OK;

	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < n && !rc; i++) {
			bool has_rdp = rdp && rdp->offset >= r[i].offset &&
				       rdp->offset < r[i].offset + r[i].len;

			if (has_rdp != (pass == 1) ||
			    !memcmp(image + r[i].offset, cur->ob + r[i].offset, r[i].len))
				continue;
			if (r[i].len > (*dev)->info.functional.transfer_size)
				return stdfu__fail(STDFU_ERR_UNSUPPORTED,
						   "an option-byte region exceeds one transfer");
			rc = write_and_follow(ctx, dev, (uint8_t)id->ob_alt, r[i].address,
					      image + r[i].offset, r[i].len, o);
		}
	return rc;
}

int stdfu_optbytes_write(struct stdfu_ctx *ctx, struct stdfu_device **dev, const uint8_t *image,
			 size_t len, const struct stdfu_ob_write_opts *opts,
			 struct stdfu_chip_info *after)
{
	static const struct stdfu_ob_write_opts none;
	const struct stdfu_ob_write_opts *o = opts ? opts : &none;
	int rc;

	if (!ctx || !dev || !*dev || !image || !after)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_optbytes_write: NULL argument");
	rc = stdfu_chip_probe(*dev, after);
	if (rc)
		return rc;
	if (!after->id.ob || after->id.ob_alt < 0 || !after->ob_ok)
		return stdfu__fail(
			after->rdp_level == 1 ? STDFU_ERR_PROTECTED : STDFU_ERR_UNSUPPORTED,
			"cannot write the %s option bytes: %s", stdfu_family_name(after->id.family),
			after->ob_reason ? after->ob_reason : "no table");
	if (len != after->ob_len)
		return stdfu__fail(STDFU_ERR_ARG, "the %s option-byte image is %zu bytes, not %zu",
				   after->id.ob->name, after->ob_len, len);
	rc = write_regions(ctx, dev, &after->id, image, after, o);
	if (!rc)
		rc = stdfu_chip_probe(*dev, after);
	if (!rc)
		rc = check_back(image, len, after);
	if (!rc)
		step(o, STDFU_OB_STEP_CONFIRMED, stdfu_device_get_info(*dev));
	return rc;
}

int stdfu_protect(struct stdfu_ctx *ctx, struct stdfu_device **dev,
		  const struct stdfu_ob_write_opts *opts, struct stdfu_chip_info *after)
{
	struct stdfu_chip_info before;
	struct stdfu_ob_change c = {"RDP", 0};
	uint8_t img[STDFU_OB_MAX];
	int rc;

	if (!dev || !*dev || !after)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_protect: NULL argument");
	rc = stdfu_chip_probe(*dev, &before);
	if (rc)
		return rc;
	if (before.rdp_level == 1)
		return stdfu__fail(STDFU_ERR_PROTECTED, "the device is already at RDP level 1");
	if (!before.ob_ok)
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "cannot set read protection on this %s ROM: %s",
				   stdfu_family_name(before.id.family), before.ob_reason);
	c.value = before.id.ob->rdp_level1;
	rc = stdfu_ob_edit(before.id.ob, before.ob, img, before.ob_len, &c, 1, 0, NULL);
	if (!rc)
		rc = stdfu_optbytes_write(ctx, dev, img, before.ob_len, opts, after);
	if (!rc && after->rdp_level != 1)
		rc = stdfu__fail(STDFU_ERR_VERIFY, "RDP reads back as level %d, not 1",
				 after->rdp_level);
	return rc;
}
