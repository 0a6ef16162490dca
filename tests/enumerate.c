/*
 * enumerate - find every function through ECAM, list it like lspci, and
 * check the topology against what the harness started.
 *
 * Parameters: rootports=N, downstream=N (how many of each port type),
 * slot=BDF child=VVVV:DDDD (what sits behind that slot).
 * Every slot must be consistent: Presence Detect State set exactly when a
 * function answers behind it (PCIe r5.0 §7.5.3.11: PDS reflects the
 * presence of an adapter in the slot).
 */
#include "args.h"
#include "guest_test.h"
#include "pci.h"
#include "printf.h"
#include "report.h"
#include "slot_checklist.h"
#include "slot_select.h"

static int count_ports(const struct pci_topology *t, uint8_t type)
{
	int n = 0;

	for (int i = 0; i < t->count; i++)
		if (t->funcs[i].exp_cap && t->funcs[i].exp_type == type)
			n++;
	return n;
}

static void check_count(const struct pci_topology *t, const char *key, uint8_t type)
{
	int found = count_ports(t, type);

	if (arg_present(key))
		report(found == (int)arg_u64(key, 0), "%llu %s expected, %d found",
		       (unsigned long long)arg_u64(key, 0), pci_exp_type_name(type), found);
	else
		report_info("%d %s", found, pci_exp_type_name(type));
}

static void check_slot(struct pcie_slot *s)
{
	char bdf[16];

	report_prefix_pushf("slot %s", pci_bdf_str(s->port, bdf));
	slots_print_state(s, "now");
	check_slot_consistent(s);
	report_prefix_pop();
}

GUEST_TEST(enumerate_main, "enumerate", "rootports downstream slot child",
	   "",
	   "list every function and hot-plug port; check the topology")
{
	const struct pci_topology *t = slots_topology();
	struct pcie_slot slots[SLOTS_MAX];
	int n;

	pci_print_topology(t);
	report(t->count > 0 && !t->truncated, "enumerated %d functions", t->count);
	report(pci_func_present(pci_bdf(0, 0, 0, 0)), "host bridge at 00:00.0 answers");
	check_count(t, "rootports", PCI_EXP_TYPE_ROOT_PORT);
	check_count(t, "downstream", PCI_EXP_TYPE_DOWNSTREAM);

	n = slots_select(slots, SLOTS_MAX, false);
	report_info("%d hot-plug capable slot(s)", n);
	for (int i = 0; i < n; i++)
		check_slot(&slots[i]);
	if (arg_present("child")) {
		if (!arg_present("slot"))
			report_skip("child= given without slot=");
		else
			slots_report_child_id(&slots[0]);
	}
}
