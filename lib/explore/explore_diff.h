/*
 * explore_diff.h - the migration-differential oracle (issue 14): after a
 * migration that succeeded, every register must read what the same
 * sequence reads without the migration. A sequence that migrated and broke
 * no rule of the model is replayed with its migration steps left out, and
 * every read compared, except the bits the model says timing alone may
 * change at that read in either run (xmodel_timing_bits: levels on their
 * way, events within their windows, the slot undefined). A difference is a
 * finding (oracle XOR_DIFF, rule XR_MIGRATION_DIFF) naming the register,
 * the field and both values: state the migration changed where the model
 * does not predict one exact value (a link width, a field it learns), which
 * the model's own checks cannot see.
 */
#ifndef LIB_EXPLORE_DIFF_H
#define LIB_EXPLORE_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include "explore_run.h"

/* One run of a sequence as the oracle compares it. */
struct xdiff_run {
	bool migrated;			/* a migration step succeeded */
	uint32_t value[XSEQ_MAX];	/* what each read step read */
	uint32_t timing[XSEQ_MAX];	/* ... and the bits timing may change there */
};

void xdiff_start(struct xdiff_run *r);
/* Step @i (@s, observed @o) before the model takes it: call ahead of xmodel_step(). */
void xdiff_note(struct xdiff_run *r, struct xmodel *m, int i, const struct xstep *s,
		const struct xobs *o);
/*
 * @q ran as @r without a finding: replays it without its migration steps
 * and compares. True, with @f (its step: the read in @q), when a read
 * differs beyond timing; false when @q did not migrate, or the replay
 * broke a rule itself (then that, not the migration, is the story).
 */
bool xdiff_check(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		 const struct xdiff_run *r, struct xfinding *f);

#endif
