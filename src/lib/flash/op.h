/* SPDX-License-Identifier: MIT */
/*
 * One operation on an open device (a flash, a read, an erase...): its
 * options, its event callback, and the result it fills phase by phase with
 * wall time, bytes and control transfers.
 */
#ifndef STDFU_FLASH_OP_H
#define STDFU_FLASH_OP_H

#include <stdint.h>

#include <stdfu/flash.h>
#include <stdfu/plan.h>

struct op {
	struct stdfu_device *dev;
	const struct stdfu_flash_opts *opts;
	struct stdfu_result *res;
	uint64_t t0;
	enum stdfu_phase phase;
	uint64_t phase_t0, phase_x0, total, done;
	bool padded;	     /* a refused short block was written padded (said once) */
	uint16_t write_size; /* 0, or the smaller write size after a failed block (L43x) */
	bool ts_checked;     /* wTransferSize checked against the ROM's placement */
	/* The write phase's plan of the selected alt: what a padded block holds past
	 * its run (blocks.c), and where that block ended: the image is written up
	 * to padded_end (0: no such block since the last erase). */
	const struct stdfu_plan *plan;
	uint64_t padded_end;
	bool aligned;	/* the ROM takes only full blocks: write them aligned (write.c) */
	bool skip_safe; /* blank sectors may go unerased (readback.c), decided once */
};

/* Start an operation: zero @res, route the device's warnings to the callback. */
void stdfu__op_begin(struct op *op, struct stdfu_device *dev, const struct stdfu_flash_opts *opts,
		     struct stdfu_result *res);
/* STDFU_ERR_CANCELLED, saying where: call it at a safe point between transfers. */
int stdfu__cancel_at(struct op *op, uint32_t address);
/* Finish it: total time and transfers into the result; returns @rc. After a
 * cancel the device is brought to dfuIDLE first. */
int stdfu__op_end(struct op *op, int rc);

void stdfu__phase_start(struct op *op, enum stdfu_phase phase, uint64_t total);
void stdfu__progress(struct op *op, uint64_t bytes);
/* Close the phase: on success account for it and say so; on failure only account. */
int stdfu__phase_close(struct op *op, int rc);

/* Report what is done with a sector (STDFU_EVENT_SECTOR) and count it in the result. */
void stdfu__sector_event(struct op *op, const struct stdfu_plan_erase *sector);

/* The PREPARE phase: select @alt and bring the device to dfuIDLE. */
int stdfu__op_prepare(struct op *op, uint8_t alt);

#endif
