/*
 * explore_model.h - the explorer's reference model of a spec-conforming
 * hot-plug Downstream Port (PCIe Base Specification r5.0), and its oracles.
 *
 * The model follows a sequence step by step, fed with what each step
 * observed, and says for every read which values the spec allows: one
 * value, one of two (a field "permitted to be hardwired to 0", a
 * transition that may or may not have happened yet) or any (undefined).
 * A read outside that set, a command that never completes, or a host
 * action the port refused where it must accept, is a finding naming the
 * register, the field and the rule (each rule cites its section; the few
 * that are slotprobe's own invariants, not the spec's, say so).
 *
 * Attributes come from the one attribute table, lib/regattr.c; the
 * behaviour (events, power, presence, link, commands) is written here.
 * What the model does not know yet it learns from the first read (it starts
 * by reading every register, xmodel_prologue), so it needs no defaults.
 */
#ifndef LIB_EXPLORE_MODEL_H
#define LIB_EXPLORE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "explore_seq.h"
#include "regattr.h"

/* What a step observed. */
struct xobs {
	uint32_t value;	/* read, read-child: the value; wait-cc: the last Slot Status read */
	bool ok;	/* wait-cc: Command Completed seen; host steps: accepted */
	uint64_t t0, t1;	/* µs when the step started and ended */
	bool has_deleted;	/* host steps: the host said ... */
	uint32_t deleted;	/* ... how many DEVICE_DELETED so far (a running count) */
};

enum xoracle {
	XOR_VALUE,	/* a read outside what the spec allows */
	XOR_COMMAND,	/* a Slot Control command that never completed */
	XOR_HOST,	/* a host action refused (or accepted) against the rules */
	XOR_DIFF,	/* a read after a migration unlike the same read without it (explore_diff.h) */
	XOR_COUNT
};

enum xrule {
	XR_NONE, XR_RO, XR_RW, XR_RW_CMD, XR_HARDWIRED, XR_READS_ZERO, XR_RESERVED,
	XR_W1C, XR_NO_CAUSE, XR_PDS, XR_PDC, XR_ABP, XR_CC, XR_CMD_TIMEOUT,
	XR_LINK_UP, XR_LINK_DOWN, XR_DLLSC, XR_CHILD_GONE, XR_CHILD_BACK,
	XR_EIS, XR_LBMS, XR_MIGRATE, XR_ADD, XR_DEL,
	XR_DELETED, XR_MIGRATION_DIFF,	/* explore_model.c, explore_diff.c */
	XR_COUNT
};

struct xrule_text {
	const char *name;	/* short, for signatures: "pdc", "w1c" */
	const char *what;	/* what the spec requires, one sentence */
	const char *section;	/* "PCIe r5.0 §6.7.3.2", or "slotprobe invariant" */
};

extern const struct xrule_text xrule_texts[XR_COUNT];

#define XREG_CHILD 0xff	/* a finding's register: Vendor ID behind the slot */
#define XREG_NONE 0xfe		/* ... none: a host action (migration) */

struct xfinding {
	uint8_t oracle, rule;	/* enum xoracle, enum xrule */
	uint8_t reg_off, reg_size;	/* the register (its natural offset and width) */
	uint32_t field;		/* the field's bits in that register */
	const char *field_name;	/* Linux pci_regs.h name, or the table's words */
	uint32_t got;		/* the field as read (register position) */
	uint32_t want;		/* ... as the model predicted */
	bool has_alt;		/* ... or this */
	uint32_t alt;
	int step;		/* index of the step in its sequence */
};

/* Time bounds: defaults from the spec (and pciehp where the spec has none). */
struct xmodel_cfg {
	uint16_t child_vendor;	/* the device the host adds; 0: learn it */
	uint32_t cmd_ms;	/* 0: 1000, PCIe r5.0 §6.7.3.2 */
	uint32_t link_ms;	/* 0: 1000, pciehp's pcie_wait_for_link() */
	uint32_t ready_ms;	/* 0: 1100, PCIe r5.0 §6.6.1 (100 ms + 1.0 s) */
};

