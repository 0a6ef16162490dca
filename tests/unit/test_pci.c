/* test_pci.c - lib/pci/pci.c against the simulated machine. */
#include <string.h>

#include "pci.h"
#include "pci_regs.h"
#include "sim.h"
#include "unit.h"

static void use_sim_ecam(void)
{
	struct ecam_window w;

	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
}

static struct pci_bdf bdf(uint8_t bus, uint8_t dev, uint8_t fn)
{
	return pci_bdf(0, bus, dev, fn);
}

static uint8_t add_exp_cap(struct sim_func *f, uint8_t type, bool slot)
{
	uint8_t off = sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);

	sim_set16(f, off + PCI_EXP_FLAGS, 2 | type << 4 | (slot ? PCI_EXP_FLAGS_SLOT : 0));
	return off;
}

/* ---- configuration access ---- */

UNIT_TEST(pci_ecam_access_widths)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0x020000);

	use_sim_ecam();
	CHECK(pci_cfg_has_extended());
	CHECK_EQ(pci_cfg_read32(bdf(0, 3, 0), PCI_VENDOR_ID), 0x10411af4);
	CHECK_EQ(f->last_read_size, 4);
	CHECK_EQ(pci_cfg_read16(bdf(0, 3, 0), PCI_DEVICE_ID), 0x1041);
	CHECK_EQ(f->last_read_size, 2);
	CHECK_EQ(f->last_read_off, PCI_DEVICE_ID);
	CHECK_EQ(pci_cfg_read8(bdf(0, 3, 0), PCI_CLASS_DEVICE + 1), 0x02);
	CHECK_EQ(f->last_read_size, 1);
	CHECK_EQ(f->reads, 3);
}

UNIT_TEST(pci_ecam_write16_is_one_16bit_access)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);

	use_sim_ecam();
	sim_set_wmask16(f, 0x58, 0xffff);
	pci_cfg_write16(bdf(0, 3, 0), 0x58, 0x1234);
	CHECK_EQ(f->writes, 1);
	CHECK_EQ(f->last_write_size, 2);
	CHECK_EQ(f->last_write_off, 0x58);
	CHECK_EQ(f->reads, 0);		/* no read-modify-write behind our back */
	CHECK_EQ(sim_get16(f, 0x58), 0x1234);
	pci_cfg_write8(bdf(0, 3, 0), 0x59, 0xab);
	CHECK_EQ(f->last_write_size, 1);
	pci_cfg_write32(bdf(0, 3, 0), 0x58, 0x55667788);
	CHECK_EQ(f->last_write_size, 4);
	CHECK_EQ(f->writes, 3);
}

UNIT_TEST(pci_ecam_out_of_range_and_misaligned)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_bdf d = bdf(0, 3, 0);

	use_sim_ecam();
	sim_set32(f, 0xffc, 0x11223344);
	CHECK_EQ(pci_cfg_read32(d, 0xffc), 0x11223344);
	CHECK_EQ(pci_cfg_read32(d, 0x1000), 0xffffffff);
	CHECK_EQ(pci_cfg_read16(d, 0xfff), 0xffff);
	CHECK_EQ(pci_cfg_read16(d, 0x41), 0xffff);
	CHECK_EQ(pci_cfg_read32(d, 0x42), 0xffffffff);
	CHECK_EQ(f->reads, 1);
	pci_cfg_write16(d, 0x41, 0);
	pci_cfg_write32(d, 0x1000, 0);
	pci_cfg_write8(d, 0xffff, 0);
	CHECK_EQ(f->writes, 0);
	CHECK_EQ(pci_cfg_read16(pci_bdf(1, 0, 3, 0), 0), 0xffff);	/* no such segment */
}

UNIT_TEST(pci_ecam_bus_outside_every_window)
{
	struct ecam_window w = { SIM_ECAM_BASE, 0, 0x10, 0x1f };
	struct sim_func *in = sim_add_func(bdf(0x10, 0, 0), 0x1b36, 0x0001, 0);
	struct sim_func *out = sim_add_func(bdf(0x20, 0, 0), 0x1b36, 0x0002, 0);

	pci_cfg_use_ecam(&w, 1);
	CHECK_EQ(pci_vendor(bdf(0x10, 0, 0)), 0x1b36);
	CHECK_EQ(pci_vendor(bdf(0x20, 0, 0)), 0xffff);
	CHECK_EQ(pci_vendor(bdf(0x0f, 0, 0)), 0xffff);
	pci_cfg_write16(bdf(0x20, 0, 0), PCI_COMMAND, PCI_COMMAND_MEMORY);
	CHECK_EQ(out->writes, 0);
	CHECK_EQ(out->reads, 0);
	CHECK_EQ(in->reads, 1);
}

