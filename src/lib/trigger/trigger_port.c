/* SPDX-License-Identifier: MIT */
/*
 * Application ports: libserialport lists the CDC ports with their USB
 * bus/address, the USB transport turns that into the USB port path ("1-2.3")
 * that the re-enumeration wait follows. And who else holds a port open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <stdfu/trigger.h>

#include "usb/bus_internal.h"
#include "common/error_internal.h"
#include "trigger/trigger_internal.h"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void describe(struct stdfu_ctx *ctx, const struct sp_port *sp, struct stdfu_app_port *out)
{
	int vid = 0, pid = 0, bus = 0, address = 0;

	struct stdfu_device_info *d = &out->dev;

	memset(out, 0, sizeof(*out));
	copy(out->name, sizeof(out->name), sp_get_port_name(sp));
	if (sp_get_port_transport(sp) != SP_TRANSPORT_USB)
		return;
	if (sp_get_port_usb_vid_pid(sp, &vid, &pid) == SP_OK) {
		d->vid = (uint16_t)vid;
		d->pid = (uint16_t)pid;
	}
	copy(d->serial, sizeof(d->serial), sp_get_port_usb_serial(sp));
	copy(d->product, sizeof(d->product), sp_get_port_usb_product(sp));
	if (sp_get_port_usb_bus_address(sp, &bus, &address) == SP_OK && bus > 0 && bus < 256 &&
	    address > 0 && address < 256) {
		d->bus = (uint8_t)bus;
		d->address = (uint8_t)address;
		stdfu__usb_path_of(ctx, d->bus, d->address, d->path, sizeof(d->path));
	}
}

static int by_name(const void *a, const void *b)
{
	return strverscmp(((const struct stdfu_app_port *)a)->name,
			  ((const struct stdfu_app_port *)b)->name);
}

int stdfu_app_ports_list(struct stdfu_ctx *ctx, const struct stdfu_usb_id *ids, size_t n_ids,
			 struct stdfu_app_port **out)
{
	struct sp_port **ports;
	struct stdfu_app_port *v;
	size_t n = 0, count = 0;

	*out = NULL;
	if (sp_list_ports(&ports) != SP_OK) {
		/* No /sys/class/tty at all (a machine or testbed without ttys): none. */
		if (sp_last_error_code() == ENOENT) {
			*out = calloc(1, sizeof(**out));
			return *out ? 0 : stdfu__fail(STDFU_ERR_NOMEM, "out of memory");
		}
		return stdfu__fail(STDFU_ERR_IO, "cannot list serial ports: %s",
				   sp_last_error_message());
	}
	while (ports[n])
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		sp_free_port_list(ports);
		return stdfu__fail(STDFU_ERR_NOMEM, "out of memory listing serial ports");
	}
	for (size_t i = 0; i < n; i++) {
		describe(ctx, ports[i], &v[count]);
		const struct stdfu_device_info *d = &v[count].dev;

		if (d->bus && stdfu_app_id_match(ids, n_ids, d->vid, d->pid))
			count++;
	}
	sp_free_port_list(ports);
	qsort(v, count, sizeof(*v), by_name);
	*out = v;
	return (int)count;
}

int stdfu_app_port_get(struct stdfu_ctx *ctx, const char *name, struct stdfu_app_port *out)
{
	struct sp_port *sp;

	if (sp_get_port_by_name(name, &sp) != SP_OK)
		return stdfu__fail(STDFU_ERR_NO_DEVICE,
				   "serial port %s not found: check the name (stdfu list shows "
				   "application ports)",
				   name);
	describe(ctx, sp, out);
	sp_free_port(sp);
	return STDFU_OK;
}

/* "comm (pid N)" of a process. */
static void who_is(const char *pid, char *who, size_t cap)
{
	char path[300], comm[64] = "?";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(who, cap, "%s (pid %s)", comm, pid);
}

/* Index of the pty slave @rdev (Unix98 ptys: majors 136..143), -1 if not a pty. */
static int pty_index(dev_t rdev)
{
	unsigned maj = major(rdev);

	if (maj < 136 || maj > 143)
		return -1;
	return (int)((maj - 136) * 256 + minor(rdev));
}

/*
 * A pty master is an open of /dev/ptmx (char 5:2, the kernel's
 * Documentation/admin-guide/devices.txt): only such an fd can be one, so
 * only those have their fdinfo read. Every process holds /dev/null and
 * terminals; reading fdinfo for each of them made the scan of a busy
 * machine cost tens of milliseconds before every trigger.
 */
static bool is_ptmx(dev_t rdev)
{
	return major(rdev) == 5 && minor(rdev) == 2;
}

/* True if fd @fd of @pid is the master of pty @index ("tty-index:" in fdinfo). */
static bool is_master_of(const char *pid, const char *fd, int index)
{
	char path[600], line[128];
	bool hit = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f))
		hit = strncmp(line, "tty-index:", 10) == 0 && atoi(line + 10) == index;
	fclose(f);
	return hit;
}

/*
 * Does @pid hold the tty @rdev? The process at the master end of a pty (a
 * bridge such as socat, or stdfu-emu behind an emulated /dev/ttyACMn) is the
 * other side of the line, not a competing reader: it does not count.
 */
static bool fd_dir_holds(const char *pid, dev_t rdev)
{
	char dir[300], fdpath[600];
	struct dirent *fe;
	struct stat st;
	bool hit = false, master = false;
	int index = pty_index(rdev);
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return false; /* another user's process, or gone: not ours to know */
	while ((fe = readdir(d))) {
		if (fe->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", dir, fe->d_name);
		if (stat(fdpath, &st) != 0 || !S_ISCHR(st.st_mode))
			continue;
		if (st.st_rdev == rdev)
			hit = true;
		else if (index >= 0 && is_ptmx(st.st_rdev) && is_master_of(pid, fe->d_name, index))
			master = true;
	}
	closedir(d);
	return hit && !master;
}

/*
 * The device number is taken from an fd we opened ourselves, through
 * /proc/self/fd: that is the node the kernel really opened (under umockdev,
 * the pty behind the emulated /dev/ttyACMn), so it compares with what other
 * processes' /proc/PID/fd entries resolve to.
 */
int stdfu__port_holder_fd(int fd, char *who, size_t cap)
{
	char self[64], mypid[16], one[360];
	struct dirent *pe;
	struct stat st;
	DIR *proc;
	int found = 0;

	if (cap)
		who[0] = '\0';
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (stat(self, &st) != 0 || !S_ISCHR(st.st_mode))
		return 0;
	snprintf(mypid, sizeof(mypid), "%d", (int)getpid());
	proc = opendir("/proc");
	if (!proc)
		return 0;
	/* Name every holder (a shell and the child it passed the fd to, say). */
	while ((pe = readdir(proc))) {
		size_t len = strlen(who);

		if (pe->d_name[0] < '1' || pe->d_name[0] > '9' || strcmp(pe->d_name, mypid) == 0)
			continue;
		if (!fd_dir_holds(pe->d_name, st.st_rdev))
			continue;
		who_is(pe->d_name, one, sizeof(one));
		if (len + 1 < cap)
			snprintf(who + len, cap - len, "%s%s", found ? ", " : "", one);
		if (!found)
			found = atoi(pe->d_name);
	}
	closedir(proc);
	return found;
}

int stdfu_port_holder(const char *name, char *who, size_t cap)
{
	int fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return errno == EBUSY ? -EBUSY : 0;
	r = stdfu__port_holder_fd(fd, who, cap);
	close(fd);
	return r;
}
