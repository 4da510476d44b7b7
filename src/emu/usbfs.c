/* SPDX-License-Identifier: MIT */
/*
 * The usbdevfs ioctl handler of one enumeration of one board: what the Linux
 * kernel's drivers/usb/core/devio.c does for /dev/bus/usb/BBB/DDD, answered
 * from the device models.
 *
 * Runs on the board's own thread (one per board, see struct board_loop):
 * nothing here may sleep. A control URB is handed to the model when
 * the client reaps it (see umockdev-notes.md); if the model says the reply
 * is not ready before ready_at_ns (the ROM is busy erasing), REAPURBNDELAY
 * answers EAGAIN until then, exactly like a kernel URB still in flight, so
 * several boards make progress in parallel.
 */
#include "emu.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_IFACES     32
#define USB_SPEED_FULL 2 /* linux/usb/ch9.h enum usb_device_speed */

/* a busy device answers "not yet" after at most this long (see busy_wait_until) */
#define EMU_REAP_WAIT_MAX_NS (20 * 1000000ull)
/* a blocking REAPURB with nothing held back looks again this often */
#define EMU_REAP_RETRY_NS    1000000ull

struct urb {
	const UMockdevIoctlClient *client; /* not owned: identity of the fd */
	UMockdevIoctlData *urb_data;
	UMockdevIoctlData *buf_data; /* NULL for an empty buffer */
	uint8_t *shadow;	     /* the device's copy of the buffer, see submit_now() */
	bool processed;
	bool discarded;
	uint64_t ready_at_ns;
	int status;
	int actual_length;
	unsigned generation;
	struct emu_reply reply;
};

/*
 * One thread per board serves that board's clients. umockdev 0.17.16 serves
 * every attached handler's clients on its one worker thread, and
 * umockdev_ioctl_data_resolve() reads the client's memory synchronously: the
 * worker sends READ_MEM and blocks until that client process is scheduled
 * and answers (umockdev-ioctl.vala, IoctlData.load_data). A transfer needs
 * two or three of those, so on the shared worker every board waited on every
 * other board's client, and the worker's own per-message work for all
 * boards ran on one core. emu_usbfs_attach() has each board's handler listen
 * on the board's own GMainContext, run by the board's own thread: umockdev
 * then creates the board's clients there and runs all of their I/O there
 * (an IoctlClient keeps the thread-default context it was accepted in).
 */
struct board_loop {
	GMainContext *ctx;
	GThread *thread;
};

static struct board_loop loops[EMU_MAX_BOARDS];
static gint loops_stopped; /* atomic: emu_usbfs_stop() ran */

struct emu_usbfs {
	UMockdevIoctlBase parent;
	struct emu_board *board;
	struct board_loop *loop; /* not owned: lives until emu_usbfs_stop() */
	unsigned generation;
	gint gone;	  /* atomic */
	uint64_t gone_ns; /* when gone was set: written before it */
	GQueue urbs;
	UMockdevIoctlClient *claimed[MAX_IFACES];
	bool unbound[MAX_IFACES]; /* app: cdc_acm detached from this interface */
};

typedef struct emu_usbfs EmuUsbfs;
typedef struct {
	UMockdevIoctlBaseClass parent_class;
} EmuUsbfsClass;

GType emu_usbfs_get_type(void);
G_DEFINE_TYPE(EmuUsbfs, emu_usbfs, UMOCKDEV_TYPE_IOCTL_BASE)

static void urb_free(struct urb *u)
{
	if (u->urb_data)
		g_object_unref(u->urb_data);
	if (u->buf_data)
		g_object_unref(u->buf_data);
	g_free(u->shadow);
	g_free(u);
}

static void emu_usbfs_finalize(GObject *obj)
{
	EmuUsbfs *self = (EmuUsbfs *)obj;
	struct urb *u;

	while ((u = g_queue_pop_head(&self->urbs)) != NULL)
		urb_free(u);
	G_OBJECT_CLASS(emu_usbfs_parent_class)->finalize(obj);
}

/* An fd was closed: the kernel releases its interfaces and kills its URBs. */
static void release_client(EmuUsbfs *self, const void *client)
{
	GList *l, *next;

	for (unsigned i = 0; i < MAX_IFACES; i++) {
		if ((const void *)self->claimed[i] == client)
			self->claimed[i] = NULL;
	}
	for (l = self->urbs.head; l; l = next) {
		struct urb *u = l->data;

		next = l->next;
		if ((const void *)u->client == client) {
			g_queue_delete_link(&self->urbs, l);
			urb_free(u);
		}
	}
}

struct release {
	EmuUsbfs *self;
	const void *client;
};

static gboolean release_cb(gpointer data)
{
	struct release *r = data;

	release_client(r->self, r->client);
	return G_SOURCE_REMOVE;
}

static void release_free(gpointer data)
{
	struct release *r = data;

	g_object_unref(r->self);
	g_free(r);
}

