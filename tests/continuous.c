/*
 * continuous - slot operations in a loop while the harness migrates at
 * random moments, without checkpoints (plan key migrate_random). The guest
 * learns of a migration from fw_cfg opt/slotprobe/migration (lib/runtime/fwcfg.h:
 * every QEMU of the run tells its own count, and fw_cfg contents are not
 * migrated), and checks its invariants (lib/slot/slot_invariants.h) after every
 * operation, and at once when the count changed:
 *   - Slot Control reads back what was last commanded (PCC, PIC, AIC, the
 *     enables; PCIe r5.0 §7.5.3.10);
 *   - no Slot Status event that nothing caused, none lost that was seen
 *     set (§7.5.3.11), Command Completed only after a command (§6.7.3.2);
 *   - every command completes within 1 s (slot_write_cmd);
 *   - PDS agrees with a function answering; no link in an empty slot.
 * Operations: power off / on (PCC), power and attention indicators
 * (on/blink/off, alone or in one write), the event enables, event clearing,
 * and a command whose Command Completed is left set for a while (as an OS
 * that has not handled the interrupt yet), chosen by a seeded generator.
 *
 * One report() per observed migration and a final summary, not one per
 * operation; every finding is an INFO line with the registers in lspci's
 * words. Best on an EMPTY hot-plug slot: nothing is unplugged and no event
 * has a reason to appear. (On an occupied QEMU slot the first power-off
 * with the power indicator off removes the adapter; the model allows the
 * Presence Detect Changed that brings.)
 *
 * Parameters: slot=BDF (default: the first hot-plug slot), migrations=N
 * (stop once the count reached N; 0: run `iterations` operations without),
 * iterations=M (upper bound; default 2000 without migrations, else
 * unbounded), seconds=S (default: the watchdog less 10 s), pace-us=U (a
 * pause after each operation, default 0), seed=X (default 1).
 */
#include "args.h"
#include "fwcfg.h"
#include "guest_test.h"
#include "pci.h"
#include "slot.h"
#include "report.h"
#include "slot_invariants.h"
#include "slot_select.h"
#include "time.h"

#define MAX_FINDING_LINES	40	/* INFO lines about findings; the rest are counted */
#define PENDING_CC_MS		SLOT_CMD_TIMEOUT_MS

struct run {
	struct pcie_slot s;
	struct slot_expect e;
	struct fwcfg_counter counter;
	char bdf[16];
	uint64_t rng;
	uint32_t migrations;		/* the count last read */
	uint32_t at_start;		/* ... when the loop began */
	bool counter_seen, counter_complained;
	unsigned long ops, commands, findings, finding_lines;
	unsigned long window_ops, window_findings;	/* since the last migration */
	unsigned int window_bad, all_bad;	/* SLOT_BAD_* seen: the checks' keys */
	bool unkeyed_finding;		/* a finding that is no SLOT_BAD_* */
	unsigned long windows, bad_windows;
	uint64_t longest_cmd_us;
};

static struct run run;

/* ---- helpers ---- */

static uint32_t rnd(struct run *r, uint32_t n)
{
	/* xorshift64*: a reproducible stream from seed=. */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (uint32_t)((r->rng * 0x2545f4914f6cdd1dull) >> 32) % n;
}

static bool has(const struct run *r, uint32_t cap)
{
	return r->s.sltcap & cap;
}

static struct slot_seen read_slot(const struct run *r)
{
	struct slot_seen now;

	slot_read_regs(&r->s, &now.r);
	now.child_answers = slot_child_present(&r->s);
	return now;
}

/* ---- findings ---- */

static void explain(struct run *r, unsigned int bad, const struct slot_seen *now,
		    const char *when)
{
	char line[240];

	for (unsigned int bit = 1; bit <= SLOT_BAD_ALL; bit <<= 1) {
		if (!(bad & bit) || r->finding_lines >= MAX_FINDING_LINES)
			continue;
		slot_expect_explain(line, sizeof(line), bit, &r->e, now);
		report_info("%s (operation %lu): %s", when, r->ops, line);
		if (++r->finding_lines == MAX_FINDING_LINES)
			report_info("further findings are only counted");
	}
}

