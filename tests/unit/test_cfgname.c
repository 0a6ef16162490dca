/*
 * test_cfgname.c - lib/pci/cfgname.c: configuration space offsets named by
 * header register or by the capability they lie in.
 */
#include "cfgname.h"
#include "pci_regs.h"
#include "unit.h"

/* A bridge with SSVID at 0x40, MSI-X at 0x48, PCIe at 0x54; AER at 0x100, an unknown one at 0x148. */
static const struct cfgname_func rootport = {
	PCI_HEADER_TYPE_BRIDGE, 5, {
		{ 0x54, PCI_CAP_ID_EXP, false }, { 0x48, PCI_CAP_ID_MSIX, false },
		{ 0x40, PCI_CAP_ID_SSVID, false }, { 0x100, PCI_EXT_CAP_ID_ERR, true },
		{ 0x148, 0x42, true },
	},
};

UNIT_TEST(cfgname_header_registers)
{
	struct cfgname_func ep = { PCI_HEADER_TYPE_NORMAL, 0, { { 0 } } };
	char buf[80];

	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x04), "+0x04 (COMMAND)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x0b), "+0x0b (CLASS)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x19), "+0x19 (SECONDARY_BUS)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x3f), "+0x3f (BRIDGE_CONTROL)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &ep, 0x2e), "+0x2e (SUBSYSTEM_ID)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &ep, 0x12), "+0x12 (BASE_ADDRESS_0)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &ep, 0x38), "+0x38 (header, reserved)");
}

UNIT_TEST(cfgname_pcie_capability_registers)
{
	char buf[80];

	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x54 + 0x1a),
		  "+0x6e (PCIe cap +0x1a SLTSTA)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x54 + 0x0f),
		  "+0x63 (PCIe cap +0xf LNKCAP)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x4a),
		  "+0x4a (MSI-X cap +0x2)");
}

UNIT_TEST(cfgname_extended_capabilities)
{
	struct cfgname_func none = { PCI_HEADER_TYPE_NORMAL, 0, { { 0 } } };
	char buf[80];

	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x104),
		  "+0x104 (AER ext cap +0x4)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &rootport, 0x150),
		  "+0x150 (id 0x42 ext cap +0x8)");
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &none, 0x80),
		  "+0x80 (no capability: device-specific)");
	/* Extended space without extended capabilities. */
	CHECK_STR(cfgname_describe(buf, sizeof(buf), &none, 0x200),
		  "+0x200 (no capability: device-specific)");
}

UNIT_TEST(cfgname_names_a_capability_register_only_where_it_starts)
{
	CHECK_STR(cfgname_cap_reg(PCI_CAP_ID_EXP, PCI_EXP_SLTSTA, 2), "SLTSTA");
	CHECK_STR(cfgname_cap_reg(PCI_CAP_ID_EXP, PCI_EXP_LNKCAP, 4), "LNKCAP");
	CHECK(!cfgname_cap_reg(PCI_CAP_ID_EXP, PCI_EXP_SLTCTL + 1, 1));	/* a byte of it */
	CHECK(!cfgname_cap_reg(PCI_CAP_ID_EXP, PCI_EXP_SLTCTL, 4));	/* two registers */
}
