/* SPDX-License-Identifier: MIT */
/*
 * bench/trigger_latency helper: an independent libusb hotplug listener that
 * prints "HP arrived|left VID:PID <CLOCK_MONOTONIC ms>" for every device, so
 * that the moment a ROM appears can be compared with stdfu's first request.
 */
#include <libusb.h>
#include <stdio.h>
#include <time.h>

static double mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int LIBUSB_CALL cb(libusb_context *c, libusb_device *d, libusb_hotplug_event e, void *u)
{
	struct libusb_device_descriptor dd;

	(void)c;
	(void)u;
	libusb_get_device_descriptor(d, &dd);
	fprintf(stderr, "HP %s %04x:%04x %.3f\n",
		e == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? "arrived" : "left", dd.idVendor,
		dd.idProduct, mono_ms());
	return 0;
}

int main(void)
{
	libusb_context *c;

	if (libusb_init(&c) ||
	    libusb_hotplug_register_callback(
		    c, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
		    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		    cb, NULL, NULL))
		return 1;
	for (;;)
		libusb_handle_events(c);
}
