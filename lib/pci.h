/*
 * pci.h - PCI addresses, configuration access and enumeration.
 *
 * Configuration access goes through ECAM (ACPI MCFG) when the firmware has
 * one, else through the legacy 0xCF8/0xCFC ports for the first 256 bytes
 * (extended-space checks are then skipped, see pci_cfg_has_extended()).
 * DRAFT interface: the owner of lib/pci.c may extend it; keep these names.
 */
#ifndef LIB_PCI_H
#define LIB_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_bdf {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
};

#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)

static inline struct pci_bdf pci_bdf(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_bdf d = { seg, bus, (uint8_t)PCI_DEVFN(dev, fn) };
	return d;
}

/* "00:12.0", or "0001:00:12.0" outside segment 0; returns 0 or -1. */
int pci_bdf_parse(const char *s, struct pci_bdf *out);
/* Formats into @buf (>= 16 bytes) and returns it. */
const char *pci_bdf_str(struct pci_bdf d, char *buf);

/* One ECAM window, as an MCFG allocation describes it. */
struct ecam_window {
	uint64_t base;
	uint16_t seg;
	uint8_t bus_start;
	uint8_t bus_end;
};

void pci_cfg_use_ecam(const struct ecam_window *w, int count);
void pci_cfg_use_portio(void);
bool pci_cfg_has_extended(void);

/* Out-of-range reads return all ones; out-of-range writes are dropped. */
uint8_t pci_cfg_read8(struct pci_bdf d, uint16_t off);
uint16_t pci_cfg_read16(struct pci_bdf d, uint16_t off);
uint32_t pci_cfg_read32(struct pci_bdf d, uint16_t off);
void pci_cfg_write8(struct pci_bdf d, uint16_t off, uint8_t val);
void pci_cfg_write16(struct pci_bdf d, uint16_t off, uint16_t val);
void pci_cfg_write32(struct pci_bdf d, uint16_t off, uint32_t val);

/* Capability lists, guarded against loops and out-of-range pointers. 0: none. */
uint8_t pci_find_cap(struct pci_bdf d, uint8_t cap_id);
uint16_t pci_find_ext_cap(struct pci_bdf d, uint16_t cap_id);

/* What enumeration learns about one function. */
struct pci_func {
	struct pci_bdf addr;
	uint16_t vendor;
	uint16_t device;
	uint32_t class_rev;
	uint8_t header_type;	/* without the multifunction bit */
	uint8_t exp_cap;	/* PCI Express capability offset, 0 if none */
	uint8_t exp_type;	/* PCI_EXP_TYPE_* when exp_cap */
	uint8_t exp_vers;
	bool slot_implemented;	/* PCI_EXP_FLAGS_SLOT */
	uint8_t sec_bus;	/* bridges only */
	uint8_t sub_bus;
	int parent;		/* index of the bridge above, -1 on a root bus */
};

#define PCI_MAX_FUNCS 256

struct pci_topology {
	struct pci_func funcs[PCI_MAX_FUNCS];
	int count;
	bool truncated;		/* more functions than PCI_MAX_FUNCS */
};

/* Walk every configured segment and bus reachable through bridges. */
int pci_enumerate(struct pci_topology *t);
const struct pci_func *pci_topology_find(const struct pci_topology *t, struct pci_bdf d);

#endif
