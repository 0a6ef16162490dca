/*
 * explore_model.c - the reference model of a spec-conforming hot-plug
 * Downstream Port (see explore_model.h). PCIe Base Specification r5.0.
 *
 * The rules, each with its section (xrule_texts below is what findings quote):
 *   Attributes (§7.4 Table 7-2, per field from lib/regattr.c, §7.5.3.6-11,
 *   §7.5.3.18-23): RO/HwInit read what they read before; RW read back the
 *   last write; "permitted to be hardwired to 0" fields are either, decided
 *   by the first write that shows which; RsvdP/RsvdZ and hardwired fields
 *   read 0; RW1C bits are set only by their event and cleared only by
 *   writing 1.
 *   Slot Control (§6.7.3.2, §7.5.3.10): any write that targets any portion
 *   of it is one command; Command Completed is set when the command is done,
 *   within 1 s; reads reflect the latest write even before completion, but
 *   a write before the previous command completed leaves the values
 *   undefined (the model then stops predicting the slot: `undefined`).
 *   Power Controller Control 0->1 removes power when the command completes,
 *   1->0 applies it. Electromechanical Interlock Control 1 toggles
 *   Electromechanical Interlock Status.
 *   Presence (§7.5.3.11): Presence Detect State follows the adapter, not the
 *   power; Presence Detect Changed is set when it changes. The host's
 *   device_add inserts an adapter (refused into an occupied slot, or while
 *   the Electromechanical Interlock is engaged, §6.7.1.8); device_del presses
 *   the Attention Button (Attention Button Pressed, §6.7.1.5) and the adapter
 *   leaves once the slot is powered off with its Power Indicator Off (§6.7.1.1:
 *   Off means removal is permitted), at once if it is so already or the slot
 *   has no button: the operator's part, as QEMU plays it. While the Power
 *   Indicator blinks (an operation in progress, §6.7.1.1) device_del may be
 *   refused (QEMU 7.2: "guest is busy"). Each such removal
 *   is one DEVICE_DELETED the host reports at its next step (XR_DELETED).
 *   Link (§7.5.3.7, §7.5.3.8, §7.5.3.11): the link is up only with power, an
 *   adapter and Link Disable clear; it comes up within 1 s (pciehp's bound:
 *   the spec gives none) and goes down once any of them goes; Data Link
 *   Layer State Changed is set on every change of DL Link Active. A write of
 *   1 to Retrain Link with the link up sets Link Bandwidth Management Status.
 *   Behind the slot (§2.9.1, §2.3.2, §6.6.1): no function answers without
 *   the link (Unsupported Request, read as all ones); the adapter's function
 *   answers within 100 ms + 1.0 s of the link coming up.
 *   Migration (slotprobe's invariant, not the spec's): accepted from every
 *   state a guest can reach, and invisible to the guest.
 */
#include "explore_model.h"
#include "libc.h"
#include "pci_regs.h"

const struct xrule_text xrule_texts[XR_COUNT] = {
	[XR_NONE] = { "none", "no rule", "" },
	[XR_RO] = { "ro", "a read-only field keeps its value", "PCIe r5.0 7.4 Table 7-2 (RO, HwInit)" },
	[XR_RW] = { "rw", "an RW field reads back the latest write",
		    "PCIe r5.0 7.4 Table 7-2 (RW)" },
	[XR_RW_CMD] = { "rw", "a Slot Control field reads back the latest write, even before "
			"its command completes", "PCIe r5.0 7.5.3.10" },
	[XR_HARDWIRED] = { "hardwired", "the field is hardwired to 0 on this port", "PCIe r5.0 7.5.3" },
	[XR_READS_ZERO] = { "reads-zero", "the bit always reads 0 (Retrain Link, Electromechanical Interlock "
			    "Control)", "PCIe r5.0 7.5.3.7, 7.5.3.10" },
	[XR_RESERVED] = { "reserved", "reserved bits read 0", "PCIe r5.0 7.4 Table 7-2 (RsvdP, RsvdZ)" },
	[XR_W1C] = { "w1c", "an RW1C bit stays set until software writes 1 to it, and writing 1 "
		     "clears it", "PCIe r5.0 7.4 Table 7-2 (RW1C)" },
	[XR_NO_CAUSE] = { "no-cause", "an event bit is set only when its event happens",
			  "PCIe r5.0 7.5.3.8, 7.5.3.11" },
	[XR_PDS] = { "pds", "Presence Detect State shows whether an adapter is in the slot, "
		     "powered or not", "PCIe r5.0 7.5.3.11" },
	[XR_PDC] = { "pdc", "Presence Detect Changed is set when Presence Detect State changes",
		     "PCIe r5.0 7.5.3.11" },
	[XR_ABP] = { "abp", "Attention Button Pressed is set when the button is pressed (device_del)",
		     "PCIe r5.0 7.5.3.11, 6.7.1.5" },
	[XR_CC] = { "cc", "Command Completed is set when a Slot Control write (any portion) has "
		    "been carried out, within 1 s", "PCIe r5.0 6.7.3.2" },
	[XR_CMD_TIMEOUT] = { "cmd-timeout", "every Slot Control command completes within 1 s",
			     "PCIe r5.0 6.7.3.2" },
	[XR_LINK_UP] = { "link-up", "the link comes up (DL Link Active) with power, an adapter and Link "
			 "Disable clear, within 1 s (pciehp's bound)", "PCIe r5.0 7.5.3.8" },
	[XR_LINK_DOWN] = { "link-down", "the link is down without power, without an adapter or with Link "
			   "Disable set", "PCIe r5.0 7.5.3.7, 7.5.3.8" },
	[XR_DLLSC] = { "dllsc", "Data Link Layer State Changed is set when DL Link Active changes",
		       "PCIe r5.0 7.5.3.11" },
	[XR_CHILD_GONE] = { "child-gone", "no function answers behind a slot whose link is down (all ones)",
			    "PCIe r5.0 2.9.1, 2.3.2" },
	[XR_CHILD_BACK] = { "child-back", "the adapter's function answers within 100 ms + 1.0 s of the "
			    "link coming up", "PCIe r5.0 6.6.1" },
	[XR_EIS] = { "eis", "writing 1 to Electromechanical Interlock Control toggles the interlock "
		     "(Electromechanical Interlock Status)", "PCIe r5.0 7.5.3.10, 7.5.3.11" },
	[XR_LBMS] = { "lbms", "a write of 1 to Retrain Link with the link up sets Link Bandwidth "
		      "Management Status", "PCIe r5.0 7.5.3.8" },
	[XR_MIGRATE] = { "migrate", "a migration is accepted from any state a guest can reach, and "
			 "changes nothing the guest sees", "slotprobe invariant (not the spec)" },
	[XR_ADD] = { "add", "device_add into an empty hot-plug slot is accepted, into an occupied "
		     "one refused", "slotprobe invariant (QEMU's hot-plug contract)" },
	[XR_DEL] = { "del", "device_del of the adapter in the slot is accepted",
		     "slotprobe invariant (QEMU's hot-plug contract)" },
	[XR_DELETED] = { "deleted", "a device_del the guest answered as pciehp would (slot powered "
			 "off, Power Indicator Off: removal permitted) ends in one DEVICE_DELETED; "
			 "none comes without it", "slotprobe invariant (QEMU's hot-plug contract; "
			 "PCIe r5.0 6.7.1.1 for the indicator)" },
	[XR_MIGRATION_DIFF] = { "migration-differential", "after a migration that succeeded, "
				"every register reads what the same sequence without the "
				"migration reads", "slotprobe invariant (not the spec)" },
};

