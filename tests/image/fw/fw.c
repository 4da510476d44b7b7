/* SPDX-License-Identifier: MIT */
/* A tiny Cortex-M firmware for the image round-trip tests: real sections from a real toolchain. */
#include <stdint.h>

extern uint32_t _sdata[], _edata[], _sidata[], _sbss[], _ebss[];
void reset_handler(void);

static uint32_t stack[256];
volatile uint32_t counter = 0x12345678; /* .data: lives in RAM, loaded from flash */
uint32_t zeroed[64];			/* .bss: never in the image */

/* Calibration table in its own flash sector, far from the code: the gap. */
__attribute__((section(".calib"), used))
const uint8_t calib[300] = {0xCA, 0x1B, 0x00, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, [299] = 0x5A};

__attribute__((section(".isr_vector"), used)) void (*const vectors[])(void) = {
	(void (*)(void))(stack + 256),
	reset_handler,
};

void reset_handler(void)
{
	/* Linker symbols are addresses, not objects: count words, do not compare pointers. */
	uintptr_t ndata = ((uintptr_t)_edata - (uintptr_t)_sdata) / 4;
	uintptr_t nbss = ((uintptr_t)_ebss - (uintptr_t)_sbss) / 4;

	for (uintptr_t i = 0; i < ndata; i++)
		_sdata[i] = _sidata[i];
	for (uintptr_t i = 0; i < nbss; i++)
		_sbss[i] = 0;
	for (;;)
		counter += calib[counter & 0xFF];
}
