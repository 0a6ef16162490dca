/*
 * slot_board.h - a slot's power sequences as Linux pciehp runs them
 * (pciehp_ctrl.c: board_added, remove_board), built on the command layer
 * of slot.h.
 */
#ifndef LIB_SLOT_BOARD_H
#define LIB_SLOT_BOARD_H

#include <stdbool.h>
#include "slot.h"

/*
 * remove_board(): PCC off, then power_off_settle_ms (pciehp waits 1 s
 * before relying on it), then the power indicator off. False when a
 * command did not complete.
 */
bool slot_power_off(struct pcie_slot *s);
/* PCC and PIC off in one command, then the settle (QEMU unplugs on exactly that). */
bool slot_power_off_single_write(struct pcie_slot *s);
/* slot_board_added() without flags. */
bool slot_power_on(struct pcie_slot *s);

/*
 * pciehp's board_added() (pciehp_ctrl.c) in steps: power on (clear a stale
 * Power Fault Detected, PCC on), power indicator blinking, link up and a
 * vendor ID behind the slot (pciehp_check_link_status), then power
 * indicator on and attention indicator off. By default it stops, as pciehp
 * does, when the link does not come up. Each step's outcome is recorded so
 * a test can report() it; a step the slot has no hardware for counts as done.
 */
#define SLOT_BOARD_BLINK_FIRST	0x1	/* blink (and attention off) before power,
					   as after an Attention Button press */
#define SLOT_BOARD_EMPTY_OK	0x2	/* an empty slot is no failure: wait for the
					   link only with PDS set; end with the power
					   indicator on or off by whether a function
					   answers, attention untouched */
struct slot_board {
	bool power_ok;		/* the PCC command completed */
	bool blink_ok;		/* the blink command completed */
	bool link_waited;	/* the link was waited for */
	bool link_up;		/* DLLLA within SLOT_LINK_TIMEOUT_MS, then the settle */
	bool child;		/* a vendor ID answered behind the slot */
	bool indicators_set;	/* the final indicator command was written */
	bool indicators_ok;	/* ... and completed */
};
/* Every command completed and a function answers. */
bool slot_board_added(struct pcie_slot *s, unsigned int flags, struct slot_board *b);

#endif