/*
 * umockdev 0.17.16 neither emits client-vanished nor notifies "connected"
 * when a client closes its fd (or exits): the only trace is that the client
 * object is finalized once its stream is closed. Without this, a process
 * that exits holding the interface (dfu-util -D without :leave) kept it
 * claimed for ever, which a real kernel never does. The weak reference only
 * compares the pointer; the object is already gone.
 *
 * Runs wherever the client's last reference went (umockdev's worker, or the
 * board's thread): the URB queue belongs to the board's thread, so the
 * release happens there, in order with the ioctls queued before it. The
 * client holds a reference on its handler until it is finalized, after
 * this notification, so self is still alive here.
 */
static void client_finalized(gpointer data, GObject *where_the_object_was)
{
	EmuUsbfs *self = data;
	struct release *r;

	if (g_atomic_int_get(&loops_stopped)) {
		release_client(self, where_the_object_was);
		return;
	}
	r = g_new(struct release, 1);
	r->self = g_object_ref(self);
	r->client = where_the_object_was;
	g_main_context_invoke_full(self->loop->ctx, G_PRIORITY_DEFAULT, release_cb, r,
				   release_free);
	/* r belongs to the board's context now: release_free frees it */
	/* cppcheck-suppress memleak */
}

static void emu_usbfs_client_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client)
{
	g_object_weak_ref(G_OBJECT(client), client_finalized, base);
}

static bool is_app(const EmuUsbfs *self)
{
	return self->board->app && self->board->kind == EMU_DEV_APP;
}

/* Interfaces the kernel's cdc_acm driver binds on the application device. */
static bool driver_bound(const EmuUsbfs *self, unsigned iface)
{
	return is_app(self) && iface < 2 && !self->unbound[iface];
}

static unsigned num_interfaces(const EmuUsbfs *self)
{
	return is_app(self) ? emu_app_num_interfaces(self->board->app) : 1;
}

/* Run one control transfer through the model; returns the reply. */
static void do_control(EmuUsbfs *self, const struct emu_setup *setup, uint8_t *data, size_t cap,
		       uint64_t now_ns, struct emu_reply *reply, bool *stale)
{
	struct emu_board *b = self->board;

	g_mutex_lock(&b->lock);
	*stale = b->generation != self->generation || b->kind == EMU_DEV_NONE;
	if (!*stale)
		emu_board_control(b, setup, data, cap, now_ns, reply);
	g_mutex_unlock(&b->lock);
}

static int errno_of_reply(const struct emu_reply *r)
{
	switch (r->kind) {
	case EMU_REPLY_ACK:
		return 0;
	case EMU_REPLY_STALL:
		return EPIPE;
	case EMU_REPLY_IO_ERROR:
		return EPROTO;
	case EMU_REPLY_HANG:
		return ETIMEDOUT; /* usbfs proc_control: the wait timed out */
	case EMU_REPLY_BABBLE:
		return EOVERFLOW;
	case EMU_REPLY_DISCONNECT:
	default:
		return ENODEV;
	}
}

/* A standard request the kernel sends on the caller's behalf. */
static int synthetic(EmuUsbfs *self, uint8_t type, uint8_t req, uint16_t value, uint16_t index)
{
	struct emu_setup s = {type, req, value, index, 0};
	struct emu_reply r;
	uint8_t dummy[1];
	bool stale;

	memset(&r, 0, sizeof(r));
	do_control(self, &s, dummy, 0, emu_now_ns(), &r, &stale);
	if (stale)
		return ENODEV;
	emu_board_after_reply(self->board, self->generation, &r);
	return errno_of_reply(&r);
}

static void process_urb(EmuUsbfs *self, struct urb *u, uint64_t now_ns)
{
	struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb_data->data;
	uint8_t *buf = u->shadow ? u->shadow : u->buf_data ? u->buf_data->data : NULL;
	size_t len = u->buf_data ? (size_t)u->buf_data->data_len : 0;
	struct emu_setup s;
	bool stale;

	u->processed = true;
	u->generation = self->generation;
	if (urb->type != USBDEVFS_URB_TYPE_CONTROL) {
		/* bulk OUT on the CDC data endpoint: the application swallows it */
		u->status = 0;
		u->actual_length = (int)len;
		return;
	}
	if (len < 8) {
		u->status = -EINVAL;
		return;
	}
	s.bmRequestType = buf[0];
	s.bRequest = buf[1];
	s.wValue = (uint16_t)(buf[2] | buf[3] << 8);
	s.wIndex = (uint16_t)(buf[4] | buf[5] << 8);
	s.wLength = (uint16_t)(buf[6] | buf[7] << 8);
	if (s.wLength > len - 8) {
		u->status = -EINVAL;
		return;
	}
	memset(&u->reply, 0, sizeof(u->reply));
	do_control(self, &s, buf + 8, s.wLength, now_ns, &u->reply, &stale);
	if (stale) {
		u->status = -ESHUTDOWN;
		return;
	}
	u->ready_at_ns = u->reply.ready_at_ns;
	switch (u->reply.kind) {
	case EMU_REPLY_ACK:
		u->status = 0;
		u->actual_length = (s.bmRequestType & 0x80) ? (int)u->reply.len : s.wLength;
		break;
	case EMU_REPLY_STALL:
		u->status = -EPIPE;
		break;
	case EMU_REPLY_IO_ERROR:
		/* a transaction error: what the host controller reports for a
		 * device that stops answering mid-transfer (libusb: IO error) */
		u->status = -EPROTO;
		break;
	case EMU_REPLY_HANG:
		/* never completes: only the host's DISCARDURB (its timeout) ends
		 * it, and only then does the reply's event happen */
		u->ready_at_ns = UINT64_MAX;
		break;
	case EMU_REPLY_BABBLE:
		u->status = -EOVERFLOW;
		u->actual_length = (int)u->reply.len;
		break;
	case EMU_REPLY_DISCONNECT:
	default:
		u->status = -ESHUTDOWN;
		break;
	}
}

