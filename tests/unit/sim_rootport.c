/*
 * sim_rootport.c - a hot-plug capable PCI Express Downstream Port (root port
 * or switch downstream port) on the simulated machine; see sim_rootport.h.
 *
 * The model, rule by rule (PCIe Base Specification r5.0):
 *
 * Attributes (§7.5.3.9-11, §7.5.3.6-8)
 *   Slot Capabilities, Link Capabilities: RO.
 *   Slot Control: the defined bits RW; Electromechanical Interlock Control
 *     reads 0, writing 1 toggles Electromechanical Interlock Status.
 *   Slot Status: ABP, PFD, MRLSC, PDC, CC, DLLSC are RW1C; MRLSS, PDS, EIS RO.
 *   Link Status: DLLLA and the rest RO; LBMS, LABS RW1C.
 *
 * Commands (§6.7.3.2)
 *   Every write that touches Slot Control is one command. Command Completed
 *   is set cmd_delay_us later, on simulated time, unless the port has No
 *   Command Completed Support (or is the broken never_complete kind). A
 *   command written while the previous one is still pending is counted in
 *   `overlapped`: software must not do that.
 *
 * Power (§6.7.1.8 Power Controller)
 *   Power Controller Control 0->1 (power off): the functions on the secondary
 *   bus stop answering; the link goes down (DLLLA 0, DLLSC 1); Presence
 *   Detect State clears and Presence Detect Changed is set, because this
 *   model, like QEMU, treats a powered-off slot as empty (physical_presence
 *   keeps PDS following the adapter instead, as on real hardware). Without
 *   child_returns the adapter is gone for good, as in QEMU, which unplugs it.
 *   1->0 (power on): if an adapter is there it answers again, PDS 1 (PDC 1
 *   if it changed), and the link comes up link_delay_us later (DLLLA 1,
 *   DLLSC 1).
 *
 * The spec's port (spec_conforming; with physical_presence, child_returns)
 *   Presence Detect follows the adapter whatever the power (§7.5.3.11); the
 *   functions behind answer only while the link is up (§2.9.1); Link
 *   Disable takes the link down and, cleared, back up (§7.5.3.7); a write of
 *   1 to Retrain Link with the link up sets LBMS (§7.5.3.8); Link Control 2's
 *   RWS fields are writable (§7.5.3.19). device_del (sim_port_request_removal)
 *   presses the attention button and the adapter leaves once the slot is
 *   off with its Power Indicator Off (§6.7.1.1), at once if it is so already. `bug` adds one deviation, for mutation tests.
 *
 * QEMU's rule (qemu_unplug_on_pic_off; hw/pci/pcie.c pcie_cap_slot_write_config)
 *   QEMU does not act on PCC alone. It unplugs the adapter when a write leaves
 *   PCC = 1 (off) and PIC = off while PDS is set, unless both were already so
 *   before the write; then PDS 0, DLLLA 0, PDC 1 (no DLLSC). The pciehp
 *   sequence (PCC first, PIC next) meets this on its second write, the
 *   single write on its only one. QEMU completes every command at once.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pci_regs.h"
#include "sim_rootport.h"

#define MAX_PORTS 32

/* The defined Slot Control bits (r5.0 §7.5.3.10, bits 0-12). */
#define SLTCTL_DEFINED	0x1fff
/* QEMU's writable Slot Control bits (pcie_cap_slot_init). */
#define SLTCTL_QEMU_RW	(PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_CCIE | \
			 PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PIC | \
			 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_EIC)
#define SLTSTA_RW1C	(PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD | PCI_EXP_SLTSTA_MRLSC | \
			 PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC)
#define LNKCTL_RW	(PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_CCC | \
			 PCI_EXP_LNKCTL_ES | PCI_EXP_LNKCTL_HAWD | PCI_EXP_LNKCTL_LBMIE | \
			 PCI_EXP_LNKCTL_LABIE)
/* Link Control 2's RWS fields (r5.0 §7.5.3.19); bit 6 is HwInit. */
#define LNKCTL2_RWS	0xffbf
#define EXP_CAP_V2_SIZE	0x3c

static struct sim_port ports[MAX_PORTS];
static int nports;

/* ---- small helpers ---- */

static uint16_t reg16(const struct sim_port *p, uint16_t reg)
{
	return sim_get16(p->f, p->exp + reg);
}

static void set_bits(struct sim_port *p, uint16_t reg, uint16_t bits)
{
	sim_set16(p->f, p->exp + reg, reg16(p, reg) | bits);
}

