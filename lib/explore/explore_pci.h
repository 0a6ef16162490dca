/*
 * explore_pci.h - the explorer's target on a real machine: a hot-plug port
 * reached through config space (pci.h, slot.h), the host's part left to the
 * caller (the guest test asks the harness at its checkpoints):
 *   migrate   a live migration; true when it happened
 *   restore   the slot's device added again; asked for only when the slot
 *             is empty at a reset
 * Device add/del as exploration steps need the QMP outcome in the go-ahead,
 * which the host link does not carry yet: the guest explores without them.
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
};

/* A target on @s, its current controls taken as the start state. */
void xpci_target_init(struct xtarget *t, struct xpci_target *x, const struct pcie_slot *s,
		      bool (*migrate)(void), void (*restore)(void));

#endif
