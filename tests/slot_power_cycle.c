/*
 * slot-power-cycle - power a hot-plug slot off, clear its events, power it
 * on again the way pciehp does, and check the registers on the way:
 * every command completes, the powered-off slot is empty, and after
 * power-on the slot is consistent (PDS set exactly when a device answers,
 * a link active only with Presence Detect State set). Whether the device comes back is
 * reported: QEMU deletes an unplugged device, so on QEMU it does not.
 *
 * Parameters: slot=BDF (default: every occupied hot-plug slot), child=VVVV:DDDD.
 */
#include "args.h"
#include "guest_test.h"
#include "pci.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"

static void power_cycle_one(struct pcie_slot *s)
{
	char bdf[16];

	report_prefix_pushf("slot %s", pci_bdf_str(s->port, bdf));
	s->power_off_settle_ms = 0;
	slots_print_state(s, "before");
	slots_report_child_id(s);
	check_slot_powered_on(s);

	report_prefix_push("off");
	report(slot_power_off(s), "power-off commands completed within 1 s");
	check_slot_powered_off(s);
	clear_events_and_check(s);
	report_prefix_pop();

	report_prefix_push("on");
	power_on_and_check(s);
	report_prefix_pop();
	report_prefix_pop();
}

GUEST_TEST(slot_power_cycle_main, "slot-power-cycle", "slot child",
	   "",
	   "power a hot-plug slot off and on; check the registers on the way")
{
	slots_for_each_occupied(power_cycle_one);
}
