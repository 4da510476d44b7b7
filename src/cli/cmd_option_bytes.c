/* SPDX-License-Identifier: MIT */
/* stdfu option-bytes show|set FIELD=VALUE..., and flash --protect. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_option_bytes.h"

#define MAX_CHANGES 15

static const char *const kind_names[] = {"rdp", "boot", "protection", "user"};

void cli_ob_fields_human(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len,
			 int kind)
{
	for (size_t i = 0; i < fam->n_fields; i++) {
		const struct stdfu_ob_field *f = &fam->fields[i];
		uint32_t v = stdfu_ob_field_get(f, img, len);
		const char *m = stdfu_ob_value_meaning(f, v);

		if (kind >= 0 && (int)f->kind != kind)
			continue;
		printf("  %-16s 0x%-8x %s%s%s  [%s]\n", f->name, (unsigned)v, f->meaning,
		       m ? ": " : "", m ? m : "", f->ref);
	}
}

void cli_ob_fields_json(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len, int kind)
{
	bool first = true;

	for (size_t i = 0; i < fam->n_fields; i++) {
		const struct stdfu_ob_field *f = &fam->fields[i];
		uint32_t v = stdfu_ob_field_get(f, img, len);
		const char *m = stdfu_ob_value_meaning(f, v);

		if (kind >= 0 && (int)f->kind != kind)
			continue;
		printf("%s{\"name\":\"%s\",\"value\":%u,\"bits\":%u,\"kind\":\"%s\",\"field\":",
		       first ? "" : ",", f->name, (unsigned)v, f->width, kind_names[f->kind]);
		out_json_string(f->meaning);
		fputs(",\"meaning\":", stdout);
		out_json_string(m ? m : "");
		fputs(",\"ref\":", stdout);
		out_json_string(f->ref);
		putchar('}');
		first = false;
	}
}

static void hex_words(const uint8_t *img, size_t len, bool json)
{
	for (size_t i = 0; i < len; i++)
		printf(json ? "%02x" : (i % 16 == 0 ? "\n  %02x" : " %02x"), img[i]);
	if (!json)
		putchar('\n');
}

/* The raw image of a family without a table: the option-byte alt as it reads. */
static int raw_image(struct stdfu_device *dev, uint8_t *buf, size_t *len)
{
	const struct stdfu_device_info *d = stdfu_device_get_info(dev);
	struct stdfu_result res;

	for (size_t a = 0; a < d->n_alts; a++) {
		const struct stdfu_layout *l = &d->alts[a].layout;
		uint64_t n = stdfu_layout_bytes(l);

		if (!d->alts[a].layout_ok || !strstr(l->name, "Option Bytes") || n > STDFU_OB_MAX)
			continue;
		*len = (size_t)n;
		return stdfu_read(dev, d->alts[a].number, stdfu_layout_start(l), (uint32_t)n, buf,
				  NULL, &res);
	}
	return STDFU_ERR_UNSUPPORTED;
}

static void show_json(const struct stdfu_chip_info *ci, const uint8_t *raw, size_t raw_len)
{
	const struct stdfu_ob_family *fam = ci->id.ob;

	printf("{\"event\":\"option_bytes\",\"family\":\"%s\",\"rdp\":%d,\"readable\":%s,",
	       stdfu_family_name(ci->id.family), ci->rdp_level, ci->ob_ok ? "true" : "false");
	fputs("\"reason\":", stdout);
	out_json_string(ci->ob_ok ? "" : ci->ob_reason);
	if (fam)
		printf(",\"address\":\"0x%08x\",\"size\":%u,\"ref\":\"%s\"", (unsigned)fam->address,
		       (unsigned)fam->size, fam->ref);
	fputs(",\"raw\":\"", stdout);
	hex_words(ci->ob_ok ? ci->ob : raw, ci->ob_ok ? ci->ob_len : raw_len, true);
	fputs("\",\"fields\":[", stdout);
	if (fam && ci->ob_ok)
		cli_ob_fields_json(fam, ci->ob, ci->ob_len, -1);
	fputs("],\"boot\":", stdout);
	out_json_string(fam && ci->ob_ok ? fam->boot_summary(ci->ob, ci->ob_len) : "");
	puts("}");
}

static void show_human(const struct stdfu_chip_info *ci, const uint8_t *raw, size_t raw_len)
{
	const struct stdfu_ob_family *fam = ci->id.ob;

	if (!ci->ob_ok && raw_len) {
		printf("%s option bytes (no field table; raw bytes):",
		       stdfu_family_name(ci->id.family));
		hex_words(raw, raw_len, false);
		return;
	}
	if (!ci->ob_ok) {
		printf("option bytes not readable: %s\n", ci->ob_reason);
		return;
	}
	printf("%s option bytes, %u bytes at 0x%08x (%s):\n", fam->name, (unsigned)ci->ob_len,
	       (unsigned)fam->address, fam->ref);
	cli_ob_fields_human(fam, ci->ob, ci->ob_len, -1);
	printf("boot: %s\n", fam->boot_summary(ci->ob, ci->ob_len));
}

