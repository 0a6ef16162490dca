/*
 * explore - the explorer (lib/explore/, issue 14) in the guest: seeded
 * random sequences against one occupied hot-plug slot, judged by the
 * reference model of a spec-conforming port; each new finding deduplicated,
 * minimized on this machine and printed as a plan entry (lines
 * "explore-entry: ..."). Parameters: seed (1); sequences (20; 0: as many as
 * the budget allows); budget (seconds, 0: none: no sequence starts in its
 * last quarter, kept for minimizing, and minimization stops at its end);
 * shard=K shards=N (only sequences i with i % N == K-1: N runs share one
 * campaign); replays (5: a minimized finding reproduces in 5 of 5);
 * minimize (400: replays minimizing one finding may take; 0: none, for
 * measuring throughput);
 * migrate (0; 1: migrations as steps, at checkpoint explore-migrate, where
 * the plan migrates), migrate_each (0; 1: each sequence migrates exactly
 * once, at a random step: the "one migration each"), hotplug (1: device_add / device_del of the slot's
 * device as steps, at checkpoints explore-add / explore-del, where the plan
 * runs them (qmp_at); the go-ahead says whether QEMU accepted them and how
 * many DEVICE_DELETED came; 0: none). The slot's device is re-added at
 * explore-restore (plan qmp_at device_add) when a sequence left the slot
 * empty. Findings are FAIL lines keyed explore/<field>/<condition>: an
 * on-demand test, in no group.
 */
#include "explore_pci.h"
#include "args.h"
#include "guest_test.h"
#include "hostlink.h"
#include "libc.h"
#include "printf.h"
#include "report.h"
#include "slot_select.h"
#include "time.h"

static struct xcampaign result;		/* large: not on the stack */

/* The harness's part: a migration here (true when one happened) ... */
static bool migrate(void)
{
	struct hostlink_go go;
	unsigned int before = hostlink_migrations();

	return report_checkpoint("explore-migrate", &go) && go.migrations > before;
}

/* ... and the device added again here. */
static void restore(void)
{
	report_checkpoint("explore-restore", NULL);
}

/* device_add / device_del of the slot's device as a step: the QMP outcome (-1: none ran). */
static int device(uint8_t op)
{
	struct hostlink_go go;
	bool reached = op == XOP_DEVICE_ADD ? report_checkpoint("explore-add", &go)
					    : report_checkpoint("explore-del", &go);

	return reached ? go.qmp : -1;
}

static uint32_t deleted(void)
{
	return hostlink_deleted();
}

static char entry[4096];

/* The budget's clock. */
static uint64_t clock_us(void *arg)
{
	return time_now_us();
}

/*
 * The check a finding breaks, as a key the harness and tests/errata.cfg
 * match (`FIELD:condition`): its field by its pci_regs.h name and the
 * contract's word for its rule. Host findings (no field) and rules with no
 * such word have none: they are matched by their text.
 */
static const char *const rule_conds[XR_COUNT] = {
	[XR_RO] = CONTRACT_COND_READ_ONLY, [XR_RW] = CONTRACT_COND_WRITABLE,
	[XR_RW_CMD] = CONTRACT_COND_WRITABLE, [XR_HARDWIRED] = CONTRACT_COND_HARDWIRED_0,
	[XR_READS_ZERO] = CONTRACT_COND_WRITABLE_READS_0, [XR_RESERVED] = CONTRACT_COND_RESERVED_0,
	[XR_W1C] = CONTRACT_COND_WRITE_1_CLEARS, [XR_NO_CAUSE] = CONTRACT_COND_EVENTS_CAUSED,
	[XR_PDS] = CONTRACT_COND_CONSISTENT, [XR_PDC] = CONTRACT_COND_RAISED,
	[XR_ABP] = CONTRACT_COND_RAISED, [XR_CC] = CONTRACT_COND_RAISED,
	[XR_CMD_TIMEOUT] = CONTRACT_COND_RAISED, [XR_LINK_UP] = CONTRACT_COND_SET,
	[XR_LINK_DOWN] = CONTRACT_COND_CLEAR, [XR_DLLSC] = CONTRACT_COND_RAISED,
	[XR_CHILD_GONE] = CONTRACT_COND_ABSENT, [XR_CHILD_BACK] = CONTRACT_COND_PRESENT,
	[XR_EIS] = CONTRACT_COND_AS_COMMANDED, [XR_LBMS] = CONTRACT_COND_RAISED,
	[XR_MIGRATION_DIFF] = CONTRACT_COND_UNCHANGED,
};

static struct report_key finding_key(const struct xfinding *f)
{
	static char field[64];
	const struct regattr_reg *reg = xmodel_reg_at(f->reg_off);
	struct regattr_field named = { f->field_name, f->field, 0, 0, 0, 0, 0 };
	struct report_key k = { NULL, f->rule < XR_COUNT ? rule_conds[f->rule] : NULL };

	if (f->reg_off == XREG_CHILD)
		k.field = "PCI_VENDOR_ID";
	else if (reg && f->reg_off < XREG_NONE && f->field && f->field_name)
		k.field = regattr_key_name(field, sizeof(field), reg->name, &named);
	return k;
}