/* URBs that complete by themselves: control and OUT transfers. */
static bool completes(const struct urb *u)
{
	const struct usbdevfs_urb *urb = (const struct usbdevfs_urb *)u->urb_data->data;

	return u->discarded || urb->type == USBDEVFS_URB_TYPE_CONTROL || !(urb->endpoint & 0x80);
}

/* The next URB of @client that can be reaped now; NULL if none (yet). */
static struct urb *reapable(EmuUsbfs *self, const UMockdevIoctlClient *client, bool *pending)
{
	uint64_t now = emu_now_ns();
	bool gone = g_atomic_int_get(&self->gone);

	*pending = false;
	for (GList *l = self->urbs.head; l; l = l->next) {
		struct urb *u = l->data;

		if (u->client != client)
			continue;
		*pending = true;
		if (u->discarded) {
			u->status = -ENOENT;
			u->actual_length = 0;
		} else if (!u->processed && gone) {
			u->status = -ESHUTDOWN;
			u->processed = true;
		} else if (!completes(u)) {
			if (!gone)
				continue;
			u->status = -ESHUTDOWN;
			u->processed = true;
		} else if (!u->processed) {
			process_urb(self, u, now);
		} else if (gone && u->ready_at_ns > self->gone_ns) {
			/* in flight (or hanging) when the device went: it ends with it */
			u->status = -ESHUTDOWN;
			u->actual_length = 0;
			u->ready_at_ns = 0;
			u->reply.event = EMU_EVENT_NONE;
		}
		if (u->processed && u->ready_at_ns > now && !u->discarded)
			return NULL; /* in flight: the device is still busy */
		g_queue_delete_link(&self->urbs, l);
		return u;
	}
	return NULL;
}

/*
 * The caller's `struct usbdevfs_urb **`, read from its memory: a round trip
 * to the client (umockdev-notes.md). Borrowed: the ioctl's argument holds it.
 */
static UMockdevIoctlData *reap_slot(UMockdevIoctlData *arg)
{
	GError *err = NULL;
	UMockdevIoctlData *slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);

	g_clear_error(&err);
	if (slot)
		g_object_unref(slot);
	/* cppcheck-suppress deallocret ; borrowed: the argument holds it */
	return slot;
}

/* @slot: reap_slot(arg) if already read, else NULL */
static int do_reap(EmuUsbfs *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg,
		   UMockdevIoctlData *slot)
{
	struct usbdevfs_urb *urb;
	struct urb *u;
	struct emu_reply reply;
	unsigned gen;
	bool pending;

	u = reapable(self, client, &pending);
	if (!u)
		return (!pending && g_atomic_int_get(&self->gone)) ? ENODEV : EAGAIN;
	urb = (struct usbdevfs_urb *)u->urb_data->data;
	urb->status = u->status;
	urb->actual_length = u->actual_length;
	if (u->shadow && u->buf_data && !u->discarded)
		memcpy(u->buf_data->data, u->shadow, u->buf_data->data_len);
	if (!slot)
		slot = reap_slot(arg);
	if (!slot) {
		urb_free(u);
		return EFAULT;
	}
	umockdev_ioctl_data_set_ptr(slot, 0, u->urb_data);
	reply = u->reply;
	gen = u->generation;
	urb_free(u);
	emu_board_after_reply(self->board, gen, &reply);
	return 0;
}

/*
 * A control URB reaches the device when it is submitted, as on a real bus:
 * the kernel hands it to the host controller in proc_submiturb(), so the
 * device's time (bus, erase, program) runs from the submit, not from the
 * reap the client sends after it. Only a URB alone on its fd: the kernel
 * runs ep0's URBs one after the other, so a second one waits for the reap
 * of the first (reapable()). The device writes its IN data into a copy that
 * the reap hands over: changing the buffer during SUBMITURB would make
 * umockdev write it back then too (umockdev-notes.md).
 *
 * @submitted_ns is when the client's ioctl arrived, before umockdev's
 * round trips to read the URB and its buffer from the client (two process
 * wake-ups each): the kernel's copy_from_user of those costs next to
 * nothing, and the URB is on the bus as soon as it is done.
 */
