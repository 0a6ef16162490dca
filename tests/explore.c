/*
 * explore - the explorer (lib/explore/, issue 14) in the guest: seeded
 * random sequences against one occupied hot-plug slot, judged by the
 * reference model of a spec-conforming port; each new finding deduplicated,
 * minimized on this machine and printed as a plan entry (lines
 * "explore-entry: ..."). Parameters: seed (1), sequences (20), replays (1:
 * each minimization candidate replayed once; 5 for the 5-of-5),
 * migrate (0; 1: migrations as steps, at checkpoint explore-migrate, where
 * the plan migrates), hotplug (1: device_add / device_del of the slot's
 * device as steps, at checkpoints explore-add / explore-del, where the plan
 * runs them (qmp_at); the go-ahead says whether QEMU accepted them and how
 * many DEVICE_DELETED came; 0: none). The slot's device is re-added at
 * explore-restore (plan qmp_at device_add) when a sequence left the slot
 * empty. Findings are FAIL lines: an on-demand test, in no group.
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

/* MIG: device_add / device_del of the slot's device as a step: the QMP outcome (-1: none ran). */
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

GUEST_TEST(explore_main, "explore", "slot child seed sequences replays migrate hotplug",
	   "explore-migrate explore-restore explore-add explore-del",
	   "random sequences against a hot-plug slot, judged by a spec model")
{
	struct xcampaign_cfg c = { 0 };
	struct xpci_target x;
	struct pcie_slot s;
	struct xtarget t;
	char port[16], sig[160];
	uint64_t t0;

	if (!slots_begin_occupied(&s))
		return;
	pci_bdf_str(s.port, port);
	c.seed = arg_u64("seed", 1);
	c.sequences = (int)arg_u64("sequences", 20);
	c.replays = (int)arg_u64("replays", 1);
	xgen_defaults(&c.gen);
	if (!arg_bool("migrate", false))
		c.gen.weight[XG_MIGRATE] = 0;
	xpci_target_init(&t, &x, &s, migrate, restore);
	/* MIG: device add/del steps */
	if (arg_bool("hotplug", true))
		xpci_target_hotplug(&t, &x, device, deleted);
	else
		c.gen.weight[XG_ADD] = c.gen.weight[XG_DEL] = 0;

	t0 = time_now_us();
	xcampaign_run(&t, &c, &result);
	report_info("explore: seed %llu, %d sequences, %ld steps in %llu ms (%llu ms of it "
		    "minimizing); %d resets found the slot changed, %u device_add restores",
		    (unsigned long long)c.seed, result.sequences, result.steps,
		    (unsigned long long)((time_now_us() - t0) / 1000),
		    (unsigned long long)(result.minimize_us / 1000), x.dirty, x.restores);
	report(result.nrec == 0, "explore: %d finding(s), %d sequence(s) left what the spec "
	       "defines", result.nrec, result.undefined);
	if (x.device)	/* MIG */
		report(x.no_qmp == 0, "explore: the harness ran device_add/del at explore-add/del "
		       "(%u step(s) without; plan qmp_at, or hotplug=0); %u removal(s) finished "
		       "at a reset", x.no_qmp, x.removals_finished);
	for (int i = 0; i < result.nrec; i++) {
		xfinding_signature(&result.rec[i].f, sig, sizeof(sig));
		report(false, "explore: finding %d: %s (sequence %d, %d -> %d steps, seen %d times)",
		       i + 1, sig, result.rec[i].sequence, result.rec[i].found.n,
		       result.rec[i].min.n, result.rec[i].seen);
		print_entry(&result.rec[i], port, i);
	}
	report_prefix_pop();
}
