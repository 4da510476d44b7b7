/* SPDX-License-Identifier: MIT */
/* stdfu option-bytes show|set FIELD=VALUE..., and flash --protect. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_option_bytes.h"
#include "json.h"

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

json_t *cli_ob_fields_json(const struct stdfu_ob_family *fam, const uint8_t *img, size_t len,
			   int kind)
{
	json_t *a = json_array();

	for (size_t i = 0; i < fam->n_fields; i++) {
		const struct stdfu_ob_field *f = &fam->fields[i];
		uint32_t v = stdfu_ob_field_get(f, img, len);
		const char *m = stdfu_ob_value_meaning(f, v);
		json_t *o;

		if (kind >= 0 && (int)f->kind != kind)
			continue;
		o = jw_object();
		jw_str(o, "name", f->name);
		jw_int(o, "value", v);
		jw_int(o, "bits", f->width);
		jw_str(o, "kind", kind_names[f->kind]);
		jw_str(o, "field", f->meaning);
		jw_str(o, "meaning", m ? m : "");
		jw_str(o, "ref", f->ref);
		jw_push(a, o);
	}
	return a;
}

static void hex_words(const uint8_t *img, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf(i % 16 == 0 ? "\n  %02x" : " %02x", img[i]);
	putchar('\n');
}

static void hex_string(json_t *o, const char *key, const uint8_t *img, size_t len)
{
	char hex[2 * STDFU_OB_MAX + 1] = "";

	for (size_t i = 0; i < len && i < STDFU_OB_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", img[i]);
	jw_str(o, key, hex);
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
	json_t *o = jw_event("option_bytes");

	jw_str(o, "family", stdfu_family_name(ci->id.family));
	jw_int(o, "rdp", ci->rdp_level);
	jw_bool(o, "readable", ci->ob_ok);
	jw_str(o, "reason", ci->ob_ok ? "" : ci->ob_reason);
	if (fam) {
		jw_addr(o, "address", fam->address);
		jw_int(o, "size", fam->size);
		jw_str(o, "ref", fam->ref);
	}
	hex_string(o, "raw", ci->ob_ok ? ci->ob : raw, ci->ob_ok ? ci->ob_len : raw_len);
	jw_set(o, "fields",
	       fam && ci->ob_ok ? cli_ob_fields_json(fam, ci->ob, ci->ob_len, -1) : json_array());
	jw_str(o, "boot", fam && ci->ob_ok ? fam->boot_summary(ci->ob, ci->ob_len) : "");
	jw_emit(o);
}

static void show_human(const struct stdfu_chip_info *ci, const uint8_t *raw, size_t raw_len)
{
	const struct stdfu_ob_family *fam = ci->id.ob;

	if (!ci->ob_ok && raw_len) {
		printf("%s option bytes (no field table; raw bytes):",
		       stdfu_family_name(ci->id.family));
		hex_words(raw, raw_len);
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
	return out_result(c, rc, NULL);
}

/* A refused edit: the detail, and the machine-readable class in the result. */
static int refused(struct cli *c, int rc, enum stdfu_ob_refusal why)
{
	jw_str(out_extra(c), "refusal", stdfu_ob_refusal_name(why));
	return out_fail(c, rc);
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
			json_t *o = jw_event("option_change");

			jw_str(o, "name", f->name);
			jw_int(o, "from", x);
			jw_int(o, "to", y);
			jw_str(o, "meaning", m ? m : "");
			jw_emit(o);
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
		char event[32];
		json_t *o;

		snprintf(event, sizeof(event), "option_bytes_%s", names[s]);
		o = jw_event(event);
		jw_str(o, "usb_path", d->path);
		jw_emit(o);
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
	jw_int(out_extra(c), "rdp", after.rdp_level);
	if (c->mode != OUT_JSON)
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
	char msg[320];

	snprintf(msg, sizeof(msg), "cannot change the %s option bytes: %s",
		 stdfu_family_name(ci->id.family), ci->ob_reason);
	return out_fail_msg(c, err, msg);
}

/* Returns a negative stdfu error, or a positive exit code already reported. */
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
		return rc;
	if (!ci.ob_ok)
		return not_readable(c, &ci);
	rc = stdfu_ob_edit(ci.id.ob, ci.ob, img, ci.ob_len, ch, n, allow, &why);
	if (rc)
		return refused(c, rc, why);
	if (!print_diff(c, ci.id.ob, ci.ob, img, ci.ob_len)) {
		out_msg(c, "option bytes already hold these values: nothing to write");
		jw_int(out_extra(c), "changes", 0);
		return STDFU_OK;
	}
	if (!c->yes)
		return out_usage(c, "this rewrites the option bytes and resets the device; add "
				    "--yes to write them");
	return write_confirmed(c, dev, img, ci.ob_len);
}

static int ob_set(struct cli *c)
{
	struct stdfu_ob_change ch[MAX_CHANGES];
	char names[MAX_CHANGES][32];
	struct stdfu_device *dev = NULL;
	size_t n;
	int rc = parse_changes(c, ch, names, &n);

	if (rc)
		return out_usage(c, "option-bytes set needs FIELD=VALUE...%s%s",
				 stdfu_error_detail()[0] ? ": " : "", stdfu_error_detail());
	rc = cli_acquire(c, &dev);
	if (rc > 0)
		return rc;
	if (!rc)
		rc = edit(c, &dev, ch, n);
	cli_release(c, dev);
	return rc > 0 ? rc : out_result(c, rc, NULL);
}

int cmd_option_bytes(struct cli *c)
{
	if (!strcmp(c->args[0], "show") && c->nargs == 1)
		return ob_show(c);
	if (!strcmp(c->args[0], "set"))
		return ob_set(c);
	return out_usage(c, "option-bytes takes `show` or `set FIELD=VALUE...`");
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
		json_t *line = jw_event("protect");

		jw_int(line, "rdp", after.rdp_level);
		jw_str(line, "confirmed_by", after.rdp_source);
		jw_emit(line);
	} else {
		out_msg(c, "read protection: RDP level %d (%s)", after.rdp_level, after.rdp_source);
	}
	return leave_after(c, *dev, res);
}
