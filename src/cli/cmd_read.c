/* SPDX-License-Identifier: MIT */
/*
 * stdfu read FILE --address ADDR --length N: UPLOAD memory into a raw file.
 *
 * FILE is never left half-written: the data goes to a temporary file in
 * FILE's directory, created before the device is touched (so an unwritable
 * place fails at once, not after a long read), and is renamed over FILE
 * only when complete. An existing FILE is replaced only with --force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The alt whose memory holds @address (flash, option bytes, OTP...). */
static int alt_for(const struct stdfu_device_info *d, uint32_t address, uint8_t *alt)
{
	for (size_t a = 0; a < d->n_alts; a++) {
		struct stdfu_sector s;

		if (d->alts[a].layout_ok &&
		    stdfu_layout_sector_at(&d->alts[a].layout, address, &s) == STDFU_OK) {
			*alt = d->alts[a].number;
			return STDFU_OK;
		}
	}
	return STDFU_ERR_ADDRESS;
}

struct out_file {
	const char *path;
	char tmp[4096];
	int fd;
};

static int file_error(struct cli *c, struct out_file *f, const char *what)
{
	return out_fail_msg(c, STDFU_ERR_FILE, "%s %s: %s", what, f->path, strerror(errno));
}

/* Refuse to replace FILE without --force; open the temporary file next to it. */
static int out_open(struct cli *c, struct out_file *f)
{
	struct stat st;

	f->fd = -1;
	if (lstat(f->path, &st) == 0 && !S_ISREG(st.st_mode))
		return out_fail_msg(c, STDFU_ERR_FILE,
				    "%s exists and is not a regular file; give another FILE",
				    f->path);
	if (lstat(f->path, &st) == 0 && !c->force)
		return out_fail_msg(c, STDFU_ERR_FILE,
				    "%s already exists; nothing was read. Give --force to "
				    "replace it",
				    f->path);
	if ((size_t)snprintf(f->tmp, sizeof(f->tmp), "%s.stdfu-XXXXXX", f->path) >=
	    sizeof(f->tmp)) {
		errno = ENAMETOOLONG;
		return file_error(c, f, "cannot write");
	}
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0)
		return file_error(c, f, "cannot write");
	/* mkstemp makes 0600; a dump is an ordinary file */
	(void)fchmod(f->fd, 0644);
	return 0;
}

static void out_discard(struct out_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	unlink(f->tmp);
	f->fd = -1;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Complete the temporary file, then put it in FILE's place in one step. */
static int out_commit(struct cli *c, struct out_file *f, const uint8_t *buf, uint32_t len)
{
	int rc = 0;

	if (write_all(f->fd, buf, len) || fsync(f->fd))
		rc = file_error(c, f, "cannot write");
	if (close(f->fd) && !rc)
		rc = file_error(c, f, "cannot write");
	f->fd = -1;
	if (!rc && rename(f->tmp, f->path))
		rc = file_error(c, f, "cannot replace");
	if (rc)
		unlink(f->tmp);
	return rc;
}

static int read_device(struct cli *c, uint8_t *buf, struct stdfu_result *res)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_device *dev = NULL;
	uint8_t alt = c->alt;
	int rc = cli_acquire(c, &dev);

	if (rc)
		return rc;
	/* Outside every map: the flash alt's check names the map. */
	if (!c->alt_set && alt_for(stdfu_device_get_info(dev), c->address, &alt)) {
		const struct stdfu_alt *f = stdfu_device_flash_alt(stdfu_device_get_info(dev));

		alt = f ? f->number : 0;
	}
	rc = stdfu_read(dev, alt, c->address, c->length, buf, &o, res);
	cli_release(c, dev);
	return rc;
}

int cmd_read(struct cli *c)
{
	struct out_file f = {.path = c->args[0], .fd = -1};
	struct stdfu_result res = {0};
	uint8_t *buf;
	int rc;

	if (!c->address_set || !c->length_set) {
		fprintf(stderr, "stdfu: read needs --address ADDR and --length N\n");
		return CLI_EXIT_USAGE;
	}
	rc = out_open(c, &f);
	if (rc)
		return rc;
	buf = malloc(c->length);
	if (!buf) {
		out_discard(&f);
		return out_fail(c, STDFU_ERR_NOMEM);
	}
	rc = read_device(c, buf, &res);
	if (rc) {
		out_discard(&f);
		free(buf);
		return rc > 0 ? rc : out_result(c, rc, &res);
	}
	rc = out_commit(c, &f, buf, c->length);
	free(buf);
	return rc ? rc : out_result(c, STDFU_OK, &res);
}
