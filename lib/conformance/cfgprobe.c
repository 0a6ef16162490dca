/*
 * cfgprobe.c - which bits of a function's configuration space may be
 * written, and what each written word did (see cfgprobe.h).
 */
#include "cfgprobe.h"
#include "libc.h"
#include "pci_regs.h"

const char *cfgprobe_reason_str(uint8_t reason)
{
	static const char *const names[] = {
		[CP_PROBED] = "probed", [CP_OUTSIDE] = "outside", [CP_DECODE] = "decode",
		[CP_BAR] = "bar", [CP_BUS] = "bus", [CP_WINDOW] = "window", [CP_SBR] = "sbr",
		[CP_FLR] = "flr", [CP_LINK] = "link", [CP_POWER] = "power",
		[CP_INTERLOCK] = "interlock", [CP_PSTATE] = "pstate", [CP_IRQ] = "irq",
	};

	return reason < ARRAY_SIZE(names) ? names[reason] : "?";
}

/* Bytes [off, off + len) may be written (the rest stays protected as "outside"). */
static void allow(struct cfgprobe_plan *p, unsigned int off, unsigned int len)
{
	for (unsigned int w = off / 2; w < (off + len + 1) / 2 && w < p->size / 2; w++) {
		p->protect[w] = 0;
		p->reason[w] = CP_PROBED;
	}
}

/* Bits @mask of the 16-bit word at @off are not to be written, for @reason. */
static void protect(struct cfgprobe_plan *p, unsigned int off, uint16_t mask, uint8_t reason)
{
	unsigned int w = off / 2;

	if (w >= p->size / 2 || p->reason[w] == CP_OUTSIDE)
		return;
	if (!(p->protect[w] & mask) && p->reason[w] == CP_PROBED)
		p->reason[w] = reason;
	p->protect[w] |= mask;
}

static void protect_dword(struct cfgprobe_plan *p, unsigned int off, uint8_t reason)
{
	protect(p, off, 0xffff, reason);
	protect(p, off + 2, 0xffff, reason);
}

/* Length of a standard capability's registers (0: unknown, not probed). */
static unsigned int cap_len(struct pci_bdf d, unsigned int pos, unsigned int id)
{
	uint16_t flags = pci_cfg_read16(d, pos + 2);

	switch (id) {
	case PCI_CAP_ID_PM:	/* PCI PM 1.2 §3.2 */
	case PCI_CAP_ID_SSVID:	/* PCI-to-PCI Bridge 1.2 §3.2.5.x */
		return 8;
	case PCI_CAP_ID_MSI:	/* PCI 3.0 §6.8.1 */
		return (flags & PCI_MSI_FLAGS_64BIT ? 14 : 10) +
		       (flags & PCI_MSI_FLAGS_MASKBIT ? 10 : 0);
	case PCI_CAP_ID_MSIX:	/* PCI 3.0 §6.8.2 */
		return 12;
	case PCI_CAP_ID_VNDR:	/* PCI 3.0 §6.7: the length is byte 2 */
		return flags & 0xff;
	case PCI_CAP_ID_EXP:	/* PCIe r5.0 §7.5.3: version 1 ends after Root Status */
		return (flags & PCI_EXP_FLAGS_VERS) >= 2 ? 0x3c : 0x24;
	}
	return 0;
}

/* Length of an extended capability's registers (0: unknown). */
static unsigned int ext_cap_len(const struct pci_func *f, unsigned int id)
{
	bool root = f->exp_type == PCI_EXP_TYPE_ROOT_PORT || f->exp_type == PCI_EXP_TYPE_RC_EC;

	switch (id) {
	case PCI_EXT_CAP_ID_ERR:	/* PCIe r5.0 §7.8.4: Root registers in Root Ports, RCECs */
		return root ? 0x38 : 0x2c;
	case PCI_EXT_CAP_ID_ACS:	/* §7.7.8 (without an Egress Control Vector) */
	case PCI_EXT_CAP_ID_ARI:	/* §7.8.8 */
		return 8;
	case PCI_EXT_CAP_ID_DSN:	/* §7.9.3 */
		return 12;
	}
	return 4;	/* the header: ID, version, next */
}

static void allow_caps(const struct pci_func *f, struct cfgprobe_plan *p)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, f->addr, false);
	while (pci_cap_iter_next(&it))
		allow(p, it.pos, cap_len(f->addr, it.pos, it.id));
	if (p->size <= PCI_CFG_SPACE_SIZE)
		return;
	pci_cap_iter_init(&it, f->addr, true);
	while (pci_cap_iter_next(&it))
		allow(p, it.pos, ext_cap_len(f, it.id));
}

