/*
 * slot-regs - register attribute conformance of a hot-plug slot's Link and
 * Slot registers (PCIe r5.0 §7.5.3.6-11, and §7.5.3.18-23 with a version 2
 * capability): each field is written with patterns, read back and restored
 * (lib/conformance/regprobe.h), and what it did is compared with the attribute the
 * specification gives it (lib/conformance/regattr.c, one table per register).
 *
 * Order matters. First the registers are read (and sent as observations),
 * the slot's state checked for consistency, then every field that cannot
 * unplug anything is probed; Slot Control one command per pattern. Command
 * Completed is checked on its own: every Slot Control write, even one that
 * changes nothing, completes exactly one command (§6.7.3.2). An occupied
 * slot is then powered off as pciehp does (QEMU unplugs the device), the
 * registers checked against the event (§6.7.3.3, §7.5.3.11), and only then
 * are the destructive fields (Power Controller Control, Link Disable, Enter
 * Compliance) probed on the empty slot.
 *
 * Every register is restored; after an unplug, Power Controller Control and
 * Power Indicator Control are left off, as pciehp leaves an empty slot.
 *
 * Parameters: slot=BDF (default: every hot-plug slot).
 */
#include "args.h"
#include "bitfield.h"
#include "guest_test.h"
#include "lspci.h"
#include "pci.h"
#include "printf.h"
#include "regprobe.h"
#include "report.h"
#include "slot_board.h"
#include "slot_checklist.h"
#include "slot_select.h"
#include "time.h"

#define CC_QUIET_MS 10	/* a second Command Completed would show by then */

static struct regattr_ctx ctx;
static uint8_t exp_version;
static char bdf[16];

static bool has_reg(const struct regattr_reg *r)
{
	return r->min_version <= exp_version;
}

static void observe(struct pcie_slot *s)
{
	for (int i = 0; i < regattr_nregs; i++)
		if (has_reg(&regattr_regs[i]))
			report_obs(bdf, regattr_regs[i].obs, regprobe_read(s, &regattr_regs[i]));
	printf("%s at start (PCIe capability version %u):\n", bdf, exp_version);
	slot_print(s);
}

/* ---- consistency of the state found ---- */

static void check_power_vs_device(struct pcie_slot *s)
{
	uint16_t ctl = slot_ctrl(s);
	unsigned int pic = FIELD_GET(PCI_EXP_SLTCTL_PIC, ctl);
	bool power_on = !(ctl & PCI_EXP_SLTCTL_PCC);

	if (!slot_child_present(s)) {
		report_info("empty slot: SltCtl %04x: PwrInd %s, Power%c (either is allowed)",
			    ctl, lspci_indicator(pic), power_on ? '+' : '-');
		return;
	}
	/* §6.7.1.8: a powered-off slot's adapter cannot answer. */
	if (slot_has_power_controller(s))
		report(power_on, "a device answers, so Power Controller Control reads on "
		       "(SltCtl %04x: Power%c)", ctl, power_on ? '+' : '-');
	/* §6.7.1.1.2: Power Indicator off means the slot may be opened. */
	if (s->sltcap & PCI_EXP_SLTCAP_PIP)
		report((ctl & PCI_EXP_SLTCTL_PIC) != PCI_EXP_SLTCTL_PWR_IND_OFF,
		       "a device answers, so the Power Indicator is not off (SltCtl %04x: "
		       "PwrInd %s)", ctl, lspci_indicator(pic));
}

/*
 * §7.5.3.6: Max Link Speed 0000b and Maximum Link Width 00 0000b are
 * reserved encodings: a port has at least one speed and one lane.
 */
