/*
 * script_run.c - runs parsed script steps (see script_run.h): register
 * steps by config access, slot steps through the slot command layer
 * (slot.h), checkpoints through the host link.
 */
#include "hostlink.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "slot.h"
#include "printf.h"
#include "report.h"
#include "script_run.h"
#include "slot_board.h"
#include "time.h"

static struct script_step steps[SCRIPT_MAX_STEPS];
static int nsteps;

static struct saved {
	char name[SCRIPT_NAME_MAX];
	const struct script_step *from;	/* the save step: device and register */
	uint32_t value;
} saved[SCRIPT_MAX_SAVES];
static int nsaved;

static const char *const op_names[] = {
	[SCRIPT_READ] = "read", [SCRIPT_WRITE] = "write", [SCRIPT_EXPECT] = "expect",
	[SCRIPT_SAVE] = "save", [SCRIPT_SAME] = "expect-same",
	[SCRIPT_POWER_OFF] = "slot-power-off", [SCRIPT_POWER_ON] = "slot-power-on",
	[SCRIPT_CLEAR_EVENTS] = "clear-events", [SCRIPT_WAIT_CC] = "wait-cc",
	[SCRIPT_DELAY] = "delay", [SCRIPT_CHECKPOINT] = "checkpoint", [SCRIPT_LOG] = "log",
};

int script_load(const char *text, char *err, int errlen)
{
	nsaved = 0;
	nsteps = script_parse(text, steps, SCRIPT_MAX_STEPS, err, errlen);
	if (nsteps < 0) {
		nsteps = 0;
		return -1;
	}
	return nsteps;
}

const struct script_step *script_step_at(int i)
{
	return i >= 0 && i < nsteps ? &steps[i] : NULL;
}


/* The function a step means now; false with a reason when there is none. */
static bool resolve_dev(const struct script_dev *d, struct pci_bdf *out,
			char *why, int len)
{
	char port[16];
	uint8_t sec;

	if (!d->behind_slot) {
		*out = d->bdf;
		return true;
	}
	/* The bus behind the port is the firmware's choice: read it now. */
	sec = pci_cfg_read8(d->bdf, PCI_SECONDARY_BUS);
	if (pci_vendor(d->bdf) == 0xffff || sec == 0 || sec == 0xff) {
		snprintf(why, len, "port %s has no secondary bus (vendor %04x, bus %02x)",
			 pci_bdf_str(d->bdf, port), pci_vendor(d->bdf), sec);
		return false;
	}
	*out = pci_bdf(d->bdf.seg, sec, 0, d->fn);
	return true;
}

/* Capabilities are found at run time: their offsets are the device's. */
static bool resolve_off(struct pci_bdf d, const struct script_reg *r, uint16_t *off,
			char *why, int len)
{
	uint16_t pos = 0;
	const char *absent = pci_vendor(d) == 0xffff ? " (nothing answers there)" : "";

	switch (r->space) {
	case SCRIPT_HEADER:
		*off = r->off;
		return true;
	case SCRIPT_CAP:
		pos = pci_find_cap(d, (uint8_t)r->cap_id);
		if (!pos)
			snprintf(why, len, "no capability 0x%02x%s", r->cap_id, absent);
		break;
	case SCRIPT_EXT:
		if (!pci_cfg_has_extended()) {
			snprintf(why, len, "no extended config space (no ECAM)");
			return false;
		}
		pos = pci_find_ext_cap(d, r->cap_id);
		if (!pos)
			snprintf(why, len, "no extended capability 0x%04x%s", r->cap_id, absent);
		break;
	}
	if (!pos)
		return false;
	*off = (uint16_t)(pos + r->off);
	if (*off + r->width / 8 > PCI_MAX_CFG_SIZE) {
		snprintf(why, len, "register beyond config space");
		return false;
	}
	return true;
}

