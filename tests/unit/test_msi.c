/*
 * test_msi.c - lib/pci/msi.c against simulated functions: 32- and 64-bit MSI
 * capabilities (with and without per-vector masking) and an MSI-X table in
 * a 32- or 64-bit memory BAR; what is written where, and the refusals.
 */
#include "msi.h"
#include "pci.h"
#include "pci_regs.h"
#include "sim.h"
#include "sim_cpu.h"
#include "unit.h"

#define BAR_ADDR 0xc1000000u

static char err[120];

static struct sim_func *func(void)
{
	struct ecam_window w;

	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	return sim_add_func(pci_bdf(0, 0, 3, 0), 0x1b36, 0x0001, 0x020000);
}

/* An MSI capability with QEMU's msi_init() write masks. */
static uint8_t add_msi(struct sim_func *f, bool is64, bool maskbit)
{
	uint16_t flags = (is64 ? PCI_MSI_FLAGS_64BIT : 0) |
			 (maskbit ? PCI_MSI_FLAGS_MASKBIT : 0) | 0x0004 /* 4 capable */;
	uint8_t len = 0x0c + (is64 ? 4 : 0) + (maskbit ? 8 : 0);
	uint8_t cap = sim_add_cap(f, PCI_CAP_ID_MSI, len);

	sim_set16(f, cap + PCI_MSI_FLAGS, flags);
	sim_set16(f, cap + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_QSIZE);	/* stale MME */
	sim_set_wmask16(f, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	for (int i = 4; i < len; i += 2)
		sim_set_wmask16(f, cap + i, 0xffff);
	if (maskbit)
		sim_set32(f, cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0x1);
	return cap;
}

static uint8_t add_msix(struct sim_func *f, uint16_t entries, uint8_t bir, uint32_t off)
{
	uint8_t cap = sim_add_cap(f, PCI_CAP_ID_MSIX, 12);

	sim_set16(f, cap + PCI_MSIX_FLAGS, entries - 1);
	sim_set_wmask16(f, cap + PCI_MSIX_FLAGS,
			PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	sim_set32(f, cap + PCI_MSIX_TABLE, off | bir);
	sim_set32(f, cap + PCI_MSIX_PBA, (off + 0x800) | bir);
	sim_mmio_ram(BAR_ADDR, 0x1000);
	for (int i = 0; i < entries; i++)	/* reset state: every entry masked */
		sim_mmio_ram_set32(BAR_ADDR + off + i * 16 + 12, 1);
	return cap;
}

UNIT_TEST(msi_32bit_program)
{
	struct sim_func *f = func();
	uint8_t cap = add_msi(f, false, false);
	struct msi_dev m;
	struct msi_msg r;

	CHECK_EQ(msi_find(f->at, &m), MSI_KIND_MSI);
	CHECK_EQ(m.cap, cap);
	CHECK(!m.is64 && !m.maskbit);
	CHECK_EQ(msi_program(&m, 0, 0xfee01000, 0x41, err, sizeof(err)), 0);
	CHECK_EQ(sim_get32(f, cap + PCI_MSI_ADDRESS_LO), 0xfee01000);
	CHECK_EQ(sim_get16(f, cap + PCI_MSI_DATA_32), 0x41);
	/* Enabled with a single message (Multiple Message Enable 000b). */
	CHECK_EQ(sim_get16(f, cap + PCI_MSI_FLAGS) & (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE),
		 PCI_MSI_FLAGS_ENABLE);
	CHECK_EQ(sim_get16(f, PCI_COMMAND) & (PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE),
		 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	CHECK(!(sim_get16(f, PCI_COMMAND) & PCI_COMMAND_MEMORY));
	msi_read(&m, 0, &r);
	CHECK(r.enabled && !r.masked);
	CHECK_EQ(r.addr, 0xfee01000);
	CHECK_EQ(r.data, 0x41);
	/* The last write is the enable: address and data are in place first. */
	CHECK_EQ(f->last_write_off, cap + PCI_MSI_FLAGS);
}

UNIT_TEST(msi_32bit_refuses_high_address_and_other_entries)
{
	struct sim_func *f = func();
	uint8_t cap = add_msi(f, false, false);
	struct msi_dev m;

	msi_find(f->at, &m);
	CHECK_EQ(msi_program(&m, 0, 0x1fee00000ull, 0x41, err, sizeof(err)), -1);
	CHECK_STR(err, "MSI: 32-bit capability, address 0x1fee00000 above 4 GiB");
	CHECK_EQ(msi_program(&m, 1, 0xfee00000, 0x41, err, sizeof(err)), -1);
	CHECK(!(sim_get16(f, cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE));
}

UNIT_TEST(msi_64bit_maskable_program)
{
	struct sim_func *f = func();
	uint8_t cap = add_msi(f, true, true);
	struct msi_dev m;
	struct msi_msg r;
	char buf[120];

	CHECK_EQ(msi_find(f->at, &m), MSI_KIND_MSI);
	CHECK(m.is64 && m.maskbit);
	CHECK_EQ(msi_program(&m, 0, 0x1fee02000ull, 0x42, err, sizeof(err)), 0);
	CHECK_EQ(sim_get32(f, cap + PCI_MSI_ADDRESS_LO), 0xfee02000);
	CHECK_EQ(sim_get32(f, cap + PCI_MSI_ADDRESS_HI), 1);
	CHECK_EQ(sim_get16(f, cap + PCI_MSI_DATA_64), 0x42);
	CHECK_EQ(sim_get32(f, cap + PCI_MSI_MASK_64), 0);	/* vector 0 unmasked */
	msi_read(&m, 0, &r);
	CHECK(r.enabled && !r.masked);
	CHECK_EQ(r.addr, 0x1fee02000ull);
	CHECK_STR(msi_describe(&m, buf, sizeof(buf)),
		  "MSI at 0x40: Enable+ Count=1/4 Maskable+ 64bit+");
	msi_disable(&m);
	CHECK(!(sim_get16(f, cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE));
}

UNIT_TEST(msix_program_entry_in_bar)
{
	struct sim_func *f = func();
	uint8_t cap;
	struct msi_dev m;
	struct msi_msg r;
	uint64_t e;

	add_msi(f, true, false);		/* both: MSI-X is preferred */
	cap = add_msix(f, 4, 0, 0x100);
	sim_set32(f, PCI_BASE_ADDRESS_0, BAR_ADDR);
	CHECK_EQ(msi_find(f->at, &m), MSI_KIND_MSIX);
	CHECK_EQ(m.cap, cap);
	CHECK_EQ(m.table_size, 4);
	CHECK_EQ(m.table, BAR_ADDR + 0x100);
	CHECK_EQ(msi_program(&m, 2, 0xfee00000, 0x40, err, sizeof(err)), 0);
	e = BAR_ADDR + 0x100 + 2 * 16;
	CHECK_EQ(sim_mmio_ram_get32(e + PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee00000);
	CHECK_EQ(sim_mmio_ram_get32(e + PCI_MSIX_ENTRY_UPPER_ADDR), 0);
	CHECK_EQ(sim_mmio_ram_get32(e + PCI_MSIX_ENTRY_DATA), 0x40);
	CHECK_EQ(sim_mmio_ram_get32(e + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	CHECK_EQ(sim_mmio_ram_get32(e - 16 + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);	/* others untouched */
	CHECK_EQ(sim_get16(f, cap + PCI_MSIX_FLAGS) &
		 (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL), PCI_MSIX_FLAGS_ENABLE);
	CHECK_EQ(sim_get16(f, PCI_COMMAND) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		 PCI_COMMAND_INTX_DISABLE), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		 PCI_COMMAND_INTX_DISABLE);
	msi_read(&m, 2, &r);
	CHECK(r.enabled && !r.masked);
	CHECK_EQ(r.data, 0x40);
	msi_read(&m, 1, &r);
	CHECK(r.masked);
}

UNIT_TEST(msix_64bit_bar_and_refusals)
{
	struct sim_func *f = func();
	struct msi_dev m;

	add_msix(f, 1, 2, 0);
	/* BAR2/3: a 64-bit memory BAR below 4 GiB */
	sim_set32(f, PCI_BASE_ADDRESS_0 + 8, BAR_ADDR | PCI_BASE_ADDRESS_MEM_TYPE_64);
	sim_set32(f, PCI_BASE_ADDRESS_0 + 12, 0);
	msi_find(f->at, &m);
	CHECK_EQ(m.table, BAR_ADDR);
	CHECK_EQ(msi_program(&m, 1, 0xfee00000, 0x40, err, sizeof(err)), -1);
	CHECK_STR(err, "MSI-X: entry 1, table has 1");

	sim_set32(f, PCI_BASE_ADDRESS_0 + 8, 0);	/* unassigned */
	msi_find(f->at, &m);
	CHECK_EQ(m.table, 0);
	CHECK_EQ(msi_program(&m, 0, 0xfee00000, 0x40, err, sizeof(err)), -1);
	CHECK_STR(err, "MSI-X: table BAR2 not assigned (reads 0)");
	CHECK(!(sim_get16(f, m.cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE));
}

UNIT_TEST(msix_bir_beyond_a_bridge_header)
{
	struct ecam_window w;
	struct sim_func *f;
	struct msi_dev m;

	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	f = sim_add_bridge(pci_bdf(0, 0, 0x12, 0), 0x1b36, 0x000c, 1, 1);
	add_msix(f, 1, 2, 0);			/* a bridge has BAR0 and BAR1 only */
	sim_set32(f, PCI_BASE_ADDRESS_0, BAR_ADDR);
	msi_find(f->at, &m);
	CHECK_EQ(m.table, 0);
}

UNIT_TEST(msi_none)
{
	struct sim_func *f = func();
	struct msi_dev m;

	CHECK_EQ(msi_find(f->at, &m), MSI_NONE);
	CHECK_EQ(msi_program(&m, 0, 0xfee00000, 0x40, err, sizeof(err)), -1);
	CHECK_STR(err, "no MSI or MSI-X capability");
}
