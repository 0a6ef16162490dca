/*
 * test_slot_invariants.c - lib/slot/slot_invariants.c: the invariants of a slot under a
 * stream of commands, first on register values alone, then against the
 * simulated QEMU root port (sim_rootport.c) driven by lib/slot/slot.c.
 */
#include <string.h>

#include "pci.h"
#include "pci_regs.h"
#include "slot.h"
#include "slot_invariants.h"
#include "time.h"
#include "sim.h"
#include "sim_rootport.h"
#include "unit.h"

#define QEMU_EMPTY_CTL	(PCI_EXP_SLTCTL_ATTN_IND_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF | \
			 PCI_EXP_SLTCTL_PWR_OFF)
#define QEMU_LNKCAP	(SIM_QEMU_LNKCAP)

static struct slot_expect e;
static char buf[256];

/* An empty QEMU slot: powered off, indicators off, no events. */
static struct slot_seen empty_slot(void)
{
	struct slot_seen s = { 0 };

	s.r.sltcap = SIM_QEMU_SLTCAP;
	s.r.sltctl = QEMU_EMPTY_CTL;
	s.r.lnkcap = QEMU_LNKCAP;
	s.r.lnksta = SIM_QEMU_LNKSTA & ~PCI_EXP_LNKSTA_DLLLA;
	return s;
}

static struct slot_seen occupied_slot(void)
{
	struct slot_seen s = empty_slot();

	s.r.sltctl = PCI_EXP_SLTCTL_ATTN_IND_OFF | PCI_EXP_SLTCTL_PWR_IND_ON;
	s.r.sltsta = PCI_EXP_SLTSTA_PDS;
	s.r.lnksta = SIM_QEMU_LNKSTA;
	s.child_answers = true;
	return s;
}

UNIT_TEST(slot_expect_tracked_bits)
{
	uint16_t all = PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC |
		       PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE |
		       PCI_EXP_SLTCTL_CCIE;

	CHECK_EQ(slot_expect_bits(SIM_QEMU_SLTCAP), all);
	CHECK_EQ(slot_expect_bits(SIM_QEMU_SLTCAP | PCI_EXP_SLTCAP_NCCS),
		 all & ~PCI_EXP_SLTCTL_CCIE);
	CHECK_EQ(slot_expect_bits(PCI_EXP_SLTCAP_HPC),
		 PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_CCIE);
}

UNIT_TEST(slot_expect_a_quiet_empty_slot_holds)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	CHECK(e.pds_known && !e.pds);
}

UNIT_TEST(slot_expect_slot_control_reads_back_the_command)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	slot_expect_command(&e, PCI_EXP_SLTCTL_PWR_IND_BLINK | PCI_EXP_SLTCTL_HPIE,
			    PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_HPIE, true);
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_CTL);	/* still the old value */
	s.r.sltctl = (QEMU_EMPTY_CTL & ~PCI_EXP_SLTCTL_PIC) | PCI_EXP_SLTCTL_PWR_IND_BLINK |
		     PCI_EXP_SLTCTL_HPIE;
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	/* Bits nobody tracks (PFDE, read-only 0 on QEMU) do not count. */
	s.r.sltctl |= PCI_EXP_SLTCTL_PFDE;
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	CHECK_EQ(slot_expect_sltctl(&e, &s), s.r.sltctl);
	/* A lost power indicator state does. */
	s.r.sltctl = (s.r.sltctl & ~PCI_EXP_SLTCTL_PIC) | PCI_EXP_SLTCTL_PWR_IND_ON;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_CTL);
	slot_expect_explain(buf, sizeof(buf), SLOT_BAD_CTL, &e, &s);
	CHECK(strstr(buf, "commanded 0") != NULL);
	CHECK(strstr(buf, "PwrInd Blink") != NULL);
}

UNIT_TEST(slot_expect_uncaused_event)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	slot_expect_command(&e, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC, true);
	s.r.sltctl &= ~PCI_EXP_SLTCTL_PCC;
	s.r.sltsta = PCI_EXP_SLTSTA_PDC;	/* power to an empty slot: no adapter came */
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_EVENT);
	slot_expect_explain(buf, sizeof(buf), SLOT_BAD_EVENT, &e, &s);
	CHECK(strstr(buf, "events 0008 set that nothing caused") != NULL);
	CHECK(strstr(buf, "Changed: MRL- PresDet+ LinkState-") != NULL);
	/* A Command Completed nobody left pending is just as uncaused. */
	s.r.sltsta = PCI_EXP_SLTSTA_CC;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_EVENT);
}

