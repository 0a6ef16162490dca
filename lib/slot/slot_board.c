/*
 * slot_board.c - pciehp's sequences (pciehp_ctrl.c: board_added,
 * remove_board) on the slot command layer (see slot_board.h, slot.h).
 * Tests that power a slot on or off call these; none repeats the steps.
 */
#include "libc.h"
#include "pci_regs.h"
#include "slot_board.h"
#include "time.h"

bool slot_power_off(struct pcie_slot *s)
{
	bool ok = true;

	if (slot_has_power_controller(s)) {
		ok = slot_write_cmd(s, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC);
		mdelay(s->power_off_settle_ms);
	}
	if (s->sltcap & PCI_EXP_SLTCAP_PIP)
		ok &= slot_set_indicators(s, PCI_EXP_SLTCTL_PWR_IND_OFF, 0);
	return ok;
}

/*
 * PCC = off and PIC = off in one command. QEMU unplugs the device on exactly
 * this combination (pcie_cap_slot_write_config()), the path of the seed bug.
 */
bool slot_power_off_single_write(struct pcie_slot *s)
{
	bool ok = slot_write_cmd(s, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF,
				 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);

	mdelay(s->power_off_settle_ms);
	return ok;
}

static bool blink_cmd(struct pcie_slot *s, unsigned int flags)
{
	if (flags & SLOT_BOARD_BLINK_FIRST) {
		if (!(s->sltcap & (PCI_EXP_SLTCAP_PIP | PCI_EXP_SLTCAP_AIP)))
			return true;
		return slot_set_indicators(s, PCI_EXP_SLTCTL_PWR_IND_BLINK,
					   PCI_EXP_SLTCTL_ATTN_IND_OFF);
	}
	if (!(s->sltcap & PCI_EXP_SLTCAP_PIP))
		return true;
	return slot_set_indicators(s, PCI_EXP_SLTCTL_PWR_IND_BLINK, 0);
}

/* The indicators once the board is (or is not) there. */
static void final_indicators(struct pcie_slot *s, unsigned int flags, struct slot_board *b)
{
	if (flags & SLOT_BOARD_EMPTY_OK) {
		if (!(s->sltcap & PCI_EXP_SLTCAP_PIP))
			return;
		b->indicators_set = true;
		b->indicators_ok = slot_set_indicators(s, b->child ? PCI_EXP_SLTCTL_PWR_IND_ON
								   : PCI_EXP_SLTCTL_PWR_IND_OFF, 0);
		return;
	}
	if (!b->child || !(s->sltcap & (PCI_EXP_SLTCAP_PIP | PCI_EXP_SLTCAP_AIP)))
		return;
	b->indicators_set = true;
	b->indicators_ok = slot_set_indicators(s, PCI_EXP_SLTCTL_PWR_IND_ON,
					       PCI_EXP_SLTCTL_ATTN_IND_OFF);
}

bool slot_board_added(struct pcie_slot *s, unsigned int flags, struct slot_board *b)
{
	bool empty_ok = flags & SLOT_BOARD_EMPTY_OK;

	memset(b, 0, sizeof(*b));
	b->indicators_ok = true;
	if (flags & SLOT_BOARD_BLINK_FIRST) {
		b->blink_ok = blink_cmd(s, flags);
		b->power_ok = slot_power_on_cmd(s);
	} else {
		b->power_ok = slot_power_on_cmd(s);
		b->blink_ok = blink_cmd(s, flags);
	}
	/* pciehp_check_link_status(): link up, then a vendor ID behind it. */
	if (!empty_ok || (slot_status(s) & PCI_EXP_SLTSTA_PDS)) {
		b->link_waited = true;
		b->link_up = slot_wait_link_active(s, SLOT_LINK_TIMEOUT_MS);
		if (b->link_up || empty_ok)
			b->child = slot_wait_child(s, SLOT_CHILD_TIMEOUT_MS);
	} else {
		b->child = slot_child_present(s);
	}
	final_indicators(s, flags, b);
	return b->power_ok && b->blink_ok && b->indicators_ok && b->child &&
	       (b->link_up || !b->link_waited);
}

bool slot_power_on(struct pcie_slot *s)
{
	struct slot_board b;

	return slot_board_added(s, 0, &b);
}