enum { EV_UNKNOWN, EV_ZERO, EV_ONE, EV_MAYBE, EV_DUE };

/* Register offsets in the PCI Express capability, and bits, used below. */
#define BIT_OF(mask) (__builtin_ctz(mask))

/* ---- the register table ---- */

static int reg_index(uint8_t off)
{
	for (int i = 0; i < regattr_nregs && i < XREGS; i++)
		if (off >= regattr_regs[i].offset &&
		    off < regattr_regs[i].offset + regattr_regs[i].width)
			return i;
	return -1;
}

const struct regattr_reg *xmodel_reg_at(uint8_t off)
{
	int i = reg_index(off);

	return i < 0 ? NULL : &regattr_regs[i];
}

static struct xevent *ev(struct xmodel *m, uint8_t reg, uint32_t bit)
{
	return &m->ev[reg_index(reg)][BIT_OF(bit)];
}

uint32_t xmodel_reg(const struct xmodel *m, uint8_t off)
{
	int i = reg_index(off);

	return i < 0 ? 0 : m->val[i];
}

uint16_t xmodel_sltctl(const struct xmodel *m)
{
	return (uint16_t)xmodel_reg(m, PCI_EXP_SLTCTL);
}

static bool cap(const struct xmodel *m, uint32_t sltcap_bit)
{
	return m->ctx.sltcap & sltcap_bit;
}

static bool dllla_reporting(const struct xmodel *m)
{
	return m->ctx.lnkcap & PCI_EXP_LNKCAP_DLLLARC;
}

/* ---- levels: a value the port shows, perhaps on its way to another ---- */

static bool level_settled(const struct xlevel *l, int v)
{
	return !l->due && l->allowed == (1u << v);
}

/* The value it has or is going to; -1 when the model does not know. */
static int level_dest(const struct xlevel *l)
{
	if (l->due || l->allowed != 3)
		return l->target;
	return -1;
}

static void level_at(struct xlevel *l, uint64_t now)
{
	if (l->due && now >= l->due) {
		l->allowed = (uint8_t)(1u << l->target);
		l->due = 0;
	}
}

/* Not known yet: the first read tells. */
static void level_unlearned(struct xlevel *l)
{
	l->allowed = 3;
	l->due = 0;
	l->flux = false;
}

/* Changing in ways the model cannot follow: anything, until a change it can. */
static void level_unknown(struct xlevel *l)
{
	l->allowed = 3;
	l->due = 0;
	l->flux = true;
}

static void level_learn(struct xlevel *l, int v)
{
	l->allowed = (uint8_t)(1u << v);
	l->target = (uint8_t)v;
	l->due = 0;
	l->flux = false;
}

/* Seen @v: a transition that reached its target is over. True if it just settled. */
static bool level_observe(struct xlevel *l, int v)
{
	bool was_moving = l->due != 0;

	if (l->flux)
		return false;
	if (l->allowed == 3 && !l->due) {
		level_learn(l, v);
		return false;
	}
	if (v == l->target) {
		level_learn(l, v);
		return was_moving;
	}
	return false;
}

/* ---- events: RW1C bits ---- */

/*
 * ZERO and ONE are known; DUE must be 1 by `must`; MAYBE may be either; and
 * while a cause may still fire (`until`), clearing it is no proof it stays 0.
 */
