/*
 * test_cfgprobe.c - lib/conformance/cfgprobe.c: which bits a fingerprint may write,
 * and what a probe of one word measures, on simulated functions.
 */
#include "cfgprobe.h"
#include "pci.h"
#include "pci_regs.h"
#include "time.h"
#include "sim.h"
#include "sim_rootport.h"
#include "unit.h"

static struct pci_topology topo;
static struct cfgprobe_plan plan;

static void use_ecam(void)
{
	struct ecam_window w;

	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
}

static const struct pci_func *enumerate_find(struct pci_bdf d)
{
	pci_enumerate(&topo);
	return pci_topology_find(&topo, d);
}

/* An endpoint with a 32-bit memory BAR, PM, MSI (64-bit, maskable) and a vendor-specific register. */
static struct sim_func *endpoint(bool decoding)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 3, 0), 0x1af4, 0x1041, 0x020000);
	uint8_t pm = sim_add_cap(f, PCI_CAP_ID_PM, 8);
	uint8_t msi = sim_add_cap(f, PCI_CAP_ID_MSI, 24);

	sim_set16(f, PCI_COMMAND, decoding ? PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER : 0);
	sim_set_wmask16(f, PCI_COMMAND, 0x0407);
	sim_set_w1cmask16(f, PCI_STATUS, 0xf900);
	sim_set16(f, PCI_STATUS, PCI_STATUS_CAP_LIST | 0x2000);	/* Received Master Abort */
	sim_set_wmask16(f, PCI_BASE_ADDRESS_0, 0xf000);
	sim_set_wmask16(f, PCI_BASE_ADDRESS_0 + 2, 0xffff);
	sim_set_wmask16(f, pm + PCI_PM_CTRL, 0x0103);
	sim_set16(f, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	sim_set_wmask16(f, msi + PCI_MSI_FLAGS, 0x0071);
	sim_set_wmask16(f, 0xe0, 0xffff);	/* device-specific, outside every capability */
	return f;
}

UNIT_TEST(cfgprobe_plan_probes_header_and_known_capabilities_only)
{
	const struct pci_func *f;
	uint8_t msi;

	use_ecam();
	endpoint(true);
	f = enumerate_find(pci_bdf(0, 0, 3, 0));
	CHECK(f != NULL);
	cfgprobe_plan_func(f, false, &plan);
	msi = pci_find_cap(f->addr, PCI_CAP_ID_MSI);
	CHECK_EQ(plan.size, PCI_CFG_SPACE_SIZE);	/* conventional: 256 bytes */
	CHECK_EQ(plan.reason[PCI_VENDOR_ID / 2], CP_PROBED);
	CHECK_EQ(plan.reason[(msi + 22) / 2], CP_PROBED);	/* 64-bit, maskable: 24 bytes */
	CHECK_EQ(plan.reason[(msi + 24) / 2], CP_OUTSIDE);
	CHECK_EQ(plan.reason[0xfe / 2], CP_OUTSIDE);
	/* decoding on: Command's enables and the BARs are left alone */
	CHECK_EQ(plan.protect[PCI_COMMAND / 2], 0x0007);
	CHECK_EQ(plan.reason[PCI_COMMAND / 2], CP_DECODE);
	CHECK_EQ(plan.protect[PCI_BASE_ADDRESS_0 / 2], 0xffff);
	CHECK_EQ(plan.reason[PCI_BASE_ADDRESS_5 / 2], CP_BAR);
	CHECK_EQ(plan.reason[PCI_ROM_ADDRESS / 2], CP_BAR);
	CHECK_EQ(plan.protect[(pci_find_cap(f->addr, PCI_CAP_ID_PM) + PCI_PM_CTRL) / 2],
		 PCI_PM_CTRL_STATE_MASK);
	CHECK_EQ(plan.protect[(msi + PCI_MSI_FLAGS) / 2], PCI_MSI_FLAGS_ENABLE);
	CHECK_STR(cfgprobe_reason_str(CP_IRQ), "irq");
}

