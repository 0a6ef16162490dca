/*
 * msi.h - a function's MSI or MSI-X capability: find it, point one message
 * at an address/data pair, enable, disable, describe. PCI Local Bus 3.0
 * §6.8.1 (MSI: 32/64-bit address, optional per-vector masking) and §6.8.2
 * (MSI-X: table in a memory BAR, function mask, per-entry mask).
 * MSI-X is preferred when both exist, as Linux (pcie_port_enable_irq_vec)
 * and QEMU's hot-plug notification (hotplug_event_notify) do.
 */
#ifndef LIB_MSI_H
#define LIB_MSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

enum msi_kind { MSI_NONE, MSI_KIND_MSI, MSI_KIND_MSIX };

struct msi_dev {
	struct pci_bdf dev;
	uint8_t kind;		/* enum msi_kind */
	uint8_t cap;		/* capability offset */
	uint16_t flags;		/* Message Control as found */
	/* MSI */
	bool is64, maskbit;
	/* MSI-X */
	uint16_t table_size;	/* entries */
	uint8_t table_bir;
	uint32_t table_offset;
	uint64_t table;		/* MMIO address of entry 0; 0: BAR not assigned */
};

/* Fills @m (MSI-X first, else MSI); returns its kind, MSI_NONE if neither. */
int msi_find(struct pci_bdf d, struct msi_dev *m);

/*
 * Programs message @entry (MSI-X table entry; MSI: single message, @entry
 * must be 0) with @addr/@data, unmasks it and enables the capability (MSI-X:
 * under the function mask, as Linux msix_capability_init() does). Sets
 * Bus Master Enable (an MSI is a memory write by the function) and
 * Interrupt Disable (no INTx), and Memory Space Enable for an MSI-X table.
 * Returns 0, or -1 with a reason in @err.
 */
int msi_program(struct msi_dev *m, unsigned int entry, uint64_t addr, uint32_t data,
		char *err, size_t len);
void msi_disable(struct msi_dev *m);

/* What the function holds now, read back (entry @entry for MSI-X). */
struct msi_msg {
	uint64_t addr;
	uint32_t data;
	bool enabled, masked;	/* capability enable; entry/function (or MSI vector 0) mask */
};
void msi_read(const struct msi_dev *m, unsigned int entry, struct msi_msg *out);

/* "MSI-X: Enable+ Count=1 Masked- table BAR0+0x0 (0xc1000000)" and the like. */
const char *msi_describe(const struct msi_dev *m, char *buf, size_t len);

#endif
