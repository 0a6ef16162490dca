/*
 * fingerprint - every function's configuration space as found after reset,
 * and what each word of it does when written, streamed to the harness
 * (`slotprobe fingerprint` turns it into JSON; `slotprobe abi-diff`
 * compares two).
 *
 * First every function is read whole (nothing written yet): each non-zero
 * dword is sent as "obs BDF V+OFF 0xVALUE", the space's size as "obs BDF
 * SIZE 0x100|0x1000", and for every slot whether a function answers behind
 * it ("obs BDF CHILD 0|1"). Then each function is probed word by word
 * (lib/conformance/cfgprobe.h: zeros, ones, restored; protected fields are not written)
 * and each word of the header and of known capabilities is sent as
 * "obs BDF W+OFF WWWW.CCCC.PPPP[:reason]": writable bits, RW1C bits seen
 * cleared, protected bits and why. Space outside them: "obs BDF OUT+OFF
 * 0xEND" (bytes OFF..END only read). One word or dword per line: the
 * longest ("SP1 <seq> obs 0000:00:12.0 W+ffe ffff.ffff.ffff:interlock") is
 * about 60 characters, far under CONTRACT_HOSTLINK_LINE_MAX (240).
 *
 * Checks: something was enumerated, and every probed word reads as found
 * afterwards (RW1C bits the probe cleared aside).
 *
 * Parameters: none besides the common ones.
 */
#include "cfgprobe.h"
#include "guest_test.h"
#include "hostlink.h"
#include "pci.h"
#include "printf.h"
#include "report.h"
#include "slot_select.h"

static struct cfgprobe_plan plan;

static void send_values(const struct pci_func *f, uint16_t size)
{
	char bdf[16], reg[16];

	pci_bdf_str(f->addr, bdf);
	report_obs(bdf, "SIZE", size);
	for (uint16_t off = 0; off < size; off += 4) {
		uint32_t v = pci_cfg_read32(f->addr, off);

		if (!v)
			continue;
		snprintf(reg, sizeof(reg), "V+%03x", off);
		report_obs(bdf, reg, v);
	}
}

static void send_slot(const struct pci_func *f)
{
	struct pcie_slot s;
	char bdf[16];

	if (!f->exp_cap || !f->slot_implemented || slot_init(&s, f->addr) < 0)
		return;
	report_obs(pci_bdf_str(f->addr, bdf), "CHILD", slot_child_present(&s));
}

static void send_outside(const char *bdf, unsigned int from, unsigned int to)
{
	char reg[16];

	snprintf(reg, sizeof(reg), "OUT+%03x", from);
	report_obs(bdf, reg, to);
}

static void send_word(const char *bdf, uint16_t off, const struct cfgprobe_word *w)
{
	uint16_t prot = plan.protect[off / 2];

	if (prot)
		hostlink_send("obs", "%s W+%03x %04x.%04x.%04x:%s", bdf, off, w->writable, w->rw1c,
			      prot, cfgprobe_reason_str(plan.reason[off / 2]));
	else
		hostlink_send("obs", "%s W+%03x %04x.%04x.0000", bdf, off, w->writable, w->rw1c);
}

/* Probes every word the plan allows; returns how many did not read back as found. */
static int probe_func(const struct pci_topology *t, int index)
{
	const struct pci_func *f = &t->funcs[index];
	struct pcie_slot s, *slot = NULL;
	int not_restored = 0, outside_from = -1;
	char bdf[16];

	pci_bdf_str(f->addr, bdf);
	cfgprobe_plan_func(f, cfgprobe_occupied(t, index), &plan);
	if (plan.slot_ctl && slot_init(&s, f->addr) == 0)
		slot = &s;
	for (uint16_t off = 0; off < plan.size; off += 2) {
		struct cfgprobe_word w;
		bool outside = plan.reason[off / 2] == CP_OUTSIDE;

		if (outside && outside_from < 0)
			outside_from = off;
		if (outside)
			continue;
		if (outside_from >= 0)
			send_outside(bdf, (unsigned int)outside_from, off - 1u);
		outside_from = -1;
		cfgprobe_word(f->addr, off, &plan, slot, &w);
		send_word(bdf, off, &w);
		if (!w.restored) {
			printf("  %s +0x%03x: was %04x, reads %04x after the restore\n", bdf, off,
			       w.before, w.after);
			not_restored++;
		}
	}
	if (outside_from >= 0)
		send_outside(bdf, (unsigned int)outside_from, plan.size - 1u);
	return not_restored;
}

GUEST_TEST(fingerprint_main, "fingerprint", "", "",
	   "every function's config space after reset and what each word does when written")
{
	const struct pci_topology *t = slots_topology();
	char bdf[16];

	report(t->count > 0, "enumerated %d function(s)", t->count);
	if (!pci_cfg_has_extended())
		report_info("no ECAM: 256 bytes per function");
	for (int i = 0; i < t->count; i++) {
		cfgprobe_plan_func(&t->funcs[i], cfgprobe_occupied(t, i), &plan);
		send_values(&t->funcs[i], plan.size);
		send_slot(&t->funcs[i]);
	}
	for (int i = 0; i < t->count; i++) {
		int bad = probe_func(t, i);

		report(bad == 0, "%s: every probed word restored (%d not)",
		       pci_bdf_str(t->funcs[i].addr, bdf), bad);
	}
}
