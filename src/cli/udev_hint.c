/* SPDX-License-Identifier: MIT */
/*
 * The permission hint names a rule file that exists on this machine, found at
 * run time: an install under any prefix (`cmake --install --prefix DIR`, a
 * package, a copied tree) puts the rule at BINDIR/../lib/udev/rules.d, and
 * udev itself reads /etc/udev/rules.d and /usr/lib/udev/rules.d (udev(7)).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "udev_hint.h"

#define RULE   "60-stdfu.rules"
#define RELOAD "run `sudo udevadm control --reload && sudo udevadm trigger` and replug the board"
#define GRANTS "the rule grants the logged-in user, and group plugdev, access to 0483:df11"

static const char *const udev_dirs[] = {"/etc/udev/rules.d/", "/usr/lib/udev/rules.d/",
					"/lib/udev/rules.d/"};

static char buf[PATH_MAX + 512];

/* BINDIR/../lib/udev/rules.d/60-stdfu.rules next to the running binary. */
static int installed_rule(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if (snprintf(path, size, "%s/../lib/udev/rules.d/" RULE, exe) >= (int)size)
		return -1;
	return access(path, R_OK);
}

const char *cli_udev_hint(void)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(udev_dirs) / sizeof(udev_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s" RULE, udev_dirs[i]);
		if (access(path, R_OK) == 0) {
			snprintf(buf, sizeof(buf),
				 "your user may not open USB devices. The udev rule %s is "
				 "installed: " RELOAD "; " GRANTS " (see stdfu(1), UDEV)",
				 path);
			return buf;
		}
	}
	if (installed_rule(path, sizeof(path)) == 0)
		snprintf(buf, sizeof(buf),
			 "your user may not open USB devices, and udev does not read the rule "
			 "installed with stdfu. `sudo install -m 644 %s /etc/udev/rules.d/`, "
			 "then " RELOAD "; " GRANTS " (see stdfu(1), UDEV)",
			 path);
	else
		snprintf(buf, sizeof(buf),
			 "your user may not open USB devices, and stdfu's udev rule is not "
			 "installed. From stdfu's source tree: `sudo install -m 644 "
			 "src/cli/" RULE " /etc/udev/rules.d/`, then " RELOAD "; " GRANTS
			 " (see stdfu(1), UDEV)");
	return buf;
}
