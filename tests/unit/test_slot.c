/*
 * test_slot.c - lib/slot/slot.c against the simulated root port
 * (sim_rootport.c): commands and Command Completed, power off/on as pciehp
 * does it, QEMU's unplug rule, RW1C event clearing, link and device waits.
 */
#include "console.h"
#include "pci.h"
#include "pci_regs.h"
#include "slot.h"
#include "slot_board.h"
#include "time.h"
#include "sim.h"
#include "sim_rootport.h"
#include "unit.h"

#define PORT_DEV 0x10
#define SEC_BUS 1

static struct pcie_slot slot;
static struct sim_func *port, *child;
static struct sim_port *model;

static struct pci_bdf port_at(void)
{
	return pci_bdf(0, 0, PORT_DEV, 0);
}

static void machine(void)
{
	struct ecam_window w;

	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
}

/* A root port at 00:10.0 with a virtio-net behind it on bus 1. */
static void setup(const struct sim_port_opts *opts)
{
	machine();
	port = sim_add_root_port(port_at(), SEC_BUS, opts);
	child = sim_add_func(pci_bdf(0, SEC_BUS, 0, 0), 0x1af4, 0x1041, 0x020000);
	model = sim_port_of(port);
	CHECK_EQ(slot_init(&slot, port_at()), 0);
}

static uint16_t child_vendor(void)
{
	return pci_cfg_read16(slot_child(&slot, 0), PCI_VENDOR_ID);
}

UNIT_TEST(slot_init_reads_the_port)
{
	struct sim_port_opts o = { .slot_nr = 3, .port_nr = 0x10 };

	setup(&o);
	CHECK_EQ(slot.exp, model->exp);
	CHECK_EQ(slot.port_type, PCI_EXP_TYPE_ROOT_PORT);
	CHECK_EQ(slot.sltcap, SIM_QEMU_SLTCAP | 3u << 19);
	CHECK_EQ(slot.lnkcap, SIM_QEMU_LNKCAP | 0x10u << 24);
	CHECK_EQ(slot.sec_bus, SEC_BUS);
	CHECK(slot_has_power_controller(&slot));
	CHECK(slot_is_powered_on(&slot));
	CHECK(slot_child_present(&slot));
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDS);
	CHECK_EQ(slot_ctrl(&slot), PCI_EXP_SLTCTL_ATTN_IND_OFF | PCI_EXP_SLTCTL_PWR_IND_ON);
	CHECK_EQ(link_status(&slot), SIM_QEMU_LNKSTA);
	CHECK_EQ(slot_child(&slot, 2).devfn, PCI_DEVFN(0, 2));
}

UNIT_TEST(slot_init_downstream_port)
{
	machine();
	sim_add_downstream_port(pci_bdf(0, 2, 0, 0), 3, NULL);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 2, 0, 0)), 0);
	CHECK_EQ(slot.port_type, PCI_EXP_TYPE_DOWNSTREAM);
	CHECK_EQ(slot.sec_bus, 3);
}

UNIT_TEST(slot_init_rejects_ports_without_a_slot)
{
	struct sim_func *f;
	uint8_t exp;

	machine();
	/* A bridge with a PCI Express capability but Slot Implemented clear. */
	f = sim_add_bridge(pci_bdf(0, 0, 1, 0), 0x1b36, 0x000c, 1, 1);
	exp = sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	sim_set16(f, exp + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ROOT_PORT << 4);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 1, 0)), -1);
	/* Conventional PCI: no PCI Express capability at all. */
	sim_add_bridge(pci_bdf(0, 0, 2, 0), 0x8086, 0x244e, 2, 2);
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 2, 0)), -1);
	/* Nothing there. */
	CHECK_EQ(slot_init(&slot, pci_bdf(0, 0, 3, 0)), -1);
}

