/*
 * pci_layout.h - tell the harness every function's configuration-space
 * layout (host-link `cap` lines), so it can name the register and fields
 * behind an offset QEMU reports when a destination refuses the migration
 * stream (scripts/slotprobelib/cfglayout.py parses them):
 *
 *   cap 00:12.0 hdr=1 sec=01 kind=std id=0x10 at=0x54   one per capability
 *   cap 00:1f.0 hdr=0 kind=none                          a function without any
 *
 * sec= (bridges only) is the secondary bus: QEMU names a device behind a
 * bridge by its path, and the harness needs the bus numbers to find it.
 */
#ifndef LIB_PCI_LAYOUT_H
#define LIB_PCI_LAYOUT_H

#include "pci.h"

/* Sends the lines for every function of @t (nothing with the link off). */
void pci_layout_send(const struct pci_topology *t);

#endif
