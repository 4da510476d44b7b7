/* SPDX-License-Identifier: MIT */
/*
 * The testbed's uevents, sent to every client's udev monitor socket.
 *
 * Each client process binds its monitor socket to a name of its own in
 * ctx->uevent_dir (client_preload.c). This file plays the udev daemon: a
 * message in libudev's monitor format (a "libudev" header, then the
 * NUL-separated KEY=VALUE properties; systemd's sd-device/device-monitor.c,
 * device_monitor_send_device(), which umockdev's uevent_sender.c mirrors) is
 * sent to each socket in the directory.
 *
 * umockdev 0.17.16's own sender (umockdev_testbed_uevent) is not used: it
 * connect()s, then sendmsg()s, and abort()s on any sendmsg error, so a client
 * closing its monitor between the two ("uevent_sender sendmsg_one: sendmsg
 * failed: Connection refused", SIGABRT), or a client that has 10 unread
 * events (net.unix.max_dgram_qlen, "Resource temporarily unavailable"),
 * kills the emulator. Here each client has a socket connected to its own, and
 * a queue: a message its full socket cannot take waits there, sent when poll()
 * says there is room, in order. Nothing blocks the main loop, so a client
 * that does not read delays no one else; one that closes is forgotten.
 */
#include "emu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Per client; a burst of 32 boards re-enumerating is about 200. */
#define EMU_UEVENT_MAX_PENDING 4096u
#define UDEV_MONITOR_MAGIC     0xfeedcafeu

/* libudev's monitor header (device-monitor.c, struct monitor_netlink_header). */
struct monitor_header {
	/* cppcheck-suppress unusedStructMember */
	char prefix[8]; /* "libudev" */
	uint32_t magic; /* network order */
	uint32_t header_size;
	uint32_t properties_off;
	uint32_t properties_len;
	uint32_t filter_subsystem_hash; /* network order */
	uint32_t filter_devtype_hash;	/* network order */
	/* cppcheck-suppress unusedStructMember */
	uint32_t filter_tag_bloom_hi; /* tags: none are sent */
	/* cppcheck-suppress unusedStructMember */
	uint32_t filter_tag_bloom_lo;
};

/*
 * MurmurHash2 (Austin Appleby, public domain) with seed 0: what libudev's
 * socket filter compares the subsystem and devtype against
 * (string_hash32() in device-monitor.c).
 */
static uint32_t murmur2(const char *s)
{
	const uint32_t m = 0x5bd1e995u;
	size_t len = strlen(s);
	uint32_t h = (uint32_t)len;
	const unsigned char *p = (const unsigned char *)s;

	for (; len >= 4; len -= 4, p += 4) {
		uint32_t k;

		memcpy(&k, p, 4); /* host order, as libudev reads it */
		k *= m;
		k ^= k >> 24;
		k *= m;
		h = h * m ^ k;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
		break;
	default:
		break;
	}
	h ^= h >> 13;
	h *= m;
	return h ^ h >> 15;
}

/* A client's monitor socket, as this side sees it. */
struct emu_uevent_client {
	struct emu_ctx *ctx;
	char *name;	/* in ctx->uevent_dir */
	ino_t ino;	/* of the socket bound there when it was connected */
	int fd;		/* connected to it */
	GQueue pending; /* GBytes: messages its full queue could not take yet */
	guint watch;	/* G_IO_OUT while pending */
	bool seen, gone, warned;
};

static void client_free(gpointer data)
{
	struct emu_uevent_client *c = data;

	if (c->watch)
		g_source_remove(c->watch);
	g_queue_clear_full(&c->pending, (GDestroyNotify)g_bytes_unref);
	if (c->fd >= 0)
		close(c->fd);
	g_free(c->name);
	g_free(c);
}

int emu_uevent_init(struct emu_ctx *ctx, char *err, size_t errlen)
{
	ctx->uevent_dir = g_build_filename(ctx->root_dir, "stdfu-uevent", NULL);
	ctx->uevent_clients = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, client_free);
	if (g_mkdir_with_parents(ctx->uevent_dir, 0755) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", ctx->uevent_dir, g_strerror(errno));
		return -1;
	}
	return 0;
}

