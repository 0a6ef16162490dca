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

	report_keyed(pds == answers, answers ? REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET_WITH_FUNCTION)
		     : REPORT_KEY(PCI_EXP_SLTSTA_PDS, CLEAR_WITHOUT_FUNCTION),
		     "Presence Detect State matches the bus (PresDet%c, a function %s behind "
		     "the slot, SltSta %04x)", pds ? '+' : '-',
		     answers ? "answers" : "does not answer", sta);
	/*
	 * DLLLA implies PDS: Presence Detect State includes in-band presence
	 * (PCIe r5.0 §7.5.3.11), and an active link (§7.5.3.8) is in-band
	 * presence. Worded as the implication it is, with both bits shown: an
	 * occupied slot satisfies it whatever its link does.
	 */
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report_keyed(!(lnksta & PCI_EXP_LNKSTA_DLLLA) || pds,
			     REPORT_KEY(PCI_EXP_LNKSTA_DLLLA, CLEAR_WITHOUT_PRESENCE),
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
		report_keyed((ctl & PCI_EXP_SLTCTL_PCC) == PCI_EXP_SLTCTL_PWR_OFF,
			     REPORT_KEY(PCI_EXP_SLTCTL_PCC, OFF),
			     "Power Controller Control reads off (SltCtl %04x)", ctl);
	if (s->sltcap & PCI_EXP_SLTCAP_PIP)
		report_keyed((ctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_OFF,
			     REPORT_KEY(PCI_EXP_SLTCTL_PIC, OFF),
			     "Power Indicator reads off (SltCtl %04x)", ctl);
	report_keyed(!(sta & PCI_EXP_SLTSTA_PDS), REPORT_KEY(PCI_EXP_SLTSTA_PDS, CLEAR),
		     "Presence Detect State clear (SltSta %04x)", sta);
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report_keyed(!(lnksta & PCI_EXP_LNKSTA_DLLLA),
			     REPORT_KEY(PCI_EXP_LNKSTA_DLLLA, CLEAR),
			     "Data Link Layer Link Active clear (LnkSta %04x)", lnksta);
	report_keyed(!slot_child_present(s), REPORT_KEY(PCI_VENDOR_ID, ABSENT),
		     "nothing answers behind the slot (vendor %04x)",
		     pci_vendor(slot_child(s, 0)));
}

void check_slot_powered_on(struct pcie_slot *s)
{
	uint16_t ctl = slot_ctrl(s);
	uint16_t sta = slot_status(s);
	uint16_t lnksta = link_status(s);

	if (slot_has_power_controller(s))
		report_keyed((ctl & PCI_EXP_SLTCTL_PCC) == PCI_EXP_SLTCTL_PWR_ON,
			     REPORT_KEY(PCI_EXP_SLTCTL_PCC, ON),
			     "Power Controller Control reads on (SltCtl %04x)", ctl);
	report_keyed(sta & PCI_EXP_SLTSTA_PDS, REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET),
		     "Presence Detect State set (SltSta %04x)", sta);
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report_keyed(lnksta & PCI_EXP_LNKSTA_DLLLA, REPORT_KEY(PCI_EXP_LNKSTA_DLLLA, SET),
			     "Data Link Layer Link Active set (LnkSta %04x)", lnksta);
	report_keyed(slot_child_present(s), REPORT_KEY(PCI_VENDOR_ID, PRESENT),
		     "a function answers behind the slot (vendor %04x)",
		     pci_vendor(slot_child(s, 0)));
}

void clear_events_and_check(struct pcie_slot *s)
{
	uint16_t cleared = slot_clear_events(s, SLOT_EVENTS);
	uint16_t left = slot_status(s) & SLOT_EVENTS;

	report_keyed(left == 0, REPORT_KEY(PCI_EXP_SLTSTA, CLEARED),
		     "slot events cleared (were %04x, left %04x)", cleared, left);
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
