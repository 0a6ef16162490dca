/*
 * test_regattr.c - lib/conformance/regattr.c (the PCIe r5.0 attribute tables and the
 * probe classification) and lib/conformance/regprobe.c against the simulated port.
 */
#include <string.h>

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
	struct regattr_ctx qemu = { .sltcap = SIM_QEMU_SLTCAP, .lnkcap = SIM_QEMU_LNKCAP,
				    .flags = 0x0142, .port_type = PCI_EXP_TYPE_ROOT_PORT };
	/* 2.5 GT/s x1, nothing else */
	struct regattr_ctx slow = { .lnkcap = 0x00000011, .flags = 0x0162,
				    .port_type = PCI_EXP_TYPE_DOWNSTREAM };
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

/* Keys (report_keyed()): the pci_regs.h name, or register and bits; each checked attribute's word. */
UNIT_TEST(regattr_keys_name_fields_and_attributes)
{
	const struct regattr_reg *r = regattr_find("PCI_EXP_LNKCTL2");
	char buf[64];
	int unnamed = 0;

	CHECK(r != NULL);
	for (int i = 0; r && i < r->nfields; i++) {
		const struct regattr_field *f = &r->fields[i];

		regattr_key_field(buf, sizeof(buf), r, f);
		if (f->mask == PCI_EXP_LNKCTL2_TLS)
			CHECK_STR(buf, "PCI_EXP_LNKCTL2_TLS");
		if (f->mask == 0x0400)
			CHECK_STR(buf, "PCI_EXP_LNKCTL2[10]");
		if (f->mask == 0xf000)
			CHECK_STR(buf, "PCI_EXP_LNKCTL2[15:12]");
		CHECK(strchr(buf, ' ') == NULL);
		unnamed += strchr(buf, '[') != NULL;
	}
	CHECK_EQ(unnamed, 4);	/* bits 6, 10, 11 and 15:12 */
	CHECK_STR(regattr_attr_cond(RA_RW), "writable");
	CHECK_STR(regattr_attr_cond(RA_RO), "read-only");
	CHECK_STR(regattr_attr_cond(RA_RW1C), "write-1-clears");
	CHECK_STR(regattr_attr_cond(RA_RSVDZ), "reserved-0");
	CHECK(regattr_attr_cond(RA_UNDEFINED) == NULL);		/* never fails: no key */
	for (uint8_t a = RA_RO; a < RA_UNDEFINED; a++)
		CHECK(regattr_attr_cond(a) != NULL);
}

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

/* ---- the corrected conditions, each on a simulated port that has the property ---- */

/* A port built from @o (a root port, or a switch downstream port), occupied. */
static struct sim_port *setup_with(struct sim_port_opts *o, bool switch_port)
{
	struct ecam_window w;
	struct sim_func *port;

	sim_reset();	/* a case may build several ports in turn */
	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	port = switch_port ? sim_add_downstream_port(pci_bdf(0, 0, 0x10, 0), 1, o)
			   : sim_add_root_port(pci_bdf(0, 0, 0x10, 0), 1, o);
	sim_add_func(pci_bdf(0, 1, 0, 0), 0x1af4, 0x1041, 0x020000);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 0x10, 0)), 0);
	regprobe_ctx(&slot, &ctx);
	return sim_port_of(port);
}

static bool field_conforms(const char *reg, uint32_t mask)
{
	const struct regattr_reg *r = regattr_find(reg);
	struct regprobe_result res;

	regprobe_register(&slot, r, &ctx, false, false, &res);
	for (int i = 0; i < r->nfields; i++)
		if (r->fields[i].mask == mask)
			return regattr_conforms(regattr_expected(&r->fields[i], &ctx), &res.seen[i]);
	CHECK(false);	/* no such field */
	return false;
}

