/*
 * hotplug - host-initiated hot-add and hot-remove (QMP device_add and
 * device_del at checkpoints, plan key qmp_at) answered the way Linux pciehp
 * does (drivers/pci/hotplug/pciehp_hpc.c, pciehp_ctrl.c), by polling:
 *
 *   checkpoint "plug"       the harness adds a device to the empty slot;
 *                           the guest sees Presence Detect Changed (QEMU
 *                           also presses the attention button), clears the
 *                           events and powers the slot on as pciehp's
 *                           button press + board_added(): power indicator
 *                           blink, PCC on, link (DLLLA, when LLActRep+),
 *                           100 ms, vendor ID within 1 s, indicator on
 *   checkpoint "plugged"    the slot and the device are unchanged
 *   checkpoint "unplug"     the harness asks for device_del: QEMU presses
 *                           the attention button; the guest blinks the
 *                           power indicator, waits (see BUTTON_WAIT_MS) and
 *                           powers the slot off (PCC off, then PIC off: on
 *                           that write QEMU removes the device)
 *   checkpoint "unplugged"  the harness sees DEVICE_DELETED; the slot
 *                           stays empty
 *
 * With migrate_at = all the harness migrates at each checkpoint after its
 * QMP commands, so every pending event must survive the migration.
 *
 * Parameters: slot=BDF (default: the first empty hot-plug slot),
 * child=VVVV:DDDD (the device the harness adds), button-ms=N (the wait
 * after the attention button, default BUTTON_WAIT_MS).
 */
#include "args.h"
#include "guest_test.h"
#include "hostlink.h"
#include "pci.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"
#include "time.h"

/* The harness sends its QMP command before the go-ahead; this only bounds a slow one. */
#define EVENT_TIMEOUT_MS	5000
/*
 * pciehp gives the user 5 s to cancel an attention button press with a
 * second one (pciehp_handle_button_press(), 5 * HZ). QEMU never presses
 * twice, and device_del itself expires after 5 s of virtual time
 * (pcie_cap_slot_unplug_request_cb()), so a short wait keeps the run fast.
 */
#define BUTTON_WAIT_MS		100

static bool select_empty_slot(struct pcie_slot *s)
{
	static struct pcie_slot slots[SLOTS_MAX];
	int n = slots_select(slots, SLOTS_MAX, false);

	for (int i = 0; i < n; i++) {
		if (arg_present("slot") || !(slot_status(&slots[i]) & PCI_EXP_SLTSTA_PDS)) {
			*s = slots[i];
			return true;
		}
	}
	return false;
}

/* Polls Slot Status until one of @events (@key's field) shows; returns what is set then. */
static uint16_t wait_events(struct pcie_slot *s, uint16_t events, struct report_key key,
			    const char *what)
{
	struct deadline d = deadline_in_ms(EVENT_TIMEOUT_MS);
	uint16_t sta;

	for (;;) {
		sta = slot_status(s);
		if (sta != 0xffff && (sta & events))
			break;
		if (deadline_expired(d))
			break;
		mdelay(1);
	}
	report_keyed(sta != 0xffff && (sta & events), key, "%s within %d ms (SltSta %04x)",
		     what, EVENT_TIMEOUT_MS, sta);
	return sta;
}

static void check_dllsc(struct pcie_slot *s, uint16_t sta, bool was, const char *when)
{
	bool now = link_status(s) & PCI_EXP_LNKSTA_DLLLA;

	/* PCIe r5.0 §7.5.3.11, §6.7.3.3: DLLSC is set when DLLLA changes. */
	if ((s->lnkcap & PCI_EXP_LNKCAP_DLLLARC) && was != now)
		report_keyed(sta & PCI_EXP_SLTSTA_DLLSC, REPORT_KEY(PCI_EXP_SLTSTA_DLLSC, RAISED),
			     "PCI_EXP_SLTSTA_DLLSC set: DLLLA changed %s (LnkSta %04x, "
			     "SltSta %04x)", when, link_status(s), sta);
}

static void empty_at_start(struct pcie_slot *s)
{
	check_slot_powered_off(s);
	check_slot_consistent(s);
	clear_events_and_check(s);
}

/* pciehp_ist(): ABP first (button press: blink), then PDC (enable the slot). */
static void plugged(struct pcie_slot *s, bool link_before)
{
	uint16_t sta = wait_events(s, PCI_EXP_SLTSTA_PDC, REPORT_KEY(PCI_EXP_SLTSTA_PDC, RAISED),
				   "Presence Detect Changed");
	uint16_t lnksta = link_status(s);
	struct slot_board b;

	report_keyed(sta & PCI_EXP_SLTSTA_PDS, REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET),
		     "Presence Detect State set (SltSta %04x)", sta);
	report_info("events on device_add: SltSta %04x (ABP%c PDC%c DLLSC%c)", sta,
		    sta & PCI_EXP_SLTSTA_ABP ? '+' : '-', sta & PCI_EXP_SLTSTA_PDC ? '+' : '-',
		    sta & PCI_EXP_SLTSTA_DLLSC ? '+' : '-');
	check_dllsc(s, sta, link_before, "on device_add");
	/* PCIe r5.0 §6.6.1, §7.5.3.8: no link trains while the slot has no power. */
	if (s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)
		report_keyed(!(lnksta & PCI_EXP_LNKSTA_DLLLA) || slot_is_powered_on(s),
			     REPORT_KEY(PCI_EXP_LNKSTA_DLLLA, CLEAR_WITHOUT_POWER),
			     "no active link before the slot is powered on (LnkSta %04x, "
			     "SltCtl %04x)", lnksta, slot_ctrl(s));
	report_keyed(!slot_child_present(s), REPORT_KEY(PCI_VENDOR_ID, ABSENT),
		     "nothing answers before the slot is powered on (vendor %04x)",
		     pci_vendor(slot_child(s, 0)));
	clear_events_and_check(s);

	slot_board_added(s, SLOT_BOARD_BLINK_FIRST, &b);
	report(b.blink_ok, "power indicator blink command completed");
	report(b.power_ok, "power-on (PCC) command completed within 1 s");
	report(b.link_up, "link up within %d ms "
	       "(LnkSta %04x), then %d ms", SLOT_LINK_TIMEOUT_MS, link_status(s),
	       SLOT_LINK_SETTLE_MS);
	report(b.child, "a vendor ID answers within %d ms", SLOT_CHILD_TIMEOUT_MS);
	report(b.indicators_set && b.indicators_ok, "power indicator on command completed");
	slots_print_state(s, "after power-on");
	slots_report_child_id(s);
	check_slot_powered_on(s);
	check_slot_consistent(s);
	sta = slot_status(s) & SLOT_EVENTS;
	report(sta == 0, "no event left after power-on (SltSta events %04x)", sta);
}

