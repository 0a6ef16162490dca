/*
 * slot_checklist.c - shared checklists for guest tests (see slot_checklist.h).
 */
#include "pci.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"

void check_slot_consistent(struct pcie_slot *s)
{
	uint16_t sta = slot_status(s);
	uint16_t lnksta = link_status(s);
	bool pds = sta & PCI_EXP_SLTSTA_PDS;
	bool answers = slot_child_present(s);

	report(pds == answers, "Presence Detect State matches the bus (PresDet%c, "
	       "a function %s behind the slot, SltSta %04x)", pds ? '+' : '-',
	       answers ? "answers" : "does not answer", sta);
	/*
	 * DLLLA implies PDS: Presence Detect State includes in-band presence
	 * (PCIe r5.0 §7.5.3.11), and an active link (§7.5.3.8) is in-band
	 * presence. Worded as the implication it is, with both bits shown: an
	 * occupied slot satisfies it whatever its link does.
	 */
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report(!(lnksta & PCI_EXP_LNKSTA_DLLLA) || pds,
		       "link active only with Presence Detect State set (DLActive%c "
		       "PresDet%c, LnkSta %04x, SltSta %04x)",
		       (lnksta & PCI_EXP_LNKSTA_DLLLA) ? '+' : '-', pds ? '+' : '-',
		       lnksta, sta);
}

void check_slot_powered_off(struct pcie_slot *s)
{
	uint16_t ctl = slot_ctrl(s);
	uint16_t sta = slot_status(s);
	uint16_t lnksta = link_status(s);

	if (slot_has_power_controller(s))
		report((ctl & PCI_EXP_SLTCTL_PCC) == PCI_EXP_SLTCTL_PWR_OFF,
		       "Power Controller Control reads off (SltCtl %04x)", ctl);
	if (s->sltcap & PCI_EXP_SLTCAP_PIP)
		report((ctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_OFF,
		       "Power Indicator reads off (SltCtl %04x)", ctl);
	report(!(sta & PCI_EXP_SLTSTA_PDS), "Presence Detect State clear (SltSta %04x)", sta);
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report(!(lnksta & PCI_EXP_LNKSTA_DLLLA),
		       "Data Link Layer Link Active clear (LnkSta %04x)", lnksta);
	report(!slot_child_present(s), "nothing answers behind the slot (vendor %04x)",
	       pci_vendor(slot_child(s, 0)));
}

void check_slot_powered_on(struct pcie_slot *s)
{
	uint16_t ctl = slot_ctrl(s);
	uint16_t sta = slot_status(s);
	uint16_t lnksta = link_status(s);

	if (slot_has_power_controller(s))
		report((ctl & PCI_EXP_SLTCTL_PCC) == PCI_EXP_SLTCTL_PWR_ON,
		       "Power Controller Control reads on (SltCtl %04x)", ctl);
	report(sta & PCI_EXP_SLTSTA_PDS, "Presence Detect State set (SltSta %04x)", sta);
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report(lnksta & PCI_EXP_LNKSTA_DLLLA,
		       "Data Link Layer Link Active set (LnkSta %04x)", lnksta);
	report(slot_child_present(s), "a function answers behind the slot (vendor %04x)",
	       pci_vendor(slot_child(s, 0)));
}

void clear_events_and_check(struct pcie_slot *s)
{
	uint16_t cleared = slot_clear_events(s, SLOT_EVENTS);
	uint16_t left = slot_status(s) & SLOT_EVENTS;

	report(left == 0, "slot events cleared (were %04x, left %04x)", cleared, left);
}

bool power_on_and_check(struct pcie_slot *s)
{
	struct slot_board b;
	bool answers;

	/* An empty slot never brings its link up: that is not a failure here. */
	slot_board_added(s, SLOT_BOARD_EMPTY_OK, &b);
	report(b.power_ok && b.blink_ok, "power-on commands completed within 1 s");
	if (b.link_waited)
		report(b.link_up, "link up within %d ms", SLOT_LINK_TIMEOUT_MS);
	answers = slot_child_present(s);
	if (b.indicators_set)
		report(b.indicators_ok, "power indicator command completed");
	slots_print_state(s, "after power-on");
	report_info("after power-on: %s behind the slot",
		    answers ? "a device answers" : "no device");
	check_slot_consistent(s);
	return answers;
}
