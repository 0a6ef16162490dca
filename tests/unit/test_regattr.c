/*
 * test_regattr.c - lib/conformance/regattr.c (the PCIe r5.0 attribute tables and the
 * probe classification) and lib/conformance/regprobe.c against the simulated port.
 */
#include "pci.h"
#include "pci_regs.h"
#include "slot.h"
#include "regattr.h"
#include "regprobe.h"
#include "time.h"
#include "sim.h"
#include "sim_rootport.h"
#include "unit.h"

/* ---- the tables ---- */

UNIT_TEST(regattr_fields_cover_each_register_once)
{
	for (int i = 0; i < regattr_nregs; i++) {
		const struct regattr_reg *r = &regattr_regs[i];
		uint32_t all = r->width == 4 ? 0xffffffffu : 0xffffu, seen = 0;

		CHECK(r->nfields <= REGATTR_MAX_FIELDS);
		for (int j = 0; j < r->nfields; j++) {
			CHECK(r->fields[j].mask != 0);
			CHECK_EQ(seen & r->fields[j].mask, 0);	/* no overlap */
			CHECK_EQ(r->fields[j].mask & ~all, 0);	/* inside the register */
			seen |= r->fields[j].mask;
		}
		CHECK_EQ(seen, all);	/* every bit has an attribute */
	}
}

UNIT_TEST(regattr_names_are_linux_names)
{
	const struct regattr_reg *r = regattr_find("PCI_EXP_SLTCTL");

	CHECK(r != NULL);
	CHECK_EQ(r->offset, PCI_EXP_SLTCTL);
	CHECK_EQ(r->kind, RK_COMMAND);
	CHECK_STR(r->obs, "SLTCTL");
	CHECK_STR(r->fields[0].name, "PCI_EXP_SLTCTL_ABPE");
	CHECK_STR(regattr_find("PCI_EXP_LNKCTL")->fields[0].name, "PCI_EXP_LNKCTL_ASPMC");
	CHECK_EQ(regattr_find("PCI_EXP_LNKCAP2")->min_version, 2);
	CHECK(regattr_find("PCI_EXP_DEVCTL") == NULL);
}

static const struct regattr_field *field(const char *reg, uint32_t mask)
{
	const struct regattr_reg *r = regattr_find(reg);

	for (int i = 0; r && i < r->nfields; i++)
		if (r->fields[i].mask == mask)
			return &r->fields[i];
	return NULL;
}

UNIT_TEST(regattr_conditions_follow_capabilities)
{
	struct regattr_ctx qemu = { SIM_QEMU_SLTCAP, SIM_QEMU_LNKCAP, 0, 0 };
	struct regattr_ctx slow = { 0, 0x00000011, 0, 0 };	/* 2.5 GT/s x1, nothing else */
	char buf[32];

	/* §7.5.3.10: DLLSCE RW with LLActRep+, may be RO 0 without. */
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_DLLSCE), &qemu), RA_RW);
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_DLLSCE), &slow),
		 RA_RW_OR_ZERO);
	/* §7.5.3.8: DLLLA must be hardwired 0 without DLLLARC. */
	CHECK_EQ(regattr_expected(field("PCI_EXP_LNKSTA", PCI_EXP_LNKSTA_DLLLA), &slow), RA_ZERO);
	/* §7.5.3.10: PCC without a power controller is undefined. */
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_PCC), &slow),
		 RA_UNDEFINED);
	CHECK(regattr_cond_holds(RC_FAST, &qemu));
	CHECK(!regattr_cond_holds(RC_FAST, &slow));
	CHECK_STR(regattr_cond_str(buf, sizeof(buf), RC_DLLLARC, &qemu), "LLActRep+");
	CHECK_STR(regattr_cond_str(buf, sizeof(buf), RC_ALWAYS, &qemu), "");
}

/* ---- classification ---- */