static void ev_at(struct xevent *e, uint64_t now)
{
	if (e->state == EV_DUE && now >= e->must)
		e->state = EV_ONE;
}

static void ev_cause(struct xmodel *m, struct xevent *e, uint64_t until)
{
	if (until > e->until)
		e->until = until;
	e->by_cmd = m->in_cmd;
}

/* The event will happen by @due (now, if @due <= now). */
static void ev_raise(struct xmodel *m, struct xevent *e, uint64_t due, uint8_t rule)
{
	ev_cause(m, e, due);
	if (e->state == EV_ONE)
		return;
	if (e->state == EV_DUE && e->must < due)
		due = e->must;
	e->stale = e->state == EV_MAYBE || e->state == EV_UNKNOWN ||
		   (e->state == EV_DUE && e->stale);	/* a 1 may be an older event's */
	e->state = due <= m->now ? EV_ONE : EV_DUE;
	e->must = due;
	e->rule = rule;
}

/* It may happen until @until, or may have: not predictable until seen. */
static void ev_maybe(struct xmodel *m, struct xevent *e, uint64_t until)
{
	ev_cause(m, e, until);
	if (e->state != EV_ONE)
		e->state = EV_MAYBE;
}

static void ev_w1c(struct xevent *e, uint64_t now)
{
	if (e->until > now) {	/* its cause may fire after this write */
		e->state = EV_MAYBE;	/* fired before the write, or still to fire */
		return;
	}
	e->state = EV_ZERO;
	e->rule = XR_W1C;
}

static void ev_observe(struct xevent *e, bool set)
{
	if (set && e->state != EV_ONE) {
		e->state = EV_ONE;
		e->rule = XR_W1C;
	} else if (!set && e->state == EV_UNKNOWN) {
		e->state = EV_ZERO;
		e->rule = XR_NO_CAUSE;
	}
}

/* ---- transitions ---- */

/*
 * @l goes to @target by @due; the event @e (if any) is set by the change:
 * surely when @l was settled elsewhere, perhaps when the model was unsure.
 */
static void change(struct xmodel *m, struct xlevel *l, int target, uint64_t due,
		   uint8_t rule, struct xevent *e, uint8_t ev_rule)
{
	bool settled = !l->due && (l->allowed == 1 || l->allowed == 2);
	int now_v = l->allowed == 2;

	if (settled && now_v == target)
		return;
	if (e && settled)
		ev_raise(m, e, due, ev_rule);
	else if (e)
		ev_maybe(m, e, due);
	l->allowed |= (uint8_t)(1u << target);
	l->target = (uint8_t)target;
	l->due = due;
	l->rule = rule;
	l->flux = false;
	l->by_cmd = m->in_cmd;
	if (due <= m->now)
		level_at(l, m->now);
}

/* Where the link must go: 1 up, 0 down, -1 unknown (power, adapter, Link Disable, training). */
static int link_wanted(const struct xmodel *m)
{
	int power = level_dest(&m->power), adapter = level_dest(&m->adapter);
	int ld = reg_index(PCI_EXP_LNKCTL);

	if (power == 0 || adapter == 0 ||
	    ((m->known[ld] & PCI_EXP_LNKCTL_LD) && (m->val[ld] & PCI_EXP_LNKCTL_LD)))
		return 0;
	if (power < 0 || adapter < 0 || !(m->known[ld] & PCI_EXP_LNKCTL_LD) || m->compliance)
		return -1;
	return 1;
}

/* Something the link depends on changed: it goes down by @due_down or up by @due_up. */
static void relink(struct xmodel *m, uint64_t due_down, uint64_t due_up)
{
	struct xevent *dllsc = dllla_reporting(m) ?
		ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_DLLSC) : NULL;
	int want = link_wanted(m);

	if (want < 0) {
		level_unknown(&m->link);
		level_unknown(&m->child);
		if (dllsc)
			ev_maybe(m, dllsc, UINT64_MAX);
	} else if (want == 0) {
		change(m, &m->link, 0, due_down, XR_LINK_DOWN, dllsc, XR_DLLSC);
		change(m, &m->child, 0, due_down, XR_CHILD_GONE, NULL, 0);
	} else {
		change(m, &m->link, 1, due_up, XR_LINK_UP, dllsc, XR_DLLSC);
		change(m, &m->child, 1, due_up + m->cfg.ready_ms * 1000ull, XR_CHILD_BACK,
		       NULL, 0);
	}
}

static void make_undefined(struct xmodel *m, const char *why)
{
	if (!m->undefined)
		m->undefined_why = why;
	m->undefined = true;
}

/* ---- time ---- */

/* A deadline counted from the command's: now counted from @t, the completion seen. */
static void shift(uint64_t *due, const struct xmodel *m, uint64_t t)
{
	if (*due >= m->cmd_due && *due != UINT64_MAX)
		*due = t + (*due - m->cmd_due);
}

/* The command was seen complete at @t: what it did is done by @t. */
static void command_done(struct xmodel *m, uint64_t t)
{
	struct xlevel *levels[] = { &m->power, &m->adapter, &m->link, &m->child, &m->eis };

	if (!m->cmd_pending)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(levels); i++) {
		if (levels[i]->by_cmd && levels[i]->due)
			shift(&levels[i]->due, m, t);
		levels[i]->by_cmd = false;
	}
	for (int r = 0; r < XREGS; r++) {
		for (int b = 0; b < 32; b++) {
			struct xevent *e = &m->ev[r][b];

			if (e->by_cmd) {
				shift(&e->must, m, t);
				shift(&e->until, m, t);
			}
			e->by_cmd = false;
		}
	}
	m->cmd_pending = false;
}