static void check_unchanged(struct pcie_slot *s, const struct slot_regs *before)
{
	struct slot_regs now;
	struct report_key changed[3];
	int n = 0;

	slot_read_regs(s, &now);
	if (now.sltctl != before->sltctl)
		changed[n++] = REPORT_KEY(PCI_EXP_SLTCTL, UNCHANGED);
	if (now.sltsta != before->sltsta)
		changed[n++] = REPORT_KEY(PCI_EXP_SLTSTA, UNCHANGED);
	if (now.lnksta != before->lnksta)
		changed[n++] = REPORT_KEY(PCI_EXP_LNKSTA, UNCHANGED);
	report_keys(n == 0, changed, n, "SltCtl/SltSta/LnkSta unchanged "
		    "(%04x/%04x/%04x, were %04x/%04x/%04x)", now.sltctl, now.sltsta,
		    now.lnksta, before->sltctl, before->sltsta, before->lnksta);
}

/* pciehp_handle_button_press() in ON_STATE, then remove_board(). */
static void unplug_requested(struct pcie_slot *s)
{
	uint16_t sta = wait_events(s, PCI_EXP_SLTSTA_ABP, REPORT_KEY(PCI_EXP_SLTSTA_ABP, RAISED),
				   "Attention Button Pressed");
	bool link_before = link_status(s) & PCI_EXP_LNKSTA_DLLLA;

	report_keyed(sta & PCI_EXP_SLTSTA_PDS, REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET),
		     "the device is still present until the guest acts (SltSta %04x)", sta);
	report_keyed(slot_child_present(s), REPORT_KEY(PCI_VENDOR_ID, PRESENT),
		     "the device still answers (vendor %04x)", pci_vendor(slot_child(s, 0)));
	report(slot_clear_events(s, PCI_EXP_SLTSTA_ABP) == PCI_EXP_SLTSTA_ABP,
	       "Attention Button Pressed cleared");
	report(slot_set_indicators(s, PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_ATTN_IND_OFF),
	       "power indicator blink command completed");
	mdelay(arg_u64("button-ms", BUTTON_WAIT_MS));
	report(slot_power_off(s), "power-off (PCC off, then power indicator off) "
	       "commands completed within 1 s");
	slots_print_state(s, "after power-off");
	check_slot_powered_off(s);
	sta = slot_status(s);
	report_keyed(sta & PCI_EXP_SLTSTA_PDC, REPORT_KEY(PCI_EXP_SLTSTA_PDC, RAISED),
		     "Presence Detect Changed set (SltSta %04x)", sta);
	check_dllsc(s, sta, link_before, "on removal");
	clear_events_and_check(s);
}

GUEST_TEST(hotplug_main, "hotplug", "slot child button-ms",
	   "plug plugged unplug unplugged",
	   "device_add and device_del answered like pciehp")
{
	struct pcie_slot s;
	struct slot_regs before;
	char bdf[16];
	bool link;

	if (!select_empty_slot(&s)) {
		report_skip("no empty hot-plug slot");
		return;
	}
	s.power_off_settle_ms = 100;	/* pciehp: 1 s; QEMU acts on the write */
	report_prefix_pushf("slot %s", pci_bdf_str(s.port, bdf));
	slots_print_state(&s, "at start");
	empty_at_start(&s);
	link = link_status(&s) & PCI_EXP_LNKSTA_DLLLA;

	if (!report_checkpoint("plug", NULL))
		goto out;
	report_prefix_push("device_add");
	plugged(&s, link);
	slot_read_regs(&s, &before);
	report_prefix_pop();

	if (!report_checkpoint("plugged", NULL))
		goto out;
	report_prefix_push("after checkpoint plugged");
	check_unchanged(&s, &before);
	slots_report_child_id(&s);
	check_slot_consistent(&s);
	report_prefix_pop();

	if (!report_checkpoint("unplug", NULL))
		goto out;
	report_prefix_push("device_del");
	unplug_requested(&s);
	slot_read_regs(&s, &before);
	report_prefix_pop();

	if (!report_checkpoint("unplugged", NULL))
		goto out;
	report_prefix_push("after checkpoint unplugged");
	check_unchanged(&s, &before);
	check_slot_powered_off(&s);
	check_slot_consistent(&s);
	report_prefix_pop();
out:
	report_prefix_pop();
}
