/* Built by the pkgconfig_* tests against the *installed* library, through
 * pkg-config only, as a downstream project would.
 *   pkgconfig_use              load an image from memory (no device)
 *   pkgconfig_use flash IMAGE  take a board that runs its application into its
 *                              ROM, flash IMAGE, and wait for the application
 *                              to come back: stdfu_target_open + stdfu_flash +
 *                              stdfu_target_wait_app, nothing else of stdfu's */
#include <stdio.h>
#include <string.h>

#include <stdfu/stdfu.h>

static int load_only(void)
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

static void on_target(const struct stdfu_target_event *ev, void *user)
{
	static const char *const names[] = {"chosen",	"sent",	  "left",     "dfu_found",
					    "app_back", "no_app", "candidate"};

	(void)user;
	printf("target: %s path=%s address=%u port=%s\n", names[ev->kind], ev->path, ev->address,
	       ev->port);
}

static int fail(const char *step, int rc)
{
	fprintf(stderr, "%s: %s: %s\n", step, stdfu_strerror(rc), stdfu_error_detail());
	return 1;
}

/* The report must say what happened: a trigger, the ROM, the application back. */
static int check_report(const struct stdfu_target_report *r)
{
	if (!r->triggered || !r->app.name[0] || !r->dfu.path[0] || !r->app_back ||
	    strcmp(r->back.dev.path, r->app.dev.path) != 0) {
		fprintf(stderr, "report: triggered=%d app=%s rom=%s back=%d at %s\n", r->triggered,
			r->app.name, r->dfu.path, r->app_back, r->back.dev.path);
		return 1;
	}
	printf("flashed via %s (usb-path %s), ROM at %s address %u, back at %s\n", r->app.name,
	       r->app.dev.path, r->dfu.path, r->dfu.address, r->back.dev.path);
	return 0;
}

static int flash_from_app(const char *path)
{
	struct stdfu_target_opts to = {.method = STDFU_METHOD_BYTE, .trigger_byte = -1};
	struct stdfu_image_load_opts lo = {.format = STDFU_FORMAT_AUTO};
	struct stdfu_flash_opts fo = {0}; /* the defaults: verify, then leave */
	static struct stdfu_target_report report;
	struct stdfu_result res;
	struct stdfu_image *img = NULL;
	struct stdfu_device *dev = NULL;
	struct stdfu_ctx *ctx = NULL;
	int rc;

	to.cb = on_target;
	if ((rc = stdfu_image_load(path, &lo, &img)))
		return fail("load", rc);
	if ((rc = stdfu_ctx_new(&ctx)) || (rc = stdfu_target_open(ctx, &to, &dev, &report))) {
		stdfu_image_free(img);
		stdfu_ctx_free(ctx);
		return fail("open", rc);
	}
	rc = stdfu_flash(dev, img, &fo, &res);
	stdfu_device_close(dev);
	stdfu_image_free(img);
	if (rc) {
		stdfu_ctx_free(ctx);
		return fail("flash", rc);
	}
	rc = stdfu_target_wait_app(ctx, &to, &report);
	stdfu_ctx_free(ctx);
	if (rc)
		return fail("wait_app", rc);
	return check_report(&report);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "flash") == 0)
		return flash_from_app(argv[2]);
	return load_only();
}
