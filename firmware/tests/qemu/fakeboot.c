/* SPDX-License-Identifier: MIT */
/*
 * A fake ROM bootloader in the last flash sector (0x080E0000): QEMU maps nothing at
 * 0x1FFF0000, so the test build moves the entry here (STDFU_FW_ENTRY_OVERRIDE).
 *
 * It judges the state the companion hands over, as the real ROM needs it:
 * MSP == its vector[0], PRIMASK = 0, CONTROL = 0, thread mode (IPSR = 0), SysTick
 * stopped, no NVIC interrupt enabled or pending, VTOR = its table, flag consumed and one
 * attempt counted. It runs before any .data/.bss set-up, so it uses only registers, the
 * stack and fixed-address records. Exit code: 0 or the OR of the failed checks.
 */
#include <stdint.h>
#include "stdfu_fw.h"
#include "stdfu_fw_port.h"
#include "testrec.h"

#define REG(a)	   (*(volatile uint32_t *)(a))
#define FAKE_SP	   0x2001E000u
#define FAKE_ENTRY 0x080E0000u

enum {
	BAD_MSP = 0x01,
	BAD_PRIMASK = 0x02,
	BAD_CONTROL = 0x04,
	BAD_MODE = 0x08,
	BAD_SYSTICK = 0x10,
	BAD_NVIC = 0x20,
	BAD_FLAG = 0x40,
	UNEXPECTED_JUMP = 0x80 /* negative scenario reached the ROM: 128 */
};

void fake_rom_reset(void);
void fake_rom_check(uint32_t msp, uint32_t primask, uint32_t control, uint32_t ipsr);

__attribute__((section(".fakerom_text"))) void fake_rom_check(uint32_t msp, uint32_t primask,
							      uint32_t control, uint32_t ipsr)
{
	uint32_t bad = 0, i, words = (REG(0xE000E004u) & 0xFu) + 1u;
	volatile struct stdfu_fw_record *rec = stdfu_fw_port_record();

	if (TESTREC->magic != TEST_MAGIC || !TESTREC->expect_jump)
		test_exit(UNEXPECTED_JUMP);
	if (msp != FAKE_SP)
		bad |= BAD_MSP;
	if (primask & 1u)
		bad |= BAD_PRIMASK;
	if (control != 0u)
		bad |= BAD_CONTROL;
	if ((ipsr & 0x1FFu) != 0u)
		bad |= BAD_MODE;
	if ((REG(0xE000E010u) & 1u) || REG(0xE000ED08u) != FAKE_ENTRY)
		bad |= BAD_SYSTICK; /* SysTick running, or VTOR not ours */
	for (i = 0; i < words; i++)
		if (REG(0xE000E100u + 4u * i) || REG(0xE000E200u + 4u * i))
			bad |= BAD_NVIC;
	if (stdfu_fw_flag_valid(rec) || stdfu_fw_attempts(rec) != 1u)
		bad |= BAD_FLAG;
	if (bad)
		test_puts("fake ROM: bad entry state\n");
	else
		test_puts("fake ROM: entered cleanly\n");
	test_exit(bad);
}

/* Capture the entry state before any instruction can change it. */
__attribute__((naked, section(".fakerom_text"))) void fake_rom_reset(void)
{
	__asm__ volatile("mrs r0, msp\n\t"
			 "mrs r1, primask\n\t"
			 "mrs r2, control\n\t"
			 "mrs r3, ipsr\n\t"
			 "b fake_rom_check\n\t");
}

__attribute__((section(".fakerom_vectors"), used)) static const uint32_t fake_vectors[2] = {
	FAKE_SP, (uint32_t)(uintptr_t)fake_rom_reset};