UNIT_TEST(pci_portio_access)
{
	struct sim_func *f = sim_add_func(bdf(1, 2, 3), 0x1033, 0x0194, 0x0c0330);
	struct pci_bdf d = bdf(1, 2, 3);

	pci_cfg_use_portio();
	CHECK(!pci_cfg_has_extended());
	CHECK_EQ(pci_cfg_read32(d, PCI_VENDOR_ID), 0x01941033);
	CHECK_EQ(pci_cfg_read16(d, PCI_DEVICE_ID), 0x0194);
	CHECK_EQ(f->last_read_size, 2);
	CHECK_EQ(pci_cfg_read8(d, PCI_CLASS_DEVICE + 1), 0x0c);
	CHECK_EQ(f->last_read_size, 1);
	CHECK_EQ(f->last_read_off, PCI_CLASS_DEVICE + 1);
	pci_cfg_write16(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_EQ(f->writes, 1);
	CHECK_EQ(f->last_write_size, 2);
	CHECK_EQ(sim_get16(f, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* Only the first 256 bytes, only segment 0. */
	sim_set32(f, 0x100, 0x00010001);
	CHECK_EQ(pci_cfg_read32(d, 0x100), 0xffffffff);
	CHECK_EQ(pci_cfg_read16(pci_bdf(1, 1, 2, 3), 0), 0xffff);
	pci_cfg_write8(d, 0x100, 0);
	CHECK_EQ(f->writes, 1);
	CHECK_EQ(pci_find_ext_cap(d, PCI_EXT_CAP_ID_ERR), 0);
}

UNIT_TEST(pci_absent_function)
{
	use_sim_ecam();
	CHECK(!pci_func_present(bdf(0, 9, 0)));
	CHECK_EQ(pci_cfg_read32(bdf(0, 9, 0), 0), 0xffffffff);
	CHECK_EQ(pci_find_cap(bdf(0, 9, 0), PCI_CAP_ID_EXP), 0);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 9, 0), PCI_EXT_CAP_ID_ERR), 0);
}

/* ---- addresses ---- */

UNIT_TEST(pci_bdf_parse_good)
{
	struct pci_bdf d;

	CHECK_EQ(pci_bdf_parse("00:12.0", &d), 0);
	CHECK_EQ(d.seg, 0);
	CHECK_EQ(d.bus, 0);
	CHECK_EQ(d.devfn, PCI_DEVFN(0x12, 0));
	CHECK_EQ(pci_bdf_parse("0000:00:12.0", &d), 0);
	CHECK_EQ(d.devfn, PCI_DEVFN(0x12, 0));
	CHECK_EQ(pci_bdf_parse("ffff:FF:1f.7", &d), 0);
	CHECK_EQ(d.seg, 0xffff);
	CHECK_EQ(d.bus, 0xff);
	CHECK_EQ(d.devfn, 0xff);
	CHECK_EQ(pci_bdf_parse("1:2.3", &d), 0);
	CHECK_EQ(d.bus, 1);
	CHECK_EQ(d.devfn, PCI_DEVFN(2, 3));
}

UNIT_TEST(pci_bdf_parse_bad)
{
	static const char *const bad[] = {
		"", "00", "00:12", "00:12.", "00:12.8", "00:20.0", "100:00.0",
		"00:12.0x", "00:12.0 ", "g0:00.0", "00-12.0", "10000:00:00.0",
		"0000:00:00:00.0", ":00.0", "00:.0", "0000:100:00.0", "00:12.00",
	};
	struct pci_bdf d = bdf(7, 7, 7);

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!CHECK(pci_bdf_parse(bad[i], &d) == -1))
			CHECK_STR(bad[i], "(accepted)");
	CHECK_EQ(d.bus, 7);		/* untouched on failure */
}

