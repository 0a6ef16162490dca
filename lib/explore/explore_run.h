/*
 * explore_run.h - running sequences against a port, and triage: a campaign
 * of seeded sequences judged by the model (explore_model.h), each new
 * finding deduplicated by its signature (oracle, register, field, rule) and
 * minimized by delta debugging (drop steps, then simplify values, widths
 * and delays) to the shortest sequence that reproduces it in every replay,
 * then written as a ready plan entry with a one-paragraph summary.
 *
 * The port is reached through struct xtarget: the host unit tests plug in
 * the simulated machine, the guest the real config space and the harness.
 */
#ifndef LIB_EXPLORE_RUN_H
#define LIB_EXPLORE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include "explore_gen.h"
#include "explore_model.h"
#include "explore_seq.h"

struct xtarget {
	void *ctx;
	void (*reset)(void *ctx);	/* the port in its start state, time 0 */
	uint32_t (*read)(void *ctx, uint8_t off, uint8_t size);	/* in the PCIe capability */
	void (*write)(void *ctx, uint8_t off, uint8_t size, uint32_t v);
	uint16_t (*read_child)(void *ctx);	/* Vendor ID behind the slot */
	bool (*host)(void *ctx, uint8_t op);	/* XOP_DEVICE_ADD/DEL, XOP_MIGRATE: accepted? */
	void (*delay_us)(void *ctx, uint64_t us);
	uint64_t (*now_us)(void *ctx);
	/* DEVICE_DELETED events so far, as the host last said (NULL: not told) */
	uint32_t (*deleted)(void *ctx);
};

/* Runs one step (wait-cc polls with a 1 s deadline, as lib/script.c's). */
void xexec_step(const struct xtarget *t, const struct regattr_ctx *caps,
		const struct xstep *s, struct xobs *o);

/* Resets the target and starts @m on it (capabilities, then the prologue reads). */
bool xrun_begin(const struct xtarget *t, const struct xmodel_cfg *mc, struct xmodel *m,
		struct xfinding *f);
/* Replays @q from the start state; the index of the first finding, or -1. */
int xrun_replay(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		struct xfinding *f);

bool xfinding_same(const struct xfinding *a, const struct xfinding *b);

struct xcampaign_cfg {
	uint64_t seed;
	int sequences;		/* sequence indices 0 .. sequences-1; 0: until the budget */
	int shard, shards;	/* only indices i with i % shards == shard - 1 (0, 0: all) */
	struct xgen_cfg gen;
	struct xmodel_cfg model;
	int replays;		/* a minimized finding reproduces in all of them (0: XREPLAYS) */
	int max_replays;	/* replays minimizing one finding may use (0: XMINIMIZE_REPLAYS,
				   < 0: none, findings kept as found) */
	bool stop_at_first;	/* stop after the first finding (mutation tests) */
	/*
	 * The budget, on a clock of its own (the guest's time_now_us(); the
	 * target's may restart at each reset, as the simulator's does). No
	 * sequence starts once less than reserve_us is left before deadline_us;
	 * minimization stops at deadline_us, keeping the shortest so far.
	 */
	uint64_t (*clock_us)(void *arg);
	void *clock_arg;
	uint64_t deadline_us;	/* 0: no budget */
	uint64_t reserve_us;
};

#define XREPLAYS		5	/* issue 14: reproduces in 5 of 5 */
#define XMINIMIZE_REPLAYS	400

/*
 * Shrinks @q (which shows @want) to a shortest sequence that shows it in
 * every one of @c's replays, within @c's bounds; @others_ok: other findings
 * may show before it (it was not its sequence's first). Returns the replays used.
 */
int xminimize(const struct xtarget *t, const struct xcampaign_cfg *c,
	      const struct xfinding *want, bool others_ok, struct xseq *q);

struct xrecord {
	struct xfinding f;	/* as first found */
	struct xseq found;	/* the sequence that found it, up to the finding */
	struct xseq min;	/* minimized */
	bool after_other;	/* its sequence showed another finding first */
	int sequence;		/* which sequence found it (its index in the campaign) */
	long steps_before;	/* steps of the sequences before (budget used) */
	int seen;		/* times found (duplicates included) */
	int replays;		/* replays minimizing it took */
};

#define XMAX_FINDINGS 16

struct xcampaign {
	int sequences;
	long steps;
	int nrec;
	struct xrecord rec[XMAX_FINDINGS];
	int dropped;		/* new signatures beyond XMAX_FINDINGS */
	int undefined;		/* sequences that left what the spec defines (the
				   model stopped predicting the slot part-way) */
	uint64_t minimize_us;	/* of the run's time, spent minimizing (campaign clock) */
};

void xcampaign_run(const struct xtarget *t, const struct xcampaign_cfg *c, struct xcampaign *out);

/*
 * The finding as a plan entry: `[NAME]`, `machine`, `devices`, `script =`
 * with the minimized steps, the last read turned into an `expect` of what
 * the spec allows; before it, a comment paragraph: what was done, what the
 * spec says, what happened. Returns the length written.
 */
struct xreport_names {
	struct xscript_names script;
	const char *entry;	/* plan entry name */
	const char *machine;	/* "pc-q35-6.0" or NULL */
	const char *devices;	/* -device arguments or NULL */
	const char *hypervisor;	/* "QEMU 7.2.x" or "simulated port" */
};

int xrecord_report(const struct xrecord *rec, const struct xreport_names *nm, char *buf, int len);
/* "SLTSTA PCI_EXP_SLTSTA_PDC rw1c": the signature in words. */
int xfinding_signature(const struct xfinding *f, char *buf, int len);

#endif
