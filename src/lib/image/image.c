/* SPDX-License-Identifier: MIT */
/*
 * Loading and saving images: format detection and dispatch to the readers
 * and writers (formats.h), the DFU suffix; the model itself is build.c.
 *
 * Every file is hostile. Allocations are bounded by max_size and by the
 * real length of the input, never by a length field read from it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error_internal.h"
#include "image/build.h"
#include "image/formats.h"
#include "image/suffix.h"

/* A file may be a few times larger than its data (HEX is ~2.8x). */
#define FILE_SIZE_FACTOR 4u

static const char *const format_names[] = {
	[STDFU_FORMAT_AUTO] = "auto", [STDFU_FORMAT_RAW] = "raw", [STDFU_FORMAT_IHEX] = "ihex",
	[STDFU_FORMAT_SREC] = "srec", [STDFU_FORMAT_ELF] = "elf", [STDFU_FORMAT_DFUSE] = "dfuse",
};

const char *stdfu_image_format_name(enum stdfu_image_format fmt)
{
	if ((unsigned)fmt >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[fmt];
}

static const struct {
	const char *name;
	enum stdfu_image_format fmt;
} format_aliases[] = {
	{"raw", STDFU_FORMAT_RAW},   {"bin", STDFU_FORMAT_RAW},	    {"ihex", STDFU_FORMAT_IHEX},
	{"hex", STDFU_FORMAT_IHEX},  {"ihx", STDFU_FORMAT_IHEX},    {"srec", STDFU_FORMAT_SREC},
	{"s19", STDFU_FORMAT_SREC},  {"s28", STDFU_FORMAT_SREC},    {"s37", STDFU_FORMAT_SREC},
	{"mot", STDFU_FORMAT_SREC},  {"elf", STDFU_FORMAT_ELF},	    {"axf", STDFU_FORMAT_ELF},
	{"dfu", STDFU_FORMAT_DFUSE}, {"dfuse", STDFU_FORMAT_DFUSE},
};

int stdfu_image_format_parse(const char *name, enum stdfu_image_format *out)
{
	if (!name || !out)
		return stdfu__fail(STDFU_ERR_ARG, "no format name given");
	if (name[0] == '.')
		name++;
	for (size_t i = 0; i < sizeof(format_aliases) / sizeof(format_aliases[0]); i++) {
		if (strcasecmp(name, format_aliases[i].name) == 0) {
			*out = format_aliases[i].fmt;
			return STDFU_OK;
		}
	}
	return stdfu__fail(STDFU_ERR_ARG,
			   "unknown image format '%s' (use bin, hex, srec, elf or dfu)", name);
}

int stdfu_image_format_from_path(const char *path, enum stdfu_image_format *out)
{
	const char *slash, *dot;

	if (!path || !out)
		return stdfu__fail(STDFU_ERR_ARG, "no path given");
	slash = strrchr(path, '/');
	dot = strrchr(slash ? slash : path, '.');
	if (!dot || !dot[1])
		return stdfu__fail(STDFU_ERR_ARG,
				   "%s: no file extension to tell the format (use --format)", path);
	if (stdfu_image_format_parse(dot + 1, out) < 0)
		return stdfu__fail(
			STDFU_ERR_ARG,
			"%s: unknown extension '%s' (use .bin, .hex, .srec, .elf, .dfu or "
			"--format)",
			path, dot);
	return STDFU_OK;
}

static bool is_hex_digit(uint8_t c)
{
	return isxdigit(c) != 0;
}

/* First line of an Intel HEX file: ':' and at least the 10 hex digits of a record. */
static bool looks_ihex(const uint8_t *buf, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i >= len || buf[i++] != ':')
		return false;
	while (i < len && is_hex_digit(buf[i]) && n < 10)
		i++, n++;
	return n == 10;
}

static bool looks_srec(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (len < 4 || i > len - 4)
		return false;
	return buf[i] == 'S' && buf[i + 1] >= '0' && buf[i + 1] <= '9' &&
	       is_hex_digit(buf[i + 2]) && is_hex_digit(buf[i + 3]);
}

enum stdfu_image_format stdfu_image_detect(const uint8_t *buf, size_t len)
{
	if (len >= 4 && memcmp(buf,
			       "\x7f"
			       "ELF",
			       4) == 0)
		return STDFU_FORMAT_ELF;
	if (len >= 5 && memcmp(buf, "DfuSe", 5) == 0)
		return STDFU_FORMAT_DFUSE;
	if (looks_ihex(buf, len))
		return STDFU_FORMAT_IHEX;
	if (looks_srec(buf, len))
		return STDFU_FORMAT_SREC;
	return STDFU_FORMAT_RAW;
}

static enum stdfu_image_format choose_format(const uint8_t *buf, size_t len, const char *name)
{
	enum stdfu_image_format fmt = stdfu_image_detect(buf, len), ext;

