/* SPDX-License-Identifier: MIT */
/** @file stdfu_fw_family_ids.h @brief Family identifiers: values for -DSTDFU_FW_FAMILY=... */
#ifndef STDFU_FW_FAMILY_IDS_H
#define STDFU_FW_FAMILY_IDS_H

/* Family identifiers (value of STDFU_FW_FAMILY). */
#define STDFU_FW_FAM_F04X  1
#define STDFU_FW_FAM_F07X  2
#define STDFU_FW_FAM_F09X  3
#define STDFU_FW_FAM_F105  4 /* F105/F107 connectivity line */
#define STDFU_FW_FAM_F2	   5
#define STDFU_FW_FAM_F3	   6
#define STDFU_FW_FAM_F4	   7
#define STDFU_FW_FAM_F7	   8
#define STDFU_FW_FAM_G0	   9
#define STDFU_FW_FAM_G4	   10
#define STDFU_FW_FAM_L4	   11
#define STDFU_FW_FAM_WB	   12
#define STDFU_FW_FAM_WL	   13
#define STDFU_FW_FAM_H74X  14 /* H72x/H73x/H74x/H75x */
#define STDFU_FW_FAM_H7A3  15
#define STDFU_FW_FAM_H7B3  16
#define STDFU_FW_FAM_L0	   17
#define STDFU_FW_FAM_L1	   18
#define STDFU_FW_FAM_L5	   19
#define STDFU_FW_FAM_U5	   20
#define STDFU_FW_FAM_WBA   21
#define STDFU_FW_FAM_H503  22
#define STDFU_FW_FAM_H56X  23 /* H56x/H57x */
#define STDFU_FW_FAM_C0	   24
#define STDFU_FW_FAM_QEMU  25 /* test build: F405 registers, entry set by the test */
/* Series whose ROM has no USB DFU: selecting them is an #error. */
#define STDFU_FW_FAM_NODFU 99

#endif /* STDFU_FW_FAMILY_IDS_H */