static void advance(struct xmodel *m, uint64_t now)
{
	struct xlevel *levels[] = { &m->power, &m->adapter, &m->link, &m->child, &m->eis };

	m->now = now;
	if (m->cmd_pending && now >= m->cmd_due)
		m->cmd_pending = false;
	for (unsigned int i = 0; i < ARRAY_SIZE(levels); i++)
		level_at(levels[i], now);
	for (int r = 0; r < XREGS; r++)
		for (int b = 0; b < 32; b++)
			ev_at(&m->ev[r][b], now);
}

bool xmodel_cmd_pending(struct xmodel *m, uint64_t now)
{
	return m->cmd_pending && now < m->cmd_due;
}

bool xmodel_cc_coming(const struct xmodel *m)
{
	const struct xevent *e = &m->ev[reg_index(PCI_EXP_SLTSTA)][BIT_OF(PCI_EXP_SLTSTA_CC)];

	return e->state == EV_DUE;
}

/* ---- set up ---- */

void xmodel_init(struct xmodel *m, const struct xmodel_cfg *cfg,
		 const struct regattr_ctx *caps)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (!m->cfg.cmd_ms)
		m->cfg.cmd_ms = 1000;
	if (!m->cfg.link_ms)
		m->cfg.link_ms = 1000;
	if (!m->cfg.ready_ms)
		m->cfg.ready_ms = 1100;
	m->ctx = *caps;
	level_unlearned(&m->power);
	level_unlearned(&m->adapter);
	level_unlearned(&m->link);
	level_unlearned(&m->child);
	level_unlearned(&m->eis);
	/* Without a power controller the slot is always powered (§7.5.3.9). */
	if (!cap(m, PCI_EXP_SLTCAP_PCP))
		level_learn(&m->power, 1);
}

int xmodel_prologue(struct xstep *out, int max)
{
	int n = 0;

	for (int i = 0; i < regattr_nregs && i < XREGS && n < max; i++)
		out[n++] = (struct xstep){ XOP_READ, regattr_regs[i].offset,
					   regattr_regs[i].width, 0 };
	if (n < max)
		out[n++] = (struct xstep){ XOP_READ_CHILD, 0, 2, 0 };
	return n;
}

/* ---- predictions ---- */

struct xpred {
	bool any, has_alt;
	uint32_t value, alt;
	uint8_t rule;
};

static void pred_level(const struct xlevel *l, uint32_t mask, struct xpred *p)
{
	p->rule = l->rule;
	if (l->allowed == 3)
		p->any = true;
	else
		p->value = l->allowed == 2 ? mask : 0;
}

static void pred_event(const struct xevent *e, uint32_t mask, struct xpred *p)
{
	p->rule = e->rule;
	switch (e->state) {
	case EV_ZERO:
		p->value = 0;
		break;
	case EV_ONE:
		p->value = mask;
		break;
	default:	/* unknown, maybe, due but not yet */
		p->any = true;
	}
}

/* Registers whose fields the model stops predicting when the slot is undefined. */
static bool slot_register(uint8_t off)
{
	return off == PCI_EXP_SLTCTL || off == PCI_EXP_SLTSTA || off == PCI_EXP_LNKSTA;
}

static bool dynamic_field(const struct xmodel *m, uint8_t off, const struct regattr_field *f,
			  struct xpred *p)
{
	uint32_t k = f->mask;

	if (off == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_PDS) {
		pred_level(&m->adapter, k, p);
		p->rule = XR_PDS;
	} else if (off == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_EIS && cap(m, PCI_EXP_SLTCAP_EIP)) {
		pred_level(&m->eis, k, p);
		p->rule = XR_EIS;
	} else if (off == PCI_EXP_LNKSTA && k == PCI_EXP_LNKSTA_DLLLA && dllla_reporting(m)) {
		pred_level(&m->link, k, p);
		if (p->rule == XR_NONE)
			p->rule = m->link.allowed == 2 ? XR_LINK_UP : XR_LINK_DOWN;
	} else if (off == PCI_EXP_LNKSTA &&
		   (k == PCI_EXP_LNKSTA_LT || k == PCI_EXP_LNKSTA_CLS || k == PCI_EXP_LNKSTA_NLW)) {
		p->any = true;	/* training state, speed, width: the link's business */
	} else if (off == PCI_EXP_LNKCTL2 && k == PCI_EXP_LNKCTL2_TLS && m->tls_undefined) {
		p->any = true;
	} else if (off == PCI_EXP_LNKSTA2 && regattr_expected(f, &m->ctx) == RA_RO) {
		p->any = true;	/* equalization, retimers: set by link training */
	} else {
		return false;
	}
	return true;
}

static void predict(const struct xmodel *m, int r, const struct regattr_field *f,
		    struct xpred *p)
{
	const struct regattr_reg *reg = &regattr_regs[r];
	uint8_t attr = regattr_expected(f, &m->ctx);
	uint32_t k = f->mask;