UNIT_TEST(slot_cmd_completes_and_clears_only_cc)
{
	uint64_t t0;

	setup(NULL);
	/* An unrelated event is pending: clearing CC must not lose it. */
	sim_set16(port, model->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);
	t0 = sim_now_us();
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC));
	CHECK(!slot.cmd_timed_out);
	CHECK(slot.cmd_us >= 200 && slot.cmd_us < 300);
	CHECK(sim_now_us() - t0 < 1000);
	CHECK_EQ(model->commands, 1);
	CHECK_EQ(model->sltsta_writes, 1);
	CHECK_EQ(model->sltsta_written, PCI_EXP_SLTSTA_CC);
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);
	CHECK_EQ(slot_ctrl(&slot), PCI_EXP_SLTCTL_ATTN_IND_ON | PCI_EXP_SLTCTL_PWR_IND_ON);
}

UNIT_TEST(slot_cmd_timeout_is_reported)
{
	struct sim_port_opts o = { .never_complete = true };
	uint64_t t0;

	setup(&o);
	t0 = sim_now_us();
	CHECK(!slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_BLINK, PCI_EXP_SLTCTL_AIC));
	CHECK(slot.cmd_timed_out);
	CHECK_EQ(slot.cmd_timeouts, 1);
	/* waited as long as pciehp waits when it polls, not the spec's 1 s */
	CHECK(sim_now_us() - t0 >= SLOT_CMD_POLL_TIMEOUT_MS * 1000);
	CHECK(sim_now_us() - t0 < SLOT_CMD_POLL_TIMEOUT_MS * 1000 + 10000);
	CHECK(slot.cmd_us >= SLOT_CMD_POLL_TIMEOUT_MS * 1000);
	CHECK(!slot.broken_cmd_compl);	/* nothing ever completed: not the CF118 kind */
	CHECK_EQ(model->sltsta_writes, 0);
	/* The next command still goes out (as pciehp does), and times out on its own. */
	CHECK(!slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC));
	CHECK_EQ(slot.cmd_timeouts, 2);
	CHECK_EQ(model->commands, 2);
}

UNIT_TEST(slot_cmd_late_completion_is_late_not_lost)
{
	struct sim_port_opts o = { .cmd_delay_us = 1500000 };

	setup(&o);
	CHECK(!slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC));
	CHECK(!slot.cmd_timed_out);		/* it came, after 1.5 s */
	CHECK_EQ(slot.cmd_timeouts, 0);
	CHECK_EQ(slot.cmd_late, 1);		/* PCIe r5.0 §6.7.3.2 allows 1 s */
	CHECK(slot.cmd_us >= 1500000);
	CHECK_EQ(model->sltsta_writes, 1);	/* cleared */
	slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC);
	CHECK_EQ(model->overlapped, 0);		/* the next one did not overlap it */
}

/* pciehp's broken_cmd_compl (Intel CF118): no completion for enable-only commands. */
UNIT_TEST(slot_cmd_broken_cmd_compl_detected_once)
{
	struct sim_port_opts o = { .cc_only_for_control = true };
	uint64_t t0;

	setup(&o);
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC));
	CHECK(!slot.broken_cmd_compl);
	t0 = sim_now_us();
	/* the first enable-only command: one wait, then the port is known */
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_HPIE, PCI_EXP_SLTCTL_HPIE));
	CHECK(slot.broken_cmd_compl);
	CHECK_EQ(slot.cmd_timeouts, 0);
	CHECK(sim_now_us() - t0 >= SLOT_CMD_POLL_TIMEOUT_MS * 1000);
	/* later ones are not waited for */
	t0 = sim_now_us();
	for (int i = 0; i < 5; i++)
		CHECK(slot_write_cmd(&slot, i & 1 ? PCI_EXP_SLTCTL_PDCE : 0, PCI_EXP_SLTCTL_PDCE));
	CHECK(sim_now_us() - t0 < 1000);
	/* a command that changes an indicator is still waited for, and completes */
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC));
	CHECK(slot.cmd_us >= 200);
	CHECK_EQ(model->overlapped, 0);
	CHECK_EQ(model->commands, 8);
}