UNIT_TEST(pci_bdf_format)
{
	char buf[16];

	CHECK_STR(pci_bdf_str(bdf(0, 0x12, 0), buf), "00:12.0");
	CHECK_STR(pci_bdf_str(pci_bdf(1, 0xa, 0x1f, 7), buf), "0001:0a:1f.7");
}

/* ---- capability lists ---- */

UNIT_TEST(pci_find_caps)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	uint8_t pm = sim_add_cap(f, PCI_CAP_ID_PM, 8);
	uint8_t msi = sim_add_cap(f, PCI_CAP_ID_MSI, 0x18);
	uint8_t exp = add_exp_cap(f, PCI_EXP_TYPE_ENDPOINT, false);
	uint16_t aer = sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x48);
	uint16_t dsn = sim_add_ext_cap(f, PCI_EXT_CAP_ID_DSN, 1, 0xc);

	use_sim_ecam();
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_PM), pm);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_MSI), msi);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_EXP), exp);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_MSIX), 0);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 3, 0), PCI_EXT_CAP_ID_ERR), aer);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 3, 0), PCI_EXT_CAP_ID_DSN), dsn);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 3, 0), PCI_EXT_CAP_ID_ACS), 0);
}

UNIT_TEST(pci_cap_list_needs_status_bit)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	sim_set16(f, PCI_STATUS, 0);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_EXP), 0);
}

UNIT_TEST(pci_cap_iterator_lists_in_order)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	static const uint8_t ids[] = { PCI_CAP_ID_PM, PCI_CAP_ID_VNDR, PCI_CAP_ID_EXP };
	struct pci_cap_iter it;
	int n = 0;

	use_sim_ecam();
	for (int i = 0; i < 3; i++)
		sim_add_cap(f, ids[i], 0x10);
	pci_cap_iter_init(&it, bdf(0, 3, 0), false);
	while (pci_cap_iter_next(&it)) {
		CHECK_EQ(it.id, ids[n]);
		CHECK_EQ(it.pos, 0x40 + 0x10 * n);
		n++;
	}
	CHECK_EQ(n, 3);
	CHECK_EQ(it.fault.stop, PCI_CAP_STOP_NONE);
}

UNIT_TEST(pci_cap_pointer_low_bits_masked)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	sim_set8(f, PCI_CAPABILITY_LIST, 0x43);
	sim_set8(f, 0x41, 0x4b);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_EXP), 0x48);
}

/* Walks a standard or extended list to its end; returns what was found. */
static int walk(struct pci_bdf d, bool extended, struct pci_cap_fault *fault)
{
	struct pci_cap_iter it;
	int n = 0;

	pci_cap_iter_init(&it, d, extended);
	while (pci_cap_iter_next(&it))
		n++;
	*fault = it.fault;
	return n;
}

UNIT_TEST(pci_cap_list_loop)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;
	char msg[96];

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_PM, 8);	/* 0x40 */
	sim_add_cap(f, PCI_CAP_ID_MSI, 8);	/* 0x48 */
	sim_add_cap(f, PCI_CAP_ID_VNDR, 8);	/* 0x50 -> back to 0x48 */
	sim_set8(f, 0x51, 0x48);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_EXP), 0);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_VNDR), 0x50);
	CHECK_EQ(walk(bdf(0, 3, 0), false, &fault), 3);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_LOOP);
	CHECK_EQ(fault.at, 0x48);
	CHECK_STR(pci_cap_fault_str(&fault, msg, sizeof(msg)),
		  "capability list loops at 0x48");
}

UNIT_TEST(pci_cap_self_loop)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_set8(f, 0x41, 0x40);
	CHECK_EQ(walk(bdf(0, 3, 0), false, &fault), 1);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_LOOP);
	CHECK_EQ(fault.at, 0x40);
}