	memset(p, 0, sizeof(*p));
	if (m->undefined && slot_register(reg->offset) && attr != RA_RSVDP &&
	    attr != RA_RSVDZ && attr != RA_ZERO) {
		p->any = true;
		return;
	}
	if (dynamic_field(m, reg->offset, f, p))
		return;
	switch (attr) {
	case RA_RO:
		p->rule = XR_RO;
		p->any = (m->known[r] & k) != k;
		p->value = m->val[r] & k;
		break;
	case RA_RW:
	case RA_RW_OR_ZERO:
		p->rule = reg->offset == PCI_EXP_SLTCTL ? XR_RW_CMD : XR_RW;
		p->any = (m->known[r] & k) != k;
		p->value = m->val[r] & k;
		if (attr == RA_RW_OR_ZERO && (m->hardwired[r] & k)) {
			p->rule = XR_HARDWIRED;
			p->value = 0;
			p->any = false;
		} else if (attr == RA_RW_OR_ZERO && !(m->writable[r] & k) && p->value) {
			p->has_alt = true;
			p->alt = 0;
		}
		break;
	case RA_RW_READS_ZERO:
		p->rule = XR_READS_ZERO;
		break;
	case RA_RW1C:
		pred_event(&m->ev[r][BIT_OF(k)], k, p);
		break;
	case RA_ZERO:
		p->rule = XR_HARDWIRED;
		break;
	case RA_RSVDP:
	case RA_RSVDZ:
		p->rule = XR_RESERVED;
		break;
	default:
		p->any = true;
	}
}

static bool pred_allows(const struct xpred *p, uint32_t got, uint32_t win)
{
	return p->any || ((got ^ p->value) & win) == 0 ||
	       (p->has_alt && ((got ^ p->alt) & win) == 0);
}

/* ---- learning from a read that kept the rules ---- */

static void learn_field(struct xmodel *m, int r, const struct regattr_field *f,
			uint32_t got, uint32_t win, uint64_t t)
{
	const struct regattr_reg *reg = &regattr_regs[r];
	uint8_t attr = regattr_expected(f, &m->ctx);
	uint32_t k = f->mask, bits = k & win;

	if (!bits || m->undefined)
		return;
	if (reg->offset == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_PDS) {
		level_observe(&m->adapter, !!(got & k));
	} else if (reg->offset == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_EIS &&
		   cap(m, PCI_EXP_SLTCAP_EIP)) {
		level_observe(&m->eis, !!(got & k));
	} else if (reg->offset == PCI_EXP_LNKSTA && k == PCI_EXP_LNKSTA_DLLLA &&
		   dllla_reporting(m)) {
		/* Up by now: the function behind answers 1.1 s after at the latest. */
		if (level_observe(&m->link, !!(got & k)) && m->link.target == 1 && m->child.due &&
		    m->child.target == 1 && m->child.due > t + m->cfg.ready_ms * 1000ull)
			m->child.due = t + m->cfg.ready_ms * 1000ull;
	} else if (attr == RA_RW1C) {
		struct xevent *e = &m->ev[r][BIT_OF(k)];
		bool cc_done = reg->offset == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_CC &&
			       e->state == EV_DUE && !e->stale && e->by_cmd && (got & k);

		ev_observe(e, got & k);
		if (cc_done)
			command_done(m, t);
	}
	/* The slot's power, at the start: Power Controller Control says (0: on). */
	if (reg->offset == PCI_EXP_SLTCTL && k == PCI_EXP_SLTCTL_PCC &&
	    cap(m, PCI_EXP_SLTCAP_PCP) && m->power.allowed == 3 && !m->power.due &&
	    !m->power.flux)
		level_learn(&m->power, !(got & k));
	if (attr == RA_RW_OR_ZERO && (m->known[r] & bits) == bits) {
		if ((got & bits) && !(m->hardwired[r] & k))
			m->writable[r] |= k;
		else if (!(got & bits) && (m->val[r] & bits) && !(m->writable[r] & k))
			m->hardwired[r] |= k;
	}
	m->val[r] = (m->val[r] & ~bits) | (got & bits);
	m->known[r] |= bits;
}

/* ---- findings ---- */

static bool value_finding(struct xmodel *m, int r, const struct regattr_field *f,
			  const struct xpred *p, uint32_t got, uint32_t win, struct xfinding *out)
{
	memset(out, 0, sizeof(*out));
	out->oracle = XOR_VALUE;
	out->rule = p->rule;
	out->reg_off = regattr_regs[r].offset;
	out->reg_size = regattr_regs[r].width;
	out->field = f->mask & win;
	out->field_name = f->name;
	out->got = got & out->field;
	out->want = p->value & out->field;
	out->has_alt = p->has_alt;
	out->alt = p->alt & out->field;
	return true;
}

/* The register @r's bits in an access of @size bytes at @off, and the value there. */
static uint32_t window(int r, uint8_t off, uint8_t size, uint32_t v, uint32_t *val)
{
	const struct regattr_reg *reg = &regattr_regs[r];
	uint32_t win = 0;

	*val = 0;
	for (int b = 0; b < reg->width; b++) {
		int at = reg->offset + b;

		if (at < off || at >= off + size)
			continue;
		win |= 0xffu << (b * 8);
		*val |= ((v >> ((at - off) * 8)) & 0xff) << (b * 8);
	}
	return win;
}

