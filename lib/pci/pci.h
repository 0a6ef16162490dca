/*
 * pci.h - PCI addresses, configuration access and enumeration.
 *
 * Configuration access goes through ECAM (ACPI MCFG) when the firmware has
 * one, else through the legacy 0xCF8/0xCFC ports for the first 256 bytes
 * (extended-space checks are then skipped, see pci_cfg_has_extended()).
 */
#ifndef LIB_PCI_H
#define LIB_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_CFG_SIZE 4096

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

/*
 * "00:12.0" or "0000:00:12.0" (hex fields: segment <= ffff, bus <= ff,
 * device <= 1f, function <= 7, nothing after); returns 0 or -1.
 */
int pci_bdf_parse(const char *s, struct pci_bdf *out);
/* "00:12.0" on segment 0, "0001:00:12.0" elsewhere; into @buf (>= 16 bytes). */
const char *pci_bdf_str(struct pci_bdf d, char *buf);

/* One ECAM window, as an MCFG allocation describes it. */
struct ecam_window {
	uint64_t base;
	uint16_t seg;
	uint8_t bus_start;
	uint8_t bus_end;
};

#define PCI_MAX_ECAM_WINDOWS 16

/*
 * Choose the access method. ECAM: windows copied (at most
 * PCI_MAX_ECAM_WINDOWS), offsets up to 4095. Port I/O (config mechanism #1):
 * segment 0, offsets up to 255. Before either is chosen, nothing is reachable.
 */
void pci_cfg_use_ecam(const struct ecam_window *w, int count);
void pci_cfg_use_portio(void);
bool pci_cfg_has_extended(void);
/* The windows config access uses (ECAM), or a single segment 0 bus 0..255 one. */
int pci_cfg_windows(const struct ecam_window **w);

/*
 * One access of exactly the given width (a 16-bit register with a 16-bit
 * access: Slot Control writes are commands, PCIe r5.0 §6.7.3.2).
 * Misaligned or out-of-range offsets, and buses outside every window:
 * reads return all ones, writes are dropped.
 */
uint8_t pci_cfg_read8(struct pci_bdf d, uint16_t off);
uint16_t pci_cfg_read16(struct pci_bdf d, uint16_t off);
uint32_t pci_cfg_read32(struct pci_bdf d, uint16_t off);
void pci_cfg_write8(struct pci_bdf d, uint16_t off, uint8_t val);
void pci_cfg_write16(struct pci_bdf d, uint16_t off, uint16_t val);
void pci_cfg_write32(struct pci_bdf d, uint16_t off, uint32_t val);
/* The same by a width in bytes known only at run time (1, 2 or 4; else as misaligned). */
uint32_t pci_cfg_read(struct pci_bdf d, uint16_t off, unsigned int size);
void pci_cfg_write(struct pci_bdf d, uint16_t off, unsigned int size, uint32_t val);

/* Vendor ID; 0xffff (or 0x0000 from some broken devices) when absent. */
uint16_t pci_vendor(struct pci_bdf d);
bool pci_func_present(struct pci_bdf d);

/* Capability lists, guarded against loops and out-of-range pointers. 0: none. */
uint8_t pci_find_cap(struct pci_bdf d, uint8_t cap_id);
uint16_t pci_find_ext_cap(struct pci_bdf d, uint16_t cap_id);

/* Why a capability walk stopped early: what a listing reports. */
enum pci_cap_stop {
	PCI_CAP_STOP_NONE,	/* still walking, or the list ended properly */
	PCI_CAP_STOP_LOOP,	/* @at is an offset visited before */
	PCI_CAP_STOP_BAD_PTR,	/* @from points to @at: header or out of range */
	PCI_CAP_STOP_ALL_ONES,	/* the capability at @at reads all ones */
	PCI_CAP_STOP_TOO_LONG,	/* more hops than the space can hold */
};

struct pci_cap_fault {
	uint8_t stop;		/* enum pci_cap_stop */
	bool extended;
	uint16_t from;		/* capability holding the pointer; 0: the list head */
	uint16_t at;
};

/*
 * Walks one list:
 *	struct pci_cap_iter it;
 *	pci_cap_iter_init(&it, d, false);
 *	while (pci_cap_iter_next(&it))
 *		use(it.pos, it.id);
 *	if (it.fault.stop) ... pci_cap_fault_str(&it.fault, buf, len);
 * Standard list: only with PCI_STATUS_CAP_LIST; pointers masked with ~3 and
 * within 0x40..0xff (PCI 3.0 §6.7). Extended list: from 0x100, pointers
 * within 0x100..0xfff (PCIe r5.0 §7.6.3); none without ECAM.
 */
struct pci_cap_iter {
	struct pci_bdf dev;
	bool extended;
	uint16_t pos;		/* current capability: offset, ID, version */
	uint16_t id;
	uint8_t version;
	uint16_t next;		/* private: next offset, 0 at the end */
	int hops;
	uint8_t seen[(PCI_MAX_CFG_SIZE / 4 + 7) / 8];	/* visited dword offsets */
	struct pci_cap_fault fault;
};

void pci_cap_iter_init(struct pci_cap_iter *it, struct pci_bdf d, bool extended);
bool pci_cap_iter_next(struct pci_cap_iter *it);
/* "capability list loops at 0x48"; NULL when the walk had no fault. */
const char *pci_cap_fault_str(const struct pci_cap_fault *f, char *buf, size_t len);

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
	bool multifunction;	/* function 0's header type says so */
	uint8_t bridge_problem;	/* enum pci_bridge_problem: why not followed */
	struct pci_cap_fault cap_fault;		/* standard list walk */
	struct pci_cap_fault ext_cap_fault;	/* extended list walk */
};

/* Why enumeration did not follow a bridge (the firmware's numbers are kept). */
enum pci_bridge_problem {
	PCI_BRIDGE_OK,
	PCI_BRIDGE_SEC_ZERO,		/* secondary bus 0: not configured */
	PCI_BRIDGE_SEC_NOT_ABOVE,	/* secondary <= the bridge's own bus */
	PCI_BRIDGE_SEC_OUTSIDE,		/* outside the window / parent's bus range */
	PCI_BRIDGE_SUB_BELOW_SEC,	/* subordinate < secondary */
	PCI_BRIDGE_BUS_SEEN,		/* that bus was already scanned */
};

#define PCI_MAX_FUNCS 256

struct pci_topology {
	struct pci_func funcs[PCI_MAX_FUNCS];
	int count;
	bool truncated;		/* more functions than PCI_MAX_FUNCS */
};

/*
 * Walk every configured segment and bus reachable through bridges: from each
 * window's start bus (segment 0 bus 0 with port I/O), following the bus
 * numbers the firmware assigned (never renumbering). Functions are stored
 * depth first, each bridge followed by what is behind it. Returns the count.
 */
int pci_enumerate(struct pci_topology *t);
const struct pci_func *pci_topology_find(const struct pci_topology *t, struct pci_bdf d);

bool pci_func_is_bridge(const struct pci_func *f);
/* "PCIe Root Port", "Upstream Port", ...; "unknown PCIe type" otherwise. */
const char *pci_exp_type_name(uint8_t type);
const char *pci_bridge_problem_str(uint8_t problem);
/* "00:12.0 [1b36:000c] class 0604 PCIe Root Port, slot" into @buf. */
const char *pci_func_describe(const struct pci_func *f, char *buf, size_t len);
/* An lspci -tv like tree, one line per function, then the faults found. */
void pci_print_topology(const struct pci_topology *t);

#endif
