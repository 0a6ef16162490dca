/*
 * pcie_slot.h - PCI Express hot-plug slot operations, sequenced the way
 * Linux pciehp (drivers/pci/hotplug/pciehp_hpc.c) does them.
 *
 * DRAFT interface: the owner of lib/pcie_slot.c may extend it; keep the names.
 */
#ifndef LIB_PCIE_SLOT_H
#define LIB_PCIE_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

struct pcie_slot {
	struct pci_bdf port;	/* root port or switch downstream port */
	uint8_t exp;		/* PCI Express capability offset */
	uint32_t sltcap;	/* PCI_EXP_SLTCAP, read once */
	uint32_t lnkcap;	/* PCI_EXP_LNKCAP, read once */
	uint8_t sec_bus;	/* the bus behind the slot */
	bool cmd_timed_out;	/* the last command never completed */
};

/* 0 on success; -1 when @port has no PCIe capability or no slot. */
int slot_init(struct pcie_slot *s, struct pci_bdf port);

uint16_t slot_ctrl(const struct pcie_slot *s);
uint16_t slot_status(const struct pcie_slot *s);
uint16_t link_status(const struct pcie_slot *s);
/* The function behind the slot (device 0 of the secondary bus). */
struct pci_bdf slot_child(const struct pcie_slot *s, uint8_t fn);

/*
 * One Slot Control command: wait for the previous one, read-modify-write the
 * bits in @mask to @val, wait for Command Completed (1 s, PCIe r5.0 §6.7.3.2),
 * clear it. Honours No Command Completed Support. Returns false on timeout.
 */
bool slot_write_cmd(struct pcie_slot *s, uint16_t val, uint16_t mask);

bool slot_power_off(struct pcie_slot *s);			/* PCC off, then PIC off */
bool slot_power_off_single_write(struct pcie_slot *s);	/* PCC and PIC in one write */
bool slot_power_on(struct pcie_slot *s);			/* pciehp's sequence */
bool slot_set_attention(struct pcie_slot *s, uint16_t aic);
bool slot_set_power_indicator(struct pcie_slot *s, uint16_t pic);

/* Clears exactly the RW1C events in @events that are set; returns those. */
uint16_t slot_clear_events(struct pcie_slot *s, uint16_t events);

bool slot_wait_link_active(struct pcie_slot *s, unsigned int ms);
bool slot_wait_child(struct pcie_slot *s, unsigned int ms);

/* lspci -vv words: "SltCap:\t...", "SltCtl:\t...", "SltSta:\tStatus: ... Changed: ..." */
void slot_print(const struct pcie_slot *s);

#endif
