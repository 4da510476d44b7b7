/* SPDX-License-Identifier: MIT */
/*
 * stdfu read FILE|- [--address ADDR] [--length N] [--alt N]: UPLOAD memory into
 * a raw file, or to standard output. The defaults read what a user means:
 * without --length, to the end of the region that holds ADDR; without
 * --address, the whole memory of the alt (the internal flash by default).
 *
 * FILE is never left half-written: the data goes to a temporary file in
 * FILE's directory, created before the device is touched (so an unwritable
 * place fails at once, not after a long read), and is renamed over FILE
 * only when complete. An existing FILE is replaced only with --force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"

/* The alt whose memory holds @address (flash, option bytes, OTP...). */
static const struct stdfu_alt *alt_for(const struct stdfu_device_info *d, uint32_t address)
{
	for (size_t a = 0; a < d->n_alts; a++) {
		struct stdfu_sector s;

		if (d->alts[a].layout_ok &&
		    stdfu_layout_sector_at(&d->alts[a].layout, address, &s) == STDFU_OK)
			return &d->alts[a];
	}
	return NULL;
}

static const struct stdfu_alt *alt_number(const struct stdfu_device_info *d, uint8_t n)
{
	for (size_t a = 0; a < d->n_alts; a++)
		if (d->alts[a].number == n)
			return &d->alts[a];
	return NULL;
}

/* End of the run of contiguous sectors of @l that holds @address. */
static uint64_t region_end(const struct stdfu_layout *l, uint32_t address)
{
	uint64_t end = address;
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t g = 0; g < l->n_groups; g++) {
			const struct stdfu_sector_group *sg = &l->groups[g];
			uint64_t ge = (uint64_t)sg->start + (uint64_t)sg->count * sg->size;

			if (sg->start <= end && end < ge) {
				end = ge;
				grew = true;
			}
		}
	}
	return end;
}

/* Fill in what the command line left out; STDFU_OK or an exit code already reported. */
static int range(struct cli *c, const struct stdfu_device_info *d, uint8_t *alt, uint32_t *address,
		 uint32_t *length)
{
	const struct stdfu_alt *a = c->alt_set	     ? alt_number(d, c->alt)
				    : c->address_set ? alt_for(d, c->address)
						     : stdfu_device_flash_alt(d);
	uint64_t end;

	if (!a && c->alt_set)
		return out_usage(c, "the device has no alt %u (see `stdfu info`)", c->alt);
	/* Outside every map: ask the flash alt and let the device decide. */
	if (!a)
		a = stdfu_device_flash_alt(d);
	*alt = a ? a->number : 0;
	*address = c->address_set      ? c->address
		   : a && a->layout_ok ? stdfu_layout_start(&a->layout)
				       : 0;
	if (c->length_set) {
		*length = c->length;
		return STDFU_OK;
	}
	if (!a || !a->layout_ok || (end = region_end(&a->layout, *address)) <= *address)
		return out_usage(c,
				 "read needs --length here: 0x%08x is in no memory region of "
				 "the device (see `stdfu info`)",
				 *address);
	*length = (uint32_t)(end - *address);
	return STDFU_OK;
}

struct out_file {
	const char *path;
	char tmp[4096];
	int fd;
};

static int file_fail(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int file_fail(struct cli *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return out_fail_msg(c, STDFU_ERR_FILE, msg);
}

static int file_error(struct cli *c, struct out_file *f, const char *what)
{
	return file_fail(c, "%s %s: %s", what, f->path, strerror(errno));
}

/* Refuse to replace FILE without --force; open the temporary file next to it. */
static int out_open(struct cli *c, struct out_file *f)
{
	struct stat st;

	f->fd = -1;
	if (lstat(f->path, &st) == 0 && !S_ISREG(st.st_mode))
		return file_fail(c, "%s exists and is not a regular file; give another FILE",
				 f->path);
	if (lstat(f->path, &st) == 0 && !c->force)
		return file_fail(c,
				 "%s already exists; nothing was read. Give --force to replace it",
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

/* Complete the temporary file, then put it in FILE's place in one step
 * (standard output: written as it is). */
static int out_commit(struct cli *c, struct out_file *f, const uint8_t *buf, uint32_t len)
{
	int rc = 0;

	if (f->fd < 0)
		return fwrite(buf, 1, len, stdout) != len || fflush(stdout)
			       ? file_fail(c, "cannot write standard output: %s", strerror(errno))
			       : 0;
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

static int read_into(struct cli *c, struct stdfu_device *dev, struct out_file *f,
		     struct stdfu_result *res)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	uint32_t address = 0, length = 0;
	uint8_t alt = 0, *buf;
	int rc = range(c, stdfu_device_get_info(dev), &alt, &address, &length);

	if (rc)
		return rc;
	buf = malloc(length);
	if (!buf)
		return out_fail(c, STDFU_ERR_NOMEM);
	rc = stdfu_read(dev, alt, address, length, buf, &o, res);
	if (!rc)
		rc = out_commit(c, f, buf, length);
	free(buf);
	jw_str(out_extra(c), "file", c->args[0]);
	jw_addr(out_extra(c), "address", address);
	jw_int(out_extra(c), "length", length);
	jw_int(out_extra(c), "alt", alt);
	return rc;
}

int cmd_read(struct cli *c)
{
	struct stdfu_result res = {0};
	struct stdfu_device *dev = NULL;
	struct out_file f = {.path = c->args[0], .fd = -1};
	int rc;

	if (!strcmp(c->args[0], "-") && c->mode == OUT_JSON)
		return out_usage(c, "read - writes the memory to standard output, where --json "
				    "writes its lines: give a file name");
	/* The output is checked before the device is looked for. */
	if (strcmp(f.path, "-") && (rc = out_open(c, &f)) != 0)
		return rc;
	rc = cli_acquire(c, &dev);
	if (!rc)
		rc = read_into(c, dev, &f, &res);
	cli_release(c, dev);
	out_discard(&f);
	if (rc > 0)
		return rc;
	return out_result(c, rc, &res);
}
