/*
 * slot-power-off - power a hot-plug slot off the way an OS does and check
 * what the port then shows (PCIe r5.0 §6.7.1, §7.5.3.10-11):
 * the command completes within 1 s, Presence Detect State clears (QEMU
 * removes the device), Presence Detect Changed is set, the link goes down,
 * and nothing answers behind the slot any more.
 *
 * Parameters: slot=BDF (default: every occupied hot-plug slot),
 * child=VVVV:DDDD, single-write=on (PCC and PIC off in one Slot Control
 * write instead of pciehp's two).
 */
#include "args.h"
#include "guest_test.h"
#include "pci.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"

static void power_off_one(struct pcie_slot *s)
{
	char bdf[16];
	bool done;
	uint16_t sta;

	report_prefix_pushf("slot %s", pci_bdf_str(s->port, bdf));
	s->power_off_settle_ms = 0;	/* checked below, no need to sit still */
	slots_print_state(s, "before power-off");
	slots_report_child_id(s);
	if (!report(slot_child_present(s), "a function answers behind the slot"))
		goto out;

	done = arg_bool("single-write", false) ? slot_power_off_single_write(s)
					       : slot_power_off(s);
	report(done, "power-off command(s) completed within 1 s (last took %llu us)",
	       (unsigned long long)s->cmd_us);
	sta = slot_status(s);
	slots_print_state(s, "after power-off");
	report(sta & PCI_EXP_SLTSTA_PDC, "Presence Detect Changed set (SltSta %04x)", sta);
	check_slot_powered_off(s);
out:
	report_prefix_pop();
}

GUEST_TEST(slot_power_off_main, "slot-power-off", "slot child single-write",
	   "",
	   "power a hot-plug slot off; check PDS, PDC, DLLLA and the device")
{
	slots_for_each_occupied(power_off_one);
}
