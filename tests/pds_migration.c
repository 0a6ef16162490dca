/*
 * pds-migration - the seed case (QEMU upstream 625b370c45, Red Hat bug
 * 2215819): power a slot off with one Slot Control write (PCC=1, PIC=off,
 * which makes QEMU unplug the device and clear Presence Detect State),
 * clear the events as an OS would, then stop at checkpoint "powered-off"
 * so the harness can live-migrate right there. On whichever side the guest
 * then runs it reads the slot again, checks it is still a powered-off,
 * empty slot, powers it on and reports what appears, and offers a second
 * checkpoint "powered-on".
 *
 * A QEMU before 8.1 checks PDS on load, so the destination refuses the
 * state and the guest carries on on the source: the harness judges that
 * (tests/errata.cfg); the guest checks what it can see either way.
 *
 * Parameters: slot=BDF, child=VVVV:DDDD, power-off=no (the control: same
 * steps and checkpoints, slot left alone; must pass on every QEMU).
 */
#include "args.h"
#include "guest_test.h"
#include "hostlink.h"
#include "pci.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"

static void power_off(struct pcie_slot *s)
{
	report(slot_power_off_single_write(s),
	       "power-off (PCC=1 and PIC=off in one write) completed within 1 s");
	slots_print_state(s, "after power-off");
	check_slot_powered_off(s);
	clear_events_and_check(s);
}

static void check_unchanged(struct pcie_slot *s, const struct slot_regs *before)
{
	struct slot_regs now;

	slot_read_regs(s, &now);
	report_keyed(now.sltctl == before->sltctl, REPORT_KEY(PCI_EXP_SLTCTL, UNCHANGED),
		     "SltCtl unchanged (%04x, was %04x)", now.sltctl, before->sltctl);
	report_keyed(now.sltsta == before->sltsta, REPORT_KEY(PCI_EXP_SLTSTA, UNCHANGED),
		     "SltSta unchanged (%04x, was %04x)", now.sltsta, before->sltsta);
	report_keyed(now.lnksta == before->lnksta, REPORT_KEY(PCI_EXP_LNKSTA, UNCHANGED),
		     "LnkSta unchanged (%04x, was %04x)", now.lnksta, before->lnksta);
}

/*
 * QEMU deleted the device when the guest powered the slot off; a destination
 * started with the original command line still has it, and powering the slot
 * on there brings it back behind a slot that said it was empty.
 */
static void check_unplugged_stays_gone(struct pcie_slot *s, bool answers)
{
	struct pci_bdf child = slot_child(s, 0);

	report_keyed(!answers, REPORT_KEY(PCI_VENDOR_ID, ABSENT_AFTER_UNPLUG),
		     "the device unplugged before checkpoint powered-off stays gone after "
		     "power-on (behind the slot: %04x:%04x, SltSta %04x, on the %s)",
		     pci_cfg_read16(child, PCI_VENDOR_ID), pci_cfg_read16(child, PCI_DEVICE_ID),
		     slot_status(s), hostlink_on_destination() ? "destination" : "source");
}

GUEST_TEST(pds_migration_main, "pds-migration", "slot child power-off",
	   "powered-off powered-on",
	   "power a slot off, migrate, check the slot on the other side")
{
	struct pcie_slot s;
	struct slot_regs before;
	bool power_off_first = arg_bool("power-off", true);

	if (!slots_begin_occupied(&s))
		return;
	check_slot_powered_on(&s);
	if (power_off_first)
		power_off(&s);
	slot_read_regs(&s, &before);

	if (!report_checkpoint("powered-off", NULL))
		goto out;
	report_prefix_push("after checkpoint");
	slots_print_state(&s, "after checkpoint powered-off");
	check_unchanged(&s, &before);
	if (power_off_first) {
		check_slot_powered_off(&s);
		check_unplugged_stays_gone(&s, power_on_and_check(&s));
	} else {
		check_slot_powered_on(&s);
		check_slot_consistent(&s);
	}
	report_prefix_pop();

	if (!report_checkpoint("powered-on", NULL))
		goto out;
	report_prefix_push("after checkpoint powered-on");
	check_slot_consistent(&s);
	report_prefix_pop();
out:
	report_prefix_pop();
}
