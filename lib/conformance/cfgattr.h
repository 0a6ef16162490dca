/*
 * cfgattr.h - register attributes for the rest of the configuration space,
 * as data, and the judgement of what lib/conformance/cfgprobe.h measured
 * against them: the Type 0 / Type 1 headers as PCIe r5.0 §7.5.1 amends
 * them, the PCI Express capability's Device, Root and "2" registers (its
 * Link and Slot registers are regattr.c's tables, judged here too for
 * Downstream Ports), Power Management, MSI, MSI-X, AER and ACS.
 *
 * Fields reuse struct regattr_field (attribute, condition, attribute
 * otherwise); registers are named as in lib/pci/pci_regs.def.
 */
#ifndef LIB_CFGATTR_H
#define LIB_CFGATTR_H

#include <stdbool.h>
#include <stdint.h>
#include "cfgprobe.h"
#include "pci.h"
#include "regattr.h"

/* Where a register lives. */
enum cfgattr_space { CA_HDR, CA_TYPE0, CA_TYPE1, CA_CAP, CA_EXT };

/* When a register exists beyond its capability being present. */
enum cfgattr_presence {
	CA_ALWAYS,
	CA_PCIE_V2,	/* PCI Express Capability Version >= 2 */
	CA_ROOT,	/* Root Port or Root Complex Event Collector */
	CA_MSI32,	/* MSI without 64-bit addressing */
	CA_MSI64,	/* MSI with 64-bit addressing */
};

struct cfgattr_reg {
	const char *name;	/* pci_regs.def name: "PCI_COMMAND" */
	const char *spec;	/* "PCIe r5.0 7.5.1.1.3" */
	uint8_t space;		/* enum cfgattr_space */
	uint16_t cap;		/* PCI_CAP_ID_* / PCI_EXT_CAP_ID_* for CA_CAP / CA_EXT */
	uint16_t offset;	/* in the header or the capability */
	uint8_t width;		/* bytes: 1, 2 or 4 */
	uint8_t presence;	/* enum cfgattr_presence */
	const struct regattr_field *fields;
	int nfields;
};

extern const struct cfgattr_reg cfgattr_regs[];
extern const int cfgattr_nregs;

/* Offset of @r in function @f's space, -1 when @f does not have it. */
int cfgattr_locate(const struct pci_func *f, const struct cfgattr_reg *r);
/* The conditions' inputs read from @f's capability registers. */
void cfgattr_ctx(const struct pci_func *f, struct regattr_ctx *c);

/*
 * What the probe of the bytes [@off, @off + width) showed for the bits
 * @mask (of a register at @off), judged for attribute @want: RW1C bits
 * that were never set cannot be told from read-only 0 and come back as
 * not probed, as do bits the plan protected (@reason says why).
 */
void cfgattr_seen(const struct cfgprobe_plan *p, const struct cfgprobe_word *words,
		  uint16_t off, uint8_t width, uint32_t mask, uint8_t want,
		  struct regattr_seen *out, uint8_t *reason);

/* One field's verdict, for the caller to report. */
struct cfgattr_verdict {
	const char *reg, *field, *spec;
	uint32_t mask;		/* the field's bits in the register */
	uint16_t off;		/* the register's offset in the function's space */
	uint8_t want;		/* enum regattr_attr */
	char cond[24];		/* "PME+" when a condition decided it */
	struct regattr_seen seen;
	uint8_t reason;		/* enum cfgprobe_reason when not probed */
	bool conforms;
	/* its key (report_keyed()): regattr_key_name() and regattr_attr_cond();
	   "" for a register lib/pci/pci_regs.def does not list (MSI address, data) */
	char key_field[64];
	const char *key_cond;
};

typedef void (*cfgattr_verdict_fn)(const struct cfgattr_verdict *v, void *arg);

/*
 * Judges every field of every table register @f has, from @words (one per
 * 16-bit word, indexed by offset / 2, probed with plan @p); calls @fn for
 * each. Returns the number of fields that do not conform.
 */
int cfgattr_judge_func(const struct pci_func *f, const struct cfgprobe_plan *p,
		       const struct cfgprobe_word *words, cfgattr_verdict_fn fn, void *arg);

/* Probes every word @p allows into @words (cfgprobe_word); returns how many were not restored. */
int cfgattr_probe_func(const struct pci_func *f, const struct cfgprobe_plan *p,
		       struct pcie_slot *slot, struct cfgprobe_word *words);

#endif