static void clear_bits(struct sim_port *p, uint16_t reg, uint16_t bits)
{
	sim_set16(p->f, p->exp + reg, reg16(p, reg) & ~bits);
}

static bool live(const struct sim_port *p)
{
	/* sim_reset() forgets functions without telling us: check ours is still there. */
	return p->f && sim_find(p->at) == p->f && p->f->priv == p;
}

static void forget_stale_ports(void)
{
	int n = 0;

	for (int i = 0; i < nports; i++)
		if (live(&ports[i]))
			ports[n++] = ports[i];
	for (int i = 0; i < n; i++)
		ports[i].f->priv = &ports[i];
	nports = n;
}

/* The functions on the secondary bus answer config requests or not. */
static void children_answer(struct sim_port *p, bool yes)
{
	for (int devfn = 0; devfn < 256; devfn++) {
		struct pci_bdf at = { p->at.seg, p->sec_bus, (uint8_t)devfn };
		struct sim_func *child = sim_find(at);

		if (child)
			child->present = yes;
	}
}

static bool powered(const struct sim_port *p)
{
	return !(p->opts.sltcap & PCI_EXP_SLTCAP_PCP) ||
	       !(reg16(p, PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PCC);
}

static bool link_reporting(const struct sim_port *p)
{
	return p->opts.lnkcap & PCI_EXP_LNKCAP_DLLLARC;
}

/* ---- events ---- */

static void presence(struct sim_port *p, bool present)
{
	bool was = reg16(p, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS;

	if (was == present)
		return;
	if (present)
		set_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
	else
		clear_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
	if (p->opts.bug != SIM_BUG_NO_PDC)
		set_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC);
}

/* r5.0 §6.7.3.3: DLLSC is set whenever DLLLA changes (QEMU does not set it). */
static void link_active(struct sim_port *p, bool up)
{
	bool was = reg16(p, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA;

	p->link_due_us = 0;
	if (!link_reporting(p) || was == up)
		return;
	if (up)
		set_bits(p, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA);
	else
		clear_bits(p, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA);
	if (!p->opts.qemu_unplug_on_pic_off)
		set_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_DLLSC);
}

static bool pic_off(uint16_t ctl);

/*
 * device_del's removal (remove_at_power_off): the operator takes the adapter
 * out once the slot is off and, with a Power Indicator, that reads Off
 * (PCIe r5.0 §6.7.1.1: Off, removal permitted). QEMU then sends
 * DEVICE_DELETED (counted in `deleted`).
 */
static void removal_if_permitted(struct sim_port *p)
{
	if (!p->remove_at_power_off || powered(p) ||
	    ((p->opts.sltcap & PCI_EXP_SLTCAP_PIP) && !pic_off(reg16(p, PCI_EXP_SLTCTL))))
		return;
	p->remove_at_power_off = false;
	p->card = false;
	p->deleted++;
	presence(p, false);
}

static void power_removed(struct sim_port *p)
{
	if (p->opts.bug != SIM_BUG_CHILD_STAYS)
		children_answer(p, false);
	link_active(p, false);
	removal_if_permitted(p);
	if (!p->opts.child_returns) {
		if (p->card)
			p->unplugs++;
		p->card = false;
	}
	if (!p->opts.physical_presence || !p->card)
		presence(p, false);
}

static bool link_disabled(const struct sim_port *p)
{
	return p->opts.spec_conforming && p->opts.bug != SIM_BUG_LD_IGNORED &&
	       (reg16(p, PCI_EXP_LNKCTL) & PCI_EXP_LNKCTL_LD);
}

static void power_applied(struct sim_port *p)
{
	if (!p->card)
		return;
	if (!p->opts.spec_conforming)	/* the spec's port answers once the link is up */
		children_answer(p, true);
	presence(p, true);
	if (!link_disabled(p))
		p->link_due_us = sim_now_us() + p->opts.link_delay_us;
}

static void link_trained(struct sim_port *p)
{
	link_active(p, true);
	if (p->opts.spec_conforming)
		children_answer(p, true);
}

static void tick(uint64_t now)
{
	for (int i = 0; i < nports; i++) {
		struct sim_port *p = &ports[i];

		if (!live(p))
			continue;
		if (p->cc_due_us && now >= p->cc_due_us) {
			p->cc_due_us = 0;
			set_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC);
		}
		if (p->link_due_us && now >= p->link_due_us)
			link_trained(p);
	}
}

/* ---- the Slot Control command ---- */