	/*
	 * Content wins. But a file named .hex that does not look like HEX is a
	 * broken HEX file, not a binary to flash as is: let its parser say why.
	 */
	if (fmt == STDFU_FORMAT_RAW && name && stdfu_image_format_from_path(name, &ext) == 0)
		fmt = ext;
	stdfu_error_clear();
	return fmt;
}

static int read_format(struct img_build *b, enum stdfu_image_format fmt, const uint8_t *buf,
		       size_t len, const struct stdfu_image_load_opts *opts)
{
	switch (fmt) {
	case STDFU_FORMAT_RAW:
		return stdfu__image_read_raw(b, buf, len, opts);
	case STDFU_FORMAT_IHEX:
		return stdfu__image_read_ihex(b, buf, len);
	case STDFU_FORMAT_SREC:
		return stdfu__image_read_srec(b, buf, len);
	case STDFU_FORMAT_ELF:
		return stdfu__image_read_elf(b, buf, len);
	case STDFU_FORMAT_DFUSE:
		return stdfu__image_read_dfuse(b, buf, len);
	default:
		return stdfu__fail(STDFU_ERR_ARG, "%s: unknown image format %d", b->name, (int)fmt);
	}
}

int stdfu_image_load_mem(const uint8_t *buf, size_t len, const char *name,
			 const struct stdfu_image_load_opts *opts, struct stdfu_image **out)
{
	enum stdfu_image_format fmt = opts ? opts->format : STDFU_FORMAT_AUTO;
	struct stdfu_image suffix = {0};
	struct img_build b;
	size_t payload = len;
	int rc;

	if (!out || (!buf && len))
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_image_load_mem: NULL argument");
	*out = NULL;
	if (!name)
		name = "<memory>";
	if (len == 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: file is empty", name);
	if (fmt == STDFU_FORMAT_AUTO)
		fmt = choose_format(buf, len, name);

	if (stdfu__dfu_suffix_present(buf, len)) {
		rc = stdfu__dfu_suffix_parse(buf, len, name, &suffix, &payload);
		if (rc < 0)
			return rc;
	} else if (fmt == STDFU_FORMAT_DFUSE) {
		return stdfu__fail(
			STDFU_ERR_IMAGE,
			"%s: DfuSe file without a DFU suffix (last 16 bytes; truncated?)", name);
	}

	rc = stdfu__img_build_init(&b, name, opts, fmt);
	if (rc < 0)
		return rc;
	b.img->has_suffix = suffix.has_suffix;
	b.img->suffix_vid = suffix.suffix_vid;
	b.img->suffix_pid = suffix.suffix_pid;
	b.img->suffix_bcd_device = suffix.suffix_bcd_device;
	b.img->suffix_bcd_dfu = suffix.suffix_bcd_dfu;
	rc = read_format(&b, fmt, buf, payload, opts);
	if (rc < 0) {
		stdfu__img_build_abort(&b);
		return rc;
	}
	return stdfu__img_build_finish(&b, out);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/*
 * Open for reading without blocking: a FIFO or a device node would block in
 * open() before fstat() could say that it is not a regular file.
 */
static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return stdfu__fail(STDFU_ERR_FILE, "%s: %s", path, strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return stdfu__fail(STDFU_ERR_FILE, "%s: not a regular file", path);
	}
	return fd;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 1; /* shorter than fstat() said: truncated as we read */
		got += (size_t)n;
	}
	return 0;
}

/* Bytes past the size fstat() gave: the file grew while we read it. */
static bool grew(int fd)
{
	uint8_t extra;
	ssize_t n;

	do
		n = read(fd, &extra, 1);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* The file is read once; a size or mtime that moved meanwhile means a torn read. */
static int read_file(const char *path, size_t limit, uint8_t **out, size_t *out_len,
		     struct stat *st)
{
	struct stat after;
	uint8_t *buf;
	int rc, fd = open_regular(path, st);

	if (fd < 0)
		return fd;
	if ((uint64_t)st->st_size > limit) {
		close(fd);
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: file is %lld bytes, larger than any image",
				   path, (long long)st->st_size);
	}
	buf = malloc(st->st_size ? (size_t)st->st_size : 1);
	if (!buf) {
		close(fd);
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", path);
	}
	rc = read_all(fd, buf, (size_t)st->st_size);
	if (rc < 0 || fstat(fd, &after) < 0) {
		close(fd);
		free(buf);
		return stdfu__fail(STDFU_ERR_FILE, "%s: read error: %s", path, strerror(errno));
	}
	if (rc > 0 || grew(fd) || after.st_size != st->st_size ||
	    mtime_ns(&after) != mtime_ns(st)) {
		close(fd);
		free(buf);
		return stdfu__fail(STDFU_ERR_FILE,
				   "%s: the file changed while it was read (is it still being "
				   "written?); try again when it is complete",
				   path);
	}
	close(fd);
	*out = buf;
	*out_len = (size_t)st->st_size;
	return STDFU_OK;
}

