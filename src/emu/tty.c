/* SPDX-License-Identifier: MIT */
/*
 * /dev/ttyACMn of the application device: a pty whose master end the
 * testbed holds. This file plays the kernel's cdc_acm driver: what the host
 * does to the tty becomes what the firmware would see on USB.
 *   - write(): each chunk the host writes reaches emu_app_rx();
 *   - baud / format (tcsetattr goes straight to the pty, glibc bypasses the
 *     preload): the termios of the pty is compared at every event and every
 *     EMU_TTY_POLL_MS, and a change is sent as SET_LINE_CODING;
 *   - DTR/RTS: TIOCMSET/TIOCMBIS/TIOCMBIC are emulated (a pty has no modem
 *     lines; umockdev 0.17.16 fails every tty ioctl, see umockdev-notes.md)
 *     and sent as SET_CONTROL_LINE_STATE; the first open raises DTR|RTS and
 *     the last close drops them when HUPCL is set, as drivers/tty/tty_port.c
 *     does.
 * Opens and closes follow open file descriptions, as the kernel counts them:
 * an open is an umockdev client connecting (one per open() of the node); the
 * last close is the pty master reporting a hang-up, which Linux does once no
 * file description of the slave is left. umockdev's clients are per fd and
 * vanish at the first close() of a dup()ed description (GNU stty -F opens,
 * dup2()s onto stdin and closes the original), so they cannot stand for it.
 * Every other ioctl runs on the real pty (umockdev_ioctl_client_execute).
 */
#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define EMU_TTY_POLL_MS 10

struct emu_tty {
	UMockdevIoctlBase parent;
	struct emu_board *board;
	int master_fd;
	guint watch, poll_timer, app_timer;
	bool slave_open;     /* a file description of the slave is open (board lock) */
	struct termios last; /* termios last turned into SET_LINE_CODING */
	bool have_last;
};

typedef struct emu_tty EmuTty;
typedef struct {
	UMockdevIoctlBaseClass parent_class;
} EmuTtyClass;

GType emu_tty_get_type(void);
G_DEFINE_TYPE(EmuTty, emu_tty, UMOCKDEV_TYPE_IOCTL_BASE)

static void schedule_app_poll(EmuTty *t);
static gboolean rx_cb(gint fd, GIOCondition cond, gpointer data);
static bool master_hung_up(const EmuTty *t);

static void act(EmuTty *t, const struct emu_reply *r)
{
	if (r->event == EMU_EVENT_RESET)
		emu_board_enter_rom(t->board);
	schedule_app_poll(t);
}

static void app_control(EmuTty *t, uint8_t req, uint16_t value, uint8_t *data, uint16_t len,
			struct emu_reply *r)
{
	struct emu_setup s = {0x21, req, value, 0, len};

	emu_board_control(t->board, &s, data, len, emu_now_ns(), r);
}

static uint32_t speed_to_baud(speed_t sp)
{
	static const struct {
		speed_t sp;
		uint32_t baud;
	} map[] = {
		{B0, 0},	   {B50, 50},		{B75, 75},	     {B110, 110},
		{B134, 134},	   {B150, 150},		{B200, 200},	     {B300, 300},
		{B600, 600},	   {B1200, 1200},	{B1800, 1800},	     {B2400, 2400},
		{B4800, 4800},	   {B9600, 9600},	{B19200, 19200},     {B38400, 38400},
		{B57600, 57600},   {B115200, 115200},	{B230400, 230400},   {B460800, 460800},
		{B921600, 921600}, {B1000000, 1000000}, {B2000000, 2000000},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		if (map[i].sp == sp)
			return map[i].baud;
	}
	return 0;
}

/* Board lock held. Send SET_LINE_CODING if the host changed the termios. */
static void sync_line_coding(EmuTty *t, struct emu_reply *r)
{
	struct termios tio;
	uint8_t lc[7];
	uint32_t baud;
	unsigned bits;

	memset(r, 0, sizeof(*r));
	/* cdc_acm sends the line coding while the tty is open (open, set_termios) */
	if (!t->slave_open || t->master_fd < 0 || t->board->kind != EMU_DEV_APP ||
	    tcgetattr(t->master_fd, &tio) < 0)
		return;
	if (t->have_last && cfgetospeed(&tio) == cfgetospeed(&t->last) &&
	    (tio.c_cflag & (CSIZE | PARENB | PARODD | CSTOPB)) ==
		    (t->last.c_cflag & (CSIZE | PARENB | PARODD | CSTOPB)))
		return;
	t->last = tio;
	t->have_last = true;
	baud = speed_to_baud(cfgetospeed(&tio));
	switch (tio.c_cflag & CSIZE) {
	case CS5:
		bits = 5;
		break;
	case CS6:
		bits = 6;
		break;
	case CS7:
		bits = 7;
		break;
	default:
		bits = 8;
		break;
	}
	lc[0] = (uint8_t)baud;
	lc[1] = (uint8_t)(baud >> 8);
	lc[2] = (uint8_t)(baud >> 16);
	lc[3] = (uint8_t)(baud >> 24);
	lc[4] = (tio.c_cflag & CSTOPB) ? 2 : 0;
	lc[5] = (tio.c_cflag & PARENB) ? ((tio.c_cflag & PARODD) ? 1 : 2) : 0;
	lc[6] = (uint8_t)bits;
	app_control(t, EMU_CDC_SET_LINE_CODING, 0, lc, sizeof(lc), r);
}

