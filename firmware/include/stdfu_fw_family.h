/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu_fw_family.h
 * @brief Compile-time family selection: ROM bootloader entry, remap, reset cause.
 *
 * Selection order:
 *   1. an explicit override: -DSTDFU_FW_FAMILY=STDFU_FW_FAM_F4 (names below);
 *   2. the device macro CubeMX puts on the command line (STM32F405xx, STM32H743xx...),
 *      needed anyway where a series mixes parts with and without USB DFU in ROM;
 *   3. the CMSIS series macros (STM32F4xx / STM32F4, STM32L4xx / STM32L4, ...).
 *
 * Entry addresses: the table in docs/bootloader-entry.md, which quotes
 * ST's community article "How to jump to system bootloader from application code on STM32
 * microcontrollers" (B. Montanari, ST, 2023) and AN2606 ("STM32 microcontroller system
 * memory boot mode", the "Configuration in system memory boot mode" table of each series).
 * Each row below repeats its source. Register addresses are from the series reference
 * manuals (RMxxxx cited per row); none has been checked on silicon here.
 *
 * A series without USB DFU in ROM is an #error. The "empty check" parts (the ROM jumps
 * straight back to a non-empty flash) get a #warning unless STDFU_FW_ACCEPT_EMPTY_CHECK
 * is defined (it documents that the application erases its first page or otherwise
 * arranges for the ROM to stay).
 */
#ifndef STDFU_FW_FAMILY_H
#define STDFU_FW_FAMILY_H

#include <stdint.h>

#include "stdfu_fw_family_ids.h"

/* --- 1. explicit override: nothing to do ------------------------------------------- */
#if !defined(STDFU_FW_FAMILY)
/* --- 2. device macros ---------------------------------------------------------------- */
#if defined(STM32F030x6) || defined(STM32F030x8) || defined(STM32F030xC) ||     \
	defined(STM32F031x6) || defined(STM32F038xx) || defined(STM32F051x8) || \
	defined(STM32F058xx)
#error "stdfu_fw: no USB DFU in ROM: STM32F03x/F05x: the ROM bootloader has no USB DFU (AN2606)"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32F042x6) || defined(STM32F048xx) || defined(STM32F070x6)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F04X
#elif defined(STM32F070xB) || defined(STM32F071xB) || defined(STM32F072xB) || defined(STM32F078xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F07X
#elif defined(STM32F091xC) || defined(STM32F098xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F09X
#elif defined(STM32F105xC) || defined(STM32F107xC)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F105
#elif defined(STM32F100xB) || defined(STM32F100xE) || defined(STM32F101x6) ||   \
	defined(STM32F101xB) || defined(STM32F101xE) || defined(STM32F101xG) || \
	defined(STM32F102x6) || defined(STM32F102xB) || defined(STM32F103x6) || \
	defined(STM32F103xB) || defined(STM32F103xE) || defined(STM32F103xG)
