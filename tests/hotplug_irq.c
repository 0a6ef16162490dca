/*
 * hotplug-irq - hot-plug interrupts of a slot, as Linux pciehp takes them:
 * the port's MSI/MSI-X aimed at this CPU's local APIC, Slot Control's
 * Hot-Plug Interrupt Enable with the event enables, and each event counted
 * in an explicit interrupt window (sti ... deadline ... cli).
 *
 * The rule checked (PCIe r5.0 §6.7.3.4): with MSI/MSI-X, a message is sent
 * each time "HPIE set AND some Slot Status event bit set with its enable
 * set" goes from FALSE to TRUE. So one message per event when software
 * clears each event before the next; events that pile up before they are
 * cleared coalesce into one message; nothing while the enable is off.
 * QEMU 7.2 implements exactly that edge (hw/pci/pcie.c:
 * hotplug_event_update_event_status(), hotplug_event_notify(), which sends
 * only when hpev_notified changes, pcie_cap_slot_event()); its Slot Control
 * write (pcie_cap_slot_write_config()) applies the new enables, then
 * unplugs, notifies, and only then sets Command Completed (§6.7.3.2). It
 * also sends a message on the TRUE->FALSE edge (hotplug_event_notify()
 * returns early only when the state is unchanged): turning an enable off
 * while its event is set raises a
 * spurious MSI, erratum qemu-hp-msi-falling-edge (tests/errata.cfg).
 *
 * Checkpoints "armed" (events enabled, nothing pending) and "pending" (a
 * Command Completed raised with interrupts disabled in the CPU: the MSI
 * waits in the LAPIC IRR, CC still set): after the go-ahead the pending
 * interrupt must arrive exactly once, and new events still raise one each.
 * The slot stays populated until after the checkpoints (see pds-migration
 * for what migrating a powered-off slot does); then a power-off that
 * unplugs the device raises Presence Detect Changed.
 *
 * Parameters: slot=BDF, child=VVVV:DDDD.
 */
#include "apic.h"
#include "guest_test.h"
#include "hostlink.h"
#include "hw.h"
#include "irq.h"
#include "msi.h"
#include "pci.h"
#include "printf.h"
#include "report.h"
#include "slot_checklist.h"
#include "slot_select.h"
#include "time.h"

#define VEC		IRQ_VECTOR_HOTPLUG
#define ARRIVE_MS	200	/* an MSI is a memory write: it lands at once under QEMU */
#define SETTLE_MS	50	/* then this long for a second, unwanted one */
#define EVENT_MS	1000	/* Slot Status event after a command (§6.7.3.2: 1 s) */

#define HP_ENABLES (PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_CCIE | \
		    PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_DLLSCE)

static struct msi_dev msi;
static unsigned int msi_entry;

static const char *apic_state(void)
{
	static char buf[96];

	return apic_pending_str(buf, sizeof(buf));
}

/* Opens the window, waits for @want deliveries, then SETTLE_MS more; cli. */
static unsigned int window(unsigned int want)
{
	unsigned int before = irq_count(VEC), got;

	irq_window_open();
	irq_wait(VEC, before + want, want ? ARRIVE_MS : 0);
	mdelay(SETTLE_MS);
	irq_window_close();
	got = irq_count(VEC) - before;
	return got;
}

/* One Slot Control command that changes nothing: attention indicator off. */
static bool nop_cmd(struct pcie_slot *s)
{
	if (s->sltcap & PCI_EXP_SLTCAP_AIP)
		return slot_write_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC);
	return slot_write_cmd(s, 0, 0);
}

/* A Slot Control command whose Command Completed is left set. */
static bool raw_cmd(struct pcie_slot *s, uint16_t val, uint16_t mask)
{
	return slot_write_cmd_keep_cc(s, val, mask, EVENT_MS);
}

