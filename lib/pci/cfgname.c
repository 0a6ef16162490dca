/*
 * cfgname.c - configuration space offsets to register names (see cfgname.h).
 *
 * Register names, offsets and widths: lib/pci/pci_regs.def (layouts cited
 * there); capability IDs: PCI Code and ID Assignment 1.11 §2 and §3.
 */
#include "cfgname.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

enum reg_space { HDR, TYPE0, TYPE1, CAP, EXT };

struct reg_name {
	uint8_t space;		/* enum reg_space */
	uint16_t cap;		/* capability ID for CAP and EXT */
	uint16_t off;
	uint8_t width;
	const char *name;
};

/*
 * lib/pci/pci_regs.def, registers and spans: the short name is the macro's name
 * without "PCI_EXP_" (PCI Express capability) or "PCI_" (cfgname.h).
 */
#define PCI_REG(space, cap, macro, width) \
	{ space, cap, macro, width, &#macro[(space) == CAP && (cap) == PCI_CAP_ID_EXP ? 8 : 4] },
#define PCI_SPAN(space, cap, label, offset, width) { space, cap, offset, width, #label },
#define PCI_REG_ALIAS(alias, macro)
static const struct reg_name regs[] = {
#include "pci_regs.def"
};
#undef PCI_REG
#undef PCI_SPAN
#undef PCI_REG_ALIAS

/* The first register of @space (and capability @cap) that covers @off. */
static const char *lookup(uint8_t space, uint16_t cap, uint16_t off)
{
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		const struct reg_name *r = &regs[i];

		if (r->space == space && r->cap == cap && off >= r->off &&
		    off < r->off + r->width)
			return r->name;
	}
	return NULL;
}

const char *cfgname_cap_reg(uint16_t cap_id, uint16_t off, uint8_t width)
{
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		const struct reg_name *r = &regs[i];

		if (r->space == CAP && r->cap == cap_id && r->off == off && r->width == width)
			return r->name;
	}
	return NULL;
}

const char *cfgname_cap_name(char *buf, size_t len, uint16_t id, bool extended)
{
	static const struct { uint16_t id; const char *name; } std[] = {
		{ 0x01, "PM" }, { 0x05, "MSI" }, { 0x09, "vendor" }, { 0x0d, "SSVID" },
		{ 0x10, "PCIe" }, { 0x11, "MSI-X" }, { 0x12, "SATA" }, { 0x13, "AF" },
	}, ext[] = {
		{ 0x01, "AER" }, { 0x02, "VC" }, { 0x03, "DSN" }, { 0x0b, "VSEC" },
		{ 0x0d, "ACS" }, { 0x0e, "ARI" }, { 0x10, "SR-IOV" }, { 0x19, "SecPCIe" },
		{ 0x1e, "L1SS" },
	};
	size_t n = extended ? ARRAY_SIZE(ext) : ARRAY_SIZE(std);

	for (size_t i = 0; i < n; i++)
		if ((extended ? ext[i].id : std[i].id) == id)
			return extended ? ext[i].name : std[i].name;
	snprintf(buf, len, "id 0x%x", id);
	return buf;
}

/* The capability @off lies in: the one starting closest below it, same list. */
static const struct cfgname_cap *cap_at(const struct cfgname_func *f, uint16_t off)
{
	const struct cfgname_cap *best = NULL;
	bool ext = off >= PCI_CFG_SPACE_SIZE;

	for (int i = 0; i < f->ncaps; i++) {
		const struct cfgname_cap *c = &f->caps[i];

		if (c->extended == ext && c->pos <= off && (!best || c->pos > best->pos))
			best = c;
	}
	return best;
}

const char *cfgname_describe(char *buf, size_t len, const struct cfgname_func *f,
			     uint16_t off)
{
	uint8_t type = f->header_type == PCI_HEADER_TYPE_BRIDGE ? TYPE1 : TYPE0;
	const char *name = NULL;
	const struct cfgname_cap *c;
	char idbuf[16];

	if (off < PCI_STD_HEADER_SIZEOF) {
		name = lookup(HDR, 0, off);
		if (!name)
			name = lookup(type, 0, off);
		snprintf(buf, len, "+0x%02x (%s)", off, name ? name : "header, reserved");
		return buf;
	}
	c = cap_at(f, off);
	if (!c) {
		snprintf(buf, len, "+0x%02x (no capability: device-specific)", off);
		return buf;
	}
	if (!c->extended && c->id == PCI_CAP_ID_EXP)
		name = lookup(CAP, PCI_CAP_ID_EXP, off - c->pos);
	snprintf(buf, len, "+0x%02x (%s %s +0x%x%s%s)", off,
		 cfgname_cap_name(idbuf, sizeof(idbuf), c->id, c->extended),
		 c->extended ? "ext cap" : "cap", off - c->pos, name ? " " : "", name ? name : "");
	return buf;
}

void cfgname_read_func(struct pci_bdf d, struct cfgname_func *f)
{
	struct pci_cap_iter it;

	memset(f, 0, sizeof(*f));
	f->header_type = pci_cfg_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	for (int ext = 0; ext < 2; ext++) {
		pci_cap_iter_init(&it, d, ext);
		while (pci_cap_iter_next(&it) && f->ncaps < CFGNAME_MAX_CAPS) {
			f->caps[f->ncaps].pos = it.pos;
			f->caps[f->ncaps].id = it.id;
			f->caps[f->ncaps].extended = ext;
			f->ncaps++;
		}
	}
}