/* After a finding: take the slot as it is (events cleared) and go on. */
static void resync(struct run *r)
{
	struct slot_seen now;

	slot_clear_events(&r->s, SLOT_EVENTS);
	slot_forget_cmd(&r->s);
	now = read_slot(r);
	slot_expect_init(&r->e, r->s.sltcap, r->s.lnkcap, &now);
}

static unsigned int check(struct run *r, const char *when)
{
	struct slot_seen now = read_slot(r);
	unsigned int bad = slot_expect_check(&r->e, &now);

	if (!bad) {
		slot_expect_learn(&r->e, &now);
		return 0;
	}
	r->findings++;
	r->window_findings++;
	r->window_bad |= bad;
	r->all_bad |= bad;
	explain(r, bad, &now, when);
	resync(r);
	return bad;
}

/* ---- operations ---- */

static void note_command(struct run *r, bool completed, const char *what)
{
	r->commands++;
	if (r->s.cmd_us > r->longest_cmd_us)
		r->longest_cmd_us = r->s.cmd_us;
	if (completed)
		return;
	r->findings++;
	r->window_findings++;
	if (r->finding_lines++ < MAX_FINDING_LINES)
		report_info("operation %lu: %s: Command Completed not seen within %d ms "
			    "(PCIe r5.0 §6.7.3.2)", r->ops, what, SLOT_CMD_TIMEOUT_MS);
}

/*
 * One Slot Control command, waited for and its Command Completed cleared.
 * A Command Completed left pending by op_command_pending is cleared first,
 * as the interrupt handler an OS has would have done.
 */
static void command(struct run *r, uint16_t val, uint16_t mask, const char *what)
{
	bool ok;

	if ((r->e.events_may | r->e.events_must) & PCI_EXP_SLTSTA_CC)
		slot_expect_cleared(&r->e, slot_clear_events(&r->s, PCI_EXP_SLTSTA_CC));
	ok = slot_write_cmd(&r->s, val, mask);
	slot_expect_command(&r->e, val, mask, ok);
	note_command(r, ok, what);
}

static uint16_t indicator(struct run *r, unsigned int shift)
{
	/* 01b On, 10b Blink, 11b Off (r5.0 §7.5.3.10); 00b is reserved. */
	return (uint16_t)((1 + rnd(r, 3)) << shift);
}

static void op_power(struct run *r)
{
	uint16_t val = (r->e.sltctl & PCI_EXP_SLTCTL_PCC) ? PCI_EXP_SLTCTL_PWR_ON
							  : PCI_EXP_SLTCTL_PWR_OFF;

	command(r, val, PCI_EXP_SLTCTL_PCC, val ? "power off" : "power on");
}

static void op_power_indicator(struct run *r)
{
	command(r, indicator(r, 8), PCI_EXP_SLTCTL_PIC, "power indicator");
}

static void op_attention(struct run *r)
{
	command(r, indicator(r, 6), PCI_EXP_SLTCTL_AIC, "attention indicator");
}

static void op_both_indicators(struct run *r)
{
	command(r, indicator(r, 8) | indicator(r, 6), PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC,
		"both indicators");
}

static void op_enables(struct run *r)
{
	uint16_t enables = slot_expect_bits(r->s.sltcap) &
			   (PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PDCE |
			    PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE);

	command(r, (uint16_t)(rnd(r, 0x10000) & enables), enables, "event enables");
}

static void op_clear_events(struct run *r)
{
	slot_expect_cleared(&r->e, slot_clear_events(&r->s, SLOT_EVENTS));
}

/*
 * An attention indicator command whose Command Completed is seen but left
 * set: it must stay set (across migrations too) until cleared.
 */
