/*
 * cfgname.h - name the register a configuration space offset belongs to,
 * for diffs people can read: "+0x6e (PCIe cap +0x1a SLTSTA)",
 * "+0x04 (COMMAND)", "+0x104 (AER ext cap +0x4)".
 *
 * Pure: the caller passes the function's header type and its capability
 * list (lib/pci/pci.h's pci_cap_iter finds it), so the host tests need no
 * hardware. Header names follow Linux pci_regs.h without the PCI_ prefix.
 */
#ifndef LIB_CFGNAME_H
#define LIB_CFGNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

struct cfgname_cap {
	uint16_t pos;
	uint16_t id;
	bool extended;
};

#define CFGNAME_MAX_CAPS 48

struct cfgname_func {
	uint8_t header_type;	/* PCI_HEADER_TYPE_NORMAL / _BRIDGE */
	int ncaps;
	struct cfgname_cap caps[CFGNAME_MAX_CAPS];
};

/* Reads @d's header type and both capability lists (at most CFGNAME_MAX_CAPS). */
void cfgname_read_func(struct pci_bdf d, struct cfgname_func *f);

/* "+0x6e (PCIe cap +0x1a SLTSTA)" into @buf; returns @buf. */
const char *cfgname_describe(char *buf, size_t len, const struct cfgname_func *f,
			     uint16_t off);

/*
 * The short name of the register that starts at @off in standard capability
 * @cap_id and is @width bytes wide ("SLTSTA" for PCI Express +0x1a, 2), the
 * name scripts use; NULL when no register is exactly there.
 */
const char *cfgname_cap_reg(uint16_t cap_id, uint16_t off, uint8_t width);

/* "PCIe", "MSI-X", "AER", ...; "id 0x42" for IDs it does not know. */
const char *cfgname_cap_name(char *buf, size_t len, uint16_t id, bool extended);

#endif