static bool setup_interrupts(struct pcie_slot *s)
{
	char err[120], buf[160];
	uint16_t flags = pcie_cap_read16(s, PCI_EXP_FLAGS);
	struct msi_msg m;

	if (!report(apic_init(err, sizeof(err)) == 0, "local APIC in xAPIC mode%s%s",
		    apic_ready() ? "" : ": ", apic_ready() ? "" : err))
		return false;
	report_info("LAPIC base 0x%llx ID %u version %08x SVR %08x TPR %x LVT0 %08x "
		    "LVT1 %08x; 8259 masks %02x/%02x", (unsigned long long)apic_base(),
		    apic_id(), apic_read(APIC_LVR), apic_read(APIC_SPIV),
		    apic_read(APIC_TASKPRI), apic_read(APIC_LVT0), apic_read(APIC_LVT1),
		    inb(0x21), inb(0xa1));
	/* Only MSIs may arrive: mask the legacy 8259 (OCW1) on both chips. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	irq_register(VEC, NULL, NULL);
	irq_register(APIC_SPURIOUS_VECTOR, NULL, NULL);
	report(window(0) == 0 && irq_unexpected() == 0,
	       "a window with nothing armed delivers nothing (%u unexpected, %s)",
	       irq_unexpected(), apic_state());

	if (!report(msi_find(s->port, &msi) != MSI_NONE, "port has MSI or MSI-X"))
		return false;
	/* PCIe r5.0 §7.5.3.2: the MSI-X entry / MSI message hot-plug uses. */
	msi_entry = msi.kind == MSI_KIND_MSIX ? (flags & PCI_EXP_FLAGS_IRQ) >> 9 : 0;
	if (!report(msi_program(&msi, msi_entry, apic_msi_address(),
				apic_msi_data(VEC), err, sizeof(err)) == 0,
		    "%s programmed%s%s", msi.kind == MSI_KIND_MSIX ? "MSI-X" : "MSI",
		    msi.kind ? "" : ": ", err))
		return false;
	msi_read(&msi, msi_entry, &m);
	report(m.enabled && !m.masked && m.addr == apic_msi_address() &&
	       m.data == apic_msi_data(VEC),
	       "entry %u reads back: address 0x%llx data 0x%x enabled %d masked %d; "
	       "Command %04x", msi_entry, (unsigned long long)m.addr, m.data,
	       m.enabled, m.masked, pci_cfg_read16(s->port, PCI_COMMAND));
	report_info("%s", msi_describe(&msi, buf, sizeof(buf)));
	return true;
}

/* Enables the events; the command that does it completes with one interrupt. */
static void enable_events(struct pcie_slot *s)
{
	uint16_t ctl;
	unsigned int n;

	slot_clear_events(s, SLOT_EVENTS);
	report(slot_write_cmd(s, HP_ENABLES, HP_ENABLES), "enable command completed");
	ctl = slot_ctrl(s);
	report((ctl & (HP_ENABLES & ~PCI_EXP_SLTCTL_DLLSCE)) ==
	       (HP_ENABLES & ~PCI_EXP_SLTCTL_DLLSCE),
	       "HPIE, CCIE and PDCE read back set (SltCtl %04x)", ctl);
	if (!(ctl & PCI_EXP_SLTCTL_DLLSCE))
		report_info("DLLSCE reads 0 (SltCtl %04x, LnkCap %08x): no DLL State "
			    "Changed interrupts (slot-regs checks that: errata "
			    "qemu-sltctl-dllsce-ro, qemu-no-dllsc)", ctl, s->lnkcap);
	/*
	 * §6.7.3.2: CC is set once the command is carried out, by then with
	 * CCIE and HPIE set: one message (pending in the IRR, interrupts off).
	 */
	report(apic_irr_test(VEC), "the enabling command's CC MSI waits in the IRR (%s)",
	       apic_state());
	n = window(1);
	report(n == 1, "enabling command: %u interrupt(s) after sti, want 1", n);
}

static void check_one_per_event(struct pcie_slot *s)
{
	unsigned int before, n;

	report_prefix_push("command completed");
	for (int i = 1; i <= 3; i++) {
		before = irq_count(VEC);
		irq_window_open();
		nop_cmd(s);
		irq_wait(VEC, before + 1, ARRIVE_MS);
		mdelay(SETTLE_MS);
		irq_window_close();
		n = irq_count(VEC) - before;
		report(n == 1, "command %d in an open window: %u interrupt(s), want 1 (%s)",
		       i, n, apic_state());
	}

	/* Piled up: CC left set, a second command: still one message. */
	report(raw_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC) &&
	       raw_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC),
	       "two commands without clearing CC both completed (SltSta %04x)",
	       slot_status(s));
	n = window(2);
	report(n == 1, "two commands, CC not cleared between: %u interrupt(s), want 1 "
	       "(coalesced, PCIe r5.0 6.7.3.4)", n);
	slot_clear_events(s, PCI_EXP_SLTSTA_CC);
	report(window(0) == 0, "clearing CC raises nothing (SltSta %04x)", slot_status(s));
	nop_cmd(s);
	n = window(1);
	report(n == 1, "after clearing, a new command: %u interrupt(s), want 1", n);
	report_prefix_pop();
}