/* Board lock held. */
static void set_ctrl(EmuTty *t, uint16_t ctrl, struct emu_reply *r)
{
	memset(r, 0, sizeof(*r));
	if (t->board->kind != EMU_DEV_APP)
		return;
	if (emu_app_line(t->board->app)->ctrl == ctrl)
		return;
	app_control(t, EMU_CDC_SET_CONTROL_LINE_STATE, ctrl, NULL, 0, r);
}

struct tty_event {
	EmuTty *tty;
	struct emu_reply r1, r2;
};

static gboolean act_idle(gpointer data)
{
	struct tty_event *ev = data;

	act(ev->tty, &ev->r1);
	act(ev->tty, &ev->r2);
	g_object_unref(ev->tty);
	g_free(ev);
	return G_SOURCE_REMOVE;
}

/* From the worker thread: act on the replies in the main loop. */
static void act_from_worker(EmuTty *t, const struct emu_reply *r1, const struct emu_reply *r2)
{
	struct tty_event *ev = g_new0(struct tty_event, 1);

	ev->tty = g_object_ref(t);
	ev->r1 = *r1;
	ev->r2 = *r2;
	g_main_context_invoke(NULL, act_idle, ev);
	/* ev belongs to the invocation now: act_idle frees it */
	/* cppcheck-suppress memleak */
}

static int modem_ioctl(EmuTty *t, unsigned long req, UMockdevIoctlClient *client)
{
	struct emu_board *b = t->board;
	struct emu_reply r1, r2;
	GError *err = NULL;
	UMockdevIoctlData *d;
	int bits, *p;
	uint16_t ctrl;

	d = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, sizeof(int),
					&err);
	if (!d) {
		g_clear_error(&err);
		return EFAULT;
	}
	g_object_unref(d); /* the argument keeps it alive until completion */
	/* cppcheck-suppress deallocuse ; borrowed: the parent argument holds d */
	p = (int *)d->data;
	g_mutex_lock(&b->lock);
	ctrl = b->kind == EMU_DEV_APP ? emu_app_line(b->app)->ctrl : 0;
	bits = ((ctrl & EMU_APP_CTRL_DTR) ? TIOCM_DTR : 0) |
	       ((ctrl & EMU_APP_CTRL_RTS) ? TIOCM_RTS : 0);
	if (req == TIOCMGET) {
		/* no serial-state notification from the app: DCD/DSR/RI low,
		 * CTS high as cdc_acm reports it */
		*p = bits | TIOCM_CTS;
		g_mutex_unlock(&b->lock);
		return 0;
	}
	if (req == TIOCMSET)
		bits = *p;
	else if (req == TIOCMBIS)
		bits |= *p;
	else
		bits &= ~*p;
	sync_line_coding(t, &r1);
	set_ctrl(t,
		 (uint16_t)(((bits & TIOCM_DTR) ? EMU_APP_CTRL_DTR : 0) |
			    ((bits & TIOCM_RTS) ? EMU_APP_CTRL_RTS : 0)),
		 &r2);
	g_mutex_unlock(&b->lock);
	act_from_worker(t, &r1, &r2);
	return 0;
}

static gboolean emu_tty_handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client)
{
	EmuTty *t = (EmuTty *)base;
	unsigned long req = umockdev_ioctl_client_get_request(client);
	GError *err = NULL;
	int res, e = 0;

	switch (req) {
	case TIOCMGET:
	case TIOCMSET:
	case TIOCMBIS:
	case TIOCMBIC:
		e = modem_ioctl(t, req, client);
		umockdev_ioctl_client_complete(client, e ? -1 : 0, e);
		return TRUE;
	default:
		break;
	}
	res = umockdev_ioctl_client_execute(client, &e, &err);
	if (err) {
		g_clear_error(&err);
		res = -1;
		e = EIO;
	}
	umockdev_ioctl_client_complete(client, res, res < 0 ? e : 0);
	return TRUE;
}