UNIT_TEST(slot_cmd_enable_only_timeout_before_any_completion_is_a_timeout)
{
	struct sim_port_opts o = { .cc_only_for_control = true };

	setup(&o);
	CHECK(!slot_write_cmd(&slot, PCI_EXP_SLTCTL_HPIE, PCI_EXP_SLTCTL_HPIE));
	CHECK(!slot.broken_cmd_compl);	/* nothing completed yet: no evidence */
	CHECK_EQ(slot.cmd_timeouts, 1);
}

UNIT_TEST(slot_cmd_nccs_does_not_wait)
{
	struct sim_port_opts o = { .nccs = true };
	uint64_t t0;

	setup(&o);
	CHECK(slot.sltcap & PCI_EXP_SLTCAP_NCCS);
	t0 = sim_now_us();
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC));
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC));
	CHECK(!slot.cmd_timed_out);
	CHECK(sim_now_us() - t0 < 100);
	CHECK_EQ(model->commands, 2);
	CHECK_EQ(model->sltsta_writes, 0);
}

UNIT_TEST(slot_cmd_waits_for_the_previous_one)
{
	setup(NULL);
	slot_write_cmd_nowait(&slot, PCI_EXP_SLTCTL_PWR_IND_BLINK, PCI_EXP_SLTCTL_PIC);
	CHECK(slot.cmd_busy);
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC));
	CHECK_EQ(model->commands, 2);
	CHECK_EQ(model->overlapped, 0);
	CHECK_EQ(model->sltsta_writes, 2);	/* CC cleared after each */
	CHECK(!slot.cmd_busy);

	/* The model notices a driver that does not wait. */
	pci_cfg_write16(port_at(), slot.exp + PCI_EXP_SLTCTL, 0x01c0);
	pci_cfg_write16(port_at(), slot.exp + PCI_EXP_SLTCTL, 0x02c0);
	CHECK_EQ(model->overlapped, 1);
}

UNIT_TEST(slot_cmd_late_completion_is_cleared_by_the_next)
{
	setup(NULL);
	slot_write_cmd_nowait(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC);
	sim_advance_us(5000);		/* CC is set by now, nobody cleared it */
	slot_write_cmd_nowait(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC);
	CHECK_EQ(model->overlapped, 0);
	CHECK_EQ(model->sltsta_written, PCI_EXP_SLTSTA_CC);
	CHECK(slot_wait_cmd(&slot));
	CHECK(!(slot_status(&slot) & PCI_EXP_SLTSTA_CC));
}

UNIT_TEST(slot_every_sltctl_write_is_16bit)
{
	struct sim_port_opts o = { .child_returns = true };

	setup(&o);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off(&slot));
	CHECK(slot_power_on(&slot));
	CHECK(slot_set_attention(&slot, PCI_EXP_SLTCTL_ATTN_IND_BLINK));
	CHECK(slot_power_off_single_write(&slot));
	/* off: PCC, PIC; on: PCC, PIC blink, PIC+AIC; attention; single write */
	CHECK_EQ(model->commands, 7);
	CHECK_EQ(model->sltctl_non16, 0);
	CHECK_EQ(model->overlapped, 0);
	CHECK_EQ(port->last_write_size, 2);
}

UNIT_TEST(slot_power_off_pciehp_sequence)
{
	uint64_t t0;

	setup(NULL);
	t0 = sim_now_us();
	CHECK(slot_power_off(&slot));
	CHECK(sim_now_us() - t0 >= 1000000);	/* pciehp's 1 s after power off */
	CHECK_EQ(model->commands, 2);
	CHECK_EQ(slot_ctrl(&slot) & (PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC),
		 PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF);
	CHECK(!slot_is_powered_on(&slot));
	CHECK(!(slot_status(&slot) & PCI_EXP_SLTSTA_PDS));
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDC);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_DLLSC);
	CHECK(!(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA));
	CHECK_EQ(child_vendor(), 0xffff);
	CHECK(!slot_child_present(&slot));
}

