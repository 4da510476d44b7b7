/* SPDX-License-Identifier: MIT */
/*
 * The address table: each probe is stdfu_fw_family.h compiled with the macros a real
 * project defines (CubeMX device macro, CMSIS series macro, or the explicit override).
 * Expected entries are the reference table (bootloader-entry.md: ST's "How to jump to
 * system bootloader" article and AN2606), written out here independently of the header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "stdfu_fw_family_ids.h"
#include "family_probe.h"

#define PROBES(X)                                                \
	X(f042, STDFU_FW_FAM_F04X, 0x1FFFC400u, 0, 0, 0, 1)      \
	X(f070x6, STDFU_FW_FAM_F04X, 0x1FFFC400u, 0, 0, 0, 1)    \
	X(f072, STDFU_FW_FAM_F07X, 0x1FFFC800u, 0, 0, 0, 0)      \
	X(f091, STDFU_FW_FAM_F09X, 0x1FFFD800u, 0, 0, 0, 0)      \
	X(f105, STDFU_FW_FAM_F105, 0x1FFFB000u, 1, 0, 0, 0)      \
	X(f2, STDFU_FW_FAM_F2, 0x1FFF0000u, 1, 0, 0, 0)          \
	X(f3, STDFU_FW_FAM_F3, 0x1FFFD800u, 1, 0, 0, 0)          \
	X(f405, STDFU_FW_FAM_F4, 0x1FFF0000u, 1, 0, 0, 0)        \
	X(f4series, STDFU_FW_FAM_F4, 0x1FFF0000u, 1, 0, 0, 0)    \
	X(f7, STDFU_FW_FAM_F7, 0x1FF00000u, 1, 0, 1, 0)          \
	X(g0b1, STDFU_FW_FAM_G0, 0x1FFF0000u, 1, 0, 0, 0)        \
	X(g4, STDFU_FW_FAM_G4, 0x1FFF0000u, 1, 0, 0, 0)          \
	X(l476, STDFU_FW_FAM_L4, 0x1FFF0000u, 1, 0, 0, 0)        \
	X(wb, STDFU_FW_FAM_WB, 0x1FFF0000u, 1, 0, 0, 0)          \
	X(wl, STDFU_FW_FAM_WL, 0x1FFF0000u, 1, 0, 0, 0)          \
	X(h743, STDFU_FW_FAM_H74X, 0x1FF09800u, 1, 1, 1, 0)      \
	X(h723, STDFU_FW_FAM_H74X, 0x1FF09800u, 1, 1, 1, 0)      \
	X(h7a3, STDFU_FW_FAM_H7A3, 0x1FF0A800u, 1, 1, 1, 0)      \
	X(h7b3, STDFU_FW_FAM_H7B3, 0x1FF0A000u, 1, 1, 1, 0)      \
	X(l0, STDFU_FW_FAM_L0, 0x1FF00000u, 1, 0, 0, 0)          \
	X(l011, STDFU_FW_FAM_L0, 0x1FF00000u, 1, 0, 0, 1)        \
	X(l1, STDFU_FW_FAM_L1, 0x1FF00000u, 1, 0, 0, 0)          \
	X(l5, STDFU_FW_FAM_L5, 0x0BF90000u, 1, 0, 0, 0)          \
	X(u5, STDFU_FW_FAM_U5, 0x0BF90000u, 1, 0, 0, 0)          \
	X(wba, STDFU_FW_FAM_WBA, 0x0BF88000u, 1, 0, 0, 0)        \
	X(h503, STDFU_FW_FAM_H503, 0x0BF87000u, 1, 0, 0, 0)      \
	X(h563, STDFU_FW_FAM_H56X, 0x0BF97000u, 1, 0, 0, 0)      \
	X(c0, STDFU_FW_FAM_C0, 0x1FFF0000u, 1, 0, 0, 0)          \
	X(override_l4, STDFU_FW_FAM_L4, 0x1FFF0000u, 1, 0, 0, 0) \
	X(entry_override, STDFU_FW_FAM_F4, 0x080E0000u, 1, 0, 0, 0)

#define DECLARE(n, fam, entry, vtor, f64, dc, ec) extern const struct family_probe probe_##n;
PROBES(DECLARE)

static void check(const struct family_probe *p, int fam, uint32_t entry, int vtor, int f64, int dc,
		  int ec)
{
	print_message("%-28s entry 0x%08x\n", p->name, (unsigned)p->entry);
	assert_int_equal(p->family, fam);
	assert_int_equal(p->entry, entry);
	assert_int_equal(p->has_vtor, vtor);
	assert_int_equal(p->flag64, f64);
	assert_int_equal(p->dcache, dc);
	assert_int_equal(p->empty_check, ec);
	/* Entry is a vector table: word-aligned, in system memory (or the test override). */
	assert_int_equal(p->entry & 3u, 0);
}

static void test_address_table(void **state)
{
	(void)state;
#define CHECK(n, fam, entry, vtor, f64, dc, ec) check(&probe_##n, fam, entry, vtor, f64, dc, ec);
	PROBES(CHECK)
}

/* Only the Cortex-M0 parts lack VTOR and need the SYSCFG remap to run the ROM. */
static void test_remap_where_needed(void **state)
{
	(void)state;
	assert_int_equal(probe_f405.remap_reg, 0x40013800u); /* SYSCFG_MEMRMP, RM0090 */
	assert_int_equal(probe_f042.remap_reg, 0x40010000u); /* SYSCFG_CFGR1, RM0091 */
	assert_int_equal(probe_f072.remap_reg, 0x40010000u);
	assert_int_equal(probe_f7.remap_reg, 0u);   /* F7: boot address by option bytes */
	assert_int_equal(probe_h743.remap_reg, 0u); /* H7: no system-memory remap */
	assert_int_equal(probe_h743.rstcause_reg, 0x580244D0u); /* RCC_RSR */
	assert_int_equal(probe_f405.rstcause_reg, 0x40023874u); /* RCC_CSR */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_table),
		cmocka_unit_test(test_remap_where_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