/*
 * Board lock held. The first open of the tty: tty_port_block_til_ready()
 * raises DTR and RTS, and cdc_acm sends the line coding.
 */
static void first_open(EmuTty *t, struct emu_reply *r1, struct emu_reply *r2)
{
	memset(r1, 0, sizeof(*r1));
	memset(r2, 0, sizeof(*r2));
	if (t->slave_open)
		return;
	t->slave_open = true;
	t->have_last = false;
	set_ctrl(t, EMU_APP_CTRL_DTR | EMU_APP_CTRL_RTS, r2);
	sync_line_coding(t, r1);
}

/* Main thread: from an open on, watch the master for data and the hang-up. */
static gboolean ensure_watch(gpointer data)
{
	EmuTty *t = data;

	if (!t->watch && t->master_fd >= 0)
		t->watch = g_unix_fd_add(t->master_fd, G_IO_IN | G_IO_HUP, rx_cb, t);
	g_object_unref(t);
	return G_SOURCE_REMOVE;
}

/*
 * Worker thread: one open() of /dev/ttyACMn (the preload connects after the
 * real open, so the slave is open by now). Acted on here, before any ioctl of
 * this client: libserialport clears HUPCL and drops DTR with TIOCMBIC, which
 * must find DTR raised by the open. The client may close again before the
 * main loop starts watching; the watch then meets the hang-up at once.
 */
static void emu_tty_client_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client)
{
	EmuTty *t = (EmuTty *)base;
	struct emu_board *b = t->board;
	struct emu_reply r1, r2;

	(void)client;
	g_mutex_lock(&b->lock);
	first_open(t, &r1, &r2);
	g_mutex_unlock(&b->lock);
	g_main_context_invoke(NULL, ensure_watch, g_object_ref(t));
	act_from_worker(t, &r1, &r2);
}

/*
 * Main thread, the master reported a hang-up: the last close. Every file
 * description of the slave is gone, so whatever the host set before closing
 * (stty sets the speed and HUPCL, then closes) is in the termios. The line
 * coding goes first, then DTR and RTS drop if HUPCL is set: that is the
 * 1200-baud touch of `stty -F DEV 1200`. If a new open got in between (the
 * slave is no longer hung up, its client already counted while we still
 * counted the old one open), that is a close and an open: the lines drop
 * and rise again. Returns true if the slave stays closed.
 */
static bool last_close(EmuTty *t)
{
	struct emu_board *b = t->board;
	struct emu_reply r1, r2, r3, r4;
	struct termios tio;
	bool closed;

	memset(&r2, 0, sizeof(r2));
	memset(&r3, 0, sizeof(r3));
	memset(&r4, 0, sizeof(r4));
	g_mutex_lock(&b->lock);
	if (!t->slave_open) { /* a stale watch: the close was already acted on */
		g_mutex_unlock(&b->lock);
		return true;
	}
	sync_line_coding(t, &r1);
	t->slave_open = false;
	if (tcgetattr(t->master_fd, &tio) == 0 && (tio.c_cflag & HUPCL))
		set_ctrl(t, 0, &r2);
	closed = master_hung_up(t);
	if (!closed)
		first_open(t, &r3, &r4);
	g_mutex_unlock(&b->lock);
	act(t, &r1);
	act(t, &r2);
	act(t, &r3);
	act(t, &r4);
	return closed;
}