UNIT_TEST(slot_power_off_qemu_rule_two_writes)
{
	struct sim_port_opts o = { .qemu_unplug_on_pic_off = true };

	setup(&o);
	slot.power_off_settle_ms = 0;
	/* PCC alone: QEMU leaves the device where it is. */
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_PWR_OFF, PCI_EXP_SLTCTL_PCC));
	CHECK_EQ(child_vendor(), 0x1af4);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDS);
	/* PIC off next: now PCC=1 and PIC=off, and the device goes. */
	CHECK(slot_set_power_indicator(&slot, PCI_EXP_SLTCTL_PWR_IND_OFF));
	CHECK_EQ(model->unplugs, 1);
	CHECK_EQ(child_vendor(), 0xffff);
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDC);
	CHECK(!(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA));
}

UNIT_TEST(slot_power_off_single_write_qemu_values)
{
	struct sim_port_opts o = { .qemu_unplug_on_pic_off = true };

	setup(&o);
	/* What a guest sees right after the write, before clearing anything. */
	slot_write_cmd_nowait(&slot, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF,
			      PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC);
	CHECK_EQ(model->commands, 1);
	CHECK_EQ(model->unplugs, 1);
	CHECK_EQ(slot_status(&slot), 0x0018);
	CHECK_EQ(child_vendor(), 0xffff);
	CHECK_EQ(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA, 0);
	CHECK(slot_wait_cmd(&slot));
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDC);
	/* Writing the same again is not a second unplug (QEMU's guard). */
	CHECK(slot_power_off_single_write(&slot));
	CHECK_EQ(model->unplugs, 1);
}

UNIT_TEST(slot_power_off_single_write_default_model)
{
	setup(NULL);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off_single_write(&slot));
	CHECK_EQ(model->commands, 1);
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
	CHECK_EQ(child_vendor(), 0xffff);
}

UNIT_TEST(slot_power_on_brings_the_device_back)
{
	struct sim_port_opts o = { .child_returns = true };
	uint64_t t0;

	setup(&o);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off(&slot));
	CHECK_EQ(slot_clear_events(&slot, SLOT_EVENTS),
		 PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
	t0 = sim_now_us();
	CHECK(slot_power_on(&slot));
	/* 20 ms for Detect (the model's link is up 5 ms after power on), then 100 ms. */
	CHECK(sim_now_us() - t0 >= 120000);
	CHECK(sim_now_us() - t0 < 140000);
	CHECK(slot_is_powered_on(&slot));
	CHECK(slot_child_present(&slot));
	CHECK_EQ(child_vendor(), 0x1af4);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDS);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDC);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_DLLSC);
	CHECK(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA);
	CHECK_EQ(slot_ctrl(&slot) & (PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC),
		 PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_ATTN_IND_OFF);
	CHECK_EQ(model->overlapped, 0);
}

UNIT_TEST(slot_power_on_clears_a_stale_power_fault)
{
	struct sim_port_opts o = { .child_returns = true };

	setup(&o);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off(&slot));
	sim_set16(port, model->exp + PCI_EXP_SLTSTA,
		  sim_get16(port, model->exp + PCI_EXP_SLTSTA) | PCI_EXP_SLTSTA_PFD);
	CHECK(slot_power_on(&slot));
	CHECK(!(slot_status(&slot) & PCI_EXP_SLTSTA_PFD));
	CHECK_EQ(model->w1c_of_clear_bits, 0);
}

UNIT_TEST(slot_power_on_empty_slot_fails_in_time)
{
	uint64_t t0;

	setup(NULL);		/* QEMU-like: the adapter does not come back */
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off_single_write(&slot));
	t0 = sim_now_us();
	CHECK(!slot_power_on(&slot));
	CHECK(sim_now_us() - t0 >= 1000000);
	CHECK(sim_now_us() - t0 < 1100000);
	CHECK(!(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA));
	CHECK(!slot_child_present(&slot));
	/* The indicator was left blinking: pciehp's "in progress". */
	CHECK_EQ(slot_ctrl(&slot) & PCI_EXP_SLTCTL_PIC, PCI_EXP_SLTCTL_PWR_IND_BLINK);
}

