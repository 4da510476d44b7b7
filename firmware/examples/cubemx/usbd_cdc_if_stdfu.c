/* SPDX-License-Identifier: MIT */
/*
 * The stdfu hooks in a CubeMX-generated usbd_cdc_if.c (STM32 USB Device library, CDC
 * class). Only the lines marked "stdfu" are added; paste them into the USER CODE
 * sections of your own file. This file is also compiled by the test suite against a
 * small stand-in for the CubeMX headers (fw_cross_example_cubemx), so it stays in step
 * with the companion's API.
 */
#ifdef STDFU_FW_EXAMPLE_COMPILE_CHECK
#include "cubemx_stand_in.h"
#else
#include "usbd_cdc_if.h"
#endif
/* USER CODE BEGIN INCLUDE */
#include "stdfu_fw.h" /* stdfu */
/* USER CODE END INCLUDE */

extern USBD_HandleTypeDef hUsbDeviceFS;
extern uint8_t UserRxBufferFS[];

int8_t CDC_Control_FS(uint8_t cmd, uint8_t *pbuf, uint16_t length);
int8_t CDC_Receive_FS(uint8_t *Buf, uint32_t *Len);

int8_t CDC_Control_FS(uint8_t cmd, uint8_t *pbuf, uint16_t length)
{
	(void)length;
	switch (cmd) {
	case CDC_SET_LINECODING:
		/* USER CODE: dwDTERate, little-endian, first 4 bytes of the line coding. */
		stdfu_fw_line_coding((uint32_t)pbuf[0] | (uint32_t)pbuf[1] << 8 |
					     (uint32_t)pbuf[2] << 16 | (uint32_t)pbuf[3] << 24,
				     HAL_GetTick()); /* stdfu */
		break;
	case CDC_SET_CONTROL_LINE_STATE:
		/* USER CODE: for requests without data the class passes the setup packet. */
		stdfu_fw_control_line_state(((USBD_SetupReqTypedef *)(void *)pbuf)->wValue,
					    HAL_GetTick()); /* stdfu */
		break;
	default:
		break;
	}
	return USBD_OK;
}

int8_t CDC_Receive_FS(uint8_t *Buf, uint32_t *Len)
{
	/* USER CODE BEGIN 6 */
	stdfu_fw_receive(Buf, *Len, HAL_GetTick()); /* stdfu: first, before your own use */
	/* ... your handling of Buf[0..*Len) ... */
	USBD_CDC_SetRxBuffer(&hUsbDeviceFS, &Buf[0]);
	USBD_CDC_ReceivePacket(&hUsbDeviceFS);
	return USBD_OK;
	/* USER CODE END 6 */
}
