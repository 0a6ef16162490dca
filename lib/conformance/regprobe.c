/*
 * regprobe.c - write patterns into a slot's Link and Slot registers and
 * read them back (see regprobe.h). Every register is left as it was found:
 * each field is restored right after its two patterns.
 */
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "regprobe.h"

uint8_t regprobe_exp_version(const struct pcie_slot *s)
{
	return pcie_cap_read16(s, PCI_EXP_FLAGS) & PCI_EXP_FLAGS_VERS;
}

uint32_t regprobe_read(const struct pcie_slot *s, const struct regattr_reg *r)
{
	return pci_cfg_read(s->port, s->exp + r->offset, r->width);
}

static void reg_write(const struct pcie_slot *s, const struct regattr_reg *r, uint32_t val)
{
	pci_cfg_write(s->port, s->exp + r->offset, r->width, val);
}

void regprobe_ctx(const struct pcie_slot *s, struct regattr_ctx *c)
{
	bool v2 = regprobe_exp_version(s) >= 2;

	c->sltcap = pcie_cap_read32(s, PCI_EXP_SLTCAP);
	c->lnkcap = pcie_cap_read32(s, PCI_EXP_LNKCAP);
	c->lnkcap2 = v2 ? pcie_cap_read32(s, PCI_EXP_LNKCAP2) : 0;
	c->sltcap2 = v2 ? pcie_cap_read32(s, PCI_EXP_SLTCAP2) : 0;
	c->flags = pcie_cap_read16(s, PCI_EXP_FLAGS);
	c->port_type = s->port_type;
}

static bool only_read(uint8_t attr)
{
	return attr == RA_RSVDP || attr == RA_RSVDZ || attr == RA_ZERO ||
	       attr == RA_UNDEFINED;
}

/*
 * A control field that must be hardwired 0 is written too (ones, then
 * zeros): a writable one (CCIE with No Command Completed Support) is a
 * deviation that reading alone would miss. Status fields stay read-only:
 * a 1 there could clear an event.
 */
static bool zero_to_write(const struct regattr_reg *r, uint8_t attr)
{
	return attr == RA_ZERO && (r->kind == RK_CONTROL || r->kind == RK_COMMAND);
}

/* One pattern into one field; for Slot Control, one command waited for. */
static uint32_t write_field(struct pcie_slot *s, const struct regattr_reg *r,
			    uint32_t mask, uint32_t pat, struct regprobe_result *out)
{
	if (r->kind == RK_COMMAND) {
		out->commands++;
		if (!slot_write_cmd(s, (uint16_t)pat, (uint16_t)mask))
			out->commands_failed++;
	} else if (r->kind == RK_STATUS) {
		reg_write(s, r, pat & mask);	/* 0 on every other bit: no RW1C cleared */
	} else {
		reg_write(s, r, (regprobe_read(s, r) & ~mask) | (pat & mask));
	}
	return regprobe_read(s, r);
}

static void probe_rw(struct pcie_slot *s, const struct regattr_reg *r,
		     const struct regattr_field *f, struct regprobe_result *out, int i)
{
	struct regattr_probe p = { .mask = f->mask };

	p.before = regprobe_read(s, r);
	regattr_patterns(f, &p.pat_a, &p.pat_b);
	p.after_a = write_field(s, r, f->mask, p.pat_a, out);
	p.after_b = write_field(s, r, f->mask, p.pat_b, out);
	if (r->kind != RK_STATUS && (regprobe_read(s, r) & f->mask) != (p.before & f->mask))
		write_field(s, r, f->mask, p.before, out);	/* restore */
	out->seen[i].kind = regattr_classify(&p);
}

/* RW1C (§7.4): writing 0 leaves a set bit set, writing 1 clears it. */
static void probe_rw1c(struct pcie_slot *s, const struct regattr_reg *r,
		       const struct regattr_field *f, struct regprobe_result *out, int i)
{
	uint32_t set = regprobe_read(s, r) & f->mask;

	if (!set) {
		out->seen[i].kind = RS_NOT_PROBED;
		return;
	}
	reg_write(s, r, 0);
	if ((regprobe_read(s, r) & f->mask) != set) {
		out->seen[i].kind = RS_CLEARED_BY_0;
		return;
	}
	reg_write(s, r, set);
	out->seen[i].kind = (regprobe_read(s, r) & set) ? RS_NOT_CLEARED : RS_CLEARED;
}

/* Capability registers: all RO; ones then zeros on every non-reserved bit. */
static void probe_capability(struct pcie_slot *s, const struct regattr_reg *r,
			     const struct regattr_ctx *c, struct regprobe_result *out)
{
	uint32_t writable = 0, ones, zeros;

	for (int i = 0; i < r->nfields; i++)
		if (!only_read(regattr_expected(&r->fields[i], c)))
			writable |= r->fields[i].mask;
	reg_write(s, r, (out->before & ~writable) | writable);
	ones = regprobe_read(s, r);
	reg_write(s, r, out->before & ~writable);
	zeros = regprobe_read(s, r);
	reg_write(s, r, out->before);
	for (int i = 0; i < r->nfields; i++) {
		const struct regattr_field *f = &r->fields[i];
		struct regattr_probe p = { f->mask, out->before, f->mask, ones, 0, zeros };

		out->seen[i].kind = only_read(regattr_expected(f, c)) ? RS_READ_ONLY
								     : regattr_classify(&p);
	}
}

static bool skip_field(const struct regattr_field *f, bool destructive_ok,
		       bool only_destructive)
{
	bool destructive = f->flags & RA_F_DESTRUCTIVE;

	if (f->flags & RA_F_OWN_CHECK)
		return true;
	if (only_destructive)
		return !destructive;
	return destructive && !destructive_ok;
}

void regprobe_register(struct pcie_slot *s, const struct regattr_reg *r,
		       const struct regattr_ctx *c, bool destructive_ok,
		       bool only_destructive, struct regprobe_result *out)
{
	memset(out, 0, sizeof(*out));
	out->reg = r;
	out->before = regprobe_read(s, r);
	for (int i = 0; i < r->nfields && i < REGATTR_MAX_FIELDS; i++)
		out->seen[i].value = out->before & r->fields[i].mask;
	if (r->kind == RK_CAPABILITY && !only_destructive) {
		probe_capability(s, r, c, out);
	} else if (r->kind != RK_CAPABILITY) {
		for (int i = 0; i < r->nfields && i < REGATTR_MAX_FIELDS; i++) {
			const struct regattr_field *f = &r->fields[i];
			uint8_t attr = regattr_expected(f, c);

			if (only_read(attr) && !zero_to_write(r, attr))
				out->seen[i].kind = only_destructive ? RS_NOT_PROBED : RS_READ_ONLY;
			else if (skip_field(f, destructive_ok, only_destructive))
				out->seen[i].kind = RS_NOT_PROBED;
			else if (attr == RA_RW1C)
				probe_rw1c(s, r, f, out, i);
			else
				probe_rw(s, r, f, out, i);
		}
	}
	out->after = regprobe_read(s, r);
}