UNIT_TEST(regattr_classify_read_backs)
{
	struct regattr_probe rw = { 0x0300, 0x0100, 0x0100, 0x0100, 0x0200, 0x0200 };
	struct regattr_probe ro = { 0x1000, 0x0000, 0x1000, 0x0000, 0x0000, 0x0000 };
	struct regattr_probe ro_set = { 0x0004, 0x0004, 0x0004, 0x0004, 0, 0x0004 };
	struct regattr_probe zero = { 0x0020, 0x0020, 0x0020, 0x0000, 0, 0x0000 };
	struct regattr_probe partial = { 0x0003, 0, 0x0003, 0x0001, 0, 0 };

	CHECK_EQ(regattr_classify(&rw), RS_RW);
	CHECK_EQ(regattr_classify(&ro), RS_RO);
	CHECK_EQ(regattr_classify(&ro_set), RS_RO);
	CHECK_EQ(regattr_classify(&zero), RS_READS_ZERO);
	CHECK_EQ(regattr_classify(&partial), RS_PARTIAL);
}

UNIT_TEST(regattr_patterns_per_field_kind)
{
	uint32_t a, b;

	regattr_patterns(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_PIC), &a, &b);
	CHECK_EQ(a, PCI_EXP_SLTCTL_PWR_IND_ON);
	CHECK_EQ(b, PCI_EXP_SLTCTL_PWR_IND_BLINK);
	regattr_patterns(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_HPIE), &a, &b);
	CHECK_EQ(a, PCI_EXP_SLTCTL_HPIE);
	CHECK_EQ(b, 0);
	regattr_patterns(field("PCI_EXP_LNKCTL2", PCI_EXP_LNKCTL2_TLS), &a, &b);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 2);
}

UNIT_TEST(regattr_conformance_rules)
{
	struct regattr_seen rw = { RS_RW, 0 }, ro0 = { RS_RO, 0 }, ro1 = { RS_RO, 4 };
	struct regattr_seen rd0 = { RS_READ_ONLY, 0 }, rd1 = { RS_READ_ONLY, 1 };
	struct regattr_seen cleared = { RS_CLEARED, 8 }, stuck = { RS_NOT_CLEARED, 8 };
	struct regattr_seen none = { RS_NOT_PROBED, 1 }, z = { RS_READS_ZERO, 1 };

	CHECK(regattr_conforms(RA_RW, &rw));
	CHECK(!regattr_conforms(RA_RW, &ro0));
	CHECK(regattr_conforms(RA_RO, &ro1));
	CHECK(!regattr_conforms(RA_RO, &rw));
	CHECK(regattr_conforms(RA_RW_OR_ZERO, &ro0));
	CHECK(!regattr_conforms(RA_RW_OR_ZERO, &ro1));
	CHECK(regattr_conforms(RA_RW_READS_ZERO, &ro0));
	CHECK(regattr_conforms(RA_RW_READS_ZERO, &z));
	CHECK(regattr_conforms(RA_RSVDP, &rd0));
	CHECK(!regattr_conforms(RA_RSVDZ, &rd1));
	CHECK(!regattr_conforms(RA_ZERO, &rd1));
	CHECK(regattr_conforms(RA_RW1C, &cleared));
	CHECK(!regattr_conforms(RA_RW1C, &stuck));
	CHECK(regattr_conforms(RA_RW, &none));
	CHECK(regattr_conforms(RA_UNDEFINED, &ro1));
}

/* ---- the probe against the simulated port ---- */

static struct pcie_slot slot;
static struct regattr_ctx ctx;

static struct sim_port *setup(bool qemu_like, bool empty)
{
	struct sim_port_opts o = { .qemu_unplug_on_pic_off = qemu_like, .empty = empty };
	struct ecam_window w;
	struct sim_func *port;

	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	port = sim_add_root_port(pci_bdf(0, 0, 0x10, 0), 1, &o);
	if (!empty)
		sim_add_func(pci_bdf(0, 1, 0, 0), 0x1af4, 0x1041, 0x020000);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 0x10, 0)), 0);
	regprobe_ctx(&slot, &ctx);
	return sim_port_of(port);
}