static void submit_now(EmuUsbfs *self, const UMockdevIoctlClient *client, struct urb *u,
		       uint64_t submitted_ns)
{
	const struct usbdevfs_urb *urb = (const struct usbdevfs_urb *)u->urb_data->data;

	if (urb->type != USBDEVFS_URB_TYPE_CONTROL)
		return;
	for (GList *l = self->urbs.head; l; l = l->next) {
		const struct urb *o = l->data;

		if (o != u && o->client == client)
			return;
	}
	if (u->buf_data)
		u->shadow = g_memdup2(u->buf_data->data, u->buf_data->data_len);
	process_urb(self, u, submitted_ns);
}

static int do_submit(EmuUsbfs *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	uint64_t submitted_ns = emu_now_ns(); /* before the round trips of resolve() */
	GError *err = NULL;
	UMockdevIoctlData *data;
	struct usbdevfs_urb *urb;
	struct urb *u;

	if (g_atomic_int_get(&self->gone))
		return ENODEV;
	data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
	if (!data) {
		g_clear_error(&err);
		return EFAULT;
	}
	urb = (struct usbdevfs_urb *)data->data;
	if ((urb->type != USBDEVFS_URB_TYPE_CONTROL && urb->type != USBDEVFS_URB_TYPE_BULK &&
	     urb->type != USBDEVFS_URB_TYPE_INTERRUPT) ||
	    urb->buffer_length < 0) {
		g_object_unref(data);
		return EINVAL;
	}
	u = g_new0(struct urb, 1);
	u->client = client;
	u->urb_data = data; /* keep resolve()'s reference */
	if (urb->buffer_length > 0) {
		u->buf_data =
			umockdev_ioctl_data_resolve(data, offsetof(struct usbdevfs_urb, buffer),
						    (gsize)urb->buffer_length, &err);
		if (!u->buf_data) {
			g_clear_error(&err);
			urb_free(u);
			return EFAULT;
		}
	}
	g_queue_push_tail(&self->urbs, u);
	submit_now(self, client, u, submitted_ns);
	return 0;
}

static int do_discard(EmuUsbfs *self, const UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	gulong addr = *(gulong *)arg->data;

	for (GList *l = self->urbs.head; l; l = l->next) {
		struct urb *u = l->data;

		if (u->client == client && u->urb_data->client_addr == addr && !u->discarded) {
			u->discarded = true;
			return 0;
		}
	}
	return EINVAL;
}

/*
 * An ioctl answered later, from the board's thread, never by sleeping, at
 * the device's ready time to the microsecond. GLib's timeouts cannot do
 * that: g_timeout_source_new() takes whole milliseconds, and even a
 * microsecond g_source_set_ready_time() becomes a poll() timeout rounded up
 * to the next millisecond (gmain.c, g_main_context_prepare), so a 6 us
 * GETSTATUS cost 1 ms and a 1.02 ms UPLOAD 2 ms. A timerfd armed at the
 * absolute CLOCK_MONOTONIC deadline (the clock of emu_now_ns()) wakes the
 * board's poll() on time (an hrtimer), without spinning.
 */
struct deferred {
	EmuUsbfs *self;
	UMockdevIoctlClient *client;
	bool retry_reap;	 /* blocking REAPURB: try again until a URB completes */
	bool once;		 /* REAPURBNDELAY on a busy device: try once more, then EAGAIN */
	UMockdevIoctlData *slot; /* a reap's reap_slot(), read while the device is busy */
	int timer_fd;		 /* -1: fires on the next loop iteration */
	long res;
	int err;
	unsigned generation;
	struct emu_reply reply;
};

static uint64_t reap_retry_at(EmuUsbfs *self, const UMockdevIoctlClient *client);

static bool arm_at(int fd, uint64_t at_ns)
{
	struct itimerspec its = {0};

	/* a zero it_value disarms; a deadline in the past fires at once */
	at_ns = MAX(at_ns, 1);
	its.it_value.tv_sec = (time_t)(at_ns / 1000000000u);
	its.it_value.tv_nsec = (long)(at_ns % 1000000000u);
	return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) == 0;
}

static gboolean deferred_cb(gpointer data)
{
	struct deferred *d = data;
	uint64_t expirations;

	if (d->timer_fd >= 0 && read(d->timer_fd, &expirations, sizeof(expirations)) < 0 &&
	    errno == EAGAIN)
		return G_SOURCE_CONTINUE; /* woken early: not yet expired */
	if (umockdev_ioctl_client_get_connected(d->client)) {
		if (d->retry_reap) {
			int e = do_reap(d->self, d->client,
					umockdev_ioctl_client_get_arg(d->client), d->slot);
			if (e == EAGAIN && !d->once &&
			    (d->timer_fd < 0 ||
			     arm_at(d->timer_fd, reap_retry_at(d->self, d->client))))
				return G_SOURCE_CONTINUE;
			umockdev_ioctl_client_complete(d->client, e ? -1 : 0, e);
		} else {
			emu_board_after_reply(d->self->board, d->generation, &d->reply);
			umockdev_ioctl_client_complete(d->client, d->err ? -1 : d->res, d->err);
		}
	}
	return G_SOURCE_REMOVE;
}