/* A level the port shows (presence, power, link, ...): see explore_model.c. */
struct xlevel {
	uint8_t allowed;	/* bit 0: may read 0, bit 1: may read 1 */
	uint8_t target;		/* where it is going */
	uint64_t due;		/* after this it must read target; 0: no deadline */
	uint8_t rule;		/* enum xrule: why it goes there */
	bool flux;		/* may change at any time: a read teaches nothing */
	bool by_cmd;		/* the pending Slot Control command moves it */
};

/* An RW1C event bit. */
struct xevent {
	uint8_t state;		/* see explore_model.c */
	uint8_t rule;		/* enum xrule: why it is (or must become) so */
	bool stale;		/* due, but may be set already from before: a 1 proves nothing */
	bool by_cmd;		/* its cause is the pending Slot Control command */
	uint64_t must;		/* due: set by then */
	uint64_t until;		/* a cause may still set it until then */
};

#define XREGS 12		/* regattr_regs: the Link and Slot registers */

struct xmodel {
	struct xmodel_cfg cfg;
	struct regattr_ctx ctx;
	uint32_t val[XREGS], known[XREGS];
	uint32_t hardwired[XREGS];	/* "RW or hardwired 0" fields seen hardwired */
	uint32_t writable[XREGS];	/* ... seen writable */
	struct xevent ev[XREGS][32];
	struct xlevel power, adapter, link, child, eis;
	bool removal_pending;	/* device_del pressed the button: out at power-off */
	unsigned int removals;	/* adapters device_del took out (DEVICE_DELETED due) */
	uint64_t removal_due;	/* the last one is out by then (its command's bound) */
	bool deleted_known;	/* the host's count at the first host step ... */
	uint32_t deleted_base;	/* ... less the removals then: the count before the sequence */
	bool cmd_pending;
	uint64_t cmd_due;
	bool in_cmd;		/* following a command's effects */
	bool undefined;		/* the spec no longer defines the slot's state */
	const char *undefined_why;
	bool tls_undefined;	/* unsupported Target Link Speed written */
	bool compliance;	/* Enter (Modified) Compliance set: training unknown */
	uint64_t now;
};

void xmodel_init(struct xmodel *m, const struct xmodel_cfg *cfg,
		 const struct regattr_ctx *caps);
/* The reads a sequence starts with, so the model knows every register. */
int xmodel_prologue(struct xstep *out, int max);

/*
 * Follows one step with what it observed. Returns true and fills @f when
 * the observation breaks a rule; the model then carries on from what it saw.
 */
bool xmodel_step(struct xmodel *m, const struct xstep *s, const struct xobs *o,
		 struct xfinding *f);

/* For the generator: a command may still be in progress at @now. */
bool xmodel_cmd_pending(struct xmodel *m, uint64_t now);
/* The pending command's Command Completed is still to come (wait-cc will see it). */
bool xmodel_cc_coming(const struct xmodel *m);
/* The Slot Control value the model knows (its best guess). */
uint16_t xmodel_sltctl(const struct xmodel *m);
uint32_t xmodel_reg(const struct xmodel *m, uint8_t off);

/*
 * The bits of @s's read (in the access's position; a read-child: 0xffff)
 * that timing alone may change at @now: a presence, link or interlock
 * level on its way, an event whose cause may still fire or whose window is
 * open, Link Training, the link's speed and width while it changes, all of
 * the slot once it is undefined. Two runs of one sequence may differ there
 * and nowhere else (the migration-differential oracle, explore_diff.h).
 */
uint32_t xmodel_timing_bits(struct xmodel *m, const struct xstep *s, uint64_t now);

/* The register table entry that holds @off (NULL outside the model). */
const struct regattr_reg *xmodel_reg_at(uint8_t off);

#endif
