/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for what a DFU device tells us: GETSTATUS replies and
 * the class-specific descriptors after the interface descriptor (where the
 * DFU functional descriptor lives). The first byte picks which one.
 */
#include <stdlib.h>

#include <stdfu/dfu.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stdfu_dfu_functional f;
	struct stdfu_dfu_status st;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (stdfu_dfu_status_parse(data + 1, size - 1, &st) == 0) {
			if (st.poll_timeout_ms > STDFU_POLL_TIMEOUT_MAX_MS)
				abort();
			(void)stdfu_dfu_state_name(st.state);
			(void)stdfu_dfu_status_name(st.status);
			(void)stdfu_dfu_status_text(st.status);
		}
	} else if (stdfu_dfu_functional_parse(data + 1, size - 1, &f) == 0) {
		if (f.transfer_size < STDFU_TRANSFER_SIZE_MIN ||
		    f.transfer_size > STDFU_TRANSFER_SIZE_MAX)
			abort();
	}
	return 0;
}
