/* SPDX-License-Identifier: MIT */
/*
 * The port layer: the few hardware accesses of the companion's portable logic.
 * stdfu_fw_port_cm.c implements it for Cortex-M; the host unit tests fake it.
 */
#ifndef STDFU_FW_PORT_H
#define STDFU_FW_PORT_H

#include <stdint.h>
#include "stdfu_fw.h"

/** The reset-surviving record. */
volatile struct stdfu_fw_record *stdfu_fw_port_record(void);
/** Store two words as ONE 64-bit write where ECC RAM needs it (else two 32-bit). */
void stdfu_fw_port_store_pair(volatile uint32_t *dst, uint32_t lo, uint32_t hi);
/** Push the record out of the D-cache to RAM (no-op without D-cache). */
void stdfu_fw_port_dcache_clean(const volatile void *addr, uint32_t len);
/** System reset through AIRCR. Does not return on target (returns in the fake). */
void stdfu_fw_port_system_reset(void);
/** Why the core reset: 1 software reset, 0 another cause, -1 the family cannot tell. */
int stdfu_fw_port_reset_cause(void);
/** Quiesce the core, map system memory, take MSP and the entry from the ROM's vector
 *  table and jump. Does not return on target (returns in the fake). */
void stdfu_fw_port_enter_rom(void);

#endif /* STDFU_FW_PORT_H */