static int ob_show(struct cli *c)
{
	struct stdfu_device *dev = NULL;
	struct stdfu_chip_info ci;
	uint8_t raw[STDFU_OB_MAX];
	size_t raw_len = 0;
	int rc = cli_acquire(c, &dev);

	if (!rc)
		rc = stdfu_chip_probe(dev, &ci);
	if (!rc && !ci.ob_ok && !ci.id.ob && raw_image(dev, raw, &raw_len))
		raw_len = 0;
	if (!rc && c->mode == OUT_JSON)
		show_json(&ci, raw, raw_len);
	else if (!rc && c->mode == OUT_HUMAN)
		show_human(&ci, raw, raw_len);
	cli_release(c, dev);
	return rc ? out_fail(c, rc) : CLI_EXIT_OK;
}

/* A refused edit: the detail, and in JSON the machine-readable class. */
static int refused(struct cli *c, int rc, enum stdfu_ob_refusal why)
{
	if (c->mode != OUT_JSON)
		return out_fail(c, rc);
	printf("{\"event\":\"result\",\"command\":\"option-bytes\",\"ok\":false,\"exit\":%d,"
	       "\"error\":\"%s\",\"refusal\":\"%s\",\"message\":",
	       cli_exit_code(rc), stdfu_error_name(rc), stdfu_ob_refusal_name(why));
	out_json_string(stdfu_error_detail());
	puts("}");
	return cli_exit_code(rc);
}

static size_t print_diff(struct cli *c, const struct stdfu_ob_family *fam, const uint8_t *a,
			 const uint8_t *b, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < fam->n_fields; i++) {
		const struct stdfu_ob_field *f = &fam->fields[i];
		uint32_t x = stdfu_ob_field_get(f, a, len), y = stdfu_ob_field_get(f, b, len);
		const char *m = stdfu_ob_value_meaning(f, y);

		if (x == y)
			continue;
		n++;
		if (c->mode == OUT_JSON) {
			printf("{\"event\":\"option_change\",\"name\":\"%s\",\"from\":%u,\"to\":%u,"
			       "\"meaning\":",
			       f->name, (unsigned)x, (unsigned)y);
			out_json_string(m ? m : "");
			puts("}");
		} else if (c->mode == OUT_HUMAN) {
			printf("  %-16s 0x%x -> 0x%x  %s\n", f->name, (unsigned)x, (unsigned)y,
			       m ? m : "");
		}
	}
	return n;
}

static void on_step(enum stdfu_ob_step s, const struct stdfu_device_info *d, void *user)
{
	static const char *const names[] = {"written", "gone", "back", "confirmed"};
	struct cli *c = user;

	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"option_bytes_%s\",\"usb_path\":\"%s\"}\n", names[s], d->path);
		fflush(stdout);
	} else {
		out_msg(c, "option bytes: %s (%s)", names[s], d->path);
	}
}

static struct stdfu_ob_write_opts write_opts(struct cli *c)
{
	struct stdfu_ob_write_opts o = {0};

	o.target = cli_target_opts(c);
	o.timeout_ms = c->trig.timeout_ms ? c->trig.timeout_ms * 2 : 0;
	o.on_step = on_step;
	o.user = c;
	return o;
}

static int parse_changes(struct cli *c, struct stdfu_ob_change *ch, char names[][32], size_t *n)
{
	*n = 0;
	for (int i = 1; i < c->nargs && *n < MAX_CHANGES; i++) {
		int rc = stdfu_ob_change_parse(c->args[i], names[*n], 32, &ch[*n]);

		if (rc)
			return rc;
		(*n)++;
	}
	return *n ? STDFU_OK : STDFU_ERR_ARG;
}

static int write_confirmed(struct cli *c, struct stdfu_device **dev, const uint8_t *img, size_t len)
{
	struct stdfu_ob_write_opts o = write_opts(c);
	struct stdfu_chip_info after;
	int rc = stdfu_optbytes_write(c->ctx, dev, img, len, &o, &after);

	if (rc)
		return rc;
	if (c->mode == OUT_JSON)
		printf("{\"event\":\"result\",\"command\":\"option-bytes\",\"ok\":true,\"exit\":0,"
		       "\"rdp\":%d}\n",
		       after.rdp_level);
	else
		out_msg(c,
			"option bytes written, the device reset and they read back as written "
			"(RDP level %d)",
			after.rdp_level);
	return STDFU_OK;
}

