/* SPDX-License-Identifier: MIT */
/* What to tell a user who may not open the USB device: where the udev rule is. */
#ifndef STDFU_CLI_UDEV_HINT_H
#define STDFU_CLI_UDEV_HINT_H

/* The hint for STDFU_ERR_ACCESS, naming the rule file that really exists. */
const char *cli_udev_hint(void);

#endif
