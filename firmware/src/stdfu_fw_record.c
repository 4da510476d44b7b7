/* SPDX-License-Identifier: MIT */
/*
 * The reset-surviving record and the early-boot decision. Runs before .data/.bss are
 * initialised: no globals here, only the record passed in.
 *
 * Each 32-bit value is stored with its complement, so power-up RAM (random) or a
 * half-written record is never mistaken for a request; each pair is written at once
 * (one 64-bit store on ECC RAM, stdfu_fw_port_store_pair()).
 */
#include "stdfu_fw.h"
#include "stdfu_fw_port.h"

void stdfu_fw_flag_set(volatile struct stdfu_fw_record *rec)
{
	stdfu_fw_port_store_pair(rec->flag, STDFU_TRIGGER_FLAG_MAGIC32, STDFU_TRIGGER_FLAG_CHECK32);
}

int stdfu_fw_flag_valid(const volatile struct stdfu_fw_record *rec)
{
	return rec->flag[0] == STDFU_TRIGGER_FLAG_MAGIC32 &&
	       rec->flag[1] == STDFU_TRIGGER_FLAG_CHECK32;
}

void stdfu_fw_flag_clear(volatile struct stdfu_fw_record *rec)
{
	stdfu_fw_port_store_pair(rec->flag, STDFU_TRIGGER_FLAG_CLEARED, STDFU_TRIGGER_FLAG_CLEARED);
}

uint32_t stdfu_fw_attempts(const volatile struct stdfu_fw_record *rec)
{
	uint32_t n = rec->attempts[0];

	/* Garbage (power-up RAM) counts as no attempt so far. */
	return rec->attempts[1] == ~n ? n : 0u;
}

void stdfu_fw_attempts_set(volatile struct stdfu_fw_record *rec, uint32_t n)
{
	stdfu_fw_port_store_pair(rec->attempts, n, ~n);
}

int stdfu_fw_boot_decide(volatile struct stdfu_fw_record *rec, int sw_reset)
{
	uint32_t n;

	if (!stdfu_fw_flag_valid(rec))
		return 0;
	/* Consume the flag first: whatever happens next, it cannot fire twice. */
	stdfu_fw_flag_clear(rec);
	/* Written just before a software reset; any other reset means it is stale. */
	if (sw_reset == 0)
		return 0;
	n = stdfu_fw_attempts(rec);
	if (n >= STDFU_TRIGGER_ATTEMPT_LIMIT)
		return 0;
	stdfu_fw_attempts_set(rec, n + 1u);
	return 1;
}

void stdfu_fw_early_boot(void)
{
	if (stdfu_fw_boot_decide(stdfu_fw_port_record(), stdfu_fw_port_reset_cause()))
		stdfu_fw_port_enter_rom();
}
