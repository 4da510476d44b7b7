/* SPDX-License-Identifier: MIT */
/*
 * Cortex-M port: the record's home, AIRCR reset, D-cache clean, the reset cause and the
 * jump to the ROM. The early-boot decision (stdfu_fw_record.c) calls into this file and
 * never the reverse. Everything reachable from stdfu_fw_early_boot() runs before
 * .data/.bss initialisation: it reads only constants, registers and the no-init record.
 */
#include "stdfu_fw.h"
#include "stdfu_fw_family.h"
#include "stdfu_fw_port.h"
#include "stdfu_fw_regs.h"

#if defined(STDFU_FW_RECORD_ADDR)
/* Fixed address outside every linker section (e.g. the last 16 bytes of RAM, removed
 * from the RAM region): immune to any loader or startup code. */
#define RECORD ((volatile struct stdfu_fw_record *)(uintptr_t)(STDFU_FW_RECORD_ADDR))
#else
/* ".noinit.*" makes GCC emit a NOBITS section; firmware/ld/stdfu_fw_noinit.ld places it. */
__attribute__((section(".noinit.stdfu_fw"),
	       aligned(8))) static volatile struct stdfu_fw_record stdfu_fw_record_store;
#define RECORD (&stdfu_fw_record_store)
#endif

#if defined(STDFU_FW_RESET_CAUSE_STUB)
/* Provided by the build (tests, or a board that knows better), e.g. for QEMU, where RCC
 * is not implemented. Returns 1 software reset, 0 other cause, -1 unknown. */
int stdfu_fw_reset_cause_software(void);
#else
static int stdfu_fw_reset_cause_software(void)
{
#if STDFU_FW_RSTCAUSE_REG
	/* RCC_CSR/RCC_RSR flags are sticky until RMVF; we leave them for the application. */
	return (STDFU_REG(STDFU_FW_RSTCAUSE_REG) & STDFU_FW_RSTCAUSE_BIT) != 0u;
#else
	return -1;
#endif
}
#endif

static inline void dsb_isb(void)
{
	__asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

volatile struct stdfu_fw_record *stdfu_fw_port_record(void)
{
	return RECORD;
}

void stdfu_fw_port_store_pair(volatile uint32_t *dst, uint32_t lo, uint32_t hi)
{
#if STDFU_FW_FLAG64
	/* One 64-bit store (STRD, 8-byte aligned): a lone 32-bit write to 64-bit ECC RAM is
	 * a read-modify-write that can still sit in the ECC buffer when the reset hits. */
	*(volatile uint64_t *)(uintptr_t)dst = (uint64_t)hi << 32 | lo;
#else
	dst[0] = lo;
	dst[1] = hi;
#endif
	__asm__ volatile("dsb 0xF" ::: "memory");
}

void stdfu_fw_port_dcache_clean(const volatile void *addr, uint32_t len)
{
#if STDFU_FW_HAS_DCACHE
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(M7_DCACHE_LINE - 1u);
	uintptr_t end = (uintptr_t)addr + len;

	if (!(SCB_CCR & SCB_CCR_DC))
		return;
	__asm__ volatile("dsb 0xF" ::: "memory");
	for (; a < end; a += M7_DCACHE_LINE)
		SCB_DCCMVAC = (uint32_t)a;
	dsb_isb();
#else
	(void)addr;
	(void)len;
#endif
}

void stdfu_fw_port_system_reset(void)
{
	__asm__ volatile("dsb 0xF" ::: "memory");
	/* Keep PRIGROUP as the AIRCR write replaces it (no effect across a reset, but the
	 * ARM ARM recommends preserving it). */
	SCB_AIRCR = SCB_AIRCR_SYSRESETREQ | (SCB_AIRCR & 0x700u);
	__asm__ volatile("dsb 0xF" ::: "memory");
	for (;;)
		__asm__ volatile("nop");
}

uint32_t stdfu_fw_entry(void)
{
	return STDFU_FW_ENTRY;
}

static uint32_t nvic_words(void)
{
#if defined(__ARM_ARCH_6M__) || defined(__ARM_ARCH_8M_BASE__)
	return 1u;
#else
	return (SCS_ICTR & 0xFu) + 1u;
#endif
}

/* After a reset all of this is already true; early boot may also be called from a
 * SystemInit that runs after someone else's code, so make it true explicitly. */
static void quiesce_core(void)
{
	uint32_t i, n = nvic_words();

	__asm__ volatile("cpsid i" ::: "memory");
	SYST_CSR = 0;
	SYST_RVR = 0;
	SYST_CVR = 0;
	for (i = 0; i < n; i++) {
		NVIC_ICER(i) = 0xFFFFFFFFu;
		NVIC_ICPR(i) = 0xFFFFFFFFu;
	}
	dsb_isb();
}

static void remap_system_memory(void)
{
#if STDFU_FW_SYSCFG_EN_REG
	STDFU_REG(STDFU_FW_SYSCFG_EN_REG) |= STDFU_FW_SYSCFG_EN_BIT;
	(void)STDFU_REG(STDFU_FW_SYSCFG_EN_REG); /* read back: clock running before use */
#endif
#if STDFU_FW_REMAP_REG
	STDFU_REG(STDFU_FW_REMAP_REG) =
		(STDFU_REG(STDFU_FW_REMAP_REG) & ~STDFU_FW_REMAP_MASK) | STDFU_FW_REMAP_VAL;
#endif
#if STDFU_FW_HAS_VTOR
	SCB_VTOR = STDFU_FW_ENTRY;
#endif
	dsb_isb();
}

__attribute__((noreturn)) static void jump(uint32_t sp, uint32_t pc)
{
	/* MSP first, then CONTROL = 0 (privileged, MSP, no FP context), then PRIMASK = 0:
	 * nothing is enabled or pending any more, so the enable cannot take an interrupt. */
	__asm__ volatile("msr msp, %0\n\t"
			 "msr control, %2\n\t"
			 "isb 0xF\n\t"
			 "cpsie i\n\t"
			 "bx %1\n\t"
			 :
			 : "r"(sp), "r"(pc), "r"(0u)
			 : "memory");
	__builtin_unreachable();
}

int stdfu_fw_port_reset_cause(void)
{
	return stdfu_fw_reset_cause_software();
}

void stdfu_fw_port_enter_rom(void)
{
	const volatile uint32_t *vec = (const volatile uint32_t *)(uintptr_t)STDFU_FW_ENTRY;

	quiesce_core();
	remap_system_memory();
	jump(vec[0], vec[1]);
}