UNIT_TEST(pci_cap_pointer_into_header)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;
	char msg[96];

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_set8(f, PCI_CAPABILITY_LIST, 0x20);
	CHECK_EQ(walk(bdf(0, 3, 0), false, &fault), 0);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_BAD_PTR);
	CHECK_STR(pci_cap_fault_str(&fault, msg, sizeof(msg)),
		  "capability pointer 0x20 inside the header");

	/* A later pointer into the header: the capabilities before it count. */
	sim_set8(f, PCI_CAPABILITY_LIST, 0x40);
	sim_set8(f, 0x41, 0x10);
	CHECK_EQ(pci_find_cap(bdf(0, 3, 0), PCI_CAP_ID_PM), 0x40);
	CHECK_EQ(walk(bdf(0, 3, 0), false, &fault), 1);
	CHECK_EQ(fault.from, 0x40);
	CHECK_EQ(fault.at, 0x10);
	CHECK_STR(pci_cap_fault_str(&fault, msg, sizeof(msg)),
		  "capability at 0x40 points to 0x10, outside 0x40..0xff");
}

UNIT_TEST(pci_cap_reads_all_ones)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;

	use_sim_ecam();
	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_set16(f, 0x48, 0xffff);
	sim_set8(f, 0x41, 0x48);
	CHECK_EQ(walk(bdf(0, 3, 0), false, &fault), 1);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_ALL_ONES);
	CHECK_EQ(fault.at, 0x48);
}

UNIT_TEST(pci_ext_cap_none)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;

	use_sim_ecam();
	CHECK_EQ(walk(bdf(0, 3, 0), true, &fault), 0);	/* header 0 at 0x100 */
	CHECK_EQ(fault.stop, PCI_CAP_STOP_NONE);
	sim_set32(f, 0x100, 0xffffffff);
	CHECK_EQ(walk(bdf(0, 3, 0), true, &fault), 0);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_NONE);
}

UNIT_TEST(pci_ext_cap_loop)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;
	char msg[96];

	use_sim_ecam();
	sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x48);	/* 0x100 */
	sim_add_ext_cap(f, PCI_EXT_CAP_ID_ACS, 1, 8);		/* 0x148 -> 0x100 */
	sim_set32(f, 0x148, PCI_EXT_CAP_ID_ACS | 1 << 16 | 0x100u << 20);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 3, 0), PCI_EXT_CAP_ID_DSN), 0);
	CHECK_EQ(walk(bdf(0, 3, 0), true, &fault), 2);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_LOOP);
	CHECK_STR(pci_cap_fault_str(&fault, msg, sizeof(msg)),
		  "extended capability list loops at 0x100");
}

UNIT_TEST(pci_ext_cap_pointer_below_0x100)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;
	char msg[96];

	use_sim_ecam();
	sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x48);
	sim_set32(f, 0x100, PCI_EXT_CAP_ID_ERR | 2 << 16 | 0x0fcu << 20);
	CHECK_EQ(pci_find_ext_cap(bdf(0, 3, 0), PCI_EXT_CAP_ID_ERR), 0x100);
	CHECK_EQ(walk(bdf(0, 3, 0), true, &fault), 1);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_BAD_PTR);
	CHECK_STR(pci_cap_fault_str(&fault, msg, sizeof(msg)),
		  "extended capability at 0x100 points to 0xfc, outside 0x100..0xfff");
}

/* ---- enumeration ---- */

/*
 * Like QEMU q35 with -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x12
 * (nec-usb-xhci behind it), a second root port with an x3130 switch (two
 * downstream ports, a virtio device behind the first), and the ICH9 functions.
 */
