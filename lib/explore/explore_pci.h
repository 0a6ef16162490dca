/*
 * explore_pci.h - the explorer's target on a real machine: a hot-plug port
 * reached through config space (pci.h, slot.h), the host's part left to the
 * caller (the guest test asks the harness at its checkpoints):
 *   migrate   a live migration; true when it happened
 *   restore   the slot's device added again; asked for only when the slot
 *             is empty at a reset
 * and, once xpci_target_hotplug() gave them:
 *   device    device_add (XOP_DEVICE_ADD) or device_del (XOP_DEVICE_DEL) of the
 *             slot's device: 1 accepted, 0 refused, -1 the host ran no QMP
 *   deleted   the DEVICE_DELETED events the host counted so far
 * A reset after an accepted device_del finishes the removal as pciehp would
 * (power off, Power Indicator Off), so no unplug request outlives its sequence.
 */
#ifndef LIB_EXPLORE_PCI_H
#define LIB_EXPLORE_PCI_H

#include <stdint.h>
#include "explore_run.h"
#include "slot.h"

struct xpci_target {
	struct pcie_slot slot;
	bool (*migrate)(void);
	void (*restore)(void);
	uint16_t sltctl, lnkctl, lnkctl2;	/* the start state's controls */
	uint16_t eis;		/* ... and its interlock (PCI_EXP_SLTSTA_EIS or 0) */
	unsigned int restores;	/* device_add asked of the harness */
	unsigned int dirty;	/* resets that found the slot not as it started */
	unsigned int untouched;	/* ... that found it as it started: no waits */
	bool cmd_pending;	/* a Slot Control write, its Command Completed not read */
	uint64_t cmd_written_us;
	bool cycled;		/* power or link may have gone down and up */
	/* device add/del steps (xpci_target_hotplug) */
	int (*device)(uint8_t op);
	uint32_t (*deleted)(void);
	unsigned int no_qmp;	/* add/del steps the host ran no QMP for (set-up error) */
	bool del_accepted;	/* since the last reset */
	unsigned int removals_finished;	/* resets that powered a deleted adapter off */
};

/* A target on @s, its current controls taken as the start state. */
void xpci_target_init(struct xtarget *t, struct xpci_target *x, const struct pcie_slot *s,
		      bool (*migrate)(void), void (*restore)(void));
/* Device add/del steps through @device, the DEVICE_DELETED oracle through @deleted. */
void xpci_target_hotplug(struct xtarget *t, struct xpci_target *x, int (*device)(uint8_t op),
			 uint32_t (*deleted)(void));

#endif
