/*
 * slot.h - the slot command layer: a PCI Express hot-plug slot's
 * registers and commands, sequenced the way Linux pciehp's register layer
 * (drivers/pci/hotplug/pciehp_hpc.c) does them.
 *
 * Every Slot Control write is one command (PCIe r5.0 §6.7.3.2): the next one
 * waits for the previous one's Command Completed, 1 s at most, unless the
 * port has No Command Completed Support. Waits have deadlines; a command
 * that never completes is reported (return value, cmd_timed_out), never
 * ignored. lspci-style output of the registers: lspci.h. The power
 * sequences built on these commands (pciehp_ctrl.c): slot_board.h.
 */
#ifndef LIB_SLOT_H
#define LIB_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"
#include "pci_regs.h"

struct pcie_slot {
	struct pci_bdf port;	/* root port or switch downstream port */
	uint8_t exp;		/* PCI Express capability offset */
	uint8_t port_type;	/* PCI_EXP_TYPE_* */
	uint32_t sltcap;	/* PCI_EXP_SLTCAP, read once */
	uint32_t lnkcap;	/* PCI_EXP_LNKCAP, read once */
	uint8_t sec_bus;	/* the bus behind the slot */
	bool cmd_timed_out;	/* the last command never completed */

	/* Command bookkeeping (pciehp's cmd_busy / cmd_started / slot_ctrl). */
	bool cmd_busy;		/* written, Command Completed not seen yet */
	uint16_t cmd_written;	/* the Slot Control value of the last command */
	uint64_t cmd_started_us;
	uint64_t cmd_us;	/* how long the last completed command took */
	unsigned int cmd_timeouts;	/* commands that never completed, in total */
	unsigned int cmd_late;	/* ... that completed, but after the spec's 1 s */
	/*
	 * pciehp's broken_cmd_compl (Intel CF118 and alike): Command Completed
	 * only for commands that change PCC, PIC, AIC or EIC. Linux knows such
	 * ports by a quirk list; we detect it: a command changing none of them
	 * times out after one that changed some completed. From then on such
	 * commands are not waited for, as pciehp does.
	 */
	bool broken_cmd_compl;
	bool cmd_changes_control;	/* the last command changed PCC/PIC/AIC/EIC */
	unsigned int control_cmds_completed;

	/* pciehp waits 1 s after power off before relying on it (remove_board). */
	unsigned int power_off_settle_ms;
};

/* The six registers in one read, for checks and snapshots. */
struct slot_regs {
	uint32_t sltcap;
	uint16_t sltctl, sltsta;
	uint32_t lnkcap;
	uint16_t lnkctl, lnksta;
};

#define SLOT_CMD_TIMEOUT_MS	1000	/* PCIe r5.0 §6.7.3.2 */
/*
 * How long a command is waited for: pciehp's pcie_wait_cmd() allows 2.5 s
 * instead of 1 s when it polls, and the firmware always polls. A command
 * done after 1 s still counts as late (cmd_late, and slot_wait_cmd() says
 * false), but it is not taken for a lost one that the next command would
 * overlap.
 */
#define SLOT_CMD_POLL_TIMEOUT_MS 2500
/* The Slot Control fields a CF118-like port completes commands for (pciehp's CC_ERRATUM_MASK). */
#define SLOT_CC_ERRATUM_MASK (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC | \
			      PCI_EXP_SLTCTL_EIC)
#define SLOT_LINK_TIMEOUT_MS	1000	/* pciehp: pcie_wait_for_link() */
#define SLOT_LINK_SETTLE_MS	100	/* PCIe r5.0 §6.6.1 */
#define SLOT_CHILD_TIMEOUT_MS	1000	/* pciehp: pci_bus_check_dev() */

/* The RW1C event bits of Slot Status (PCIe r5.0 §7.5.3.11). */
#define SLOT_EVENTS (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD | PCI_EXP_SLTSTA_MRLSC | \
		     PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC)

/* 0 on success; -1 when @port has no PCIe capability or no slot. */
int slot_init(struct pcie_slot *s, struct pci_bdf port);

/*
 * The port's PCI Express capability registers by their offset in the
 * capability (PCI_EXP_*), like Linux's pcie_capability_read_word() and
 * friends. A write is one raw config write: no command bookkeeping, so a
 * Slot Control write through these is not waited for (see slot_write_cmd*).
 */