UNIT_TEST(slot_clear_events_writes_only_set_bits)
{
	setup(NULL);
	sim_set16(port, model->exp + PCI_EXP_SLTSTA,
		  PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PDC);

	/* Nothing asked for is set: no write at all. */
	CHECK_EQ(slot_clear_events(&slot, PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC), 0);
	CHECK_EQ(model->sltsta_writes, 0);

	/* RO bits are never written, even when asked for. */
	CHECK_EQ(slot_clear_events(&slot, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC |
				   PCI_EXP_SLTSTA_CC), PCI_EXP_SLTSTA_PDC);
	CHECK_EQ(model->sltsta_writes, 1);
	CHECK_EQ(model->sltsta_written, PCI_EXP_SLTSTA_PDC);
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);

	CHECK_EQ(slot_clear_events(&slot, SLOT_EVENTS), PCI_EXP_SLTSTA_ABP);
	CHECK_EQ(model->sltsta_written, PCI_EXP_SLTSTA_ABP);
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDS);
	CHECK_EQ(model->w1c_of_clear_bits, 0);
	CHECK_EQ(model->commands, 0);
}

UNIT_TEST(slot_indicators_need_the_hardware)
{
	struct sim_port_opts o = { .sltcap = PCI_EXP_SLTCAP_PCP | PCI_EXP_SLTCAP_HPC };

	setup(&o);
	CHECK(!slot_set_attention(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON));
	CHECK(!slot_set_power_indicator(&slot, PCI_EXP_SLTCTL_PWR_IND_ON));
	CHECK_EQ(model->commands, 0);

	sim_reset();
	setup(NULL);
	CHECK(!slot_set_attention(&slot, 0));	/* 00b is reserved */
	CHECK(slot_set_attention(&slot, PCI_EXP_SLTCTL_ATTN_IND_BLINK));
	CHECK_EQ(slot_ctrl(&slot) & PCI_EXP_SLTCTL_AIC, PCI_EXP_SLTCTL_ATTN_IND_BLINK);
	CHECK(slot_set_indicators(&slot, PCI_EXP_SLTCTL_PWR_IND_OFF, PCI_EXP_SLTCTL_ATTN_IND_ON));
	CHECK_EQ(slot_ctrl(&slot) & (PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PIC),
		 PCI_EXP_SLTCTL_ATTN_IND_ON | PCI_EXP_SLTCTL_PWR_IND_OFF);
	CHECK_EQ(model->commands, 2);
}

UNIT_TEST(slot_interlock_control_is_not_echoed)
{
	setup(NULL);
	/* EIC toggles the interlock and reads 0; a read-modify-write must not resend it. */
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_EIC, PCI_EXP_SLTCTL_EIC));
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_EIS);
	CHECK(!(slot_ctrl(&slot) & PCI_EXP_SLTCTL_EIC));
	CHECK(slot_set_attention(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON));
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_EIS);
}

UNIT_TEST(slot_wait_link_without_dll_reporting)
{
	struct sim_port_opts o = { .lnkcap = 0x00000011 };	/* 2.5GT/s x1, no DLLLARC */
	uint64_t t0;

	setup(&o);
	t0 = sim_now_us();
	CHECK(slot_wait_link_active(&slot, 1000));
	CHECK(sim_now_us() - t0 >= 1100000);
}

UNIT_TEST(slot_wait_child_sees_a_late_device)
{
	setup(NULL);
	child->present = false;
	CHECK(!slot_wait_child(&slot, 50));
	CHECK(!slot_child_present(&slot));
	child->present = true;
	CHECK(slot_wait_child(&slot, 50));
	/* CRS: vendor 0001h means "retry", not "here". */
	sim_set16(child, PCI_VENDOR_ID, 0x0001);
	CHECK(!slot_wait_child(&slot, 10));
}