/* The option bytes cannot be read (RDP 1, no alt, no table): say why. */
static int not_readable(struct cli *c, const struct stdfu_chip_info *ci)
{
	int err = ci->rdp_level == 1 ? STDFU_ERR_PROTECTED : STDFU_ERR_UNSUPPORTED;

	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"result\",\"command\":\"option-bytes\",\"ok\":false,"
		       "\"exit\":%d,\"error\":\"%s\",\"message\":",
		       cli_exit_code(err), stdfu_error_name(err));
		out_json_string(ci->ob_reason);
		puts("}");
	} else {
		fprintf(stderr, "stdfu: cannot change the %s option bytes: %s\n",
			stdfu_family_name(ci->id.family), ci->ob_reason);
		if (err == STDFU_ERR_PROTECTED)
			fprintf(stderr, "stdfu: hint: `stdfu unprotect --yes` removes read "
					"protection (it MASS-ERASES the flash)\n");
	}
	return cli_exit_code(err);
}

static int edit(struct cli *c, struct stdfu_device **dev, const struct stdfu_ob_change *ch,
		size_t n)
{
	unsigned allow = (c->allow_irreversible ? STDFU_OB_ALLOW_IRREVERSIBLE : 0) |
			 (c->allow_rom_lockout ? STDFU_OB_ALLOW_ROM_LOCKOUT : 0);
	enum stdfu_ob_refusal why;
	struct stdfu_chip_info ci;
	uint8_t img[STDFU_OB_MAX];
	int rc = stdfu_chip_probe(*dev, &ci);

	if (rc)
		return out_fail(c, rc);
	if (!ci.ob_ok)
		return not_readable(c, &ci);
	rc = stdfu_ob_edit(ci.id.ob, ci.ob, img, ci.ob_len, ch, n, allow, &why);
	if (rc)
		return refused(c, rc, why);
	if (!print_diff(c, ci.id.ob, ci.ob, img, ci.ob_len)) {
		out_msg(c, "option bytes already hold these values: nothing to write");
		return CLI_EXIT_OK;
	}
	if (!c->yes) {
		fprintf(stderr, "stdfu: this rewrites the option bytes and resets the device; add "
				"--yes to write them\n");
		return CLI_EXIT_USAGE;
	}
	rc = write_confirmed(c, dev, img, ci.ob_len);
	return rc ? out_fail(c, rc) : CLI_EXIT_OK;
}

static int ob_set(struct cli *c)
{
	struct stdfu_ob_change ch[MAX_CHANGES];
	char names[MAX_CHANGES][32];
	struct stdfu_device *dev = NULL;
	size_t n;
	int rc = parse_changes(c, ch, names, &n);

	if (rc) {
		fprintf(stderr, "stdfu: option-bytes set needs FIELD=VALUE...%s%s\n",
			stdfu_error_detail()[0] ? ": " : "", stdfu_error_detail());
		return CLI_EXIT_USAGE;
	}
	rc = cli_acquire(c, &dev);
	if (rc) {
		cli_release(c, dev);
		return out_fail(c, rc);
	}
	rc = edit(c, &dev, ch, n);
	cli_release(c, dev);
	return rc;
}

int cmd_option_bytes(struct cli *c)
{
	if (!strcmp(c->args[0], "show") && c->nargs == 1)
		return ob_show(c);
	if (!strcmp(c->args[0], "set"))
		return ob_set(c);
	fprintf(stderr, "stdfu: option-bytes takes `show` or `set FIELD=VALUE...`\n");
	return CLI_EXIT_USAGE;
}

static int leave_after(struct cli *c, struct stdfu_device *dev, struct stdfu_result *res)
{
	struct stdfu_flash_opts o = cli_flash_opts(c);
	struct stdfu_result lr;
	int rc;

	if (c->no_leave)
		return STDFU_OK;
	rc = stdfu_leave(dev, cli_flash_base(stdfu_device_get_info(dev)), &o, &lr);
	res->phase[STDFU_PHASE_LEAVE] = lr.phase[STDFU_PHASE_LEAVE];
	res->ns += lr.ns;
	res->transfers += lr.transfers;
	return rc;
}

int cli_protect(struct cli *c, struct stdfu_device **dev, struct stdfu_result *res)
{
	struct stdfu_ob_write_opts o = write_opts(c);
	struct stdfu_chip_info after;
	int rc = stdfu_protect(c->ctx, dev, &o, &after);

	if (rc)
		return rc;
	if (c->mode == OUT_JSON) {
		printf("{\"event\":\"protect\",\"rdp\":%d,\"confirmed_by\":", after.rdp_level);
		out_json_string(after.rdp_source);
		puts("}");
		fflush(stdout);
	} else {
		out_msg(c, "read protection: RDP level %d (%s)", after.rdp_level, after.rdp_source);
	}
	return leave_after(c, *dev, res);
}
