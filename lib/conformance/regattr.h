/*
 * regattr.h - register attributes of the PCI Express capability's Link and
 * Slot registers, as data: what the PCI Express Base Specification r5.0
 * says each field does when written (§7.4 Table 7-2 defines the attribute
 * words; §7.5.3.6-11 and §7.5.3.18-23 the registers), and a pure
 * classification of what a register was seen to do when written.
 *
 * No hardware access here: lib/regprobe.h writes the patterns, the guest
 * test slot-regs compares the two.
 */
#ifndef LIB_REGATTR_H
#define LIB_REGATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Attributes (PCIe r5.0 §7.4 Table 7-2), reduced to what a write can show. */
enum regattr_attr {
	RA_RO,		/* RO, HwInit, ROS: writes have no effect */
	RA_RW,		/* RW, RWS: reads back what was written */
	RA_RW_OR_ZERO,	/* RW, or "permitted to be hardwired to 0" (optional) */
	RA_RW_READS_ZERO, /* RW whose reads always return 0 (Retrain Link) */
	RA_RW1C,	/* RW1C, RW1CS: writing 1 clears a set bit, 0 does nothing */
	RA_ZERO,	/* must be hardwired to 0 */
	RA_RSVDP,	/* RsvdP: reads 0; software writes back what it read */
	RA_RSVDZ,	/* RsvdZ: reads 0; software writes 0 */
	RA_UNDEFINED,	/* the spec leaves the value undefined: not checked */
	RA_ONE,		/* must be hardwired to 1 */
};

/* When a field has its main attribute (else it has attr_else). */
enum regattr_cond {
	RC_ALWAYS,
	RC_ABP,		/* SLTCAP Attention Button Present */
	RC_PCP,		/* SLTCAP Power Controller Present */
	RC_MRLSP,	/* SLTCAP MRL Sensor Present */
	RC_AIP,		/* SLTCAP Attention Indicator Present */
	RC_PIP,		/* SLTCAP Power Indicator Present */
	RC_HPC,		/* SLTCAP Hot-Plug Capable */
	RC_EIP,		/* SLTCAP Electromechanical Interlock Present */
	RC_CLKPM,	/* LNKCAP Clock Power Management */
	RC_DLLLARC,	/* LNKCAP Data Link Layer Link Active Reporting Capable */
	RC_LBNC,	/* LNKCAP Link Bandwidth Notification Capability */
	RC_FAST,	/* a link speed above 2.5 GT/s supported (LNKCAP SLS > 1) */
	RC_DRS,		/* LNKCAP2 DRS Supported (bit 31) */
	RC_IBPD,	/* SLTCAP2 In-Band PD Disable Supported */
	RC_NCCS,	/* SLTCAP No Command Completed Support */
	RC_FLIT,	/* PCI Express Capabilities Flit Mode Supported (r6.0) */
	RC_ROOT_PORT,	/* the port is a Root Port (not a Switch Downstream Port) */
	/* r5.0 §7.5.3.6: DLLLARC required: hot-plug capable, or faster than 5 GT/s */
	RC_DLLLARC_REQUIRED,
	/* For the rest of the configuration space (lib/conformance/cfgattr.c): */
	RC_PCIE,	/* the function has a PCI Express capability */
	RC_BIST,	/* BIST Capable (BIST register bit 7) */
	RC_PME,		/* PM Capabilities PME_Support (bits 15:11) not 0 */
	RC_ARI_FWD,	/* DEVCAP2 ARI Forwarding Supported (bit 5) */
	RC_CRSSV,	/* Root Capabilities CRS Software Visibility (bit 0) */
	RC_ECRC_GEN,	/* AER ECRC Generation Capable (bit 5) */
	RC_ECRC_CHK,	/* AER ECRC Check Capable (bit 7) */
};

/* Field flags. */
#define RA_F_DESTRUCTIVE 0x01	/* may unplug or take the link down: empty slot only */
#define RA_F_INDICATOR	 0x02	/* 2-bit indicator: probe with On (01b) and Blink (10b) */
#define RA_F_SPEED	 0x04	/* link speed: probe with 2.5 GT/s (1) and 5 GT/s (2) */
#define RA_F_OWN_CHECK	 0x08	/* probed by a check of its own (EIC toggles EIS) */

struct regattr_field {
	const char *name;	/* lib/pci/pci_regs.h name (SLOTPROBE_ ones are ours), or
				   "REG bit N (what)"; the stringified macro, so
				   #define F() must not expand it first */
	uint32_t mask;
	uint8_t attr;		/* enum regattr_attr when cond holds */
	uint8_t cond;		/* enum regattr_cond */
	uint8_t attr_else;	/* when it does not */
	uint8_t flags;
	uint8_t zero_if;	/* a condition that makes it hardwired 0 first (0: none) */
};