UNIT_TEST(slot_read_regs_and_print)
{
	struct slot_regs r;

	setup(NULL);
	slot_read_regs(&slot, &r);
	CHECK_EQ(r.sltcap, SIM_QEMU_SLTCAP);
	CHECK_EQ(r.sltctl, 0x01c0);
	CHECK_EQ(r.sltsta, 0x0040);
	CHECK_EQ(r.lnkcap, SIM_QEMU_LNKCAP);
	CHECK_EQ(r.lnkctl, 0);
	CHECK_EQ(r.lnksta, SIM_QEMU_LNKSTA);

	slot_print(&slot);
	CHECK_STR(sim_uart_output(COM1_PORT),
		  "\t\tLnkCap:\tPort #0, Speed 16GT/s, Width x32, ASPM L0s, Exit Latency L0s <64ns\r\n"
		  "\t\t\tClockPM- Surprise- LLActRep+ BwNot+ ASPMOptComp-\r\n"
		  "\t\tLnkCtl:\tASPM Disabled; RCB 64 bytes, Disabled- CommClk-\r\n"
		  "\t\t\tExtSynch- ClockPM- AutWidDis- BWInt- AutBWInt-\r\n"
		  "\t\tLnkSta:\tSpeed 2.5GT/s, Width x1\r\n"
		  "\t\t\tTrErr- Train- SlotClk- DLActive+ BWMgmt- ABWMgmt-\r\n"
		  "\t\tSltCap:\tAttnBtn+ PwrCtrl+ MRL- AttnInd+ PwrInd+ HotPlug+ Surprise+\r\n"
		  "\t\t\tSlot #0, PowerLimit 0W; Interlock+ NoCompl-\r\n"
		  "\t\tSltCtl:\tEnable: AttnBtn- PwrFlt- MRL- PresDet- CmdCplt- HPIrq- LinkChg-\r\n"
		  "\t\t\tControl: AttnInd Off, PwrInd On, Power- Interlock-\r\n"
		  "\t\tSltSta:\tStatus: AttnBtn- PowerFlt- MRL- CmdCplt- PresDet+ Interlock-\r\n"
		  "\t\t\tChanged: MRL- PresDet- LinkState-\r\n");
}

UNIT_TEST(slot_host_side_events_in_the_model)
{
	setup(NULL);
	sim_port_unplug(port);		/* surprise removal */
	CHECK_EQ(slot_status(&slot), PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
	CHECK(!(link_status(&slot) & PCI_EXP_LNKSTA_DLLLA));
	CHECK(!slot_child_present(&slot));
	slot_clear_events(&slot, SLOT_EVENTS);

	sim_port_plug(port);		/* the slot is still powered: link comes up */
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDS);
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_PDC);
	CHECK(slot_wait_link_active(&slot, 1000));
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_DLLSC);
	CHECK(slot_wait_child(&slot, 10));

	sim_port_press_button(port);
	CHECK_EQ(slot_clear_events(&slot, PCI_EXP_SLTSTA_ABP), PCI_EXP_SLTSTA_ABP);
}

UNIT_TEST(slot_cap_helpers_address_the_capability)
{
	setup(NULL);
	CHECK_EQ(pcie_cap_read16(&slot, PCI_EXP_SLTCTL),
		 sim_get16(port, model->exp + PCI_EXP_SLTCTL));
	CHECK_EQ(pcie_cap_read32(&slot, PCI_EXP_SLTCAP), slot.sltcap);
	pcie_cap_clear_and_set16(&slot, PCI_EXP_SLTCTL, PCI_EXP_SLTCTL_AIC,
				 PCI_EXP_SLTCTL_ATTN_IND_BLINK);
	CHECK_EQ(slot_ctrl(&slot) & PCI_EXP_SLTCTL_AIC, PCI_EXP_SLTCTL_ATTN_IND_BLINK);
	CHECK_EQ(model->commands, 1);
	/* A raw write: no bookkeeping, nothing waited for. */
	CHECK(!slot_cmd_pending(&slot));
}