static void check_link_capabilities(struct pcie_slot *s)
{
	unsigned int sls = s->lnkcap & PCI_EXP_LNKCAP_SLS;
	unsigned int mlw = FIELD_GET(PCI_EXP_LNKCAP_MLW, s->lnkcap);
	struct report_key bad[2];
	int n = 0;

	if (!sls)
		bad[n++] = REPORT_KEY(PCI_EXP_LNKCAP_SLS, VALID_ENCODING);
	if (!mlw)
		bad[n++] = REPORT_KEY(PCI_EXP_LNKCAP_MLW, VALID_ENCODING);
	report_keys(n == 0, bad, n, "PCI_EXP_LNKCAP_SLS and PCI_EXP_LNKCAP_MLW are valid "
		    "encodings (LnkCap %08x: Speed %s, Width x%u)", s->lnkcap,
		    lspci_link_speed(sls), mlw);
}

static void check_consistency(struct pcie_slot *s)
{
	uint16_t lnksta = link_status(s);

	check_slot_consistent(s);
	check_link_capabilities(s);
	/* §7.5.3.8: DLLLA "must be hardwired to 0b" when DLLLARC is 0b. */
	if (!(s->lnkcap & PCI_EXP_LNKCAP_DLLLARC))
		report_keyed(!(lnksta & PCI_EXP_LNKSTA_DLLLA),
			     REPORT_KEY(PCI_EXP_LNKSTA_DLLLA, HARDWIRED_0),
			     "LLActRep- so DLActive reads 0 (LnkCap %08x, LnkSta %04x)",
			     s->lnkcap, lnksta);
	check_power_vs_device(s);
	/*
	 * §7.5.3.9: Hot-Plug Capable and Power Controller Present are separate
	 * capabilities; §6.7.1.8 makes the power controller an optional
	 * element of a hot-plug slot. Reported, not required.
	 */
	report_info("HotPlug%c PwrCtrl%c Surprise%c NoCompl%c",
		    (s->sltcap & PCI_EXP_SLTCAP_HPC) ? '+' : '-',
		    (s->sltcap & PCI_EXP_SLTCAP_PCP) ? '+' : '-',
		    (s->sltcap & PCI_EXP_SLTCAP_HPS) ? '+' : '-',
		    (s->sltcap & PCI_EXP_SLTCAP_NCCS) ? '+' : '-');
}

/* ---- attribute conformance: one report per register, one per deviating field ---- */

static void report_register(const struct regprobe_result *res, bool second_pass)
{
	const struct regattr_reg *r = res->reg;
	char seen[64], cond[24], field[64];
	struct report_key key;
	int ok = 0, probed = 0, bad = 0;
	uint32_t rw1c = 0;

	for (int i = 0; i < r->nfields; i++)
		if (regattr_expected(&r->fields[i], &ctx) == RA_RW1C &&
		    res->seen[i].kind != RS_NOT_PROBED)
			rw1c |= r->fields[i].mask;
	for (int i = 0; i < r->nfields; i++) {
		const struct regattr_field *f = &r->fields[i];
		const struct regattr_seen *sn = &res->seen[i];
		uint8_t want = regattr_expected(f, &ctx);

		if (sn->kind == RS_NOT_PROBED)
			continue;
		probed++;
		regattr_seen_str(seen, sizeof(seen), sn, f->mask);
		regattr_cond_str(cond, sizeof(cond), f->cond, &ctx);
		printf("\t%-44s %-20s spec %s%s%s\n", f->name, seen, regattr_attr_str(want),
		       cond[0] ? " with " : "", cond);
		if (regattr_conforms(want, sn)) {
			ok++;
			continue;
		}
		bad++;
		key.field = regattr_key_field(field, sizeof(field), r, f);
		key.cond = regattr_attr_cond(want);
		report_keyed(false, key, "%s: %s, %s says %s%s%s", f->name, seen, r->spec,
			     regattr_attr_str(want), cond[0] ? " with " : "", cond);
	}
	if (probed && !bad)
		report(true, "%s (%s): %d field(s) behave as specified%s", r->name, r->spec,
		       ok, second_pass ? " on the empty slot" : "");
	if (r->kind == RK_COMMAND && res->commands)
		report(res->commands_failed == 0, "%s: %u of %u probe commands completed",
		       r->name, res->commands - res->commands_failed, res->commands);
	report((res->after & ~rw1c) == (res->before & ~rw1c), "%s %s (%0*x, was %0*x)",
	       r->name, rw1c ? "restored but for RW1C bits cleared by the probe" : "restored",
	       r->width * 2, res->after, r->width * 2, res->before);
}