void emu_uevent_fini(struct emu_ctx *ctx)
{
	if (ctx->uevent_clients)
		g_hash_table_destroy(ctx->uevent_clients);
	ctx->uevent_clients = NULL;
	g_free(ctx->uevent_dir);
	ctx->uevent_dir = NULL;
}

/* Send what waits; false when the client is gone. */
static bool client_flush(struct emu_uevent_client *c)
{
	GBytes *m;

	while ((m = g_queue_peek_head(&c->pending)) != NULL) {
		gsize len;
		const void *buf = g_bytes_get_data(m, &len);

		if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			return errno == EAGAIN || errno == EINTR;
		g_bytes_unref(g_queue_pop_head(&c->pending));
	}
	return true;
}

static gboolean client_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct emu_uevent_client *c = data;

	(void)fd;
	(void)cond;
	if (client_flush(c) && !g_queue_is_empty(&c->pending))
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	if (!g_queue_is_empty(&c->pending)) /* it closed its monitor */
		g_hash_table_remove(c->ctx->uevent_clients, c->name);
	return G_SOURCE_REMOVE;
}

static void client_send(struct emu_uevent_client *c, GBytes *msg)
{
	if (g_queue_get_length(&c->pending) >= EMU_UEVENT_MAX_PENDING) {
		if (!c->warned)
			fprintf(stderr,
				"stdfu-emu: client %s has not read %u uevents: dropping the "
				"newer ones\n",
				c->name, EMU_UEVENT_MAX_PENDING);
		c->warned = true;
		return;
	}
	g_queue_push_tail(&c->pending, g_bytes_ref(msg));
	if (c->watch)
		return;
	if (!client_flush(c)) {
		c->gone = true;
		return;
	}
	if (!g_queue_is_empty(&c->pending))
		c->watch = g_unix_fd_add(c->fd, G_IO_OUT, client_writable, c);
}

/* Connect to the socket @name; NULL if nobody listens there any more. */
static struct emu_uevent_client *client_new(struct emu_ctx *ctx, const char *name, ino_t ino)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct emu_uevent_client *c;
	int fd, n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", ctx->uevent_dir, name);

	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return NULL;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		/* ECONNREFUSED: a closed monitor's name (its process exited) */
		if (errno == ECONNREFUSED)
			unlink(sa.sun_path);
		close(fd);
		return NULL;
	}
	c = g_new0(struct emu_uevent_client, 1);
	c->ctx = ctx;
	c->name = g_strdup(name);
	c->ino = ino;
	c->fd = fd;
	g_queue_init(&c->pending);
	return c;
}

static gboolean unseen_or_gone(gpointer key, gpointer value, gpointer data)
{
	const struct emu_uevent_client *c = value;

	(void)key;
	(void)data;
	return !c->seen || c->gone;
}

/* The clients now: every socket in uevent_dir (a new one under a known name
 * is a new client: a process reopened its monitor). */
static void scan_clients(struct emu_ctx *ctx)
{
	GHashTableIter it;
	gpointer v;
	GDir *dir = g_dir_open(ctx->uevent_dir, 0, NULL);
	const char *name;

	g_hash_table_iter_init(&it, ctx->uevent_clients);
	while (g_hash_table_iter_next(&it, NULL, &v))
		((struct emu_uevent_client *)v)->seen = false;
	while (dir && (name = g_dir_read_name(dir)) != NULL) {
		char *path = g_build_filename(ctx->uevent_dir, name, NULL);
		struct emu_uevent_client *c = g_hash_table_lookup(ctx->uevent_clients, name);
		struct stat st;

		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
			if (c && c->ino != st.st_ino) {
				g_hash_table_remove(ctx->uevent_clients, name);
				c = NULL;
			}
			if (!c) {
				c = client_new(ctx, name, st.st_ino);
				if (c)
					g_hash_table_insert(ctx->uevent_clients, c->name, c);
			}
			if (c)
				c->seen = true;
		}
		g_free(path);
	}
	if (dir)
		g_dir_close(dir);
	g_hash_table_foreach_remove(ctx->uevent_clients, unseen_or_gone, NULL);
}