static uint8_t seen_kind(const struct regprobe_result *res, uint32_t mask)
{
	for (int i = 0; i < res->reg->nfields; i++)
		if (res->reg->fields[i].mask == mask)
			return res->seen[i].kind;
	return 0xff;
}

static bool all_conform(const struct regprobe_result *res)
{
	for (int i = 0; i < res->reg->nfields; i++)
		if (!regattr_conforms(regattr_expected(&res->reg->fields[i], &ctx), &res->seen[i]))
			return false;
	return true;
}

UNIT_TEST(regprobe_slot_control_as_commands)
{
	struct sim_port *p = setup(false, false);
	struct regprobe_result res;
	unsigned int before = p->commands;

	regprobe_register(&slot, regattr_find("PCI_EXP_SLTCTL"), &ctx, false, false, &res);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_PIC), RS_RW);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_DLLSCE), RS_RW);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_PCC), RS_NOT_PROBED);	/* occupied */
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_EIC), RS_NOT_PROBED);	/* own check */
	CHECK(all_conform(&res));
	CHECK_EQ(res.after, res.before);
	CHECK_EQ(res.commands_failed, 0);
	CHECK_EQ(p->commands - before, res.commands);
	CHECK_EQ(p->overlapped, 0);
	CHECK_EQ(p->sltctl_non16, 0);
	CHECK_EQ(p->unplugs, 0);
}

UNIT_TEST(regprobe_finds_qemu_read_only_dllsce)
{
	struct regprobe_result res;

	setup(true, false);
	regprobe_register(&slot, regattr_find("PCI_EXP_SLTCTL"), &ctx, false, false, &res);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_DLLSCE), RS_RO);
	CHECK(!all_conform(&res));
}

UNIT_TEST(regprobe_destructive_pass_on_empty_slot)
{
	struct sim_port *p = setup(false, true);
	struct regprobe_result res;

	regprobe_register(&slot, regattr_find("PCI_EXP_SLTCTL"), &ctx, true, true, &res);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_PCC), RS_RW);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCTL_PIC), RS_NOT_PROBED);	/* first pass did it */
	CHECK_EQ(res.after, res.before);
	CHECK_EQ(p->overlapped, 0);
}

UNIT_TEST(regprobe_status_rw1c_only_where_set)
{
	struct sim_port *p = setup(false, false);
	struct regprobe_result res;

	sim_set16(p->f, p->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC);
	regprobe_register(&slot, regattr_find("PCI_EXP_SLTSTA"), &ctx, false, false, &res);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTSTA_PDC), RS_CLEARED);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTSTA_ABP), RS_NOT_PROBED);
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTSTA_PDS), RS_RO);
	CHECK_EQ(p->w1c_of_clear_bits, 0);	/* never a 1 on a bit that was not set */
	CHECK(all_conform(&res));
	CHECK_EQ(res.after, PCI_EXP_SLTSTA_PDS);
}

UNIT_TEST(regprobe_capability_registers_read_only)
{
	struct regprobe_result res;

	setup(false, false);
	regprobe_register(&slot, regattr_find("PCI_EXP_SLTCAP"), &ctx, false, false, &res);
	CHECK(all_conform(&res));
	CHECK_EQ(seen_kind(&res, PCI_EXP_SLTCAP_PSN), RS_RO);
	CHECK_EQ(res.after, res.before);
	regprobe_register(&slot, regattr_find("PCI_EXP_LNKCTL"), &ctx, false, false, &res);
	CHECK_EQ(seen_kind(&res, PCI_EXP_LNKCTL_ASPMC), RS_RW);
	CHECK_EQ(seen_kind(&res, PCI_EXP_LNKCTL_LD), RS_NOT_PROBED);
	CHECK_EQ(res.after, res.before);
}
