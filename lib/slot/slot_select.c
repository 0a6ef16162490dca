/*
 * slot_select.c - slot selection from the run's parameters (see slot_select.h).
 */
#include "args.h"
#include "exit.h"
#include "libc.h"
#include "printf.h"
#include "report.h"
#include "slot_select.h"

static struct pci_topology topo;
static bool enumerated;

const struct pci_topology *slots_topology(void)
{
	if (!enumerated) {
		pci_enumerate(&topo);
		enumerated = true;
	}
	return &topo;
}

static bool hotplug_capable(const struct pcie_slot *s)
{
	return s->sltcap & PCI_EXP_SLTCAP_HPC;
}

static int select_named(struct pcie_slot *out, const char *name)
{
	struct pci_bdf bdf;

	if (pci_bdf_parse(name, &bdf) < 0)
		fw_error("parameter slot=%s: not a PCI address like 00:12.0", name);
	if (slot_init(out, bdf) < 0)
		fw_error("slot=%s: no PCI Express port with a slot there", name);
	return 1;
}

int slots_select(struct pcie_slot *out, int max, bool occupied_only)
{
	const struct pci_topology *t = slots_topology();
	const char *name = arg_str("slot", NULL);
	int n = 0;

	if (name)
		return select_named(out, name);
	for (int i = 0; i < t->count && n < max; i++) {
		const struct pci_func *f = &t->funcs[i];

		if (!f->exp_cap || !f->slot_implemented || slot_init(&out[n], f->addr) < 0)
			continue;
		if (!hotplug_capable(&out[n]))
			continue;
		if (occupied_only && !slot_child_present(&out[n]))
			continue;
		n++;
	}
	return n;
}

void slots_for_each_occupied(void (*fn)(struct pcie_slot *s))
{
	static struct pcie_slot slots[SLOTS_MAX];
	int n = slots_select(slots, SLOTS_MAX, !arg_present("slot"));

	if (n == 0)
		report_skip("no occupied hot-plug slot");
	for (int i = 0; i < n; i++)
		fn(&slots[i]);
}

bool slots_begin_occupied(struct pcie_slot *s)
{
	char bdf[16];

	if (slots_select(s, 1, true) == 0) {
		report_skip("no occupied hot-plug slot");
		return false;
	}
	s->power_off_settle_ms = 0;
	report_prefix_pushf("slot %s", pci_bdf_str(s->port, bdf));
	slots_print_state(s, "at start");
	slots_report_child_id(s);
	return true;
}

/* 1 to 4 hex digits, exactly @len characters. */
static bool parse_hex16(const char *s, int len, uint16_t *out)
{
	const char *end;
	uint64_t v;

	if (len > 4 || !str_to_u64(s, 16, 0xffff, &v, &end) || end != s + len)
		return false;
	*out = (uint16_t)v;
	return true;
}

bool parse_vendor_device(const char *s, uint16_t *vendor, uint16_t *device)
{
	const char *colon = strchr(s, ':');

	return colon && parse_hex16(s, (int)(colon - s), vendor) &&
	       parse_hex16(colon + 1, (int)strlen(colon + 1), device);
}

void slots_report_child_id(const struct pcie_slot *s)
{
	const char *want = arg_str("child", NULL);
	struct pci_bdf child = slot_child(s, 0);
	uint16_t vendor, device, got_vendor, got_device;

	if (!want)
		return;
	if (!parse_vendor_device(want, &vendor, &device))
		fw_error("parameter child=%s: expected vendor:device like 1033:0194", want);
	got_vendor = pci_cfg_read16(child, PCI_VENDOR_ID);
	got_device = pci_cfg_read16(child, PCI_DEVICE_ID);
	report(got_vendor == vendor && got_device == device,
	       "device behind the slot is %04x:%04x (found %04x:%04x)", vendor, device,
	       got_vendor, got_device);
}

void slots_print_state(const struct pcie_slot *s, const char *when)
{
	char bdf[16];
	struct slot_regs r;
	struct pci_bdf child = slot_child(s, 0);
	uint16_t vendor;

	slot_read_regs(s, &r);
	vendor = pci_cfg_read16(child, PCI_VENDOR_ID);
	/* What the slot shows at this step, for differential runs too. */
	pci_bdf_str(s->port, bdf);
	report_obs(bdf, "SLTCTL", r.sltctl);
	report_obs(bdf, "SLTSTA", r.sltsta);
	report_obs(bdf, "LNKSTA", r.lnksta);
	report_obs(bdf, "CHILD_VENDOR", vendor);
	printf("%s %s: SltCtl %04x SltSta %04x LnkSta %04x; behind it: %04x:%04x\n",
	       bdf, when, r.sltctl, r.sltsta, r.lnksta, vendor,
	       pci_cfg_read16(child, PCI_DEVICE_ID));
	slot_print(s);
}