/* One message to every client. */
static void send_all(struct emu_ctx *ctx, const char *props, size_t len, const char *subsystem,
		     const char *devtype)
{
	struct monitor_header h = {.prefix = "libudev"};
	GByteArray *buf = g_byte_array_sized_new((guint)(sizeof(h) + len));
	GBytes *msg;
	GHashTableIter it;
	gpointer v;

	h.magic = htonl(UDEV_MONITOR_MAGIC);
	h.header_size = sizeof(h);
	h.properties_off = sizeof(h);
	h.properties_len = (uint32_t)len;
	h.filter_subsystem_hash = htonl(murmur2(subsystem));
	if (devtype)
		h.filter_devtype_hash = htonl(murmur2(devtype));
	g_byte_array_append(buf, (const guint8 *)&h, sizeof(h));
	g_byte_array_append(buf, (const guint8 *)props, (guint)len);
	msg = g_byte_array_free_to_bytes(buf);
	scan_clients(ctx);
	g_hash_table_iter_init(&it, ctx->uevent_clients);
	while (g_hash_table_iter_next(&it, NULL, &v))
		client_send(v, msg);
	g_hash_table_foreach_remove(ctx->uevent_clients, unseen_or_gone, NULL);
	g_bytes_unref(msg);
}

/* Append KEY=VALUE and its NUL. */
static void prop(GString *p, const char *key, const char *val, size_t vlen)
{
	g_string_append(p, key);
	g_string_append_c(p, '=');
	g_string_append_len(p, val, (gssize)vlen);
	g_string_append_c(p, '\0');
}

/*
 * One paragraph of a umockdev record ("P: path" then "E: KEY=VALUE" lines up
 * to an empty line): its uevent, with the properties the kernel's uevent file
 * has plus ACTION, DEVPATH and SEQNUM, which libudev requires.
 */
static void send_paragraph(struct emu_ctx *ctx, const char *par, size_t len, const char *action)
{
	GString *p = g_string_new(NULL);
	char *subsystem = NULL, *devtype = NULL, seq[24];
	const char *end = par + len, *line = par;

	prop(p, "ACTION", action, strlen(action));
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		const char *eq = memchr(line, '=', (size_t)(le - line));

		if (le - line > 3 && strncmp(line, "P: ", 3) == 0)
			prop(p, "DEVPATH", line + 3, (size_t)(le - line - 3));
		if (le - line > 3 && strncmp(line, "E: ", 3) == 0 && eq) {
			char *key = g_strndup(line + 3, (gsize)(eq - line - 3));

			prop(p, key, eq + 1, (size_t)(le - eq - 1));
			if (strcmp(key, "SUBSYSTEM") == 0)
				subsystem = g_strndup(eq + 1, (gsize)(le - eq - 1));
			if (strcmp(key, "DEVTYPE") == 0)
				devtype = g_strndup(eq + 1, (gsize)(le - eq - 1));
			g_free(key);
		}
		line = le + 1;
	}
	snprintf(seq, sizeof(seq), "%llu", ++ctx->uevent_seqnum);
	prop(p, "SEQNUM", seq, strlen(seq));
	if (subsystem)
		send_all(ctx, p->str, p->len, subsystem, devtype);
	g_free(subsystem);
	g_free(devtype);
	g_string_free(p, TRUE);
}

void emu_uevent_send_record(struct emu_ctx *ctx, const char *record, const char *action,
			    bool reverse)
{
	GPtrArray *pars = g_ptr_array_new();
	const char *p = record;

	/* paragraphs start with "P: " at the start of a line */
	while ((p = strstr(p, "P: ")) != NULL) {
		if (p == record || p[-1] == '\n')
			g_ptr_array_add(pars, (gpointer)p);
		p += 3;
	}
	for (guint i = 0; i < pars->len; i++) {
		guint k = reverse ? pars->len - 1 - i : i;
		const char *start = g_ptr_array_index(pars, k);
		const char *stop = strstr(start, "\n\n");
		size_t len = stop ? (size_t)(stop - start) : strlen(start);

		send_paragraph(ctx, start, len, action);
	}
	g_ptr_array_free(pars, TRUE);
}
