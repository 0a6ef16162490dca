/* test_sim.c - the simulator itself: attribute semantics, time, UARTs, ports. */
#include "hw.h"
#include "pci_regs.h"
#include "sim.h"
#include "unit.h"

#define ECAM(bus, devfn, off) \
	(SIM_ECAM_BASE + ((uint64_t)(bus) << 20 | (uint64_t)(devfn) << 12 | (off)))

static struct {
	int calls;
	uint16_t off;
	int size;
	uint32_t old, val;
} hook_seen;

static void record_write(struct sim_func *f, uint16_t off, int size,
			 uint32_t old, uint32_t val)
{
	hook_seen.calls++;
	hook_seen.off = off;
	hook_seen.size = size;
	hook_seen.old = old;
	hook_seen.val = val;
}

UNIT_TEST(sim_func_header)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 3, 0), 0x1af4, 0x1041, 0x020000);

	CHECK_EQ(mmio_read32(ECAM(0, PCI_DEVFN(3, 0), 0)), 0x10411af4);
	CHECK_EQ(mmio_read8(ECAM(0, PCI_DEVFN(3, 0), PCI_CLASS_DEVICE + 1)), 0x02);
	CHECK_EQ(mmio_read8(ECAM(0, PCI_DEVFN(3, 0), PCI_HEADER_TYPE)), 0);
	CHECK_EQ(f->reads, 3);
	CHECK_EQ(mmio_read32(ECAM(0, PCI_DEVFN(4, 0), 0)), 0xffffffff);
	CHECK_EQ(mmio_read16(ECAM(7, 0, 0)), 0xffff);
	f->present = false;
	CHECK_EQ(mmio_read16(ECAM(0, PCI_DEVFN(3, 0), 0)), 0xffff);
}

UNIT_TEST(sim_bridge_header)
{
	sim_add_bridge(pci_bdf(0, 0, 0x12, 0), 0x1b36, 0x000c, 1, 3);

	CHECK_EQ(mmio_read8(ECAM(0, 0x90, PCI_HEADER_TYPE)), PCI_HEADER_TYPE_BRIDGE);
	CHECK_EQ(mmio_read16(ECAM(0, 0x90, PCI_CLASS_DEVICE)), PCI_CLASS_BRIDGE_PCI);
	CHECK_EQ(mmio_read32(ECAM(0, 0x90, PCI_PRIMARY_BUS)) & 0xffffff, 0x030100);
}

UNIT_TEST(sim_readonly_bits_kept)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 1, 0), 0x8086, 0x1234, 0);

	mmio_write16(ECAM(0, 8, PCI_VENDOR_ID), 0x5555);
	CHECK_EQ(sim_get16(f, PCI_VENDOR_ID), 0x8086);
	mmio_write16(ECAM(0, 8, PCI_COMMAND), 0xffff);
	CHECK_EQ(sim_get16(f, PCI_COMMAND), 0x0547);
	CHECK_EQ(f->writes, 2);
	CHECK_EQ(f->last_write_size, 2);
	CHECK_EQ(f->last_write_off, PCI_COMMAND);
}

UNIT_TEST(sim_w1c_clears_only_ones_written)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 1, 0), 0x8086, 0x1234, 0);

	sim_set16(f, 0x5a, 0x0119);
	sim_set_w1cmask16(f, 0x5a, 0x011f);
	mmio_write16(ECAM(0, 8, 0x5a), 0x0008);
	CHECK_EQ(sim_get16(f, 0x5a), 0x0111);
	mmio_write16(ECAM(0, 8, 0x5a), 0x0000);
	CHECK_EQ(sim_get16(f, 0x5a), 0x0111);
	/* A byte write reaches only its own byte. */
	mmio_write8(ECAM(0, 8, 0x5b), 0x01);
	CHECK_EQ(sim_get16(f, 0x5a), 0x0011);
}

UNIT_TEST(sim_rw_and_w1c_mixed_in_one_dword)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 1, 0), 0x8086, 0x1234, 0);

	/* Like Slot Control (RW) + Slot Status (RW1C) in one dword. */
	sim_set32(f, 0x58, 0x00ff0000);
	sim_set_wmask16(f, 0x58, 0x1fff);
	sim_set_w1cmask16(f, 0x5a, 0x00ff);
	mmio_write32(ECAM(0, 8, 0x58), 0x000f03c0);
	CHECK_EQ(sim_get32(f, 0x58), 0x00f003c0);
}

UNIT_TEST(sim_after_write_hook)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 2, 0, 0), 0x8086, 0x1234, 0);

	f->after_write = record_write;
	hook_seen.calls = 0;
	sim_set16(f, 0x48, 0x1234);
	mmio_write16(ECAM(2, 0, 0x48), 0xabcd);
	CHECK_EQ(hook_seen.calls, 1);
	CHECK_EQ(hook_seen.off, 0x48);
	CHECK_EQ(hook_seen.size, 2);
	CHECK_EQ(hook_seen.old, 0x1234);
	CHECK_EQ(hook_seen.val, 0xabcd);
}