static bool check_read(struct xmodel *m, uint8_t off, uint8_t size, uint32_t v,
		       uint64_t t, struct xfinding *out)
{
	/* Every register the access covers, fields checked before any is learned. */
	for (int pass = 0; pass < 2; pass++) {
		for (int r = 0; r < XREGS; r++) {
			const struct regattr_reg *reg = &regattr_regs[r];
			uint32_t got, win = window(r, off, size, v, &got);

			for (int i = 0; i < reg->nfields && win; i++) {
				const struct regattr_field *f = &reg->fields[i];
				struct xpred p;

				if (pass) {
					learn_field(m, r, f, got, win, t);
					continue;
				}
				predict(m, r, f, &p);
				if (!pred_allows(&p, got, f->mask & win))
					return value_finding(m, r, f, &p, got, win, out);
			}
		}
	}
	return false;
}

static bool check_child(struct xmodel *m, uint32_t v, struct xfinding *out)
{
	uint16_t vendor = m->cfg.child_vendor;
	bool visible = v != 0xffff;
	struct xlevel *c = &m->child;
	bool ok;

	if (m->undefined)
		return false;
	ok = c->allowed == 3 ? (!visible || !vendor || v == vendor) :
	     c->allowed == 1 ? !visible : (visible && (!vendor || v == vendor));
	if (!ok) {
		memset(out, 0, sizeof(*out));
		out->oracle = XOR_VALUE;
		out->rule = c->rule ? c->rule : c->allowed == 1 ? XR_CHILD_GONE : XR_CHILD_BACK;
		out->reg_off = XREG_CHILD;
		out->reg_size = 2;
		out->field = 0xffff;
		out->field_name = "VENDOR";
		out->got = v;
		out->want = c->allowed == 1 ? 0xffff : vendor;
		out->has_alt = c->allowed == 3;
		out->alt = 0xffff;
		return true;
	}
	level_observe(c, visible);
	if (visible && !m->cfg.child_vendor)
		m->cfg.child_vendor = (uint16_t)v;
	return false;
}

static bool host_finding(uint8_t rule, uint8_t reg, const char *what, bool got,
			 struct xfinding *out)
{
	memset(out, 0, sizeof(*out));
	out->oracle = XOR_HOST;
	out->rule = rule;
	out->reg_off = reg;
	out->reg_size = 2;
	out->field = 1;
	out->field_name = what;
	out->got = got;
	out->want = !got;
	return true;
}

/* ---- writes ---- */

/* device_del's adapter may leave now: slot off, Power Indicator Off if it has one (§6.7.1.1). */
static bool removal_permitted(const struct xmodel *m, uint16_t ctl)
{
	return m->removal_pending && level_dest(&m->power) == 0 &&
	       (!cap(m, PCI_EXP_SLTCAP_PIP) ||
		(ctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_OFF);
}

/* The operator takes device_del's adapter out by @t: presence, link, one DEVICE_DELETED. */
static void removed(struct xmodel *m, uint64_t t)
{
	change(m, &m->adapter, 0, t, XR_PDS, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC), XR_PDC);
	relink(m, t, t + m->cfg.link_ms * 1000ull);
	m->removal_pending = false;
	m->removals++;
	m->removal_due = t;
}

static void command(struct xmodel *m, uint16_t old, uint16_t ctl, bool eic, uint64_t t)
{
	uint64_t due = t + m->cfg.cmd_ms * 1000ull;

	if (m->undefined)
		return;
	if (xmodel_cmd_pending(m, t)) {
		make_undefined(m, "Slot Control written before the previous command completed "
			       "(PCIe r5.0 7.5.3.10: values undefined)");
		return;
	}
	m->cmd_pending = true;
	m->cmd_due = due;
	m->in_cmd = true;
	if (cap(m, PCI_EXP_SLTCAP_NCCS))
		ev_maybe(m, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC), due);
	else
		ev_raise(m, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC), due, XR_CC);

	if (cap(m, PCI_EXP_SLTCAP_PCP) && ((old ^ ctl) & PCI_EXP_SLTCTL_PCC)) {
		change(m, &m->power, !(ctl & PCI_EXP_SLTCTL_PCC), due, XR_NONE, NULL, 0);
		if (!removal_permitted(m, ctl))
			relink(m, due, due + m->cfg.link_ms * 1000ull);
	}
	if (removal_permitted(m, ctl))
		removed(m, due);
	if (eic && cap(m, PCI_EXP_SLTCAP_EIP)) {
		if (m->eis.allowed == 3 || m->eis.due)
			level_unknown(&m->eis);
		else
			change(m, &m->eis, m->eis.allowed == 1, due, XR_EIS, NULL, 0);
	}
	m->in_cmd = false;
}

static void link_control(struct xmodel *m, uint16_t old, uint16_t ctl, bool retrain, uint64_t t)
{
	uint64_t bound = t + m->cfg.link_ms * 1000ull;
	struct xevent *lbms = ev(m, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_LBMS);

	if (m->undefined)
		return;
	if ((old ^ ctl) & PCI_EXP_LNKCTL_LD)
		relink(m, bound, bound);
	if (!retrain || !(m->ctx.lnkcap & PCI_EXP_LNKCAP_LBNC))
		return;
	if (level_settled(&m->link, 1) && !(ctl & PCI_EXP_LNKCTL_LD))
		ev_raise(m, lbms, bound, XR_LBMS);
	else
		ev_maybe(m, lbms, bound);
}

/* Target Link Speed must name a supported speed (§7.5.3.19), else undefined. */
static bool tls_supported(const struct xmodel *m, uint32_t tls)
{
	uint32_t vector = m->ctx.lnkcap2 & PCI_EXP_LNKCAP2_SLS;

	if (vector)
		return tls && tls < 8 && (vector & (1u << tls));
	return tls >= 1 && tls <= (m->ctx.lnkcap & PCI_EXP_LNKCAP_SLS);
}

