/*
 * config-regs - attribute conformance of every function's configuration
 * space: each 16-bit word of the header and of the capabilities of known
 * length is probed with lib/conformance/cfgprobe.h (zeros, ones, restored;
 * protected fields are not written), and every field of
 * lib/conformance/cfgattr.c's tables (and regattr.c's Link and Slot tables
 * on Downstream Ports with a slot) is judged against what it did.
 *
 * Per function: one check per register whose fields all behave as
 * specified, one failure per field that does not ("BDF FIELD: SEEN, SPEC
 * says ATTR"), and a check that every probed word reads back as found.
 * Fields not probed are counted with the first one's reason (the plan's
 * reasons, cfgprobe.h; "rw1c": a RW1C bit that was never set cannot be
 * told from read-only 0).
 *
 * Parameters: none besides the common ones.
 */
#include "cfgattr.h"
#include "cfgprobe.h"
#include "guest_test.h"
#include "libc.h"
#include "pci.h"
#include "printf.h"
#include "report.h"
#include "slot_select.h"

static struct cfgprobe_plan plan;
static struct cfgprobe_word words[CFGPROBE_WORDS];

/* What one function's registers did, collected for the reports. */
struct func_tally {
	const char *bdf;
	const char *reg;	/* the register being counted */
	const char *spec;
	int ok, not_probed, bad;
	const char *why;	/* the first not-probed field's reason */
};

/* One check for the register just judged when it conformed; what was not probed, and why. */
static void flush_register(struct func_tally *t)
{
	char unprobed[48] = "";

	if (t->not_probed)
		snprintf(unprobed, sizeof(unprobed), ", %d not probed (%s)", t->not_probed, t->why);
	if (t->reg && !t->bad)
		report(true, "%s %s (%s): %d field(s) behave as specified%s", t->bdf, t->reg,
		       t->spec, t->ok, unprobed);
	else if (t->reg && t->not_probed)
		report_info("%s %s:%s", t->bdf, t->reg, unprobed + 1);
	t->ok = t->not_probed = t->bad = 0;
	t->why = NULL;
}

static void on_verdict(const struct cfgattr_verdict *v, void *arg)
{
	struct func_tally *t = arg;
	char seen[48];
	struct report_key key;
	bool same;

	if (v->reg != t->reg || v->spec != t->spec) {
		flush_register(t);
		t->reg = v->reg;
		t->spec = v->spec;
	}
	if (v->seen.kind == RS_NOT_PROBED) {
		t->not_probed++;
		if (!t->why)	/* "rw1c": a RW1C bit never set reads like RO 0 */
			t->why = v->reason ? cfgprobe_reason_str(v->reason) : "rw1c";
		return;
	}
	if (v->conforms) {
		t->ok++;
		return;
	}
	t->bad++;
	regattr_seen_str(seen, sizeof(seen), &v->seen, v->mask);
	/* the field's name, after its register's unless it starts with it */
	same = !strncmp(v->field, v->reg, strlen(v->reg));
	key.field = v->key_field;
	key.cond = v->key_cond;
	/* keyed (errata match it by field and condition) unless pci_regs.def lacks the register */
	report_keys(false, &key, v->key_field[0] ? 1 : 0, "%s %s%s%s: %s, %s says %s%s%s",
		    t->bdf, same ? "" : v->reg, same ? "" : " ", v->field, seen, v->spec,
		    regattr_attr_str(v->want), v->cond[0] ? " with " : "", v->cond);
}

static void check_func(const struct pci_topology *t, int index)
{
	const struct pci_func *f = &t->funcs[index];
	struct pcie_slot s, *slot = NULL;
	struct func_tally tally = { 0 };
	char bdf[16];
	int not_restored;

	tally.bdf = pci_bdf_str(f->addr, bdf);
	cfgprobe_plan_func(f, cfgprobe_occupied(t, index), &plan);
	if (plan.slot_ctl && slot_init(&s, f->addr) == 0)
		slot = &s;
	not_restored = cfgattr_probe_func(f, &plan, slot, words);
	report(not_restored == 0, "%s: every probed word reads as found afterwards (%d not)",
	       bdf, not_restored);
	cfgattr_judge_func(f, &plan, words, on_verdict, &tally);
	flush_register(&tally);
}

GUEST_TEST(config_regs_main, "config-regs", "", "",
	   "every function's registers against the spec's attributes (header, PCIe, PM, MSI, MSI-X, AER, ACS)")
{
	const struct pci_topology *t = slots_topology();

	report(t->count > 0, "enumerated %d function(s)", t->count);
	if (!pci_cfg_has_extended())
		report_info("no ECAM: extended capabilities (AER, ACS) not checked");
	for (int i = 0; i < t->count; i++)
		check_func(t, i);
}
