/* SPDX-License-Identifier: MIT */
/*
 * One board on a station port, from arrival to its record: reach the ROM
 * (triggering an application), read what the chip tells (UID, flash size,
 * RDP), take a serial and patch it in, flash and verify, protect, leave, wait
 * for the application. Each step is a phase of the record with its duration.
 * The worker has its own library context (the detail of a failure is per
 * thread); what the loop and the table read is written under run->lock.
 */
#include <stdio.h>
#include <string.h>

#include <stdfu/chip.h>
#include <stdfu/flash.h>

#include "station.h"
#include "station_patch.h"

struct job {
	struct st_port *p;
	struct cli *c;
	struct stdfu_ctx *ctx;
	struct stdfu_device *dev;
	struct stdfu_target_opts to;
	struct stdfu_target_report rep;
	struct stdfu_image *img;
};

/* ---- phases ------------------------------------------------------------------ */

static void phase_start(struct st_port *p, const char *rec_name, const char *shown)
{
	pthread_mutex_lock(&p->run->lock);
	p->phase = shown;
	p->rec_phase = rec_name;
	p->phase_t0 = st_now();
	p->step = NULL;
	p->done = p->total = 0;
	st_view_phase(p, rec_name, true, 0, true);
	pthread_mutex_unlock(&p->run->lock);
}

static void phase_end(struct st_port *p, const char *name, double ms, bool ok)
{
	pthread_mutex_lock(&p->run->lock);
	rec_add_phase(&p->rec, name, ms, ok);
	st_view_phase(p, name, false, ms, ok);
	pthread_mutex_unlock(&p->run->lock);
}

/* Run @fn as the phase @name; its duration and outcome go to the record. */
static int phase(struct job *j, const char *name, const char *shown, int (*fn)(struct job *))
{
	double t0 = st_now();
	int rc;

	phase_start(j->p, name, shown);
	rc = fn(j);
	phase_end(j->p, name, (st_now() - t0) * 1000, rc == STDFU_OK);
	return rc;
}

/* ---- the flash's own events: the table's percentage ------------------------------- */

static void on_flash_event(const struct stdfu_event *ev, void *user)
{
	struct st_port *p = user;

	if (ev->type != STDFU_EVENT_PHASE_START && ev->type != STDFU_EVENT_PROGRESS)
		return;
	pthread_mutex_lock(&p->run->lock);
	if (ev->type == STDFU_EVENT_PHASE_START) {
		p->phase = ev->phase == STDFU_PHASE_VERIFY ? "verifying" : "flashing";
		p->step = stdfu_phase_name(ev->phase);
		p->step_t0 = st_now();
	}
	p->done = ev->done;
	p->total = ev->total;
	if (ev->type == STDFU_EVENT_PROGRESS)
		st_view_progress(p);
	pthread_mutex_unlock(&p->run->lock);
}

/* ---- the steps ------------------------------------------------------------------ */

static int step_open(struct job *j)
{
	int rc = stdfu_target_open(j->ctx, &j->to, &j->dev, &j->rep);

	if (!rc)
		stdfu_device_set_poll_policy(j->dev, j->c->poll);
	return rc;
}

static void chip_fields(struct st_port *p, const struct stdfu_chip_info *ci,
			const struct stdfu_device_info *info)
{
	struct station_record *r = &p->rec;

	snprintf(r->rom_serial, sizeof(r->rom_serial), "%s", info->serial);
	r->flash_size = ci->flash_reg_ok ? ci->flash_reg_kib * 1024 : ci->id.flash_size;
	r->uid_ok = ci->uid_ok;
	if (ci->uid_ok)
		rec_uid_hex(ci->uid, r->uid);
	snprintf(r->uid_reason, sizeof(r->uid_reason), "%s",
		 ci->uid_ok	  ? ""
		 : ci->uid_reason ? ci->uid_reason
				  : "unknown");
	r->rdp_level = ci->rdp_level;
	/* docs/real-rom-facts.md: U5 serials collide across boards */
	r->serial_shared = ci->id.family == STDFU_FAMILY_U5;
}

static int step_probe(struct job *j)
{
	struct stdfu_chip_info ci;
	int rc = stdfu_chip_probe(j->dev, &ci);

	if (rc)
		return rc;
	pthread_mutex_lock(&j->p->run->lock);
	chip_fields(j->p, &ci, stdfu_device_get_info(j->dev));
	pthread_mutex_unlock(&j->p->run->lock);
	if (ci.rdp_level != 1)
		return STDFU_OK;
	/* no serial is taken for a board that cannot be flashed */
	snprintf(j->p->detail, sizeof(j->p->detail),
		 "the board is read protected (RDP level 1; %s): remove it from the line, or "
		 "`stdfu unprotect --yes` it (mass erase) and plug it in again",
		 ci.rdp_source);
	return STDFU_ERR_PROTECTED;
}