UNIT_TEST(slot_cmd_keep_cc_leaves_it_set_and_is_done)
{
	setup(NULL);
	CHECK(slot_write_cmd_keep_cc(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC,
				     SLOT_CMD_TIMEOUT_MS));
	CHECK(slot_status(&slot) & PCI_EXP_SLTSTA_CC);
	CHECK_EQ(model->sltsta_writes, 0);
	CHECK(!slot_cmd_pending(&slot));
	CHECK(slot.cmd_us >= 200 && slot.cmd_us < 1000);
	/* The next command does not wait for the CC left set. */
	CHECK(slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_OFF, PCI_EXP_SLTCTL_AIC));
	CHECK_EQ(model->overlapped, 0);
}

UNIT_TEST(slot_cmd_keep_cc_times_out)
{
	struct sim_port_opts o = { .never_complete = true };
	uint64_t t0;

	setup(&o);
	t0 = sim_now_us();
	CHECK(!slot_write_cmd_keep_cc(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC,
				      50));
	CHECK(sim_now_us() - t0 >= 50000);
	CHECK(sim_now_us() - t0 < 60000);
}

UNIT_TEST(slot_wait_foreign_cmd_clears_cc)
{
	setup(NULL);
	pcie_cap_write16(&slot, PCI_EXP_SLTCTL, slot_ctrl(&slot));
	CHECK(slot_wait_foreign_cmd(&slot));
	CHECK(!(slot_status(&slot) & PCI_EXP_SLTSTA_CC));
	CHECK_EQ(model->sltsta_written, PCI_EXP_SLTSTA_CC);
}

UNIT_TEST(slot_forget_cmd_does_not_wait)
{
	uint64_t t0;

	setup(NULL);
	slot_write_cmd_nowait(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC);
	sim_advance_us(1000);
	slot_clear_events(&slot, SLOT_EVENTS);	/* CC cleared with the rest */
	slot_forget_cmd(&slot);
	t0 = sim_now_us();
	CHECK(slot_wait_cmd(&slot));
	CHECK(sim_now_us() - t0 < 100);
}

UNIT_TEST(slot_board_added_default_order)
{
	struct sim_port_opts o = { .child_returns = true };
	struct slot_board b;

	setup(&o);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off(&slot));
	CHECK_EQ(model->commands, 2);
	CHECK(slot_board_added(&slot, 0, &b));
	CHECK(b.power_ok && b.blink_ok && b.link_waited && b.link_up && b.child);
	CHECK(b.indicators_set && b.indicators_ok);
	/* PCC on, PIC blink, then PIC on + AIC off */
	CHECK_EQ(model->commands, 5);
	CHECK_EQ(slot_ctrl(&slot) & (PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC),
		 PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_ATTN_IND_OFF);
}

UNIT_TEST(slot_board_added_blink_first)
{
	struct sim_port_opts o = { .child_returns = true };
	struct slot_board b;

	setup(&o);
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off(&slot));
	slot_write_cmd(&slot, PCI_EXP_SLTCTL_ATTN_IND_ON, PCI_EXP_SLTCTL_AIC);
	CHECK(slot_board_added(&slot, SLOT_BOARD_BLINK_FIRST, &b));
	CHECK(b.blink_ok && b.power_ok && b.child && b.indicators_ok);
	CHECK_EQ(model->commands, 6);
}

UNIT_TEST(slot_board_added_empty_ok_ends_with_indicator_off)
{
	struct slot_board b;
	uint64_t t0;

	setup(NULL);		/* the adapter does not come back */
	slot.power_off_settle_ms = 0;
	CHECK(slot_power_off_single_write(&slot));
	t0 = sim_now_us();
	CHECK(!slot_board_added(&slot, SLOT_BOARD_EMPTY_OK, &b));
	CHECK(b.power_ok && b.blink_ok);
	CHECK(!b.link_waited);		/* PDS clear: nothing to wait for */
	CHECK(!b.child);
	CHECK(b.indicators_set && b.indicators_ok);
	CHECK(sim_now_us() - t0 < 100000);
	CHECK_EQ(slot_ctrl(&slot) & PCI_EXP_SLTCTL_PIC, PCI_EXP_SLTCTL_PWR_IND_OFF);
}