static void build_q35(void)
{
	struct sim_func *f;

	sim_add_func(bdf(0, 0, 0), 0x8086, 0x29c0, 0x060000);
	f = sim_add_bridge(bdf(0, 0x12, 0), 0x1b36, 0x000c, 1, 1);
	add_exp_cap(f, PCI_EXP_TYPE_ROOT_PORT, true);
	f = sim_add_func(bdf(1, 0, 0), 0x1033, 0x0194, 0x0c0330);
	add_exp_cap(f, PCI_EXP_TYPE_ENDPOINT, false);

	f = sim_add_bridge(bdf(0, 0x13, 0), 0x1b36, 0x000c, 2, 5);
	add_exp_cap(f, PCI_EXP_TYPE_ROOT_PORT, true);
	f = sim_add_bridge(bdf(2, 0, 0), 0x104c, 0x8232, 3, 5);
	add_exp_cap(f, PCI_EXP_TYPE_UPSTREAM, false);
	f = sim_add_bridge(bdf(3, 0, 0), 0x104c, 0x8233, 4, 4);
	add_exp_cap(f, PCI_EXP_TYPE_DOWNSTREAM, true);
	f = sim_add_bridge(bdf(3, 1, 0), 0x104c, 0x8233, 5, 5);
	add_exp_cap(f, PCI_EXP_TYPE_DOWNSTREAM, true);
	f = sim_add_func(bdf(4, 0, 0), 0x1af4, 0x1041, 0x020000);
	add_exp_cap(f, PCI_EXP_TYPE_ENDPOINT, false);

	f = sim_add_func(bdf(0, 0x1f, 0), 0x8086, 0x2918, 0x060100);
	sim_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_MFD);
	sim_add_func(bdf(0, 0x1f, 2), 0x8086, 0x2922, 0x010601);
	sim_add_func(bdf(0, 0x1f, 3), 0x8086, 0x2930, 0x0c0500);
	/* Function 1 of a single-function device is never looked at. */
	sim_add_func(bdf(0, 5, 0), 0x1234, 0x1111, 0x030000);
	sim_add_func(bdf(0, 5, 1), 0x1234, 0x2222, 0x030000);
}

static struct pci_topology topo;

static int index_of(struct pci_bdf d)
{
	const struct pci_func *f = pci_topology_find(&topo, d);

	return f ? (int)(f - topo.funcs) : -2;
}

UNIT_TEST(pci_enumerate_q35)
{
	static const struct { uint8_t bus, dev, fn; } order[] = {
		{ 0, 0, 0 }, { 0, 5, 0 }, { 0, 0x12, 0 }, { 1, 0, 0 }, { 0, 0x13, 0 },
		{ 2, 0, 0 }, { 3, 0, 0 }, { 4, 0, 0 }, { 3, 1, 0 },
		{ 0, 0x1f, 0 }, { 0, 0x1f, 2 }, { 0, 0x1f, 3 },
	};
	const struct pci_func *f;

	build_q35();
	use_sim_ecam();
	CHECK_EQ(pci_enumerate(&topo), 12);
	CHECK(!topo.truncated);
	for (int i = 0; i < 12 && i < topo.count; i++) {
		struct pci_bdf want = bdf(order[i].bus, order[i].dev, order[i].fn);

		CHECK_EQ(topo.funcs[i].addr.bus, want.bus);
		CHECK_EQ(topo.funcs[i].addr.devfn, want.devfn);
	}
	CHECK(!pci_topology_find(&topo, bdf(0, 5, 1)));

	f = pci_topology_find(&topo, bdf(0, 0x12, 0));
	CHECK(f && pci_func_is_bridge(f));
	CHECK(f && f->exp_cap == 0x40 && f->exp_type == PCI_EXP_TYPE_ROOT_PORT);
	CHECK(f && f->exp_vers == 2 && f->slot_implemented);
	CHECK(f && f->sec_bus == 1 && f->sub_bus == 1 && f->parent == -1);
	CHECK(f && f->bridge_problem == PCI_BRIDGE_OK);

	f = pci_topology_find(&topo, bdf(1, 0, 0));
	CHECK(f && f->vendor == 0x1033 && f->device == 0x0194);
	CHECK(f && f->class_rev >> 8 == 0x0c0330);
	CHECK(f && f->exp_type == PCI_EXP_TYPE_ENDPOINT && !f->slot_implemented);
	CHECK_EQ(f ? f->parent : -3, index_of(bdf(0, 0x12, 0)));

	CHECK_EQ(topo.funcs[index_of(bdf(2, 0, 0))].exp_type, PCI_EXP_TYPE_UPSTREAM);
	CHECK_EQ(topo.funcs[index_of(bdf(2, 0, 0))].parent, index_of(bdf(0, 0x13, 0)));
	CHECK_EQ(topo.funcs[index_of(bdf(3, 1, 0))].exp_type, PCI_EXP_TYPE_DOWNSTREAM);
	CHECK_EQ(topo.funcs[index_of(bdf(3, 1, 0))].parent, index_of(bdf(2, 0, 0)));
	CHECK_EQ(topo.funcs[index_of(bdf(4, 0, 0))].parent, index_of(bdf(3, 0, 0)));

	f = pci_topology_find(&topo, bdf(0, 0x1f, 0));
	CHECK(f && f->multifunction && f->exp_cap == 0);
	f = pci_topology_find(&topo, bdf(0, 0, 0));
	CHECK(f && !pci_func_is_bridge(f) && f->header_type == PCI_HEADER_TYPE_NORMAL);
}