static int step_image(struct job *j)
{
	struct cli *c = j->c;
	struct st_run *r = j->p->run;
	uint32_t serial = 0;
	int rc;

	j->img = sp_copy(r->img);
	if (!j->img)
		return STDFU_ERR_NOMEM;
	if (!c->serial_at_set)
		return STDFU_OK;
	rc = sp_check_device(stdfu_device_get_info(j->dev), c->serial_at, j->p->detail,
			     sizeof(j->p->detail));
	if (rc)
		return rc;
	pthread_mutex_lock(&r->lock);
	rc = rec_db_take_serial(r->db, c->serial_start, &serial);
	if (!rc) {
		j->p->rec.serial_written = true;
		j->p->rec.serial = serial;
		j->p->rec.serial_at = c->serial_at;
	} else {
		snprintf(j->p->detail, sizeof(j->p->detail), "the database: %s",
			 rec_db_error(r->db));
	}
	pthread_mutex_unlock(&r->lock);
	if (rc)
		return STDFU_ERR_FILE;
	return sp_patch(j->img, stdfu_device_get_info(j->dev), c->serial_at, serial, j->p->detail,
			sizeof(j->p->detail));
}

/* The flash's phases that ran, in order, except @failed (NULL: none failed). */
static void flash_phases(struct st_port *p, const struct stdfu_result *res, const char *failed)
{
	static const enum stdfu_phase order[] = {STDFU_PHASE_READ, STDFU_PHASE_ERASE,
						 STDFU_PHASE_WRITE, STDFU_PHASE_VERIFY};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *name = stdfu_phase_name(order[i]);

		if (res->phase[order[i]].ns && !(failed && !strcmp(failed, name)))
			phase_end(p, name, (double)res->phase[order[i]].ns / 1e6, true);
	}
}

/* The flash's own phases (read-back, erase, write, verify) go to the record
 * one by one; a failure is recorded as the phase that was running. */
static int step_flash(struct job *j)
{
	struct stdfu_flash_opts o = cli_flash_opts(j->c);
	struct stdfu_result res = {0};
	const char *failed;
	double t0 = st_now();
	int rc;

	o.no_leave = true; /* the station leaves after --protect */
	o.on_event = on_flash_event;
	o.user = j->p;
	phase_start(j->p, "flash", "flashing");
	rc = stdfu_flash(j->dev, j->img, &o, &res);
	pthread_mutex_lock(&j->p->run->lock);
	failed = rc ? (j->p->step ? j->p->step : "prepare") : NULL;
	t0 = j->p->step ? j->p->step_t0 : t0;
	pthread_mutex_unlock(&j->p->run->lock);
	flash_phases(j->p, &res, failed);
	if (failed)
		phase_end(j->p, failed, (st_now() - t0) * 1000, false);
	return rc;
}

static int step_protect(struct job *j)
{
	struct stdfu_ob_write_opts o = {0};
	struct stdfu_chip_info after;
	int rc;

	o.target = j->to;
	o.timeout_ms = j->c->trig.timeout_ms ? j->c->trig.timeout_ms * 2 : 0;
	rc = stdfu_protect(j->ctx, &j->dev, &o, &after);
	if (rc)
		return rc;
	pthread_mutex_lock(&j->p->run->lock);
	j->p->rec.rdp_level = after.rdp_level;
	pthread_mutex_unlock(&j->p->run->lock);
	return STDFU_OK;
}

static int step_leave(struct job *j)
{
	struct stdfu_flash_opts o = cli_flash_opts(j->c);
	struct stdfu_result res;

	o.on_event = NULL;
	return stdfu_leave(j->dev, cli_flash_base(stdfu_device_get_info(j->dev)), &o, &res);
}

static int step_wait_app(struct job *j)
{
	stdfu_device_close(j->dev);
	j->dev = NULL;
	return stdfu_target_wait_app(j->ctx, &j->to, &j->rep);
}

/* ---- the worker ------------------------------------------------------------------ */

static int run_board(struct job *j)
{
	int rc = phase(j, j->p->is_app ? "trigger" : "open", j->p->is_app ? "trigger" : "open",
		       step_open);

	if (!rc)
		rc = phase(j, "probe", "probe", step_probe);
	if (!rc)
		rc = phase(j, "image", "image", step_image);
	if (!rc)
		rc = step_flash(j);
	if (!rc && j->c->protect)
		rc = phase(j, "protect", "protecting", step_protect);
	if (!rc)
		rc = phase(j, "leave", "leaving", step_leave);
	if (!rc)
		rc = phase(j, "wait_app", "waiting-app", step_wait_app);
	return rc;
}

void *st_worker(void *arg)
{
	struct job j = {.p = arg, .c = ((struct st_port *)arg)->run->cli};
	int rc = stdfu_ctx_new(&j.ctx);

	j.to = cli_target_opts(j.c);
	j.to.sel.usb_path = j.p->path;
	j.to.sel.serial = NULL;
	j.to.sel.port = NULL;
	j.to.any_port = false;
	j.to.method = j.p->is_app ? j.c->trig.method : STDFU_METHOD_NONE;
	j.to.cb = NULL;
	if (!rc)
		rc = run_board(&j);
	stdfu_device_close(j.dev);
	stdfu_image_free(j.img);
	pthread_mutex_lock(&j.p->run->lock);
	st_record(j.p, rc);
	j.p->thread_done = true;
	pthread_mutex_unlock(&j.p->run->lock);
	stdfu_ctx_free(j.ctx);
	return NULL;
}
