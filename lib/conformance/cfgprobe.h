/*
 * cfgprobe.h - measure what every 16-bit word of a function's configuration
 * space does when written, safely: which bits take a value (writable), which
 * set bits a 1 clears (RW1C), which do neither (read-only). For
 * `slotprobe fingerprint` (tests/fingerprint.c).
 *
 * A plan (cfgprobe_plan_func) says per word which bits may be written: only
 * the header and the bodies of capabilities whose length is known (the rest
 * of a function's space holds device-specific registers, e.g. the Q35 host
 * bridge's ECAM base, that a stray write can take the VM away with), and,
 * within them, never a field that can take a device away or stop the VM:
 * decoding and bus mastering, BARs while decoding is on, bus numbers and
 * windows of a bridge in use, Secondary Bus Reset, FLR, Link Disable and
 * compliance on an occupied link, Power Controller Control and the
 * interlock, the power state, MSI/MSI-X enable. Each protected bit carries
 * its reason, for the list of what was not probed.
 *
 * A probe (cfgprobe_word) writes zeros, then ones, into the word's free
 * bits (protected bits keep their value), reads back after each, then
 * writes the word back as it was (RW1C bits it cleared stay clear: a
 * cleared event cannot be set again by software). Slot Control is written
 * one command at a time through lib/slot/slot.h (PCIe r5.0 §6.7.3.2).
 */
#ifndef LIB_CFGPROBE_H
#define LIB_CFGPROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"
#include "slot.h"

/* Why a bit was not written; CP_PROBED for bits that were. */
enum cfgprobe_reason {
	CP_PROBED,
	CP_OUTSIDE,	/* outside the header and every capability of known length */
	CP_DECODE,	/* Command I/O, Memory, Bus Master: the function is in use */
	CP_BAR,		/* a BAR or ROM BAR while decoding is on */
	CP_BUS,		/* bus numbers of a bridge in use */
	CP_WINDOW,	/* a window of a bridge with functions behind it */
	CP_SBR,		/* Secondary Bus Reset */
	CP_FLR,		/* Initiate Function Level Reset */
	CP_LINK,	/* Link Disable / Enter Compliance with a device on the link */
	CP_POWER,	/* Power Controller Control (powers the slot off) */
	CP_INTERLOCK,	/* Electromechanical Interlock Control (toggles it) */
	CP_PSTATE,	/* PM PowerState (D3hot takes the function away) */
	CP_IRQ,		/* MSI / MSI-X Enable (would send messages with probe values) */
	CP_NREASONS
};

/* "outside", "decode", ...: one word, for the host link. */
const char *cfgprobe_reason_str(uint8_t reason);

#define CFGPROBE_WORDS (PCI_CFG_SPACE_EXP_SIZE / 2)

struct cfgprobe_plan {
	uint16_t size;			/* bytes: 256 or 4096 */
	uint16_t protect[CFGPROBE_WORDS];	/* per word: bits not to write */
	uint8_t reason[CFGPROBE_WORDS];	/* why (the first reason set) */
	uint16_t slot_ctl;		/* offset of Slot Control, 0 without a slot */
};

/*
 * The plan for function @f. @occupied: something answers behind it (a
 * bridge with functions below, a port whose link has a device).
 */
void cfgprobe_plan_func(const struct pci_func *f, bool occupied, struct cfgprobe_plan *p);
/* @occupied for function @index of @t: a function was enumerated below it. */
bool cfgprobe_occupied(const struct pci_topology *t, int index);

/* What one word did. */
struct cfgprobe_word {
	uint16_t before;	/* as found */
	uint16_t writable;	/* read 0 after zeros and 1 after ones */
	uint16_t rw1c;		/* set before, cleared by writing ones, kept by zeros */
	uint16_t after;		/* after the restore */
	bool restored;		/* after == before, RW1C bits it cleared aside */
};

/*
 * Probes the word at @off (even) of @d with plan @p. @slot: the function's
 * slot when it has one (Slot Control goes through slot_write_cmd), else NULL.
 */
void cfgprobe_word(struct pci_bdf d, uint16_t off, const struct cfgprobe_plan *p,
		   struct pcie_slot *slot, struct cfgprobe_word *out);

#endif
