/* SPDX-License-Identifier: MIT */
/* Compiled once per configuration with different -D flags; PROBE names the result. */
#include "stdfu_fw_family.h"
#include "family_probe.h"

extern const struct family_probe PROBE;
const struct family_probe PROBE = {
	STDFU_FW_NAME,	    STDFU_FW_FAMILY,	   STDFU_FW_ENTRY,
	STDFU_FW_HAS_VTOR,  STDFU_FW_FLAG64,	   STDFU_FW_HAS_DCACHE,
	STDFU_FW_REMAP_REG, STDFU_FW_RSTCAUSE_REG, STDFU_FW_EMPTY_CHECK,
};
