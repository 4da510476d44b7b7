/* SPDX-License-Identifier: MIT */
/*
 * The serial port as every trigger method opens it: read-write, refused by
 * name when another program holds it (a reader would eat or interleave with
 * the trigger), and closed without caring whether the board already reset.
 */
#include <errno.h>
#include <libserialport.h>

#include "common/error_internal.h"
#include "trigger/trigger_internal.h"

/* sp_open failed: say why in terms the user can act on. */
static int open_error(const char *port)
{
	int err = sp_last_error_code();

	if (err == EACCES || err == EPERM) {
		stdfu__fail(STDFU_ERR_ACCESS,
			    "cannot open %s: permission denied; add yourself to the group "
			    "owning it (usually 'dialout': sudo usermod -aG dialout $USER, "
			    "then log in again)",
			    port);
		stdfu__cause(STDFU_CAUSE_PORT_DENIED, port);
		return STDFU_ERR_ACCESS;
	}
	if (err == EBUSY) {
		char who[96];

		int rc;

		if (stdfu_port_holder(port, who, sizeof(who)) > 0) {
			rc = stdfu__fail(STDFU_ERR_BUSY,
					 "%s is held open by %s: close that program (a serial "
					 "terminal, ModemManager?) and try again",
					 port, who);
			stdfu__cause(STDFU_CAUSE_PORT_HELD, who);
			return rc;
		}
		rc = stdfu__fail(STDFU_ERR_BUSY,
				 "%s is in exclusive use by another program: close it and "
				 "try again",
				 port);
		stdfu__cause(STDFU_CAUSE_PORT_EXCL, port);
		return rc;
	}
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return stdfu__fail(STDFU_ERR_NO_DEVICE, "%s went away before the trigger", port);
	return stdfu__fail(STDFU_ERR_IO, "cannot open %s: %s", port, sp_last_error_message());
}

/* Open @name read-write and refuse if another program holds it too. */
int stdfu__trigger_port_open(const char *name, struct sp_port **out)
{
	struct sp_port *sp;
	char who[96];
	int fd = -1;

	*out = NULL;
	if (sp_get_port_by_name(name, &sp) != SP_OK)
		return stdfu__fail(STDFU_ERR_NO_DEVICE, "serial port %s not found", name);
	if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
		int r = open_error(name);

		sp_free_port(sp);
		return r;
	}
	/* Another reader would eat or interleave with our byte: refuse, by name. */
	if (sp_get_port_handle(sp, &fd) == SP_OK &&
	    stdfu__port_holder_fd(fd, who, sizeof(who)) > 0) {
		sp_close(sp);
		sp_free_port(sp);
		stdfu__fail(STDFU_ERR_BUSY,
			    "%s is held open by %s: close that program (a serial terminal, "
			    "ModemManager?) and try again; a trigger sent now could be "
			    "read by it, or mixed with its traffic",
			    name, who);
		stdfu__cause(STDFU_CAUSE_PORT_HELD, who);
		return STDFU_ERR_BUSY;
	}
	*out = sp;
	return STDFU_OK;
}

void stdfu__trigger_port_close(struct sp_port *port)
{
	if (!port)
		return;
	/* The device may already have reset: a failing close is expected. */
	sp_close(port);
	sp_free_port(port);
}
