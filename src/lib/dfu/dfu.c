/* SPDX-License-Identifier: MIT */
/*
 * DFU 1.1 requests (section 3, table 3.2): DNLOAD, UPLOAD, GETSTATUS,
 * CLRSTATUS, GETSTATE, ABORT, each a class request to the DFU interface.
 * DETACH is sent to the application's runtime interface, not here.
 *
 * dev->state follows the state each request leaves the device in (DFU 1.1
 * figure A.1), so that callers know when an ABORT is needed first.
 */
#include <stddef.h>

#include <stdfu/dfu.h>
#include <stdfu/flash.h>

#include "common/error_internal.h"
#include "dfu/dfu_internal.h"
#include "usb/device_internal.h"

#define REQ_OUT (LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE)
#define REQ_IN	(LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE)

int stdfu__dfu_get_status(struct stdfu_device *dev, struct stdfu_dfu_status *st,
			  unsigned timeout_ms, int *lrc)
{
	uint8_t buf[6];
	int rc;

	*lrc = 0;
	rc = stdfu__usb_control(dev, REQ_IN, STDFU_DFU_GETSTATUS, 0, buf, sizeof(buf), timeout_ms);
	if (rc < 0) {
		*lrc = rc;
		return stdfu__usb_error(dev, rc, "GETSTATUS");
	}
	rc = stdfu_dfu_status_parse(buf, (size_t)rc, st);
	if (rc)
		return rc;
	if (st->poll_clamped)
		stdfu__device_warn(dev, STDFU_WARN_POLL_CLAMPED,
				   "device sent an absurd bwPollTimeout; using %u ms",
				   st->poll_timeout_ms);
	dev->state = st->state;
	return STDFU_OK;
}

int stdfu_dfu_get_status(struct stdfu_device *dev, struct stdfu_dfu_status *out)
{
	int lrc;

	return stdfu__dfu_get_status(dev, out, STDFU_USB_TIMEOUT_MS, &lrc);
}

/* A request without data that leaves the device in dfuIDLE. */
static int to_idle_request(struct stdfu_device *dev, uint8_t request, const char *what)
{
	int rc = stdfu__usb_control(dev, REQ_OUT, request, 0, NULL, 0, STDFU_USB_TIMEOUT_MS);

	if (rc < 0)
		return stdfu__usb_error(dev, rc, what);
	dev->state = STDFU_STATE_DFU_IDLE;
	return STDFU_OK;
}

int stdfu_dfu_clear_status(struct stdfu_device *dev)
{
	return to_idle_request(dev, STDFU_DFU_CLRSTATUS, "CLRSTATUS");
}

int stdfu_dfu_abort(struct stdfu_device *dev)
{
	return to_idle_request(dev, STDFU_DFU_ABORT, "ABORT");
}

int stdfu_dfu_get_state(struct stdfu_device *dev, uint8_t *state)
{
	uint8_t b;
	int rc =
		stdfu__usb_control(dev, REQ_IN, STDFU_DFU_GETSTATE, 0, &b, 1, STDFU_USB_TIMEOUT_MS);

	if (rc < 0)
		return stdfu__usb_error(dev, rc, "GETSTATE");
	if (rc != 1 || b > STDFU_STATE_DFU_ERROR)
		return stdfu__fail(STDFU_ERR_PROTOCOL, "GETSTATE reply of %d bytes, state %u", rc,
				   rc == 1 ? b : 0);
	dev->state = b;
	*state = b;
	return STDFU_OK;
}

int stdfu__dfuse_status_error(struct stdfu_device *dev, const struct stdfu_dfu_status *st,
			      const char *what)
{
	int rc;

	dev->last_status = (uint8_t)st->status;
	/* Leave dfuERROR so that the device is usable again (DFU 1.1 6.1.4). */
	if (st->state == STDFU_STATE_DFU_ERROR && !dev->gone)
		if (stdfu__usb_control(dev, REQ_OUT, STDFU_DFU_CLRSTATUS, 0, NULL, 0,
				       STDFU_USB_TIMEOUT_MS) >= 0)
			dev->state = STDFU_STATE_DFU_IDLE;
	if (st->status == STDFU_STATUS_ERR_VENDOR)
		rc = stdfu__fail(STDFU_ERR_PROTECTED,
				 "%s: the device answered errVENDOR (read protection, RDP level 1)",
				 what);
	else if (st->status == STDFU_STATUS_OK)
		rc = stdfu__fail(STDFU_ERR_PROTOCOL, "%s: the device went to %s without a status",
				 what, stdfu_dfu_state_name(st->state));
	else
		rc = stdfu__fail(STDFU_ERR_DFU_STATUS, "%s: the device reported %s (%s), state %s",
				 what, stdfu_dfu_status_name(st->status),
				 stdfu_dfu_status_text(st->status),
				 stdfu_dfu_state_name(st->state));
	stdfu__cause_device(dev->last_request, st->state, st->status);
	return rc;
}

int stdfu__dfu_dnload(struct stdfu_device *dev, uint16_t block, const uint8_t *data, uint16_t len,
		      const char *what, int *lrc)
{
	/* libusb takes a non-const buffer for both directions; an OUT transfer only reads it. */
	int rc = stdfu__usb_control(dev, REQ_OUT, STDFU_DFU_DNLOAD, block, (uint8_t *)data, len,
				    STDFU_USB_TIMEOUT_MS);

	if (lrc)
		*lrc = rc < 0 ? rc : 0;
	if (rc < 0)
		return stdfu__usb_error(dev, rc, what);
	if (rc != len)
		return stdfu__fail(STDFU_ERR_IO, "%s: short DNLOAD (%d of %u bytes)", what, rc,
				   len);
	dev->state = len ? STDFU_STATE_DFU_DNLOAD_SYNC : STDFU_STATE_DFU_MANIFEST_SYNC;
	return STDFU_OK;
}

int stdfu_dfu_dnload(struct stdfu_device *dev, uint16_t block, const uint8_t *data, uint16_t len)
{
	return stdfu__dfu_dnload(dev, block, data, len, "DNLOAD", NULL);
}

int stdfu__dfu_upload(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len,
		      const char *what)
{
	struct stdfu_dfu_status st;
	int rc = stdfu__usb_control(dev, REQ_IN, STDFU_DFU_UPLOAD, block, data, len,
				    STDFU_USB_TIMEOUT_MS);

	if (rc == LIBUSB_ERROR_PIPE && !dev->gone) {
		/* A stalled UPLOAD means dfuERROR: ask why (errVENDOR, errTARGET...). */
		if (stdfu_dfu_get_status(dev, &st) == STDFU_OK && st.status != STDFU_STATUS_OK)
			return stdfu__dfuse_status_error(dev, &st, what);
	}
	if (rc < 0)
		return stdfu__usb_error(dev, rc, what);
	dev->state = STDFU_STATE_DFU_UPLOAD_IDLE;
	return rc;
}

int stdfu_dfu_upload(struct stdfu_device *dev, uint16_t block, uint8_t *data, uint16_t len)
{
	return stdfu__dfu_upload(dev, block, data, len, "UPLOAD");
}
