/* SPDX-License-Identifier: MIT */
/*
 * The stdfu lines in a CubeMX main.c: an optional pre-reset hook (USB soft-disconnect
 * so the host notices the detach at once) and the poll in the main loop.
 */
#ifdef STDFU_FW_EXAMPLE_COMPILE_CHECK
#include "cubemx_stand_in.h"
#else
#include "main.h"
#include "usb_device.h"
#endif
#include "stdfu_fw.h" /* stdfu */

extern PCD_HandleTypeDef hpcd_USB_OTG_FS;

int app_main(void);

/* stdfu: runs in thread context just before the reset into the ROM. */
static void before_dfu(void)
{
	HAL_PCD_DevDisconnect(&hpcd_USB_OTG_FS); /* OTG: DCTL.SDIS; or drive D+ pull-up low */
}

int app_main(void) /* CubeMX: int main(void) */
{
	HAL_Init();
	SystemClock_Config();
	MX_USB_DEVICE_Init();
	stdfu_fw_set_hook(before_dfu); /* stdfu (optional) */
	for (;;) {
		stdfu_fw_poll(HAL_GetTick()); /* stdfu: at least every 10 ms */
					      /* ... the application ... */
	}
}
