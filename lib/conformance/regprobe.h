/*
 * regprobe.h - find out what a slot's Link and Slot registers do when
 * written: patterns written field by field, read back, the register
 * restored (lib/conformance/regattr.h has the tables and the classification).
 *
 * Slot Control writes are commands (PCIe r5.0 §6.7.3.2): each pattern is
 * written with slot_write_cmd() and waited for. Status registers: RO fields
 * are written with 1s and 0s (0 on every RW1C bit); an RW1C field is probed
 * only when it is set (write 0: must stay set; write 1: must clear).
 * Reserved fields and fields that must be hardwired to 0 are only read.
 */
#ifndef LIB_REGPROBE_H
#define LIB_REGPROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "slot.h"
#include "regattr.h"

struct regprobe_result {
	const struct regattr_reg *reg;
	uint32_t before;	/* the register before probing */
	uint32_t after;		/* ... and after, restored */
	struct regattr_seen seen[REGATTR_MAX_FIELDS];
	unsigned int commands;	/* Slot Control writes */
	unsigned int commands_failed;	/* ... whose Command Completed never came */
};

/* PCI Express Capability Version of the port (PCI_EXP_FLAGS_VERS). */
uint8_t regprobe_exp_version(const struct pcie_slot *s);
/* The capability registers the attribute conditions depend on. */
void regprobe_ctx(const struct pcie_slot *s, struct regattr_ctx *c);
/* Reads register @r of @s's PCI Express capability at its width. */
uint32_t regprobe_read(const struct pcie_slot *s, const struct regattr_reg *r);

/*
 * Probes register @r: every field that can be probed here. Fields flagged
 * RA_F_DESTRUCTIVE only when @destructive_ok, and only those then when
 * @only_destructive (the second pass, on an emptied slot).
 */
void regprobe_register(struct pcie_slot *s, const struct regattr_reg *r,
		       const struct regattr_ctx *c, bool destructive_ok,
		       bool only_destructive, struct regprobe_result *out);

#endif