static void op_command_pending(struct run *r)
{
	uint16_t val = indicator(r, 6);
	bool seen;

	if ((r->e.events_may | r->e.events_must) & PCI_EXP_SLTSTA_CC)
		slot_expect_cleared(&r->e, slot_clear_events(&r->s, PCI_EXP_SLTSTA_CC));
	seen = slot_write_cmd_keep_cc(&r->s, val, PCI_EXP_SLTCTL_AIC, PENDING_CC_MS);
	slot_expect_command(&r->e, val, PCI_EXP_SLTCTL_AIC, false);
	note_command(r, seen, "attention indicator, Command Completed left set");
}

static void op_idle(struct run *r)
{
}

static void (*const ops[])(struct run *r) = {
	op_power, op_power, op_power_indicator, op_attention, op_both_indicators,
	op_enables, op_clear_events, op_command_pending, op_idle,
};

static bool op_possible(const struct run *r, void (*op)(struct run *))
{
	if (op == op_power)
		return has(r, PCI_EXP_SLTCAP_PCP);
	if (op == op_power_indicator)
		return has(r, PCI_EXP_SLTCAP_PIP);
	if (op == op_attention)
		return has(r, PCI_EXP_SLTCAP_AIP);
	/* Without Command Completed support there is nothing to leave pending. */
	if (op == op_command_pending)
		return has(r, PCI_EXP_SLTCAP_AIP) && !has(r, PCI_EXP_SLTCAP_NCCS);
	if (op == op_both_indicators)
		return has(r, PCI_EXP_SLTCAP_PIP) && has(r, PCI_EXP_SLTCAP_AIP);
	return true;
}

static void one_operation(struct run *r)
{
	void (*op)(struct run *);

	do
		op = ops[rnd(r, sizeof(ops) / sizeof(ops[0]))];
	while (!op_possible(r, op));
	op(r);
	r->ops++;
	r->window_ops++;
	check(r, "after an operation");
}

/* ---- migrations ---- */

static void observe_registers(const struct run *r)
{
	struct slot_regs regs;

	slot_read_regs(&r->s, &regs);
	report_obs(r->bdf, "SLTCTL", regs.sltctl);
	report_obs(r->bdf, "SLTSTA", regs.sltsta);
	report_obs(r->bdf, "LNKSTA", regs.lnksta);
}

static bool read_counter(struct run *r, uint32_t *v)
{
	enum fwcfg_counter_status st = fwcfg_counter_read(&r->counter, v);

	if (st == FWCFG_COUNTER_OK) {
		r->counter_seen = true;
		return true;
	}
	/* A straddled read is retried on the next poll; the rest is said once. */
	if (st != FWCFG_COUNTER_UNSTABLE && !r->counter_complained) {
		report_info("migration counter (fw_cfg %s) %s%s%s: migrations cannot be "
			    "observed", FWCFG_MIGRATION_FILE, fwcfg_counter_status_str(st),
			    st == FWCFG_COUNTER_MALFORMED ? ", read " : "",
			    st == FWCFG_COUNTER_MALFORMED ? r->counter.last_raw : "");
		r->counter_complained = true;
	}
	return false;
}

static void migrated(struct run *r, uint32_t now)
{
	unsigned int bad = check(r, "right after a migration");
	struct report_key keys[SLOT_BAD_KINDS];

	observe_registers(r);
	if (now > r->migrations + 1)
		report_info("migrations %u to %u happened between two polls",
			    r->migrations + 1, now);
	report_keys(!bad && !r->window_findings, keys,
		    slot_expect_keys(r->window_bad, keys, SLOT_BAD_KINDS),
		    "after migration %u: %lu operations since the previous one, slot state %s",
		    now, r->window_ops, !bad && !r->window_findings ? "as commanded" :
		    "NOT as commanded (INFO lines above)");
	r->windows++;
	r->bad_windows += bad || r->window_findings;
	r->window_ops = 0;
	r->window_findings = 0;
	r->window_bad = 0;
	r->migrations = now;
}