/* Register kinds: how slot-regs probes them. */
enum regattr_kind {
	RK_CAPABILITY,	/* all RO: write ones and zeros, expect no change */
	RK_CONTROL,	/* field by field */
	RK_COMMAND,	/* Slot Control: field by field, each write one command */
	RK_STATUS,	/* RO fields written; RW1C fields cleared where set */
};

#define REGATTR_MAX_FIELDS 20

struct regattr_reg {
	const char *name;	/* "PCI_EXP_SLTCTL" */
	const char *obs;	/* "SLTCTL": the register's name on the host link */
	const char *spec;	/* "PCIe r5.0 7.5.3.10" (ASCII: it goes on the host link) */
	uint8_t offset;		/* within the PCI Express capability */
	uint8_t width;		/* bytes: 2 or 4 */
	uint8_t min_version;	/* PCI Express Capability Version that has it */
	uint8_t kind;		/* enum regattr_kind */
	const struct regattr_field *fields;
	int nfields;
};

extern const struct regattr_reg regattr_regs[];
extern const int regattr_nregs;
const struct regattr_reg *regattr_find(const char *name);

/* What the conditions are decided from: the port's capability registers. */
struct regattr_ctx {
	uint32_t sltcap, lnkcap, lnkcap2, sltcap2;
	uint16_t flags;		/* PCI Express Capabilities register */
	uint8_t port_type;	/* PCI_EXP_TYPE_* */
	/* cfgattr's conditions: the function's other capability registers */
	uint32_t pmc, devcap2, rtcap, aercap, bist;
	bool pcie;
};

bool regattr_cond_holds(uint8_t cond, const struct regattr_ctx *c);
/* The attribute @f must have on a port described by @c. */
uint8_t regattr_expected(const struct regattr_field *f, const struct regattr_ctx *c);
/* "RO", "RW", "RW or hardwired 0", ... */
const char *regattr_attr_str(uint8_t attr);
/* "DLLLARC=1": the condition and whether it holds, for messages ("" for RC_ALWAYS). */
const char *regattr_cond_str(char *buf, size_t len, uint8_t cond, const struct regattr_ctx *c);

/*
 * A field's identity for the harness (report_keyed(), lib/runtime/report.h):
 * its lib/pci/pci_regs.h name, or "PCI_EXP_LNKCTL2[15:12]" (the register
 * and bits) for bits Linux leaves unnamed; and the CONTRACT_COND_* word of
 * attribute @attr ("writable" for RA_RW).
 */
const char *regattr_key_field(char *buf, size_t len, const struct regattr_reg *r,
			      const struct regattr_field *f);
/* ... for a field of the register named @reg (lib/conformance/cfgattr.c's tables). */
const char *regattr_key_name(char *buf, size_t len, const char *reg,
			     const struct regattr_field *f);
const char *regattr_attr_cond(uint8_t attr);

/* ---- what a probe saw ---- */

enum regattr_seen_kind {
	RS_NOT_PROBED,	/* not written (destructive here, RW1C bit not set, own check) */
	RS_READ_ONLY,	/* only read (reserved fields) */
	RS_RW,		/* both patterns read back */
	RS_RO,		/* both writes left the value unchanged */
	RS_READS_ZERO,	/* read 0 after both writes, though it was not 0 before */
	RS_PARTIAL,	/* some bits took a pattern, some did not */
	RS_CLEARED,	/* RW1C: a set bit cleared by writing 1 (and kept by writing 0) */
	RS_NOT_CLEARED,	/* RW1C: writing 1 left the bit set */
	RS_CLEARED_BY_0, /* RW1C: writing 0 cleared it */
};

/*
 * One field's probe: the value before, the two patterns written (already
 * shifted into the field) and what was read after each.
 */
struct regattr_probe {
	uint32_t mask;
	uint32_t before;
	uint32_t pat_a, after_a;
	uint32_t pat_b, after_b;
};

/* RS_RW, RS_RO, RS_READS_ZERO or RS_PARTIAL from the read-backs. */
uint8_t regattr_classify(const struct regattr_probe *p);
/* The two patterns for field @f: ones and zeros, or On/Blink, or 2.5/5 GT/s. */
void regattr_patterns(const struct regattr_field *f, uint32_t *a, uint32_t *b);

struct regattr_seen {
	uint8_t kind;		/* enum regattr_seen_kind */
	uint32_t value;		/* the field's bits before probing */
};

/*
 * Does what was seen agree with @attr? Not probed counts as agreeing (the
 * caller reports what was not probed); a value is checked where the
 * attribute fixes it (hardwired 0, reserved).
 */
bool regattr_conforms(uint8_t attr, const struct regattr_seen *s);
/* "RW", "RO (reads 0x1)", "RW1C (cleared)", "not probed" ... */
const char *regattr_seen_str(char *buf, size_t len, const struct regattr_seen *s,
			     uint32_t mask);

#endif
