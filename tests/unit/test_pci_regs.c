/*
 * test_pci_regs.c - the register table (lib/pci/pci_regs.def over lib/pci/pci_regs.h)
 * as C reads it: names unique, each register aligned, inside its space and
 * 1, 2 or 4 bytes wide, and lib/pci/cfgname.c naming every one of them. The
 * harness side (tests/harness/test_pci_regs.py) checks fields against the
 * widths and that Python reads the same values as the C compiler.
 */
#include <string.h>

#include "bitfield.h"
#include "cfgname.h"
#include "pci_regs.h"
#include "printf.h"
#include "unit.h"

enum space { HDR, TYPE0, TYPE1, CAP, EXT };

struct entry {
	uint8_t space;
	uint16_t cap;
	const char *macro;
	uint16_t off;
	uint8_t width;
	bool span;
};

#define PCI_REG(space, cap, macro, width) { space, cap, #macro, macro, width, false },
#define PCI_SPAN(space, cap, label, offset, width) { space, cap, #label, offset, width, true },
#define PCI_REG_ALIAS(alias, macro)
static const struct entry table[] = {
#include "pci_regs.def"
};
#undef PCI_REG
#undef PCI_SPAN
#undef PCI_REG_ALIAS

static const struct { const char *alias, *macro; } aliases[] = {
#define PCI_REG(space, cap, macro, width)
#define PCI_SPAN(space, cap, label, offset, width)
#define PCI_REG_ALIAS(alias, macro) { #alias, #macro },
#include "pci_regs.def"
#undef PCI_REG
#undef PCI_SPAN
#undef PCI_REG_ALIAS
};

#define NTABLE (sizeof(table) / sizeof(table[0]))
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

static const char *short_name(const struct entry *e)
{
	if (e->span)
		return e->macro;
	return e->macro + (e->space == CAP && e->cap == PCI_CAP_ID_EXP ? 8 : 4);
}

UNIT_TEST(pci_regs_names_unique)
{
	for (size_t i = 0; i < NTABLE; i++) {
		for (size_t j = i + 1; j < NTABLE; j++)
			CHECK(strcmp(short_name(&table[i]), short_name(&table[j])) != 0);
		for (size_t a = 0; a < NALIASES; a++)
			CHECK(strcmp(short_name(&table[i]), aliases[a].alias) != 0);
	}
	for (size_t a = 0; a < NALIASES; a++)
		for (size_t b = a + 1; b < NALIASES; b++)
			CHECK(strcmp(aliases[a].alias, aliases[b].alias) != 0);
}

UNIT_TEST(pci_regs_aliases_name_registers)
{
	for (size_t a = 0; a < NALIASES; a++) {
		bool found = false;

		for (size_t i = 0; i < NTABLE; i++)
			found |= !table[i].span && strcmp(table[i].macro, aliases[a].macro) == 0;
		CHECK(found);
	}
}

static uint16_t space_size(const struct entry *e)
{
	switch (e->space) {
	case HDR: case TYPE0: case TYPE1:
		return PCI_STD_HEADER_SIZEOF;
	case CAP:
		return PCI_CFG_SPACE_SIZE;
	}
	return PCI_CFG_SPACE_EXP_SIZE;
}

UNIT_TEST(pci_regs_registers_aligned_and_inside_their_space)
{
	for (size_t i = 0; i < NTABLE; i++) {
		const struct entry *e = &table[i];

		CHECK(e->off + e->width <= space_size(e));
		if (e->span)
			continue;
		CHECK(e->width == 1 || e->width == 2 || e->width == 4);
		CHECK_EQ(e->off % e->width, 0);
		/* Capability registers start after the ID and next pointer. */
		if (e->space == CAP)
			CHECK(e->off >= PCI_CAP_LIST_NEXT + 1);
	}
}

/* The span covering @e's byte @off, if any (its label is what cfgname shows). */
static const struct entry *span_over(const struct entry *e, uint16_t off)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].span && table[i].space == e->space && table[i].cap == e->cap &&
		    off >= table[i].off && off < table[i].off + table[i].width)
			return &table[i];
	return e;
}

/* cfgname names every header and PCI Express capability register by the table. */
UNIT_TEST(pci_regs_cfgname_names_every_register)
{
	struct cfgname_func bridge = { PCI_HEADER_TYPE_BRIDGE, 1,
				       { { 0x40, PCI_CAP_ID_EXP, false } } };
	struct cfgname_func normal = { PCI_HEADER_TYPE_NORMAL, 1,
				       { { 0x40, PCI_CAP_ID_EXP, false } } };
	char buf[80], want[80];

	for (size_t i = 0; i < NTABLE; i++) {
		const struct entry *e = &table[i];
		struct cfgname_func *f = e->space == TYPE1 ? &bridge : &normal;
		uint16_t off = e->off + e->width - 1;	/* its last byte */

		if (e->span || e->space == EXT || (e->space == CAP && e->cap != PCI_CAP_ID_EXP))
			continue;
		if (e->space == CAP)
			snprintf(want, sizeof(want), "+0x%02x (PCIe cap +0x%x %s)", off + 0x40, off,
				 short_name(span_over(e, off)));
		else
			snprintf(want, sizeof(want), "+0x%02x (%s)", off, short_name(span_over(e, off)));
		if (e->space == CAP)
			off += 0x40;
		CHECK_STR(cfgname_describe(buf, sizeof(buf), f, off), want);
	}
}

UNIT_TEST(pci_regs_field_macros)
{
	CHECK_EQ(FIELD_GET(PCI_EXP_SLTCTL_PIC, PCI_EXP_SLTCTL_PWR_IND_OFF), 3);
	CHECK_EQ(FIELD_GET(PCI_EXP_LNKSTA_NLW, 0x0041), 4);
	CHECK_EQ(FIELD_SHIFT(PCI_EXP_LNKSTA_NLW), PCI_EXP_LNKSTA_NLW_SHIFT);
	CHECK_EQ(FIELD_SHIFT(PCI_EXP_SLTCTL_AIC), PCI_EXP_SLTCTL_ATTN_IND_SHIFT);
	CHECK_EQ(FIELD_PREP(PCI_EXP_SLTCTL_AIC, 1), PCI_EXP_SLTCTL_ATTN_IND_ON);
	CHECK_EQ(FIELD_PREP(PCI_EXP_SLTCTL_AIC, 7), PCI_EXP_SLTCTL_ATTN_IND_OFF);
	CHECK_EQ(FIELD_GET(PCI_EXP_LNKCAP_PN, 0xab000000u), 0xab);
	CHECK_EQ(FIELD_GET(PCI_EXP_SLTCAP_PSN, 0xfff80000u), 0x1fff);
}