/* Parameters: false (and a FAIL saying why) when they make no campaign. */
static bool campaign_params(struct xcampaign_cfg *c, uint64_t t0)
{
	uint64_t budget_s = arg_u64("budget", 0);

	c->seed = arg_u64("seed", 1);
	c->sequences = (int)arg_u64("sequences", 20);
	c->shard = (int)arg_u64("shard", 1);
	c->shards = (int)arg_u64("shards", 1);
	c->replays = (int)arg_u64("replays", XREPLAYS);
	c->max_replays = arg_present("minimize") ? (int)arg_u64("minimize", 0) : XMINIMIZE_REPLAYS;
	if (!c->max_replays)
		c->max_replays = -1;	/* minimize=0: findings as found */
	if (budget_s) {
		c->clock_us = clock_us;
		c->deadline_us = t0 + budget_s * 1000000ull;
		c->reserve_us = budget_s * 250000ull;	/* a quarter, for minimizing */
	}
	if (!c->sequences && !budget_s)
		return report(false, "explore: sequences=0 runs until the budget: give budget=");
	if (c->shards < 1 || c->shard < 1 || c->shard > c->shards)
		return report(false, "explore: shard=%d shards=%d: want 1 <= shard <= shards",
			      c->shard, c->shards);
	return true;
}

/* Per minute and per second of exploring (minimization not counted). */
static unsigned long long rate(long n, uint64_t per_us, uint64_t us)
{
	return us ? (unsigned long long)((uint64_t)n * per_us / us) : 0;
}

static void print_entry(const struct xrecord *rec, const char *port, int i)
{
	struct xreport_names nm = { .script = { port, "{}", "-" }, .entry = NULL,
				    .hypervisor = "this hypervisor" };
	char name[32], *line = entry, *nl;

	snprintf(name, sizeof(name), "explore-%d", i + 1);
	nm.entry = name;
	xrecord_report(rec, &nm, entry, sizeof(entry));
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = 0;
		report_info("explore-entry: %s", line);
	}
}

GUEST_TEST(explore_main, "explore",
	   "slot child seed sequences budget shard shards replays minimize migrate migrate_each hotplug",
	   "explore-migrate explore-restore explore-add explore-del",
	   "random sequences against a hot-plug slot, judged by a spec model")
{
	struct xcampaign_cfg c = { 0 };
	struct xpci_target x;
	struct pcie_slot s;
	struct xtarget t;
	char port[16], sig[160];
	uint64_t t0 = time_now_us(), us, exploring;

	if (!slots_begin_occupied(&s))
		return;
	pci_bdf_str(s.port, port);
	if (!campaign_params(&c, t0)) {
		report_prefix_pop();
		return;
	}
	xgen_defaults(&c.gen);
	c.gen.one_migration = arg_bool("migrate_each", false);
	if (!arg_bool("migrate", false) || c.gen.one_migration)
		c.gen.weight[XG_MIGRATE] = 0;
	xpci_target_init(&t, &x, &s, migrate, restore);
	/* device add/del steps, judged by the go-ahead's QMP outcome */
	if (arg_bool("hotplug", true))
		xpci_target_hotplug(&t, &x, device, deleted);
	else
		c.gen.weight[XG_ADD] = c.gen.weight[XG_DEL] = 0;

	xcampaign_run(&t, &c, &result);
	us = time_now_us() - t0;
	exploring = us > result.minimize_us ? us - result.minimize_us : 0;
	report_info("explore: seed %llu, %d sequences, %ld steps in %llu ms (%llu ms of it "
		    "minimizing); exploring: %llu sequences/min, %llu steps/s",
		    (unsigned long long)c.seed, result.sequences, result.steps,
		    (unsigned long long)(us / 1000),
		    (unsigned long long)(result.minimize_us / 1000),
		    rate(result.sequences, 60000000ull, exploring),
		    rate(result.steps, 1000000ull, exploring));
	report_info("explore: resets: %u undid a sequence's changes, %u found none, %u asked "
		    "for device_add", x.dirty, x.untouched, x.restores);
	report(result.nrec == 0, "explore: %d finding(s), %d sequence(s) left what the spec "
	       "defines", result.nrec, result.undefined);
	if (x.device)
		report(x.no_qmp == 0, "explore: the harness ran device_add/del at explore-add/del "
		       "(%u step(s) without; plan qmp_at, or hotplug=0); %u removal(s) finished "
		       "at a reset", x.no_qmp, x.removals_finished);
	for (int i = 0; i < result.nrec; i++) {
		const struct xrecord *rec = &result.rec[i];

		xfinding_signature(&rec->f, sig, sizeof(sig));
		report_keyed(false, finding_key(&rec->f), "explore: finding %d: %s (sequence %d, "
			     "%d -> %d steps in %d replays, seen %d times)", i + 1, sig,
			     rec->sequence, rec->found.n, rec->min.n, rec->replays, rec->seen);
		print_entry(rec, port, i);
	}
	report_prefix_pop();
}