/* PCIe r5.0 §7.5.3.10/11: with No Command Completed Support, CCIE and CC are hardwired 0. */
UNIT_TEST(regattr_nccs_port_ccie_and_cc_hardwired_zero)
{
	struct sim_port_opts compliant = { .nccs = true };
	struct sim_port_opts writable = { .nccs = true, .nccs_ccie_rw = true };

	setup_with(&compliant, false);
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_CCIE), &ctx), RA_ZERO);
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTSTA", PCI_EXP_SLTSTA_CC), &ctx), RA_ZERO);
	/* NoCompl+ with CCIE read-only 0: no false alarm */
	CHECK(field_conforms("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_CCIE));
	CHECK(field_conforms("PCI_EXP_SLTSTA", PCI_EXP_SLTSTA_CC));
	/* ... and a writable CCIE there is found (it is written, not only read) */
	setup_with(&writable, false);
	CHECK(!field_conforms("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_CCIE));
	/* without NoCompl, CCIE stays RW on a hot-plug capable port */
	setup_with(&(struct sim_port_opts){ 0 }, false);
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTCTL", PCI_EXP_SLTCTL_CCIE), &ctx), RA_RW);
	CHECK_EQ(regattr_expected(field("PCI_EXP_SLTSTA", PCI_EXP_SLTSTA_CC), &ctx), RA_RW1C);
}

/* PCIe r6.0: Link Control bit 13 Flit Mode Disable, Link Status 2 bit 10 Flit Mode Status. */
UNIT_TEST(regattr_flit_mode_bits_on_an_r6_port)
{
	struct sim_port_opts flit = { .flit = true };
	const struct regattr_field *dis = field("PCI_EXP_LNKCTL", SLOTPROBE_EXP_LNKCTL_FLIT_DIS);
	const struct regattr_field *sta = field("PCI_EXP_LNKSTA2", PCI_EXP_LNKSTA2_FLIT);

	CHECK(dis != NULL && sta != NULL);
	setup_with(&flit, false);
	CHECK_EQ(regattr_expected(dis, &ctx), RA_RW);
	CHECK_EQ(regattr_expected(sta, &ctx), RA_RO);
	CHECK(field_conforms("PCI_EXP_LNKCTL", SLOTPROBE_EXP_LNKCTL_FLIT_DIS));
	CHECK(field_conforms("PCI_EXP_LNKSTA2", PCI_EXP_LNKSTA2_FLIT));	/* reads 1: no alarm */
	/* an r5.0 port: both stay reserved */
	setup_with(&(struct sim_port_opts){ 0 }, false);
	CHECK_EQ(regattr_expected(dis, &ctx), RA_RSVDP);
	CHECK_EQ(regattr_expected(sta, &ctx), RA_RSVDZ);
	CHECK(field_conforms("PCI_EXP_LNKCTL", SLOTPROBE_EXP_LNKCTL_FLIT_DIS));
}

/* PCIe r5.0 §7.5.3.6: a hot-plug capable Downstream Port must report DLL Link Active. */
UNIT_TEST(regattr_hotplug_port_without_dlllarc)
{
	/* 2.5 GT/s x1, hot-plug capable, no DLLLARC (QEMU's xio3130 kind) */
	struct sim_port_opts without = { .lnkcap = 0x00000011 };
	struct sim_port_opts slow_no_hp = { .lnkcap = 0x00000011,
					    .sltcap = SIM_QEMU_SLTCAP & ~PCI_EXP_SLTCAP_HPC };
	const struct regattr_field *f = field("PCI_EXP_LNKCAP", PCI_EXP_LNKCAP_DLLLARC);
	char buf[32];

	setup_with(&without, true);
	CHECK_EQ(regattr_expected(f, &ctx), RA_ONE);
	CHECK(!field_conforms("PCI_EXP_LNKCAP", PCI_EXP_LNKCAP_DLLLARC));
	CHECK_STR(regattr_cond_str(buf, sizeof(buf), f->cond, &ctx), "HotPlug or >5GT/s+");
	setup_with(&(struct sim_port_opts){ 0 }, false);	/* QEMU's root port: LLActRep+ */
	CHECK(field_conforms("PCI_EXP_LNKCAP", PCI_EXP_LNKCAP_DLLLARC));
	setup_with(&slow_no_hp, true);			/* neither: optional */
	CHECK_EQ(regattr_expected(f, &ctx), RA_RO);
	CHECK(field_conforms("PCI_EXP_LNKCAP", PCI_EXP_LNKCAP_DLLLARC));
}

/* PCIe r5.0 §7.5.3.7: Read Completion Boundary does not apply to switch ports: hardwired 0. */
UNIT_TEST(regattr_rcb_hardwired_zero_on_switch_ports)
{
	struct sim_port_opts rcb = { .rcb = true };
	const struct regattr_field *f = field("PCI_EXP_LNKCTL", PCI_EXP_LNKCTL_RCB);

	setup_with(&rcb, true);
	CHECK_EQ(regattr_expected(f, &ctx), RA_ZERO);
	CHECK(!field_conforms("PCI_EXP_LNKCTL", PCI_EXP_LNKCTL_RCB));
	setup_with(&(struct sim_port_opts){ 0 }, true);
	CHECK(field_conforms("PCI_EXP_LNKCTL", PCI_EXP_LNKCTL_RCB));
	setup_with(&(struct sim_port_opts){ 0 }, false);		/* a root port: RO */
	CHECK_EQ(regattr_expected(f, &ctx), RA_RO);
	CHECK(field_conforms("PCI_EXP_LNKCTL", PCI_EXP_LNKCTL_RCB));
}
