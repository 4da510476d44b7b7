/* SPDX-License-Identifier: MIT */
/*
 * QEMU (netduinoplus2) test application built with the firmware companion.
 *
 * Scenario chosen by the last semihosting command-line word. The trigger enters through
 * the companion's ISR-side entry points, called from a real interrupt handler (OTG_FS,
 * IRQ 67, pended through NVIC_ISPR), exactly where a CDC callback runs on hardware. The
 * main loop polls with a SysTick millisecond clock; the companion resets through AIRCR;
 * QEMU resets the machine keeping RAM; Reset_Handler calls stdfu_fw_early_boot() first,
 * which jumps to the fake ROM in the last flash sector (fakeboot.c) that judges the
 * state it was entered with.
 *
 * Exit codes: 0 pass; 1..127 fake-ROM verdict bits (fakeboot.c); 100+ application.
 */
#include <stdint.h>
#include "stdfu_fw.h"
#include "stdfu_fw_port.h"
#include "testrec.h"

#define REG(a)	    (*(volatile uint32_t *)(a))
#define SYST_CSR    REG(0xE000E010u)
#define SYST_RVR    REG(0xE000E014u)
#define SYST_CVR    REG(0xE000E018u)
#define NVIC_ISER2  REG(0xE000E108u)
#define NVIC_ISPR2  REG(0xE000E208u)
#define SCB_AIRCR   REG(0xE000ED0Cu)
#define OTG_FS_IRQN 67u /* STM32F405: OTG_FS global interrupt */
#define CPU_HZ	    168000000u

enum {
	EXIT_PASS = 0,
	EXIT_APP_TIMEOUT = 101,
	EXIT_BAD_SCENARIO = 102,
	EXIT_FAULT = 103,
	EXIT_NO_RESET = 104,
	EXIT_REBOOT_STATE = 105,
	EXIT_COMPANION_RECORD = 106
};

int main(void);
void Reset_Handler(void);
void SysTick_Handler(void);
void OTG_FS_IRQHandler(void);
void Fault_Handler(void);
int stdfu_fw_reset_cause_software(void);

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

static volatile uint32_t ticks;

/* What the "USB interrupt" delivers when pended. */
enum usb_op { OP_RX, OP_LINE_CODING, OP_CTRL_STATE };
static volatile enum usb_op pend_op;
static const uint8_t *volatile pend_buf;
static volatile uint32_t pend_len;

/* --- semihosting ------------------------------------------------------------------- */
static uint32_t semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

__attribute__((noreturn)) void test_exit(uint32_t code)
{
	const uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, code};

	semihost(0x20u /* SYS_EXIT_EXTENDED */, block);
	for (;;)
		;
}

