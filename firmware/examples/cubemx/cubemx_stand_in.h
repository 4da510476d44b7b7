/* SPDX-License-Identifier: MIT */
/* Minimal stand-in for the CubeMX/HAL declarations the examples use (compile check only). */
#ifndef CUBEMX_STAND_IN_H
#define CUBEMX_STAND_IN_H

#include <stdint.h>

#define USBD_OK			   0
#define CDC_SET_LINECODING	   0x20u
#define CDC_SET_CONTROL_LINE_STATE 0x22u

typedef struct {
	uint8_t bmRequest;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
} USBD_SetupReqTypedef;
typedef struct usbd_handle USBD_HandleTypeDef;
typedef struct pcd_handle PCD_HandleTypeDef;

uint32_t HAL_GetTick(void);
int HAL_Init(void);
void SystemClock_Config(void);
void MX_USB_DEVICE_Init(void);
int HAL_PCD_DevDisconnect(PCD_HandleTypeDef *hpcd);
uint8_t USBD_CDC_SetRxBuffer(USBD_HandleTypeDef *pdev, uint8_t *pbuff);
uint8_t USBD_CDC_ReceivePacket(USBD_HandleTypeDef *pdev);

#endif