UNIT_TEST(sim_capability_lists)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 0, 1, 0), 0x8086, 0x1234, 0);
	uint8_t a = sim_add_cap(f, PCI_CAP_ID_PM, 8);
	uint8_t b = sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	uint16_t e1 = sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x48);
	uint16_t e2 = sim_add_ext_cap(f, PCI_EXT_CAP_ID_ACS, 1, 8);

	CHECK(sim_get16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST);
	CHECK_EQ(f->cfg[PCI_CAPABILITY_LIST], a);
	CHECK_EQ(a, 0x40);
	CHECK_EQ(f->cfg[a + 1], b);
	CHECK_EQ(f->cfg[b], PCI_CAP_ID_EXP);
	CHECK_EQ(f->cfg[b + 1], 0);
	CHECK_EQ(e1, 0x100);
	CHECK_EQ(sim_get32(f, e1), PCI_EXT_CAP_ID_ERR | 2 << 16 | (uint32_t)e2 << 20);
	CHECK_EQ(sim_get32(f, e2), PCI_EXT_CAP_ID_ACS | 1 << 16);
}

UNIT_TEST(sim_cf8_mechanism)
{
	struct sim_func *f = sim_add_func(pci_bdf(0, 1, 2, 3), 0x1033, 0x0194, 0x0c0330);

	outl(0xcf8, 0x80000000 | 1 << 16 | PCI_DEVFN(2, 3) << 8 | 0x08);
	CHECK_EQ(inl(0xcfc), 0x0c033000);
	CHECK_EQ(inw(0xcfe), 0x0c03);
	CHECK_EQ(inb(0xcfd), 0x30);
	outl(0xcf8, 0x80000000 | 1 << 16 | PCI_DEVFN(2, 3) << 8 | 0x04);
	outw(0xcfc, 0x0006);
	CHECK_EQ(sim_get16(f, PCI_COMMAND), 0x0006);
	CHECK_EQ(f->last_write_size, 2);
	outl(0xcf8, 1 << 16 | PCI_DEVFN(2, 3) << 8);	/* enable bit clear */
	CHECK_EQ(inl(0xcfc), 0xffffffff);
}

UNIT_TEST(sim_pm_timer_and_tsc)
{
	uint32_t t0, t1;

	t0 = inl(SIM_PM_TIMER_PORT);
	CHECK_EQ(sim_now_us(), SIM_US_PER_PM_READ);
	sim_advance_us(1000000 - 2 * SIM_US_PER_PM_READ);
	t1 = inl(SIM_PM_TIMER_PORT);
	CHECK_EQ(sim_now_us(), 1000000);
	CHECK_EQ(t1, 3579545 & 0xffffff);
	CHECK(t1 > t0);
	CHECK_EQ(rdtsc(), 1000000000ull);
	cpu_relax();
	CHECK_EQ(sim_now_us(), 1000001);
}

UNIT_TEST(sim_uarts)
{
	outb(0x3f8 + 3, 0x80);		/* DLAB: divisor bytes are not output */
	outb(0x3f8, 0x01);
	outb(0x3f8 + 3, 0x03);
	outb(0x3f8, 'h');
	outb(0x3f8, 'i');
	outb(0x2f8, 'x');
	CHECK_STR(sim_uart_output(0x3f8), "hi");
	CHECK_STR(sim_uart_output(0x2f8), "x");
	CHECK_EQ(inb(0x2f8 + 5), 0x60);
	sim_uart_feed(0x2f8, "ok");
	CHECK_EQ(inb(0x2f8 + 5), 0x61);
	CHECK_EQ(inb(0x2f8), 'o');
	CHECK_EQ(inb(0x2f8), 'k');
	CHECK_EQ(inb(0x2f8 + 5), 0x60);
	sim_uart_clear(0x3f8);
	CHECK_STR(sim_uart_output(0x3f8), "");
}

UNIT_TEST(sim_debug_exit)
{
	CHECK_EQ(sim_exit_code(), -1);
	outl(DEBUG_EXIT_PORT, 3);
	CHECK_EQ(sim_exit_code(), 3);
}

static uint32_t answer_42(uint16_t port, int size)
{
	return 0x42;
}

static void ignore_write(uint16_t port, int size, uint32_t val)
{
}

/* sim.h promises port devices do not outlive sim_reset(): one test's fw_cfg
 * must not show up in the next test. */
UNIT_TEST(sim_reset_forgets_port_devices)
{
	sim_add_port_device(0x510, 0x511, answer_42, ignore_write);
	CHECK_EQ(inb(0x510), 0x42);
	sim_reset();
	CHECK_EQ(inb(0x510), 0xff);
	CHECK_EQ(inw(0x511), 0xffff);
}
