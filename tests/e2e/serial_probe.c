/* SPDX-License-Identifier: MIT */
/*
 * e2e helper: what libserialport sees. One line per port:
 *   NAME VID:PID SERIAL BUS ADDRESS
 * With "open NAME", also open the port as a terminal program would.
 */
#include <libserialport.h>
#include <stdio.h>
#include <string.h>

static int list(void)
{
	struct sp_port **ports;

	if (sp_list_ports(&ports) != SP_OK) {
		fprintf(stderr, "sp_list_ports: %s\n", sp_last_error_message());
		return 1;
	}
	for (int i = 0; ports[i]; i++) {
		int vid = 0, pid = 0, bus = 0, addr = 0;
		const char *serial;

		if (sp_get_port_transport(ports[i]) != SP_TRANSPORT_USB)
			continue;
		sp_get_port_usb_vid_pid(ports[i], &vid, &pid);
		sp_get_port_usb_bus_address(ports[i], &bus, &addr);
		serial = sp_get_port_usb_serial(ports[i]);
		printf("%s %04x:%04x %s %d %d\n", sp_get_port_name(ports[i]), vid, pid,
		       serial ? serial : "-", bus, addr);
	}
	sp_free_port_list(ports);
	return 0;
}

static int open_port(const char *name)
{
	struct sp_port *port;

	if (sp_get_port_by_name(name, &port) != SP_OK ||
	    sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
		fprintf(stderr, "cannot open %s: %s\n", name, sp_last_error_message());
		return 1;
	}
	if (sp_set_baudrate(port, 115200) != SP_OK || sp_set_dtr(port, SP_DTR_ON) != SP_OK) {
		fprintf(stderr, "cannot configure %s: %s\n", name, sp_last_error_message());
		return 1;
	}
	if (sp_blocking_write(port, "hello", 5, 1000) != 5) {
		fprintf(stderr, "cannot write to %s\n", name);
		return 1;
	}
	sp_close(port);
	sp_free_port(port);
	printf("opened %s\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "open") == 0)
		return open_port(argv[2]);
	return list();
}
