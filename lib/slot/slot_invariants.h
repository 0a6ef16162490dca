/*
 * slot_invariants.h - what software last told a hot-plug slot, and whether the
 * slot still shows it: the invariants a long-running exerciser checks after
 * every operation and every migration (tests/continuous.c). Pure logic,
 * registers in, findings out, so the host unit tests cover it.
 *
 *   Slot Control (PCIe r5.0 §7.5.3.10) reads back what was last commanded,
 *     in the tracked bits (PCC, PIC, AIC and the enables; slot_expect_bits);
 *   Slot Status events (§7.5.3.11, RW1C) are set only when an operation may
 *     have raised them, and once seen they stay set until software clears
 *     them (a lost Presence Detect Changed is a lost hotplug);
 *   Command Completed (§6.7.3.2) appears only after a command whose
 *     completion software did not consume itself;
 *   a function answering behind the slot means Presence Detect State is
 *     set; once the slot settled, PDS does not change without a cause; no
 *     link is active in a slot that says it is empty (§7.5.3.8 DLLLA).
 *
 * The model assumes the port acts on a command before it completes it (as
 * QEMU does, synchronously): presence is learnt right after each operation.
 */
#ifndef LIB_SLOT_INVARIANTS_H
#define LIB_SLOT_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "report.h"
#include "slot.h"

struct slot_expect {
	uint32_t sltcap, lnkcap;
	uint16_t ctl_mask;	/* Slot Control bits tracked */
	uint16_t sltctl;	/* their last commanded value */
	uint16_t events_may;	/* events an operation may have raised, not cleared since */
	uint16_t events_must;	/* events seen raised and not cleared: must still read 1 */
	bool pds_known;		/* settled: PDS must read as pds */
	bool pds;
};

/* What the slot shows at one moment. */
struct slot_seen {
	struct slot_regs r;
	bool child_answers;	/* function 0 behind the slot answers config reads */
};

/* Findings (a bit mask). */
#define SLOT_BAD_GONE		0x01	/* the port reads all ones */
#define SLOT_BAD_CTL		0x02	/* Slot Control differs from the last command */
#define SLOT_BAD_EVENT		0x04	/* an event bit nothing caused */
#define SLOT_BAD_LOST		0x08	/* an event seen set is clear, nobody cleared it */
#define SLOT_BAD_PRESENCE	0x10	/* PDS vs a function answering, or PDS changed */
#define SLOT_BAD_LINK		0x20	/* DLLLA set while PDS says empty */
#define SLOT_BAD_ALL		0x3f
#define SLOT_BAD_KINDS		6

/* The Slot Control bits a port with @sltcap lets software command and check. */
uint16_t slot_expect_bits(uint32_t sltcap);

/* Start from what the slot shows now (events cleared by the caller first). */
void slot_expect_init(struct slot_expect *e, uint32_t sltcap, uint32_t lnkcap,
		      const struct slot_seen *now);

/*
 * A Slot Control command of @val in @mask was written. @consumed: software
 * waited for its Command Completed and cleared it (slot_write_cmd returned
 * true); else CC may show up and stay. Touching PCC or PIC of a slot that
 * may hold an adapter may unplug or power it (PDC, DLLSC, PDS change).
 */
void slot_expect_command(struct slot_expect *e, uint16_t val, uint16_t mask, bool consumed);

/* Software cleared these RW1C events. */
void slot_expect_cleared(struct slot_expect *e, uint16_t events);

/* The findings about @now (0: all invariants hold). */
unsigned int slot_expect_check(const struct slot_expect *e, const struct slot_seen *now);

/*
 * After a check: what may have been raised and is seen set must persist;
 * presence is settled at what it reads. After findings, resynchronise by
 * clearing the events and calling slot_expect_init() again.
 */
void slot_expect_learn(struct slot_expect *e, const struct slot_seen *now);

/* One line (no newline) about finding @bit: what was expected, what was read. */
const char *slot_expect_explain(char *buf, size_t size, unsigned int bit,
				const struct slot_expect *e, const struct slot_seen *now);

/*
 * The identity of each finding in @bad (a register or field and the
 * CONTRACT_COND_* it breaks), for report_keys(); at most @max, returns how
 * many. SLOT_BAD_LINK is the rule check_slot_consistent() keys the same way.
 */
int slot_expect_keys(unsigned int bad, struct report_key *keys, int max);

/* Slot Control as commanded (the untracked bits as read in @now). */
uint16_t slot_expect_sltctl(const struct slot_expect *e, const struct slot_seen *now);

#endif