/* A register's value before a write of @size bytes at @off whose old bytes were @old. */
static uint16_t before_write(const struct sim_func *f, uint16_t reg, uint16_t off, int size,
			     uint32_t old)
{
	uint16_t v = 0;

	for (int i = 0; i < 2; i++) {
		uint16_t at = reg + i;
		uint8_t b = f->cfg[at];

		if (at >= off && at < off + size)
			b = (old >> ((at - off) * 8)) & 0xff;
		v |= (uint16_t)b << (i * 8);
	}
	return v;
}

static bool pic_off(uint16_t ctl)
{
	return (ctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_OFF;
}

static void command(struct sim_port *p, uint16_t old, uint16_t ctl)
{
	bool control = (old ^ ctl) & (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC);

	p->commands++;
	if (p->cc_due_us)		/* the previous command has not completed */
		p->overlapped++;

	if (ctl & PCI_EXP_SLTCTL_EIC) {
		control = true;
		clear_bits(p, PCI_EXP_SLTCTL, PCI_EXP_SLTCTL_EIC);
		sim_set16(p->f, p->exp + PCI_EXP_SLTSTA,
			  reg16(p, PCI_EXP_SLTSTA) ^ PCI_EXP_SLTSTA_EIS);
		ctl &= ~PCI_EXP_SLTCTL_EIC;
	}

	if (p->opts.qemu_unplug_on_pic_off) {
		if ((reg16(p, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS) &&
		    (ctl & PCI_EXP_SLTCTL_PCC) && pic_off(ctl) &&
		    (!(old & PCI_EXP_SLTCTL_PCC) || !pic_off(old)))
			power_removed(p);
		else if ((old & PCI_EXP_SLTCTL_PCC) && !(ctl & PCI_EXP_SLTCTL_PCC))
			power_applied(p);
	} else if (p->opts.sltcap & PCI_EXP_SLTCAP_PCP) {
		if (!(old & PCI_EXP_SLTCTL_PCC) && (ctl & PCI_EXP_SLTCTL_PCC))
			power_removed(p);
		else if ((old & PCI_EXP_SLTCTL_PCC) && !(ctl & PCI_EXP_SLTCTL_PCC))
			power_applied(p);
		removal_if_permitted(p);	/* the indicator may go Off after the power */
	}

	if (p->opts.nccs || p->opts.never_complete)
		return;
	if (p->opts.cc_only_for_control && !control)
		return;
	p->cc_due_us = sim_now_us() + p->opts.cmd_delay_us;
	if (!p->opts.cmd_delay_us) {
		p->cc_due_us = 0;
		set_bits(p, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC);
	}
}

static bool overlaps(uint16_t off, int size, uint16_t reg)
{
	return off < reg + 2 && reg < off + size;
}

/* The bits a write of @size at @off put into the 16-bit register at @reg. */
static uint16_t written_to(uint16_t reg, uint16_t off, int size, uint32_t val)
{
	if (off > reg)
		return (uint16_t)(val << ((off - reg) * 8));
	return (uint16_t)(val >> ((reg - off) * 8));
}

/* The spec's Link Control: Link Disable and Retrain Link act (§7.5.3.7). */
static void link_control(struct sim_port *p, uint16_t old, uint16_t written)
{
	uint16_t ctl = reg16(p, PCI_EXP_LNKCTL);

	if (!p->opts.spec_conforming || p->opts.bug == SIM_BUG_LD_IGNORED)
		return;
	if (!(old & PCI_EXP_LNKCTL_LD) && (ctl & PCI_EXP_LNKCTL_LD)) {
		p->link_due_us = 0;
		children_answer(p, false);
		link_active(p, false);
	} else if ((old & PCI_EXP_LNKCTL_LD) && !(ctl & PCI_EXP_LNKCTL_LD) && powered(p) &&
		   p->card) {
		p->link_due_us = sim_now_us() + p->opts.link_delay_us;
	}
	if ((written & PCI_EXP_LNKCTL_RL) && (p->opts.lnkcap & PCI_EXP_LNKCAP_LBNC) &&
	    (reg16(p, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA))
		set_bits(p, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_LBMS);
}

static void after_write(struct sim_func *f, uint16_t off, int size, uint32_t old, uint32_t val)
{
	struct sim_port *p = f->priv;
	uint16_t ctl = p->exp + PCI_EXP_SLTCTL, sta = p->exp + PCI_EXP_SLTSTA;
	uint16_t lnk = p->exp + PCI_EXP_LNKCTL;

	if (overlaps(off, size, lnk))
		link_control(p, before_write(f, lnk, off, size, old), written_to(lnk, off, size, val));
	if (overlaps(off, size, sta)) {
		uint16_t before = before_write(f, sta, off, size, old);
		uint16_t written = written_to(sta, off, size, val);

		p->sltsta_writes++;
		p->sltsta_written = written;
		p->sltsta_before = before;
		if (written & SLTSTA_RW1C & ~before)
			p->w1c_of_clear_bits++;
	}
	if (overlaps(off, size, ctl)) {
		if (off != ctl || size != 2)
			p->sltctl_non16++;
		command(p, before_write(f, ctl, off, size, old), sim_get16(f, ctl));
	}
}

/* ---- construction ---- */

/*
 * Slot Control's writable bits: CCIE is hardwired 0 with No Command
 * Completed Support (unless the port is the broken nccs_ccie_rw kind).
 */
static uint16_t slot_ctl_wmask(const struct sim_port_opts *o)
{
	uint16_t w = o->qemu_unplug_on_pic_off ? SLTCTL_QEMU_RW : SLTCTL_DEFINED;

	if (o->nccs && !o->nccs_ccie_rw)
		w &= ~PCI_EXP_SLTCTL_CCIE;
	return w;
}

static struct sim_func *add_port(struct pci_bdf at, uint8_t sec_bus, uint8_t type,
				 uint16_t vendor, uint16_t device,
				 const struct sim_port_opts *opts)
{
	struct sim_port_opts o = opts ? *opts : (struct sim_port_opts){ 0 };
	struct sim_func *f;
	struct sim_port *p;
	uint16_t sltctl;

	forget_stale_ports();
	if (nports == MAX_PORTS)
		abort();

	if (!o.sltcap)
		o.sltcap = SIM_QEMU_SLTCAP;
	o.sltcap = (o.sltcap & ~PCI_EXP_SLTCAP_PSN) | ((uint32_t)o.slot_nr << 19);
	if (o.nccs)
		o.sltcap |= PCI_EXP_SLTCAP_NCCS;
	if (!o.lnkcap)
		o.lnkcap = SIM_QEMU_LNKCAP;
	o.lnkcap = (o.lnkcap & ~PCI_EXP_LNKCAP_PN) | ((uint32_t)o.port_nr << 24);
	if (!o.cmd_delay_us && !o.qemu_unplug_on_pic_off)
		o.cmd_delay_us = 200;
	if (!o.link_delay_us)
		o.link_delay_us = 5000;

	f = sim_add_bridge(at, vendor, device, sec_bus, sec_bus);
	p = &ports[nports++];
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->at = at;
	p->sec_bus = sec_bus;
	p->opts = o;
	p->card = !o.empty;
	p->exp = sim_add_cap(f, PCI_CAP_ID_EXP, EXP_CAP_V2_SIZE);
	f->priv = p;
	f->after_write = after_write;

	/* PCI Express Capabilities: version 2, the port type, Slot Implemented. */
	sim_set16(f, p->exp + PCI_EXP_FLAGS, 2 | type << 4 | PCI_EXP_FLAGS_SLOT);
	sim_set32(f, p->exp + PCI_EXP_DEVCAP, 0x8000);	/* Role-Based Error Reporting */
	sim_set32(f, p->exp + PCI_EXP_LNKCAP, o.lnkcap);
	sim_set_wmask16(f, p->exp + PCI_EXP_LNKCTL, LNKCTL_RW |
			(o.flit ? SLOTPROBE_EXP_LNKCTL_FLIT_DIS : 0) |
			(o.rcb ? PCI_EXP_LNKCTL_RCB : 0));
	if (o.rcb)
		sim_set16(f, p->exp + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_RCB);
	if (o.flit) {	/* PCIe r6.0: Flit Mode Supported, and the link runs in it */
		sim_set16(f, p->exp + PCI_EXP_FLAGS,
			  sim_get16(f, p->exp + PCI_EXP_FLAGS) | PCI_EXP_FLAGS_FLIT);
		sim_set16(f, p->exp + PCI_EXP_LNKSTA2, PCI_EXP_LNKSTA2_FLIT);
	}
	sim_set16(f, p->exp + PCI_EXP_LNKSTA, SIM_QEMU_LNKSTA & ~PCI_EXP_LNKSTA_DLLLA);
	sim_set_w1cmask16(f, p->exp + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_LBMS | PCI_EXP_LNKSTA_LABS);
	sim_set32(f, p->exp + PCI_EXP_SLTCAP, o.sltcap);

	/* Reset state as QEMU's pcie_cap_slot_reset(): populated slots powered, PIC on. */
	sltctl = PCI_EXP_SLTCTL_ATTN_IND_OFF;
	if (p->card)
		sltctl |= PCI_EXP_SLTCTL_PWR_IND_ON;
	else if (o.sltcap & PCI_EXP_SLTCAP_PCP)
		sltctl |= PCI_EXP_SLTCTL_PWR_IND_OFF | PCI_EXP_SLTCTL_PCC;
	sim_set16(f, p->exp + PCI_EXP_SLTCTL, sltctl);
	sim_set_wmask16(f, p->exp + PCI_EXP_SLTCTL, slot_ctl_wmask(&o));
	sim_set16(f, p->exp + PCI_EXP_SLTSTA, p->card ? PCI_EXP_SLTSTA_PDS : 0);
	sim_set_w1cmask16(f, p->exp + PCI_EXP_SLTSTA, SLTSTA_RW1C);
	if (p->card && link_reporting(p))
		set_bits(p, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA);
	if (o.spec_conforming) {	/* Target Link Speed: the highest supported */
		sim_set16(f, p->exp + PCI_EXP_LNKCTL2, o.lnkcap & PCI_EXP_LNKCAP_SLS);
		sim_set_wmask16(f, p->exp + PCI_EXP_LNKCTL2, LNKCTL2_RWS);
	}

	sim_set_tick_hook(tick);
	return f;
}

struct sim_func *sim_add_root_port(struct pci_bdf at, uint8_t sec_bus,
				   const struct sim_port_opts *opts)
{
	/* QEMU's pcie-root-port: Red Hat 1b36:000c. */
	return add_port(at, sec_bus, PCI_EXP_TYPE_ROOT_PORT, 0x1b36, 0x000c, opts);
}

struct sim_func *sim_add_downstream_port(struct pci_bdf at, uint8_t sec_bus,
					 const struct sim_port_opts *opts)
{
	/* QEMU's xio3130-downstream: TI 104c:8233. */
	return add_port(at, sec_bus, PCI_EXP_TYPE_DOWNSTREAM, 0x104c, 0x8233, opts);
}

struct sim_port *sim_port_of(struct sim_func *f)
{
	forget_stale_ports();
	for (int i = 0; i < nports; i++)
		if (ports[i].f == f)
			return &ports[i];
	return NULL;
}

/* ---- host-side events ---- */

void sim_port_plug(struct sim_func *port)
{
	struct sim_port *p = sim_port_of(port);

	p->card = true;
	if (powered(p))
		power_applied(p);
	else
		children_answer(p, false);
	if (!powered(p) && p->opts.spec_conforming)
		presence(p, true);	/* the adapter is there, powered or not */
}

void sim_port_unplug(struct sim_func *port)
{
	struct sim_port *p = sim_port_of(port);

	p->card = false;
	children_answer(p, false);
	link_active(p, false);
	presence(p, false);
}

void sim_port_press_button(struct sim_func *port)
{
	set_bits(sim_port_of(port), PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP);
}

bool sim_port_request_removal(struct sim_func *port)
{
	struct sim_port *p = sim_port_of(port);

	if (!p->card)
		return false;
	if (p->opts.sltcap & PCI_EXP_SLTCAP_ABP) {
		sim_port_press_button(port);
		p->remove_at_power_off = true;
		if (p->opts.spec_conforming)
			removal_if_permitted(p);	/* off already: out at once */
	} else {
		sim_port_unplug(port);
		p->deleted++;
	}
	return true;
}

/* ---- migration: the state a destination loads ---- */

void sim_port_save(struct sim_func *port, struct sim_port_state *st)
{
	struct sim_port *p = sim_port_of(port);

	memcpy(st->cfg, port->cfg, sizeof(st->cfg));
	memcpy(st->wmask, port->wmask, sizeof(st->wmask));
	memcpy(st->w1cmask, port->w1cmask, sizeof(st->w1cmask));
	st->port = *p;
	for (int devfn = 0; devfn < 256; devfn++) {
		struct sim_func *child = sim_find((struct pci_bdf){ p->at.seg, p->sec_bus,
								    (uint8_t)devfn });

		st->children[devfn] = child && child->present;
	}
}

void sim_port_restore(struct sim_func *port, const struct sim_port_state *st)
{
	struct sim_port *p = sim_port_of(port);

	memcpy(port->cfg, st->cfg, sizeof(st->cfg));
	memcpy(port->wmask, st->wmask, sizeof(st->wmask));
	memcpy(port->w1cmask, st->w1cmask, sizeof(st->w1cmask));
	*p = st->port;
	p->f = port;
	for (int devfn = 0; devfn < 256; devfn++) {
		struct sim_func *child = sim_find((struct pci_bdf){ p->at.seg, p->sec_bus,
								    (uint8_t)devfn });

		if (child)
			child->present = st->children[devfn];
	}
}
