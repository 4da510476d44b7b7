/* SPDX-License-Identifier: MIT */
/*
 * The few Cortex-M system registers the companion touches (ARMv6-M / ARMv7-M / ARMv8-M
 * Architecture Reference Manuals, System Control Space). No CMSIS on purpose.
 */
#ifndef STDFU_FW_REGS_H
#define STDFU_FW_REGS_H

#include <stdint.h>

#define STDFU_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SysTick */
#define SYST_CSR	      STDFU_REG(0xE000E010u)
#define SYST_RVR	      STDFU_REG(0xE000E014u)
#define SYST_CVR	      STDFU_REG(0xE000E018u)
/* NVIC: interrupt controller type (v7-M/v8-M mainline), clear-enable, clear-pending */
#define SCS_ICTR	      STDFU_REG(0xE000E004u)
#define NVIC_ICER(n)	      STDFU_REG(0xE000E180u + 4u * (n))
#define NVIC_ICPR(n)	      STDFU_REG(0xE000E280u + 4u * (n))
/* SCB */
#define SCB_VTOR	      STDFU_REG(0xE000ED08u)
#define SCB_AIRCR	      STDFU_REG(0xE000ED0Cu)
#define SCB_CCR		      STDFU_REG(0xE000ED14u)
#define SCB_AIRCR_SYSRESETREQ (0x05FAu << 16 | 1u << 2)
#define SCB_CCR_DC	      (1u << 16)
/* Cortex-M7 cache maintenance: clean D-cache line by address to PoC */
#define SCB_DCCMVAC	      STDFU_REG(0xE000EF68u)
#define M7_DCACHE_LINE	      32u

#endif /* STDFU_FW_REGS_H */