static void protect_header(const struct pci_func *f, bool occupied, struct cfgprobe_plan *p)
{
	uint16_t cmd = pci_cfg_read16(f->addr, PCI_COMMAND);
	bool decoding = cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	bool bridge = f->header_type == PCI_HEADER_TYPE_BRIDGE;

	protect(p, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		CP_DECODE);
	if (decoding) {
		for (unsigned int bar = PCI_BASE_ADDRESS_0;
		     bar <= (bridge ? PCI_BASE_ADDRESS_1 : PCI_BASE_ADDRESS_5); bar += 4)
			protect_dword(p, bar, CP_BAR);
		protect_dword(p, bridge ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS, CP_BAR);
	}
	if (!bridge)
		return;
	if (f->sec_bus)		/* primary, secondary, subordinate: not the latency timer */
		protect(p, PCI_PRIMARY_BUS, 0xffff, CP_BUS), protect(p, PCI_SUBORDINATE_BUS, 0x00ff, CP_BUS);
	if (occupied) {
		protect(p, PCI_IO_BASE, 0xffff, CP_WINDOW);	/* not Secondary Status */
		for (unsigned int w = PCI_MEMORY_BASE; w <= PCI_IO_LIMIT_UPPER16; w += 2)
			protect(p, w, 0xffff, CP_WINDOW);
	}
	protect(p, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, CP_SBR);
}

static void protect_caps(const struct pci_func *f, bool occupied, struct cfgprobe_plan *p)
{
	uint8_t pm = pci_find_cap(f->addr, PCI_CAP_ID_PM);
	uint8_t msi = pci_find_cap(f->addr, PCI_CAP_ID_MSI);
	uint8_t msix = pci_find_cap(f->addr, PCI_CAP_ID_MSIX);
	uint8_t exp = f->exp_cap;

	if (pm)
		protect(p, pm + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK, CP_PSTATE);
	if (msi)
		protect(p, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, CP_IRQ);
	if (msix)
		protect(p, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, CP_IRQ);
	if (!exp)
		return;
	protect(p, exp + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, CP_FLR);
	if (occupied) {
		protect(p, exp + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD, CP_LINK);
		/* Enter Compliance, Enter Modified Compliance (bit 10, no Linux name) */
		protect(p, exp + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_ENTER_COMP | 0x0400, CP_LINK);
	}
	if (f->slot_implemented) {
		p->slot_ctl = exp + PCI_EXP_SLTCTL;
		protect(p, p->slot_ctl, PCI_EXP_SLTCTL_PCC, CP_POWER);
		protect(p, p->slot_ctl, PCI_EXP_SLTCTL_EIC, CP_INTERLOCK);
	}
}

void cfgprobe_plan_func(const struct pci_func *f, bool occupied, struct cfgprobe_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->size = f->exp_cap && pci_cfg_has_extended() ? PCI_CFG_SPACE_EXP_SIZE
						       : PCI_CFG_SPACE_SIZE;
	for (unsigned int w = 0; w < p->size / 2; w++) {
		p->protect[w] = 0xffff;
		p->reason[w] = CP_OUTSIDE;
	}
	allow(p, 0, PCI_STD_HEADER_SIZEOF);
	allow_caps(f, p);
	protect_header(f, occupied, p);
	protect_caps(f, occupied, p);
}

bool cfgprobe_occupied(const struct pci_topology *t, int index)
{
	for (int i = 0; i < t->count; i++)
		if (t->funcs[i].parent == index)
			return true;
	return false;
}

/* One write: Slot Control as a command (waited for), anything else as it is. */
static uint16_t write_read(struct pci_bdf d, uint16_t off, uint16_t val, uint16_t free,
			   const struct cfgprobe_plan *p, struct pcie_slot *slot)
{
	if (slot && p->slot_ctl && off == p->slot_ctl)
		slot_write_cmd(slot, val, free);
	else
		pci_cfg_write16(d, off, val);
	return pci_cfg_read16(d, off);
}

void cfgprobe_word(struct pci_bdf d, uint16_t off, const struct cfgprobe_plan *p,
		   struct pcie_slot *slot, struct cfgprobe_word *out)
{
	uint16_t free = (uint16_t)~p->protect[off / 2], zeros, ones, expect;

	memset(out, 0, sizeof(*out));
	out->before = pci_cfg_read16(d, off);
	out->after = out->before;
	out->restored = true;
	if (!free)
		return;
	zeros = write_read(d, off, out->before & ~free, free, p, slot);
	ones = write_read(d, off, (out->before & ~free) | free, free, p, slot);
	out->writable = free & ~zeros & ones;
	out->rw1c = free & out->before & zeros & ~ones;
	/* Back as found; a 1 on a cleared RW1C bit would clear it if it came back. */
	out->after = write_read(d, off, out->before & ~out->rw1c, free, p, slot);
	expect = out->before & ~out->rw1c;
	out->restored = (out->after & ~out->rw1c) == expect;
}