UNIT_TEST(cfgprobe_plan_sizes_bars_of_a_function_not_decoding)
{
	struct cfgprobe_word w;
	const struct pci_func *f;

	use_ecam();
	endpoint(false);
	f = enumerate_find(pci_bdf(0, 0, 3, 0));
	cfgprobe_plan_func(f, false, &plan);
	CHECK_EQ(plan.protect[PCI_BASE_ADDRESS_0 / 2], 0);
	cfgprobe_word(f->addr, PCI_BASE_ADDRESS_0, &plan, NULL, &w);
	CHECK_EQ(w.writable, 0xf000);
	CHECK(w.restored);
	CHECK_EQ(pci_cfg_read16(f->addr, PCI_BASE_ADDRESS_0), 0);
}

UNIT_TEST(cfgprobe_word_measures_rw_rw1c_ro_and_restores)
{
	struct sim_func *sf;
	const struct pci_func *f;
	struct cfgprobe_word w;

	use_ecam();
	sf = endpoint(true);
	sim_set16(sf, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	f = enumerate_find(pci_bdf(0, 0, 3, 0));
	cfgprobe_plan_func(f, false, &plan);

	cfgprobe_word(f->addr, PCI_COMMAND, &plan, NULL, &w);
	CHECK_EQ(w.writable, 0x0400);		/* the enables are protected */
	CHECK_EQ(w.rw1c, 0);
	CHECK(w.restored);
	CHECK_EQ(sim_get16(sf, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ(sf->last_write_size, 2);

	cfgprobe_word(f->addr, PCI_STATUS, &plan, NULL, &w);
	CHECK_EQ(w.rw1c, 0x2000);		/* set, kept by 0, cleared by 1 */
	CHECK_EQ(w.writable, 0);
	CHECK(w.restored);			/* the cleared event aside */
	CHECK_EQ(sim_get16(sf, PCI_STATUS), PCI_STATUS_CAP_LIST);

	sim_set16(sf, 0xe0, 0x1234);
	CHECK_EQ(plan.reason[0xe0 / 2], CP_OUTSIDE);
	cfgprobe_word(f->addr, 0xe0, &plan, NULL, &w);	/* fully protected: not written */
	CHECK_EQ(w.writable, 0);
	CHECK_EQ(sim_get16(sf, 0xe0), 0x1234);
}

/* A register that sets bit 7 of Cache Line Size on every write to it. */
static void latch_bit7(struct sim_func *f, uint16_t off, int size, uint32_t old, uint32_t val)
{
	if (off == PCI_CACHE_LINE_SIZE)
		f->cfg[PCI_CACHE_LINE_SIZE] |= 0x80;
}

UNIT_TEST(cfgprobe_word_reports_a_word_not_restored)
{
	struct sim_func *sf;
	const struct pci_func *f;
	struct cfgprobe_word w;

	use_ecam();
	sf = endpoint(true);
	f = enumerate_find(pci_bdf(0, 0, 3, 0));
	cfgprobe_plan_func(f, false, &plan);
	sim_set_wmask16(sf, PCI_CACHE_LINE_SIZE, 0x00ff);
	cfgprobe_word(f->addr, PCI_CACHE_LINE_SIZE, &plan, NULL, &w);
	CHECK_EQ(w.writable, 0x00ff);
	CHECK(w.restored);
	sf->after_write = latch_bit7;
	cfgprobe_word(f->addr, PCI_CACHE_LINE_SIZE, &plan, NULL, &w);
	CHECK_EQ(w.writable, 0x007f);
	CHECK(!w.restored);
	CHECK_EQ(w.before, 0);
	CHECK_EQ(w.after, 0x80);
}

UNIT_TEST(cfgprobe_bridge_in_use_keeps_bus_numbers_windows_and_reset)
{
	const struct pci_func *f;

	use_ecam();
	sim_add_bridge(pci_bdf(0, 0, 4, 0), 0x8086, 0x244e, 1, 1);
	sim_add_func(pci_bdf(0, 1, 0, 0), 0x1af4, 0x1041, 0x020000);
	f = enumerate_find(pci_bdf(0, 0, 4, 0));
	CHECK(f != NULL);
	cfgprobe_plan_func(f, true, &plan);
	CHECK_EQ(plan.protect[PCI_PRIMARY_BUS / 2], 0xffff);	/* primary, secondary */
	CHECK_EQ(plan.protect[PCI_SUBORDINATE_BUS / 2], 0x00ff);	/* not the latency timer */
	CHECK_EQ(plan.reason[PCI_SUBORDINATE_BUS / 2], CP_BUS);
	CHECK_EQ(plan.reason[PCI_IO_BASE / 2], CP_WINDOW);
	CHECK_EQ(plan.protect[PCI_SEC_STATUS / 2], 0);		/* RW1C: probed */
	CHECK_EQ(plan.reason[PCI_MEMORY_LIMIT / 2], CP_WINDOW);
	CHECK_EQ(plan.reason[PCI_IO_LIMIT_UPPER16 / 2], CP_WINDOW);
	CHECK_EQ(plan.protect[PCI_BRIDGE_CONTROL / 2], PCI_BRIDGE_CTL_BUS_RESET);
	/* the same bridge with nothing behind it: its windows may be probed */
	cfgprobe_plan_func(f, false, &plan);
	CHECK_EQ(plan.protect[PCI_IO_BASE / 2], 0);
	CHECK_EQ(plan.protect[PCI_PRIMARY_BUS / 2], 0xffff);	/* still configured */
}

UNIT_TEST(cfgprobe_slot_port_keeps_power_link_flr_and_writes_commands)
{
	struct sim_port_opts o = { 0 };
	struct sim_func *sf;
	struct sim_port *port;
	const struct pci_func *f;
	struct pcie_slot s;
	struct cfgprobe_word w;
	uint16_t ctl;

	use_ecam();
	sf = sim_add_root_port(pci_bdf(0, 0, 0x10, 0), 1, &o);
	sim_add_func(pci_bdf(0, 1, 0, 0), 0x1af4, 0x1041, 0x020000);
	port = sim_port_of(sf);
	f = enumerate_find(pci_bdf(0, 0, 0x10, 0));
	cfgprobe_plan_func(f, true, &plan);
	CHECK_EQ(plan.size, PCI_CFG_SPACE_EXP_SIZE);
	CHECK_EQ(plan.slot_ctl, port->exp + PCI_EXP_SLTCTL);
	CHECK_EQ(plan.protect[plan.slot_ctl / 2], PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_EIC);
	CHECK_EQ(plan.reason[plan.slot_ctl / 2], CP_POWER);
	CHECK_EQ(plan.protect[(port->exp + PCI_EXP_DEVCTL) / 2], PCI_EXP_DEVCTL_BCR_FLR);
	CHECK_EQ(plan.protect[(port->exp + PCI_EXP_LNKCTL) / 2], PCI_EXP_LNKCTL_LD);
	CHECK_EQ(plan.protect[(port->exp + PCI_EXP_LNKCTL2) / 2],
		 PCI_EXP_LNKCTL2_ENTER_COMP | 0x0400);
	CHECK_EQ(plan.reason[(port->exp + 0x3c) / 2], CP_OUTSIDE);	/* after the v2 capability */

	CHECK_EQ(slot_init(&s, f->addr), 0);
	ctl = sim_get16(sf, plan.slot_ctl);
	cfgprobe_word(f->addr, plan.slot_ctl, &plan, &s, &w);
	CHECK_EQ(port->commands, 3);		/* zeros, ones, restore */
	CHECK_EQ(port->overlapped, 0);		/* each waited for */
	CHECK_EQ(port->unplugs, 0);		/* PCC never written to 1 */
	CHECK(w.writable & PCI_EXP_SLTCTL_HPIE);
	CHECK_EQ(w.writable & (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_EIC), 0);
	CHECK(w.restored);
	CHECK_EQ(sim_get16(sf, plan.slot_ctl), ctl);
	CHECK(pci_func_present(pci_bdf(0, 1, 0, 0)));
}
