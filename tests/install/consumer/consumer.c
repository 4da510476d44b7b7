/* SPDX-License-Identifier: MIT */
/* A downstream program built against an installed libstdfu (pkg-config or
 * find_package): the headers, the library and its version must agree. */
#include <stdio.h>
#include <string.h>

#include <stdfu/stdfu.h>

int main(void)
{
	static const unsigned char raw[] = {1, 2, 3};
	struct stdfu_image_load_opts o = {
		.format = STDFU_FORMAT_RAW, .raw_address_set = 1, .raw_address = 0x08000000};
	struct stdfu_image *img = NULL;
	int rc = stdfu_image_load_mem(raw, sizeof(raw), "mem", &o, &img);
	unsigned long long bytes = stdfu_image_bytes(img);

	printf("libstdfu %s (headers %s): rc=%d bytes=%llu err=%s\n", stdfu_version(),
	       STDFU_VERSION_STRING, rc, bytes, stdfu_strerror(rc));
	stdfu_image_free(img);
	if (strcmp(stdfu_version(), STDFU_VERSION_STRING) ||
	    stdfu_version_number() != STDFU_VERSION_NUMBER)
		return 2;
	return rc != 0 || bytes != sizeof(raw);
}