static gboolean deferred_fd_cb(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	return deferred_cb(data);
}

/* Also when the board's thread stops with the source still pending. */
static void deferred_free(gpointer data)
{
	struct deferred *d = data;

	if (d->timer_fd >= 0)
		close(d->timer_fd);
	g_object_unref(d->client);
	g_object_unref(d->self);
	g_free(d);
}

/* Answer at @at_ns (emu_now_ns() time); at once if that has passed. */
static void defer_until(EmuUsbfs *self, UMockdevIoctlClient *client, struct deferred *d,
			uint64_t at_ns)
{
	GSource *src = NULL;

	d->self = g_object_ref(self);
	d->client = g_object_ref(client);
	d->timer_fd = -1;
	if (at_ns > emu_now_ns()) {
		d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (d->timer_fd >= 0 && arm_at(d->timer_fd, at_ns)) {
			src = g_unix_fd_source_new(d->timer_fd, G_IO_IN);
			g_source_set_callback(src, G_SOURCE_FUNC(deferred_fd_cb), d, deferred_free);
		}
	}
	if (!src) {
		/* due now, or no timer to be had: the next iteration, not early */
		if (d->timer_fd >= 0)
			close(d->timer_fd);
		d->timer_fd = -1;
		src = at_ns > emu_now_ns()
			      ? g_timeout_source_new((guint)((at_ns - emu_now_ns()) / 1000000u + 1))
			      : g_timeout_source_new(0);
		g_source_set_callback(src, deferred_cb, d, deferred_free);
	}
	g_source_attach(src, self->loop->ctx);
	g_source_unref(src);
}

/* USBDEVFS_CONTROL: synchronous for the caller, but a busy device answers late. */
static void do_sync_control(EmuUsbfs *self, UMockdevIoctlClient *client)
{
	uint64_t called_ns = emu_now_ns(); /* before the round trips of resolve() */
	struct deferred *d = g_new0(struct deferred, 1);
	struct usbdevfs_ctrltransfer *ct;
	UMockdevIoctlData *data, *buf = NULL;
	struct emu_setup s;
	GError *err = NULL;
	uint8_t dummy[1];
	bool stale;

	d->generation = self->generation;
	data = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, sizeof(*ct),
					   &err);
	if (!data) {
		g_clear_error(&err);
		d->err = EFAULT;
		goto out;
	}
	g_object_unref(data); /* borrowed from here on, see arg_struct() */
	ct = (struct usbdevfs_ctrltransfer *)data->data;
	s = (struct emu_setup){ct->bRequestType, ct->bRequest, ct->wValue, ct->wIndex, ct->wLength};
	if (s.wLength) {
		buf = umockdev_ioctl_data_resolve(
			data, offsetof(struct usbdevfs_ctrltransfer, data), s.wLength, &err);
		if (!buf) {
			g_clear_error(&err);
			d->err = EFAULT;
			goto out;
		}
		g_object_unref(buf);
	}
	do_control(self, &s, buf ? buf->data : dummy, s.wLength, called_ns, &d->reply, &stale);
	if (stale) {
		d->err = ENODEV;
		goto out;
	}
	d->err = errno_of_reply(&d->reply);
	d->res = (s.bmRequestType & 0x80) ? (long)d->reply.len : s.wLength;
	if (d->reply.kind == EMU_REPLY_HANG) {
		/* the kernel waits ct->timeout ms (0: for ever; capped here) */
		defer_until(self, client, d,
			    emu_now_ns() +
				    (uint64_t)(ct->timeout ? ct->timeout : 60000) * 1000000u);
		return;
	}
out:
	defer_until(self, client, d, d->reply.ready_at_ns);
}

static UMockdevIoctlData *arg_struct(UMockdevIoctlClient *client, gsize size)
{
	GError *err = NULL;
	UMockdevIoctlData *d;

	d = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, size, &err);
	g_clear_error(&err);
	/* borrowed: the ioctl argument holds it until the ioctl completes */
	if (d)
		g_object_unref(d);
	/* cppcheck-suppress deallocret ; borrowed: the parent argument holds d */
	return d;
}

static int claim(EmuUsbfs *self, UMockdevIoctlClient *client, unsigned iface)
{
	if (iface >= num_interfaces(self) || iface >= MAX_IFACES)
		return ENOENT;
	if (driver_bound(self, iface))
		return EBUSY;
	if (self->claimed[iface] && self->claimed[iface] != client)
		return EBUSY;
	self->claimed[iface] = client;
	return 0;
}

