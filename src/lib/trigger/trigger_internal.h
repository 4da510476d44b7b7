/* SPDX-License-Identifier: MIT */
#ifndef STDFU_TRIGGER_INTERNAL_H
#define STDFU_TRIGGER_INTERNAL_H

#include <stdfu/trigger.h>

/* trigger_port.c: a program other than us holding the tty we opened as @fd. */
int stdfu__port_holder_fd(int fd, char *who, size_t cap);

/* trigger_method.c: deliver the trigger. The byte method leaves the port open
 * in *keep (close it with stdfu__trigger_port_close) so that the host stays
 * silent, port open, for the protocol's post-silence window. */
struct sp_port;
/*
 * The byte is sent again this long after the first one if the board has not
 * left the bus by then. A companion honours a byte at the latest
 * STDFU_TRIGGER_SILENCE_MS + STDFU_TRIGGER_POLL_PERIOD_MS (110 ms) after it
 * arrives, and then resets at once; the rest is margin for the host to see
 * the board leave. A second byte can only help: the first one's window is
 * over, and a board already resetting never reads it.
 */
#define STDFU_TRIGGER_RESEND_MS 250u
int stdfu__trigger_send(struct stdfu_ctx *ctx, enum stdfu_trigger_method method,
			const struct stdfu_app_port *app, int trigger_byte, const char *text,
			struct sp_port **keep);
int stdfu__trigger_send_byte(const char *port, uint8_t byte, struct sp_port **keep);
int stdfu__trigger_send_touch(const char *port);
void stdfu__trigger_port_close(struct sp_port *port);
/* Open a port as the methods do: refused, by name, if another program holds it. */
int stdfu__trigger_port_open(const char *name, struct sp_port **out);

#endif