static void check_enable_off(struct pcie_slot *s)
{
	unsigned int n;

	report_prefix_push("enable off");
	slot_clear_events(s, SLOT_EVENTS);
	report(slot_write_cmd(s, 0, PCI_EXP_SLTCTL_CCIE), "CCIE cleared (SltCtl %04x)",
	       slot_ctrl(s));
	n = window(0);
	report(n == 0, "the command that cleared CCIE: %u interrupt(s), want 0", n);
	report(raw_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC),
	       "command with CCIE off completed (SltSta %04x)", slot_status(s));
	n = window(0);
	report(n == 0 && !apic_irr_test(VEC),
	       "CC set with CCIE off: %u interrupt(s), want 0 (%s)", n, apic_state());
	slot_clear_events(s, SLOT_EVENTS);

	report(slot_write_cmd(s, 0, PCI_EXP_SLTCTL_HPIE) &&
	       slot_write_cmd(s, PCI_EXP_SLTCTL_CCIE, PCI_EXP_SLTCTL_CCIE),
	       "HPIE cleared, CCIE set (SltCtl %04x)", slot_ctrl(s));
	nop_cmd(s);
	n = window(0);
	report(n == 0, "commands with HPIE off: %u interrupt(s), want 0", n);

	slot_clear_events(s, SLOT_EVENTS);
	report(slot_write_cmd(s, PCI_EXP_SLTCTL_HPIE, PCI_EXP_SLTCTL_HPIE),
	       "HPIE set again (SltCtl %04x)", slot_ctrl(s));
	n = window(1);
	report(n == 1, "the command that set HPIE again: %u interrupt(s), want 1", n);
	report_prefix_pop();
}

/*
 * Enables turned off and on while an event stays set. §6.7.3.4 sends a
 * message on the FALSE->TRUE edge of (HPIE and an enabled event) only;
 * turning CCIE off makes it TRUE->FALSE: no message. Turning it back on
 * with CC still set is a FALSE->TRUE edge again (reported, not checked:
 * the spec also lets a port send or not send for events that arrived while
 * "interrupt generation is disabled").
 */
static void check_enables_while_pending(struct pcie_slot *s)
{
	unsigned int n;
	uint16_t ctl;

	report_prefix_push("enable toggled, CC pending");
	slot_clear_events(s, SLOT_EVENTS);
	report(raw_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC) && window(1) == 1,
	       "a command with CC left set: one interrupt (SltSta %04x)", slot_status(s));
	ctl = slot_ctrl(s) & ~(PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_EIC);
	pcie_cap_write16(s, PCI_EXP_SLTCTL, ctl);
	n = window(0);
	report_keyed(n == 0, REPORT_KEY(PCI_EXP_SLTCTL_CCIE, NO_INTERRUPT_WHEN_DISABLED),
		     "CCIE cleared while CC is set (SltCtl %04x SltSta %04x): %u interrupt(s), "
		     "want 0 (TRUE->FALSE edge, PCIe r5.0 6.7.3.4)", slot_ctrl(s),
		     slot_status(s), n);
	pcie_cap_write16(s, PCI_EXP_SLTCTL, ctl | PCI_EXP_SLTCTL_CCIE);
	n = window(1);
	report_info("CCIE set again while CC is set (SltCtl %04x SltSta %04x): "
		    "%u interrupt(s)", slot_ctrl(s), slot_status(s), n);
	slot_clear_events(s, SLOT_EVENTS);
	report(window(0) == 0, "clearing the events raises nothing (SltSta %04x)",
	       slot_status(s));
	report_prefix_pop();
}

/* What must survive a migration: the port's enables and message, the APIC. */
static void check_state_kept(struct pcie_slot *s, uint16_t ctl_before)
{
	struct msi_msg m;
	uint16_t ctl = slot_ctrl(s);

	msi_read(&msi, msi_entry, &m);
	report(ctl == ctl_before, "SltCtl unchanged (%04x, was %04x)", ctl, ctl_before);
	report(m.enabled && !m.masked && m.addr == apic_msi_address() &&
	       m.data == apic_msi_data(VEC), "message kept: address 0x%llx data 0x%x "
	       "enabled %d masked %d", (unsigned long long)m.addr, m.data, m.enabled,
	       m.masked);
	report(apic_read(APIC_SPIV) & APIC_SPIV_APIC_ENABLED,
	       "LAPIC still software-enabled (SVR %08x)", apic_read(APIC_SPIV));
}