static int do_usbfs_ioctl(EmuUsbfs *self, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *d = arg_struct(client, sizeof(struct usbdevfs_ioctl));
	struct usbdevfs_ioctl *io;

	if (!d)
		return EFAULT;
	io = (struct usbdevfs_ioctl *)d->data;
	if (io->ifno < 0 || io->ifno >= (int)num_interfaces(self))
		return EINVAL;
	switch ((unsigned long)io->ioctl_code) {
	case USBDEVFS_DISCONNECT:
		if (!driver_bound(self, (unsigned)io->ifno))
			return ENODATA;
		self->unbound[io->ifno] = true;
		return 0;
	case USBDEVFS_CONNECT:
		self->unbound[io->ifno] = false;
		return 0;
	default:
		return ENOTTY;
	}
}

static int do_getdriver(EmuUsbfs *self, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *d = arg_struct(client, sizeof(struct usbdevfs_getdriver));
	struct usbdevfs_getdriver *gd;

	if (!d)
		return EFAULT;
	gd = (struct usbdevfs_getdriver *)d->data;
	if (gd->interface >= num_interfaces(self))
		return EINVAL;
	if (!driver_bound(self, gd->interface))
		return ENODATA;
	snprintf(gd->driver, sizeof(gd->driver), "cdc_acm");
	return 0;
}

static int do_disconnect_claim(EmuUsbfs *self, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *d = arg_struct(client, sizeof(struct usbdevfs_disconnect_claim));
	struct usbdevfs_disconnect_claim *dc;

	if (!d)
		return EFAULT;
	dc = (struct usbdevfs_disconnect_claim *)d->data;
	if (dc->interface >= num_interfaces(self) || dc->interface >= MAX_IFACES)
		return EINVAL;
	if (driver_bound(self, dc->interface)) {
		bool match = strncmp(dc->driver, "cdc_acm", sizeof(dc->driver)) == 0;

		if ((dc->flags & USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER) && !match)
			return EBUSY;
		if ((dc->flags & USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER) && match)
			return EBUSY;
		self->unbound[dc->interface] = true;
	}
	return claim(self, client, dc->interface);
}

static int handle(EmuUsbfs *self, UMockdevIoctlClient *client, long *res)
{
	unsigned long req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	UMockdevIoctlData *d;
	bool gone = g_atomic_int_get(&self->gone);

	*res = 0;
	switch (req) {
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		return do_reap(self, client, arg, NULL);
	case USBDEVFS_DISCARDURB:
		return do_discard(self, client, arg);
	default:
		break;
	}
	if (gone)
		return ENODEV;
	switch (req) {
	case USBDEVFS_SUBMITURB:
		return do_submit(self, client, arg);
	case USBDEVFS_GET_CAPABILITIES:
		d = arg_struct(client, sizeof(uint32_t));
		if (!d)
			return EFAULT;
		*(uint32_t *)d->data = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
				       USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
				       USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		return 0;
	case USBDEVFS_CLAIMINTERFACE:
		d = arg_struct(client, sizeof(unsigned));
		return d ? claim(self, client, *(unsigned *)d->data) : EFAULT;
	case USBDEVFS_RELEASEINTERFACE:
		d = arg_struct(client, sizeof(unsigned));
		if (!d)
			return EFAULT;
		if (*(unsigned *)d->data >= MAX_IFACES ||
		    self->claimed[*(unsigned *)d->data] != client)
			return EINVAL;
		self->claimed[*(unsigned *)d->data] = NULL;
		return 0;
	case USBDEVFS_SETINTERFACE: {
		struct usbdevfs_setinterface *si;

		d = arg_struct(client, sizeof(*si));
		if (!d)
			return EFAULT;
		si = (struct usbdevfs_setinterface *)d->data;
		if (si->interface >= MAX_IFACES || self->claimed[si->interface] != client)
			return EINVAL;
		/* SET_INTERFACE, USB 2.0 9.4.10; the kernel maps a stall to EPIPE */
		return synthetic(self, 0x01, 0x0b, (uint16_t)si->altsetting,
				 (uint16_t)si->interface);
	}
	case USBDEVFS_SETCONFIGURATION:
		d = arg_struct(client, sizeof(unsigned));
		if (!d)
			return EFAULT;
		return synthetic(self, 0x00, 0x09, (uint16_t) * (unsigned *)d->data, 0);
	case USBDEVFS_CLEAR_HALT:
		d = arg_struct(client, sizeof(unsigned));
		if (!d)
			return EFAULT;
		/* CLEAR_FEATURE(ENDPOINT_HALT) */
		return synthetic(self, 0x02, 0x01, 0, (uint16_t) * (unsigned *)d->data);
	case USBDEVFS_RESETEP:
	case USBDEVFS_RESET:
	case USBDEVFS_DROP_PRIVILEGES:
	case USBDEVFS_FORBID_SUSPEND:
	case USBDEVFS_ALLOW_SUSPEND:
		return 0;
	case USBDEVFS_GET_SPEED:
		*res = USB_SPEED_FULL;
		return 0;
	case USBDEVFS_CONNECTINFO: {
		struct usbdevfs_connectinfo *ci;

		d = arg_struct(client, sizeof(*ci));
		if (!d)
			return EFAULT;
		ci = (struct usbdevfs_connectinfo *)d->data;
		ci->devnum = self->board->devnum;
		ci->slow = 0;
		return 0;
	}
	case USBDEVFS_GETDRIVER:
		return do_getdriver(self, client);
	case USBDEVFS_IOCTL:
		return do_usbfs_ioctl(self, client);
	case USBDEVFS_DISCONNECT_CLAIM:
		return do_disconnect_claim(self, client);
	default:
		return ENOTTY;
	}
}

