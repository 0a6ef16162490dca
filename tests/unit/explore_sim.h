/*
 * explore_sim.h - the explorer's target on the simulated machine: the spec's
 * hot-plug root port (sim_rootport.c, spec_conforming) at 00:12.0 with a
 * virtio-net behind it, or the same port with one deviation (a mutant), for
 * testing the explorer itself without QEMU (tests/unit/test_explore.c).
 */
#ifndef EXPLORE_SIM_H
#define EXPLORE_SIM_H

#include "explore_run.h"

enum explore_mutant {
	MUT_NONE,
	MUT_ABPE_READ_ONLY,	/* an RW bit made read-only */
	MUT_DLLSC_STICKY,	/* an RW1C bit that does not clear */
	MUT_NO_PDC,		/* an event never raised */
	MUT_NEVER_COMPLETES,	/* a command that never completes */
	MUT_CHILD_STAYS,	/* a device that stays visible after power-off */
	MUT_MIGRATION_DROPS_EVENTS,	/* state altered across a migration */
	MUT_MIGRATION_REFUSED,	/* a migration refused from a powered-off slot */
	MUT_UPPER_BYTE_NO_COMMAND,	/* 8-bit write to Slot Control's upper byte ignored */
	MUT_DWORD_DROPS_STATUS,	/* 32-bit write over Slot Control+Status: status half lost */
	MUT_LD_IGNORED,		/* Link Disable does nothing */
	MUT_NO_DEVICE_DELETED,	/* the adapter leaves, the host never says DEVICE_DELETED */
	MUT_MIGRATION_CHANGES_WIDTH,	/* state the model predicts no exact value of, changed */
	MUT_COUNT
};

#define EXPLORE_SIM_PORT	"00:12.0"
#define EXPLORE_SIM_VENDOR	0x1af4

const char *explore_mutant_name(int mutant);
/* A target on the simulated machine; each reset builds it afresh. */
void explore_sim_target(struct xtarget *t, int mutant);

#endif
