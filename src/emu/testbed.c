/* SPDX-License-Identifier: MIT */
/*
 * The umockdev testbed: the emulated USB bus 1 with its root hub, one port
 * per board ("1-<i>"), and for each board whatever it currently shows (the
 * ROM's DFU device or the application's CDC-ACM device with its ttyACM).
 *
 * Sysfs follows what libusb 1.0.26 (linux_usbfs.c, linux_udev.c) and
 * libserialport 0.1.1 (linux.c) read; see
 * docs/umockdev-notes.md for the traps worked around here.
 */
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HCD_PATH  "/devices/pci0000:00/0000:00:14.0"
#define USB_MAJOR 189
#define ACM_MAJOR 166

uint64_t emu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * How long a board is off the bus between two personalities. USB 2.0
 * 7.1.7.3: the host debounces a connect for at least TATTDB = 100 ms, then
 * resets the port (Linux: 50 ms on root ports, hub.c) and reads the
 * descriptors. Assumption, not measured on hardware: 300 ms from the
 * disconnect until the ROM is seen again, plus 100 ms for the application
 * (clock setup and the USB stack start in its main()).
 */
unsigned emu_reenum_delay_ms(const struct emu_ctx *ctx, enum emu_dev_kind kind)
{
	if (ctx->opt.timing == EMU_TIMING_FAST)
		return 20; /* still asynchronous: hosts must really wait for it */
	return emu_chip_reenum_ms(ctx->opt.chip, kind == EMU_DEV_APP);
}