void test_puts(const char *s)
{
	semihost(0x04u /* SYS_WRITE0 */, s);
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static const char *scenario_word(char *buf, uint32_t size)
{
	uint32_t block[2] = {(uint32_t)(uintptr_t)buf, size};
	char *w = buf;

	if (semihost(0x15u /* SYS_GET_CMDLINE */, block) != 0)
		return "";
	for (char *p = buf; *p; p++)
		if (*p == ' ' && p[1])
			w = p + 1;
	return w;
}

/* --- the "USB" interrupt and the clock --------------------------------------------- */
void OTG_FS_IRQHandler(void)
{
	switch (pend_op) {
	case OP_RX:
		stdfu_fw_receive(pend_buf, pend_len, ticks);
		break;
	case OP_LINE_CODING:
		stdfu_fw_line_coding(pend_len, ticks);
		break;
	case OP_CTRL_STATE:
		stdfu_fw_control_line_state((uint16_t)pend_len, ticks);
		break;
	}
}

void SysTick_Handler(void)
{
	ticks++;
}

void Fault_Handler(void)
{
	test_exit(EXIT_FAULT);
}

static void usb_irq(enum usb_op op, const uint8_t *buf, uint32_t len)
{
	pend_op = op;
	pend_buf = buf;
	pend_len = len;
	NVIC_ISPR2 = 1u << (OTG_FS_IRQN - 64u);
	__asm__ volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

/* Poll the companion for ms milliseconds; returns only if nothing reset the part. */
static void run_for(uint32_t ms)
{
	uint32_t start = ticks;

	while ((uint32_t)(ticks - start) < ms)
		stdfu_fw_poll(ticks);
}

static void start_clock_and_usb_irq(void)
{
	SYST_RVR = CPU_HZ / 1000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = 7u; /* processor clock, interrupt, enable */
	NVIC_ISER2 = 1u << (OTG_FS_IRQN - 64u);
}

/* Reset cause as the test says (QEMU has no RCC): software unless told otherwise. */
int stdfu_fw_reset_cause_software(void)
{
	return TESTREC->reset_cause == TEST_CAUSE_PIN ? 0 : 1;
}

static const uint8_t trigger[1] = {STDFU_FW_TRIGGER_BYTE};
static const uint8_t traffic[5] = {'a', STDFU_FW_TRIGGER_BYTE, 'b', '\r', '\n'};
static const uint8_t other[1] = {'x'};

static void sys_reset(void)
{
	__asm__ volatile("dsb 0xF" ::: "memory");
	SCB_AIRCR = 0x05FA0004u;
	for (;;)
		;
}

/* Scenarios in which the fake ROM must be reached. */
static void expect_rom(void)
{
	TESTREC->magic = TEST_MAGIC;
	TESTREC->expect_jump = 1;
}

static void expect_app(void)
{
	TESTREC->magic = TEST_MAGIC;
	TESTREC->expect_jump = 0;
}

static int second_boot(void)
{
	return TESTREC->magic == TEST_MAGIC && TESTREC->boots > 0;
}

static void scenario_byte(void)
{
	expect_rom();
	run_for(150); /* pre-silence: nothing received since boot, wait anyway */
	usb_irq(OP_RX, trigger, 1);
	run_for(500);
	test_exit(EXIT_NO_RESET);
}

static void scenario_touch(void)
{
	expect_rom();
	usb_irq(OP_CTRL_STATE, 0, 3); /* port opened: DTR|RTS */
	usb_irq(OP_LINE_CODING, 0, STDFU_TRIGGER_TOUCH_BAUD);
	usb_irq(OP_CTRL_STATE, 0, 0); /* port closed: DTR dropped at 1200 baud */
	run_for(800);
	test_exit(EXIT_NO_RESET);
}

static void scenario_enter_now(void)
{
	expect_rom();
	run_for(10);
	stdfu_fw_enter_now();
	test_exit(EXIT_NO_RESET);
}

/* No trigger: ordinary traffic (the byte inside longer chunks), ordinary baud changes. */
static void scenario_none(void)
{
	expect_app();
	for (int i = 0; i < 5; i++) {
		usb_irq(OP_RX, traffic, sizeof(traffic));
		run_for(120);
	}
	usb_irq(OP_CTRL_STATE, 0, 1);
	usb_irq(OP_LINE_CODING, 0, 115200);
	usb_irq(OP_CTRL_STATE, 0, 0); /* DTR drop at 115200: not a touch */
	run_for(400);
	test_exit(EXIT_PASS);
}

/* Lone trigger byte, then more traffic inside the silence window: no reset. */
static void scenario_busy(void)
{
	expect_app();
	run_for(150);
	usb_irq(OP_RX, trigger, 1);
	run_for(STDFU_TRIGGER_SILENCE_MS / 2u);
	usb_irq(OP_RX, other, 1);
	run_for(500);
	test_exit(EXIT_PASS);
}

/* Garbage in the record, then a software reset: early boot must not jump. */
static void scenario_garbage(void)
{
	volatile uint32_t *rec = (volatile uint32_t *)stdfu_fw_port_record();

	if (second_boot()) {
		test_exit(TESTREC->boots == 1 ? EXIT_PASS : EXIT_REBOOT_STATE);
	}
	expect_app();
	rec[0] = STDFU_TRIGGER_FLAG_MAGIC32; /* right magic, wrong check word */
	rec[1] = 0x12345678u;
	sys_reset();
}

/* Valid flag, but the reset was not a software reset: stale, must not jump. */
static void scenario_stale(void)
{
	if (second_boot())
		test_exit(stdfu_fw_flag_valid(stdfu_fw_port_record()) ? EXIT_REBOOT_STATE
								      : EXIT_PASS);
	expect_app();
	TESTREC->reset_cause = TEST_CAUSE_PIN;
	stdfu_fw_flag_set(stdfu_fw_port_record());
	sys_reset();
}

/* Valid flag with the attempt counter already at the limit: no jump. */
static void scenario_limit(void)
{
	volatile struct stdfu_fw_record *rec = stdfu_fw_port_record();

	if (second_boot())
		test_exit(stdfu_fw_flag_valid(rec) ? EXIT_REBOOT_STATE : EXIT_PASS);
	expect_app();
	stdfu_fw_attempts_set(rec, STDFU_TRIGGER_ATTEMPT_LIMIT);
	stdfu_fw_flag_set(rec);
	sys_reset();
}

/* The companion record is in flash, where the linker snippet put it, and reads back
 * as <stdfu/trigger_protocol.h> lays it out (stdfu checks the same bytes in the image). */
static void scenario_companion(void)
{
	const volatile uint8_t *p = (const volatile uint8_t *)&stdfu_fw_companion_record;
	uintptr_t at = (uintptr_t)p;
	uint32_t word, check;

	if (at < 0x08000000u || at >= 0x080E0000u || (at & 3u))
		test_exit(EXIT_COMPANION_RECORD);
	for (uint32_t i = 0; i < STDFU_COMPANION_MAGIC_LEN; i++)
		if (p[i] != (uint8_t)STDFU_COMPANION_MAGIC[i])
			test_exit(EXIT_COMPANION_RECORD);
	word = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
	check = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 |
		(uint32_t)p[15] << 24;
	if (word != STDFU_COMPANION_WORD(STDFU_TRIGGER_PROTOCOL_VERSION, STDFU_FW_TRIGGER_BYTE,
					 0u) ||
	    check != ~word)
		test_exit(EXIT_COMPANION_RECORD);
	test_exit(EXIT_PASS);
}

int main(void)
{
	static char cmdline[128];
	const char *s = scenario_word(cmdline, sizeof(cmdline));

	if (TESTREC->magic != TEST_MAGIC) {
		TESTREC->boots = 0;
		TESTREC->reset_cause = TEST_CAUSE_SOFTWARE;
	} else {
		TESTREC->boots++;
	}
	if (TESTREC->boots > 3)
		test_exit(EXIT_REBOOT_STATE);
	/* Only these scenarios reset on purpose; elsewhere a second boot means a reset
	 * happened that early boot did not turn into a ROM entry. */
	if (second_boot() && !streq(s, "garbage") && !streq(s, "stale") && !streq(s, "limit"))
		test_exit(EXIT_REBOOT_STATE);
	start_clock_and_usb_irq();
	if (streq(s, "byte"))
		scenario_byte();
	else if (streq(s, "touch"))
		scenario_touch();
	else if (streq(s, "enter_now"))
		scenario_enter_now();
	else if (streq(s, "none"))
		scenario_none();
	else if (streq(s, "busy"))
		scenario_busy();
	else if (streq(s, "garbage"))
		scenario_garbage();
	else if (streq(s, "stale"))
		scenario_stale();
	else if (streq(s, "limit"))
		scenario_limit();
	else if (streq(s, "companion"))
		scenario_companion();
	test_puts("unknown scenario\n");
	test_exit(EXIT_BAD_SCENARIO);
}

/* --- startup: the integration under test ------------------------------------------- */
void Reset_Handler(void)
{
	/* Linker symbols are addresses, not objects: compare them as integers. */
	uintptr_t src = (uintptr_t)&_sidata, dst;

	/* First thing: before .data/.bss and before any clock set-up. */
	stdfu_fw_early_boot();
	for (dst = (uintptr_t)&_sdata; dst < (uintptr_t)&_edata; dst += 4, src += 4)
		*(uint32_t *)dst = *(const uint32_t *)src;
	for (dst = (uintptr_t)&_sbss; dst < (uintptr_t)&_ebss; dst += 4)
		*(uint32_t *)dst = 0;
	main();
	test_exit(EXIT_BAD_SCENARIO);
}

#define IRQ_COUNT 82u
__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + IRQ_COUNT])(void) = {
	[0] = (void (*)(void))(uintptr_t)&_estack,
	[1] = Reset_Handler,
	[2] = Fault_Handler,
	[3] = Fault_Handler,
	[4] = Fault_Handler,
	[5] = Fault_Handler,
	[6] = Fault_Handler,
	[15] = SysTick_Handler,
	[16 + OTG_FS_IRQN] = OTG_FS_IRQHandler,
};