UNIT_TEST(slot_expect_pending_command_completed_must_persist)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	slot_expect_command(&e, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC, false);
	s.r.sltctl = (s.r.sltctl & ~PCI_EXP_SLTCTL_AIC) | PCI_EXP_SLTCTL_ATTN_IND_ON;
	CHECK_EQ(slot_expect_check(&e, &s), 0);		/* not there yet: fine */
	s.r.sltsta = PCI_EXP_SLTSTA_CC;
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	slot_expect_learn(&e, &s);
	CHECK_EQ(e.events_must, PCI_EXP_SLTSTA_CC);
	s.r.sltsta = 0;					/* gone, e.g. across a migration */
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_LOST);
	slot_expect_explain(buf, sizeof(buf), SLOT_BAD_LOST, &e, &s);
	CHECK(strstr(buf, "events 0010 seen set are gone") != NULL);
	slot_expect_cleared(&e, PCI_EXP_SLTSTA_CC);
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	/* The next consumed command clears a pending CC too. */
	s.r.sltsta = PCI_EXP_SLTSTA_CC;
	slot_expect_learn(&e, &s);
	CHECK_EQ(e.events_must, 0);			/* not expected: uncaused */
	slot_expect_command(&e, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC, false);
	slot_expect_learn(&e, &s);
	slot_expect_command(&e, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC, true);
	CHECK_EQ(e.events_must | e.events_may, 0);
}

UNIT_TEST(slot_expect_no_command_completed_support)
{
	struct slot_seen s = empty_slot();

	s.r.sltcap |= PCI_EXP_SLTCAP_NCCS;
	slot_expect_init(&e, s.r.sltcap, QEMU_LNKCAP, &s);
	slot_expect_command(&e, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC, false);
	s.r.sltctl = (s.r.sltctl & ~PCI_EXP_SLTCTL_AIC) | PCI_EXP_SLTCTL_ATTN_IND_ON;
	s.r.sltsta = PCI_EXP_SLTSTA_CC;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_EVENT);
}

/* QEMU unplugs on PCC=off with PIC=off: PDC, PDS clear; then it is an empty slot. */
UNIT_TEST(slot_expect_power_off_of_an_occupied_slot)
{
	struct slot_seen s = occupied_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	slot_expect_command(&e, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF,
			    PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC, true);
	s.r.sltctl = QEMU_EMPTY_CTL;
	s.r.sltsta = PCI_EXP_SLTSTA_PDC;
	s.r.lnksta &= ~PCI_EXP_LNKSTA_DLLLA;
	s.child_answers = false;
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	slot_expect_learn(&e, &s);
	CHECK(e.pds_known && !e.pds);
	CHECK_EQ(e.events_must, PCI_EXP_SLTSTA_PDC);
	s.r.sltsta = 0;					/* the hotplug event lost */
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_LOST);
	slot_expect_cleared(&e, SLOT_EVENTS);		/* as an OS does */
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	/* Empty now: powering it on again changes nothing. */
	slot_expect_command(&e, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC, true);
	CHECK(e.pds_known);
	CHECK_EQ(e.events_may, 0);
}

UNIT_TEST(slot_expect_presence)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	s.child_answers = true;				/* answers in an "empty" slot */
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_PRESENCE);
	slot_expect_explain(buf, sizeof(buf), SLOT_BAD_PRESENCE, &e, &s);
	CHECK(strstr(buf, "PresDet- (expected PresDet-), a function answers") != NULL);
	s = empty_slot();
	s.r.sltsta = PCI_EXP_SLTSTA_PDS;			/* PDS changed, no event, no cause */
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_PRESENCE);
	/* Settled, powered, PDS set: its adapter must answer. */
	s = occupied_slot();
	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	s.child_answers = false;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_PRESENCE);
}

UNIT_TEST(slot_expect_link_and_gone)
{
	struct slot_seen s = empty_slot();

	slot_expect_init(&e, SIM_QEMU_SLTCAP, QEMU_LNKCAP, &s);
	s.r.lnksta |= PCI_EXP_LNKSTA_DLLLA;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_LINK);
	slot_expect_explain(buf, sizeof(buf), SLOT_BAD_LINK, &e, &s);
	CHECK(strstr(buf, "DLActive+ in a slot with PresDet-") != NULL);
	s.r.sltctl = s.r.sltsta = 0xffff;
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_GONE);
}