static void poll_migration(struct run *r)
{
	uint32_t now;

	if (!read_counter(r, &now) || now == r->migrations)
		return;
	if (now < r->migrations) {
		r->findings++;
		r->unkeyed_finding = true;
		report_info("migration counter went back from %u to %u", r->migrations, now);
		r->migrations = now;
		return;
	}
	migrated(r, now);
}

/* ---- the test ---- */

static void start(struct run *r)
{
	struct slot_seen now;
	uint16_t pending = slot_clear_events(&r->s, SLOT_EVENTS);

	r->rng = arg_u64("seed", 1) | 1;
	fwcfg_counter_init(&r->counter, FWCFG_MIGRATION_FILE);
	if (read_counter(r, &r->migrations) && r->migrations)
		report_info("%u migration(s) before the loop started", r->migrations);
	r->at_start = r->migrations;
	slots_print_state(&r->s, "at start");
	if (pending)
		report_info("events pending at start, cleared: SltSta %04x", pending);
	if (slot_child_present(&r->s))
		report_info("the slot is occupied: a power-off with the power indicator off "
			    "removes the adapter on QEMU (an empty slot is the better choice)");
	now = read_slot(r);
	slot_expect_init(&r->e, r->s.sltcap, r->s.lnkcap, &now);
	r->s.power_off_settle_ms = 0;
}

static void loop(struct run *r, uint32_t target, uint64_t iterations, uint64_t seconds)
{
	struct deadline end = deadline_in_ms(seconds * 1000);
	uint64_t pace_us = arg_u64("pace-us", 0);

	for (uint64_t i = 0; i < iterations; i++) {
		if (target && r->migrations >= target)
			break;
		if (deadline_expired(end)) {
			report_info("time is up after %llu s", (unsigned long long)seconds);
			break;
		}
		one_operation(r);
		poll_migration(r);
		if (pace_us)
			udelay(pace_us);
	}
}

static void summary(const struct run *r, uint32_t target)
{
	struct report_key keys[SLOT_BAD_KINDS];
	/* Keys name every cause, or the check has none (matched by its text). */
	int n = r->unkeyed_finding ? 0 : slot_expect_keys(r->all_bad, keys, SLOT_BAD_KINDS);

	report(r->migrations >= target, "observed %u migration(s), %u while the loop ran "
	       "(wanted %u)", r->migrations, r->migrations - r->at_start, target);
	report_keys(r->findings == 0, keys, n, "%lu operations, %lu commands: %lu finding(s); "
		    "%lu of %lu migration windows not as commanded", r->ops, r->commands,
		    r->findings, r->bad_windows, r->windows);
	report(r->s.cmd_timeouts == 0 && r->s.cmd_late == 0, "every command completed "
	       "within %d ms (%u did not, %u late; longest %llu us)", SLOT_CMD_TIMEOUT_MS,
	       r->s.cmd_timeouts, r->s.cmd_late, (unsigned long long)r->longest_cmd_us);
}

GUEST_TEST(continuous_main, "continuous", "slot migrations iterations seconds pace-us seed",
	   "",
	   "slot operations in a loop while the harness migrates at random moments")
{
	struct run *r = &run;
	uint32_t target = (uint32_t)arg_u64("migrations", 0);
	uint64_t iterations = arg_u64("iterations", target ? ~0ull : 2000);
	uint64_t watchdog = arg_u64("watchdog", 120);
	uint64_t seconds = arg_u64("seconds", watchdog > 20 ? watchdog - 10 : watchdog / 2);

	if (slots_select(&r->s, 1, false) == 0) {
		report_skip("no hot-plug slot");
		return;
	}
	pci_bdf_str(r->s.port, r->bdf);
	report_prefix_pushf("slot %s", r->bdf);
	start(r);
	report_info("up to %llu operations in %llu s until %u migration(s), seed %llu",
		    (unsigned long long)iterations, (unsigned long long)seconds, target,
		    (unsigned long long)arg_u64("seed", 1));
	loop(r, target, iterations, seconds);
	check(r, "at the end");
	observe_registers(r);
	summary(r, target);
	report_prefix_pop();
}
