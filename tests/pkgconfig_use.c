/* Built by the pkgconfig_consumer test against the *installed* library,
 * through pkg-config only, as a downstream project would. */
#include <stdio.h>
#include <stdfu/stdfu.h>
int main(void)
{
	struct stdfu_image *img = NULL;
	static const unsigned char raw[] = {1, 2, 3};
	struct stdfu_image_load_opts o = {
		.format = STDFU_FORMAT_RAW, .raw_address_set = 1, .raw_address = 0x08000000};
	int rc = stdfu_image_load_mem(raw, sizeof(raw), "mem", &o, &img);
	printf("rc=%d bytes=%llu err=%s\n", rc, (unsigned long long)stdfu_image_bytes(img),
	       stdfu_strerror(rc));
	stdfu_image_free(img);
	return rc != 0;
}