static void check_migration(struct pcie_slot *s)
{
	uint16_t ctl = slot_ctrl(s);
	unsigned int n;

	report(!(slot_status(s) & SLOT_EVENTS) && !apic_irr_test(VEC) && !apic_isr_test(VEC),
	       "armed: events enabled, nothing pending (SltSta %04x, %s)",
	       slot_status(s), apic_state());
	if (!report_checkpoint("armed", NULL))
		return;
	report_prefix_push("after armed");
	check_state_kept(s, ctl);
	report(!apic_irr_test(VEC) && !apic_isr_test(VEC), "nothing pending (%s)",
	       apic_state());
	nop_cmd(s);
	n = window(1);
	report(n == 1, "a command: %u interrupt(s), want 1", n);
	report_prefix_pop();

	/* Raised with interrupts off: the MSI waits in the IRR, CC stays set. */
	report(raw_cmd(s, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC),
	       "command completed with interrupts disabled (SltSta %04x)", slot_status(s));
	report(apic_irr_test(VEC) && !apic_isr_test(VEC),
	       "pending: vector %02x in the IRR, not in service (%s)", VEC, apic_state());
	if (!report_checkpoint("pending", NULL))
		return;
	report_prefix_push("after pending");
	check_state_kept(s, ctl);
	report(slot_status(s) & PCI_EXP_SLTSTA_CC, "CC still set (SltSta %04x)",
	       slot_status(s));
	report(apic_irr_test(VEC), "vector %02x still pending in the IRR (%s)", VEC,
	       apic_state());
	n = window(1);
	report(n == 1, "pending interrupt after sti: delivered %u time(s), want 1", n);
	report(!apic_irr_test(VEC) && !apic_isr_test(VEC), "IRR and ISR clear after "
	       "the EOI (%s)", apic_state());
	slot_clear_events(s, PCI_EXP_SLTSTA_CC);
	nop_cmd(s);
	n = window(1);
	report(n == 1, "a new command: %u interrupt(s), want 1", n);
	report_prefix_pop();
}

static void check_power_off(struct pcie_slot *s)
{
	uint16_t sta, want = PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC;
	unsigned int n;

	report_prefix_push("power-off");
	slot_clear_events(s, SLOT_EVENTS);
	if (slot_ctrl(s) & PCI_EXP_SLTCTL_DLLSCE)
		want |= PCI_EXP_SLTSTA_DLLSC;
	/* PCC off and PIC off in one write: QEMU unplugs the device then. */
	report(raw_cmd(s, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF,
		       PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC),
	       "power-off command completed");
	sta = slot_status(s);
	report((sta & want) == want, "events PDC, CC%s set (SltSta %04x, LnkSta %04x)",
	       want & PCI_EXP_SLTSTA_DLLSC ? ", DLLSC" : "", sta, link_status(s));
	if (!(want & PCI_EXP_SLTSTA_DLLSC) && (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC))
		report_info("DLLLA went to 0 with DLLSC %s (LnkCap %08x LLActRep+, "
			    "SltCtl DLLSCE reads 0)", sta & PCI_EXP_SLTSTA_DLLSC ?
			    "set" : "not set", s->lnkcap);
	check_slot_powered_off(s);
	n = window(2);
	report(n == 1, "PDC and CC, not cleared between: %u interrupt(s), want 1 "
	       "(coalesced, PCIe r5.0 6.7.3.4)", n);
	slot_clear_events(s, SLOT_EVENTS);
	report(window(0) == 0, "clearing the events raises nothing (SltSta %04x)",
	       slot_status(s));
	nop_cmd(s);
	n = window(1);
	report(n == 1, "then a new command: %u interrupt(s), want 1", n);
	report_prefix_pop();
}

GUEST_TEST(hotplug_irq_main, "hotplug-irq", "slot child",
	   "armed pending",
	   "hot-plug MSI/MSI-X: one interrupt per event, none when disabled, across migration")
{
	struct pcie_slot s;

	if (!slots_begin_occupied(&s))
		return;
	if (setup_interrupts(&s)) {
		enable_events(&s);
		check_one_per_event(&s);
		check_enable_off(&s);
		check_enables_while_pending(&s);
		check_migration(&s);
		check_power_off(&s);
		report(irq_unexpected() == 0, "no interrupt on any other vector "
		       "(%u, last vector %02x)", irq_unexpected(),
		       irq_last_unexpected_vector());
		msi_disable(&msi);
		slot_write_cmd(&s, 0, HP_ENABLES);
	}
	report_prefix_pop();
}
