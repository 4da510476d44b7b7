/* SPDX-License-Identifier: MIT */
/*
 * libstdfu-emu-preload.so: loaded in every process that stdfu-emu's COMMAND
 * starts, in front of libumockdev-preload.so.0 (LD_PRELOAD order).
 *
 * umockdev 0.17.16's preload turns a udev monitor's netlink socket into an
 * AF_UNIX datagram socket and binds it to $UMOCKDEV_DIR/event<fd>, unlinking
 * whatever was there first (libumockdev-preload.c, netlink_bind(): "we create
 * one socket per fd"). Two client processes with the same fd layout (two
 * `stdfu flash` started with `&`) therefore take each other's name: the
 * first one's socket is unlinked and never gets another uevent.
 *
 * This bind() catches those sockets first and binds them to a name of their
 * own, $STDFU_EMU_UEVENT_DIR/<pid>-<fd>, where stdfu-emu's testbed delivers
 * every uevent (uevent.c). A pid is unique among live processes, so a stale
 * name left by a dead process with the same pid is safe to unlink, as
 * umockdev does for its own names.
 *
 * usleep(0): umockdev's remote_emulate() calls it after every emulated
 * ioctl, "to force a context switch so that other threads can take the
 * lock" (its per-fd socket lock; libumockdev-preload.c, IOCTL_RES_DONE).
 * usleep(0) is nanosleep({0, 0}): an hrtimer armed and a sleep taken, which
 * measured 20 % of all host CPU with 16 boards flashed at once (perf, a
 * 2-core VM) -- emulation overhead that no real usbfs has. sched_yield()
 * gives other threads the same chance at the lock without the timer.
 *
 * ioctl(USBDEVFS_REAPURBNDELAY): libusb reaps until EAGAIN after every
 * completed URB (linux_usbfs.c, op_handle_events: "do { r =
 * reap_for_handle(hpriv); } while (r == 0)"). Through umockdev that last
 * reap is a full round trip to stdfu-emu for an answer known here: no URB
 * of this fd is outstanding. Right after a reap that returned a URB, with
 * none left in flight, this answers EAGAIN itself; any other reap goes to
 * the emulator (which is how libusb learns that a device has gone: ENODEV).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EMU_UEVENT_DIR_ENV "STDFU_EMU_UEVENT_DIR"

/* A netlink bind on an AF_UNIX socket: one that umockdev's socket() swapped. */
static int is_wrapped_monitor(int fd, const struct sockaddr *addr, socklen_t len)
{
	int domain = 0;
	socklen_t dlen = sizeof(domain);

	if (!addr || len < sizeof(sa_family_t) || addr->sa_family != AF_NETLINK)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) != 0)
		return 0;
	return domain == AF_UNIX;
}

/* ---- the trailing reap ------------------------------------------------ */

#define MAX_TRACKED_FD 1024

/* Per fd: URBs submitted and not yet reaped; the last usbfs ioctl was a
 * successful reap. Atomic: libusb may submit and reap from two threads. */
static int in_flight[MAX_TRACKED_FD];
static char just_reaped[MAX_TRACKED_FD];

static int next_ioctl(int fd, unsigned long req, void *arg)
{
	static int (*next)(int, unsigned long, ...);

	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(fd, req, arg);
}

static int is_urb_ioctl(unsigned long req)
{
	return req == USBDEVFS_SUBMITURB || req == USBDEVFS_REAPURB ||
	       req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_DISCARDURB;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd >= MAX_TRACKED_FD || !is_urb_ioctl(req))
		return next_ioctl(fd, req, arg);
	if (req == USBDEVFS_REAPURBNDELAY &&
	    __atomic_load_n(&in_flight[fd], __ATOMIC_SEQ_CST) <= 0 &&
	    __atomic_exchange_n(&just_reaped[fd], 0, __ATOMIC_SEQ_CST)) {
		errno = EAGAIN;
		return -1;
	}
	__atomic_store_n(&just_reaped[fd], 0, __ATOMIC_SEQ_CST);
	r = next_ioctl(fd, req, arg);
	if (r == 0 && req == USBDEVFS_SUBMITURB)
		__atomic_add_fetch(&in_flight[fd], 1, __ATOMIC_SEQ_CST);
	if (r == 0 && (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY)) {
		__atomic_sub_fetch(&in_flight[fd], 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&just_reaped[fd], 1, __ATOMIC_SEQ_CST);
	}
	return r;
}

/* ---- usleep(0) ------------------------------------------------------------ */

int usleep(useconds_t usec)
{
	struct timespec ts = {(time_t)(usec / 1000000u), (long)(usec % 1000000u) * 1000};

	if (usec == 0)
		return sched_yield();
	return nanosleep(&ts, NULL);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*next_bind)(int, const struct sockaddr *, socklen_t);
	const char *dir = getenv(EMU_UEVENT_DIR_ENV);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (dir && *dir && is_wrapped_monitor(fd, addr, len)) {
		int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%ld-%d", dir, (long)getpid(),
				 fd);
		if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		unlink(sa.sun_path);
		/* the kernel's bind: umockdev's would rename it back to event<fd> */
		return (int)syscall(SYS_bind, fd, (const struct sockaddr *)&sa,
				    (socklen_t)sizeof(sa));
	}
	if (!next_bind)
		next_bind =
			(int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (!next_bind) {
		errno = ENOSYS;
		return -1;
	}
	return next_bind(fd, addr, len);
}