/* Linux: POLLHUP on the master while no file description of the slave is open. */
static bool master_hung_up(const EmuTty *t)
{
	struct pollfd p = {t->master_fd, POLLIN, 0};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

static gboolean app_poll_cb(gpointer data)
{
	EmuTty *t = data;
	struct emu_board *b = t->board;
	struct emu_reply r;

	t->app_timer = 0;
	memset(&r, 0, sizeof(r));
	g_mutex_lock(&b->lock);
	if (b->kind == EMU_DEV_APP)
		emu_app_poll(b->app, emu_now_ns(), &r);
	g_mutex_unlock(&b->lock);
	act(t, &r);
	return G_SOURCE_REMOVE;
}

/* Main thread: arm a timer for the application's next deadline. */
static void schedule_app_poll(EmuTty *t)
{
	struct emu_board *b = t->board;
	uint64_t deadline = 0, now = emu_now_ns();

	g_mutex_lock(&b->lock);
	if (b->kind == EMU_DEV_APP)
		deadline = emu_app_deadline_ns(b->app);
	g_mutex_unlock(&b->lock);
	if (t->app_timer) {
		g_source_remove(t->app_timer);
		t->app_timer = 0;
	}
	if (!deadline)
		return;
	t->app_timer = g_timeout_add(
		deadline > now ? (guint)((deadline - now + 999999) / 1000000) : 0, app_poll_cb, t);
}

static gboolean schedule_cb(gpointer data)
{
	schedule_app_poll(data);
	return G_SOURCE_REMOVE;
}

void emu_tty_schedule_poll(struct emu_tty *t)
{
	if (t)
		g_main_context_invoke(NULL, schedule_cb, t);
}

static gboolean termios_poll_cb(gpointer data)
{
	EmuTty *t = data;
	struct emu_board *b = t->board;
	struct emu_reply r;

	g_mutex_lock(&b->lock);
	sync_line_coding(t, &r);
	g_mutex_unlock(&b->lock);
	act(t, &r);
	return G_SOURCE_CONTINUE;
}

/* One chunk the host wrote (one read() of the master). Main thread. */
static void rx_chunk(EmuTty *t, const uint8_t *buf, ssize_t n)
{
	struct emu_board *b = t->board;
	struct emu_reply r1, r2;
	uint8_t answer[EMU_PERSONA_OUT_MAX];
	size_t n_answer = 0;

	memset(&r2, 0, sizeof(r2));
	g_mutex_lock(&b->lock);
	sync_line_coding(t, &r1);
	/* one read() = one chunk: close to one CDC OUT transfer for the short
	 * writes a trigger makes; bytes sent while the app is off the bus are lost */
	if (b->kind == EMU_DEV_APP) {
		b->last_rx_ns = emu_now_ns();
		emu_app_rx(b->app, buf, (size_t)n, b->last_rx_ns, &r2);
		b->app_stats.bytes_down += (uint64_t)n;
		n_answer = emu_app_tx_take(b->app, answer, sizeof(answer));
		if (b->ctx->opt.verbose)
			fprintf(stderr, "stdfu-emu: board %u app: tty rx %zd bytes, first 0x%02x\n",
				b->index, n, buf[0]);
	}
	g_mutex_unlock(&b->lock);
	/* the application's answer (data IN) goes back up the tty */
	emu_tty_write(t, answer, n_answer);
	act(t, &r1);
	act(t, &r2);
}

/*
 * Main thread: the master while the slave is open. Linux reports POLLHUP on
 * the master, and read() fails with EIO once the data is drained, when the
 * last file description of the slave is closed: bytes written before the
 * close arrive first, then the close is acted on and the watch stops (a
 * hung-up master stays ready; the next open starts a new watch). The
 * testbed never opens the slave itself: a busy-port check must not see us.
 */
static gboolean rx_cb(gint fd, GIOCondition cond, gpointer data)
{
	EmuTty *t = data;
	uint8_t buf[4096];
	ssize_t n;

	(void)cond;
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		rx_chunk(t, buf, n);
		return G_SOURCE_CONTINUE;
	}
	if ((n < 0 && (errno == EAGAIN || errno == EINTR)) || !last_close(t))
		return G_SOURCE_CONTINUE;
	t->watch = 0;
	return G_SOURCE_REMOVE;
}

void emu_tty_start(struct emu_tty *t, int master_fd)
{
	struct termios tio;

	if (master_fd < 0 || t->master_fd >= 0)
		return;
	t->master_fd = master_fd;
	/* raw, like a USB CDC endpoint: no echo, no line discipline games */
	if (tcgetattr(master_fd, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetspeed(&tio, B115200);
		tcsetattr(master_fd, TCSANOW, &tio);
	}
	g_unix_set_fd_nonblocking(master_fd, TRUE, NULL);
	t->poll_timer = g_timeout_add(EMU_TTY_POLL_MS, termios_poll_cb, t);
}

void emu_tty_write(struct emu_tty *t, const uint8_t *buf, size_t len)
{
	if (t->master_fd >= 0 && write(t->master_fd, buf, len) < 0)
		g_warning("board %u: tty write: %s", t->board->index, g_strerror(errno));
}

static void emu_tty_class_init(EmuTtyClass *klass)
{
	UMockdevIoctlBaseClass *base = UMOCKDEV_IOCTL_BASE_CLASS(klass);

	base->handle_ioctl = emu_tty_handle_ioctl;
	base->client_connected = emu_tty_client_connected;
}

static void emu_tty_init(EmuTty *t)
{
	t->master_fd = -1;
}

struct emu_tty *emu_tty_new(struct emu_board *b)
{
	EmuTty *t = g_object_new(emu_tty_get_type(), NULL);

	t->board = b;
	return t;
}

UMockdevIoctlBase *emu_tty_base(struct emu_tty *t)
{
	return &t->parent;
}

void emu_tty_free(struct emu_tty *t)
{
	if (!t)
		return;
	if (t->watch)
		g_source_remove(t->watch);
	if (t->poll_timer)
		g_source_remove(t->poll_timer);
	if (t->app_timer)
		g_source_remove(t->app_timer);
	g_object_unref(t);
}
