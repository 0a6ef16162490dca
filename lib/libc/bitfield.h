/*
 * bitfield.h - register fields by their mask, as Linux's <linux/bitfield.h>:
 * FIELD_GET(PCI_EXP_SLTCTL_PIC, ctl) instead of (ctl & 0x300) >> 8, so the
 * mask in lib/pci/pci_regs.h is the only place a field's position is written.
 * @mask must be a nonzero constant.
 */
#ifndef LIB_BITFIELD_H
#define LIB_BITFIELD_H

/* The position of the mask's lowest bit. */
#define FIELD_SHIFT(mask)	__builtin_ctzll(mask)
/* The field's value, shifted down to bit 0. */
#define FIELD_GET(mask, reg)	(((reg) & (mask)) >> FIELD_SHIFT(mask))
/* @val placed in the field (bits beyond the field dropped). */
#define FIELD_PREP(mask, val)	(((val) << FIELD_SHIFT(mask)) & (mask))

#endif
