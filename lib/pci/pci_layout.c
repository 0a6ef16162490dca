/*
 * pci_layout.c - every function's capability layout to the harness (see
 * pci_layout.h). The walk is cfgname's (lib/cfgname.c), the one that names
 * offsets in the guest's own diffs.
 */
#include "cfgname.h"
#include "hostlink.h"
#include "pci_layout.h"
#include "pci_regs.h"
#include "printf.h"

static void send_function(const struct pci_func *pf)
{
	struct cfgname_func f;
	char bdf[16], head[32];

	cfgname_read_func(pf->addr, &f);
	pci_bdf_str(pf->addr, bdf);
	if (f.header_type == PCI_HEADER_TYPE_BRIDGE)
		snprintf(head, sizeof(head), "hdr=%x sec=%02x", f.header_type, pf->sec_bus);
	else
		snprintf(head, sizeof(head), "hdr=%x", f.header_type);
	if (!f.ncaps)
		hostlink_send("cap", "%s %s kind=none", bdf, head);
	for (int i = 0; i < f.ncaps; i++)
		hostlink_send("cap", "%s %s kind=%s id=0x%x at=0x%x", bdf, head,
			      f.caps[i].extended ? "ext" : "std", f.caps[i].id,
			      f.caps[i].pos);
}

void pci_layout_send(const struct pci_topology *t)
{
	if (!hostlink_enabled())
		return;
	for (int i = 0; i < t->count; i++)
		send_function(&t->funcs[i]);
}