/*
 * When the first of @client's URBs that the busy device holds back
 * completes, at most EMU_REAP_WAIT_MAX_NS from now; 0 if none is held back.
 */
static uint64_t busy_wait_until(EmuUsbfs *self, const UMockdevIoctlClient *client)
{
	uint64_t now = emu_now_ns(), first = 0;

	for (GList *l = self->urbs.head; l; l = l->next) {
		const struct urb *u = l->data;

		if (u->client == client && u->processed && !u->discarded && u->ready_at_ns > now &&
		    (!first || u->ready_at_ns < first))
			first = u->ready_at_ns;
	}
	if (!first)
		return 0;
	/* a transfer that never completes waits the longest */
	return MIN(first, now + EMU_REAP_WAIT_MAX_NS);
}

/* The next look of a blocking REAPURB: when a held-back URB completes. */
static uint64_t reap_retry_at(EmuUsbfs *self, const UMockdevIoctlClient *client)
{
	uint64_t at = busy_wait_until(self, client);

	return at ? at : emu_now_ns() + EMU_REAP_RETRY_NS;
}

/* One ioctl, on the board's thread. */
static void serve(EmuUsbfs *self, UMockdevIoctlClient *client)
{
	unsigned long req = umockdev_ioctl_client_get_request(client);
	long res = 0;
	int e;

	if (req == USBDEVFS_CONTROL && !g_atomic_int_get(&self->gone)) {
		do_sync_control(self, client);
		return;
	}
	e = handle(self, client, &res);
	/*
	 * The node is a plain file, so the client's poll() never waits for a URB:
	 * while the device holds one back, answer "not yet" once it completes
	 * or EMU_REAP_WAIT_MAX_NS later rather than at once, or every libusb client spins on this
	 * ioctl for as long as the device is busy (umockdev-notes.md).
	 */
	if (e == EAGAIN && req == USBDEVFS_REAPURBNDELAY && busy_wait_until(self, client)) {
		struct deferred *d = g_new0(struct deferred, 1);

		d->retry_reap = true;
		d->once = true;
		/* not after the wait: the reply would pay this round trip too */
		d->slot = reap_slot(umockdev_ioctl_client_get_arg(client));
		defer_until(self, client, d, busy_wait_until(self, client));
		return;
	}
	if (e == EAGAIN && req == USBDEVFS_REAPURB) {
		/* the blocking reap waits, like the kernel's, without blocking us */
		struct deferred *d = g_new0(struct deferred, 1);

		d->retry_reap = true;
		d->slot = reap_slot(umockdev_ioctl_client_get_arg(client));
		defer_until(self, client, d, reap_retry_at(self, client));
		return;
	}
	umockdev_ioctl_client_complete(client, e ? -1 : res, e);
}

struct call {
	EmuUsbfs *self;
	UMockdevIoctlClient *client;
};

static gboolean call_cb(gpointer data)
{
	struct call *c = data;

	serve(c->self, c->client);
	return G_SOURCE_REMOVE;
}

static void call_free(gpointer data)
{
	struct call *c = data;

	g_object_unref(c->client);
	g_object_unref(c->self);
	g_free(c);
}

/*
 * On the board's thread (see emu_usbfs_attach); a client that reached the
 * handler through another context (umockdev's worker) is handed over.
 */
static gboolean emu_usbfs_handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client)
{
	EmuUsbfs *self = (EmuUsbfs *)base;
	struct call *c;

	if (g_main_context_is_owner(self->loop->ctx)) {
		serve(self, client);
		return TRUE;
	}
	if (g_atomic_int_get(&loops_stopped)) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	c = g_new(struct call, 1);
	c->self = g_object_ref((EmuUsbfs *)base);
	c->client = g_object_ref(client);
	g_main_context_invoke_full(c->self->loop->ctx, G_PRIORITY_DEFAULT, call_cb, c, call_free);
	/* c belongs to the board's context now: call_free frees it */
	/* cppcheck-suppress memleak */
	return TRUE;
}

static void emu_usbfs_class_init(EmuUsbfsClass *klass)
{
	UMockdevIoctlBaseClass *base = UMOCKDEV_IOCTL_BASE_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = emu_usbfs_finalize;
	base->handle_ioctl = emu_usbfs_handle_ioctl;
	base->client_connected = emu_usbfs_client_connected;
}

