/* SPDX-License-Identifier: MIT */
/* Test bookkeeping at a fixed RAM address outside every section (survives resets). */
#ifndef STDFU_FW_TESTREC_H
#define STDFU_FW_TESTREC_H

#include <stdint.h>

#define TEST_MAGIC	    0x7E57C0DEu
#define TEST_CAUSE_SOFTWARE 0u
#define TEST_CAUSE_PIN	    1u

struct testrec {
	uint32_t magic;
	uint32_t expect_jump; /* 1: the scenario must end in the fake ROM */
	uint32_t boots;	      /* application boots after the first */
	uint32_t reset_cause; /* what the stubbed reset-cause check reports */
};

#define TESTREC ((volatile struct testrec *)0x2001FFC0u)

__attribute__((noreturn)) void test_exit(uint32_t code);
void test_puts(const char *s);

#endif