/* RW1C fields that were not set could not be probed: say which, once. */
static void report_unprobed_rw1c(const struct regprobe_result *res)
{
	char list[160] = "";
	int n = 0, len = 0;

	for (int i = 0; i < res->reg->nfields; i++) {
		const struct regattr_field *f = &res->reg->fields[i];

		if (regattr_expected(f, &ctx) != RA_RW1C || res->seen[i].kind != RS_NOT_PROBED)
			continue;
		len += snprintf(list + len, sizeof(list) - len, "%s%s", n++ ? " " : "", f->name);
		if (len >= (int)sizeof(list))
			break;
	}
	if (n)
		report_info("%s: RW1C not probed (not set): %s", res->reg->name, list);
}

#define KIND(k) (1u << (k))
#define ALL_KINDS (KIND(RK_CAPABILITY) | KIND(RK_CONTROL) | KIND(RK_COMMAND) | KIND(RK_STATUS))

static void probe_kinds(struct pcie_slot *s, unsigned int kinds, bool destructive_ok,
			bool only_destructive)
{
	struct regprobe_result res;

	for (int i = 0; i < regattr_nregs; i++) {
		const struct regattr_reg *r = &regattr_regs[i];

		if (!has_reg(r) || !(kinds & KIND(r->kind)))
			continue;
		regprobe_register(s, r, &ctx, destructive_ok, only_destructive, &res);
		report_register(&res, only_destructive);
		if (r->kind == RK_STATUS)
			report_unprobed_rw1c(&res);
	}
}

/* ---- Command Completed (§6.7.3.2, §7.5.3.11) ---- */

static void check_command_completed(struct pcie_slot *s)
{
	uint16_t ctl;

	if (s->sltcap & PCI_EXP_SLTCAP_NCCS) {
		report_skip("No Command Completed Support: Command Completed not checked");
		return;
	}
	report_prefix_push("Command Completed");
	slot_wait_cmd(s);
	ctl = slot_ctrl(s) & ~PCI_EXP_SLTCTL_EIC;
	report(!(slot_status(s) & PCI_EXP_SLTSTA_CC), "clear before the command");
	report(slot_write_cmd_keep_cc(s, 0, 0, SLOT_CMD_TIMEOUT_MS),
	       "a Slot Control write that changes nothing (%04x) completes "
	       "within %d ms", ctl, SLOT_CMD_TIMEOUT_MS);
	pcie_cap_write16(s, PCI_EXP_SLTSTA, 0);
	report(slot_status(s) & PCI_EXP_SLTSTA_CC, "writing 0 leaves it set (RW1C)");
	pcie_cap_write16(s, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC);
	report(!(slot_status(s) & PCI_EXP_SLTSTA_CC), "writing 1 clears it (RW1C)");
	mdelay(CC_QUIET_MS);
	report(!(slot_status(s) & PCI_EXP_SLTSTA_CC),
	       "set once per command: still clear %d ms later", CC_QUIET_MS);
	report(slot_ctrl(s) == ctl, "Slot Control unchanged (%04x)", slot_ctrl(s));
	report_prefix_pop();
}

/* §7.5.3.10: a write of 1 to EIC toggles the interlock (EIS), reads return 0. */
static void check_interlock(struct pcie_slot *s)
{
	uint16_t eis = slot_status(s) & PCI_EXP_SLTSTA_EIS;
	uint16_t toggled, back;

	if (!(s->sltcap & PCI_EXP_SLTCAP_EIP))
		return;
	slot_write_cmd(s, PCI_EXP_SLTCTL_EIC, PCI_EXP_SLTCTL_EIC);
	toggled = slot_status(s) & PCI_EXP_SLTSTA_EIS;
	report(!(slot_ctrl(s) & PCI_EXP_SLTCTL_EIC), "PCI_EXP_SLTCTL_EIC reads 0 after "
	       "writing 1");
	slot_write_cmd(s, PCI_EXP_SLTCTL_EIC, PCI_EXP_SLTCTL_EIC);
	back = slot_status(s) & PCI_EXP_SLTSTA_EIS;
	report(toggled != eis && back == eis, "writing 1 to EIC toggles Interlock Status "
	       "(%s, then %s, then %s)", eis ? "on" : "off", toggled ? "on" : "off",
	       back ? "on" : "off");
}