UNIT_TEST(pci_enumerate_over_portio)
{
	build_q35();
	pci_cfg_use_portio();
	CHECK_EQ(pci_enumerate(&topo), 12);
	CHECK_EQ(topo.funcs[index_of(bdf(4, 0, 0))].parent, index_of(bdf(3, 0, 0)));
	CHECK_EQ(topo.funcs[index_of(bdf(0, 0x12, 0))].exp_type, PCI_EXP_TYPE_ROOT_PORT);
}

UNIT_TEST(pci_enumerate_never_follows_bad_bridges)
{
	struct ecam_window w = { SIM_ECAM_BASE, 0, 0x00, 0x3f };

	sim_add_bridge(bdf(0, 1, 0), 0x1b36, 0x000c, 0, 0);		/* not configured */
	sim_add_bridge(bdf(0, 2, 0), 0x1b36, 0x000c, 0x40, 0x40);	/* beyond window */
	sim_add_bridge(bdf(0, 3, 0), 0x1b36, 0x000c, 8, 7);		/* sub < sec */
	sim_add_bridge(bdf(0, 4, 0), 0x1b36, 0x000c, 1, 3);
	sim_add_bridge(bdf(1, 0, 0), 0x1b36, 0x000c, 1, 1);		/* points at itself */
	sim_add_bridge(bdf(1, 1, 0), 0x1b36, 0x000c, 0, 0);
	sim_add_bridge(bdf(1, 2, 0), 0x1b36, 0x000c, 9, 9);		/* outside parent's 1..3 */
	sim_add_bridge(bdf(1, 3, 0), 0x1b36, 0x000c, 2, 2);
	sim_add_bridge(bdf(1, 4, 0), 0x1b36, 0x000c, 2, 2);		/* bus 2 again */
	sim_add_bridge(bdf(2, 0, 0), 0x1b36, 0x000c, 1, 3);		/* back up: a loop */
	sim_add_func(bdf(0x40, 0, 0), 0x1af4, 0x1041, 0);
	sim_add_func(bdf(8, 0, 0), 0x1af4, 0x1041, 0);
	sim_add_func(bdf(9, 0, 0), 0x1af4, 0x1041, 0);

	pci_cfg_use_ecam(&w, 1);
	CHECK_EQ(pci_enumerate(&topo), 10);
	CHECK_EQ(topo.funcs[index_of(bdf(0, 1, 0))].bridge_problem, PCI_BRIDGE_SEC_ZERO);
	CHECK_EQ(topo.funcs[index_of(bdf(0, 2, 0))].bridge_problem, PCI_BRIDGE_SEC_OUTSIDE);
	CHECK_EQ(topo.funcs[index_of(bdf(0, 3, 0))].bridge_problem, PCI_BRIDGE_SUB_BELOW_SEC);
	CHECK_EQ(topo.funcs[index_of(bdf(0, 4, 0))].bridge_problem, PCI_BRIDGE_OK);
	CHECK_EQ(topo.funcs[index_of(bdf(1, 0, 0))].bridge_problem, PCI_BRIDGE_SEC_NOT_ABOVE);
	CHECK_EQ(topo.funcs[index_of(bdf(1, 1, 0))].bridge_problem, PCI_BRIDGE_SEC_ZERO);
	CHECK_EQ(topo.funcs[index_of(bdf(1, 2, 0))].bridge_problem, PCI_BRIDGE_SEC_OUTSIDE);
	CHECK_EQ(topo.funcs[index_of(bdf(1, 3, 0))].bridge_problem, PCI_BRIDGE_OK);
	CHECK_EQ(topo.funcs[index_of(bdf(1, 4, 0))].bridge_problem, PCI_BRIDGE_BUS_SEEN);
	CHECK_EQ(topo.funcs[index_of(bdf(2, 0, 0))].bridge_problem, PCI_BRIDGE_SEC_NOT_ABOVE);
	CHECK(!pci_topology_find(&topo, bdf(0x40, 0, 0)));
	CHECK(!pci_topology_find(&topo, bdf(8, 0, 0)));
	CHECK(!pci_topology_find(&topo, bdf(9, 0, 0)));
}

