/* SPDX-License-Identifier: MIT */
/* Host fake of the companion's port layer: records what the hardware would have seen. */
#ifndef STDFU_FW_FAKE_PORT_H
#define STDFU_FW_FAKE_PORT_H

#include <stdint.h>
#include "stdfu_fw.h"

enum fake_event { EV_STORE = 1, EV_CLEAN, EV_HOOK, EV_RESET, EV_ROM };

struct fake_port {
	struct stdfu_fw_record record;
	int events[32];
	int n_events;
	int resets;
	int reset_cause; /* what stdfu_fw_port_reset_cause() answers */
	int rom_entries;
	int cleans;
	uint32_t clean_len;
};

extern struct fake_port fake;

void fake_port_reset(void);
void fake_port_log(int ev);

#endif