static void store_field(struct xmodel *m, int r, const struct regattr_field *f,
			uint32_t be, uint32_t v)
{
	uint8_t attr = regattr_expected(f, &m->ctx);
	uint32_t bits = f->mask & be;

	if (!bits)
		return;
	if (attr == RA_RW || attr == RA_RW_OR_ZERO) {
		if (attr == RA_RW_OR_ZERO && (m->hardwired[r] & f->mask))
			v = 0;
		m->val[r] = (m->val[r] & ~bits) | (v & bits);
		m->known[r] |= bits;
	} else if (attr == RA_RW1C && (v & bits)) {
		ev_w1c(&m->ev[r][BIT_OF(f->mask)], m->now);
	}
}

static void apply_write(struct xmodel *m, uint8_t off, uint8_t size, uint32_t value, uint64_t t)
{
	int ictl = reg_index(PCI_EXP_SLTCTL), ilnk = reg_index(PCI_EXP_LNKCTL);
	uint16_t old_ctl = (uint16_t)m->val[ictl], old_lnk = (uint16_t)m->val[ilnk];
	uint32_t be_ctl = 0, v_ctl = 0, be_lnk = 0, v_lnk = 0;

	for (int r = 0; r < XREGS; r++) {
		const struct regattr_reg *reg = &regattr_regs[r];
		uint32_t v, be = window(r, off, size, value, &v);

		if (!be)
			continue;
		for (int i = 0; i < reg->nfields; i++)
			store_field(m, r, &reg->fields[i], be, v);
		if (reg->offset == PCI_EXP_SLTCTL) {
			be_ctl = be;
			v_ctl = v;
		} else if (reg->offset == PCI_EXP_LNKCTL) {
			be_lnk = be;
			v_lnk = v;
		} else if (reg->offset == PCI_EXP_LNKCTL2) {
			if (be & PCI_EXP_LNKCTL2_TLS)
				m->tls_undefined = !tls_supported(m, v & PCI_EXP_LNKCTL2_TLS);
			m->compliance = m->val[r] & (PCI_EXP_LNKCTL2_ENTER_COMP | SLOTPROBE_EXP_LNKCTL2_EMC);
		}
	}
	/* Status bits cleared by this write first, then what the control part does. */
	if (be_ctl)
		command(m, old_ctl, (uint16_t)m->val[ictl],
			(be_ctl & v_ctl & PCI_EXP_SLTCTL_EIC) != 0, t);
	if (be_lnk)
		link_control(m, old_lnk, (uint16_t)m->val[ilnk],
			     (be_lnk & v_lnk & PCI_EXP_LNKCTL_RL) != 0, t);
}

/* ---- host actions ---- */

/* The interlock holds the adapter (§6.7.1.8): 1 engaged, 0 not, -1 unknown. */
static int interlocked(const struct xmodel *m)
{
	if (!cap(m, PCI_EXP_SLTCAP_EIP))
		return 0;
	return m->eis.due || m->eis.allowed == 3 ? -1 : m->eis.allowed == 2;
}

static bool device_add(struct xmodel *m, const struct xobs *o, struct xfinding *f)
{
	int present = level_dest(&m->adapter), locked = interlocked(m);

	if (m->undefined || present < 0 || m->adapter.due || locked < 0)
		return false;
	if (o->ok == (present == 1 || locked))
		return host_finding(XR_ADD, PCI_EXP_SLTSTA, "device_add", o->ok, f);
	if (!o->ok)
		return false;
	change(m, &m->adapter, 1, o->t1, XR_PDS, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC), XR_PDC);
	relink(m, o->t1, o->t1 + m->cfg.link_ms * 1000ull);
	return false;
}

/* Power Indicator Blink: a hot-plug operation in progress (PCIe r5.0 §6.7.1.1). */
static bool blinking(const struct xmodel *m)
{
	return cap(m, PCI_EXP_SLTCAP_PIP) &&
	       (xmodel_sltctl(m) & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_BLINK;
}

static bool device_del(struct xmodel *m, const struct xobs *o, struct xfinding *f)
{
	int present = level_dest(&m->adapter), powered = level_dest(&m->power);
	int locked = interlocked(m);

	if (m->undefined || present < 0 || m->adapter.due || locked < 0)
		return false;
	if (!o->ok && present == 1 && blinking(m))
		return false;	/* an operation in progress (§6.7.1.1): QEMU refuses, "guest is busy" */
	if (m->removal_pending && present == 1 && !locked) {
		if (o->ok)	/* pressed before: QEMU may refuse a second press */
			ev_raise(m, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP), o->t1, XR_ABP);
		return false;
	}
	if (o->ok != (present == 1 && !locked))
		return host_finding(XR_DEL, PCI_EXP_SLTSTA, "device_del", o->ok, f);
	if (!o->ok)
		return false;
	if (powered < 0 || m->power.due || xmodel_cmd_pending(m, o->t0)) {
		make_undefined(m, "device_del while a power command was in progress (the model "
			       "cannot tell which side of it the removal fell)");
	} else if (!cap(m, PCI_EXP_SLTCAP_ABP)) {
		removed(m, o->t1);	/* no button to press: out at once */
	} else {
		ev_raise(m, ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP), o->t1, XR_ABP);
		m->removal_pending = true;
		if (removal_permitted(m, xmodel_sltctl(m)))
			removed(m, o->t1);
	}
	return false;
}

