/* SPDX-License-Identifier: MIT */
/* USB port paths ("1-2", "1-2.4") in the order the CLI lists boards. */
#ifndef STDFU_CLI_USB_PATH_H
#define STDFU_CLI_USB_PATH_H

/* Bus order, numerically per level: 1-2 before 1-10 (strcmp puts 1-10 first). */
int usb_path_cmp(const char *p, const char *q);

#endif
