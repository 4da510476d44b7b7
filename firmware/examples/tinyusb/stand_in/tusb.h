/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for TinyUSB's "tusb.h", for the compile check only: the declarations the
 * example uses, copied with their exact signatures from TinyUSB (github.com/hathach/
 * tinyusb): src/class/cdc/cdc_device.h (tud_cdc_n_read, tud_cdc_n_available, and the
 * application callbacks tud_cdc_rx_cb, tud_cdc_line_state_cb, tud_cdc_line_coding_cb,
 * declared TU_ATTR_WEAK there), src/class/cdc/cdc.h (cdc_line_coding_t, TU_ATTR_PACKED)
 * and src/tusb.h / src/device/usbd.h (tusb_init, tud_task).
 */
#ifndef STDFU_STAND_IN_TUSB_H
#define STDFU_STAND_IN_TUSB_H

#include <stdbool.h>
#include <stdint.h>

#define CFG_TUD_CDC_EP_BUFSIZE 64

typedef struct __attribute__((packed)) {
	uint32_t bit_rate;
	uint8_t stop_bits; /* 0: 1 stop bit - 1: 1.5 stop bits - 2: 2 stop bits */
	uint8_t parity;	   /* 0: None - 1: Odd - 2: Even - 3: Mark - 4: Space */
	uint8_t data_bits; /* can be 5, 6, 7, 8 or 16 */
} cdc_line_coding_t;

bool tusb_init(void);
void tud_task(void);
uint32_t tud_cdc_n_available(uint8_t itf);
uint32_t tud_cdc_n_read(uint8_t itf, void *buffer, uint32_t bufsize);

/* Application callbacks (weak in TinyUSB): the example defines them. */
void tud_cdc_rx_cb(uint8_t itf);
void tud_cdc_line_state_cb(uint8_t itf, bool dtr, bool rts);
void tud_cdc_line_coding_cb(uint8_t itf, cdc_line_coding_t const *p_line_coding);

#endif