#error "stdfu_fw: no USB DFU in ROM: STM32F1: only F105/F107 have USB DFU in ROM (AN2606)"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32F410Cx) || defined(STM32F410Rx) || defined(STM32F410Tx)
#error "stdfu_fw: no USB DFU in ROM: STM32F410 has no USB, so its ROM has no USB DFU"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32H743xx) || defined(STM32H753xx) || defined(STM32H750xx) ||   \
	defined(STM32H742xx) || defined(STM32H745xx) || defined(STM32H747xx) || \
	defined(STM32H755xx) || defined(STM32H757xx) || defined(STM32H723xx) || \
	defined(STM32H725xx) || defined(STM32H730xx) || defined(STM32H733xx) || \
	defined(STM32H735xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_H74X
#elif defined(STM32H7A3xx) || defined(STM32H7A3xxQ)
#define STDFU_FW_FAMILY STDFU_FW_FAM_H7A3
#elif defined(STM32H7B3xx) || defined(STM32H7B3xxQ) || defined(STM32H7B0xx) || defined(STM32H7B0xxQ)
#define STDFU_FW_FAMILY STDFU_FW_FAM_H7B3
#elif defined(STM32H503xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_H503
#elif defined(STM32H562xx) || defined(STM32H563xx) || defined(STM32H573xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_H56X
#elif defined(STM32F405xx) || defined(STM32F407xx) || defined(STM32F415xx) ||   \
	defined(STM32F417xx) || defined(STM32F401xC) || defined(STM32F401xE) || \
	defined(STM32F411xE) || defined(STM32F412Cx) || defined(STM32F412Rx) || \
	defined(STM32F412Vx) || defined(STM32F412Zx) || defined(STM32F413xx) || \
	defined(STM32F423xx) || defined(STM32F427xx) || defined(STM32F429xx) || \
	defined(STM32F437xx) || defined(STM32F439xx) || defined(STM32F446xx) || \
	defined(STM32F469xx) || defined(STM32F479xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F4
#elif defined(STM32L412xx) || defined(STM32L422xx) || defined(STM32L432xx) ||   \
	defined(STM32L433xx) || defined(STM32L442xx) || defined(STM32L443xx) || \
	defined(STM32L452xx) || defined(STM32L462xx) || defined(STM32L475xx) || \
	defined(STM32L476xx) || defined(STM32L486xx) || defined(STM32L496xx) || \
	defined(STM32L4A6xx) || defined(STM32L4P5xx) || defined(STM32L4Q5xx) || \
	defined(STM32L4R5xx) || defined(STM32L4R7xx) || defined(STM32L4R9xx) || \
	defined(STM32L4S5xx) || defined(STM32L4S7xx) || defined(STM32L4S9xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_L4
#elif defined(STM32L431xx) || defined(STM32L451xx) || defined(STM32L471xx)
#error "stdfu_fw: no USB DFU in ROM: STM32L431/L451/L471 have no USB, so no USB DFU in ROM"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32G0B1xx) || defined(STM32G0C1xx) || defined(STM32G0B0xx)
#define STDFU_FW_FAMILY STDFU_FW_FAM_G0
#elif defined(STM32G030xx) || defined(STM32G031xx) || defined(STM32G041xx) ||   \
	defined(STM32G050xx) || defined(STM32G051xx) || defined(STM32G061xx) || \
	defined(STM32G070xx) || defined(STM32G071xx) || defined(STM32G081xx)
#error "stdfu_fw: no USB DFU in ROM: this STM32G0 has no USB (only G0B0/G0B1/G0C1 do)"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32C011xx) || defined(STM32C031xx)
#error "stdfu_fw: no USB DFU in ROM: STM32C011/C031 have no USB (only C071 does)"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
/* --- 3. CMSIS series macros ------------------------------------------------------------ */
#elif defined(STM32F0xx) || defined(STM32F0)
#error "stdfu_fw: STM32F0: name the device (STM32F042x6, STM32F072xB, ...) or set STDFU_FW_FAMILY; F03x/F05x have no USB DFU"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32F1xx) || defined(STM32F1)
#error "stdfu_fw: no USB DFU in ROM: STM32F1: only F105/F107 have USB DFU in ROM: define STM32F105xC"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32F2xx) || defined(STM32F2)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F2
#elif defined(STM32F3xx) || defined(STM32F3)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F3
#elif defined(STM32F4xx) || defined(STM32F4)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F4
#elif defined(STM32F7xx) || defined(STM32F7)
#define STDFU_FW_FAMILY STDFU_FW_FAM_F7
#elif defined(STM32G0xx) || defined(STM32G0)
#define STDFU_FW_FAMILY STDFU_FW_FAM_G0
#elif defined(STM32G4xx) || defined(STM32G4)
#define STDFU_FW_FAMILY STDFU_FW_FAM_G4
#elif defined(STM32L4xx) || defined(STM32L4)
#define STDFU_FW_FAMILY STDFU_FW_FAM_L4
#elif defined(STM32WBxx) || defined(STM32WB)
#define STDFU_FW_FAMILY STDFU_FW_FAM_WB
#elif defined(STM32WLxx) || defined(STM32WL)
#define STDFU_FW_FAMILY STDFU_FW_FAM_WL
#elif defined(STM32H7xx) || defined(STM32H7)
#error "stdfu_fw: STM32H7: the entry differs per line: name the device (STM32H743xx, STM32H7A3xx, ...)"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#elif defined(STM32L0xx) || defined(STM32L0)
#define STDFU_FW_FAMILY STDFU_FW_FAM_L0
#elif defined(STM32L1xx) || defined(STM32L1)
#define STDFU_FW_FAMILY STDFU_FW_FAM_L1
#elif defined(STM32L5xx) || defined(STM32L5)
#define STDFU_FW_FAMILY STDFU_FW_FAM_L5
#elif defined(STM32U5xx) || defined(STM32U5)
#define STDFU_FW_FAMILY STDFU_FW_FAM_U5
#elif defined(STM32WBAxx) || defined(STM32WBA)
#define STDFU_FW_FAMILY STDFU_FW_FAM_WBA
#elif defined(STM32C0xx) || defined(STM32C0)
#define STDFU_FW_FAMILY STDFU_FW_FAM_C0
#else
#error "stdfu_fw: no STM32 family selected: define the CubeMX device macro (e.g. STM32F405xx), a CMSIS series macro (STM32F4xx) or STDFU_FW_FAMILY=STDFU_FW_FAM_F4"
#define STDFU_FW_FAMILY STDFU_FW_FAM_NODFU
#endif
#endif /* !STDFU_FW_FAMILY */

/*
 * Per-family parameters:
 *   STDFU_FW_ENTRY          ROM bootloader vector table (word 0 = SP, word 1 = reset)
 *   STDFU_FW_REMAP_REG/VAL/MASK   SYSCFG register selecting system memory at 0x0 (0 = none)
 *   STDFU_FW_SYSCFG_EN_REG/BIT    RCC bit clocking SYSCFG before the remap (0 = none)
 *   STDFU_FW_RSTCAUSE_REG/BIT     RCC register and software-reset flag (0 = cannot tell)
 *   STDFU_FW_HAS_VTOR       1: write VTOR = entry before the jump (not on Cortex-M0)
 *   STDFU_FW_FLAG64         1: RAM with 64-bit ECC: the flag is one 64-bit store
 *   STDFU_FW_HAS_DCACHE     1: Cortex-M7: clean the D-cache over the flag before reset
 *   STDFU_FW_EMPTY_CHECK    1: ROM "empty check" may send the part back to the app
 */
#define STDFU_FW_REMAP_NONE 0u

#if STDFU_FW_FAMILY == STDFU_FW_FAM_NODFU
/* Already reported by the #error where the part was recognised; stop cascades. */
#define STDFU_FW_NAME  "no USB DFU"
#define STDFU_FW_ENTRY 0u

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F04X
/* AN2606 STM32F04xxx / F070x6 table; ST article: 0x1FFFC400. RM0091. */
#define STDFU_FW_NAME	       "STM32F04x/F070x6"
#define STDFU_FW_ENTRY	       0x1FFFC400u
#define STDFU_FW_REMAP_REG     0x40010000u /* SYSCFG_CFGR1.MEM_MODE */
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021018u /* RCC_APB2ENR.SYSCFGCOMPEN */
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021024u /* RCC_CSR.SFTRSTF */
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)
#define STDFU_FW_HAS_VTOR      0
#define STDFU_FW_EMPTY_CHECK   1

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F07X
/* AN2606 STM32F07xxx table; ST article: 0x1FFFC800. RM0091. */
#define STDFU_FW_NAME	       "STM32F07x"
#define STDFU_FW_ENTRY	       0x1FFFC800u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021018u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021024u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)
#define STDFU_FW_HAS_VTOR      0

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F09X
/* AN2606 STM32F09xxx table; ST article: 0x1FFFD800. RM0091. */
#define STDFU_FW_NAME	       "STM32F09x"
#define STDFU_FW_ENTRY	       0x1FFFD800u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021018u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021024u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)
#define STDFU_FW_HAS_VTOR      0

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F105
/* AN2606 STM32F105xx/107xx table; ST article: 0x1FFFB000 (F105/F107 system memory
 * starts lower than the other F1's 0x1FFFF000). RM0008: no SYSCFG remap on F1. */
#define STDFU_FW_NAME	      "STM32F105/F107"
#define STDFU_FW_ENTRY	      0x1FFFB000u
#define STDFU_FW_RSTCAUSE_REG 0x40021024u /* RCC_CSR.SFTRSTF */
#define STDFU_FW_RSTCAUSE_BIT (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F2 || STDFU_FW_FAMILY == STDFU_FW_FAM_F4 || \
	STDFU_FW_FAMILY == STDFU_FW_FAM_QEMU
/* AN2606 STM32F2xxxx / F4 tables; ST article: 0x1FFF0000. RM0033 / RM0090:
 * SYSCFG_MEMRMP.MEM_MODE = 01 maps system flash at 0; SYSCFGEN = RCC_APB2ENR bit 14. */
#if STDFU_FW_FAMILY == STDFU_FW_FAM_F2
#define STDFU_FW_NAME "STM32F2"
#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F4
#define STDFU_FW_NAME "STM32F4"
#else
#define STDFU_FW_NAME "QEMU netduinoplus2 (STM32F405)"
#endif
#define STDFU_FW_ENTRY	       0x1FFF0000u
#define STDFU_FW_REMAP_REG     0x40013800u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40023844u
#define STDFU_FW_SYSCFG_EN_BIT (1u << 14)
#define STDFU_FW_RSTCAUSE_REG  0x40023874u /* RCC_CSR.SFTRSTF */
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F3
/* AN2606 STM32F302xB(C)/F303xB(C)/F373 tables; ST article: 0x1FFFD800. RM0316. */
#define STDFU_FW_NAME	       "STM32F3"
#define STDFU_FW_ENTRY	       0x1FFFD800u
#define STDFU_FW_REMAP_REG     0x40010000u /* SYSCFG_CFGR1.MEM_MODE */
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021018u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021024u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_F7
/* AN2606 STM32F7 tables; ST article: 0x1FF00000. RM0385: no MEM_MODE remap on F7
 * (boot address comes from option bytes), so only VTOR; D-cache clean (Cortex-M7). */
#define STDFU_FW_NAME	      "STM32F7"
#define STDFU_FW_ENTRY	      0x1FF00000u
#define STDFU_FW_RSTCAUSE_REG 0x40023874u
#define STDFU_FW_RSTCAUSE_BIT (1u << 28)
#define STDFU_FW_HAS_DCACHE   1

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_G0
/* AN2606 STM32G0B1xx/G0C1xx table; ST article: 0x1FFF0000. RM0444. */
#define STDFU_FW_NAME	       "STM32G0 (G0B0/G0B1/G0C1)"
#define STDFU_FW_ENTRY	       0x1FFF0000u
#define STDFU_FW_REMAP_REG     0x40010000u /* SYSCFG_CFGR1.MEM_MODE */
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021040u /* RCC_APBENR2.SYSCFGEN */
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021060u /* RCC_CSR.SFTRSTF */
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_C0
/* ST article: 0x1FFF0000 (AN2606 STM32C071xx table: USB DFU on C071 only). RM0490.
 * Reset cause not read: C0 splits RCC_CSR in two and the layout is unverified here. */
#define STDFU_FW_NAME	       "STM32C0 (C071)"
#define STDFU_FW_ENTRY	       0x1FFF0000u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021040u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_G4 || STDFU_FW_FAMILY == STDFU_FW_FAM_L4
/* AN2606 STM32G4 / STM32L4 tables; ST article: 0x1FFF0000. RM0440 / RM0351:
 * SYSCFG_MEMRMP.MEM_MODE, SYSCFGEN = RCC_APB2ENR bit 0, RCC_CSR at +0x94. */
#if STDFU_FW_FAMILY == STDFU_FW_FAM_G4
#define STDFU_FW_NAME "STM32G4"
#else
#define STDFU_FW_NAME "STM32L4"
#endif
#define STDFU_FW_ENTRY	       0x1FFF0000u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x7u
#define STDFU_FW_SYSCFG_EN_REG 0x40021060u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021094u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_WB || STDFU_FW_FAMILY == STDFU_FW_FAM_WL
/* AN2606 STM32WB / STM32WL tables; ST article: 0x1FFF0000. RM0434 / RM0453.
 * VTOR only (no remap needed on Cortex-M4 with VTOR). */
#if STDFU_FW_FAMILY == STDFU_FW_FAM_WB
#define STDFU_FW_NAME "STM32WB"
#else
#define STDFU_FW_NAME "STM32WL"
#endif
#define STDFU_FW_ENTRY	      0x1FFF0000u
#define STDFU_FW_RSTCAUSE_REG 0x58000094u /* RCC_CSR.SFTRSTF */
#define STDFU_FW_RSTCAUSE_BIT (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_H74X
/* AN2606 STM32H72xxx/73xxx/74xxx/75xxx tables; ST article: 0x1FF09800 (MicroPython
 * uses 0x1FF00000: conflicting; we follow AN2606 / the ST article). RM0433: RCC_RSR
 * (0x580244D0) SFTRSTF bit 24; AXI SRAM has 64-bit ECC. */
#define STDFU_FW_NAME	      "STM32H72x/73x/74x/75x"
#define STDFU_FW_ENTRY	      0x1FF09800u
#define STDFU_FW_RSTCAUSE_REG 0x580244D0u
#define STDFU_FW_RSTCAUSE_BIT (1u << 24)
#define STDFU_FW_FLAG64	      1
#define STDFU_FW_HAS_DCACHE   1

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_H7A3 || STDFU_FW_FAMILY == STDFU_FW_FAM_H7B3
/* AN2606 STM32H7A3xx/B3xx tables: 0x1FF0A000; the ST article lists H7A at 0x1FF0A800
 * and H7B at 0x1FF0A000 (kept separate so a correction touches one row). RM0455. */
#if STDFU_FW_FAMILY == STDFU_FW_FAM_H7A3
#define STDFU_FW_NAME  "STM32H7A3"
#define STDFU_FW_ENTRY 0x1FF0A800u
#else
#define STDFU_FW_NAME  "STM32H7B3/H7B0"
#define STDFU_FW_ENTRY 0x1FF0A000u
#endif
#define STDFU_FW_RSTCAUSE_REG 0x580244D0u
#define STDFU_FW_RSTCAUSE_BIT (1u << 24)
#define STDFU_FW_FLAG64	      1
#define STDFU_FW_HAS_DCACHE   1

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_L0
/* AN2606 STM32L0 tables; ST article: 0x1FF00000. RM0367: SYSCFG_CFGR1.MEM_MODE,
 * SYSCFGEN = RCC_APB2ENR (0x40021034) bit 0, RCC_CSR at 0x40021050. L01x/L02x: empty
 * check; only L05x/L06x/L07x/L08x with USB have USB DFU. */
#define STDFU_FW_NAME	       "STM32L0"
#define STDFU_FW_ENTRY	       0x1FF00000u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40021034u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40021050u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)
#if defined(STM32L010x4) || defined(STM32L010x6) || defined(STM32L011xx) || defined(STM32L021xx)
#define STDFU_FW_EMPTY_CHECK 1
#endif

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_L1
/* AN2606 STM32L1 tables; ST article: 0x1FF00000. RM0038: SYSCFG_MEMRMP (0x40010000),
 * SYSCFGEN = RCC_APB2ENR (0x40023820) bit 0, RCC_CSR at 0x40023834. */
#define STDFU_FW_NAME	       "STM32L1"
#define STDFU_FW_ENTRY	       0x1FF00000u
#define STDFU_FW_REMAP_REG     0x40010000u
#define STDFU_FW_REMAP_VAL     0x1u
#define STDFU_FW_REMAP_MASK    0x3u
#define STDFU_FW_SYSCFG_EN_REG 0x40023820u
#define STDFU_FW_SYSCFG_EN_BIT 0x1u
#define STDFU_FW_RSTCAUSE_REG  0x40023834u
#define STDFU_FW_RSTCAUSE_BIT  (1u << 28)

#elif STDFU_FW_FAMILY == STDFU_FW_FAM_L5 || STDFU_FW_FAMILY == STDFU_FW_FAM_U5 ||      \
	STDFU_FW_FAMILY == STDFU_FW_FAM_WBA || STDFU_FW_FAMILY == STDFU_FW_FAM_H503 || \
	STDFU_FW_FAMILY == STDFU_FW_FAM_H56X
/* Cortex-M33 parts, TrustZone disabled only (a secure application cannot hand over to
 * the non-secure-only path used here). ST article / AN2606: L5 0x0BF90000, U5
 * 0x0BF90000, WBA 0x0BF88000, H503 0x0BF87000, H56x/H57x 0x0BF97000. Reset cause
 * not read: register layouts differ per line and are unverified here. */
#if STDFU_FW_FAMILY == STDFU_FW_FAM_L5
#define STDFU_FW_NAME  "STM32L5"
#define STDFU_FW_ENTRY 0x0BF90000u
#elif STDFU_FW_FAMILY == STDFU_FW_FAM_U5
#define STDFU_FW_NAME  "STM32U5"
#define STDFU_FW_ENTRY 0x0BF90000u
#elif STDFU_FW_FAMILY == STDFU_FW_FAM_WBA
#define STDFU_FW_NAME  "STM32WBA"
#define STDFU_FW_ENTRY 0x0BF88000u
#elif STDFU_FW_FAMILY == STDFU_FW_FAM_H503
#define STDFU_FW_NAME  "STM32H503"
#define STDFU_FW_ENTRY 0x0BF87000u
#else
#define STDFU_FW_NAME  "STM32H56x/H57x"
#define STDFU_FW_ENTRY 0x0BF97000u
#endif
#if defined(__ARM_FEATURE_CMSE) && (__ARM_FEATURE_CMSE & 2)
#error "stdfu_fw: built as secure (-mcmse): the ROM jump is supported with TrustZone disabled only"
#endif

#else
#error "stdfu_fw: unknown STDFU_FW_FAMILY value"
#endif

/* Defaults for the optional parameters. */
#ifndef STDFU_FW_REMAP_REG
#define STDFU_FW_REMAP_REG  STDFU_FW_REMAP_NONE
#define STDFU_FW_REMAP_VAL  0u
#define STDFU_FW_REMAP_MASK 0u
#endif
#ifndef STDFU_FW_SYSCFG_EN_REG
#define STDFU_FW_SYSCFG_EN_REG 0u
#define STDFU_FW_SYSCFG_EN_BIT 0u
#endif
#ifndef STDFU_FW_RSTCAUSE_REG
#define STDFU_FW_RSTCAUSE_REG 0u
#define STDFU_FW_RSTCAUSE_BIT 0u
#endif
#ifndef STDFU_FW_HAS_VTOR
#define STDFU_FW_HAS_VTOR 1
#endif
#ifndef STDFU_FW_FLAG64
#define STDFU_FW_FLAG64 0
#endif
#ifndef STDFU_FW_HAS_DCACHE
#define STDFU_FW_HAS_DCACHE 0
#endif
#ifndef STDFU_FW_EMPTY_CHECK
#define STDFU_FW_EMPTY_CHECK 0
#endif

/* The test build (and a board with a custom ROM copy) may move the entry. */
#ifdef STDFU_FW_ENTRY_OVERRIDE
#undef STDFU_FW_ENTRY
#define STDFU_FW_ENTRY STDFU_FW_ENTRY_OVERRIDE
#endif

#if STDFU_FW_EMPTY_CHECK && !defined(STDFU_FW_ACCEPT_EMPTY_CHECK)
#warning \
	"stdfu_fw: this part's ROM bootloader has an 'empty check' (AN2606): with a valid application in flash it jumps straight back to it, so the host sees the application return instead of DFU. Define STDFU_FW_ACCEPT_EMPTY_CHECK once you have handled it (see firmware/README.md)."
#endif

#endif /* STDFU_FW_FAMILY_H */