UNIT_TEST(pci_enumerate_several_windows)
{
	struct ecam_window w[2] = {
		{ SIM_ECAM_BASE, 0, 0x00, 0x0f }, { SIM_ECAM_BASE, 0, 0x10, 0x1f },
	};

	/* A second root bus at 0x10 (like pxb-pcie): reached as a window start. */
	sim_add_func(bdf(0, 0, 0), 0x8086, 0x29c0, 0x060000);
	sim_add_bridge(bdf(0, 1, 0), 0x1b36, 0x000c, 1, 1);
	sim_add_func(bdf(0x10, 0, 0), 0x1b36, 0x000b, 0x060000);
	sim_add_bridge(bdf(0x10, 1, 0), 0x1b36, 0x000c, 0x11, 0x11);
	sim_add_func(bdf(0x11, 0, 0), 0x1af4, 0x1041, 0);
	pci_cfg_use_ecam(w, 2);
	CHECK_EQ(pci_enumerate(&topo), 5);
	CHECK_EQ(topo.funcs[index_of(bdf(0x11, 0, 0))].parent, index_of(bdf(0x10, 1, 0)));
	CHECK_EQ(topo.funcs[index_of(bdf(0x10, 0, 0))].parent, -1);
}

UNIT_TEST(pci_enumerate_truncates)
{
	struct sim_func *f;

	for (int dev = 0; dev < 32; dev++)
		for (int fn = 0; fn < 8; fn++)
			sim_add_func(bdf(0, dev, fn), 0x1af4, 0x1000 + dev, 0);
	f = sim_find(bdf(0, 0, 0));
	sim_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_MFD | PCI_HEADER_TYPE_BRIDGE);
	sim_set8(f, PCI_SECONDARY_BUS, 1);
	sim_set8(f, PCI_SUBORDINATE_BUS, 1);
	sim_add_func(bdf(1, 0, 0), 0x1af4, 0x1041, 0);
	for (int dev = 0; dev < 32; dev++)
		sim_set8(sim_find(bdf(0, dev, 0)), PCI_HEADER_TYPE,
			 PCI_HEADER_TYPE_MFD | (dev ? 0 : PCI_HEADER_TYPE_BRIDGE));
	use_sim_ecam();
	CHECK_EQ(pci_enumerate(&topo), PCI_MAX_FUNCS);
	CHECK(topo.truncated);
}

UNIT_TEST(pci_enumerate_records_cap_faults)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);

	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_add_cap(f, PCI_CAP_ID_MSI, 8);
	sim_set8(f, 0x49, 0x40);
	sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x48);
	sim_set32(f, 0x100, PCI_EXT_CAP_ID_ERR | 2 << 16 | 0x100u << 20);
	use_sim_ecam();
	CHECK_EQ(pci_enumerate(&topo), 1);
	CHECK_EQ(topo.funcs[0].cap_fault.stop, PCI_CAP_STOP_LOOP);
	CHECK_EQ(topo.funcs[0].cap_fault.at, 0x40);
	CHECK_EQ(topo.funcs[0].ext_cap_fault.stop, PCI_CAP_STOP_LOOP);
	CHECK_EQ(topo.funcs[0].ext_cap_fault.at, 0x100);
}

/* ---- names and the listing ---- */

UNIT_TEST(pci_names)
{
	char buf[96];
	struct pci_func f = { .addr = bdf(0, 0x12, 0), .vendor = 0x1b36, .device = 0x000c,
			      .class_rev = 0x06040000, .exp_cap = 0x40,
			      .exp_type = PCI_EXP_TYPE_ROOT_PORT, .slot_implemented = true };

	CHECK_STR(pci_exp_type_name(PCI_EXP_TYPE_UPSTREAM), "Upstream Port");
	CHECK_STR(pci_exp_type_name(0xf), "unknown PCIe type");
	CHECK_STR(pci_func_describe(&f, buf, sizeof(buf)),
		  "00:12.0 [1b36:000c] class 0604 PCIe Root Port, slot");
	f.exp_cap = 0;
	CHECK_STR(pci_func_describe(&f, buf, sizeof(buf)),
		  "00:12.0 [1b36:000c] class 0604 conventional PCI");
}