static void append(GString *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void append(GString *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(s, fmt, ap);
	va_end(ap);
}

static void append_hex(GString *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		append(s, "%02X", buf[i]);
}

/* Sysfs text attribute: umockdev drops the trailing newline the kernel writes. */
static void attr(GString *s, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void attr(GString *s, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	append(s, "A: %s=%s\\n\n", name, v);
	g_free(v);
}

static const uint8_t roothub_desc[] = {
	18,   0x01, 0x00, 0x02, 0x09, 0x00, 0x01, 64,	0x6b, 0x1d, 0x02, 0x00, 0x01, 0x06, 0x03,
	0x02, 0x01, 0x01, 9,	0x02, 25,   0x00, 0x01, 0x01, 0x00, 0xe0, 0x00, 9,    0x04, 0x00,
	0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 7,	  0x05, 0x81, 0x03, 0x04, 0x00, 0x0c,
};

static int add_roothub(struct emu_ctx *ctx, char *err, size_t errlen)
{
	GString *s = g_string_new(NULL);
	GError *gerr = NULL;

	append(s, "P: %s/usb%d\n", HCD_PATH, EMU_BUS);
	append(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n");
	append(s, "E: DEVNAME=/dev/bus/usb/%03d/001\n", EMU_BUS);
	append(s, "E: BUSNUM=%03d\nE: DEVNUM=001\n", EMU_BUS);
	attr(s, "busnum", "%d", EMU_BUS);
	attr(s, "devnum", "1");
	attr(s, "devpath", "0");
	attr(s, "speed", "480");
	attr(s, "idVendor", "1d6b");
	attr(s, "idProduct", "0002");
	attr(s, "bcdDevice", "0601");
	attr(s, "bConfigurationValue", "1");
	attr(s, "bNumConfigurations", "1");
	attr(s, "bNumInterfaces", " 1");
	attr(s, "bDeviceClass", "09");
	attr(s, "maxchild", "%u", MAX(ctx->nboards, ctx->opt.dfu_port_num));
	attr(s, "manufacturer", "Linux stdfu-emu");
	attr(s, "product", "stdfu-emu root hub");
	attr(s, "serial", "0000:00:14.0");
	attr(s, "version", " 2.00");
	append(s, "A: dev=%d:0\n", USB_MAJOR);
	append(s, "H: descriptors=");
	append_hex(s, roothub_desc, sizeof(roothub_desc));
	append(s, "\n\n");
	/* a virtual console, so that /sys/class/tty exists with no ttyACM either,
	 * as on any Linux system (libserialport fails to list without it) */
	append(s, "P: /devices/virtual/tty/tty0\nE: SUBSYSTEM=tty\nE: DEVNAME=/dev/tty0\n");
	append(s, "A: dev=4:0\n\n");
	if (!umockdev_testbed_add_from_string(ctx->testbed, s->str, &gerr)) {
		snprintf(err, errlen, "cannot create the emulated root hub: %s", gerr->message);
		g_error_free(gerr);
		g_string_free(s, TRUE);
		return -1;
	}
	g_string_free(s, TRUE);
	return 0;
}

/*
 * Where the testbed lives: STDFU_EMU_TMPDIR if set, else on tmpfs
 * (/dev/shm) when there is one, as the kernel's sysfs and /dev are in
 * memory. On ext4 under /tmp, umockdev_testbed_add_from_string() took
 * 10-12 ms to add the application's device (6-9 ms the ROM's), on /dev/shm
 * 4 ms (2 ms): time by which every arrival came later than the modelled
 * re-enumeration. NULL: umockdev's default ($TMPDIR or /tmp).
 */
static const char *testbed_parent(void)
{
	const char *dir = getenv("STDFU_EMU_TMPDIR");

	if (dir && *dir)
		return dir;
	return access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : NULL;
}

/* umockdev_testbed_new() under @parent; COMMAND keeps the caller's TMPDIR. */
static UMockdevTestbed *testbed_new_in(const char *parent)
{
	char *saved = g_strdup(g_getenv("TMPDIR"));
	UMockdevTestbed *tb;

	if (parent)
		g_setenv("TMPDIR", parent, TRUE);
	tb = umockdev_testbed_new();
	if (saved)
		g_setenv("TMPDIR", saved, TRUE);
	else
		g_unsetenv("TMPDIR");
	g_free(saved);
	return tb;
}

int emu_testbed_init(struct emu_ctx *ctx, char *err, size_t errlen)
{
	ctx->testbed = testbed_new_in(testbed_parent());
	if (!ctx->testbed) {
		snprintf(err, errlen, "cannot create the umockdev testbed");
		return -1;
	}
	ctx->root_dir = umockdev_testbed_get_root_dir(ctx->testbed);
	ctx->next_devnum = 2;
	if (emu_uevent_init(ctx, err, errlen))
		return -1;
	return add_roothub(ctx, err, errlen);
}

void emu_testbed_fini(struct emu_ctx *ctx)
{
	emu_uevent_fini(ctx);
	if (ctx->testbed)
		g_object_unref(ctx->testbed);
	ctx->testbed = NULL;
	emu_usbfs_stop();
	g_free(ctx->root_dir);
	ctx->root_dir = NULL;
}

static bool devnum_in_use(const struct emu_ctx *ctx, unsigned d)
{
	for (unsigned i = 0; i < ctx->nboards; i++) {
		const struct emu_board *b = &ctx->board[i];

		if (b->devnum == d && b->kind != EMU_DEV_NONE)
			return true;
	}
	return false;
}

/*
 * The kernel hands out addresses round-robin from the last one, skipping
 * those in use (drivers/usb/core/hub.c, choose_devnum()); 1 is the root hub.
 * At most 32 boards are on the bus, so a free address always exists.
 */
static unsigned alloc_devnum(struct emu_ctx *ctx)
{
	unsigned d = ctx->next_devnum;

	while (devnum_in_use(ctx, d))
		d = d >= 127 ? 2 : d + 1;
	ctx->next_devnum = d >= 127 ? 2 : d + 1;
	return d;
}

struct dev_info {
	uint8_t desc[1024];
	size_t len;
	const char *serial, *product, *manufacturer;
};

static void get_info(struct emu_board *b, enum emu_dev_kind kind, struct dev_info *di)
{
	if (kind == EMU_DEV_APP) {
		di->len = emu_app_sysfs_descriptors(b->app, di->desc, sizeof(di->desc));
		di->serial = emu_app_serial(b->app);
		di->product = emu_app_product(b->app);
		di->manufacturer = emu_app_manufacturer(b->app);
		return;
	}
	di->len = emu_rom_sysfs_descriptors(b->rom, di->desc, sizeof(di->desc));
	di->serial = emu_rom_serial(b->rom);
	di->product = emu_rom_product(b->rom);
	di->manufacturer = emu_rom_manufacturer(b->rom);
}

/* One sysfs node per interface (alt setting 0), as the kernel creates them. */
static void add_interfaces(GString *s, const char *devpath, const struct emu_board *b,
			   const struct dev_info *di)
{
	size_t off = 18;

	while (off + 2 <= di->len && di->desc[off] >= 2) {
		const uint8_t *d = di->desc + off;

		if (d[1] == 0x04 && d[0] >= 9 && off + 9 <= di->len && d[3] == 0) {
			append(s, "P: %s/%s:1.%u\n", devpath, b->at_port, d[2]);
			append(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n");
			append(s, "E: INTERFACE=%u/%u/%u\n", d[5], d[6], d[7]);
			attr(s, "bInterfaceNumber", "%02x", d[2]);
			attr(s, "bAlternateSetting", " 0");
			attr(s, "bNumEndpoints", "%02x", d[4]);
			attr(s, "bInterfaceClass", "%02x", d[5]);
			attr(s, "bInterfaceSubClass", "%02x", d[6]);
			attr(s, "bInterfaceProtocol", "%02x", d[7]);
			append(s, "\n");
		}
		off += d[0];
	}
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (write(fd, buf, len) != (ssize_t)len)
		g_warning("short write to %s", path);
	close(fd);
}

static void mkdir_p(const char *path)
{
	g_mkdir_with_parents(path, 0755);
}

/*
 * Pre-create what a fast client reads as soon as it sees the "add" uevent or
 * the node (umockdev writes binary attributes and nodes only after the
 * text ones).
 */
static void precreate(struct emu_ctx *ctx, const char *devpath, const struct emu_board *b,
		      const struct dev_info *di)
{
	char *dir = g_strdup_printf("%s/sys%s", ctx->root_dir, devpath);
	char *f = g_strdup_printf("%s/descriptors", dir);
	char *node = g_strdup_printf("%s%s", ctx->root_dir, b->devnode);
	char *nodedir = g_path_get_dirname(node);

	mkdir_p(dir);
	write_file(f, di->desc, di->len);
	mkdir_p(nodedir);
	/* usbfs read(): the device descriptor then the configuration
	 * descriptors (drivers/usb/core/devio.c usbdev_read) */
	write_file(node, di->desc, di->len);
	g_free(dir);
	g_free(f);
	g_free(node);
	g_free(nodedir);
}

static void add_tty(GString *s, struct emu_board *b, const char *devpath, bool first)
{
	unsigned minor = b->index - 1;

	append(s, "P: %s/%s:1.0/tty/%s\n", devpath, b->at_port, b->ttyname);
	if (first)
		append(s, "N: %s\n", b->ttyname);
	append(s, "E: SUBSYSTEM=tty\nE: DEVNAME=/dev/%s\n", b->ttyname);
	append(s, "E: MAJOR=%d\nE: MINOR=%u\n", ACM_MAJOR, minor);
	append(s, "A: dev=%d:%u\n", ACM_MAJOR, minor);
	append(s, "L: device=../../../%s:1.0\n\n", b->at_port);
}

/* umockdev aborts if a pty node is created twice: re-link the first pty. */
static void relink_tty(struct emu_ctx *ctx, struct emu_board *b, const char *target)
{
	char *node = g_strdup_printf("%s/dev/%s", ctx->root_dir, b->ttyname);

	unlink(node);
	if (symlink(target, node) < 0)
		g_warning("cannot re-link %s: %s", node, g_strerror(errno));
	g_free(node);
}

void emu_board_plug(struct emu_board *b, enum emu_dev_kind kind)
{
	struct emu_ctx *ctx = b->ctx;
	struct dev_info di;
	char devpath[200];
	GString *s;
	GError *gerr = NULL;
	bool first_tty;
	unsigned gen;

	g_mutex_lock(&b->lock);
	b->pending_plug = false;
	if (b->kind != EMU_DEV_NONE || b->cable_out) {
		g_mutex_unlock(&b->lock);
		return;
	}
	if (kind == EMU_DEV_APP)
		emu_app_reset(b->app);
	else
		emu_rom_reset(b->rom);
	b->devnum = alloc_devnum(ctx);
	snprintf(b->devnode, sizeof(b->devnode), "/dev/bus/usb/%03d/%03u", EMU_BUS, b->devnum);
	/* --dfu-port: board 1's ROM sits behind another port (a hub or port
	 * change), its application on its own */
	if (kind == EMU_DEV_ROM && b->index == 1 && ctx->opt.dfu_port)
		snprintf(b->at_port, sizeof(b->at_port), "%s", ctx->opt.dfu_port);
	else
		snprintf(b->at_port, sizeof(b->at_port), "%s", b->portname);
	snprintf(devpath, sizeof(devpath), "%s/usb%d/%s", HCD_PATH, EMU_BUS, b->at_port);
	snprintf(b->syspath, sizeof(b->syspath), "/sys%s", devpath);
	get_info(b, kind, &di);
	gen = b->generation;
	g_mutex_unlock(&b->lock);

	s = g_string_new(NULL);
	/* the node's content is what read() returns: the descriptors, as the
	 * kernel's usbfs gives them (drivers/usb/core/devio.c usbdev_read) */
	append(s, "P: %s\nN: %s=", devpath, b->devnode + 5);
	append_hex(s, di.desc, di.len);
	append(s, "\n");
	append(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n");
	append(s, "E: DEVNAME=%s\n", b->devnode);
	append(s, "E: PRODUCT=%x/%x/%x\n", di.desc[8] | di.desc[9] << 8,
	       di.desc[10] | di.desc[11] << 8, di.desc[12] | di.desc[13] << 8);
	append(s, "E: BUSNUM=%03d\nE: DEVNUM=%03u\n", EMU_BUS, b->devnum);
	append(s, "E: MAJOR=%d\nE: MINOR=%u\n", USB_MAJOR, b->devnum - 1);
	attr(s, "busnum", "%d", EMU_BUS);
	attr(s, "devnum", "%u", b->devnum);
	attr(s, "devpath", "%s", strchr(b->at_port, '-') + 1);
	attr(s, "speed", "12");
	attr(s, "idVendor", "%04x", di.desc[8] | di.desc[9] << 8);
	attr(s, "idProduct", "%04x", di.desc[10] | di.desc[11] << 8);
	attr(s, "bcdDevice", "%04x", di.desc[12] | di.desc[13] << 8);
	attr(s, "bDeviceClass", "%02x", di.desc[4]);
	attr(s, "bMaxPacketSize0", "%u", di.desc[7]);
	attr(s, "bConfigurationValue", "1");
	attr(s, "bNumConfigurations", "%u", di.desc[17]);
	attr(s, "bNumInterfaces", "%2u", di.len > 22 ? di.desc[18 + 4] : 0);
	attr(s, "maxchild", "0");
	attr(s, "version", " 2.00");
	attr(s, "manufacturer", "%s", di.manufacturer);
	attr(s, "product", "%s", di.product);
	attr(s, "serial", "%s", di.serial);
	append(s, "A: dev=%d:%u\n", USB_MAJOR, b->devnum - 1);
	append(s, "H: descriptors=");
	append_hex(s, di.desc, di.len);
	append(s, "\n\n");
	add_interfaces(s, devpath, b, &di);
	first_tty = false;
	if (kind == EMU_DEV_APP) {
		first_tty = b->tty_target == NULL;
		if (!first_tty)
			relink_tty(ctx, b, b->tty_target);
		add_tty(s, b, devpath, first_tty);
	}

	/* handler first: a fast client must never meet umockdev's fallback */
	b->usbfs = emu_usbfs_new(b, gen);
	if (!emu_usbfs_attach(b->usbfs, ctx->testbed, b->devnode, &gerr)) {
		g_warning("attach ioctl %s: %s", b->devnode, gerr->message);
		g_clear_error(&gerr);
	}
	if (first_tty) {
		char *dev = g_strdup_printf("/dev/%s", b->ttyname);

		if (!umockdev_testbed_attach_ioctl(ctx->testbed, dev, emu_tty_base(b->tty),
						   &gerr)) {
			g_warning("attach ioctl %s: %s", dev, gerr->message);
			g_clear_error(&gerr);
		}
		g_free(dev);
	}
	precreate(ctx, devpath, b, &di);
	/* umockdev sends the usb_device's "add" uevent from inside
	 * add_from_string: a fast client may open the node before it returns,
	 * so the board must already answer as its new kind. */
	g_mutex_lock(&b->lock);
	b->kind = kind;
	if (kind == EMU_DEV_ROM) {
		b->rom_enumerated_ns = emu_now_ns();
		b->first_request_ns = b->first_dfu_request_ns = 0;
	}
	g_mutex_unlock(&b->lock);
	if (!umockdev_testbed_add_from_string(ctx->testbed, s->str, &gerr)) {
		g_warning("cannot add board %u: %s", b->index, gerr->message);
		g_clear_error(&gerr);
	}
	if (first_tty) {
		char *node = g_strdup_printf("%s/dev/%s", ctx->root_dir, b->ttyname);
		char *dev = g_strdup_printf("/dev/%s", b->ttyname);

		b->tty_target = g_file_read_link(node, NULL);
		emu_tty_start(b->tty, umockdev_testbed_get_dev_fd(ctx->testbed, dev));
		g_free(node);
		g_free(dev);
	}

	/* every device of the record, parent first, as the kernel does */
	emu_uevent_send_record(ctx, s->str, "add", false);
	g_free(b->record);
	b->record = g_string_free(s, FALSE);
	if (kind == EMU_DEV_ROM)
		b->rom_plugged_ns = emu_now_ns();
	if (ctx->opt.verbose)
		fprintf(stderr, "stdfu-emu: board %u: %s on %s at %s\n", b->index,
			kind == EMU_DEV_APP ? "application" : "ROM DFU", b->at_port, b->devnode);
}

void emu_board_unplug(struct emu_board *b)
{
	struct emu_ctx *ctx = b->ctx;
	char path[300];
	unsigned nif = 0;
	char **ifs;
	enum emu_dev_kind kind;
	GDir *dir;
	const char *name;

	g_mutex_lock(&b->lock);
	kind = b->kind;
	if (kind == EMU_DEV_NONE) {
		g_mutex_unlock(&b->lock);
		return;
	}
	b->kind = EMU_DEV_NONE;
	b->generation++;
	if (b->usbfs)
		emu_usbfs_gone(b->usbfs);
	g_mutex_unlock(&b->lock);

	/* children first: umockdev leaves their links */
	ifs = g_new0(char *, 17);
	snprintf(path, sizeof(path), "%s%s", ctx->root_dir, b->syspath);
	dir = g_dir_open(path, 0, NULL);
	while (dir && (name = g_dir_read_name(dir)) != NULL && nif < 16) {
		if (strchr(name, ':'))
			ifs[nif++] = g_strdup_printf("%s/%s", b->syspath, name);
	}
	if (dir)
		g_dir_close(dir);
	/* the removes while sysfs still holds the devices, as the kernel does */
	if (b->record)
		emu_uevent_send_record(ctx, b->record, "remove", true);
	g_free(b->record);
	b->record = NULL;
	if (kind == EMU_DEV_APP) {
		char *tty = g_strdup_printf("%s/%s:1.0/tty/%s", b->syspath, b->at_port, b->ttyname);

		umockdev_testbed_remove_device(ctx->testbed, tty);
		g_free(tty);
	}
	for (unsigned i = 0; i < nif; i++)
		umockdev_testbed_remove_device(ctx->testbed, ifs[i]);
	umockdev_testbed_remove_device(ctx->testbed, b->syspath);
	emu_usbfs_detach(b->usbfs, ctx->testbed, b->devnode);
	g_strfreev(ifs);
	emu_usbfs_unref(b->usbfs);
	b->usbfs = NULL;
	b->syspath[0] = '\0';
	if (ctx->opt.verbose)
		fprintf(stderr, "stdfu-emu: board %u: off the bus\n", b->index);
}

struct reenum {
	struct emu_board *board;
	enum emu_dev_kind kind;
	unsigned back_ms;
	unsigned cable_epoch; /* the board's when it was scheduled */
};

/* The board was pulled out or plugged in (plug.c) since: drop the step. */
static bool cable_changed(const struct reenum *r)
{
	bool changed;

	g_mutex_lock(&r->board->lock);
	changed = r->cable_epoch != r->board->cable_epoch;
	g_mutex_unlock(&r->board->lock);
	return changed;
}

static gboolean plug_cb(gpointer data)
{
	struct reenum *r = data;

	if (cable_changed(r)) { /* what the board does now is plug.c's */
		g_free(r);
		return G_SOURCE_REMOVE;
	}
	if (r->kind == EMU_DEV_NONE) { /* the chip boots nothing USB shows */
		g_mutex_lock(&r->board->lock);
		r->board->pending_plug = false;
		g_mutex_unlock(&r->board->lock);
	} else {
		emu_board_plug(r->board, r->kind);
	}
	g_free(r);
	return G_SOURCE_REMOVE;
}

static gboolean unplug_cb(gpointer data)
{
	struct reenum *r = data;
	uint64_t t0, spent_ms;

	if (cable_changed(r)) {
		g_free(r);
		return G_SOURCE_REMOVE;
	}
	/*
	 * The re-enumeration delay runs from the disconnect, which the host sees
	 * as unplugging starts: the time the testbed spends removing the
	 * nodes is no part of the device's delay.
	 */
	t0 = emu_now_ns();
	emu_board_unplug(r->board);
	spent_ms = (emu_now_ns() - t0) / 1000000u;
	g_timeout_add(spent_ms < r->back_ms ? r->back_ms - (unsigned)spent_ms : 0, plug_cb, r);
	return G_SOURCE_REMOVE;
}

void emu_board_reenumerate(struct emu_board *b, enum emu_dev_kind kind, unsigned gone_ms,
			   unsigned back_ms)
{
	struct reenum *r = g_new0(struct reenum, 1);
	GSource *src;

	g_mutex_lock(&b->lock);
	if (b->pending_plug || b->cable_out) { /* pulled out: nothing comes back */
		g_mutex_unlock(&b->lock);
		g_free(r);
		return;
	}
	b->pending_plug = true;
	r->cable_epoch = b->cable_epoch;
	/*
	 * --rom-refuses: the application resets into the ROM, which does not
	 * keep it (boot option bytes or BFB2 sending it to flash, an HSE it
	 * cannot measure resetting the part) before its USB stack starts: the
	 * host sees the application come back.
	 */
	if (kind == EMU_DEV_ROM && b->kind == EMU_DEV_APP && b->ctx->opt.rom_refuses) {
		kind = EMU_DEV_APP;
		back_ms = emu_reenum_delay_ms(b->ctx, EMU_DEV_APP);
		if (b->ctx->opt.verbose)
			fprintf(stderr,
				"stdfu-emu: board %u: the ROM refuses (--rom-refuses): back as "
				"the application\n",
				b->index);
	}
	g_mutex_unlock(&b->lock);
	r->board = b;
	r->kind = kind;
	r->back_ms = back_ms;
	/* the timeout source is attached to the main context from any thread */
	src = g_timeout_source_new(gone_ms);
	g_source_set_callback(src, unplug_cb, r, NULL);
	g_source_attach(src, NULL);
	g_source_unref(src);
	/* r belongs to the source now: unplug_cb frees it */
	/* cppcheck-suppress memleak */
}
