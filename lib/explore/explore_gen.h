/*
 * explore_gen.h - the explorer's generator: seeded random steps covering
 * what a guest and a host can do to a hot-plug port. Guest accesses at every
 * width and alignment (8-bit to either byte of Slot Control, 16-bit, 32-bit
 * covering Slot Control and Slot Status; the same for Link Control/Status and
 * the "2" registers; reads of all of them), every Slot Control field and
 * value (reserved indicator encodings, Power Controller Control with and
 * without indicator changes, the interlock, every enable), Link Control
 * fields (Link Disable, Retrain Link, ASPM), RW1C writes with masks that
 * include bits not set, writes to read-only registers, reads of the function
 * behind the slot, host device_add / device_del / migration, bounded delays.
 *
 * The generator reads the model (explore_model.h) to spend a real port's
 * time where it tells something: a Slot Control write or a device_add/del
 * while a command may be in progress is preceded by a wait-cc (a delay when
 * a Command Completed already set hides the completion) unless the overlap
 * percentage says not; a Command Completed left set is mostly cleared before
 * a command; wait-cc steps come mostly where a completion is due.
 */
#ifndef LIB_EXPLORE_GEN_H
#define LIB_EXPLORE_GEN_H

#include <stdint.h>
#include "explore_model.h"
#include "explore_seq.h"

enum xgen_kind {
	XG_READ, XG_SLTCTL, XG_SLTSTA, XG_LNKCTL, XG_LNKSTA, XG_REGS2, XG_CAPS,
	XG_CHILD, XG_WAIT_CC, XG_DELAY, XG_ADD, XG_DEL, XG_MIGRATE, XG_KINDS
};

struct xgen_cfg {
	uint16_t weight[XG_KINDS];	/* relative; 0 never */
	int min_len, max_len;		/* steps per sequence */
	uint32_t max_delay_ms;		/* longest delay step */
	uint8_t long_delay_pct;		/* % of delays that long; the rest 200 ms at most */
	uint8_t idle_wait_pct;		/* % of wait-cc steps with no Command Completed coming */
	uint8_t overlap_pct;		/* % of commands written without waiting */
	bool one_migration;		/* each sequence migrates once, at a random step
					   (XG_MIGRATE's weight then unused): the issue's
					   "sequences with one migration each" */
};

void xgen_defaults(struct xgen_cfg *c);
/* The next step; @now is the sequence's time (µs). */
struct xstep xgen_next(const struct xgen_cfg *c, struct xrng *r, struct xmodel *m,
		       uint64_t now);
/* This sequence's length, from @r. */
int xgen_length(const struct xgen_cfg *c, struct xrng *r);

#endif