/* ---- against the simulated QEMU root port ---- */

static struct pcie_slot slot;

static void qemu_port(bool empty)
{
	struct sim_port_opts o = { .qemu_unplug_on_pic_off = true, .empty = empty };
	struct ecam_window w;

	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	sim_add_root_port(pci_bdf(0, 0, 0x10, 0), 1, &o);
	if (!empty)
		sim_add_func(pci_bdf(0, 1, 0, 0), 0x1033, 0x0194, 0x0c0330);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 0x10, 0)), 0);
}

static struct slot_seen seen(void)
{
	struct slot_seen s;

	slot_read_regs(&slot, &s.r);
	s.child_answers = slot_child_present(&slot);
	return s;
}

static unsigned int command(uint16_t val, uint16_t mask)
{
	struct slot_seen s;
	unsigned int bad;

	slot_expect_command(&e, val, mask, slot_write_cmd(&slot, val, mask));
	s = seen();
	bad = slot_expect_check(&e, &s);
	slot_expect_learn(&e, &s);
	return bad;
}

UNIT_TEST(slot_expect_commands_on_an_empty_qemu_port)
{
	struct slot_seen s;

	qemu_port(true);
	s = seen();
	slot_expect_init(&e, slot.sltcap, slot.lnkcap, &s);
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_PIC), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_ATTN_IND_ON | PCI_EXP_SLTCTL_PDCE,
			 PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PDCE), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF,
			 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC), 0);
	CHECK_EQ(slot_status(&slot) & SLOT_EVENTS, 0);
}

UNIT_TEST(slot_expect_catches_a_port_that_forgets)
{
	struct sim_func *f;
	struct slot_seen s;

	qemu_port(true);
	f = sim_find(pci_bdf(0, 0, 0x10, 0));
	s = seen();
	slot_expect_init(&e, slot.sltcap, slot.lnkcap, &s);
	CHECK_EQ(command(PCI_EXP_SLTCTL_ATTN_IND_BLINK, PCI_EXP_SLTCTL_AIC), 0);
	/* A destination that comes up with its reset value instead. */
	sim_set16(f, slot.exp + PCI_EXP_SLTCTL, QEMU_EMPTY_CTL);
	s = seen();
	CHECK_EQ(slot_expect_check(&e, &s), SLOT_BAD_CTL);
}

UNIT_TEST(slot_expect_unplug_on_the_qemu_port)
{
	struct slot_seen s;

	qemu_port(false);
	s = seen();
	slot_expect_init(&e, slot.sltcap, slot.lnkcap, &s);
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	/* pciehp's order: PCC off (QEMU keeps the adapter), then PIC off (unplug). */
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_IND_OFF, PCI_EXP_SLTCTL_PIC), 0);
	CHECK(!slot_child_present(&slot));
	CHECK_EQ(e.events_must, PCI_EXP_SLTSTA_PDC);
	slot_expect_cleared(&e, slot_clear_events(&slot, SLOT_EVENTS));
	s = seen();
	CHECK_EQ(slot_expect_check(&e, &s), 0);
	CHECK_EQ(command(PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC), 0);
}

/* Each finding's key (report_keys() in tests/continuous.c), in bit order. */
UNIT_TEST(slot_expect_keys_name_each_finding)
{
	struct report_key k[SLOT_BAD_KINDS];

	CHECK_EQ(slot_expect_keys(0, k, SLOT_BAD_KINDS), 0);
	CHECK_EQ(slot_expect_keys(SLOT_BAD_ALL, k, SLOT_BAD_KINDS), SLOT_BAD_KINDS);
	CHECK_EQ(slot_expect_keys(SLOT_BAD_CTL | SLOT_BAD_LINK, k, SLOT_BAD_KINDS), 2);
	CHECK_STR(k[0].field, "PCI_EXP_SLTCTL");
	CHECK_STR(k[0].cond, "as-commanded");
	CHECK_STR(k[1].field, "PCI_EXP_LNKSTA_DLLLA");
	CHECK_STR(k[1].cond, "clear-without-presence");
	CHECK_EQ(slot_expect_keys(SLOT_BAD_EVENT | SLOT_BAD_LOST | SLOT_BAD_PRESENCE, k, 1), 1);
	CHECK_STR(k[0].cond, "events-caused");
	slot_expect_keys(SLOT_BAD_PRESENCE, k, 1);
	CHECK_STR(k[0].field, "PCI_EXP_SLTSTA_PDS");
}
