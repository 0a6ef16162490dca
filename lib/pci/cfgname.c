/*
 * cfgname.c - configuration space offsets to register names (see cfgname.h).
 *
 * Header layouts: PCI Local Bus 3.0 §6.1 (type 0), PCI-to-PCI Bridge 1.2
 * §3.2 (type 1); PCI Express capability: PCIe r5.0 §7.5.3; capability IDs:
 * PCI Code and ID Assignment 1.11 §2 and §3.
 */
#include "cfgname.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

struct reg_name {
	uint16_t off;
	uint8_t width;
	const char *name;
};

static const struct reg_name common_header[] = {
	{ 0x00, 2, "VENDOR_ID" }, { 0x02, 2, "DEVICE_ID" }, { 0x04, 2, "COMMAND" },
	{ 0x06, 2, "STATUS" }, { 0x08, 1, "REVISION_ID" }, { 0x09, 3, "CLASS" },
	{ 0x0c, 1, "CACHE_LINE_SIZE" }, { 0x0d, 1, "LATENCY_TIMER" },
	{ 0x0e, 1, "HEADER_TYPE" }, { 0x0f, 1, "BIST" }, { 0x34, 1, "CAPABILITY_LIST" },
	{ 0x3c, 1, "INTERRUPT_LINE" }, { 0x3d, 1, "INTERRUPT_PIN" },
};

static const struct reg_name type0_header[] = {
	{ 0x10, 4, "BASE_ADDRESS_0" }, { 0x14, 4, "BASE_ADDRESS_1" },
	{ 0x18, 4, "BASE_ADDRESS_2" }, { 0x1c, 4, "BASE_ADDRESS_3" },
	{ 0x20, 4, "BASE_ADDRESS_4" }, { 0x24, 4, "BASE_ADDRESS_5" },
	{ 0x28, 4, "CARDBUS_CIS" }, { 0x2c, 2, "SUBSYSTEM_VENDOR_ID" },
	{ 0x2e, 2, "SUBSYSTEM_ID" }, { 0x30, 4, "ROM_ADDRESS" },
	{ 0x3e, 1, "MIN_GNT" }, { 0x3f, 1, "MAX_LAT" },
};

static const struct reg_name type1_header[] = {
	{ 0x10, 4, "BASE_ADDRESS_0" }, { 0x14, 4, "BASE_ADDRESS_1" },
	{ 0x18, 1, "PRIMARY_BUS" }, { 0x19, 1, "SECONDARY_BUS" },
	{ 0x1a, 1, "SUBORDINATE_BUS" }, { 0x1b, 1, "SEC_LATENCY_TIMER" },
	{ 0x1c, 1, "IO_BASE" }, { 0x1d, 1, "IO_LIMIT" }, { 0x1e, 2, "SEC_STATUS" },
	{ 0x20, 2, "MEMORY_BASE" }, { 0x22, 2, "MEMORY_LIMIT" },
	{ 0x24, 2, "PREF_MEMORY_BASE" }, { 0x26, 2, "PREF_MEMORY_LIMIT" },
	{ 0x28, 4, "PREF_BASE_UPPER32" }, { 0x2c, 4, "PREF_LIMIT_UPPER32" },
	{ 0x30, 2, "IO_BASE_UPPER16" }, { 0x32, 2, "IO_LIMIT_UPPER16" },
	{ 0x38, 4, "ROM_ADDRESS1" }, { 0x3e, 2, "BRIDGE_CONTROL" },
};

/* PCI Express capability registers (PCIe r5.0 §7.5.3), Linux's short names. */
static const struct reg_name exp_cap[] = {
	{ 0x00, 2, "CAP_LIST" }, { 0x02, 2, "FLAGS" }, { 0x04, 4, "DEVCAP" },
	{ 0x08, 2, "DEVCTL" }, { 0x0a, 2, "DEVSTA" }, { 0x0c, 4, "LNKCAP" },
	{ 0x10, 2, "LNKCTL" }, { 0x12, 2, "LNKSTA" }, { 0x14, 4, "SLTCAP" },
	{ 0x18, 2, "SLTCTL" }, { 0x1a, 2, "SLTSTA" }, { 0x1c, 2, "RTCTL" },
	{ 0x1e, 2, "RTCAP" }, { 0x20, 4, "RTSTA" }, { 0x24, 4, "DEVCAP2" },
	{ 0x28, 2, "DEVCTL2" }, { 0x2a, 2, "DEVSTA2" }, { 0x2c, 4, "LNKCAP2" },
	{ 0x30, 2, "LNKCTL2" }, { 0x32, 2, "LNKSTA2" }, { 0x34, 4, "SLTCAP2" },
	{ 0x38, 2, "SLTCTL2" }, { 0x3a, 2, "SLTSTA2" },
};

static const char *lookup(const struct reg_name *t, size_t n, uint16_t off)
{
	for (size_t i = 0; i < n; i++)
		if (off >= t[i].off && off < t[i].off + t[i].width)
			return t[i].name;
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
	const struct reg_name *t = f->header_type == PCI_HEADER_TYPE_BRIDGE ? type1_header
									 : type0_header;
	size_t n = f->header_type == PCI_HEADER_TYPE_BRIDGE ? ARRAY_SIZE(type1_header)
							    : ARRAY_SIZE(type0_header);
	const char *name = NULL;
	const struct cfgname_cap *c;
	char idbuf[16];

	if (off < 0x40) {
		name = lookup(common_header, ARRAY_SIZE(common_header), off);
		if (!name)
			name = lookup(t, n, off);
		snprintf(buf, len, "+0x%02x (%s)", off, name ? name : "header, reserved");
		return buf;
	}
	c = cap_at(f, off);
	if (!c) {
		snprintf(buf, len, "+0x%02x (no capability: device-specific)", off);
		return buf;
	}
	if (!c->extended && c->id == PCI_CAP_ID_EXP)
		name = lookup(exp_cap, ARRAY_SIZE(exp_cap), off - c->pos);
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
