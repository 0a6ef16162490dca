/*
 * script_run.h - the runner of the guest interpreter of scripted actions
 * (guest test "script"): it keeps the loaded steps and the saved values and
 * runs the steps against the machine. The format and the parser: script.h.
 */
#ifndef LIB_SCRIPT_RUN_H
#define LIB_SCRIPT_RUN_H

#include <stdbool.h>
#include "script.h"

/*
 * Parses a whole script into the runner's steps (see script_parse()),
 * forgetting saved values. Returns the number of steps, or -1 with the
 * reason in @err (and no steps loaded).
 */
int script_load(const char *text, char *err, int errlen);
const struct script_step *script_step_at(int i);

/*
 * Runs one step: reads print "line 12: read16 00:12.0 SLTSTA = 0x0040" and
 * send an obs line; expect, expect-same and the slot operations make one
 * report() each; checkpoints wait for the harness's go-ahead (deadline in
 * lib/runtime/hostlink.c). Returns false when a checkpoint got no go-ahead: the
 * harness is gone, so the rest of the script would run unobserved.
 */
bool script_run_step(const struct script_step *st);
/* Every loaded step in order, up to a checkpoint without go-ahead. */
void script_run(void);

#endif
