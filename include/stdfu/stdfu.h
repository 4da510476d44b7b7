/* SPDX-License-Identifier: MIT */
/**
 * @file stdfu/stdfu.h
 * @brief libstdfu: flash STM32 parts through their USB ROM bootloader (ST DfuSe).
 *
 * Umbrella header. Typical use, from a board running its application or
 * already in DFU mode (stdfu/target.h):
 *   stdfu_ctx_new -> stdfu_target_open -> stdfu_image_load -> stdfu_flash
 *   -> stdfu_device_close -> stdfu_target_wait_app -> stdfu_ctx_free
 * or, for a board known to be in DFU mode (stdfu/device.h):
 *   stdfu_ctx_new -> stdfu_device_scan -> stdfu_device_select -> stdfu_device_open
 */
#ifndef STDFU_STDFU_H
#define STDFU_STDFU_H

#include <stdfu/error.h>
#include <stdfu/layout.h>
#include <stdfu/dfu.h>
#include <stdfu/device.h>
#include <stdfu/dfuse.h>
#include <stdfu/image.h>
#include <stdfu/plan.h>
#include <stdfu/flash.h>
#include <stdfu/trigger.h>
#include <stdfu/target.h>
#include <stdfu/companion.h>
#include <stdfu/version.h>
#include <stdfu/optbytes.h>
#include <stdfu/chip.h>

#endif