/* "0x0040": as many digits as the register has. */
static const char *hex(uint32_t v, int width, char *buf)
{
	snprintf(buf, 12, "0x%0*x", width / 4, v);
	return buf;
}

/*
 * A register step's device and offset, or a FAIL naming why not: a missing
 * capability is something the machine shows (a device gone after power
 * off), not a malformed script.
 */
static bool locate(const struct script_step *st, struct pci_bdf *d, uint16_t *off,
		   char *bdf)
{
	char why[100];
	const char *op = op_names[st->op];

	bool found = resolve_dev(&st->dev, d, why, sizeof(why));

	if (found && resolve_off(*d, &st->reg, off, why, sizeof(why))) {
		pci_bdf_str(*d, bdf);
		return true;
	}
	/* The function when it was found, else the port it was looked for behind. */
	pci_bdf_str(found ? *d : st->dev.bdf, bdf);
	report(false, "line %u: %s%u %s%s %s: %s", st->line, op, st->reg.width, bdf,
	       found ? "" : " (behind slot)", st->reg.label, why);
	return false;
}

/* Reads the register of @st, prints and observes it; false if not located. */
static bool read_reg(const struct script_step *st, uint32_t *v, char *bdf)
{
	struct pci_bdf d;
	uint16_t off;

	if (!locate(st, &d, &off, bdf))
		return false;
	*v = pci_cfg_read(d, off, st->reg.width / 8);
	report_obs(bdf, st->reg.label, *v);
	return true;
}

static struct saved *find_saved(const char *name)
{
	for (int i = 0; i < nsaved; i++)
		if (strcmp(saved[i].name, name) == 0)
			return &saved[i];
	return NULL;
}

static void run_register_step(const struct script_step *st)
{
	char bdf[16], a[12], b[12], c[12];
	int w = st->reg.width;
	struct pci_bdf d;
	struct saved *sv;
	uint16_t off;
	uint32_t v;

	switch (st->op) {
	case SCRIPT_READ:
		if (read_reg(st, &v, bdf))
			report_info("line %u: read%d %s %s = %s", st->line, w, bdf,
				    st->reg.label, hex(v, w, a));
		break;
	case SCRIPT_WRITE:
		if (!locate(st, &d, &off, bdf))
			break;
		pci_cfg_write(d, off, w / 8, st->value);
		report_info("line %u: write%d %s %s %s", st->line, w, bdf,
			    st->reg.label, hex(st->value, w, a));
		break;
	case SCRIPT_EXPECT:
		if (read_reg(st, &v, bdf))
			report((v & st->mask) == st->value,
			       "line %u: expect%d %s %s & %s == %s (read %s)", st->line, w, bdf,
			       st->reg.label, hex(st->mask, w, a), hex(st->value, w, b),
			       hex(v, w, c));
		break;
	case SCRIPT_SAVE:
		if (!read_reg(st, &v, bdf))
			break;
		sv = find_saved(st->name);
		if (!sv && nsaved < SCRIPT_MAX_SAVES)
			sv = &saved[nsaved++];
		if (!sv) {	/* the harness allows no more; a hand-made script might */
			report(false, "line %u: save %s: more than %d names", st->line,
			       st->name, SCRIPT_MAX_SAVES);
			break;
		}
		memcpy(sv->name, st->name, sizeof(sv->name));
		sv->from = st;
		sv->value = v;
		report_info("line %u: save %s = %s %s %s", st->line, st->name, bdf,
			    st->reg.label, hex(v, w, a));
		break;
	}
}

static void run_same(const struct script_step *st)
{
	struct saved *sv = find_saved(st->name);
	char bdf[16], a[12], b[12];
	uint32_t v;
	int w;

	if (!sv) {
		report(false, "line %u: expect-same %s: nothing saved under that name",
		       st->line, st->name);
		return;
	}
	w = sv->from->reg.width;
	if (read_reg(sv->from, &v, bdf))
		report(v == sv->value, "line %u: %s %s reads the same as saved %s at line %u "
		       "(now %s, was %s)", st->line, bdf, sv->from->reg.label, st->name,
		       sv->from->line, hex(v, w, a), hex(sv->value, w, b));
}

