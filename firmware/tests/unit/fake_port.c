/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "fake_port.h"
#include "stdfu_fw_port.h"

struct fake_port fake;

void fake_port_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

void fake_port_log(int ev)
{
	if (fake.n_events < (int)(sizeof(fake.events) / sizeof(fake.events[0])))
		fake.events[fake.n_events++] = ev;
}

volatile struct stdfu_fw_record *stdfu_fw_port_record(void)
{
	return &fake.record;
}

void stdfu_fw_port_store_pair(volatile uint32_t *dst, uint32_t lo, uint32_t hi)
{
	dst[0] = lo;
	dst[1] = hi;
	fake_port_log(EV_STORE);
}

void stdfu_fw_port_dcache_clean(const volatile void *addr, uint32_t len)
{
	(void)addr;
	fake.cleans++;
	fake.clean_len = len;
	fake_port_log(EV_CLEAN);
}

void stdfu_fw_port_system_reset(void)
{
	fake.resets++;
	fake_port_log(EV_RESET);
}

int stdfu_fw_port_reset_cause(void)
{
	return fake.reset_cause;
}

void stdfu_fw_port_enter_rom(void)
{
	fake.rom_entries++;
	fake_port_log(EV_ROM);
}
