/*
 * pci.c - enumeration: every function reachable through bridges, with
 * the bus numbers the firmware assigned (see pci.h).
 */
#include "bitfield.h"
#include "hw.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"

/* ---- enumeration ---- */

struct enum_state {
	struct pci_topology *t;
	uint8_t scanned[256 / 8];	/* buses of the current segment already scanned */
};

static bool bus_scanned(struct enum_state *s, uint8_t bus)
{
	return s->scanned[bus / 8] & (1u << (bus % 8));
}

static void mark_bus_scanned(struct enum_state *s, uint8_t bus)
{
	s->scanned[bus / 8] |= 1u << (bus % 8);
}

/* Walks both lists: finds the PCI Express capability, records faults. */
static void read_caps(struct pci_func *f)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, f->addr, false);
	while (pci_cap_iter_next(&it))
		if (it.id == PCI_CAP_ID_EXP && !f->exp_cap)
			f->exp_cap = it.pos;
	f->cap_fault = it.fault;

	pci_cap_iter_init(&it, f->addr, true);
	while (pci_cap_iter_next(&it))
		;
	f->ext_cap_fault = it.fault;
}

/* PCIe r5.0 §7.5.3.2: PCI Express Capabilities Register. */
static void read_exp_flags(struct pci_func *f)
{
	uint16_t flags;

	if (!f->exp_cap)
		return;
	flags = pci_cfg_read16(f->addr, f->exp_cap + PCI_EXP_FLAGS);
	f->exp_vers = flags & PCI_EXP_FLAGS_VERS;
	f->exp_type = FIELD_GET(PCI_EXP_FLAGS_TYPE, flags);
	f->slot_implemented = flags & PCI_EXP_FLAGS_SLOT;
}

static void read_func(struct pci_func *f, struct pci_bdf d, int parent)
{
	uint32_t id = pci_cfg_read32(d, PCI_VENDOR_ID);
	uint8_t header_type = pci_cfg_read8(d, PCI_HEADER_TYPE);

	memset(f, 0, sizeof(*f));
	f->addr = d;
	f->vendor = id & 0xffff;
	f->device = id >> 16;
	f->class_rev = pci_cfg_read32(d, PCI_CLASS_REVISION);
	f->header_type = header_type & PCI_HEADER_TYPE_MASK;
	f->multifunction = header_type & PCI_HEADER_TYPE_MFD;
	f->parent = parent;
	if (f->header_type == PCI_HEADER_TYPE_BRIDGE) {
		f->sec_bus = pci_cfg_read8(d, PCI_SECONDARY_BUS);
		f->sub_bus = pci_cfg_read8(d, PCI_SUBORDINATE_BUS);
	}
	read_caps(f);
	read_exp_flags(f);
}

bool pci_func_is_bridge(const struct pci_func *f)
{
	return f->header_type == PCI_HEADER_TYPE_BRIDGE;
}

/*
 * Whether a bridge's secondary bus can be scanned: the bus numbers must
 * describe a bus below the bridge, inside the range its parent forwards
 * (up to @hi: PCI-PCI Bridge 1.2 §3.2.5.3-5), not a bus scanned already.
 */
static uint8_t bridge_check(struct enum_state *s, const struct pci_func *f, uint8_t hi)
{
	if (f->sec_bus == 0)
		return PCI_BRIDGE_SEC_ZERO;
	if (f->sec_bus <= f->addr.bus)
		return PCI_BRIDGE_SEC_NOT_ABOVE;
	if (f->sec_bus > hi)
		return PCI_BRIDGE_SEC_OUTSIDE;
	if (f->sub_bus < f->sec_bus)
		return PCI_BRIDGE_SUB_BELOW_SEC;
	if (bus_scanned(s, f->sec_bus))
		return PCI_BRIDGE_BUS_SEEN;
	return PCI_BRIDGE_OK;
}

static void scan_bus(struct enum_state *s, uint16_t seg, uint8_t bus, int parent,
		     uint8_t hi);

/* Records one function; follows it if it is a bridge. */
static void add_func(struct enum_state *s, struct pci_bdf d, int parent, uint8_t hi)
{
	struct pci_topology *t = s->t;
	struct pci_func *f;
	int index;

	if (t->count == PCI_MAX_FUNCS) {
		t->truncated = true;
		return;
	}
	index = t->count++;
	f = &t->funcs[index];
	read_func(f, d, parent);
	if (!pci_func_is_bridge(f))
		return;
	f->bridge_problem = bridge_check(s, f, hi);
	if (f->bridge_problem == PCI_BRIDGE_OK)
		scan_bus(s, d.seg, f->sec_bus, index, f->sub_bus < hi ? f->sub_bus : hi);
}

/*
 * Device 0..31, function 0, then 1..7 only when function 0 says it is
 * multifunction (PCI 3.0 §6.2.1). Child bridges' secondary buses must lie
 * in (bus, hi]: the range the bridge above this bus forwards.
 */
static void scan_bus(struct enum_state *s, uint16_t seg, uint8_t bus, int parent,
		     uint8_t hi)
{
	mark_bus_scanned(s, bus);
	for (int dev = 0; dev < 32; dev++) {
		struct pci_bdf d0 = pci_bdf(seg, bus, dev, 0);
		bool multi;

		if (!pci_func_present(d0))
			continue;
		multi = pci_cfg_read8(d0, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD;
		add_func(s, d0, parent, hi);
		for (int fn = 1; multi && fn < 8; fn++) {
			struct pci_bdf d = pci_bdf(seg, bus, dev, fn);

			if (pci_func_present(d))
				add_func(s, d, parent, hi);
		}
	}
}

int pci_enumerate(struct pci_topology *t)
{
	const struct ecam_window *w;
	int n = pci_cfg_windows(&w);
	struct enum_state s = { .t = t };

	t->count = 0;
	t->truncated = false;
	/*
	 * Enumeration never leaves a window (child buses stay within the
	 * parent's range), and MCFG windows do not overlap, so each window
	 * starts with a clean record of scanned buses.
	 */
	for (int i = 0; i < n; i++) {
		memset(s.scanned, 0, sizeof(s.scanned));
		scan_bus(&s, w[i].seg, w[i].bus_start, -1, w[i].bus_end);
	}
	return t->count;
}

static bool same_bdf(struct pci_bdf a, struct pci_bdf b)
{
	return a.seg == b.seg && a.bus == b.bus && a.devfn == b.devfn;
}

const struct pci_func *pci_topology_find(const struct pci_topology *t, struct pci_bdf d)
{
	for (int i = 0; i < t->count; i++)
		if (same_bdf(t->funcs[i].addr, d))
			return &t->funcs[i];
	return NULL;
}