int stdfu_image_file_unchanged(const struct stdfu_image *img, const char *path)
{
	struct stat st;

	if (!img || !img->from_file || !path)
		return STDFU_OK;
	if (stat(path, &st) < 0)
		return stdfu__fail(STDFU_ERR_FILE, "%s: %s (it was there when it was read)", path,
				   strerror(errno));
	if ((int64_t)st.st_size != img->file_size || mtime_ns(&st) != img->file_mtime_ns)
		return stdfu__fail(STDFU_ERR_FILE,
				   "%s: the file changed after it was read (%lld bytes then, %lld "
				   "now); nothing was written to the device: try again when it "
				   "is complete",
				   path, (long long)img->file_size, (long long)st.st_size);
	return STDFU_OK;
}

int stdfu_image_load(const char *path, const struct stdfu_image_load_opts *opts,
		     struct stdfu_image **out)
{
	size_t max = opts && opts->max_size ? opts->max_size : IMG_DEFAULT_MAX_SIZE;
	size_t limit = max > SIZE_MAX / FILE_SIZE_FACTOR ? SIZE_MAX : max * FILE_SIZE_FACTOR;
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;
	int rc;

	if (!path || !out)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_image_load: NULL argument");
	*out = NULL;
	rc = read_file(path, limit, &buf, &len, &st);
	if (rc < 0)
		return rc;
	rc = stdfu_image_load_mem(buf, len, path, opts, out);
	free(buf);
	if (rc == STDFU_OK) {
		(*out)->from_file = true;
		(*out)->file_size = (int64_t)st.st_size;
		(*out)->file_mtime_ns = mtime_ns(&st);
	}
	return rc;
}

static int write_format(const struct stdfu_image *img, enum stdfu_image_format fmt,
			const struct stdfu_image_save_opts *opts, const char *path, uint8_t **buf,
			size_t *len)
{
	switch (fmt) {
	case STDFU_FORMAT_RAW:
		return stdfu__image_write_bin(img, opts, path, buf, len);
	case STDFU_FORMAT_IHEX:
		return stdfu__image_write_ihex(img, opts, path, buf, len);
	case STDFU_FORMAT_SREC:
		return stdfu__image_write_srec(img, opts, path, buf, len);
	case STDFU_FORMAT_DFUSE:
		return stdfu__image_write_dfuse(img, opts, path, buf, len);
	case STDFU_FORMAT_ELF:
		return stdfu__fail(STDFU_ERR_UNSUPPORTED,
				   "%s: writing ELF is not supported (use bin, hex, srec or dfu)",
				   path);
	default:
		return stdfu__fail(STDFU_ERR_ARG, "%s: unknown output format %d", path, (int)fmt);
	}
}

/* Write through a temporary file and rename, so a failure never leaves half a file. */
static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	FILE *f;
	int fd, ok;

	if (!tmp)
		return stdfu__fail(STDFU_ERR_NOMEM, "%s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int rc = stdfu__fail(STDFU_ERR_FILE, "%s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	/* mkstemp makes 0600; an output file is an ordinary file. */
	(void)fchmod(fd, 0644);
	f = fdopen(fd, "wb");
	ok = f && fwrite(buf, 1, len, f) == len;
	if (f)
		ok = (fclose(f) == 0) && ok;
	else
		close(fd);
	if (!ok || rename(tmp, path) < 0) {
		int rc = stdfu__fail(STDFU_ERR_FILE, "%s: %s", path,
				     errno ? strerror(errno) : "write error");
		unlink(tmp);
		free(tmp);
		return rc;
	}
	free(tmp);
	return STDFU_OK;
}

int stdfu_image_save(const struct stdfu_image *img, const char *path,
		     const struct stdfu_image_save_opts *opts)
{
	enum stdfu_image_format fmt = opts ? opts->format : STDFU_FORMAT_AUTO;
	struct stdfu_image_save_opts def = {
		.vid = 0xFFFF, .pid = 0xFFFF, .bcd_device = 0xFFFF, .fill = 0xFF};
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (!img || !path)
		return stdfu__fail(STDFU_ERR_ARG, "stdfu_image_save: NULL argument");
	if (!opts)
		opts = &def;
	if (fmt == STDFU_FORMAT_AUTO && (rc = stdfu_image_format_from_path(path, &fmt)) < 0)
		return rc;
	if (img->count == 0)
		return stdfu__fail(STDFU_ERR_IMAGE, "%s: the image holds no data", path);
	rc = write_format(img, fmt, opts, path, &buf, &len);
	if (rc < 0)
		return rc;
	rc = write_file(path, buf, len);
	free(buf);
	return rc;
}
