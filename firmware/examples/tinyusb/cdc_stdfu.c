/* SPDX-License-Identifier: MIT */
/*
 * The stdfu companion in a TinyUSB CDC application: the three CDC callbacks and the
 * main loop. TinyUSB runs its callbacks from tud_task(), in thread context, so they
 * and stdfu_fw_poll() never preempt one another (the companion only asks that its
 * feeding functions not preempt each other).
 *
 * One read per tud_cdc_rx_cb() is one receive chunk for the trigger rule: if TinyUSB's
 * FIFO gathered several packets before tud_task() ran, they count as one chunk, and a
 * lone trigger byte inside it is not honoured (the safe side; the host keeps 150 ms of
 * silence around the byte, so this does not happen to a real trigger).
 *
 * Startup: make stdfu_fw_early_boot() the first call of Reset_Handler, as in the CubeMX
 * example (firmware/examples/cubemx/startup_stdfu.s), and INCLUDE stdfu_fw_noinit.ld.
 */
#include "tusb.h"
#include "stdfu_fw.h"

uint32_t app_millis(void); /* your millisecond tick (SysTick) */
void app_cdc_data(uint8_t itf, const uint8_t *buf, uint32_t len); /* your use of it */
void app_board_init(void);
int app_main(void);

void tud_cdc_rx_cb(uint8_t itf)
{
	uint8_t buf[CFG_TUD_CDC_EP_BUFSIZE];
	uint32_t n = tud_cdc_n_read(itf, buf, sizeof(buf));

	stdfu_fw_receive(buf, n, app_millis()); /* stdfu: first, every chunk */
	app_cdc_data(itf, buf, n);
}

void tud_cdc_line_state_cb(uint8_t itf, bool dtr, bool rts)
{
	(void)itf;
	/* SET_CONTROL_LINE_STATE's wValue: bit 0 DTR, bit 1 RTS */
	stdfu_fw_control_line_state((uint16_t)((dtr ? 1u : 0u) | (rts ? 2u : 0u)), app_millis());
}

void tud_cdc_line_coding_cb(uint8_t itf, cdc_line_coding_t const *p_line_coding)
{
	(void)itf;
	stdfu_fw_line_coding(p_line_coding->bit_rate, app_millis());
}

int app_main(void) /* your int main(void) */
{
	app_board_init();
	tusb_init();
	for (;;) {
		tud_task();
		stdfu_fw_poll(app_millis()); /* stdfu: at least every 10 ms */
	}
}
