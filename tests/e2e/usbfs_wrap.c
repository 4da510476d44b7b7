/* SPDX-License-Identifier: MIT */
/*
 * A host that opens the usbfs node itself and hands the fd to libusb
 * (libusb_wrap_sys_device, as some desktop firmware updaters do). libusb then
 * reads the descriptors from the node, as a kernel returns them on read()
 * (drivers/usb/core/devio.c usbdev_read). Prints the lsusb -v level fields
 * the dump tests compare:
 *
 *   usbfs_wrap /dev/bus/usb/BBB/DDD
 *
 * Exit 0 with the fields on stdout, 1 with the libusb error on stderr.
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */
#include <fcntl.h>
#include <libusb.h>
#include <stdio.h>
#include <unistd.h>

static void bcd(const char *name, unsigned v)
{
	printf("%s %x.%02x\n", name, v >> 8, v & 0xFFu);
}

/* The DFU functional descriptor (type 0x21) among the interface extras. */
static const unsigned char *find_functional(const struct libusb_config_descriptor *cfg)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *d = &itf->altsetting[a];

			for (int off = 0; off + 2 <= d->extra_length && d->extra[off] >= 2;
			     off += d->extra[off])
				if (d->extra[off + 1] == 0x21 && d->extra[off] >= 9 &&
				    off + 9 <= d->extra_length)
					return d->extra + off;
		}
	}
	return cfg->extra_length >= 9 && cfg->extra[1] == 0x21 ? cfg->extra : NULL;
}

static int print_fields(libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	const unsigned char *f;
	int rc = libusb_get_device_descriptor(dev, &dd);

	if (rc == 0)
		rc = libusb_get_config_descriptor(dev, 0, &cfg);
	if (rc) {
		fprintf(stderr, "usbfs_wrap: descriptors: %s\n", libusb_error_name(rc));
		return 1;
	}
	bcd("bcdUSB", dd.bcdUSB);
	printf("bMaxPacketSize0 %u\n", dd.bMaxPacketSize0);
	printf("idVendor 0x%04x\nidProduct 0x%04x\n", dd.idVendor, dd.idProduct);
	bcd("bcdDevice", dd.bcdDevice);
	printf("wTotalLength 0x%04x\n", cfg->wTotalLength);
	printf("bmAttributes 0x%02x\nMaxPower %umA\n", cfg->bmAttributes, cfg->MaxPower * 2u);
	f = find_functional(cfg);
	if (f) {
		printf("DFU bmAttributes 0x%02x\n", f[2]);
		printf("wDetachTimeout %u\n", (unsigned)(f[3] | f[4] << 8));
		printf("wTransferSize 0x%04x\n", (unsigned)(f[5] | f[6] << 8));
		bcd("bcdDFUVersion", (unsigned)(f[7] | f[8] << 8));
	}
	libusb_free_config_descriptor(cfg);
	return f ? 0 : 1;
}

int main(int argc, char **argv)
{
	libusb_context *ctx = NULL;
	libusb_device_handle *h = NULL;
	int fd, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: usbfs_wrap /dev/bus/usb/BBB/DDD\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* the updater's way: no enumeration, just the fd it was given */
	libusb_set_option(NULL, LIBUSB_OPTION_NO_DEVICE_DISCOVERY);
	rc = libusb_init(&ctx);
	if (rc == 0)
		rc = libusb_wrap_sys_device(ctx, (intptr_t)fd, &h);
	if (rc) {
		fprintf(stderr, "usbfs_wrap: %s\n", libusb_error_name(rc));
		close(fd);
		return 1;
	}
	rc = print_fields(libusb_get_device(h));
	libusb_close(h);
	libusb_exit(ctx);
	close(fd);
	return rc;
}
