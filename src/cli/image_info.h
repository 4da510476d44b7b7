/* SPDX-License-Identifier: MIT */
/* What an image file holds, and whether it carries the firmware companion (image_info.c). */
#ifndef STDFU_CLI_IMAGE_INFO_H
#define STDFU_CLI_IMAGE_INFO_H

#include "cli.h"

/* stdfu info FILE: the image's format, extent and companion record. */
int cli_image_info(struct cli *c);

/*
 * Before flashing @img onto a board that the companion's trigger (byte or 1200-baud
 * touch) brought into the ROM: warn if the image lacks the companion record, since the
 * next update would then need BOOT0 or a DFU runtime interface.
 */
void cli_companion_warn(struct cli *c, const struct stdfu_image *img);

#endif