uint16_t pcie_cap_read16(const struct pcie_slot *s, uint16_t reg);
uint32_t pcie_cap_read32(const struct pcie_slot *s, uint16_t reg);
void pcie_cap_write16(const struct pcie_slot *s, uint16_t reg, uint16_t val);
/* Read, clear the bits in @clear, set those in @set, write back. */
void pcie_cap_clear_and_set16(const struct pcie_slot *s, uint16_t reg, uint16_t clear,
			      uint16_t set);

uint16_t slot_ctrl(const struct pcie_slot *s);
uint16_t slot_status(const struct pcie_slot *s);
uint16_t link_status(const struct pcie_slot *s);
uint16_t link_ctrl(const struct pcie_slot *s);
void slot_read_regs(const struct pcie_slot *s, struct slot_regs *r);
/* The function behind the slot (device 0 of the secondary bus). */
struct pci_bdf slot_child(const struct pcie_slot *s, uint8_t fn);

bool slot_has_power_controller(const struct pcie_slot *s);	/* SLTCAP PCP */
bool slot_is_powered_on(const struct pcie_slot *s);	/* SLTCTL PCC clear (or no controller) */
bool slot_child_present(const struct pcie_slot *s);	/* function 0 answers config reads */

/*
 * One Slot Control command: wait for the previous one, read-modify-write the
 * bits in @mask to @val, wait for Command Completed (SLOT_CMD_POLL_TIMEOUT_MS),
 * clear it. Honours No Command Completed Support and a detected
 * broken_cmd_compl. Returns false unless it completed within 1 s (PCIe r5.0
 * §6.7.3.2), or is one a broken_cmd_compl port does not complete.
 */
bool slot_write_cmd(struct pcie_slot *s, uint16_t val, uint16_t mask);
/* The same without the final wait (pciehp's pcie_write_cmd_nowait()). */
void slot_write_cmd_nowait(struct pcie_slot *s, uint16_t val, uint16_t mask);
/* Waits for an outstanding command, if any; false if it timed out. */
bool slot_wait_cmd(struct pcie_slot *s);
/* Whether a command was written and its Command Completed not seen yet. */
bool slot_cmd_pending(const struct pcie_slot *s);
/*
 * One command whose Command Completed is waited for (@ms at most) but left
 * set, as an OS that has not run its interrupt handler yet would: the
 * command counts as completed, so the next one does not wait for it.
 * Returns whether Command Completed was seen.
 */
bool slot_write_cmd_keep_cc(struct pcie_slot *s, uint16_t val, uint16_t mask,
			    unsigned int ms);
/*
 * A command written behind this layer's back (a raw Slot Control write):
 * waits for its Command Completed from now on, 1 s, and clears it.
 */
bool slot_wait_foreign_cmd(struct pcie_slot *s);
/* Forgets an outstanding command (its CC was cleared with the events). */
void slot_forget_cmd(struct pcie_slot *s);

/* pciehp_power_on_slot(): clear a stale Power Fault Detected, PCC on (if any). */
bool slot_power_on_cmd(struct pcie_slot *s);
/* PCI_EXP_SLTCTL_ATTN_IND_{ON,BLINK,OFF}; false if no such indicator or timeout. */
bool slot_set_attention(struct pcie_slot *s, uint16_t aic);
/* PCI_EXP_SLTCTL_PWR_IND_{ON,BLINK,OFF}; false if no such indicator or timeout. */
bool slot_set_power_indicator(struct pcie_slot *s, uint16_t pic);
/* Both in one command, as pciehp_set_indicators(); 0 leaves one unchanged. */
bool slot_set_indicators(struct pcie_slot *s, uint16_t pic, uint16_t aic);

/* Clears exactly the RW1C events in @events that are set; returns those. */
uint16_t slot_clear_events(struct pcie_slot *s, uint16_t events);

/* Data Link Layer Link Active within @ms, then the 100 ms settle; see .c. */
bool slot_wait_link_active(struct pcie_slot *s, unsigned int ms);
/* A vendor ID behind the slot within @ms (pciehp's pci_bus_check_dev()). */
bool slot_wait_child(struct pcie_slot *s, unsigned int ms);

/* lspci -vv words: LnkCap/LnkCtl/LnkSta, SltCap/SltCtl/SltSta, indented by two tabs. */
void slot_print(const struct pcie_slot *s);

#endif
