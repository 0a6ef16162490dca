/*
 * pci_print.c - names and the lspci -t like listing of a topology (see pci.h).
 */
#include "hw.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"

/* ---- names and the listing ---- */

const char *pci_exp_type_name(uint8_t type)
{
	/* PCIe r5.0 §7.5.3.2, Device/Port Type; words as lspci prints them. */
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT:	return "PCIe Endpoint";
	case PCI_EXP_TYPE_LEG_END:	return "Legacy Endpoint";
	case PCI_EXP_TYPE_ROOT_PORT:	return "PCIe Root Port";
	case PCI_EXP_TYPE_UPSTREAM:	return "Upstream Port";
	case PCI_EXP_TYPE_DOWNSTREAM:	return "Downstream Port";
	case PCI_EXP_TYPE_PCI_BRIDGE:	return "PCIe to PCI/PCI-X Bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE:	return "PCI/PCI-X to PCIe Bridge";
	case PCI_EXP_TYPE_RC_END:	return "Root Complex Integrated Endpoint";
	case PCI_EXP_TYPE_RC_EC:	return "Root Complex Event Collector";
	default:			return "unknown PCIe type";
	}
}

const char *pci_bridge_problem_str(uint8_t problem)
{
	switch (problem) {
	case PCI_BRIDGE_OK:		return "ok";
	case PCI_BRIDGE_SEC_ZERO:	return "secondary bus 0 (not configured)";
	case PCI_BRIDGE_SEC_NOT_ABOVE:	return "secondary bus not above its own bus";
	case PCI_BRIDGE_SEC_OUTSIDE:	return "secondary bus outside the range forwarded to it";
	case PCI_BRIDGE_SUB_BELOW_SEC:	return "subordinate bus below secondary bus";
	case PCI_BRIDGE_BUS_SEEN:	return "secondary bus already scanned";
	default:			return "unknown problem";
	}
}

const char *pci_func_describe(const struct pci_func *f, char *buf, size_t len)
{
	char bdf[16];

	if (f->exp_cap)
		snprintf(buf, len, "%s [%04x:%04x] class %04x %s%s", pci_bdf_str(f->addr, bdf),
			 f->vendor, f->device, f->class_rev >> 16,
			 pci_exp_type_name(f->exp_type), f->slot_implemented ? ", slot" : "");
	else
		snprintf(buf, len, "%s [%04x:%04x] class %04x conventional PCI",
			 pci_bdf_str(f->addr, bdf), f->vendor, f->device, f->class_rev >> 16);
	return buf;
}

static bool same_root_bus(const struct pci_func *a, const struct pci_func *b)
{
	return a->addr.seg == b->addr.seg && a->addr.bus == b->addr.bus;
}

/* Is @i the last function listed under its parent (or on its root bus)? */
static bool last_sibling(const struct pci_topology *t, int i)
{
	for (int j = i + 1; j < t->count; j++) {
		if (t->funcs[j].parent != t->funcs[i].parent)
			continue;
		if (t->funcs[i].parent >= 0 || same_root_bus(&t->funcs[i], &t->funcs[j]))
			return false;
	}
	return true;
}

/* The tree's left margin for @i: "| " or "  " per ancestor, outermost first. */
static void tree_margin(const struct pci_topology *t, int i, char *buf, size_t len)
{
	int chain[256], depth = 0;
	size_t pos = 0;

	for (int p = t->funcs[i].parent; p >= 0 && depth < 256; p = t->funcs[p].parent)
		chain[depth++] = p;
	while (depth-- > 0 && pos + 3 < len) {
		memcpy(buf + pos, last_sibling(t, chain[depth]) ? "  " : "| ", 2);
		pos += 2;
	}
	buf[pos] = '\0';
}

/* A root bus gets a "[seg:bus]" line before its first function. */
static bool first_on_root_bus(const struct pci_topology *t, int i)
{
	if (t->funcs[i].parent >= 0)
		return false;
	for (int j = 0; j < i; j++)
		if (t->funcs[j].parent < 0 && same_root_bus(&t->funcs[j], &t->funcs[i]))
			return false;
	return true;
}

static void print_tree_line(const struct pci_topology *t, int i)
{
	const struct pci_func *f = &t->funcs[i];
	char margin[80];

	if (first_on_root_bus(t, i))
		printf("[%04x:%02x]\n", f->addr.seg, f->addr.bus);
	tree_margin(t, i, margin, sizeof(margin));
	printf("%s%s%02x.%x [%04x:%04x]", margin, last_sibling(t, i) ? "\\-" : "+-",
	       PCI_SLOT(f->addr.devfn), PCI_FUNC(f->addr.devfn), f->vendor, f->device);
	if (pci_func_is_bridge(f))
		printf(" -[%02x-%02x]%s", f->sec_bus, f->sub_bus,
		       f->bridge_problem ? " (not followed)" : "");
	printf("\n");
}

static void print_faults(const struct pci_func *f)
{
	char bdf[16], msg[96];

	pci_bdf_str(f->addr, bdf);
	if (pci_func_is_bridge(f) && f->bridge_problem)
		printf("  %s: bridge to buses %02x-%02x not followed: %s\n", bdf,
		       f->sec_bus, f->sub_bus, pci_bridge_problem_str(f->bridge_problem));
	if (pci_cap_fault_str(&f->cap_fault, msg, sizeof(msg)))
		printf("  %s: %s\n", bdf, msg);
	if (pci_cap_fault_str(&f->ext_cap_fault, msg, sizeof(msg)))
		printf("  %s: %s\n", bdf, msg);
}

void pci_print_topology(const struct pci_topology *t)
{
	char line[128];

	for (int i = 0; i < t->count; i++)
		print_tree_line(t, i);
	for (int i = 0; i < t->count; i++) {
		printf("%s\n", pci_func_describe(&t->funcs[i], line, sizeof(line)));
		print_faults(&t->funcs[i]);
	}
	if (t->truncated)
		printf("  (listing truncated at %d functions)\n", PCI_MAX_FUNCS);
}