static void emu_usbfs_init(EmuUsbfs *self)
{
	g_queue_init(&self->urbs);
}

/*
 * Not g_main_loop_run(): a g_main_loop_quit() that comes before the thread
 * reaches g_main_loop_run() is lost (run sets the loop running again), and
 * emu_usbfs_stop() then waits for ever. That happens when the client exits
 * at once, e.g. on an image refused before any transfer. The stop flag is
 * read before every blocking iteration, and the stop's wakeup is kept by the
 * context until an iteration consumes it.
 */
static gpointer board_loop_run(gpointer data)
{
	struct board_loop *l = data;

	g_main_context_push_thread_default(l->ctx);
	g_main_context_acquire(l->ctx);
	while (!g_atomic_int_get(&loops_stopped))
		g_main_context_iteration(l->ctx, TRUE);
	g_main_context_release(l->ctx);
	g_main_context_pop_thread_default(l->ctx);
	return NULL;
}

/* Board @index's thread, started on its first enumeration (main thread). */
static struct board_loop *board_loop(unsigned index)
{
	struct board_loop *l = &loops[(index - 1) % EMU_MAX_BOARDS];
	char name[16];

	if (l->thread)
		return l;
	snprintf(name, sizeof(name), "usbfs-%u", index);
	l->ctx = g_main_context_new();
	l->thread = g_thread_new(name, board_loop_run, l);
	return l;
}

/*
 * The contexts stay: what is still attached to them (a client's pending
 * read, a deferred answer) is never dispatched again, and destroying it
 * under umockdev's feet would gain nothing at exit.
 */
void emu_usbfs_stop(void)
{
	g_atomic_int_set(&loops_stopped, 1);
	for (unsigned i = 0; i < EMU_MAX_BOARDS; i++) {
		struct board_loop *l = &loops[i];

		if (!l->thread)
			continue;
		g_main_context_wakeup(l->ctx);
		g_thread_join(l->thread);
		l->thread = NULL;
	}
}

/* Exported by libumockdev 0.17.16 but internal to its Vala API (no header):
 * umockdev-ioctl.vala, IoctlBase.register_path()/unregister_path(). */
void umockdev_ioctl_base_register_path(UMockdevIoctlBase *self, GMainContext *ctx,
				       const gchar *devnode, const gchar *sockpath);
void umockdev_ioctl_base_unregister_path(UMockdevIoctlBase *self, const gchar *devnode);

/*
 * umockdev_testbed_attach_ioctl() listens on umockdev's worker context. So a
 * stand-in handler is attached -- the testbed then knows the node has a
 * handler and never gives it its fallback -- and the board's handler takes
 * over the socket's path (the one umockdev's preload connects to,
 * $UMOCKDEV_DIR/ioctl/<devnode>) on the board's context. The stand-in keeps
 * listening, unreachable, on the unlinked socket until the detach stops it
 * (unregistering it twice is a GLib-CRITICAL in 0.17.16). Main thread,
 * before the node is added.
 */
gboolean emu_usbfs_attach(struct emu_usbfs *u, UMockdevTestbed *tb, const char *devnode,
			  GError **err)
{
	UMockdevIoctlBase *stand_in = g_object_new(UMOCKDEV_TYPE_IOCTL_BASE, NULL);
	gboolean ok = umockdev_testbed_attach_ioctl(tb, devnode, stand_in, err);
	char *root, *sock;

	g_object_unref(stand_in); /* the testbed keeps it until the detach */
	if (!ok)
		return FALSE;
	root = umockdev_testbed_get_root_dir(tb); /* a copy, the caller's to free */
	sock = g_build_filename(root, "ioctl", devnode, NULL);
	g_free(root);
	unlink(sock);
	umockdev_ioctl_base_register_path(&u->parent, u->loop->ctx, devnode, sock);
	g_free(sock);
	return TRUE;
}

/* The board left the bus: no new client for this handler (main thread). */
void emu_usbfs_detach(struct emu_usbfs *u, UMockdevTestbed *tb, const char *devnode)
{
	GError *err = NULL;

	umockdev_ioctl_base_unregister_path(&u->parent, devnode);
	if (!umockdev_testbed_detach_ioctl(tb, devnode, &err))
		g_clear_error(&err);
}

struct emu_usbfs *emu_usbfs_new(struct emu_board *b, unsigned generation)
{
	EmuUsbfs *self = g_object_new(emu_usbfs_get_type(), NULL);

	self->board = b;
	self->loop = board_loop(b->index);
	self->generation = generation;
	return self;
}

void emu_usbfs_gone(struct emu_usbfs *u)
{
	u->gone_ns = emu_now_ns();
	g_atomic_int_set(&u->gone, 1);
}

void emu_usbfs_unref(struct emu_usbfs *u)
{
	if (u)
		g_object_unref(u);
}

UMockdevIoctlBase *emu_usbfs_base(struct emu_usbfs *u)
{
	return &u->parent;
}