static void run_slot_step(const struct script_step *st)
{
	struct pcie_slot s;
	char bdf[16];
	struct slot_board board;
	uint16_t events;
	bool ok;

	pci_bdf_str(st->dev.bdf, bdf);
	if (slot_init(&s, st->dev.bdf) < 0) {
		report(false, "line %u: %s %s: not a port with a slot", st->line,
		       op_names[st->op], bdf);
		return;
	}
	s.power_off_settle_ms = 0;	/* a script waits with `delay` if it wants */
	switch (st->op) {
	case SCRIPT_POWER_OFF:
		ok = slot_power_off(&s);
		report(ok, "line %u: slot-power-off %s: commands completed within 1 s "
		       "(SltCtl %04x SltSta %04x)", st->line, bdf, slot_ctrl(&s),
		       slot_status(&s));
		break;
	case SCRIPT_POWER_ON:
		/* pciehp's board_added(); an empty slot is shown, not failed. */
		slot_board_added(&s, 0, &board);
		report(board.power_ok && board.blink_ok && board.indicators_ok,
		       "line %u: slot-power-on %s: commands completed within 1 s "
		       "(SltCtl %04x SltSta %04x)", st->line, bdf, slot_ctrl(&s),
		       slot_status(&s));
		report_info("line %u: slot-power-on %s: link %s, %s behind the slot",
			    st->line, bdf, board.link_up ? "up" : "down",
			    board.child ? "a function answers" : "nothing answers");
		break;
	case SCRIPT_CLEAR_EVENTS:
		events = slot_clear_events(&s, SLOT_EVENTS);
		report_info("line %u: clear-events %s: cleared %04x, SltSta now %04x",
			    st->line, bdf, events, slot_status(&s));
		break;
	case SCRIPT_WAIT_CC:
		/* As after pciehp's own write: wait (1 s) and clear the CC event. */
		ok = slot_wait_foreign_cmd(&s);
		report(ok, "line %u: wait-cc %s: Command Completed within 1 s%s", st->line,
		       bdf, (s.sltcap & PCI_EXP_SLTCAP_NCCS) ? " (no CC support: "
		       "nothing to wait for)" : "");
		break;
	}
}

bool script_run_step(const struct script_step *st)
{
	struct hostlink_go go;

	switch (st->op) {
	case SCRIPT_READ:
	case SCRIPT_WRITE:
	case SCRIPT_EXPECT:
	case SCRIPT_SAVE:
		run_register_step(st);
		break;
	case SCRIPT_SAME:
		run_same(st);
		break;
	case SCRIPT_POWER_OFF:
	case SCRIPT_POWER_ON:
	case SCRIPT_CLEAR_EVENTS:
	case SCRIPT_WAIT_CC:
		run_slot_step(st);
		break;
	case SCRIPT_DELAY:
		report_info("line %u: delay %u ms", st->line, st->value);
		mdelay(st->value);
		break;
	case SCRIPT_CHECKPOINT:
		if (!report(hostlink_checkpoint(st->name, &go),
			    "line %u: go-ahead at checkpoint %s", st->line, st->name))
			return false;
		report_info("line %u: after %s: running on the %s, %u migration(s) "
				    "so far", st->line, st->name,
				    go.on_destination ? "destination" : "source",
				    go.migrations);
		break;
	case SCRIPT_LOG:
		report_info("line %u: %s", st->line, st->text);
		break;
	}
	return true;
}

void script_run(void)
{
	for (int i = 0; i < nsteps; i++) {
		if (!script_run_step(&steps[i])) {
			report_info("script stopped at line %u: no go-ahead, the harness "
				    "is gone", steps[i].line);
			return;
		}
	}
}