static bool printed(const char *line)
{
	const char *out = sim_uart_output(0x3f8);
	bool found = strstr(out, line) != NULL;

	if (!found)
		unit_check_str(out, line, __FILE__, __LINE__, "console output");
	return found;
}

UNIT_TEST(pci_print_topology_q35)
{
	struct sim_func *f;

	build_q35();
	f = sim_add_func(bdf(0, 0x1e, 0), 0x1b36, 0x0001, 0);
	sim_add_cap(f, PCI_CAP_ID_PM, 8);
	sim_add_cap(f, PCI_CAP_ID_MSI, 8);
	sim_add_cap(f, PCI_CAP_ID_VNDR, 8);
	sim_set8(f, 0x51, 0x48);
	sim_add_bridge(bdf(0, 0x1d, 0), 0x1b36, 0x000c, 0, 0);
	use_sim_ecam();
	pci_enumerate(&topo);
	sim_uart_clear(0x3f8);
	pci_print_topology(&topo);
	CHECK(printed("[0000:00]\r\n"
		      "+-00.0 [8086:29c0]\r\n"
		      "+-05.0 [1234:1111]\r\n"
		      "+-12.0 [1b36:000c] -[01-01]\r\n"
		      "| \\-00.0 [1033:0194]\r\n"
		      "+-13.0 [1b36:000c] -[02-05]\r\n"
		      "| \\-00.0 [104c:8232] -[03-05]\r\n"
		      "|   +-00.0 [104c:8233] -[04-04]\r\n"
		      "|   | \\-00.0 [1af4:1041]\r\n"
		      "|   \\-01.0 [104c:8233] -[05-05]\r\n"
		      "+-1d.0 [1b36:000c] -[00-00] (not followed)\r\n"
		      "+-1e.0 [1b36:0001]\r\n"
		      "+-1f.0 [8086:2918]\r\n"
		      "+-1f.2 [8086:2922]\r\n"
		      "\\-1f.3 [8086:2930]\r\n"));
	CHECK(printed("00:12.0 [1b36:000c] class 0604 PCIe Root Port, slot\r\n"));
	CHECK(printed("03:01.0 [104c:8233] class 0604 Downstream Port, slot\r\n"));
	CHECK(printed("01:00.0 [1033:0194] class 0c03 PCIe Endpoint\r\n"));
	CHECK(printed("00:1f.2 [8086:2922] class 0106 conventional PCI\r\n"));
	CHECK(printed("  00:1d.0: bridge to buses 00-00 not followed: "
		      "secondary bus 0 (not configured)\r\n"));
	CHECK(printed("  00:1e.0: capability list loops at 0x48\r\n"));
}

UNIT_TEST(pci_ext_cap_list_too_long)
{
	struct sim_func *f = sim_add_func(bdf(0, 3, 0), 0x1af4, 0x1041, 0);
	struct pci_cap_fault fault;

	/* 4-byte headers chained one after another: no loop, just too many. */
	for (uint32_t off = 0x100; off < 0xffc; off += 4)
		sim_set32(f, off, PCI_EXT_CAP_ID_VC | 1 << 16 | (off + 4) << 20);
	use_sim_ecam();
	CHECK_EQ(walk(bdf(0, 3, 0), true, &fault), (4096 - 256) / 8);
	CHECK_EQ(fault.stop, PCI_CAP_STOP_TOO_LONG);
}

UNIT_TEST(pci_cfg_windows_reported)
{
	const struct ecam_window *w;
	struct ecam_window two[2] = {
		{ 0xe0000000, 0, 0, 0x7f }, { 0xf0000000, 1, 0, 0x3f },
	};

	pci_cfg_use_portio();
	CHECK_EQ(pci_cfg_windows(&w), 1);
	CHECK(w[0].seg == 0 && w[0].bus_start == 0 && w[0].bus_end == 0xff);
	pci_cfg_use_ecam(two, 2);
	CHECK_EQ(pci_cfg_windows(&w), 2);
	CHECK_EQ(w[1].base, 0xf0000000);
	CHECK_EQ(w[1].seg, 1);
}
