/*
 * slot_checklist.h - checklists several guest tests share: each makes report()
 * calls about one slot, so the tests themselves stay short.
 */
#ifndef LIB_SLOT_CHECKLIST_H
#define LIB_SLOT_CHECKLIST_H

#include "slot.h"

/* PDS agrees with a function answering behind the slot (PCIe r5.0 §7.5.3.11). */
void check_slot_consistent(struct pcie_slot *s);

/* What a powered-off, emptied slot must show: PCC off, PDS 0, DLLLA 0, no device. */
void check_slot_powered_off(struct pcie_slot *s);

/* What a powered-on slot with its device must show: PCC on, PDS 1, DLLLA 1, device. */
void check_slot_powered_on(struct pcie_slot *s);

/*
 * Powers the slot on as pciehp does (clear PFD, PCC on, power indicator
 * blink, link, device, power indicator on), but also for an empty slot:
 * reports the commands, what appears behind the slot, and consistency.
 * Returns whether a device answers afterwards.
 */
bool power_on_and_check(struct pcie_slot *s);

/* Clears every pending RW1C slot event, as an OS's interrupt handler does. */
void clear_events_and_check(struct pcie_slot *s);

#endif