/* ---- an occupied slot powered off: what the registers must say (§6.7.3.3, §7.5.3.11) ---- */

static void power_off_and_check(struct pcie_slot *s)
{
	uint16_t lnksta_before = link_status(s), sta;

	report_prefix_push("power-off");
	s->power_off_settle_ms = 0;
	report(slot_power_off(s), "power-off commands completed within %d ms",
	       SLOT_CMD_TIMEOUT_MS);
	slots_print_state(s, "after power-off");
	check_slot_powered_off(s);
	sta = slot_status(s);
	report_keyed(sta & PCI_EXP_SLTSTA_PDC, REPORT_KEY(PCI_EXP_SLTSTA_PDC, RAISED),
		     "PCI_EXP_SLTSTA_PDC set by the change of Presence Detect State "
		     "(SltSta %04x)", sta);
	if ((s->lnkcap & PCI_EXP_LNKCAP_DLLLARC) && (lnksta_before & PCI_EXP_LNKSTA_DLLLA))
		report_keyed(sta & PCI_EXP_SLTSTA_DLLSC, REPORT_KEY(PCI_EXP_SLTSTA_DLLSC, RAISED),
			     "PCI_EXP_SLTSTA_DLLSC set: DLLLA changed (LnkSta %04x -> %04x, "
			     "SltSta %04x), PCIe r5.0 7.5.3.11", lnksta_before, link_status(s), sta);
	/* The events the power-off raised make the RW1C bits probeable. */
	probe_kinds(s, KIND(RK_STATUS), false, false);
	report_prefix_pop();
}

static void probe_slot(struct pcie_slot *s)
{
	bool occupied = slot_child_present(s);

	report_prefix_pushf("slot %s", pci_bdf_str(s->port, bdf));
	exp_version = regprobe_exp_version(s);
	regprobe_ctx(s, &ctx);
	observe(s);
	check_consistency(s);
	report_info("%s slot: %s", occupied ? "occupied" : "empty",
		    occupied ? "destructive fields probed after power-off"
			     : "every field probed");

	probe_kinds(s, ALL_KINDS, !occupied, false);
	check_command_completed(s);
	check_interlock(s);
	if (occupied) {
		power_off_and_check(s);
		report_prefix_push("emptied");
		probe_kinds(s, KIND(RK_CONTROL) | KIND(RK_COMMAND), true, true);
		report_prefix_pop();
	}
	slot_wait_cmd(s);
	report(!slot_cmd_pending(s), "no command left outstanding");
	/* lib/slot/slot.h: detected, then tolerated the way pciehp does */
	report(!s->broken_cmd_compl, "Command Completed for every command, not only those "
	       "changing PCC/PIC/AIC/EIC (PCIe r5.0 6.7.3.2; pciehp's broken_cmd_compl)");
	report(s->cmd_late == 0, "no command completed later than %d ms (%u did)",
	       SLOT_CMD_TIMEOUT_MS, s->cmd_late);
	report_prefix_pop();
}

GUEST_TEST(slot_regs_main, "slot-regs", "slot",
	   "",
	   "Link and Slot register attributes (RO/RW/RW1C/reserved) against PCIe r5.0")
{
	static struct pcie_slot slots[SLOTS_MAX];
	int n = slots_select(slots, SLOTS_MAX, false);

	if (n == 0)
		report_skip("no hot-plug slot");
	for (int i = 0; i < n; i++)
		probe_slot(&slots[i]);
}