/*
 * DEVICE_DELETED: the host's running count, less what it was before this
 * sequence (learned at its first host step), is the removals the model saw,
 * or one fewer while the last is still within its command's bound.
 */
static bool check_deleted(struct xmodel *m, const struct xobs *o, struct xfinding *f)
{
	uint32_t most = m->removals, least = most - (most && o->t0 < m->removal_due);

	if (!o->has_deleted || m->undefined)
		return false;
	if (!m->deleted_known) {
		if (least != most || o->deleted < most)
			return false;
		m->deleted_known = true;
		m->deleted_base = o->deleted - most;
		return false;
	}
	if (o->deleted - m->deleted_base >= least && o->deleted - m->deleted_base <= most)
		return false;
	host_finding(XR_DELETED, XREG_NONE, "DEVICE_DELETED", false, f);
	f->got = o->deleted - m->deleted_base;	/* counts, not accepted/refused */
	f->want = most;
	f->has_alt = least != most;
	f->alt = least;
	return true;
}

/* ---- a step ---- */

static bool wait_cc(struct xmodel *m, const struct xobs *o, struct xfinding *f)
{
	struct xevent *cc = ev(m, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC);

	if (cap(m, PCI_EXP_SLTCAP_NCCS))
		return false;	/* wait-cc does not wait without CC support */
	/* The last poll, checked as of the wait's start (when less was certain). */
	if (o->value != 0xffff && check_read(m, PCI_EXP_SLTSTA, 2, o->value, o->t1, f))
		return true;
	if (o->ok) {
		apply_write(m, PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_CC, o->t1);
		return false;
	}
	advance(m, o->t1);
	if (!m->undefined && cc->state == EV_ONE && cc->rule == XR_CC) {
		memset(f, 0, sizeof(*f));
		f->oracle = XOR_COMMAND;
		f->rule = XR_CMD_TIMEOUT;
		f->reg_off = PCI_EXP_SLTSTA;
		f->reg_size = 2;
		f->field = PCI_EXP_SLTSTA_CC;
		f->field_name = "PCI_EXP_SLTSTA_CC";
		f->got = o->value & PCI_EXP_SLTSTA_CC;
		f->want = PCI_EXP_SLTSTA_CC;
		return true;
	}
	return false;
}

/* ---- what timing decides (the migration-differential oracle) ---- */

static bool level_moving(const struct xlevel *l)
{
	return l->flux || l->due;
}

static bool event_moving(const struct xevent *e, uint64_t now)
{
	return e->state == EV_MAYBE || e->state == EV_DUE || e->stale || e->until > now;
}

static bool timing_field(const struct xmodel *m, int r, const struct regattr_field *f)
{
	uint8_t off = regattr_regs[r].offset;
	uint32_t k = f->mask;

	if (m->undefined && slot_register(off))
		return true;
	if (off == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_PDS)
		return level_moving(&m->adapter);
	if (off == PCI_EXP_SLTSTA && k == PCI_EXP_SLTSTA_EIS)
		return level_moving(&m->eis);
	if (off == PCI_EXP_LNKSTA && k == PCI_EXP_LNKSTA_LT)
		return true;
	if (regattr_expected(f, &m->ctx) == RA_RW1C)
		return event_moving(&m->ev[r][BIT_OF(k)], m->now);
	if (off == PCI_EXP_LNKSTA || off == PCI_EXP_LNKSTA2)	/* DLLLA, speed, width, EQ */
		return level_moving(&m->link);
	return false;
}

uint32_t xmodel_timing_bits(struct xmodel *m, const struct xstep *s, uint64_t now)
{
	uint32_t bits = 0;

	advance(m, now);
	if (s->op == XOP_READ_CHILD)
		return level_moving(&m->child) || m->undefined ? 0xffff : 0;
	if (s->op != XOP_READ)
		return 0;
	for (int r = 0; r < XREGS; r++) {
		const struct regattr_reg *reg = &regattr_regs[r];
		uint32_t v, win = window(r, s->off, s->size, 0, &v), in_reg = 0;

		if (!win)
			continue;
		for (int i = 0; i < reg->nfields && win; i++)
			if (timing_field(m, r, &reg->fields[i]))
				in_reg |= reg->fields[i].mask & win;
		/* register position -> the access's */
		bits |= xbytes_move(in_reg, reg->offset, s->off);
	}
	return bits;
}

bool xmodel_step(struct xmodel *m, const struct xstep *s, const struct xobs *o,
		 struct xfinding *f)
{
	advance(m, o->t0);
	switch (s->op) {
	case XOP_READ:
		return check_read(m, s->off, s->size, o->value, o->t0, f);
	case XOP_WRITE:
		advance(m, o->t1);
		apply_write(m, s->off, s->size, s->value, o->t1);
		return false;
	case XOP_READ_CHILD:
		return check_child(m, o->value, f);
	case XOP_WAIT_CC:
		return wait_cc(m, o, f);
	case XOP_DELAY:
		advance(m, o->t1);
		return false;
	case XOP_DEVICE_ADD:
		advance(m, o->t1);
		return device_add(m, o, f) || check_deleted(m, o, f);
	case XOP_DEVICE_DEL:
		advance(m, o->t1);
		return device_del(m, o, f) || check_deleted(m, o, f);
	case XOP_MIGRATE:
		advance(m, o->t1);
		return (!o->ok && host_finding(XR_MIGRATE, XREG_NONE, "migration", false, f)) ||
		       check_deleted(m, o, f);
	}
	return false;
}
