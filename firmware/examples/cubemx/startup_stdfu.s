/*
 * The one change in a CubeMX startup file (startup_stm32xxxx.s): call the companion
 * first in Reset_Handler, before SystemInit, the .data copy, the .bss clear and any
 * clock set-up. It returns at once unless a ROM entry was requested.
 */
	.syntax unified
	.thumb
	.section .text.Reset_Handler
	.weak Reset_Handler
	.type Reset_Handler, %function
Reset_Handler:
	ldr   r0, =_estack
	mov   sp, r0              /* set stack pointer (CubeMX: present on most families) */
	bl    stdfu_fw_early_boot /* stdfu: added line */
	bl    SystemInit          /* CubeMX continues unchanged from here */
	/* ... copy .data, zero .bss, __libc_init_array, main ... */
	b     .
	.size Reset_Handler, .-Reset_Handler
